//! Report figures checked against ones computed by hand on a small fixture: cases on both
//! sides of local midnight, a reopened case, missed and met clocks, repeat complainants.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::*;
use crate::case::{Outcome, ResolutionOption};
use crate::codes::{Category, Channel, DepartmentCode, Liability, ResolutionKind, RootCause};
use crate::registration::RegistrationForm;
use crate::role::{Actor, Role};
use crate::{decide, evolve, CaseStatus, Command, Policy};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A case received at `received`, answered after `respond_min` minutes (due after 60).
fn facts(id: i64, received: &str, channel: Channel, category: Category) -> CaseFacts {
    let r = at(received);
    CaseFacts {
        first_response_due: Some(r + Duration::minutes(60)),
        resolve_due: Some(r + Duration::hours(48)),
        ..CaseFacts::sample(id, r, channel, category)
    }
}

fn fixture() -> FactTable {
    let mut a = facts(
        1,
        "2026-10-31T16:30:00Z",
        Channel::Chat,
        Category::Logistics,
    );
    a.first_response_at = Some(a.received_at + Duration::minutes(30));
    a.resolved_at = Some(a.received_at + Duration::hours(20));
    a.outcome = Some(Outcome::Resolved);
    a.satisfied = Some(true);
    a.rating = Some(5);
    a.refunds_cents = 1000;
    a.claims_recovered_cents = 500;
    a.complainant_key = 1;
    a.department = Some("logistics".into());
    a.carrier = Some("yto".into());
    a.assignee = Some("amy".into());
    a.root_cause = Some(RootCause::Carrier);
    a.liability = Some(Liability::Carrier);

    // 23:30 on 31 October in Shanghai: the month before.
    let mut b = facts(2, "2026-10-31T15:30:00Z", Channel::Chat, Category::Damaged);
    b.complainant_key = 1;

    // 23:59 on 30 November in Shanghai: still November.
    let mut c = facts(3, "2026-11-30T15:59:00Z", Channel::Phone, Category::Damaged);
    c.status = CaseStatus::Approved;
    c.first_response_at = Some(c.received_at + Duration::minutes(90));
    c.compensation_cents = 3000;
    c.complainant_key = 1;
    c.department = Some("logistics".into());
    c.assignee = Some("amy".into());
    c.root_cause = Some(RootCause::Carrier);
    c.liability = Some(Liability::Carrier);

    // Midnight of 1 December in Shanghai: not November.
    let d = facts(
        4,
        "2026-11-30T16:00:00Z",
        Channel::Chat,
        Category::Logistics,
    );

    // Reopened once (unsatisfied first), resolved late.
    let mut e = facts(5, "2026-11-10T02:00:00Z", Channel::Email, Category::Quality);
    e.first_response_at = Some(e.received_at + Duration::minutes(10));
    e.resolve_due = Some(e.received_at + Duration::hours(72));
    e.resolved_at = Some(e.received_at + Duration::hours(100));
    e.outcome = Some(Outcome::Resolved);
    e.renegotiations = 1;
    e.satisfied = Some(true);
    e.rating = Some(3);
    e.department = Some("quality".into());
    e.assignee = Some("bo".into());
    e.root_cause = Some(RootCause::Product);
    e.liability = Some(Liability::Supplier);

    // Not valid: answered and closed at once.
    let mut f = facts(
        6,
        "2026-11-15T02:00:00Z",
        Channel::Chat,
        Category::Logistics,
    );
    f.first_response_at = Some(f.received_at + Duration::minutes(5));
    f.outcome = Some(Outcome::Invalid);
    f.closed_at = f.first_response_at;

    // Unsatisfied at follow-up, back in negotiation, past its resolution deadline.
    let mut g = facts(
        7,
        "2026-11-20T02:00:00Z",
        Channel::Chat,
        Category::Logistics,
    );
    g.status = CaseStatus::Analysed;
    g.first_response_at = Some(g.received_at + Duration::minutes(20));
    g.renegotiations = 1;
    g.satisfied = Some(false);
    g.rating = Some(2);

    let mut table = FactTable::new();
    for x in [a, b, c, d, e, f, g] {
        table.upsert(&x);
    }
    table
}

