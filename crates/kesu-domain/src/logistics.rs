//! Parcels in trouble before the customer notices (DOMAIN.md "Logistics problems"): what
//! counts as an exception, after how long, and what the playbook says to do about it.

use crate::error::{FieldError, Problem};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::Category;
use crate::tracking::{TrackingEvent, TrackingStatus};

/// The kinds of logistics exception kesu watches for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExceptionKind {
    /// Marked shipped but not picked up by the carrier (揽收超时).
    PickupTimeout,
    /// Marked shipped and no tracking at all.
    NoTracking,
    /// Moving, then no update for too long.
    Stalled,
    /// The carrier reports a problem (疑难件).
    CarrierException,
    Refused,
    Returned,
    Redirected,
    /// Signed for while the customer says it never arrived.
    SignedNotReceived,
    Damaged,
}

impl ExceptionKind {
    pub const ALL: &'static [ExceptionKind] = &[
        ExceptionKind::PickupTimeout,
        ExceptionKind::NoTracking,
        ExceptionKind::Stalled,
        ExceptionKind::CarrierException,
        ExceptionKind::Refused,
        ExceptionKind::Returned,
        ExceptionKind::Redirected,
        ExceptionKind::SignedNotReceived,
        ExceptionKind::Damaged,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ExceptionKind::PickupTimeout => "pickup_timeout",
            ExceptionKind::NoTracking => "no_tracking",
            ExceptionKind::Stalled => "stalled",
            ExceptionKind::CarrierException => "carrier_exception",
            ExceptionKind::Refused => "refused",
            ExceptionKind::Returned => "returned",
            ExceptionKind::Redirected => "redirected",
            ExceptionKind::SignedNotReceived => "signed_not_received",
            ExceptionKind::Damaged => "damaged",
        }
    }

    pub fn parse(code: &str) -> Option<ExceptionKind> {
        ExceptionKind::ALL
            .iter()
            .copied()
            .find(|k| k.code() == code)
    }

    /// The category of a case opened for it.
    pub fn category(self) -> Category {
        match self {
            ExceptionKind::Damaged => Category::Damaged,
            _ => Category::Logistics,
        }
    }

    /// Exceptions found by silence end when the parcel moves again.
    pub fn ends_with_news(self) -> bool {
        matches!(
            self,
            ExceptionKind::PickupTimeout | ExceptionKind::NoTracking | ExceptionKind::Stalled
        )
    }
}

/// How serious a finding is: a warning is shown on the board; an exception also opens or
/// flags a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Warning,
    Exception,
}

impl Level {
    pub fn code(self) -> &'static str {
        match self {
            Level::Warning => "warning",
            Level::Exception => "exception",
        }
    }

    pub fn parse(code: &str) -> Option<Level> {
        [Level::Warning, Level::Exception]
            .into_iter()
            .find(|l| l.code() == code)
    }
}

/// Thresholds of the exceptions found by time, in hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LogisticsPolicy {
    /// Not picked up this long after shipping: a warning (default 24).
    pub pickup_warning_hours: i64,
    /// Not picked up this long after shipping: an exception (default 48).
    pub pickup_exception_hours: i64,
    /// No tracking at all this long after shipping (default 48).
    pub no_tracking_hours: i64,
    /// No news this long while moving (default 72).
    pub stalled_hours: i64,
    /// Parcels shipped longer ago than this are not watched (old imports, default 30).
    pub watch_days: i64,
    /// How soon paid orders must ship, per shop, and how early to warn.
    #[serde(default)]
    pub shipping: crate::shipping_promise::ShippingPromises,
}

impl Default for LogisticsPolicy {
    fn default() -> Self {
        LogisticsPolicy {
            pickup_warning_hours: 24,
            pickup_exception_hours: 48,
            no_tracking_hours: 48,
            stalled_hours: 72,
            watch_days: 30,
            shipping: Default::default(),
        }
    }
}

impl LogisticsPolicy {
    pub fn validate(&self) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (name, v) in [
            ("pickup_warning_hours", self.pickup_warning_hours),
            ("pickup_exception_hours", self.pickup_exception_hours),
            ("no_tracking_hours", self.no_tracking_hours),
            ("stalled_hours", self.stalled_hours),
            ("watch_days", self.watch_days),
        ] {
            if !(1..=24 * 365).contains(&v) {
                errors.push(FieldError::explained(
                    &format!("logistics.{name}"),
                    Problem::Format,
                    "must be a positive number within a year",
                ));
            }
        }
        if self.pickup_warning_hours >= self.pickup_exception_hours {
            errors.push(FieldError::explained(
                "logistics.pickup_warning_hours",
                Problem::Before {
                    other: "exception_hours".into(),
                },
                "the warning must come before the exception",
            ));
        }
        errors.append(&mut self.shipping.validate("logistics.shipping"));
        errors
    }

    /// The earliest shipping time still watched at `now`.
    pub fn watched_since(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - Duration::days(self.watch_days)
    }
}

/// What kesu knows of a parcel that is on its way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parcel {
    pub shipped_at: DateTime<Utc>,
    /// The newest status, if any event came.
    pub status: Option<TrackingStatus>,
    pub last_event_at: Option<DateTime<Utc>>,
}

