//! Dates and times as people type them into forms: `2026-12-01`, `2026-12-01 14:30` (also
//! with `/` or `.` between the parts, a `T` before the time, or seconds), read in the
//! shop's zone. The workbench shows them the same way, never as mm/dd/yyyy.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

use crate::error::{FieldError, Problem};

/// The date typed as `field`.
pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    date_of(raw.trim()).ok_or_else(|| FieldError::new(field, Problem::NotADate))
}

/// The moment typed as `field` in `zone`; a date alone is its first minute. A time that
/// does not exist in the zone (a skipped hour) is refused; an ambiguous one is the earlier.
pub fn parse_local_time(
    field: &str,
    raw: &str,
    zone: chrono_tz::Tz,
) -> Result<DateTime<Utc>, FieldError> {
    let refused = || FieldError::new(field, Problem::NotADate);
    let local = local_of(raw.trim()).ok_or_else(refused)?;
    zone.from_local_datetime(&local)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(refused)
}

/// A moment as forms show it and take it back: `2026-12-01 14:30` in `zone`.
pub fn format_local_time(t: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

fn date_of(s: &str) -> Option<NaiveDate> {
    let normal: String = s
        .chars()
        .map(|c| if matches!(c, '/' | '.') { '-' } else { c })
        .collect();
    NaiveDate::parse_from_str(&normal, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            (normal.len() == 8 && normal.chars().all(|c| c.is_ascii_digit()))
                .then(|| NaiveDate::parse_from_str(&normal, "%Y%m%d").ok())
                .flatten()
        })
        .filter(|d| (1970..=9999).contains(&chrono::Datelike::year(d)))
}

fn local_of(s: &str) -> Option<NaiveDateTime> {
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let date = date_of(date)?;
    let time = match time {
        None | Some("") => NaiveTime::MIN,
        Some(t) => NaiveTime::parse_from_str(t, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M:%S"))
            .ok()?,
    };
    Some(date.and_time(time))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono_tz::Asia::Shanghai;

    #[test]
    fn dates_are_read_as_people_type_them() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        for raw in ["2026-12-01", " 2026/12/01 ", "2026.12.1", "20261201"] {
            assert_eq!(parse_date("on", raw), Ok(d), "{raw}");
        }
        for raw in [
            "12/01/2026",
            "2026-13-01",
            "2026-02-30",
            "",
            "明天",
            "0001-01-01",
        ] {
            let e = parse_date("on", raw).unwrap_err();
            assert_eq!(
                (e.field.as_str(), e.problem),
                ("on", Problem::NotADate),
                "{raw}"
            );
        }
    }

    #[test]
    fn times_are_the_shops_local_time() {
        let t = parse_local_time("at", "2026-12-01 14:30", Shanghai).unwrap();
        assert_eq!(t.to_rfc3339(), "2026-12-01T06:30:00+00:00");
        for raw in ["2026-12-01T14:30", "2026/12/01 14:30:00"] {
            assert_eq!(parse_local_time("at", raw, Shanghai), Ok(t), "{raw}");
        }
        let midnight = parse_local_time("at", "2026-12-01", Shanghai).unwrap();
        assert_eq!(midnight.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(format_local_time(t, Shanghai), "2026-12-01 14:30");
        for raw in ["2026-12-01 25:00", "2026-12-01 2pm", "14:30"] {
            assert!(parse_local_time("at", raw, Shanghai).is_err(), "{raw}");
        }
    }

    #[test]
    fn a_skipped_hour_is_refused() {
        let berlin = chrono_tz::Europe::Berlin;
        assert!(parse_local_time("at", "2026-03-29 02:30", berlin).is_err());
        assert!(parse_local_time("at", "2026-10-25 02:30", berlin).is_ok());
    }
}
