//! Revealing a customer's contact (issue 21, PIPL Art. 6: no more than the purpose needs).
//! The workbench masks names, phones, e-mails and addresses for everyone by default; staff
//! whose role may see them reveal them on one case for one of these reasons, for a while,
//! and each reveal is in the audit trail. A reason is a code, never free text: the trail is
//! never rewritten, so nothing personal may be typed into it.

use chrono::{DateTime, Duration, Utc};

use crate::error::{FieldError, Problem};

/// How long a reveal lasts on the workbench.
pub const REVEAL_MINUTES: i64 = 30;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevealReason {
    /// To call, message or e-mail the customer.
    Contact,
    /// To check who is asking (a caller, a platform's buyer).
    VerifyIdentity,
    /// To send goods, a replacement or a return label.
    Shipping,
    /// To file with a carrier, a platform or a consumer association.
    ThirdParty,
}

impl RevealReason {
    pub const ALL: [RevealReason; 4] = [
        RevealReason::Contact,
        RevealReason::VerifyIdentity,
        RevealReason::Shipping,
        RevealReason::ThirdParty,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RevealReason::Contact => "contact",
            RevealReason::VerifyIdentity => "verify_identity",
            RevealReason::Shipping => "shipping",
            RevealReason::ThirdParty => "third_party",
        }
    }

    pub fn parse(field: &str, raw: Option<&str>) -> Result<RevealReason, FieldError> {
        let raw = raw.map(str::trim).unwrap_or_default();
        if raw.is_empty() {
            return Err(FieldError::new(field, Problem::Required));
        }
        RevealReason::ALL
            .into_iter()
            .find(|r| r.code() == raw)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    Problem::NotOneOf {
                        allowed: RevealReason::ALL.map(RevealReason::code).join(", "),
                    },
                )
            })
    }
}

/// Whether a reveal made at `at` still holds at `now`.
pub fn still_revealed(at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    at <= now && now < at + Duration::minutes(REVEAL_MINUTES)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_reason_is_one_of_the_codes() {
        for r in RevealReason::ALL {
            assert_eq!(RevealReason::parse("reason", Some(r.code())), Ok(r));
        }
        assert_eq!(
            RevealReason::parse("reason", None).unwrap_err().field,
            "reason"
        );
        assert!(RevealReason::parse("reason", Some("because 13812345678")).is_err());
    }

    #[test]
    fn a_reveal_lasts_half_an_hour() {
        let at = Utc.with_ymd_and_hms(2026, 12, 7, 2, 0, 0).unwrap();
        assert!(still_revealed(at, at));
        assert!(still_revealed(at, at + Duration::minutes(29)));
        assert!(!still_revealed(at, at + Duration::minutes(30)));
        assert!(!still_revealed(at, at - Duration::minutes(1)));
    }
}
