use chrono::{DateTime, Duration, NaiveDate, Utc};
use proptest::prelude::*;

use super::*;
use crate::calendar::Calendar;
use crate::command::Command;
use crate::lifecycle::{decide, evolve};
use crate::registration::RegistrationForm;
use crate::role::{Actor, Role};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn agent() -> Actor {
    Actor::staff("li", Role::Agent, None)
}

fn case_with(policy: &Policy, json: serde_json::Value, received: &str) -> Case {
    let mut base = serde_json::json!({
        "complainant": {"name": "王小明"}, "category": "damaged", "demand": "reship",
        "description": "杯子碎了", "received_at": received
    });
    for (k, v) in json.as_object().unwrap() {
        base[k] = v.clone();
    }
    let form: RegistrationForm = serde_json::from_value(base).unwrap();
    let now = at(received);
    form.parse(now)
        .unwrap()
        .into_case(1, 1, &agent(), now, policy)
}

fn act(case: &Case, cmd: Command, now: &str, policy: &Policy) -> Case {
    let event = decide(case, &agent(), &cmd, case.version, at(now), policy).unwrap();
    evolve(case, &event)
}

#[test]
fn platform_cases_are_answered_within_an_hour_and_resolved_within_48() {
    let p = Policy::default();
    let c = case_with(
        &p,
        serde_json::json!({"channel": "platform"}),
        "2026-11-23T10:00:00+08:00",
    );
    let t = c.received_at;
    assert_eq!(c.deadlines.first_response_by, Some(t + Duration::hours(1)));
    assert_eq!(c.deadlines.step_by, Some(t + Duration::hours(24)));
    assert_eq!(c.deadlines.resolve_by, Some(t + Duration::hours(48)));
}

#[test]
fn rules_by_channel_and_priority_override_the_base_most_specific_last() {
    let p = Policy::default();
    let email = targets(&p, Channel::Email, Category::Quality, Priority::Normal);
    assert_eq!(email.first_response, Duration::hours(4));
    assert_eq!(email.resolve, Some(Duration::hours(72)));
    // Priority weighs more than channel: an urgent e-mail follows the urgent rule.
    let urgent = targets(&p, Channel::Email, Category::Quality, Priority::Urgent);
    assert_eq!(urgent.first_response, Duration::minutes(15));
    assert_eq!(urgent.step, Duration::hours(4));
    assert_eq!(urgent.resolve, Some(Duration::hours(12)));
    // A category rule applies on top of the channel rule, for that category only.
    let mut p = Policy::default();
    p.deadlines.rules.push(SlaRule {
        category: Some(Category::Damaged),
        resolve_hours: Some(24),
        ..SlaRule::default()
    });
    let damaged = targets(&p, Channel::Email, Category::Damaged, Priority::Normal);
    assert_eq!(damaged.first_response, Duration::hours(4));
    assert_eq!(damaged.resolve, Some(Duration::hours(24)));
}

#[test]
fn consumer_association_cases_get_fifteen_calendar_days_from_filing_and_no_pause() {
    let p = Policy {
        calendar: Calendar::office_hours(9, 18),
        ..Policy::default()
    };
    let c = case_with(
        &p,
        serde_json::json!({"channel": "consumer_association", "referral": {
            "body": "杭州市西湖区消费者权益保护委员会", "jurisdiction": "county",
            "reference": "XH-2026-0153", "filed_at": "2026-11-20T09:00:00+08:00"}}),
        "2026-11-23T10:00:00+08:00",
    );
    let filed = at("2026-11-20T09:00:00+08:00");
    assert_eq!(c.deadlines.resolve_by, Some(filed + Duration::days(15)));
    let waiting = act(
        &c,
        Command::WaitCustomer {
            reason: "等待顾客提供购买凭证".into(),
        },
        "2026-11-23T11:00:00+08:00",
        &p,
    );
    assert_eq!(
        waiting.deadlines.resolve_by,
        Some(filed + Duration::days(15))
    );
    assert_eq!(waiting.deadlines.step_by, None, "the step clock stops");
}

/// Office hours Monday–Friday 9–18, National Day Thursday 1 and Friday 2 October off.
fn office_with_holiday() -> Policy {
    let mut calendar = Calendar::office_hours(9, 18);
    calendar.holidays = [
        NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 10, 2).unwrap(),
    ]
    .into_iter()
    .collect();
    let mut p = Policy {
        calendar,
        ..Policy::default()
    };
    p.deadlines.resolve_hours = 16;
    p
}

