//! Preparing the follow-up call (电话回访): before the agent dials, what the call is for, the
//! points to cover in order, and the case's facts to have at hand — the customer's name,
//! what went wrong, what was done (the refund and how much, the replacement's tracking
//! number). The seeds' phone technique: know the purpose, list the points, know the customer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseStatus};
use crate::codes::{Category, ResolutionKind};
use crate::fulfilment::StepData;
use crate::money::Cents;

/// How a follow-up reached the customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FollowUpWay {
    /// The agent called them.
    Phone,
    /// A message in the channel they came from (chat, e-mail).
    Message,
    /// They answered on their status page themselves.
    StatusPage,
}

impl FollowUpWay {
    pub const ALL: [FollowUpWay; 3] = [
        FollowUpWay::Phone,
        FollowUpWay::Message,
        FollowUpWay::StatusPage,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FollowUpWay::Phone => "phone",
            FollowUpWay::Message => "message",
            FollowUpWay::StatusPage => "status_page",
        }
    }
}

/// A point to cover on the call, in the order to cover it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Point {
    /// Greet, say who is calling from which shop, check it is the customer.
    GreetAndIdentify,
    /// Say back in a sentence what they complained about.
    Restate(Category),
    /// Ask whether the refund of this much has arrived.
    RefundArrived(Cents),
    /// Ask whether the replacement under this tracking number arrived and is right.
    ReplacementArrived(String),
    /// Ask whether what was agreed (another resolution) was done as they expected.
    ResultAsAgreed(ResolutionKind),
    /// Ask whether they are satisfied, and for a rating from 1 to 5.
    SatisfactionAndRating,
    /// Ask whether anything else is wrong, and for a suggestion.
    AnythingElse,
    /// Thank them; say the case will be closed and how to reach the shop again.
    ThankAndClose,
}

/// A fact of the case to have at hand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fact {
    Order(String),
    Complaint(Category),
    Received(DateTime<Utc>),
    Resolution(ResolutionKind, Option<Cents>),
    Refunded {
        cash: Cents,
        method: String,
    },
    Reshipped {
        carrier: String,
        tracking_no: String,
    },
    Done(DateTime<Utc>),
}

/// The card the agent reads before dialling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallPlan {
    pub points: Vec<Point>,
    pub facts: Vec<Fact>,
}