fn november(filter: ReportFilter) -> ReportQuery {
    ReportQuery {
        period: Period {
            from: day("2026-11-01"),
            to: day("2026-11-30"),
            zone: chrono_tz::Asia::Shanghai,
        },
        filter,
        now: at("2026-12-01T02:00:00Z"),
    }
}

fn thousand_orders(_: NaiveDate, _: NaiveDate) -> Option<i64> {
    Some(1000)
}

#[test]
fn the_summary_matches_the_figures_worked_out_by_hand() {
    let s = fixture().summary(&november(ReportFilter::default()), &thousand_orders);
    assert_eq!(
        s.cases, 5,
        "A, C, E, F, G: B and D fall on the other side of Shanghai midnight"
    );
    assert_eq!((s.open, s.closed, s.invalid), (2, 3, 1));
    assert_eq!(s.by_channel["chat"], 3);
    assert_eq!(s.by_channel["phone"], 1);
    assert_eq!(s.by_channel["email"], 1);
    assert_eq!(s.by_channel["app"], 0);
    assert_eq!(s.by_category["logistics"], 3);
    assert_eq!(s.by_category["damaged"], 1);
    assert_eq!(s.by_category["quality"], 1);
    // 5, 10, 20, 30, 90 minutes.
    assert_eq!(s.first_response_minutes.median, Some(20.0));
    assert_eq!(s.first_response_minutes.p90, Some(66.0));
    // 20 and 100 hours.
    assert_eq!(s.resolution_hours.median, Some(60.0));
    assert_eq!(s.resolution_hours.p90, Some(92.0));
    // A and F met every clock; C answered late, E resolved late, G is past its deadline.
    assert_eq!(s.sla_cases, 5);
    assert_eq!(s.sla_compliance, Some(0.4));
    assert_eq!(s.satisfaction.rated, 3);
    assert_eq!(s.satisfaction.average, Some(3.33));
    assert_eq!(s.satisfaction.followed_up, 3);
    assert_eq!(s.satisfaction.satisfied_share, Some(0.6667));
    assert_eq!(s.satisfaction.ratings, [0, 1, 1, 0, 1]);
    assert_eq!((s.reopened, s.reopen_rate), (2, Some(0.4)));
    assert_eq!(s.refunds_cents, 1000);
    assert_eq!(s.compensation_cents, 3000);
    assert_eq!(s.claims_recovered_cents, 500);
    assert_eq!(s.complaints_per_1000_orders, Some(5.0));
    assert_eq!(s.repeat.complainants, 4);
    assert_eq!(s.repeat.repeat_complainants, 1);
    assert_eq!(s.repeat.repeat_cases, 2);
    assert_eq!(s.repeat.repeat_share, Some(0.4));
}

#[test]
fn the_dashboard_breaks_the_period_down_and_compares_with_the_one_before() {
    let r = fixture().report(&november(ReportFilter::default()), &thousand_orders);
    assert_eq!(r.bucket, Bucket::Day);
    assert_eq!(r.timeline.len(), 30);
    let per_day: Vec<(String, u64)> = r
        .timeline
        .iter()
        .filter(|p| p.cases > 0)
        .map(|p| (p.start.to_string(), p.cases))
        .collect();
    let expected: Vec<(String, u64)> = [
        ("2026-11-01", 1),
        ("2026-11-10", 1),
        ("2026-11-15", 1),
        ("2026-11-20", 1),
        ("2026-11-30", 1),
    ]
    .iter()
    .map(|(d, n)| (d.to_string(), *n))
    .collect();
    assert_eq!(per_day, expected);
    assert_eq!(r.previous.from, day("2026-10-02"));
    assert_eq!(r.previous.to, day("2026-10-31"));
    assert_eq!(r.previous.cases, 1, "B, late on 31 October");
    let causes: Vec<(&str, u64, f64, f64)> = r
        .root_causes
        .iter()
        .map(|p| (p.key.as_str(), p.cases, p.share, p.cumulative_share))
        .collect();
    assert_eq!(
        causes,
        [("carrier", 2, 0.6667, 0.6667), ("product", 1, 0.3333, 1.0)]
    );
    assert_eq!(r.liability[0].key, "carrier");
    let depts: Vec<(&str, u64)> = r
        .by_department
        .iter()
        .map(|c| (c.key.as_str(), c.cases))
        .collect();
    assert_eq!(depts, [("logistics", 2), ("quality", 1)]);
    assert_eq!(r.by_carrier[0].key, "yto");
    let amy = &r.agents[0];
    assert_eq!(
        (amy.key.as_str(), amy.cases, amy.open, amy.closed),
        ("amy", 2, 1, 1)
    );
    assert_eq!(amy.resolution_hours.median, Some(20.0));
}

