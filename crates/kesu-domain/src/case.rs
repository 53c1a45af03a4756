//! The complaint case as it stands after its latest event.
//!
//! The customer's personal data is not part of it: it lives in
//! [`crate::personal::Complainant`], stored apart so it can be masked and purged.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::Pause;
use crate::codes::{
    Category, Channel, Demand, DepartmentCode, Jurisdiction, Liability, Priority, ResolutionKind,
    RootCause,
};
use crate::fulfilment::{Flow, StepRecord};
use crate::money::Cents;
use crate::order::OrderNo;
use crate::refund::RequestedLine;

/// Where a case stands. The eight steps of the process map onto these; each status
/// names what has been done last, so the next step is what it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// Step 1 done: waiting for the validity judgement.
    Registered,
    /// Step 2 done (valid): waiting to be routed.
    Validated,
    /// Step 3 done: the department analyses cause and liability.
    Routed,
    /// Step 4 done, or a proposal was rejected / renegotiation began: waiting for options.
    Analysed,
    /// Step 5: options offered, waiting for the customer's choice.
    Proposed,
    /// Step 6: the chosen option needs a supervisor's approval.
    AwaitingApproval,
    /// Step 6 done: waiting for execution.
    Approved,
    /// Step 7 done: waiting for the follow-up with the customer.
    Executed,
    /// Step 8, customer satisfied: waiting for the closing summary.
    Resolved,
    /// Finished: resolved and summarised, or judged not valid.
    Closed,
}

impl CaseStatus {
    pub const ALL: &'static [CaseStatus] = &[
        CaseStatus::Registered,
        CaseStatus::Validated,
        CaseStatus::Routed,
        CaseStatus::Analysed,
        CaseStatus::Proposed,
        CaseStatus::AwaitingApproval,
        CaseStatus::Approved,
        CaseStatus::Executed,
        CaseStatus::Resolved,
        CaseStatus::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CaseStatus::Registered => "registered",
            CaseStatus::Validated => "validated",
            CaseStatus::Routed => "routed",
            CaseStatus::Analysed => "analysed",
            CaseStatus::Proposed => "proposed",
            CaseStatus::AwaitingApproval => "awaiting_approval",
            CaseStatus::Approved => "approved",
            CaseStatus::Executed => "executed",
            CaseStatus::Resolved => "resolved",
            CaseStatus::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<CaseStatus> {
        CaseStatus::ALL.iter().copied().find(|s| s.code() == code)
    }

    pub fn is_open(self) -> bool {
        self != CaseStatus::Closed
    }
}

impl std::fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// When the case must be answered, move on from its current step and be resolved, as its
/// clocks stand (see [`crate::sla`]); `None` while a clock is stopped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadlines {
    pub first_response_by: Option<DateTime<Utc>>,
    #[serde(default)]
    pub step_by: Option<DateTime<Utc>>,
    pub resolve_by: Option<DateTime<Utc>>,
    /// A platform's countdown for the shop (its after-sales request), while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_by: Option<DateTime<Utc>>,
    /// The refund owed: due by then (see `sla::refund_clock`), while it is owed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_by: Option<DateTime<Utc>>,
}

/// How a consumer association forwarded the complaint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// The forwarding body, e.g. 杭州市西湖区消费者权益保护委员会.
    pub body: String,
    pub jurisdiction: Jurisdiction,
    /// The association's own reference number.
    pub reference: String,
    /// When the association filed it; the 15 days count from here (default: received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_at: Option<DateTime<Utc>>,
}

