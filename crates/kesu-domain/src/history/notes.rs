//! The entries kesu writes outside the lifecycle: the registration, a fired timer, a parcel's
//! exception, a carrier claim. Their fields are the stored data, as docs/interface.md shows it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::Referral;
use crate::claims::{ClaimReason, ClaimStatus, NewClaim};
use crate::codes::{Category, Channel, Demand, DepartmentCode, Priority};
use crate::logistics::{ExceptionKind, Level};
use crate::order::OrderNo;
use crate::role::Role;
use crate::sla::SlaClock;

/// What was recorded at registration, without personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    pub number: String,
    pub channel: Channel,
    pub category: Category,
    pub demand: Demand,
    pub order_no: Option<OrderNo>,
    pub tracking_no: Option<String>,
    pub received_at: DateTime<Utc>,
    pub suggested_department: Option<DepartmentCode>,
    pub priority: Priority,
    pub referral: Option<Referral>,
}

/// A deadline timer that fired: which clock, its deadline, and what followed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimerFired {
    pub clock: SlaClock,
    pub deadline: DateTime<Utc>,
    /// A breach is escalated to this role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_to: Option<Role>,
    /// A reminder's number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub overdue_minutes: Option<i64>,
}

/// What the logistics monitor found about the case's parcel, and what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionFound {
    pub kind: ExceptionKind,
    pub level: Level,
    pub carrier: String,
    pub tracking_no: String,
    /// The finding in a sentence.
    pub text: String,
    /// The handling steps for this kind of exception.
    pub playbook: String,
}

/// A claim against the carrier, filed or moved on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ClaimNote {
    Filed {
        claim: i64,
        status: ClaimStatus,
        carrier: String,
        tracking_no: String,
        reason: ClaimReason,
        amount_claimed_cents: i64,
        /// How many pieces of evidence went with it.
        evidence: usize,
        deadline: DateTime<Utc>,
    },
    Moved {
        claim: i64,
        status: ClaimStatus,
        from: ClaimStatus,
        amount_recovered_cents: Option<i64>,
        note: Option<String>,
    },
}

impl ClaimNote {
    /// The entry of claim `id` just filed.
    pub fn filed(id: i64, claim: &NewClaim) -> ClaimNote {
        ClaimNote::Filed {
            claim: id,
            status: ClaimStatus::Filed,
            carrier: claim.carrier.clone(),
            tracking_no: claim.tracking_no.clone(),
            reason: claim.reason,
            amount_claimed_cents: claim.amount_claimed_cents,
            evidence: claim.evidence.len(),
            deadline: claim.deadline,
        }
    }

    /// The claim's status after the entry.
    pub fn status(&self) -> ClaimStatus {
        match self {
            ClaimNote::Filed { status, .. } | ClaimNote::Moved { status, .. } => *status,
        }
    }

    /// What the parcel suffered, as the claim was filed.
    pub fn reason(&self) -> Option<ClaimReason> {
        match self {
            ClaimNote::Filed { reason, .. } => Some(*reason),
            ClaimNote::Moved { .. } => None,
        }
    }
}

/// A file attached to the case as evidence (`attach`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attached {
    pub attachment: i64,
    pub name: String,
    pub content_type: String,
    pub size: u64,
    pub sha256: String,
}