#[test]
fn filters_narrow_every_figure_and_an_unknown_name_matches_nothing() {
    let t = fixture();
    let logistics = t.summary(
        &november(ReportFilter {
            department: Some("logistics".into()),
            ..Default::default()
        }),
        &|_, _| None,
    );
    assert_eq!(logistics.cases, 2);
    assert_eq!(logistics.compensation_cents, 3000);
    assert_eq!(logistics.complaints_per_1000_orders, None);
    let chat_logistics = t.summary(
        &november(ReportFilter {
            channel: Some(Channel::Chat),
            category: Some(Category::Logistics),
            ..Default::default()
        }),
        &|_, _| None,
    );
    assert_eq!(chat_logistics.cases, 3);
    let nobody = t.summary(
        &november(ReportFilter {
            carrier: Some("no-such-carrier".into()),
            ..Default::default()
        }),
        &|_, _| None,
    );
    assert_eq!(nobody.cases, 0);
    assert_eq!(nobody.sla_compliance, None);
    assert_eq!(nobody.first_response_minutes.median, None);
}

#[test]
fn the_same_instant_falls_in_another_day_in_another_zone() {
    let mut q = november(ReportFilter::default());
    q.period.zone = chrono_tz::UTC;
    // In UTC, B (15:30 on 31 October) is still October and D (16:00 on 30 November) is
    // November; A (16:30 on 31 October) is October.
    let s = fixture().summary(&q, &|_, _| None);
    assert_eq!(s.cases, 5, "C, D, E, F, G");
    assert_eq!(s.by_category["logistics"], 3, "D, F, G");
}

#[test]
fn long_periods_are_cut_in_weeks_or_months() {
    let zone = chrono_tz::Asia::Shanghai;
    let p = Period::parse(Some("2026-01-01"), Some("2026-12-31"), zone).unwrap();
    assert_eq!(p.bucket(), Bucket::Month);
    assert_eq!(p.bucket_starts().len(), 12);
    let p = Period::parse(Some("2026-09-01"), Some("2026-11-30"), zone).unwrap();
    assert_eq!(p.bucket(), Bucket::Week);
    // 1 September 2026 is a Tuesday: the first week starts there, the next on Monday 7th.
    assert_eq!(
        p.bucket_starts()[..2],
        [day("2026-09-01"), day("2026-09-07")]
    );
    assert!(Period::parse(Some("2026-12-01"), Some("2026-11-01"), zone).is_err());
    let errs = Period::parse(None, Some("11/01"), zone).unwrap_err();
    let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
    assert_eq!(fields, ["from", "to"]);
}

#[test]
fn replacing_and_removing_a_case_changes_the_figures() {
    let mut t = fixture();
    let mut g = facts(
        7,
        "2026-11-20T02:00:00Z",
        Channel::Chat,
        Category::Logistics,
    );
    g.status = CaseStatus::Closed;
    t.upsert(&g);
    t.remove(6);
    let s = t.summary(&november(ReportFilter::default()), &|_, _| None);
    assert_eq!(s.cases, 4);
    assert_eq!(s.reopened, 1, "only E now");
    assert_eq!(t.len(), 6);
    assert!(!t.contains(6));
}

