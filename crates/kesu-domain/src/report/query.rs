//! What a report is asked for: a period of shop-local days, filters, and the moment
//! "now" (open cases past their deadline count as missed).

use crate::error::{FieldError, Problem};
use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::codes::{Category, Channel};

/// Longest period one report covers.
pub const MAX_DAYS: i64 = 3 * 366;

/// Which cases count; every filter given must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportFilter {
    pub channel: Option<Channel>,
    pub category: Option<Category>,
    pub department: Option<String>,
    pub carrier: Option<String>,
    pub product: Option<String>,
    pub shop: Option<String>,
    pub assignee: Option<String>,
}

/// The days of a report, `from` and `to` included, in the shop's zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub zone: Tz,
}

/// How the timeline is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Bucket {
    Day,
    Week,
    Month,
}

impl Period {
    /// Parses `from`/`to` dates (`2026-11-01`); both are needed, `to` not before `from`.
    pub fn parse(
        from: Option<&str>,
        to: Option<&str>,
        zone: Tz,
    ) -> Result<Period, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut date = |field: &str, raw: Option<&str>| match raw.map(str::trim) {
            None | Some("") => {
                errors.push(FieldError::explained(
                    field,
                    Problem::Required,
                    "is required: a date such as 2026-11-01",
                ));
                None
            }
            Some(raw) => match crate::dates::parse_date(field, raw) {
                Ok(d) => Some(d),
                Err(_) => {
                    errors.push(FieldError::explained(
                        field,
                        Problem::NotADate,
                        format!("`{raw}` is not a date such as 2026-11-01"),
                    ));
                    None
                }
            },
        };
        let (from, to) = (date("from", from), date("to", to));
        let (Some(from), Some(to)) = (from, to) else {
            return Err(errors);
        };
        if to < from {
            return Err(vec![FieldError::new(
                "to",
                Problem::Before {
                    other: "from".into(),
                },
            )]);
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(vec![FieldError::explained(
                "to",
                Problem::TooMany { max: MAX_DAYS },
                format!("a report covers at most {MAX_DAYS} days"),
            )]);
        }
        Ok(Period { from, to, zone })
    }

    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The same number of days just before this period.
    pub fn previous(&self) -> Period {
        let days = Duration::days(self.days());
        Period {
            from: self.from - days,
            to: self.to - days,
            zone: self.zone,
        }
    }

    /// The UTC instants of local midnight at the start of `from` and after `to`.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            local_midnight(self.zone, self.from),
            local_midnight(self.zone, self.to + Duration::days(1)),
        )
    }

    pub fn bucket(&self) -> Bucket {
        match self.days() {
            ..=62 => Bucket::Day,
            63..=190 => Bucket::Week,
            _ => Bucket::Month,
        }
    }

    /// The first day of each timeline bucket, in order.
    pub fn bucket_starts(&self) -> Vec<NaiveDate> {
        let mut starts = Vec::new();
        let mut d = bucket_start(self.bucket(), self.from).max(self.from);
        while d <= self.to {
            starts.push(d);
            d = next_bucket(self.bucket(), d);
        }
        starts
    }
}

/// The first day of the bucket holding `d` (weeks begin on Monday).
pub fn bucket_start(bucket: Bucket, d: NaiveDate) -> NaiveDate {
    match bucket {
        Bucket::Day => d,
        Bucket::Week => d - Duration::days(i64::from(d.weekday().num_days_from_monday())),
        Bucket::Month => d.with_day(1).unwrap_or(d),
    }
}

fn next_bucket(bucket: Bucket, d: NaiveDate) -> NaiveDate {
    let start = bucket_start(bucket, d);
    match bucket {
        Bucket::Day => d + Duration::days(1),
        Bucket::Week => start + Duration::days(7),
        Bucket::Month => start
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(NaiveDate::MAX),
    }
}

/// Local midnight of `day` in `zone` as UTC (the earliest instant, should the day begin in
/// a clock change).
pub fn local_midnight(zone: Tz, day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    zone.from_local_datetime(&midnight)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&midnight))
}

/// The full request: period, filters and the moment the report is made.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub period: Period,
    pub filter: ReportFilter,
    pub now: DateTime<Utc>,
}
