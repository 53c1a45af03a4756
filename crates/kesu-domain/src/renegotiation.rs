//! Renegotiating with a customer who was not satisfied (seed 000: 使用LSCPA五步法 — Listen,
//! Share, Clarify, Present, Ask): when a follow-up finds the customer unsatisfied, the case
//! goes back to negotiation, and the agent is guided through the five steps with what the
//! customer said, what was offered last time, and how many rounds this is.

use serde::Serialize;

use crate::case::{Case, CaseStatus};
use crate::codes::ResolutionKind;
use crate::money::Cents;

/// The five steps, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// 倾听: let the customer say all of it, without interrupting.
    Listen,
    /// 分担: show you understand and share the trouble.
    Share,
    /// 澄清: restate what they really want, and have them confirm it.
    Clarify,
    /// 陈述: present what can be done now, different from last time.
    Present,
    /// 要求: ask them to agree, and set the next contact.
    Ask,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::Listen,
        Step::Share,
        Step::Clarify,
        Step::Present,
        Step::Ask,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::Listen => "listen",
            Step::Share => "share",
            Step::Clarify => "clarify",
            Step::Present => "present",
            Step::Ask => "ask",
        }
    }
}

/// What the guide works from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Renegotiation {
    /// Which renegotiation this is (1 the first).
    pub round: u32,
    /// The customer's words at the follow-up, if noted.
    pub said: Option<String>,
    pub rating: Option<u8>,
    /// What was carried out last time, and its amount.
    pub last: Option<(ResolutionKind, Option<Cents>)>,
    /// A second round or more: escalate to a supervisor if this one fails too.
    pub escalate_next: bool,
}

/// The guide for `case`, while it is back in negotiation after an unsatisfied follow-up.
pub fn guide(case: &Case) -> Option<Renegotiation> {
    let follow_up = case.follow_up.as_ref().filter(|f| !f.satisfied)?;
    if case.renegotiations == 0 || !case.status.is_open() {
        return None;
    }
    // Once a new resolution is carried out, the next follow-up decides again.
    if matches!(case.status, CaseStatus::Executed | CaseStatus::Resolved) {
        return None;
    }
    Some(Renegotiation {
        round: case.renegotiations,
        said: follow_up.comment.clone().filter(|c| !c.trim().is_empty()),
        rating: follow_up.rating,
        last: case
            .chosen
            .as_ref()
            .map(|c| (c.option.kind, c.option.amount_cents)),
        escalate_next: case.renegotiations >= 2,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::FollowUp;
    use chrono::{DateTime, Utc};

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn case_after(satisfied: bool, renegotiations: u32, status: CaseStatus) -> Case {
        let form: crate::registration::RegistrationForm =
            serde_json::from_value(serde_json::json!({
                "channel": "chat", "complainant": {"name": "王小明", "phone": "13812345678"},
                "category": "damaged", "demand": "reship", "description": "杯子碎了"
            }))
            .unwrap();
        let agent = crate::role::Actor::staff("amy", crate::role::Role::Agent, None);
        let mut c =
            form.parse(t0())
                .unwrap()
                .into_case(1, 1, &agent, t0(), &crate::Policy::default());
        c.follow_up = Some(FollowUp {
            satisfied,
            rating: Some(2),
            comment: Some("补发的还是碎的".into()),
            way: None,
            by: "amy".into(),
            at: t0(),
        });
        c.renegotiations = renegotiations;
        c.status = status;
        c
    }

    #[test]
    fn an_unsatisfied_follow_up_brings_the_guide_with_the_customers_words() {
        let g = guide(&case_after(false, 1, CaseStatus::Analysed)).unwrap();
        assert_eq!(g.round, 1);
        assert_eq!(g.said.as_deref(), Some("补发的还是碎的"));
        assert!(!g.escalate_next);
        assert!(
            guide(&case_after(false, 2, CaseStatus::Proposed))
                .unwrap()
                .escalate_next
        );
    }

    #[test]
    fn no_guide_when_satisfied_never_renegotiated_carried_out_again_or_closed() {
        assert!(guide(&case_after(true, 1, CaseStatus::Analysed)).is_none());
        assert!(guide(&case_after(false, 0, CaseStatus::Analysed)).is_none());
        assert!(guide(&case_after(false, 1, CaseStatus::Executed)).is_none());
        assert!(guide(&case_after(false, 1, CaseStatus::Closed)).is_none());
    }
}