fn staff(name: &str, role: Role, dept: Option<&str>) -> Actor {
    Actor::staff(name, role, dept.map(|d| DepartmentCode::parse(d).unwrap()))
}

#[test]
fn a_reopened_case_counts_its_last_follow_up_and_the_money_it_carried_out() {
    let t0 = at("2026-11-10T02:00:00Z");
    let policy = Policy::default();
    let form: RegistrationForm = serde_json::from_value(serde_json::json!({
        "channel": "chat", "complainant": {"name": "王小明", "phone": "13812345678"},
        "category": "quality", "demand": "refund", "description": "毛衣起球"
    }))
    .unwrap();
    let amy = staff("amy", Role::Agent, None);
    let qi = staff("qi", Role::Department, Some("quality"));
    let mut case = form.parse(t0).unwrap().into_case(1, 1, &amy, t0, &policy);
    let refund = |amount| Command::Propose {
        options: vec![ResolutionOption {
            kind: ResolutionKind::PartialRefund,
            amount_cents: Some(crate::money::Cents::new(amount)),
            note: None,
            lines: Vec::new(),
            include_shipping: false,
            goodwill: Vec::new(),
        }],
    };
    let steps: Vec<(i64, &Actor, Command)> = vec![
        (
            15,
            &amy,
            Command::Judge {
                valid: true,
                reason: None,
            },
        ),
        (
            20,
            &amy,
            Command::Route {
                department: DepartmentCode::parse("quality").unwrap(),
            },
        ),
        (
            120,
            &qi,
            Command::Analyse {
                liability: Liability::Supplier,
                root_cause: RootCause::Product,
                findings: "面料".into(),
            },
        ),
        (130, &amy, refund(1000)),
        (131, &amy, Command::Choose { option: 0 }),
        (
            140,
            &amy,
            Command::Execute {
                note: "已退10元".into(),
            },
        ),
        (
            600,
            &amy,
            Command::FollowUp {
                satisfied: false,
                rating: Some(2),
                comment: None,
                way: None,
            },
        ),
        (610, &amy, refund(2500)),
        (611, &amy, Command::Choose { option: 0 }),
        (
            620,
            &amy,
            Command::Execute {
                note: "再退25元".into(),
            },
        ),
        (
            900,
            &amy,
            Command::FollowUp {
                satisfied: true,
                rating: Some(4),
                comment: None,
                way: None,
            },
        ),
        (
            905,
            &amy,
            Command::Close {
                summary: "退款".into(),
                lessons: None,
            },
        ),
    ];
    for (minutes, actor, cmd) in steps {
        let now = t0 + Duration::minutes(minutes);
        let event = decide(&case, actor, &cmd, case.version, now, &policy)
            .unwrap_or_else(|r| panic!("{cmd:?}: {r}"));
        case = evolve(&case, &event);
    }
    let f = CaseFacts::of(&case, &FactContext::default());
    // The first word the customer saw: the offer (the judgement and route are internal).
    assert_eq!(f.first_response_at, Some(t0 + Duration::minutes(130)));
    assert_eq!(f.resolved_at, Some(t0 + Duration::minutes(900)));
    assert_eq!(f.renegotiations, 1);
    assert_eq!((f.satisfied, f.rating), (Some(true), Some(4)));
    assert_eq!(f.outcome, Some(Outcome::Resolved));
    assert_eq!(f.root_cause, Some(RootCause::Product));
    assert_eq!(f.department.as_deref(), Some("quality"));
    // Without the order in kesu only the option carried out last is known.
    assert_eq!((f.refunds_cents, f.compensation_cents), (2500, 0));
    // With refunds recorded on the order, those are the truth.
    let ctx = FactContext {
        refunded_cents: 3500,
        ..Default::default()
    };
    assert_eq!(CaseFacts::of(&case, &ctx).refunds_cents, 3500);
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    proptest! {
        /// However cases are added, replaced and removed, the table counts exactly the live
        /// cases received in the period, and the channel counts add up to them.
        #[test]
        fn the_table_counts_what_is_live(ops in proptest::collection::vec((0i64..40, 0i64..60, 0usize..7, any::<bool>()), 1..120)) {
            let mut table = FactTable::new();
            let mut live: BTreeMap<i64, (i64, usize)> = BTreeMap::new();
            for (id, day, channel, remove) in ops {
                if remove {
                    table.remove(id);
                    live.remove(&id);
                } else {
                    let mut f = facts(id, "2026-10-20T00:00:00Z", Channel::ALL[channel], Category::Other);
                    f.received_at += Duration::days(day);
                    table.upsert(&f);
                    live.insert(id, (day, channel));
                }
            }
            prop_assert_eq!(table.len(), live.len());
            let q = november(ReportFilter::default());
            let s = table.summary(&q, &|_, _| None);
            let (start, end) = q.period.bounds();
            let expected = live.values().filter(|(day, _)| {
                let t = at("2026-10-20T00:00:00Z") + Duration::days(*day);
                t >= start && t < end
            }).count() as u64;
            prop_assert_eq!(s.cases, expected);
            prop_assert_eq!(s.by_channel.values().sum::<u64>(), expected);
        }
    }
}