#[test]
fn business_hours_skip_a_holiday_and_a_weekend() {
    let p = office_with_holiday();
    // Wednesday 30 September 16:00: 2 h that day, the holiday and the weekend do not count,
    // 9 h Monday, 5 h Tuesday → Tuesday 6 October 14:00.
    let c = case_with(
        &p,
        serde_json::json!({"channel": "chat"}),
        "2026-09-30T16:00:00+08:00",
    );
    assert_eq!(
        c.deadlines.resolve_by,
        Some(at("2026-10-06T14:00:00+08:00"))
    );
    assert_eq!(
        c.deadlines.first_response_by,
        Some(at("2026-09-30T17:00:00+08:00"))
    );
}

#[test]
fn waiting_on_the_customer_stops_the_clock_and_moves_the_deadline() {
    let p = office_with_holiday();
    let c = case_with(
        &p,
        serde_json::json!({"channel": "chat"}),
        "2026-09-30T16:00:00+08:00",
    );
    // Monday 10:00 (3 working hours used) the agent asks for photos.
    let waiting = act(
        &c,
        Command::WaitCustomer {
            reason: "请顾客补充破损照片".into(),
        },
        "2026-10-05T10:00:00+08:00",
        &p,
    );
    assert!(waiting.is_paused());
    assert_eq!(
        waiting.deadlines.resolve_by, None,
        "no deadline while waiting"
    );
    assert_eq!(waiting.responded_at, Some(at("2026-10-05T10:00:00+08:00")));
    let names: Vec<_> = timers(&waiting, &p).iter().map(|t| t.key.clone()).collect();
    assert!(
        names.iter().all(|k| !k.starts_with("resolution")),
        "{names:?}"
    );
    // Monday 15:00 the photos arrive: 13 h remain → Monday 3 h, Tuesday 9 h, Wednesday 1 h.
    let resumed = act(
        &waiting,
        Command::Resume { note: None },
        "2026-10-05T15:00:00+08:00",
        &p,
    );
    assert!(!resumed.is_paused());
    assert_eq!(
        resumed.deadlines.resolve_by,
        Some(at("2026-10-07T10:00:00+08:00"))
    );
}

#[test]
fn timers_warn_at_three_quarters_then_breach_and_stop_once_answered() {
    let p = Policy::default();
    let c = case_with(
        &p,
        serde_json::json!({"channel": "platform"}),
        "2026-11-23T10:00:00+08:00",
    );
    let t = c.received_at;
    let ts = timers(&c, &p);
    let find = |key: &str| ts.iter().find(|x| x.key == key).map(|x| x.due);
    assert_eq!(
        find("first_response:warning"),
        Some(t + Duration::minutes(45))
    );
    assert_eq!(find("first_response:breach"), Some(t + Duration::hours(1)));
    assert_eq!(find("resolution:warning"), Some(t + Duration::hours(36)));
    assert_eq!(find("resolution:breach"), Some(t + Duration::hours(48)));
    let step_key = format!("step:registered@{}:breach", t.timestamp_millis());
    assert_eq!(find(&step_key), Some(t + Duration::hours(24)));

    let judged = act(
        &c,
        Command::Judge {
            valid: true,
            reason: None,
        },
        "2026-11-23T10:20:00+08:00",
        &p,
    );
    // A judgement is internal: the customer is still waiting for a word.
    let keys: Vec<_> = timers(&judged, &p).into_iter().map(|t| t.key).collect();
    assert!(
        keys.iter().any(|k| k.starts_with("first_response")),
        "{keys:?}"
    );
    let judged = act(
        &judged,
        Command::Comment {
            text: "亲，已收到您的照片，正在为您处理".into(),
            internal: false,
            override_check: false,
        },
        "2026-11-23T10:25:00+08:00",
        &p,
    );
    let keys: Vec<_> = timers(&judged, &p).into_iter().map(|t| t.key).collect();
    assert!(
        !keys.iter().any(|k| k.starts_with("first_response")),
        "{keys:?}"
    );
    let new_step = format!(
        "step:validated@{}:breach",
        at("2026-11-23T10:20:00+08:00").timestamp_millis()
    );
    assert!(keys.contains(&new_step), "{keys:?}");
    assert_eq!(
        running_clock_keys(&judged, &p),
        [
            format!(
                "step:validated@{}",
                at("2026-11-23T10:20:00+08:00").timestamp_millis()
            ),
            "resolution".to_owned()
        ]
    );
}