/// A technical appraisal (鉴定) of the goods, paid by the party found liable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Appraisal {
    /// Who performs it (the testing institute).
    pub appraiser: String,
    pub cost_cents: i64,
    /// Who pays: the party found liable.
    pub payer: Liability,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Validity {
    pub valid: bool,
    pub reason: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Analysis {
    pub liability: Liability,
    pub root_cause: RootCause,
    pub findings: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One way of settling the complaint, as offered to the customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResolutionOption {
    pub kind: ResolutionKind,
    /// For refunds of units, filled from the refund quote when the option is proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<Cents>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The order lines (and units) the option is about; none means every line.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<RequestedLine>,
    /// Whether a refund returns the shipping fee too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub include_shipping: bool,
    /// Lines of a no-reason return outside the seven-day rule, found by kesu when the
    /// option is proposed: the choice then waits for a supervisor's approval, given as a
    /// goodwill exception with a reason.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub goodwill: Vec<crate::seven_day_return::GoodwillException>,
}

/// The option the customer picked, and whether it must wait for a supervisor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChosenResolution {
    pub index: usize,
    pub option: ResolutionOption,
    pub needs_approval: bool,
    /// How it is carried out (step 7).
    #[serde(default = "simple_flow")]
    pub flow: Flow,
    pub chosen_by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub approved: bool,
    /// True when policy let the choice through without a supervisor.
    pub automatic: bool,
    pub comment: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Execution {
    pub note: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowUp {
    pub satisfied: bool,
    pub rating: Option<u8>,
    pub comment: Option<String>,
    /// How the answer was got (a phone call …); none for follow-ups recorded before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub way: Option<crate::call_plan::FollowUpWay>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// How a closed case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The complaint was judged not valid and answered tactfully.
    Invalid,
    /// A resolution was carried out and the customer confirmed it.
    Resolved,
    /// A duplicate, merged into the case that carries on.
    Merged,
}

impl Outcome {
    pub const ALL: &'static [Outcome] = &[Outcome::Invalid, Outcome::Resolved, Outcome::Merged];

    pub fn code(self) -> &'static str {
        match self {
            Outcome::Invalid => "invalid",
            Outcome::Resolved => "resolved",
            Outcome::Merged => "merged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Closing {
    pub outcome: Outcome,
    pub summary: String,
    pub lessons: Option<String>,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// How long a customer's link keeps opening their case once it is closed: long enough to
/// look back at the outcome, not forever (the link is the key to the case).
pub const CUSTOMER_LINK_DAYS_AFTER_CLOSE: i64 = 90;

/// A complaint case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Case {
    pub id: i64,
    /// Human-readable number, e.g. `KS-20261123-0001` (date in the shop's time zone).
    pub number: String,
    pub status: CaseStatus,
    /// Bumped by every accepted action; actions must quote the version they saw.
    pub version: i64,
    pub channel: Channel,
    pub category: Category,
    pub demand: Demand,
    #[serde(default)]
    pub priority: Priority,
    pub description: String,
    pub order_no: Option<OrderNo>,
    pub tracking_no: Option<String>,
    pub tags: Vec<String>,
    pub received_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: String,
    pub assignee: Option<String>,
    pub department: Option<DepartmentCode>,
    /// Where the routing policy suggests sending the case, for the agent to confirm.
    pub suggested_department: Option<DepartmentCode>,
    pub deadlines: Deadlines,
    pub validity: Option<Validity>,
    pub analysis: Option<Analysis>,
    /// The options currently on offer (replaced by each new proposal).
    pub options: Vec<ResolutionOption>,
    pub chosen: Option<ChosenResolution>,
    pub decision: Option<Decision>,
    pub execution: Option<Execution>,
    pub follow_up: Option<FollowUp>,
    pub closing: Option<Closing>,
    /// How many times the case went back to negotiation (rejection or unsatisfied follow-up).
    pub renegotiations: u32,
    /// The steps of the chosen resolution's flow taken so far.
    #[serde(default)]
    pub steps_done: Vec<StepRecord>,
    /// When the case entered its current status (the step clock's start).
    #[serde(default)]
    pub status_since: Option<DateTime<Utc>>,
    /// When staff first answered the customer (stops the first-response clock).
    #[serde(default)]
    pub responded_at: Option<DateTime<Utc>>,
    /// Spans when the case waited on the customer; the last has no end while it waits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pauses: Vec<Pause>,
    /// For consumer-association cases: who forwarded it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub appraisal: Option<Appraisal>,
    /// For a platform's after-sales request: the request and where it stands there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<crate::platform::PlatformLink>,
    /// A duplicate merged into another case: that case's id. The customer's link of this
    /// case opens that one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<i64>,
}

impl Case {
    /// Whether the customer's link still opens the case at `now`, when links last
    /// `days_after_close` days after the case closed (the policy's setting).
    pub fn customer_link_open(&self, now: DateTime<Utc>, days_after_close: i64) -> bool {
        match &self.closing {
            Some(closing) => now < closing.at + chrono::Duration::days(days_after_close),
            None => true,
        }
    }

    /// Whether the clock is stopped because the case waits on the customer.
    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.until.is_none())
    }
}

fn simple_flow() -> Flow {
    Flow::Simple
}

/// The shop-local date part of a case number: `KS-20261123-0001`.
pub fn case_number(local_date: chrono::NaiveDate, seq: i64) -> String {
    format!("KS-{}-{seq:04}", local_date.format("%Y%m%d"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_customer_link_lasts_90_days_after_closing() {
        let now = DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let mut case: Case = serde_json::from_value(serde_json::json!({
            "id": 1, "number": "KS-20261123-0001", "status": "closed", "version": 3,
            "channel": "web_form", "category": "logistics", "demand": "reship",
            "description": "x", "order_no": null, "tracking_no": null, "tags": [],
            "received_at": now, "created_at": now, "updated_at": now, "created_by": "customer",
            "assignee": null, "department": null, "suggested_department": null,
            "deadlines": {}, "validity": null, "analysis": null, "options": [], "chosen": null,
            "decision": null, "execution": null, "follow_up": null, "closing": null,
            "renegotiations": 0
        }))
        .unwrap();
        assert!(
            case.customer_link_open(
                now + chrono::Duration::days(400),
                CUSTOMER_LINK_DAYS_AFTER_CLOSE
            ),
            "open cases"
        );
        case.closing = Some(Closing {
            outcome: serde_json::from_value(serde_json::json!("invalid")).unwrap(),
            summary: "x".into(),
            lessons: None,
            by: "amy".into(),
            at: now,
        });
        assert!(case.customer_link_open(
            now + chrono::Duration::days(89),
            CUSTOMER_LINK_DAYS_AFTER_CLOSE
        ));
        assert!(!case.customer_link_open(
            now + chrono::Duration::days(CUSTOMER_LINK_DAYS_AFTER_CLOSE),
            CUSTOMER_LINK_DAYS_AFTER_CLOSE
        ));
    }

    #[test]
    fn case_numbers_are_readable() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(case_number(d, 1), "KS-20261123-0001");
        assert_eq!(case_number(d, 12345), "KS-20261123-12345");
    }

    #[test]
    fn statuses_parse_their_codes() {
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.code()), Some(*s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
    }
}