/// The call to prepare for a case waiting for its follow-up (executed), or none.
pub fn follow_up_call(case: &Case) -> Option<CallPlan> {
    if case.status != CaseStatus::Executed {
        return None;
    }
    let mut facts = Vec::new();
    if let Some(order) = &case.order_no {
        facts.push(Fact::Order(order.to_string()));
    }
    facts.push(Fact::Complaint(case.category));
    facts.push(Fact::Received(case.received_at));
    let chosen = case.chosen.as_ref().map(|c| &c.option);
    if let Some(option) = chosen {
        facts.push(Fact::Resolution(option.kind, option.amount_cents));
    }
    let mut points = vec![Point::GreetAndIdentify, Point::Restate(case.category)];
    let mut checked_result = false;
    for step in &case.steps_done {
        match &step.data {
            StepData::Refunded {
                cash_cents, method, ..
            } => {
                let cash = Cents::from(*cash_cents);
                facts.push(Fact::Refunded {
                    cash,
                    method: method.clone(),
                });
                points.push(Point::RefundArrived(cash));
                checked_result = true;
            }
            StepData::Replaced {
                carrier,
                tracking_no,
                ..
            } => {
                facts.push(Fact::Reshipped {
                    carrier: carrier.clone(),
                    tracking_no: tracking_no.clone(),
                });
                points.push(Point::ReplacementArrived(tracking_no.clone()));
                checked_result = true;
            }
            _ => {}
        }
    }
    if !checked_result {
        if let Some(option) = chosen {
            points.push(Point::ResultAsAgreed(option.kind));
        }
    }
    if let Some(done) = &case.execution {
        facts.push(Fact::Done(done.at));
    }
    points.extend([
        Point::SatisfactionAndRating,
        Point::AnythingElse,
        Point::ThankAndClose,
    ]);
    Some(CallPlan { points, facts })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{ChosenResolution, Execution, ResolutionOption};
    use crate::fulfilment::{Flow, Step, StepRecord};
    use crate::registration::RegistrationForm;
    use crate::{Actor, Policy, Role};

    fn t0() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    /// A case whose resolution `kind` (for `amount`) was carried out with `steps`.
    fn executed(kind: ResolutionKind, amount: Option<i64>, steps: Vec<StepData>) -> Case {
        let form: RegistrationForm = serde_json::from_value(serde_json::json!({
            "channel": "phone", "complainant": {"name": "王小明", "phone": "13812345678"},
            "order_no": "TB20261111001", "category": "damaged", "demand": "reship",
            "description": "杯子碎了"
        }))
        .unwrap();
        let agent = Actor::staff("amy", Role::Agent, None);
        let mut c = form
            .parse(t0())
            .unwrap()
            .into_case(1, 1, &agent, t0(), &Policy::default());
        c.status = CaseStatus::Executed;
        c.chosen = Some(ChosenResolution {
            index: 0,
            option: ResolutionOption {
                kind,
                amount_cents: amount.map(Cents::new),
                note: None,
                lines: Vec::new(),
                include_shipping: false,
                goodwill: Vec::new(),
            },
            needs_approval: false,
            flow: Flow::Simple,
            chosen_by: "顾客".into(),
            at: t0(),
        });
        c.steps_done = steps
            .into_iter()
            .map(|data| StepRecord {
                step: Step::Refund,
                by: "amy".into(),
                at: t0(),
                note: None,
                data,
            })
            .collect();
        c.execution = Some(Execution {
            note: "done".into(),
            by: "amy".into(),
            at: t0(),
        });
        c
    }

    #[test]
    fn a_refund_is_checked_by_its_amount_before_satisfaction_is_asked() {
        let refunded = StepData::Refunded {
            cash_cents: 2590,
            points_cents: 0,
            shipping_cents: 0,
            lines: Vec::new(),
            method: "alipay".into(),
            freight_cents: None,
        };
        let c = executed(ResolutionKind::PartialRefund, Some(2590), vec![refunded]);
        let plan = follow_up_call(&c).expect("an executed case is called");
        assert_eq!(
            plan.points,
            vec![
                Point::GreetAndIdentify,
                Point::Restate(Category::Damaged),
                Point::RefundArrived(Cents::new(2590)),
                Point::SatisfactionAndRating,
                Point::AnythingElse,
                Point::ThankAndClose,
            ]
        );
        assert!(plan.facts.contains(&Fact::Order("TB20261111001".into())));
        assert!(plan.facts.contains(&Fact::Refunded {
            cash: Cents::new(2590),
            method: "alipay".into()
        }));
        assert!(plan.facts.contains(&Fact::Done(t0())));
    }

    #[test]
    fn a_replacement_is_checked_by_its_tracking_number() {
        let replaced = StepData::Replaced {
            carrier: "yto".into(),
            tracking_no: "YT9900000001".into(),
            lines: Vec::new(),
        };
        let c = executed(ResolutionKind::Reship, None, vec![replaced]);
        let plan = follow_up_call(&c).unwrap();
        assert!(plan
            .points
            .contains(&Point::ReplacementArrived("YT9900000001".into())));
        assert!(!plan
            .points
            .iter()
            .any(|p| matches!(p, Point::ResultAsAgreed(_))));
    }

    #[test]
    fn a_resolution_without_recorded_steps_is_checked_as_agreed() {
        let c = executed(ResolutionKind::Exchange, None, Vec::new());
        let plan = follow_up_call(&c).unwrap();
        assert!(plan
            .points
            .contains(&Point::ResultAsAgreed(ResolutionKind::Exchange)));
    }

    #[test]
    fn only_a_case_waiting_for_its_follow_up_is_called() {
        let mut c = executed(ResolutionKind::Reship, None, Vec::new());
        for status in CaseStatus::ALL {
            c.status = *status;
            assert_eq!(
                follow_up_call(&c).is_some(),
                *status == CaseStatus::Executed,
                "{status:?}"
            );
        }
    }
}
