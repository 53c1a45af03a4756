//! Where a case stands in the eight steps of the process (register → judge → route →
//! analyse → propose → approve → execute → follow up): each done, skipped, current or still
//! to come, and which of the actions allowed now moves the case on.

use crate::case::{Case, CaseStatus};
use crate::lifecycle::ActionName;

/// One of the eight steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Register,
    Judge,
    Route,
    Analyse,
    Propose,
    Approve,
    Execute,
    FollowUp,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::Register,
        Stage::Judge,
        Stage::Route,
        Stage::Analyse,
        Stage::Propose,
        Stage::Approve,
        Stage::Execute,
        Stage::FollowUp,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Register => "register",
            Stage::Judge => "judge",
            Stage::Route => "route",
            Stage::Analyse => "analyse",
            Stage::Propose => "propose",
            Stage::Approve => "approve",
            Stage::Execute => "execute",
            Stage::FollowUp => "follow_up",
        }
    }

    /// The first status at which the step is done.
    fn done_at(self) -> CaseStatus {
        use CaseStatus as S;
        match self {
            Stage::Register => S::Registered,
            Stage::Judge => S::Validated,
            Stage::Route => S::Routed,
            Stage::Analyse => S::Analysed,
            Stage::Propose => S::AwaitingApproval,
            Stage::Approve => S::Approved,
            Stage::Execute => S::Executed,
            Stage::FollowUp => S::Closed,
        }
    }

    /// Whether the case holds the record this step leaves behind.
    fn recorded(self, c: &Case) -> bool {
        match self {
            Stage::Register => true,
            Stage::Judge => c.validity.is_some(),
            Stage::Route => c.department.is_some(),
            Stage::Analyse => c.analysis.is_some(),
            Stage::Propose => !c.options.is_empty(),
            Stage::Approve => c.decision.as_ref().is_some_and(|d| !d.automatic),
            Stage::Execute => c.execution.is_some() || !c.steps_done.is_empty(),
            Stage::FollowUp => c.follow_up.is_some(),
        }
    }
}

/// How far a step is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageState {
    Done,
    /// Passed over: no approval was needed, or the case closed before reaching it (judged
    /// not valid).
    Skipped,
    Current,
    Todo,
}

impl StageState {
    pub fn code(self) -> &'static str {
        match self {
            StageState::Done => "done",
            StageState::Skipped => "skipped",
            StageState::Current => "current",
            StageState::Todo => "todo",
        }
    }
}

fn rank(s: CaseStatus) -> usize {
    CaseStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

/// Each of the eight steps with how far it is.
pub fn stages(case: &Case) -> Vec<(Stage, StageState)> {
    let closed = case.status == CaseStatus::Closed;
    let mut current_given = false;
    Stage::ALL
        .iter()
        .map(|&stage| {
            let passed = closed || rank(case.status) >= rank(stage.done_at());
            let state = if passed {
                if stage.recorded(case) {
                    StageState::Done
                } else {
                    StageState::Skipped
                }
            } else if !current_given {
                current_given = true;
                StageState::Current
            } else {
                StageState::Todo
            };
            (stage, state)
        })
        .collect()
}

/// Whether `action` is the one that moves the case on to its next step (rather than an
/// action beside the process: a note, an assignment, a pause, re-routing).
pub fn moves_case_on(action: ActionName, case: &Case) -> bool {
    use ActionName as A;
    match action {
        A::Judge
        | A::Analyse
        | A::Propose
        | A::Choose
        | A::Approve
        | A::Reject
        | A::Execute
        | A::Step(_)
        | A::FollowUp
        | A::Close => true,
        // Routing moves a validated case on; once routed it is a correction.
        A::Route => case.status == CaseStatus::Validated,
        A::Take
        | A::Assign
        | A::Comment
        | A::WaitCustomer
        | A::Resume
        | A::RecordReferral
        | A::RecordAppraisal
        | A::Recategorise => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{Decision, Validity};
    use crate::role::{Actor, Role};

    fn case() -> Case {
        crate::registration::sample_case()
    }

    fn states(c: &Case) -> Vec<&'static str> {
        stages(c).iter().map(|(_, s)| s.code()).collect()
    }

    #[test]
    fn a_new_case_is_registered_and_waits_to_be_judged() {
        assert_eq!(
            states(&case()),
            ["done", "current", "todo", "todo", "todo", "todo", "todo", "todo"]
        );
    }

    #[test]
    fn an_approval_nobody_needed_is_skipped_not_done() {
        let mut c = case();
        c.status = CaseStatus::Approved;
        c.department = Some(crate::codes::DepartmentCode::parse("logistics").unwrap());
        c.decision = Some(Decision {
            approved: true,
            automatic: true,
            comment: None,
            by: "kesu".into(),
            at: c.received_at,
        });
        let s = states(&c);
        assert_eq!(s[5], "skipped");
        assert_eq!(s[6], "current");
        c.decision.as_mut().unwrap().automatic = false;
        assert_eq!(states(&c)[5], "done");
    }

    #[test]
    fn a_complaint_judged_not_valid_skips_everything_after_judging() {
        let mut c = case();
        c.status = CaseStatus::Closed;
        c.validity = Some(Validity {
            valid: false,
            reason: Some("超出售后期".into()),
            by: "amy".into(),
            at: c.received_at,
        });
        assert_eq!(
            states(&c),
            ["done", "done", "skipped", "skipped", "skipped", "skipped", "skipped", "skipped"]
        );
    }

    #[test]
    fn the_step_that_moves_a_case_on_comes_before_the_actions_beside_it() {
        let c = case();
        let agent = Actor::staff("amy", Role::Agent, None);
        let allowed = crate::lifecycle::allowed_actions(&c, &agent);
        let first = allowed.iter().find(|a| moves_case_on(**a, &c));
        assert_eq!(first, Some(&ActionName::Judge));
        assert!(!moves_case_on(ActionName::Comment, &c));
        let mut routed = c.clone();
        routed.status = CaseStatus::Routed;
        assert!(
            !moves_case_on(ActionName::Route, &routed),
            "re-routing is a correction"
        );
    }
}