/// Whether the parcel's silence is a problem at `now`.
pub fn assess_silence(
    parcel: &Parcel,
    policy: &LogisticsPolicy,
    now: DateTime<Utc>,
) -> Option<(ExceptionKind, Level)> {
    use TrackingStatus as S;
    let since_shipped = now - parcel.shipped_at;
    let hours = Duration::hours;
    match parcel.status {
        None if since_shipped >= hours(policy.no_tracking_hours) => {
            Some((ExceptionKind::NoTracking, Level::Exception))
        }
        None | Some(S::InfoReceived) => {
            if since_shipped >= hours(policy.pickup_exception_hours) {
                Some((ExceptionKind::PickupTimeout, Level::Exception))
            } else if since_shipped >= hours(policy.pickup_warning_hours) {
                Some((ExceptionKind::PickupTimeout, Level::Warning))
            } else {
                None
            }
        }
        Some(S::PickedUp | S::InTransit | S::OutForDelivery | S::FailedAttempt) => {
            let last = parcel.last_event_at.unwrap_or(parcel.shipped_at);
            (now - last >= hours(policy.stalled_hours))
                .then_some((ExceptionKind::Stalled, Level::Exception))
        }
        Some(_) => None,
    }
}

/// Tells episodes of one kind apart, so that a parcel that stalls, moves and stalls again
/// is an exception twice, while the same silence is recorded once: a stall by the time of the
/// news it stalled after, an event-driven exception by the event's time.
pub fn silence_episode(kind: ExceptionKind, parcel: &Parcel) -> String {
    match kind {
        ExceptionKind::Stalled => parcel
            .last_event_at
            .unwrap_or(parcel.shipped_at)
            .timestamp_millis()
            .to_string(),
        _ => String::new(),
    }
}

/// Words carriers use for a damaged parcel.
const DAMAGE_WORDS: &[&str] = &[
    "破损",
    "损坏",
    "破包",
    "压坏",
    "摔坏",
    "外包装破",
    "damaged",
];

/// Whether one event shows a problem by itself.
pub fn assess_event(event: &TrackingEvent) -> Option<ExceptionKind> {
    use TrackingStatus as S;
    let damaged = event
        .text
        .as_deref()
        .is_some_and(|t| DAMAGE_WORDS.iter().any(|w| t.contains(w)));
    if damaged {
        return Some(ExceptionKind::Damaged);
    }
    match event.status {
        S::Exception => Some(ExceptionKind::CarrierException),
        S::Refused => Some(ExceptionKind::Refused),
        S::Returned => Some(ExceptionKind::Returned),
        S::Redirected => Some(ExceptionKind::Redirected),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc)
            + Duration::hours(h)
    }

    fn parcel(status: Option<TrackingStatus>, last: Option<i64>) -> Parcel {
        Parcel {
            shipped_at: at(0),
            status,
            last_event_at: last.map(at),
        }
    }

    #[test]
    fn pickup_warns_at_24_hours_and_is_an_exception_at_48() {
        let p = LogisticsPolicy::default();
        let info = parcel(Some(TrackingStatus::InfoReceived), Some(1));
        assert_eq!(assess_silence(&info, &p, at(23)), None);
        assert_eq!(
            assess_silence(&info, &p, at(24)),
            Some((ExceptionKind::PickupTimeout, Level::Warning))
        );
        assert_eq!(
            assess_silence(&info, &p, at(48)),
            Some((ExceptionKind::PickupTimeout, Level::Exception))
        );
    }

    #[test]
    fn no_tracking_at_all_is_its_own_exception() {
        let p = LogisticsPolicy::default();
        let none = parcel(None, None);
        assert_eq!(
            assess_silence(&none, &p, at(30)),
            Some((ExceptionKind::PickupTimeout, Level::Warning))
        );
        assert_eq!(
            assess_silence(&none, &p, at(48)),
            Some((ExceptionKind::NoTracking, Level::Exception))
        );
    }

    #[test]
    fn a_parcel_stalls_after_72_hours_without_news_and_delivered_ones_never() {
        let p = LogisticsPolicy::default();
        let moving = parcel(Some(TrackingStatus::InTransit), Some(10));
        assert_eq!(assess_silence(&moving, &p, at(81)), None);
        assert_eq!(
            assess_silence(&moving, &p, at(82)),
            Some((ExceptionKind::Stalled, Level::Exception))
        );
        let done = parcel(Some(TrackingStatus::Delivered), Some(10));
        assert_eq!(assess_silence(&done, &p, at(500)), None);
    }

    #[test]
    fn events_show_damage_by_their_words_and_trouble_by_their_status() {
        let event = |status, text: Option<&str>| TrackingEvent {
            carrier: "yto".into(),
            tracking_no: "YT1".into(),
            at: at(0),
            status,
            location: None,
            text: text.map(str::to_owned),
        };
        assert_eq!(
            assess_event(&event(
                TrackingStatus::InTransit,
                Some("快件外包装破损，已拍照留存")
            )),
            Some(ExceptionKind::Damaged)
        );
        assert_eq!(
            assess_event(&event(
                TrackingStatus::Exception,
                Some("收件人电话无人接听")
            )),
            Some(ExceptionKind::CarrierException)
        );
        assert_eq!(
            assess_event(&event(TrackingStatus::Redirected, None)),
            Some(ExceptionKind::Redirected)
        );
        assert_eq!(
            assess_event(&event(TrackingStatus::Delivered, Some("已签收"))),
            None
        );
    }

    #[test]
    fn thresholds_are_checked() {
        let p = LogisticsPolicy {
            pickup_warning_hours: 48,
            stalled_hours: 0,
            ..LogisticsPolicy::default()
        };
        let fields: Vec<_> = p.validate().into_iter().map(|e| e.field).collect();
        assert!(fields.contains(&"logistics.stalled_hours".to_owned()));
        assert!(fields.contains(&"logistics.pickup_warning_hours".to_owned()));
    }
}
