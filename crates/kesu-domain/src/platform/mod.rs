//! After-sales requests from the platforms a shop sells on (and from its own site): what a
//! connector reads from a platform ([`Request`]), what kesu keeps of it on the case
//! ([`PlatformLink`]), and how a later change of the request changes the case ([`apply`]).
//!
//! The platform's countdown is the case's hard deadline (`deadlines.platform_by`): when the
//! seller does not answer in time the platform agrees the refund by itself or steps in. The
//! SLA engine runs a clock of its own ahead of it (see `sla`), so the assignee is warned and
//! the supervisor escalated to while there is still time.

mod answer;
mod apply;
pub mod douyin;
mod intake;
pub mod jd;
pub mod pinduoduo;
pub mod site;
pub mod taobao;

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::Demand;
use crate::money::Cents;
use crate::order::OrderNo;

pub use answer::{call as answer_call, Answer, Call, Unsupported};
pub use apply::{apply, follow, PlatformChange};
pub use intake::UNNAMED_BUYER;

/// Where an after-sales request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// The shop's own site, pushing kesu's JSON.
    Site,
    Taobao,
    Pinduoduo,
    Jd,
    Douyin,
}

impl Platform {
    pub const ALL: [Platform; 5] = [
        Platform::Site,
        Platform::Taobao,
        Platform::Pinduoduo,
        Platform::Jd,
        Platform::Douyin,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Platform::Site => "site",
            Platform::Taobao => "taobao",
            Platform::Pinduoduo => "pinduoduo",
            Platform::Jd => "jd",
            Platform::Douyin => "douyin",
        }
    }

    pub fn parse(code: &str) -> Option<Platform> {
        Platform::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// What the buyer asked the platform for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AfterSaleKind {
    /// 仅退款
    RefundOnly,
    /// 退货退款
    ReturnRefund,
    /// 换货
    Exchange,
    /// 补寄
    Reship,
    /// 维修
    Repair,
}

impl AfterSaleKind {
    pub const ALL: [AfterSaleKind; 5] = [
        AfterSaleKind::RefundOnly,
        AfterSaleKind::ReturnRefund,
        AfterSaleKind::Exchange,
        AfterSaleKind::Reship,
        AfterSaleKind::Repair,
    ];

    pub fn code(self) -> &'static str {
        match self {
            AfterSaleKind::RefundOnly => "refund_only",
            AfterSaleKind::ReturnRefund => "return_refund",
            AfterSaleKind::Exchange => "exchange",
            AfterSaleKind::Reship => "reship",
            AfterSaleKind::Repair => "repair",
        }
    }

    pub fn parse(code: &str) -> Option<AfterSaleKind> {
        AfterSaleKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// The case's demand.
    pub fn demand(self) -> Demand {
        match self {
            AfterSaleKind::RefundOnly => Demand::Refund,
            AfterSaleKind::ReturnRefund => Demand::ReturnRefund,
            AfterSaleKind::Exchange => Demand::Exchange,
            AfterSaleKind::Reship => Demand::Reship,
            AfterSaleKind::Repair => Demand::Repair,
        }
    }
}

/// Where a request stands on the platform, in kesu's words (each platform has its own codes;
/// the connector maps them, and the platform's own code is kept beside it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The buyer asked (or changed the request): the seller must answer.
    AwaitingSeller,
    /// The seller agreed to a return: the buyer is to send the goods back.
    AwaitingReturn,
    /// The buyer sent the goods back: the seller must receive them and refund.
    Returned,
    /// The seller refused; the buyer may ask again or ask the platform to step in.
    Refused,
    /// The platform stepped in (小二介入 / 平台介入 / 客服仲裁).
    Intervened,
    /// The refund is agreed and on its way (the seller or the platform agreed).
    Refunding,
    /// The money went back to the buyer.
    Refunded,
    /// Done otherwise: the exchange, reshipment or repair went through.
    Done,
    /// Closed without a refund (the buyer withdrew, or it lapsed).
    Closed,
    /// A status kesu has no word for; the platform's code says what it is.
    Other,
}

impl Stage {
    pub const ALL: [Stage; 10] = [
        Stage::AwaitingSeller,
        Stage::AwaitingReturn,
        Stage::Returned,
        Stage::Refused,
        Stage::Intervened,
        Stage::Refunding,
        Stage::Refunded,
        Stage::Done,
        Stage::Closed,
        Stage::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::AwaitingSeller => "awaiting_seller",
            Stage::AwaitingReturn => "awaiting_return",
            Stage::Returned => "returned",
            Stage::Refused => "refused",
            Stage::Intervened => "intervened",
            Stage::Refunding => "refunding",
            Stage::Refunded => "refunded",
            Stage::Done => "done",
            Stage::Closed => "closed",
            Stage::Other => "other",
        }
    }

    /// Whether the request is over on the platform.
    pub fn is_final(self) -> bool {
        matches!(self, Stage::Refunded | Stage::Done | Stage::Closed)
    }

    /// Whether the platform waits on the seller, so that its countdown is the shop's to meet.
    pub fn seller_must_act(self) -> bool {
        matches!(
            self,
            Stage::AwaitingSeller | Stage::Returned | Stage::Intervened | Stage::Other
        )
    }
}

