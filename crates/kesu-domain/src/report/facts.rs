//! What the reports need to know of one case, derived from the case as it stands and a few
//! things stored beside it (its order, refunds, claims). One row per case, rewritten with
//! every change, so a report never has to read a case's whole history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Case, Outcome};
use crate::codes::{Category, Channel, Liability, ResolutionKind, RootCause};
use crate::money::Cents;
use crate::CaseStatus;

/// What the store knows about a case beyond the case itself.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FactContext {
    /// The shop of the case's order.
    pub shop: Option<String>,
    /// The carrier of the parcel complained about (the tracking number's, else the order's first).
    pub carrier: Option<String>,
    /// The product complained about: the first line of the order (its name, else its SKU).
    pub product: Option<String>,
    /// Cash returned by refunds recorded on the order for this case.
    pub refunded_cents: i64,
    /// What carriers paid on this case's claims.
    pub claims_recovered_cents: i64,
    /// Identifies the complainant without revealing them (a hash of phone, e-mail or name),
    /// so repeat complainants can be counted.
    pub complainant_key: i64,
}

/// One case, as the reports see it (times in milliseconds when serialised: a million of
/// these are read at start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseFacts {
    pub case_id: i64,
    #[serde(with = "chrono::serde::ts_milliseconds")]
    pub received_at: DateTime<Utc>,
    pub channel: Channel,
    pub category: Category,
    pub status: CaseStatus,
    pub department: Option<String>,
    pub assignee: Option<String>,
    pub shop: Option<String>,
    pub carrier: Option<String>,
    pub product: Option<String>,
    pub root_cause: Option<RootCause>,
    pub liability: Option<Liability>,
    pub complainant_key: i64,
    /// When staff first answered the customer, and when they had to.
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub first_response_at: Option<DateTime<Utc>>,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub first_response_due: Option<DateTime<Utc>>,
    /// When the customer last confirmed the resolution (satisfied at follow-up).
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub resolve_due: Option<DateTime<Utc>>,
    #[serde(with = "chrono::serde::ts_milliseconds_option")]
    pub closed_at: Option<DateTime<Utc>>,
    pub outcome: Option<Outcome>,
    /// How often the case went back to negotiation (a rejection or an unsatisfied follow-up).
    pub renegotiations: u32,
    /// The latest follow-up: satisfied or not, and the rating given.
    pub satisfied: Option<bool>,
    pub rating: Option<u8>,
    pub refunds_cents: i64,
    pub compensation_cents: i64,
    pub claims_recovered_cents: i64,
}

impl CaseFacts {
    pub fn of(case: &Case, ctx: &FactContext) -> CaseFacts {
        let chosen_kind = case.chosen.as_ref().map(|c| c.option.kind);
        let carried_out = matches!(
            case.status,
            CaseStatus::Executed | CaseStatus::Resolved | CaseStatus::Closed
        );
        // Money recorded on the order is the truth; without the order in kesu, the amount
        // of the option carried out with `execute` is what the customer got.
        let option_amount = case
            .chosen
            .as_ref()
            .filter(|_| carried_out)
            .and_then(|c| c.option.amount_cents)
            .map_or(0, Cents::get);
        let (refunds_cents, compensation_cents) = match chosen_kind {
            Some(ResolutionKind::Compensation) if ctx.refunded_cents > 0 => (0, ctx.refunded_cents),
            Some(ResolutionKind::Compensation) => (0, option_amount),
            _ if ctx.refunded_cents > 0 => (ctx.refunded_cents, 0),
            Some(
                ResolutionKind::Refund
                | ResolutionKind::PartialRefund
                | ResolutionKind::ReturnRefund
                | ResolutionKind::Discount,
            ) => (option_amount, 0),
            _ => (0, 0),
        };
        let satisfied_follow_up = case.follow_up.as_ref().filter(|f| f.satisfied);
        CaseFacts {
            case_id: case.id,
            received_at: case.received_at,
            channel: case.channel,
            category: case.category,
            status: case.status,
            department: case.department.as_ref().map(|d| d.as_str().to_owned()),
            assignee: case.assignee.clone(),
            shop: ctx.shop.clone(),
            carrier: ctx.carrier.clone(),
            product: ctx.product.clone(),
            root_cause: case.analysis.as_ref().map(|a| a.root_cause),
            liability: case.analysis.as_ref().map(|a| a.liability),
            complainant_key: ctx.complainant_key,
            first_response_at: case.responded_at,
            first_response_due: case.deadlines.first_response_by,
            resolved_at: satisfied_follow_up
                .filter(|_| matches!(case.status, CaseStatus::Resolved | CaseStatus::Closed))
                .map(|f| f.at),
            resolve_due: case.deadlines.resolve_by,
            closed_at: case.closing.as_ref().map(|c| c.at),
            outcome: case.closing.as_ref().map(|c| c.outcome),
            renegotiations: case.renegotiations,
            satisfied: case.follow_up.as_ref().map(|f| f.satisfied),
            rating: case.follow_up.as_ref().and_then(|f| f.rating),
            refunds_cents,
            compensation_cents,
            claims_recovered_cents: ctx.claims_recovered_cents,
        }
    }
}

#[cfg(test)]
impl CaseFacts {
    /// A closed case with nothing but its arrival, for tests to fill in.
    pub(crate) fn sample(
        case_id: i64,
        received_at: DateTime<Utc>,
        channel: Channel,
        category: Category,
    ) -> CaseFacts {
        CaseFacts {
            case_id,
            received_at,
            channel,
            category,
            status: CaseStatus::Closed,
            department: None,
            assignee: None,
            shop: None,
            carrier: None,
            product: None,
            root_cause: None,
            liability: None,
            complainant_key: case_id * 100,
            first_response_at: None,
            first_response_due: None,
            resolved_at: None,
            resolve_due: None,
            closed_at: None,
            outcome: None,
            renegotiations: 0,
            satisfied: None,
            rating: None,
            refunds_cents: 0,
            compensation_cents: 0,
            claims_recovered_cents: 0,
        }
    }
}
