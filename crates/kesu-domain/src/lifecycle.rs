//! The case lifecycle as a state machine: a command plus the current case gives the one
//! event to append, or a rejection saying why and what is allowed now.

use crate::error::{Ask, FieldError, Problem, Rejection, Thing};
use chrono::{DateTime, Utc};

use crate::calendar::Pause;
use crate::case::{
    Analysis, Appraisal, Case, CaseStatus, ChosenResolution, Closing, Decision, Execution,
    FollowUp, Outcome, Validity,
};
use crate::codes::Channel;
use crate::command::Command;
use crate::event::{Change, Event};
use crate::fulfilment::{check_option, decide_step, next_step, Flow, Step};
use crate::order::Order;
use crate::policy::Policy;
use crate::role::{Actor, ActorKind, Role};
use crate::sla;

/// The actions of docs/interface.md §4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionName {
    Judge,
    Route,
    Analyse,
    Propose,
    Choose,
    Approve,
    Reject,
    Execute,
    FollowUp,
    Close,
    Assign,
    Comment,
    /// A step of the chosen resolution's flow (step 7).
    Step(Step),
    WaitCustomer,
    Resume,
    RecordReferral,
    RecordAppraisal,
}

impl ActionName {
    pub const ALL: &'static [ActionName] = &[
        ActionName::Judge,
        ActionName::Route,
        ActionName::Analyse,
        ActionName::Propose,
        ActionName::Choose,
        ActionName::Approve,
        ActionName::Reject,
        ActionName::Execute,
        ActionName::FollowUp,
        ActionName::Close,
        ActionName::Step(Step::ConfirmNotShipped),
        ActionName::Step(Step::CancelOrder),
        ActionName::Step(Step::TrackParcel),
        ActionName::Step(Step::ParcelBack),
        ActionName::Step(Step::ReturnShipped),
        ActionName::Step(Step::ReceiveReturn),
        ActionName::Step(Step::Inspect),
        ActionName::Step(Step::Restock),
        ActionName::Step(Step::Refund),
        ActionName::Step(Step::ShipReplacement),
        ActionName::WaitCustomer,
        ActionName::Resume,
        ActionName::RecordReferral,
        ActionName::RecordAppraisal,
        ActionName::Assign,
        ActionName::Comment,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionName::Judge => "judge",
            ActionName::Route => "route",
            ActionName::Analyse => "analyse",
            ActionName::Propose => "propose",
            ActionName::Choose => "choose",
            ActionName::Approve => "approve",
            ActionName::Reject => "reject",
            ActionName::Execute => "execute",
            ActionName::FollowUp => "follow_up",
            ActionName::Close => "close",
            ActionName::Assign => "assign",
            ActionName::Comment => "comment",
            ActionName::WaitCustomer => "wait_customer",
            ActionName::Resume => "resume",
            ActionName::RecordReferral => "record_referral",
            ActionName::RecordAppraisal => "record_appraisal",
            ActionName::Step(step) => step.code(),
        }
    }

    pub fn parse(code: &str) -> Option<ActionName> {
        ActionName::ALL.iter().copied().find(|a| a.code() == code)
    }

    /// Whether the action fits the case as it stands.
    fn allowed_now(self, case: &Case) -> bool {
        use CaseStatus as S;
        let status = case.status;
        match self {
            ActionName::Judge => status == S::Registered,
            // Re-routing is allowed until the department has analysed the case.
            ActionName::Route => matches!(status, S::Validated | S::Routed),
            ActionName::Analyse => status == S::Routed,
            // Options may be revised until the customer has chosen.
            ActionName::Propose => matches!(status, S::Analysed | S::Proposed),
            ActionName::Choose => status == S::Proposed,
            ActionName::Approve | ActionName::Reject => status == S::AwaitingApproval,
            // Resolutions that move goods or money go through their flow's steps instead.
            ActionName::Execute => status == S::Approved && next_step(case).is_none(),
            ActionName::Step(step) => status == S::Approved && next_step(case) == Some(step),
            ActionName::FollowUp => status == S::Executed,
            ActionName::Close => status == S::Resolved,
            ActionName::Assign | ActionName::Comment => status.is_open(),
            // An appraisal settles a dispute about cause and liability, once a department has it.
            ActionName::RecordAppraisal => matches!(
                status,
                S::Routed
                    | S::Analysed
                    | S::Proposed
                    | S::AwaitingApproval
                    | S::Approved
                    | S::Executed
            ),
            ActionName::WaitCustomer => status.is_open() && !case.is_paused(),
            ActionName::Resume => status.is_open() && case.is_paused(),
            ActionName::RecordReferral => {
                status.is_open() && case.channel == Channel::ConsumerAssociation
            }
        }
    }

    /// Who may ever take this action (docs/interface.md §4, "who").
    fn permits(self, actor: &Actor) -> bool {
        use Role as R;
        let role = actor.role();
        match self {
            ActionName::Judge | ActionName::Route | ActionName::Propose | ActionName::Close => {
                matches!(role, Some(R::Agent | R::Supervisor))
            }
            ActionName::Analyse => matches!(role, Some(R::Department | R::Supervisor)),
            ActionName::Choose | ActionName::FollowUp => {
                matches!(actor, Actor::Customer) || role == Some(R::Agent)
            }
            ActionName::Approve | ActionName::Reject => {
                matches!(role, Some(R::Supervisor | R::Admin))
            }
            ActionName::Execute | ActionName::Step(_) => {
                matches!(role, Some(R::Agent | R::Department | R::Supervisor))
            }
            ActionName::Assign => matches!(role, Some(R::Agent | R::Supervisor | R::Admin)),
            ActionName::Comment => matches!(actor, Actor::Customer) || role != Some(R::Auditor),
            ActionName::WaitCustomer | ActionName::Resume | ActionName::RecordAppraisal => {
                matches!(role, Some(R::Agent | R::Department | R::Supervisor))
            }
            ActionName::RecordReferral => matches!(role, Some(R::Agent | R::Supervisor)),
        }
    }
}

