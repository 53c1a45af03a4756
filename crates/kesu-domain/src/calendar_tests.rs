//! Calendars: hand-worked weekends and holidays, and properties of the working-time arithmetic.

use super::*;
use chrono_tz::Asia::Shanghai;
use proptest::prelude::*;

fn sh(s: &str) -> DateTime<Utc> {
    Shanghai
        .from_local_datetime(&chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn round_the_clock_is_plain_addition() {
    let c = Calendar::default();
    assert_eq!(
        c.add_working(&Shanghai, sh("2026-11-20 17:00"), Duration::hours(48)),
        Some(sh("2026-11-22 17:00"))
    );
}

#[test]
fn office_hours_skip_the_night_and_the_weekend() {
    let c = Calendar::office_hours(9, 18);
    // Friday 17:00 + 1 working hour = Friday 18:00; + 2 hours = Monday 10:00.
    assert_eq!(
        c.add_working(&Shanghai, sh("2026-11-20 17:00"), Duration::hours(1)),
        Some(sh("2026-11-20 18:00"))
    );
    assert_eq!(
        c.add_working(&Shanghai, sh("2026-11-20 17:00"), Duration::hours(2)),
        Some(sh("2026-11-23 10:00"))
    );
    // A complaint on Saturday night is answered from Monday 9:00.
    assert_eq!(
        c.add_working(&Shanghai, sh("2026-11-21 22:00"), Duration::hours(1)),
        Some(sh("2026-11-23 10:00"))
    );
    assert_eq!(
        c.working_between(&Shanghai, sh("2026-11-20 17:00"), sh("2026-11-23 10:00")),
        Duration::hours(2)
    );
}

#[test]
fn national_day_and_its_make_up_saturday() {
    // 2026: 1–7 October off; Saturday 10 October worked instead (调休).
    let mut c = Calendar::office_hours(9, 18);
    c.holidays = (1..=7).map(|d| day(&format!("2026-10-{d:02}"))).collect();
    c.extra_workdays = [day("2026-10-10")].into();
    // Wednesday 30 September 17:00, 48 working hours = 5 days and 3 hours of 9-hour days:
    // 30 Sep 1h, 8 Oct 9h, 9 Oct 9h, 10 Oct (Sat, worked) 9h, 12 Oct 9h, 13 Oct 9h = 46h,
    // and the last 2h on 14 October → 11:00.
    assert_eq!(
        c.add_working(&Shanghai, sh("2026-09-30 17:00"), Duration::hours(48)),
        Some(sh("2026-10-14 11:00"))
    );
}

#[test]
fn pausing_stops_the_clock_and_an_open_pause_has_no_deadline() {
    let c = Calendar::office_hours(9, 18);
    let start = sh("2026-11-23 09:00");
    // 8 working hours: Monday 17:00. Waiting on the customer from 10:00 to 14:00: 1 hour
    // before, 4 hours to 18:00 after, and the last 3 on Tuesday → 12:00.
    let pause = Pause {
        from: sh("2026-11-23 10:00"),
        until: Some(sh("2026-11-23 14:00")),
    };
    assert_eq!(
        deadline(&c, &Shanghai, start, Duration::hours(8), &[]),
        Some(sh("2026-11-23 17:00"))
    );
    assert_eq!(
        deadline(&c, &Shanghai, start, Duration::hours(8), &[pause]),
        Some(sh("2026-11-24 12:00"))
    );
    let waiting = Pause {
        from: sh("2026-11-23 10:00"),
        until: None,
    };
    assert_eq!(
        deadline(&c, &Shanghai, start, Duration::hours(8), &[waiting]),
        None
    );
    // A pause that starts after the deadline changes nothing.
    let late = Pause {
        from: sh("2026-11-24 10:00"),
        until: Some(sh("2026-11-25 10:00")),
    };
    assert_eq!(
        deadline(&c, &Shanghai, start, Duration::hours(8), &[late]),
        Some(sh("2026-11-23 17:00"))
    );
    assert_eq!(
        used_share(
            &c,
            &Shanghai,
            start,
            Duration::hours(8),
            &[pause],
            sh("2026-11-23 16:00")
        ),
        (3 * 3600, 8 * 3600)
    );
}

#[test]
fn calendars_without_working_time_are_refused() {
    let c = Calendar {
        week: Some([None; 7]),
        ..Calendar::default()
    };
    assert!(c.validate().is_err());
    let bad = Calendar {
        week: Some([
            Some(Window {
                start_minute: 600,
                end_minute: 540,
            }),
            None,
            None,
            None,
            None,
            None,
            None,
        ]),
        ..Calendar::default()
    };
    assert!(bad.validate().is_err());
    assert!(Calendar::office_hours(9, 18).validate().is_ok());
}

fn any_calendar() -> impl Strategy<Value = Calendar> {
    let window = prop::option::of((0u32..23, 1u32..10).prop_map(|(h, len)| Window {
        start_minute: h * 60,
        end_minute: ((h + len) * 60).min(1440),
    }));
    (
        prop::array::uniform7(window),
        prop::collection::btree_set(0i64..60, 0..8),
        any::<bool>(),
    )
        .prop_filter_map(
            "needs working time",
            |(mut week, holidays, round_the_clock)| {
                if round_the_clock {
                    return Some(Calendar::default());
                }
                if week.iter().all(Option::is_none) {
                    week[0] = Some(Window {
                        start_minute: 540,
                        end_minute: 1080,
                    });
                }
                let base = day("2026-11-01");
                Some(Calendar {
                    week: Some(week),
                    holidays: holidays
                        .into_iter()
                        .map(|d| base + Duration::days(d))
                        .collect(),
                    ..Calendar::default()
                })
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn the_working_time_to_a_deadline_is_the_budget(
        c in any_calendar(), start_min in 0i64..(60 * 24 * 40), budget_min in 0i64..(60 * 24 * 10)
    ) {
        let start = sh("2026-11-01 00:00") + Duration::minutes(start_min);
        let budget = Duration::minutes(budget_min);
        let end = c.add_working(&Shanghai, start, budget).unwrap();
        prop_assert!(end >= start);
        prop_assert_eq!(c.working_between(&Shanghai, start, end), budget);
    }

    #[test]
    fn more_budget_never_ends_sooner(c in any_calendar(), a in 0i64..5000, b in 0i64..5000) {
        let start = sh("2026-11-02 08:30");
        let (lo, hi) = (a.min(b), a.max(b));
        prop_assert!(c.add_working(&Shanghai, start, Duration::minutes(lo)) <= c.add_working(&Shanghai, start, Duration::minutes(hi)));
    }

    #[test]
    fn a_pause_never_brings_a_deadline_forward_and_delays_round_the_clock_by_its_length(
        c in any_calendar(), pause_at in 0i64..3000, pause_len in 0i64..3000, budget in 1i64..5000
    ) {
        let start = sh("2026-11-02 08:30");
        let budget = Duration::minutes(budget);
        let pause = Pause { from: start + Duration::minutes(pause_at), until: Some(start + Duration::minutes(pause_at + pause_len)) };
        let plain = deadline(&c, &Shanghai, start, budget, &[]).unwrap();
        let paused = deadline(&c, &Shanghai, start, budget, &[pause]).unwrap();
        prop_assert!(paused >= plain);
        if c.week.is_none() && pause.from < plain {
            prop_assert_eq!(paused, plain + Duration::minutes(pause_len));
        }
    }
}