#[test]
fn a_case_closed_without_a_word_to_the_customer_missed_its_first_response() {
    let mut table = FactTable::new();
    // Judged, routed, resolved and closed in a day, but never answered.
    let mut silent = facts(1, "2026-11-10T02:00:00Z", Channel::Chat, Category::Damaged);
    silent.status = CaseStatus::Closed;
    silent.resolved_at = Some(silent.received_at + Duration::hours(20));
    silent.outcome = Some(Outcome::Resolved);
    // The same, answered within the hour.
    let mut answered = facts(2, "2026-11-10T03:00:00Z", Channel::Chat, Category::Damaged);
    answered.status = CaseStatus::Closed;
    answered.first_response_at = Some(answered.received_at + Duration::minutes(10));
    answered.resolved_at = Some(answered.received_at + Duration::hours(20));
    answered.outcome = Some(Outcome::Resolved);
    table.upsert(&silent);
    table.upsert(&answered);
    let s = table.summary(&november(ReportFilter::default()), &thousand_orders);
    assert_eq!(s.sla_cases, 2);
    assert_eq!(
        s.sla_compliance,
        Some(0.5),
        "the silent case missed its first response"
    );
}

#[test]
fn every_figures_cases_are_the_ones_its_number_counts() {
    let t = fixture();
    for filter in [
        ReportFilter::default(),
        ReportFilter {
            assignee: Some("amy".into()),
            ..Default::default()
        },
    ] {
        let q = november(filter);
        let s = t.summary(&q, &thousand_orders);
        let n = |f: Figure| t.drill(&q, f).len() as u64;
        assert_eq!(n(Figure::Cases), s.cases);
        assert_eq!(n(Figure::Open), s.open);
        assert_eq!(n(Figure::FollowedUp), s.satisfaction.followed_up);
        assert_eq!(n(Figure::Reopened), s.reopened);
        assert_eq!(n(Figure::WithDeadline), s.sla_cases);
        let met = s
            .sla_compliance
            .map_or(0.0, |c| c * s.sla_cases as f64)
            .round() as u64;
        assert_eq!(n(Figure::DeadlineMissed), s.sla_cases - met);
        let satisfied = s
            .satisfaction
            .satisfied_share
            .map_or(0.0, |c| c * s.satisfaction.followed_up as f64)
            .round() as u64;
        assert_eq!(
            n(Figure::Unsatisfied),
            s.satisfaction.followed_up - satisfied
        );
    }
    // November, everyone: g (7) went back to negotiation unsatisfied; e (5) too, then resolved.
    let q = november(ReportFilter::default());
    assert_eq!(t.drill(&q, Figure::Reopened), vec![5, 7]);
    assert_eq!(t.drill(&q, Figure::Unsatisfied), vec![7]);
}
