//! Business calendars for deadlines: working hours per weekday, public holidays and the
//! make-up working days China moves around them (调休), in the shop's time zone; the default
//! is 24×7. And the SLA clock, which stops while a case waits on the customer.

use crate::error::{FieldError, Problem};
use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// Working hours of one day, local time, `[start, end)` in minutes after midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Window {
    pub start_minute: u32,
    pub end_minute: u32,
}

/// When work happens. `week` is Monday first; `None` means the whole week round the clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Calendar {
    /// Working windows Monday..Sunday; `None`: 24×7.
    #[serde(default)]
    pub week: Option<[Option<Window>; 7]>,
    /// Days off although their weekday works (public holidays).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub holidays: BTreeSet<NaiveDate>,
    /// Days worked although their weekday is off (调休), with Monday's hours.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub extra_workdays: BTreeSet<NaiveDate>,
}

/// Far enough to find the end of any real budget; a calendar without working time stops here.
const MAX_DAYS: i64 = 3660;

impl Calendar {
    /// Monday to Friday, `start`–`end` o'clock.
    pub fn office_hours(start_hour: u32, end_hour: u32) -> Calendar {
        let w = Some(Window {
            start_minute: start_hour * 60,
            end_minute: end_hour * 60,
        });
        Calendar {
            week: Some([w, w, w, w, w, None, None]),
            ..Calendar::default()
        }
    }

    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(week) = &self.week {
            for (i, w) in week.iter().enumerate() {
                if let Some(w) = w {
                    if w.start_minute >= w.end_minute || w.end_minute > 24 * 60 {
                        errors.push(FieldError::explained(
                            &format!("calendar.week[{i}]"),
                            Problem::Before {
                                other: "start".into(),
                            },
                            "start must come before end, within the day",
                        ));
                    }
                }
            }
            if week.iter().all(Option::is_none) && self.extra_workdays.is_empty() {
                errors.push(FieldError::explained(
                    "calendar.week",
                    Problem::Required,
                    "at least one day must have working hours",
                ));
            }
            if self.extra_workdays.iter().any(|_| week[0].is_none()) {
                errors.push(FieldError::explained(
                    "calendar.extra_workdays",
                    Problem::Required,
                    "make-up days take Monday's hours: give Monday working hours",
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The working window of a local date, if it is a working day.
    fn window(&self, date: NaiveDate) -> Option<Window> {
        let week = self.week.as_ref()?;
        if self.extra_workdays.contains(&date) {
            return week[0];
        }
        if self.holidays.contains(&date) {
            return None;
        }
        week[date.weekday().num_days_from_monday() as usize]
    }

    /// The working interval of a local date in UTC, if any.
    fn interval<Z: TimeZone>(
        &self,
        zone: &Z,
        date: NaiveDate,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let w = self.window(date)?;
        let at = |minute: u32| -> Option<DateTime<Utc>> {
            let (d, m) = if minute == 24 * 60 {
                (date.succ_opt()?, 0)
            } else {
                (date, minute)
            };
            let t = NaiveTime::from_hms_opt(m / 60, m % 60, 0)?;
            zone.from_local_datetime(&d.and_time(t))
                .earliest()
                .map(|x| x.with_timezone(&Utc))
        };
        Some((at(w.start_minute)?, at(w.end_minute)?))
    }

    /// Working time in `[from, to)`.
    pub fn working_between<Z: TimeZone>(
        &self,
        zone: &Z,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        if self.week.is_none() {
            return to - from;
        }
        let mut total = Duration::zero();
        let mut date = from.with_timezone(zone).date_naive() - Duration::days(1);
        let last = to.with_timezone(zone).date_naive();
        while date <= last {
            if let Some((s, e)) = self.interval(zone, date) {
                let (s, e) = (s.max(from), e.min(to));
                if e > s {
                    total += e - s;
                }
            }
            date = match date.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        total
    }

    /// The moment `budget` of working time after `start`; `None` if the calendar has no
    /// working time within ten years.
    pub fn add_working<Z: TimeZone>(
        &self,
        zone: &Z,
        start: DateTime<Utc>,
        budget: Duration,
    ) -> Option<DateTime<Utc>> {
        if self.week.is_none() || budget <= Duration::zero() {
            return Some(start + budget.max(Duration::zero()));
        }
        let mut left = budget;
        let mut date = start.with_timezone(zone).date_naive() - Duration::days(1);
        for _ in 0..MAX_DAYS {
            if let Some((s, e)) = self.interval(zone, date) {
                let s = s.max(start);
                if e > s {
                    if left <= e - s {
                        return Some(s + left);
                    }
                    left -= e - s;
                }
            }
            date = date.succ_opt()?;
        }
        None
    }
}

/// A span when the case waited on the customer; `until: None` while it still waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pause {
    pub from: DateTime<Utc>,
    pub until: Option<DateTime<Utc>>,
}

/// When `budget` of working time runs out for a clock started at `start`, not counting the
/// pauses. `None` while the clock is stopped (a pause without end) or never runs out.
pub fn deadline<Z: TimeZone>(
    calendar: &Calendar,
    zone: &Z,
    start: DateTime<Utc>,
    budget: Duration,
    pauses: &[Pause],
) -> Option<DateTime<Utc>> {
    let mut pauses: Vec<Pause> = pauses.to_vec();
    pauses.sort_by_key(|p| p.from);
    let mut cursor = start;
    let mut left = budget;
    for p in pauses {
        let until = p.until;
        if until.is_some_and(|u| u <= cursor) {
            continue;
        }
        let before = calendar.working_between(zone, cursor, p.from.max(cursor));
        if left <= before {
            return calendar.add_working(zone, cursor, left);
        }
        left -= before;
        cursor = until?.max(cursor);
    }
    calendar.add_working(zone, cursor, left)
}

/// How much of the budget is used at `now` (0.0–1.0 and beyond), for warnings at 75 %.
pub fn used_share<Z: TimeZone>(
    calendar: &Calendar,
    zone: &Z,
    start: DateTime<Utc>,
    budget: Duration,
    pauses: &[Pause],
    now: DateTime<Utc>,
) -> (i64, i64) {
    let mut used = calendar.working_between(zone, start, now);
    for p in pauses {
        let from = p.from.max(start);
        let until = p.until.unwrap_or(now).min(now);
        used -= calendar.working_between(zone, from, until);
    }
    (used.num_seconds().max(0), budget.num_seconds())
}

impl std::fmt::Display for Window {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:02}:{:02}–{:02}:{:02}",
            self.start_minute / 60,
            self.start_minute % 60,
            self.end_minute / 60,
            self.end_minute % 60
        )
    }
}

#[cfg(test)]
#[path = "calendar_tests.rs"]
mod tests;
