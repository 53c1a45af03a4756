use super::*;
use crate::history::TimerFired;
use chrono::TimeZone;
use serde_json::json;

struct Shop;

impl Known for Shop {
    fn staff_exists(&self, username: &str) -> bool {
        ["amy", "bob"].contains(&username)
    }
    fn department_exists(&self, code: &DepartmentCode) -> bool {
        code.as_str() == "logistics"
    }
}

fn request(v: serde_json::Value) -> AccountabilityRequest {
    serde_json::from_value(v).unwrap()
}

fn fields(errors: Vec<FieldError>) -> Vec<String> {
    errors.into_iter().map(|e| e.field).collect()
}

#[test]
fn staff_and_departments_with_their_penalties_are_recorded() {
    let a = request(json!({
        "loss_cents": 12_900,
        "note": "大促期间漏发",
        "parties": [
            {"staff": "amy", "penalty": {"kind": "pay_share", "percent": 5}, "reason": "未核对订单"},
            {"department": "logistics", "penalty": {"kind": "amount", "cents": 5000}, "reason": "漏发"},
            {"staff": "bob", "penalty": {"kind": "warning"}, "reason": "超时未回复"}
        ]
    }))
    .check(&Shop)
    .unwrap();
    assert_eq!(a.parties.len(), 3);
    assert_eq!(
        a.parties[1].party,
        Party::Department(DepartmentCode::parse("logistics").unwrap())
    );
    let mut totals = std::collections::BTreeMap::new();
    add_recorded(&mut totals, &a);
    add_recorded(&mut totals, &a);
    let amy = &totals["staff:amy"];
    assert_eq!(
        (amy.cases, amy.pay_share_percent, amy.loss_cents),
        (2, 10, 25_800)
    );
    assert_eq!(totals["department:logistics"].amount_cents, 10_000);
    assert_eq!(totals["staff:bob"].warnings, 2);
}

#[test]
fn every_wrong_field_is_named() {
    let errors = request(json!({
        "loss_cents": -1,
        "parties": [
            {"staff": "nobody", "penalty": {"kind": "pay_share", "percent": 0}, "reason": "x"},
            {"staff": "amy", "department": "logistics", "penalty": {"kind": "warning"}, "reason": "x"},
            {"department": "finance", "penalty": {"kind": "amount", "cents": 0}, "reason": " "},
            {"staff": "amy", "penalty": {"kind": "warning"}, "reason": "a"},
            {"staff": "amy", "penalty": {"kind": "warning"}, "reason": "b"}
        ]
    }))
    .check(&Shop)
    .unwrap_err();
    let f = fields(errors);
    for want in [
        "loss_cents",
        "parties[0].staff",
        "parties[0].penalty.percent",
        "parties[1].staff",
        "parties[2].department",
        "parties[2].penalty.cents",
        "parties[2].reason",
        "parties[4].staff",
    ] {
        assert!(f.contains(&want.to_string()), "{want} in {f:?}");
    }
    let none = request(json!({"loss_cents": 0, "parties": []})).check(&Shop);
    assert_eq!(fields(none.unwrap_err()), ["parties"]);
}

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 1, h, m, 0).unwrap()
}

fn assign(user: &str) -> Entry {
    Entry::Changed {
        change: Change::Assign {
            user: user.into(),
            previous: None,
        },
        moved: None,
    }
}

fn breach(clock: SlaClock, deadline: DateTime<Utc>) -> Entry {
    Entry::Timer {
        kind: TimerKind::Breach,
        fired: TimerFired {
            clock,
            deadline,
            escalated_to: None,
            reminder: None,
            overdue_minutes: None,
        },
    }
}

#[test]
fn a_missed_deadline_is_laid_on_whoever_held_the_case_when_it_passed() {
    let logistics = DepartmentCode::parse("logistics").unwrap();
    let history = vec![
        (at(9, 0), assign("amy")),
        (
            at(9, 30),
            Entry::Changed {
                change: Change::Route {
                    department: logistics.clone(),
                    previous: None,
                    as_suggested: true,
                },
                moved: None,
            },
        ),
        (at(10, 0), assign("")),
        // The first-response deadline passed at 9:45, while amy held it; the breach is
        // written later, after the case went to the department.
        (at(10, 5), breach(SlaClock::FirstResponse, at(9, 45))),
        (at(12, 0), assign("bob")),
        (at(18, 1), breach(SlaClock::Resolution, at(11, 0))),
        (at(19, 0), breach(SlaClock::Step, at(18, 0))),
    ];
    let d = delays(&history);
    assert_eq!(
        d.iter().map(|d| d.holder.clone()).collect::<Vec<_>>(),
        [
            Holder::Staff("amy".into()),
            Holder::Department(logistics),
            Holder::Staff("bob".into())
        ]
    );
    assert_eq!(
        delays(&[(at(8, 0), breach(SlaClock::FirstResponse, at(8, 0)))])[0].holder,
        Holder::Desk
    );
    let mut totals = std::collections::BTreeMap::new();
    add_delays(&mut totals, &d);
    assert_eq!(totals["staff:amy"].delays, 1);
    assert_eq!(totals["department:logistics"].delays, 1);
}
