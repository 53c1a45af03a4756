use super::*;
use crate::case::Outcome;
use crate::registration::RegistrationForm;
use crate::role::{Actor, Role};
use crate::CaseStatus;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn case(id: i64) -> Case {
    let form: RegistrationForm = serde_json::from_value(serde_json::json!({
        "channel": "chat", "complainant": {"name": "王小明", "phone": "13812345678"},
        "category": "damaged", "demand": "reship", "description": "杯子碎了"
    }))
    .unwrap();
    let agent = Actor::staff("amy", Role::Agent, None);
    form.parse(t0())
        .unwrap()
        .into_case(id, id, &agent, t0(), &Policy::default())
}

fn amy() -> Author {
    Author::Staff("amy".into())
}

#[test]
fn a_duplicate_closes_into_the_survivor_and_both_histories_say_so() {
    let (dup, surv) = (case(2), case(1));
    let m = merge(&dup, &surv, true, amy(), &Policy::default(), t0()).unwrap();
    let (after, event) = &m.duplicate;
    assert_eq!(after.status, CaseStatus::Closed);
    assert_eq!(after.merged_into, Some(1));
    let closing = after.closing.as_ref().unwrap();
    assert_eq!(closing.outcome, Outcome::Merged);
    assert!(
        closing.summary.contains(&surv.number),
        "{}",
        closing.summary
    );
    assert_eq!(event.action(), "merged_into");
    assert_eq!(after.version, dup.version + 1);
    let (kept, note) = &m.survivor;
    assert_eq!(kept.status, surv.status);
    assert_eq!(kept.version, surv.version + 1);
    assert_eq!(note.action(), "merged");
}

#[test]
fn merging_is_refused_across_customers_into_itself_or_between_closed_cases() {
    let policy = Policy::default();
    let (a, b) = (case(1), case(2));
    assert!(merge(&a, &a, true, amy(), &policy, t0()).is_err());
    let e = merge(&b, &a, false, amy(), &policy, t0()).err().unwrap();
    assert!(e.message.contains("link them instead"), "{}", e.message);
    let closed = merge(&b, &a, true, amy(), &policy, t0())
        .unwrap()
        .duplicate
        .0;
    assert!(merge(&closed, &a, true, amy(), &policy, t0()).is_err());
    assert!(merge(&a, &closed, true, amy(), &policy, t0()).is_err());
}

#[test]
fn wide_impact_is_many_cases_or_many_shops() {
    let w = WideImpact::default();
    assert!(!w.reached(19, 2));
    assert!(w.reached(20, 1));
    assert!(w.reached(3, 3));
}
