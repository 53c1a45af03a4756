//! Applying an accepted event to the case.

use crate::calendar::Pause;
use crate::case::{
    Analysis, Appraisal, Case, ChosenResolution, Closing, Decision, Execution, FollowUp, Outcome,
    Validity,
};
use crate::event::{Change, Event};
use crate::history::Author;

/// The case after `event`: the status moves, the step's record is kept, the version bumps.
pub fn evolve(case: &Case, event: &Event) -> Case {
    let mut c = case.clone();
    let by = event.author.name().to_owned();
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
        Change::Approve { comment, .. } => {
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
            way,
        } => {
            c.follow_up = Some(FollowUp {
                satisfied: *satisfied,
                rating: *rating,
                comment: comment.clone(),
                way: *way,
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
        Change::Recategorise { to, .. } => c.category = *to,
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
        Change::Platform { change } => crate::platform::follow(&mut c, change),
        // The platform's answer to it comes back as a change of the request.
        Change::PlatformAnswer { .. } => {}
        Change::MergedInto { into, number } => {
            c.merged_into = Some(*into);
            c.closing = Some(Closing {
                outcome: Outcome::Merged,
                summary: format!("重复投诉，已并入 {number}"),
                lessons: None,
                by,
                at,
            });
        }
        Change::Merged { .. } => {}
    }
    // Whatever the customer does, or an explicit resume, ends the wait.
    let ends_wait =
        matches!(event.change, Change::Resume { .. }) || event.author == Author::Customer;
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
