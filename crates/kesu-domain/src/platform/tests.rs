use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use serde_json::json;

use super::site::{stage_of, SitePush};
use super::*;
use crate::codes::{Category, Priority};
use crate::history::Entry;
use crate::policy::Policy;
use crate::role::{Actor, Role};
use crate::sla::{self, SlaClock, TimerKind};

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn push(extra: serde_json::Value) -> SitePush {
    let mut body = json!({
        "request_id": "RS-1001", "order_no": "SO-1", "kind": "refund_only",
        "status": "waiting_seller", "reason": "杯子碎了", "amount_cents": 2590,
        "buyer": {"name": "王小明", "phone": "13812345678"},
        "deadline": "2026-11-25T10:00:00+08:00", "images": ["https://img.example/a.jpg"],
        "updated_at": "2026-11-23T10:00:00+08:00"
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    serde_json::from_value(body).unwrap()
}

fn request(extra: serde_json::Value) -> Request {
    push(extra).parse("旗舰店").unwrap()
}

fn case_of(request: &Request, left: Option<Cents>) -> crate::case::Case {
    let now = t("2026-11-23T02:30:00Z");
    let policy = Policy::default();
    let actor = Actor::System {
        who: crate::history::SystemActor::PlatformConnector,
        acts_as: Role::Agent,
    };
    request
        .registration(Category::Damaged, left, now)
        .unwrap()
        .into_case(7, 1, &actor, now, &policy)
}

#[test]
fn a_site_push_becomes_a_request_with_kesus_stage() {
    let r = request(json!({}));
    assert_eq!(r.platform, Platform::Site);
    assert_eq!(r.shop, "旗舰店");
    assert_eq!(r.kind, AfterSaleKind::RefundOnly);
    assert_eq!(r.stage, Stage::AwaitingSeller);
    assert_eq!(r.amount, Some(Cents::new(2590)));
    assert_eq!(r.deadline, Some(t("2026-11-25T02:00:00Z")));
    assert_eq!(stage_of("BUYER_RETURNED"), Stage::Returned);
    assert_eq!(stage_of("platform_intervened"), Stage::Intervened);
    assert_eq!(stage_of("refunded"), Stage::Refunded);
    assert_eq!(stage_of("something_new"), Stage::Other);
}

#[test]
fn every_bad_field_of_a_push_is_named_at_once() {
    let bad = push(json!({
        "request_id": " ", "kind": "refund_all", "amount_cents": -5,
        "updated_at": "yesterday", "images": ["file:///etc/passwd"],
        "buyer": {"phone": "12"}
    }));
    let errors = bad.parse("旗舰店").unwrap_err();
    let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
    for f in [
        "request_id",
        "kind",
        "amount_cents",
        "updated_at",
        "images[0]",
        "buyer.phone",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

#[test]
fn a_new_request_opens_a_platform_case_with_the_platforms_deadline_as_its_hard_one() {
    let r = request(json!({}));
    let case = case_of(&r, Some(Cents::new(5000)));
    assert_eq!(case.channel, crate::codes::Channel::Platform);
    assert_eq!(case.demand, crate::codes::Demand::Refund);
    assert_eq!(case.deadlines.platform_by, Some(t("2026-11-25T02:00:00Z")));
    let link = case.platform.as_ref().unwrap();
    assert!(!link.amount_over_paid && !link.order_missing);
    // kesu's own deadline comes two hours ahead of the platform's, with a warning before it.
    let timers = sla::timers(&case, &Policy::default());
    let platform: Vec<_> = timers
        .iter()
        .filter(|t| t.clock == SlaClock::Platform)
        .collect();
    assert_eq!(platform.len(), 2);
    let breach = platform
        .iter()
        .find(|t| t.kind == TimerKind::Breach)
        .unwrap();
    assert_eq!(breach.due, t("2026-11-25T00:00:00Z"));
    assert!(platform[0].due < breach.due);
    assert_eq!(
        crate::countdown::running(&case)
            .iter()
            .find(|c| c.clock == SlaClock::Platform)
            .map(|c| c.due),
        Some(t("2026-11-25T02:00:00Z"))
    );
}

#[test]
fn more_than_is_left_to_refund_is_flagged_and_an_unknown_order_is_marked_missing() {
    let r = request(json!({"amount_cents": 9000}));
    assert!(
        case_of(&r, Some(Cents::new(5000)))
            .platform
            .unwrap()
            .amount_over_paid
    );
    let missing = case_of(&r, None).platform.unwrap();
    assert!(missing.order_missing && !missing.amount_over_paid);
}

#[test]
fn later_changes_apply_in_the_platforms_order_and_an_old_or_repeated_one_changes_nothing() {
    let policy = Policy::default();
    let now = t("2026-11-23T05:00:00Z");
    let case = case_of(&request(json!({})), Some(Cents::new(5000)));
    let intervened = request(json!({
        "status": "intervened", "updated_at": "2026-11-23T12:00:00+08:00",
        "evidence_asked": "开箱视频", "evidence_by": "2026-11-24T12:00:00+08:00"
    }));
    let (after, event) = apply(&case, &intervened, Some(Cents::new(5000)), &policy, now).unwrap();
    assert_eq!(after.version, case.version + 1);
    assert_eq!(after.priority, Priority::Urgent);
    assert_eq!(after.platform.as_ref().unwrap().stage, Stage::Intervened);
    // The evidence is due before the platform's own countdown: that is the deadline now.
    assert_eq!(after.deadlines.platform_by, Some(t("2026-11-24T04:00:00Z")));
    assert!(matches!(event.entry(), Entry::Changed { .. }));
    assert_eq!(event.action(), "platform");
    // The same change again, or one older than it, is nothing new.
    assert!(apply(&after, &intervened, None, &policy, now).is_none());
    assert!(apply(&after, &request(json!({})), None, &policy, now).is_none());
    // Refunded: the platform's countdown no longer runs.
    let refunded =
        request(json!({"status": "refunded", "updated_at": "2026-11-23T13:00:00+08:00"}));
    let (done, _) = apply(&after, &refunded, None, &policy, now).unwrap();
    assert_eq!(done.deadlines.platform_by, None);
    assert!(sla::timers(&done, &policy)
        .iter()
        .all(|t| t.clock != SlaClock::Platform));
}

#[test]
fn a_case_from_elsewhere_takes_no_platform_change() {
    let case = crate::registration::sample_case();
    let r = request(json!({"updated_at": "2030-01-01T00:00:00Z"}));
    assert!(apply(
        &case,
        &r,
        None,
        &Policy::default(),
        t("2026-11-23T05:00:00Z")
    )
    .is_none());
}

const STATUSES: [&str; 5] = [
    "waiting_seller",
    "seller_agreed",
    "buyer_returned",
    "intervened",
    "refunded",
];

proptest! {
    /// Whatever order a platform's changes arrive in, and however often each comes, the case
    /// ends in the state of the newest.
    #[test]
    fn changes_in_any_order_end_in_the_newest_state(
        order in Just((0..STATUSES.len()).collect::<Vec<_>>()).prop_shuffle(),
        repeats in proptest::collection::vec(0..STATUSES.len(), 0..4),
    ) {
        let policy = Policy::default();
        let now = t("2026-11-23T05:00:00Z");
        let base = t("2026-11-23T02:00:00Z");
        let change = |i: usize| request(json!({
            "status": STATUSES[i],
            "updated_at": (base + Duration::minutes(10 * (i as i64 + 1))).to_rfc3339(),
        }));
        let mut case = case_of(&request(json!({"updated_at": base.to_rfc3339()})), None);
        for i in order.into_iter().chain(repeats) {
            if let Some((after, _)) = apply(&case, &change(i), None, &policy, now) {
                case = after;
            }
        }
        let link = case.platform.unwrap();
        prop_assert_eq!(link.status.as_str(), "refunded");
        prop_assert_eq!(link.stage, Stage::Refunded);
    }
}
