//! Claims against carriers for lost or damaged parcels: the evidence, the amount claimed and
//! recovered, and the status a claim moves through (filed → accepted → paid, or rejected).

use crate::error::{keep, Ask, FieldError, Problem, Rejection};
use chrono::{DateTime, Duration, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use crate::command::MAX_AMOUNT_CENTS;
use crate::text;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClaimStatus {
    Filed,
    Accepted,
    Rejected,
    Paid,
}

impl ClaimStatus {
    pub const ALL: &'static [ClaimStatus] = &[
        ClaimStatus::Filed,
        ClaimStatus::Accepted,
        ClaimStatus::Rejected,
        ClaimStatus::Paid,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ClaimStatus::Filed => "filed",
            ClaimStatus::Accepted => "accepted",
            ClaimStatus::Rejected => "rejected",
            ClaimStatus::Paid => "paid",
        }
    }

    pub fn parse(code: &str) -> Option<ClaimStatus> {
        ClaimStatus::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// Where a claim may go from here.
    pub fn next(self) -> &'static [ClaimStatus] {
        match self {
            ClaimStatus::Filed => &[ClaimStatus::Accepted, ClaimStatus::Rejected],
            ClaimStatus::Accepted => &[ClaimStatus::Paid, ClaimStatus::Rejected],
            ClaimStatus::Rejected | ClaimStatus::Paid => &[],
        }
    }

    pub fn is_open(self) -> bool {
        !self.next().is_empty()
    }
}

/// What the parcel suffered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClaimReason {
    Lost,
    Damaged,
}

impl ClaimReason {
    pub const ALL: &'static [ClaimReason] = &[ClaimReason::Lost, ClaimReason::Damaged];

    pub fn code(self) -> &'static str {
        match self {
            ClaimReason::Lost => "lost",
            ClaimReason::Damaged => "damaged",
        }
    }

    pub fn parse(code: &str) -> Option<ClaimReason> {
        [ClaimReason::Lost, ClaimReason::Damaged]
            .into_iter()
            .find(|r| r.code() == code)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    Photo,
    Tracking,
    DeliveryProof,
    Invoice,
    Other,
}

/// One piece of evidence: a reference to a file or record, and what it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub kind: EvidenceKind,
    /// A file name, link or record number (for an attached file, its name: may be left
    /// out when `attachment_id` is given).
    #[serde(default)]
    pub reference: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The case's attachment this is, when it is one (claims filed before attachments
    /// existed name their files in `reference` only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<i64>,
}

/// A claim as filed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimForm {
    pub carrier: String,
    pub tracking_no: String,
    pub reason: ClaimReason,
    pub amount_claimed_cents: i64,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    /// When the carrier must answer by (default: 30 days after filing).
    #[serde(default)]
    pub deadline: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked claim, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewClaim {
    pub carrier: String,
    pub tracking_no: String,
    pub reason: ClaimReason,
    pub amount_claimed_cents: i64,
    pub evidence: Vec<Evidence>,
    pub deadline: DateTime<Utc>,
    pub note: Option<String>,
}

/// Days a carrier has to answer unless the claim says otherwise.
pub const DEFAULT_ANSWER_DAYS: i64 = 30;
const MAX_EVIDENCE: usize = 30;

impl ClaimForm {
    pub fn parse(self, now: DateTime<Utc>) -> Result<NewClaim, Rejection> {
        let mut errors = Vec::new();
        let carrier = keep(
            &mut errors,
            text::identifier("carrier", self.carrier.trim(), 32),
        );
        let tracking_no = keep(
            &mut errors,
            text::identifier("tracking_no", self.tracking_no.trim(), 40),
        );
        if !(1..=MAX_AMOUNT_CENTS).contains(&self.amount_claimed_cents) {
            errors.push(FieldError::explained(
                "amount_claimed_cents",
                Problem::Range {
                    min: 1,
                    max: 100_000_000,
                },
                "must be an amount in cents from 1 to 100000000",
            ));
        }
        if self.evidence.len() > MAX_EVIDENCE {
            errors.push(FieldError::explained(
                "evidence",
                Problem::TooMany {
                    max: MAX_EVIDENCE as i64,
                },
                "at most 30 pieces of evidence",
            ));
        }
        for (i, e) in self.evidence.iter().enumerate() {
            if e.reference.trim().is_empty() || e.reference.chars().count() > 500 {
                errors.push(FieldError::new(
                    &format!("evidence[{i}].reference"),
                    Problem::Explain(Ask::Evidence),
                ));
            }
        }
        let deadline = self
            .deadline
            .map(|d| d.with_timezone(&Utc))
            .unwrap_or(now + Duration::days(DEFAULT_ANSWER_DAYS));
        if deadline <= now {
            errors.push(FieldError::explained(
                "deadline",
                Problem::NotInFuture,
                "must lie in the future: when the carrier has to answer",
            ));
        }
        let note = keep(&mut errors, text::optional("note", self.note.as_deref()));
        match (carrier, tracking_no, note) {
            (Some(carrier), Some(tracking_no), Some(note)) if errors.is_empty() => Ok(NewClaim {
                carrier,
                tracking_no,
                reason: self.reason,
                amount_claimed_cents: self.amount_claimed_cents,
                evidence: self
                    .evidence
                    .into_iter()
                    .map(|e| Evidence {
                        reference: e.reference.trim().to_owned(),
                        ..e
                    })
                    .collect(),
                deadline,
                note,
            }),
            _ => Err(Rejection::Invalid(errors)),
        }
    }
}

