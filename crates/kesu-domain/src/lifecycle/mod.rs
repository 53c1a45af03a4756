//! The case lifecycle as a state machine: a command plus the current case gives the one
//! event to append, or a rejection saying why and what is allowed now.

use crate::error::{Ask, FieldError, Problem, Rejection, Thing};
use chrono::{DateTime, Utc};

use crate::case::{Case, CaseStatus};
use crate::command::Command;
use crate::event::{Change, Event};
use crate::fulfilment::{check_option, decide_step, Flow};
use crate::order::Order;
use crate::policy::Policy;
use crate::role::{Actor, Role};
use crate::sla;

mod actions;
mod evolve;

use actions::own_case;
pub use actions::{allowed_actions, ActionName};
pub use evolve::evolve;

/// The lines of a no-reason return (the customer found liable) that the seven-day rule
/// does not cover (消费者权益保护法 Art. 25; Order 90 Art. 6–8).
fn no_reason_exceptions(
    case: &Case,
    option: &crate::case::ResolutionOption,
    order: Option<&Order>,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Vec<crate::seven_day_return::GoodwillException> {
    let no_reason = case
        .analysis
        .as_ref()
        .is_some_and(|a| a.liability == crate::codes::Liability::Customer);
    match order {
        Some(order) if no_reason && option.kind == crate::codes::ResolutionKind::ReturnRefund => {
            let lines = crate::fulfilment::requested_lines(option, order);
            crate::seven_day_return::goodwill_exceptions(order, &lines, now, policy.zone())
        }
        _ => Vec::new(),
    }
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
                option.goodwill = no_reason_exceptions(case, option, order, now, policy);
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
            // A return outside the seven-day rule is a goodwill exception: a supervisor's.
            let needs_approval =
                policy.approval.needs_approval(chosen) || !chosen.goodwill.is_empty();
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
        Command::Approve { comment } => {
            let goodwill = case
                .chosen
                .as_ref()
                .is_some_and(|c| !c.option.goodwill.is_empty());
            if goodwill && comment.is_none() {
                return Err(Rejection::from(FieldError::explained(
                    "comment",
                    Problem::Explain(Ask::WhyOverride),
                    "the return lies outside the seven-day rule: say why the shop accepts it \
                     (a goodwill exception)",
                )));
            }
            (S::Approved, Change::Approve { comment, goodwill })
        }
        Command::Reject { comment } => (S::Analysed, Change::Reject { comment }),
        Command::Execute { note } => (S::Executed, Change::Execute { note }),
        Command::FollowUp {
            satisfied,
            rating,
            comment,
            way,
        } => {
            let to = if satisfied { S::Resolved } else { S::Analysed };
            let change = Change::FollowUp {
                satisfied,
                rating,
                comment,
                way,
            };
            (to, change)
        }
        Command::Close { summary, lessons } => (S::Closed, Change::Close { summary, lessons }),
        Command::Take => {
            let change = Change::Assign {
                user: actor.name().to_owned(),
                previous: None,
            };
            (case.status, change)
        }
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
            let outcome = decide_step(case, step, &fields, order, actor, now)?;
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
        Command::Recategorise { category, reason } => {
            if category == case.category {
                return Err(Rejection::Invalid(vec![FieldError::explained(
                    "category",
                    Problem::NotApplicable,
                    format!("the case is already filed under {}", category.code()),
                )]));
            }
            let change = Change::Recategorise {
                from: case.category,
                to: category,
                reason,
            };
            (case.status, change)
        }
    };
    let mut event = Event {
        at: now,
        author: actor.author(),
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

#[cfg(test)]
mod tests;