#[test]
fn reminders_repeat_in_working_time_and_a_late_worker_catches_up_once() {
    let p = office_with_holiday();
    let breach = Fired {
        timer: Timer {
            key: "resolution:breach".into(),
            clock_key: "resolution".into(),
            clock: SlaClock::Resolution,
            kind: TimerKind::Breach,
            due: at("2026-09-30T17:00:00+08:00"),
            deadline: at("2026-09-30T17:00:00+08:00"),
        },
        number: 0,
        fired_at: at("2026-09-30T17:00:30+08:00"),
    };
    // Two working hours after 17:00 Wednesday, across the holiday and weekend.
    let first = next_reminder(&p, &breach, breach.timer.deadline).unwrap();
    assert_eq!(first.key, "resolution:reminder:1");
    assert_eq!(first.due, at("2026-10-05T10:00:30+08:00"));
    // Fired late on Tuesday: the next comes two hours after that, not a backlog.
    let late = Fired {
        timer: first,
        number: 1,
        fired_at: at("2026-10-06T11:30:00+08:00"),
    };
    let second = next_reminder(&p, &late, breach.timer.deadline).unwrap();
    assert_eq!(second.key, "resolution:reminder:2");
    assert_eq!(second.due, at("2026-10-06T13:30:00+08:00"));
}

#[test]
fn pending_timers_follow_from_what_fired() {
    let p = Policy::default();
    let c = case_with(
        &p,
        serde_json::json!({"channel": "platform"}),
        "2026-11-23T10:00:00+08:00",
    );
    let t = c.received_at;
    assert_eq!(next_due(&c, &p, &[]), Some(t + Duration::minutes(45)));
    let fire = |key: &str, number: u32, late: i64| {
        let (timer, _) = pending(&c, &p, &[])
            .into_iter()
            .find(|(x, _)| x.key == key)
            .unwrap();
        Fired {
            fired_at: timer.due + Duration::minutes(late),
            timer,
            number,
        }
    };
    let warned = [fire("first_response:warning", 0, 0)];
    assert_eq!(next_due(&c, &p, &warned), Some(t + Duration::hours(1)));
    let breached = [warned[0].clone(), fire("first_response:breach", 0, 1)];
    let (next, number) = pending(&c, &p, &breached).into_iter().next().unwrap();
    assert_eq!(
        (next.key.as_str(), number, next.due),
        (
            "first_response:reminder:1",
            1,
            t + Duration::hours(1) + Duration::minutes(121)
        )
    );
}

#[test]
fn closed_cases_have_no_timers() {
    let p = Policy::default();
    let c = case_with(
        &p,
        serde_json::json!({"channel": "chat"}),
        "2026-11-23T10:00:00+08:00",
    );
    let closed = act(
        &c,
        Command::Judge {
            valid: false,
            reason: Some("已超过售后期".into()),
        },
        "2026-11-23T10:05:00+08:00",
        &p,
    );
    assert!(timers(&closed, &p).is_empty());
    assert_eq!(closed.deadlines.step_by, None);
}

proptest! {
    /// Waiting on the customer never brings the resolution deadline forward, and the
    /// deadline moves by at most the working time waited.
    #[test]
    fn a_pause_never_brings_the_deadline_forward(
        wait_after_min in 0i64..6000,
        wait_for_min in 1i64..6000,
    ) {
        let p = office_with_holiday();
        let c = case_with(&p, serde_json::json!({"channel": "chat"}), "2026-09-30T16:00:00+08:00");
        let before = c.deadlines.resolve_by.unwrap();
        let from = c.received_at + Duration::minutes(wait_after_min);
        let until = from + Duration::minutes(wait_for_min);
        let fmt = |t: DateTime<Utc>| t.to_rfc3339();
        let waiting = act(&c, Command::WaitCustomer { reason: "等待".into() }, &fmt(from), &p);
        let resumed = act(&waiting, Command::Resume { note: None }, &fmt(until), &p);
        let after = resumed.deadlines.resolve_by.unwrap();
        prop_assert!(after >= before);
        let zone = p.zone();
        // Budget used before the wait plus after it equals the budget, so the deadline
        // moves by the working time waited, if the wait began before the deadline.
        let waited = if from < before {
            p.calendar.working_between(&zone, from, until)
        } else {
            Duration::zero()
        };
        prop_assert_eq!(p.calendar.working_between(&zone, before, after), waited);
    }
}