/// A status change as requested.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ClaimUpdate {
    pub status: ClaimStatus,
    /// Required when paid: what the carrier actually paid.
    #[serde(default)]
    pub amount_recovered_cents: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
    /// The version of the claim the caller saw.
    pub version: i64,
}

/// Checks a status change of a claim now in `from`, claiming `claimed` cents; returns the
/// amount recovered to store.
pub fn check_update(
    from: ClaimStatus,
    claimed: i64,
    update: &ClaimUpdate,
) -> Result<Option<i64>, Rejection> {
    if !from.next().contains(&update.status) {
        let allowed: Vec<&str> = from.next().iter().map(|s| s.code()).collect();
        return Err(Rejection::from(FieldError::explained(
            "status",
            Problem::NotOneOf {
                allowed: allowed.join(", "),
            },
            if allowed.is_empty() {
                format!("the claim is {} and cannot change any more", from.code())
            } else {
                format!(
                    "a {} claim can become {}, not {}",
                    from.code(),
                    allowed.join(" or "),
                    update.status.code()
                )
            },
        )));
    }
    match (update.status, update.amount_recovered_cents) {
        (ClaimStatus::Paid, None) => Err(Rejection::invalid(
            "amount_recovered_cents",
            Problem::Explain(Ask::WhatTheCarrierPaid),
        )),
        (ClaimStatus::Paid, Some(a)) if !(1..=claimed).contains(&a) => {
            Err(Rejection::from(FieldError::explained(
                "amount_recovered_cents",
                Problem::Range {
                    min: 1,
                    max: claimed,
                },
                format!("must be from 1 to the {claimed} cents claimed"),
            )))
        }
        (ClaimStatus::Paid, Some(a)) => Ok(Some(a)),
        (_, Some(_)) => Err(Rejection::from(FieldError::explained(
            "amount_recovered_cents",
            Problem::NotApplicable,
            "is recorded only when the claim is paid",
        ))),
        (_, None) => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-23T10:00:00+08:00")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn update(status: ClaimStatus, amount: Option<i64>) -> ClaimUpdate {
        ClaimUpdate {
            status,
            amount_recovered_cents: amount,
            note: None,
            version: 1,
        }
    }

    #[test]
    fn a_claim_is_filed_with_its_evidence_and_a_deadline_thirty_days_out() {
        let form: ClaimForm = serde_json::from_value(serde_json::json!({
            "carrier": "yto", "tracking_no": "YT1234567890", "reason": "damaged",
            "amount_claimed_cents": 12900,
            "evidence": [{"kind": "photo", "reference": "IMG_0412.jpg", "note": "外箱压痕"},
                         {"kind": "tracking", "reference": "YT1234567890"}]
        }))
        .unwrap();
        let c = form.parse(now()).unwrap();
        assert_eq!(c.deadline, now() + Duration::days(30));
        assert_eq!(c.evidence.len(), 2);
    }

    #[test]
    fn bad_claims_name_every_field() {
        let form: ClaimForm = serde_json::from_value(serde_json::json!({
            "carrier": "", "tracking_no": "YT1", "reason": "lost",
            "amount_claimed_cents": 0, "deadline": "2026-11-01T00:00:00+08:00",
            "evidence": [{"kind": "photo", "reference": " "}]
        }))
        .unwrap();
        let Rejection::Invalid(errors) = form.parse(now()).unwrap_err() else {
            panic!()
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "carrier",
                "amount_claimed_cents",
                "evidence[0].reference",
                "deadline"
            ]
        );
    }

    #[test]
    fn claims_move_filed_accepted_paid_and_paid_needs_the_amount_recovered() {
        use ClaimStatus as S;
        assert_eq!(
            check_update(S::Filed, 12900, &update(S::Accepted, None)),
            Ok(None)
        );
        assert!(check_update(S::Filed, 12900, &update(S::Paid, Some(100))).is_err());
        assert!(check_update(S::Accepted, 12900, &update(S::Paid, None)).is_err());
        assert!(check_update(S::Accepted, 12900, &update(S::Paid, Some(13000))).is_err());
        assert_eq!(
            check_update(S::Accepted, 12900, &update(S::Paid, Some(10000))),
            Ok(Some(10000))
        );
        assert!(check_update(S::Paid, 12900, &update(S::Rejected, None)).is_err());
        assert!(check_update(S::Filed, 12900, &update(S::Rejected, Some(1))).is_err());
    }
}
