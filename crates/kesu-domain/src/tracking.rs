//! Parcel tracking events (docs/interface.md §6): the statuses, the kuaidi100 push codes mapped onto
//! them, and which of them mean a parcel is in trouble.

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{keep, FieldError};
use crate::order::code;
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TrackingStatus {
    InfoReceived,
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    FailedAttempt,
    Exception,
    Refused,
    Returned,
    Redirected,
}

impl TrackingStatus {
    pub fn code(self) -> &'static str {
        match self {
            TrackingStatus::InfoReceived => "info_received",
            TrackingStatus::PickedUp => "picked_up",
            TrackingStatus::InTransit => "in_transit",
            TrackingStatus::OutForDelivery => "out_for_delivery",
            TrackingStatus::Delivered => "delivered",
            TrackingStatus::FailedAttempt => "failed_attempt",
            TrackingStatus::Exception => "exception",
            TrackingStatus::Refused => "refused",
            TrackingStatus::Returned => "returned",
            TrackingStatus::Redirected => "redirected",
        }
    }

    pub const ALL: &'static [TrackingStatus] = &[
        TrackingStatus::InfoReceived,
        TrackingStatus::PickedUp,
        TrackingStatus::InTransit,
        TrackingStatus::OutForDelivery,
        TrackingStatus::Delivered,
        TrackingStatus::FailedAttempt,
        TrackingStatus::Exception,
        TrackingStatus::Refused,
        TrackingStatus::Returned,
        TrackingStatus::Redirected,
    ];

    pub fn parse(code: &str) -> Option<TrackingStatus> {
        TrackingStatus::ALL
            .iter()
            .copied()
            .find(|s| s.code() == code)
    }

    /// The kuaidi100 `lastResult.state` codes: 0 在途, 1 揽收, 2 疑难, 3 签收, 4 退签,
    /// 5 派件, 6 退回, 7 转投, 14 拒签.
    pub fn from_kuaidi100(state: &str) -> Option<TrackingStatus> {
        Some(match state.trim() {
            "0" => TrackingStatus::InTransit,
            "1" => TrackingStatus::PickedUp,
            "2" => TrackingStatus::Exception,
            "3" => TrackingStatus::Delivered,
            "4" | "14" => TrackingStatus::Refused,
            "5" => TrackingStatus::OutForDelivery,
            "6" => TrackingStatus::Returned,
            "7" => TrackingStatus::Redirected,
            _ => return None,
        })
    }

    /// Whether the parcel is in trouble: the case is flagged, or opened before the
    /// customer complains (docs/interface.md §6).
    pub fn is_exception(self) -> bool {
        matches!(
            self,
            TrackingStatus::Exception | TrackingStatus::Refused | TrackingStatus::Returned
        )
    }
}

/// One event as posted.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TrackingEventForm {
    pub carrier: String,
    pub tracking_no: String,
    pub at: DateTime<FixedOffset>,
    pub status: TrackingStatus,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
}

/// A checked event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrackingEvent {
    pub carrier: String,
    pub tracking_no: String,
    pub at: DateTime<Utc>,
    pub status: TrackingStatus,
    pub location: Option<String>,
    pub text: Option<String>,
}

impl TrackingEventForm {
    /// Checks the event; field names are prefixed with `prefix` (e.g. `[3].`).
    pub fn parse(self, prefix: &str) -> Result<TrackingEvent, Vec<FieldError>> {
        let mut errors = Vec::new();
        let f = |name: &str| format!("{prefix}{name}");
        let carrier = keep(&mut errors, code(&f("carrier"), &self.carrier));
        let tracking_no = keep(
            &mut errors,
            text::identifier(&f("tracking_no"), &self.tracking_no, 40),
        );
        let location = keep(
            &mut errors,
            text::optional(&f("location"), self.location.as_deref()),
        );
        let text = keep(
            &mut errors,
            text::optional(&f("text"), self.text.as_deref()),
        );
        match (carrier, tracking_no, location, text) {
            (Some(carrier), Some(tracking_no), Some(location), Some(text)) if errors.is_empty() => {
                Ok(TrackingEvent {
                    carrier,
                    tracking_no,
                    at: self.at.with_timezone(&Utc),
                    status: self.status,
                    location,
                    text,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kuaidi100_codes_map_onto_the_contract() {
        let m = |s| TrackingStatus::from_kuaidi100(s).map(TrackingStatus::code);
        assert_eq!(m("0"), Some("in_transit"));
        assert_eq!(m("2"), Some("exception"));
        assert_eq!(m("4"), Some("refused"));
        assert_eq!(m("14"), Some("refused"));
        assert_eq!(m("6"), Some("returned"));
        assert_eq!(m("9"), None);
    }

    #[test]
    fn only_trouble_flags_a_case() {
        assert!(TrackingStatus::Refused.is_exception());
        assert!(!TrackingStatus::Delivered.is_exception());
    }

    #[test]
    fn events_are_checked() {
        let form: TrackingEventForm = serde_json::from_value(serde_json::json!({
            "carrier": "YTO", "tracking_no": "YT 1", "at": "2026-11-23T10:00:00+08:00", "status": "refused"
        }))
        .unwrap();
        let errors = form.parse("[0].").unwrap_err();
        assert_eq!(errors[0].field, "[0].tracking_no");
    }
}
