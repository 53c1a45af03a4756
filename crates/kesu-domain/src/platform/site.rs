//! The shop's own site as a source of after-sales requests: kesu's JSON push
//! (`POST /api/v1/platforms/site/{shop}/events`), checked field by field and named as sent.
//!
//! `status` is the site's own word. kesu understands the usual ones (see [`stage_of`]) and
//! keeps any other as it came, so a site with its own vocabulary loses nothing.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use super::{AfterSaleKind, Intervention, Platform, Request, Stage};
use crate::error::{FieldError, Problem};
use crate::money::Cents;
use crate::order::OrderNo;
use crate::personal::{PersonName, Phone};
use crate::text::is_refused_control;

/// Most photos taken from one request.
pub const MAX_IMAGES: usize = 9;
/// Largest amount believed at all (a hundred million yuan).
const MAX_AMOUNT_CENTS: i64 = 10_000_000_000;

/// A push as the site sends it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SitePush {
    /// The site's id of the request: one case per shop and id.
    pub request_id: String,
    #[serde(default)]
    pub order_no: Option<String>,
    /// `refund_only`, `return_refund`, `exchange` or `reship`.
    pub kind: String,
    /// The site's status of the request (e.g. `waiting_seller`, `buyer_returned`,
    /// `intervened`, `refunded`, `closed`).
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub amount_cents: Option<i64>,
    #[serde(default)]
    pub buyer: Option<SiteBuyer>,
    /// The site's countdown for the shop (RFC 3339).
    #[serde(default)]
    pub deadline: Option<String>,
    /// Photo addresses (http or https).
    #[serde(default)]
    pub images: Vec<String>,
    /// When the request reached this state on the site (RFC 3339): changes apply in its order.
    pub updated_at: String,
    /// What the buyer wrote.
    #[serde(default)]
    pub message: Option<String>,
    /// The tracking number of the goods the buyer sent back.
    #[serde(default)]
    pub return_tracking_no: Option<String>,
    /// When the site's arbiter stepped in: the evidence it asks for, and by when (RFC 3339).
    #[serde(default)]
    pub evidence_asked: Option<String>,
    #[serde(default)]
    pub evidence_by: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SiteBuyer {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// kesu's stage for a site's status word; the common words of the platforms are understood.
pub fn stage_of(status: &str) -> Stage {
    match status.trim().to_ascii_lowercase().as_str() {
        "waiting_seller" | "wait_seller_agree" | "pending" | "requested" | "open" | "new"
        | "buyer_modified" | "modified" => Stage::AwaitingSeller,
        "seller_agreed"
        | "agreed"
        | "waiting_return"
        | "wait_buyer_return"
        | "waiting_buyer_return" => Stage::AwaitingReturn,
        "buyer_returned" | "returned" | "wait_seller_confirm_goods" | "goods_returned" => {
            Stage::Returned
        }
        "seller_refused" | "refused" | "seller_refuse_buyer" => Stage::Refused,
        "intervened" | "platform_intervened" | "arbitration" | "dispute" | "cs_intervened" => {
            Stage::Intervened
        }
        "refunding" | "refund_agreed" => Stage::Refunding,
        "refunded" | "success" | "refund_success" => Stage::Refunded,
        "done" | "completed" | "exchanged" | "reshipped" | "repaired" => Stage::Done,
        "closed" | "cancelled" | "canceled" | "withdrawn" | "refund_closed" => Stage::Closed,
        _ => Stage::Other,
    }
}

impl SitePush {
    /// The request, or every problem with the push at once.
    pub fn parse(self, shop: &str) -> Result<Request, Vec<FieldError>> {
        let mut errors = Vec::new();
        let request_id = short(&mut errors, "request_id", &self.request_id, 64);
        let order_no = match self.order_no.as_deref().map(str::trim) {
            None | Some("") => Some(None),
            Some(o) => keep(&mut errors, OrderNo::parse("order_no", o)).map(Some),
        };
        let kind = AfterSaleKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.push(FieldError::new(
                "kind",
                Problem::NotOneOf {
                    allowed: "refund_only, return_refund, exchange, reship, repair".into(),
                },
            ));
        }
        let status = short(&mut errors, "status", &self.status, 64);
        let reason = text(&mut errors, "reason", self.reason.as_deref(), 500);
        let words = text(&mut errors, "message", self.message.as_deref(), 2000);
        let amount = match self.amount_cents {
            Some(a) if a < 0 => {
                errors.push(FieldError::new("amount_cents", Problem::Negative));
                None
            }
            Some(a) if a > MAX_AMOUNT_CENTS => {
                errors.push(FieldError::new(
                    "amount_cents",
                    Problem::Range {
                        min: 0,
                        max: MAX_AMOUNT_CENTS,
                    },
                ));
                None
            }
            a => a.map(Cents::new),
        };
        let buyer = self.buyer.unwrap_or_default();
        let buyer_name = match buyer.name.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(n) => keep(&mut errors, PersonName::parse("buyer.name", n)).map(|_| n.to_owned()),
        };
        let buyer_phone = match buyer.phone.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(p) => keep(&mut errors, Phone::parse("buyer.phone", p)).map(|_| p.to_owned()),
        };
        let deadline = time(&mut errors, "deadline", self.deadline.as_deref());
        let updated_at = time(&mut errors, "updated_at", Some(&self.updated_at));
        let evidence_by = time(&mut errors, "evidence_by", self.evidence_by.as_deref());
        let evidence_asked = text(
            &mut errors,
            "evidence_asked",
            self.evidence_asked.as_deref(),
            500,
        );
        let return_tracking_no = match self.return_tracking_no.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(t) => keep(
                &mut errors,
                crate::text::identifier("return_tracking_no", t, 40),
            ),
        };
        let images = images(&mut errors, &self.images);
        let stage = stage_of(&self.status);
        match (
            request_id,
            kind,
            status,
            updated_at,
            order_no,
            errors.is_empty(),
        ) {
            (
                Some(request_id),
                Some(kind),
                Some(status),
                Some(updated_at),
                Some(order_no),
                true,
            ) => {
                let intervention =
                    (evidence_asked.is_some() || evidence_by.is_some()).then_some(Intervention {
                        asked: evidence_asked,
                        by: evidence_by,
                    });
                Ok(Request {
                    platform: Platform::Site,
                    shop: shop.to_owned(),
                    request_id,
                    order_no,
                    kind,
                    status,
                    stage,
                    reason: reason.unwrap_or_default(),
                    words,
                    amount,
                    buyer_name,
                    buyer_phone,
                    deadline,
                    images,
                    updated_at,
                    return_tracking_no,
                    intervention,
                    revision: None,
                })
            }
            _ => Err(errors),
        }
    }
}

fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// A required short value: trimmed, 1..=max characters, no control characters.
fn short(errors: &mut Vec<FieldError>, field: &str, raw: &str, max: usize) -> Option<String> {
    let v = raw.trim();
    if v.is_empty() || v.chars().count() > max {
        errors.push(FieldError::new(
            field,
            Problem::Length {
                min: 1,
                max: max as i64,
            },
        ));
        return None;
    }
    if v.chars().any(is_refused_control) {
        errors.push(FieldError::new(field, Problem::ControlCharacter));
        return None;
    }
    Some(v.to_owned())
}

/// Optional free text: blank is `None`, at most `max` characters, no control characters.
fn text(
    errors: &mut Vec<FieldError>,
    field: &str,
    raw: Option<&str>,
    max: usize,
) -> Option<String> {
    let v = raw.map(str::trim).filter(|v| !v.is_empty())?;
    short(errors, field, v, max)
}

fn time(errors: &mut Vec<FieldError>, field: &str, raw: Option<&str>) -> Option<DateTime<Utc>> {
    let v = raw.map(str::trim).filter(|v| !v.is_empty())?;
    match DateTime::parse_from_rfc3339(v) {
        Ok(t) => Some(t.with_timezone(&Utc)),
        Err(_) => {
            errors.push(FieldError::explained(
                field,
                Problem::Format,
                "is not a time in RFC 3339 form (2026-11-23T10:00:00+08:00)",
            ));
            None
        }
    }
}

fn images(errors: &mut Vec<FieldError>, raw: &[String]) -> Vec<String> {
    if raw.len() > MAX_IMAGES {
        errors.push(FieldError::new(
            "images",
            Problem::TooMany {
                max: MAX_IMAGES as i64,
            },
        ));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, url) in raw.iter().enumerate() {
        let url = url.trim();
        let web = url.starts_with("https://") || url.starts_with("http://");
        if !web || url.len() > 2000 || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
            errors.push(FieldError::explained(
                &format!("images[{i}]"),
                Problem::Format,
                "is not an http or https address",
            ));
        } else {
            out.push(url.to_owned());
        }
    }
    out
}

/// What kesu posts to the site's answer address (CONTRACT §10): the request, the answer with
/// its fields, and the answer's key (the site may see a retried answer again).
pub fn answer_call(link: &super::PlatformLink, answer: &super::Answer, key: &str) -> super::Call {
    let mut fields = serde_json::to_value(answer).expect("answers serialise");
    if let Some(object) = fields.as_object_mut() {
        object.insert("request_id".into(), link.request_id.clone().into());
        object.insert("shop".into(), link.shop.clone().into());
        object.insert("answer_key".into(), key.into());
    }
    super::Call {
        method: format!("kesu.answer.{}", answer.code()),
        fields,
    }
}