/// What the platform asked the shop for when it stepped in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Intervention {
    /// The evidence asked for, in the platform's words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asked: Option<String>,
    /// By when it must be uploaded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<DateTime<Utc>>,
}

/// A platform's after-sales request as a connector read it, already checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub platform: Platform,
    pub shop: String,
    pub request_id: String,
    pub order_no: Option<OrderNo>,
    pub kind: AfterSaleKind,
    /// The platform's own status code.
    pub status: String,
    pub stage: Stage,
    pub reason: String,
    /// What the buyer wrote.
    pub words: Option<String>,
    pub amount: Option<Cents>,
    pub buyer_name: Option<String>,
    pub buyer_phone: Option<String>,
    /// The platform's countdown for the shop.
    pub deadline: Option<DateTime<Utc>>,
    /// Photo addresses to fetch as attachments.
    pub images: Vec<String>,
    /// The platform's own time of this state of the request: changes apply in its order.
    pub updated_at: DateTime<Utc>,
    pub return_tracking_no: Option<String>,
    pub intervention: Option<Intervention>,
    /// The platform's own revision of the request, quoted back when answering it (Taobao's
    /// `refund_phase` and `refund_version`).
    pub revision: Option<String>,
}

/// What kesu keeps on the case about the request it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformLink {
    pub platform: Platform,
    pub shop: String,
    pub request_id: String,
    pub kind: AfterSaleKind,
    /// The platform's own status code, as last read.
    pub status: String,
    pub stage: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<Cents>,
    /// The amount asked is more than is left to refund on the order: not to be trusted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub amount_over_paid: bool,
    /// kesu has no such order: the agent must find it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub order_missing: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_tracking_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention: Option<Intervention>,
    /// The platform's revision of the request, as last read (quoted back in answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The platform's time of the state last applied.
    pub updated_at: DateTime<Utc>,
}

impl PlatformLink {
    /// The link of a new case. `left_to_refund`: the cash still refundable on the order, or
    /// `None` when kesu does not know the order.
    pub fn new(request: &Request, left_to_refund: Option<Cents>) -> PlatformLink {
        PlatformLink {
            platform: request.platform,
            shop: request.shop.clone(),
            request_id: request.request_id.clone(),
            kind: request.kind,
            status: request.status.clone(),
            stage: request.stage,
            amount_cents: request.amount,
            amount_over_paid: over_paid(request.amount, left_to_refund),
            order_missing: request.order_no.is_some() && left_to_refund.is_none(),
            deadline: request.deadline,
            return_tracking_no: request.return_tracking_no.clone(),
            intervention: request.intervention.clone(),
            revision: request.revision.clone(),
            updated_at: request.updated_at,
        }
    }

    /// The platform's deadline the shop must meet now, if its countdown runs.
    pub fn running_deadline(&self) -> Option<DateTime<Utc>> {
        if !self.stage.seller_must_act() {
            return None;
        }
        let evidence_by = self.intervention.as_ref().and_then(|i| i.by);
        match (self.deadline, evidence_by) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }
}

/// What a platform answered instead of what was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// Called too often: wait before the next call.
    RateLimited(String),
    /// The shop's access token is no longer valid: an admin must enter a new one.
    TokenExpired(String),
    /// Any other error the platform reported, with its code and words.
    Platform { code: i64, message: String },
    /// Not the platform's JSON at all.
    Garbage(String),
    /// The platform could not be reached, or its answer was cut off.
    Unreachable(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::RateLimited(m) => write!(f, "rate limited by the platform: {m}"),
            ApiError::TokenExpired(m) => write!(f, "the access token is no longer valid: {m}"),
            ApiError::Platform { code, message } => write!(f, "platform error {code}: {message}"),
            ApiError::Garbage(m) => write!(f, "not the platform's answer: {m}"),
            ApiError::Unreachable(m) => write!(f, "{m}"),
        }
    }
}

/// A time as the Chinese platforms write it, `2026-12-06 10:05:00`, in Beijing time.
pub(crate) fn beijing_time(raw: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(raw.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    FixedOffset::east_opt(8 * 3600)
        .expect("+08:00 is a valid offset")
        .from_local_datetime(&naive)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The windows of update time a polled sync reads, oldest first: from `overlap` before
/// `cursor` up to `now`, none longer than `max`. A connector down for a day reads the day
/// back in steps; reading a change twice changes nothing.
pub fn time_windows(
    cursor: DateTime<Utc>,
    now: DateTime<Utc>,
    max: chrono::Duration,
    overlap: chrono::Duration,
) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    let mut out = Vec::new();
    let mut start = cursor - overlap;
    while start < now {
        let end = (start + max).min(now);
        out.push((start, end));
        start = end;
    }
    out
}

fn over_paid(amount: Option<Cents>, left: Option<Cents>) -> bool {
    matches!((amount, left), (Some(a), Some(l)) if a > l)
}

#[cfg(test)]
mod tests;
