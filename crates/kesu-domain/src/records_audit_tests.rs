//! The sample is reproducible and fair to order; the checklist passes a case handled by the
//! book and names what is missing from one that was not.

use super::*;
use crate::case::ResolutionOption;
use crate::codes::{DepartmentCode, Liability, ResolutionKind, RootCause};
use crate::command::Command;
use crate::lifecycle::{decide, evolve};
use crate::registration::RegistrationForm;
use crate::role::{Actor, Role};
use crate::Policy;
use chrono::Duration;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn agent() -> Actor {
    Actor::staff("amy", Role::Agent, None)
}

fn warehouse() -> Actor {
    Actor::staff(
        "wu",
        Role::Department,
        DepartmentCode::parse("logistics").ok(),
    )
}

type History = Vec<(i64, DateTime<Utc>, Entry)>;

/// Walks `commands` from a new case, an hour apart, keeping the history as kesu writes it.
fn walk(commands: Vec<(Actor, Command)>) -> (Case, History) {
    let form: RegistrationForm = serde_json::from_value(serde_json::json!({
        "channel": "chat", "complainant": {"name": "王小明", "phone": "13812345678"},
        "category": "damaged", "demand": "reship", "description": "杯子碎了"
    }))
    .unwrap();
    let mut case = form
        .parse(t0())
        .unwrap()
        .into_case(1, 1, &agent(), t0(), &Policy::default());
    let registered = Entry::Registered(crate::history::Registered {
        number: case.number.clone(),
        channel: case.channel,
        category: case.category,
        demand: case.demand,
        order_no: None,
        tracking_no: None,
        received_at: case.received_at,
        suggested_department: None,
        priority: case.priority,
        referral: None,
    });
    let mut history = vec![(1, t0(), registered)];
    for (i, (actor, cmd)) in commands.into_iter().enumerate() {
        let at = t0() + Duration::hours(i as i64 + 1);
        let event = decide(&case, &actor, &cmd, case.version, at, &Policy::default())
            .unwrap_or_else(|r| panic!("{cmd:?}: {r}"));
        case = evolve(&case, &event);
        history.push((history.len() as i64 + 1, at, event.entry()));
    }
    (case, history)
}

fn by_the_book() -> (Case, History) {
    walk(vec![
        (
            agent(),
            Command::Judge {
                valid: true,
                reason: None,
            },
        ),
        (
            agent(),
            Command::Route {
                department: DepartmentCode::parse("logistics").unwrap(),
            },
        ),
        (
            warehouse(),
            Command::Analyse {
                liability: Liability::Carrier,
                root_cause: RootCause::Carrier,
                findings: "外包装破损".into(),
            },
        ),
        (
            agent(),
            Command::Propose {
                options: vec![ResolutionOption {
                    kind: ResolutionKind::Reship,
                    amount_cents: None,
                    note: None,
                    lines: Vec::new(),
                    include_shipping: false,
                    goodwill: Vec::new(),
                }],
            },
        ),
        (Actor::Customer, Command::Choose { option: 0 }),
        (
            warehouse(),
            Command::Execute {
                note: "已补发".into(),
            },
        ),
        (
            agent(),
            Command::FollowUp {
                satisfied: true,
                rating: Some(5),
                comment: None,
                way: None,
            },
        ),
        (
            agent(),
            Command::Close {
                summary: "补发解决".into(),
                lessons: None,
            },
        ),
    ])
}

fn problems(findings: &[Finding], item: Item) -> Vec<String> {
    findings
        .iter()
        .find(|f| f.item == item)
        .unwrap()
        .problems
        .clone()
}

#[test]
fn a_case_handled_by_the_book_passes_every_item() {
    let (case, history) = by_the_book();
    assert_eq!(case.status, CaseStatus::Closed);
    let findings = check(&case, &history);
    assert_eq!(findings.len(), Item::ALL.len());
    assert!(findings.iter().all(Finding::holds), "{findings:?}");
}

#[test]
fn a_complaint_found_invalid_needs_its_reason_and_nothing_more() {
    let (case, history) = walk(vec![(
        agent(),
        Command::Judge {
            valid: false,
            reason: Some("已超过退货期限".into()),
        },
    )]);
    assert_eq!(case.status, CaseStatus::Closed);
    assert!(check(&case, &history).iter().all(Finding::holds));
}

#[test]
fn what_is_missing_is_named() {
    let (mut case, history) = by_the_book();
    case.follow_up = None;
    case.analysis = None;
    let findings = check(&case, &history);
    assert_eq!(
        problems(&findings, Item::FieldsComplete),
        ["analysis", "follow_up"]
    );
    assert_eq!(
        problems(&findings, Item::CustomerConfirmed),
        ["no_follow_up"]
    );
    assert!(problems(&findings, Item::HistoryConsistent).is_empty());
}

#[test]
fn a_history_with_a_hole_a_jump_or_a_wrong_end_is_not_consistent() {
    let (case, mut history) = by_the_book();
    history.remove(3);
    let p = problems(&check(&case, &history), Item::HistoryConsistent);
    assert!(p.contains(&"gap_before_5".to_owned()), "{p:?}");
    assert!(p.contains(&"jump_at_5".to_owned()), "{p:?}");
    let (mut open, history) = by_the_book();
    open.status = CaseStatus::Executed;
    let p = problems(&check(&open, &history), Item::HistoryConsistent);
    assert_eq!(p, ["ends_elsewhere"]);
}

#[test]
fn a_case_closed_after_its_deadline_is_late() {
    let (mut case, history) = by_the_book();
    case.deadlines.resolve_by = Some(t0() + Duration::hours(2));
    assert_eq!(
        problems(&check(&case, &history), Item::DeadlineMet),
        ["late"]
    );
}

#[test]
fn the_draw_is_reproducible_and_does_not_depend_on_order() {
    let ids: Vec<i64> = (1..=500).collect();
    let a = draw(&ids, 20, 7);
    assert_eq!(a.len(), 20);
    let mut reversed = ids.clone();
    reversed.reverse();
    assert_eq!(draw(&reversed, 20, 7), a);
    assert_ne!(draw(&ids, 20, 8), a, "another seed, another sample");
    assert_eq!(draw(&ids[..5], 20, 7), ids[..5], "never more than there is");
    // Every case has its chance: over many seeds each id is drawn about as often.
    let mut counts = vec![0u32; 50];
    for seed in 0..2000 {
        for id in draw(&ids[..50], 5, seed) {
            counts[(id - 1) as usize] += 1;
        }
    }
    // 2000 draws of 5 from 50: 200 each on average.
    assert!(
        counts.iter().all(|&c| (140..=260).contains(&c)),
        "{counts:?}"
    );
}