/// The actions `actor` may take on `case` right now.
pub fn allowed_actions(case: &Case, actor: &Actor) -> Vec<&'static str> {
    ActionName::ALL
        .iter()
        .filter(|a| a.allowed_now(case) && a.permits(actor) && own_case(**a, case, actor).is_ok())
        .map(|a| a.code())
        .collect()
}

/// Department users act only on cases routed to their own department.
fn own_case(action: ActionName, case: &Case, actor: &Actor) -> Result<(), Rejection> {
    if let Actor::Staff {
        role: Role::Department,
        department,
        ..
    } = actor
    {
        if matches!(
            action,
            ActionName::Analyse
                | ActionName::Execute
                | ActionName::Step(_)
                | ActionName::WaitCustomer
                | ActionName::Resume
                | ActionName::RecordAppraisal
        ) && (department.is_none() || department.as_ref() != case.department.as_ref())
        {
            return Err(Rejection::Forbidden {
                action: action.code(),
                actor: actor.kind().to_owned(),
                reason: Some("the case is routed to another department".into()),
            });
        }
    }
    Ok(())
}

/// Decides whether `actor` may apply `command` to `case` as of `expected_version`, for a
/// case whose order kesu does not have.
pub fn decide(
    case: &Case,
    actor: &Actor,
    command: &Command,
    expected_version: i64,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<Event, Rejection> {
    decide_with_order(case, actor, command, expected_version, now, policy, None)
}

/// [`decide`], with the case's order: proposals are checked against its refund quote and
/// the resolution's flow is guarded by its real state.
pub fn decide_with_order(
    case: &Case,
    actor: &Actor,
    command: &Command,
    expected_version: i64,
    now: DateTime<Utc>,
    policy: &Policy,
    order: Option<&Order>,
) -> Result<Event, Rejection> {
    let action = command.action();
    if !action.permits(actor) {
        return Err(Rejection::Forbidden {
            action: action.code(),
            actor: actor.kind().to_owned(),
            reason: None,
        });
    }
    // A caller who saw an older version is told to reload before anything else.
    if expected_version != case.version {
        return Err(Rejection::StaleVersion {
            expected: expected_version,
            actual: case.version,
        });
    }
    if !action.allowed_now(case) {
        return Err(Rejection::NotAllowedNow {
            action: action.code(),
            status: case.status,
            allowed: allowed_actions(case, actor),
        });
    }
    own_case(action, case, actor)?;

    use CaseStatus as S;
    let mut effects = Vec::new();
    let (to, change) = match command.clone() {
        Command::Judge { valid, reason } => {
            let to = if valid { S::Validated } else { S::Closed };
            (to, Change::Judge { valid, reason })
        }
        Command::Route { department } => {
            let as_suggested = case.suggested_department.as_ref() == Some(&department);
            let change = Change::Route {
                department,
                previous: case.department.clone(),
                as_suggested,
            };
            (S::Routed, change)
        }
        Command::Analyse {
            liability,
            root_cause,
            findings,
        } => (
            S::Analysed,
            Change::Analyse {
                liability,
                root_cause,
                findings,
            },
        ),
        Command::Propose { mut options } => {
            let mut errors = Vec::new();
            for (i, option) in options.iter_mut().enumerate() {
                if let Err(e) = check_option(i, option, order) {
                    errors.push(e);
                }
            }
            if !errors.is_empty() {
                return Err(Rejection::Invalid(errors));
            }
            let change = Change::Propose {
                options,
                round: case.renegotiations,
            };
            (S::Proposed, change)
        }
        Command::Choose { option } => {
            let Some(chosen) = case.options.get(option) else {
                return Err(Rejection::from(FieldError::explained(
                    "option",
                    Problem::Range {
                        min: 0,
                        max: case.options.len().saturating_sub(1) as i64,
                    },
                    format!(
                        "there are {} options: choose an index from 0 to {}",
                        case.options.len(),
                        case.options.len().saturating_sub(1)
                    ),
                )));
            };
            let needs_approval = policy.approval.needs_approval(chosen);
            // Without the order in kesu nothing can be guarded or recorded on it: the
            // resolution is then carried out elsewhere and recorded with `execute`.
            let flow = match order {
                Some(o) => Flow::for_option(chosen, Some(o)),
                None => Flow::Simple,
            };
            let to = if needs_approval {
                S::AwaitingApproval
            } else {
                S::Approved
            };
            let change = Change::Choose {
                option,
                kind: chosen.kind,
                amount_cents: chosen.amount_cents,
                needs_approval,
                flow,
            };
            (to, change)
        }
        Command::Approve { comment } => (S::Approved, Change::Approve { comment }),
        Command::Reject { comment } => (S::Analysed, Change::Reject { comment }),
        Command::Execute { note } => (S::Executed, Change::Execute { note }),
        Command::FollowUp {
            satisfied,
            rating,
            comment,
        } => {
            let to = if satisfied { S::Resolved } else { S::Analysed };
            let change = Change::FollowUp {
                satisfied,
                rating,
                comment,
            };
            (to, change)
        }
        Command::Close { summary, lessons } => (S::Closed, Change::Close { summary, lessons }),
        Command::Assign {
            user,
            user_role,
            user_department,
        } => {
            match user_role {
                None => {
                    return Err(Rejection::invalid(
                        "user",
                        Problem::Unknown {
                            thing: Thing::User,
                            value: user.to_string(),
                        },
                    ))
                }
                Some(r) if !r.handles_cases() => {
                    return Err(Rejection::from(FieldError::explained(
                        "user",
                        Problem::NotApplicable,
                        format!(
                        "`{user}` is a {r}: cases go to agents, supervisors or department users"
                    ),
                    )))
                }
                // A department user works only on their department's cases: one of
                // another department would not even see it.
                Some(Role::Department) if user_department.as_ref() != case.department.as_ref() => {
                    return Err(Rejection::from(FieldError::explained(
                        "user", Problem::NotApplicable,
                        match &case.department {
                            Some(d) => format!(
                                "`{user}` works in another department; this case is routed to {d}: choose someone of {d}, or an agent or supervisor"
                            ),
                            None => format!(
                                "`{user}` is a department user and this case is not routed yet: route it first, or choose an agent or supervisor"
                            ),
                        },
                    )));
                }
                Some(_) => {}
            }
            let change = Change::Assign {
                user,
                previous: case.assignee.clone(),
            };
            (case.status, change)
        }
        Command::Step { step, fields } => {
            let outcome = decide_step(case, step, &fields, order, actor.name(), now)?;
            effects = outcome.effects;
            let to = if outcome.fails {
                S::Analysed
            } else if outcome.completes {
                S::Executed
            } else {
                S::Approved
            };
            let change = Change::Step {
                record: outcome.record,
                completes: outcome.completes,
                fails: outcome.fails,
            };
            (to, change)
        }
        Command::Comment {
            text,
            internal,
            override_check,
        } => {
            if override_check && actor.role() != Some(Role::Supervisor) {
                return Err(Rejection::Forbidden {
                    action: "comment",
                    actor: actor.kind().to_owned(),
                    reason: Some("only a supervisor may send a reply the checker blocks".into()),
                });
            }
            if internal && matches!(actor, Actor::Customer) {
                return Err(Rejection::from(FieldError::explained(
                    "internal",
                    Problem::NotApplicable,
                    "customers cannot write internal notes",
                )));
            }
            if !internal && actor.role() == Some(Role::Department) {
                return Err(Rejection::Forbidden {
                    action: "comment",
                    actor: actor.kind().to_owned(),
                    reason: Some(
                        "departments write internal notes; replies to the customer go through an agent"
                            .into(),
                    ),
                });
            }
            let change = Change::Comment {
                text,
                internal,
                override_check,
            };
            (case.status, change)
        }
        Command::WaitCustomer { reason } => (case.status, Change::WaitCustomer { reason }),
        Command::Resume { note } => {
            let since = case.pauses.last().map_or(now, |p| p.from);
            let change = Change::Resume {
                note,
                waited_minutes: (now - since).num_minutes().max(0),
            };
            (case.status, change)
        }
        Command::RecordReferral { referral } => {
            if referral
                .filed_at
                .is_some_and(|t| t > now + chrono::Duration::minutes(5))
            {
                return Err(Rejection::Invalid(vec![FieldError::explained(
                    "filed_at",
                    Problem::InFuture,
                    "lies in the future: give the date the association filed the complaint",
                )]));
            }
            (case.status, Change::RecordReferral { referral })
        }
        Command::RecordAppraisal {
            appraiser,
            cost_cents,
            payer,
            conclusion,
        } => {
            let Some(payer) = payer.or(case.analysis.as_ref().map(|a| a.liability)) else {
                return Err(Rejection::invalid(
                    "payer",
                    Problem::Explain(Ask::AppraisalPayer),
                ));
            };
            let change = Change::RecordAppraisal {
                appraiser,
                cost_cents,
                payer,
                conclusion,
            };
            (case.status, change)
        }
    };
    let mut event = Event {
        at: now,
        actor: actor.name().to_owned(),
        actor_kind: actor.history_kind(),
        from: case.status,
        to,
        change,
        effects,
        responds: responds(actor, command),
        deadlines: case.deadlines.clone(),
    };
    // The clocks as they stand after the event decide its deadlines.
    event.deadlines = sla::deadlines(&evolve(case, &event), policy);
    Ok(event)
}

/// Whether the action reaches the customer, which stops the first-response clock: a public
/// reply, a question to them, an offer. Internal steps (a judgement, a route) do not: a case
/// could otherwise be closed without the customer hearing a word and count as answered.
fn responds(actor: &Actor, command: &Command) -> bool {
    actor.role().is_some()
        && matches!(
            command,
            Command::Propose { .. }
                | Command::WaitCustomer { .. }
                | Command::Comment {
                    internal: false,
                    ..
                }
        )
}

/// The case after `event`: the status moves, the step's record is kept, the version bumps.
pub fn evolve(case: &Case, event: &Event) -> Case {
    let mut c = case.clone();
    let by = event.actor.clone();
    let at = event.at;
    match &event.change {
        Change::Judge { valid, reason } => {
            c.validity = Some(Validity {
                valid: *valid,
                reason: reason.clone(),
                by: by.clone(),
                at,
            });
            if !valid {
                c.closing = Some(Closing {
                    outcome: Outcome::Invalid,
                    summary: reason.clone().unwrap_or_default(),
                    lessons: None,
                    by,
                    at,
                });
            }
        }
        Change::Route { department, .. } => c.department = Some(department.clone()),
        Change::Analyse {
            liability,
            root_cause,
            findings,
        } => {
            c.analysis = Some(Analysis {
                liability: *liability,
                root_cause: *root_cause,
                findings: findings.clone(),
                by,
                at,
            })
        }
        Change::Propose { options, .. } => {
            c.options = options.clone();
            c.chosen = None;
            c.decision = None;
            c.steps_done.clear();
        }
        Change::Choose {
            option,
            needs_approval,
            flow,
            ..
        } => {
            let chosen = c.options[*option].clone();
            c.chosen = Some(ChosenResolution {
                index: *option,
                flow: *flow,
                option: chosen,
                needs_approval: *needs_approval,
                chosen_by: by.clone(),
                at,
            });
            c.steps_done.clear();
            c.decision = (!needs_approval).then(|| Decision {
                approved: true,
                automatic: true,
                comment: None,
                by: "policy".into(),
                at,
            });
        }
        Change::Approve { comment } => {
            c.decision = Some(Decision {
                approved: true,
                automatic: false,
                comment: comment.clone(),
                by,
                at,
            })
        }
        Change::Reject { comment } => {
            c.decision = Some(Decision {
                approved: false,
                automatic: false,
                comment: Some(comment.clone()),
                by,
                at,
            });
            c.renegotiations += 1;
        }
        Change::Execute { note } => {
            c.execution = Some(Execution {
                note: note.clone(),
                by,
                at,
            })
        }
        Change::FollowUp {
            satisfied,
            rating,
            comment,
        } => {
            c.follow_up = Some(FollowUp {
                satisfied: *satisfied,
                rating: *rating,
                comment: comment.clone(),
                by,
                at,
            });
            if !satisfied {
                c.renegotiations += 1;
                c.steps_done.clear();
            }
        }
        Change::Close { summary, lessons } => {
            c.closing = Some(Closing {
                outcome: Outcome::Resolved,
                summary: summary.clone(),
                lessons: lessons.clone(),
                by,
                at,
            })
        }
        Change::Step {
            record,
            completes,
            fails,
        } => {
            c.steps_done.push(record.clone());
            if *completes {
                // Without a note the step itself says what was done (readers label it).
                c.execution = Some(Execution {
                    note: record.note.clone().unwrap_or_default(),
                    by,
                    at,
                });
            }
            if *fails {
                c.renegotiations += 1;
                c.chosen = None;
                c.decision = None;
                c.steps_done.clear();
            }
        }
        Change::Assign { user, .. } => c.assignee = Some(user.clone()),
        Change::Comment { .. } => {}
        Change::WaitCustomer { .. } => c.pauses.push(Pause {
            from: at,
            until: None,
        }),
        Change::Resume { .. } => {}
        Change::RecordReferral { referral } => c.referral = Some(referral.clone()),
        Change::RecordAppraisal {
            appraiser,
            cost_cents,
            payer,
            conclusion,
        } => {
            c.appraisal = Some(Appraisal {
                appraiser: appraiser.clone(),
                cost_cents: *cost_cents,
                payer: *payer,
                conclusion: conclusion.clone(),
                by,
                at,
            })
        }
    }
    // Whatever the customer does, or an explicit resume, ends the wait.
    let ends_wait =
        matches!(event.change, Change::Resume { .. }) || event.actor_kind == ActorKind::Customer;
    if ends_wait || !event.to.is_open() {
        if let Some(p) = c.pauses.last_mut().filter(|p| p.until.is_none()) {
            p.until = Some(at);
        }
    }
    if event.responds && c.responded_at.is_none() {
        c.responded_at = Some(at);
    }
    if event.to != c.status {
        c.status_since = Some(at);
    }
    c.deadlines = event.deadlines.clone();
    c.status = event.to;
    c.version += 1;
    c.updated_at = at;
    c
}

#[cfg(test)]
#[path = "lifecycle_tests.rs"]
mod tests;
