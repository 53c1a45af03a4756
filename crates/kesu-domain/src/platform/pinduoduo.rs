//! Pinduoduo's after-sales requests, as its open platform gives them: the incremental list
//! (`pdd.refund.list.increment.get`) read in windows of at most 30 minutes of update time,
//! pages of at most 100, and each item read into a [`Request`]. Everything here is the
//! protocol's rules; the connector in the application layer does the calls.
//!
//! Field mapping (Pinduoduo → kesu):
//!
//! | Pinduoduo | kesu |
//! | --- | --- |
//! | `id` (售后编号) | `request_id` |
//! | `order_sn` | `order_no` |
//! | `after_sales_type` 2 仅退款 / 3 退货退款 / 4 换货 / 5 缺货补寄 / 6 维修 | `kind` refund_only / return_refund / exchange / reship / repair |
//! | `after_sales_status` (see [`stage`]) | `stage`, the number kept as `status` |
//! | `after_sale_reason` | `reason` |
//! | `refund_amount` (元, a string or a number) | `amount_cents` |
//! | `tracking_number` | `return_tracking_no` |
//! | `good_image` | `images` |
//! | `updated_time` (北京时间 `YYYY-MM-DD HH:MM:SS`) | `updated_at` |
//! | `expire_time` (unix seconds, when given) | `deadline` |

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{beijing_time, AfterSaleKind, ApiError, Platform, Request, Stage};
use crate::money::parse_yuan;
use crate::order::OrderNo;

/// The longest window of update time one call may ask for.
pub const MAX_WINDOW_MINUTES: i64 = 30;
/// How far back each sync starts before where the last one ended: a change written late on
/// Pinduoduo's side (its clock, its replicas) is still read; reading one twice changes nothing.
pub const OVERLAP_MINUTES: i64 = 5;
/// The largest page Pinduoduo gives.
pub const PAGE_SIZE: i64 = 100;

/// The kind of a request, `None` for a type kesu does not take (`1` means "all", not a kind).
pub fn kind(after_sales_type: i64) -> Option<AfterSaleKind> {
    match after_sales_type {
        2 => Some(AfterSaleKind::RefundOnly),
        3 => Some(AfterSaleKind::ReturnRefund),
        4 => Some(AfterSaleKind::Exchange),
        5 => Some(AfterSaleKind::Reship),
        6 => Some(AfterSaleKind::Repair),
        _ => None,
    }
}

/// kesu's stage for an `after_sales_status`.
pub fn stage(after_sales_status: i64) -> Stage {
    match after_sales_status {
        // 买家申请退款 / 退货退款 / 换货补寄 / 维修 / 补寄发货 / 召回，待商家处理
        2 | 3 | 14 | 21 | 32 | 33 => Stage::AwaitingSeller,
        // 商家或平台同意退款，退款中
        4 | 5 => Stage::Refunding,
        // 驳回退款，待买家处理
        6 => Stage::Refused,
        // 待买家发货 / 处理 / 确认 / 拒收
        7 | 15 | 18 | 22 | 27 | 31 => Stage::AwaitingReturn,
        // 平台处理中
        8 => Stage::Intervened,
        10 => Stage::Refunded,
        // 换货补寄成功 / 维修成功
        16 | 25 => Stage::Done,
        // 平台拒绝、买家撤销、逾期、失败、维修关闭
        9 | 11 | 12 | 13 | 17 | 24 => Stage::Closed,
        _ => Stage::Other,
    }
}

/// One item of `refund_list`, as Pinduoduo sends it (only the fields kesu reads).
#[derive(Debug, Clone, Deserialize)]
pub struct PddRefund {
    pub id: Value,
    #[serde(default)]
    pub order_sn: Option<String>,
    pub after_sales_type: i64,
    pub after_sales_status: i64,
    #[serde(default)]
    pub after_sale_reason: Option<String>,
    #[serde(default)]
    pub refund_amount: Option<Value>,
    #[serde(default)]
    pub tracking_number: Option<String>,
    #[serde(default)]
    pub good_image: Option<String>,
    pub updated_time: String,
    #[serde(default)]
    pub expire_time: Option<i64>,
}

/// A page of the incremental list.
#[derive(Debug, Clone)]
pub struct Page {
    pub total_count: i64,
    pub items: Vec<PddRefund>,
}

/// Pinduoduo's codes for "too often" and for an expired or revoked access token.
const RATE_LIMIT_CODES: &[i64] = &[70031, 70032, 70033, 52101];
const TOKEN_CODES: &[i64] = &[10019, 20031];

/// Reads an answer of `pdd.refund.list.increment.get`.
pub fn parse_page(body: &[u8]) -> Result<Page, ApiError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::Garbage(format!("not JSON: {e}")))?;
    if let Some(err) = value.get("error_response") {
        let code = err.get("error_code").and_then(as_i64).unwrap_or(0);
        let message = ["error_msg", "sub_msg"]
            .iter()
            .filter_map(|k| err.get(*k).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("; ");
        return Err(if RATE_LIMIT_CODES.contains(&code) {
            ApiError::RateLimited(message)
        } else if TOKEN_CODES.contains(&code) {
            ApiError::TokenExpired(message)
        } else {
            ApiError::Platform { code, message }
        });
    }
    let page = value
        .get("refund_increment_get_response")
        .ok_or_else(|| ApiError::Garbage("no refund_increment_get_response".into()))?;
    let total_count = page.get("total_count").and_then(as_i64).unwrap_or(0);
    let items = match page.get("refund_list") {
        None | Some(Value::Null) => Vec::new(),
        Some(list) => serde_json::from_value(list.clone())
            .map_err(|e| ApiError::Garbage(format!("refund_list: {e}")))?,
    };
    Ok(Page { total_count, items })
}

/// Reads the answer to one of the answer methods: `{"response": {"result": {"succ"|"success":
/// bool, "message"}}}`, or an error.
pub fn parse_answer(body: &[u8]) -> Result<(), ApiError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::Garbage(format!("not JSON: {e}")))?;
    if value.get("error_response").is_some() {
        return match parse_page(body) {
            Err(e) => Err(e),
            Ok(_) => Err(ApiError::Garbage("an error without its words".into())),
        };
    }
    let result = value
        .get("response")
        .and_then(|r| r.get("result"))
        .ok_or_else(|| ApiError::Garbage("no response.result".into()))?;
    let ok = ["succ", "success"]
        .iter()
        .find_map(|k| result.get(*k).and_then(Value::as_bool));
    match ok {
        Some(true) => Ok(()),
        _ => Err(ApiError::Platform {
            code: 0,
            message: result
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("refused without a reason")
                .to_owned(),
        }),
    }
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

impl PddRefund {
    /// The request, or why this item cannot be one (a type kesu does not take, a missing id
    /// or time).
    pub fn request(&self, shop: &str) -> Result<Request, String> {
        let request_id = match &self.id {
            Value::Number(n) => n.to_string(),
            Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
            _ => return Err("an item without an id".into()),
        };
        let kind = kind(self.after_sales_type)
            .ok_or_else(|| format!("after-sales type {} is not taken", self.after_sales_type))?;
        let updated_at = beijing_time(&self.updated_time)
            .ok_or_else(|| format!("updated_time `{}` is not a time", self.updated_time))?;
        let order_no = self
            .order_sn
            .as_deref()
            .filter(|s| !s.trim().is_empty())
            .and_then(|s| OrderNo::parse("order_sn", s).ok());
        let amount = self.refund_amount.as_ref().and_then(|v| match v {
            Value::String(s) => parse_yuan(s).ok(),
            Value::Number(n) => parse_yuan(&n.to_string()).ok(),
            _ => None,
        });
        let images = self
            .good_image
            .iter()
            .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
            .cloned()
            .collect();
        Ok(Request {
            platform: Platform::Pinduoduo,
            shop: shop.to_owned(),
            request_id,
            order_no,
            kind,
            status: self.after_sales_status.to_string(),
            stage: stage(self.after_sales_status),
            reason: self.after_sale_reason.clone().unwrap_or_default(),
            words: None,
            amount,
            buyer_name: None,
            buyer_phone: None,
            deadline: self
                .expire_time
                .and_then(|s| Utc.timestamp_opt(s, 0).single()),
            images,
            updated_at,
            return_tracking_no: self
                .tracking_number
                .clone()
                .filter(|t| !t.trim().is_empty()),
            intervention: None,
            revision: None,
        })
    }
}

/// The windows of update time a sync reads, oldest first: from `OVERLAP_MINUTES` before
/// `cursor` up to `now`, none longer than 30 minutes. A connector down for a day reads the
/// day back in 30-minute steps.
pub fn windows(cursor: DateTime<Utc>, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    super::time_windows(
        cursor,
        now,
        Duration::minutes(MAX_WINDOW_MINUTES),
        Duration::minutes(OVERLAP_MINUTES),
    )
}

/// The call for an answer: `pdd.refund.agree` and `pdd.refund.returngoods.agree` (whose
/// address is the id of one of the shop's return addresses on Pinduoduo). Pinduoduo's open
/// platform has no method to refuse or to leave a message: those are answered in its
/// merchant backend.
pub fn answer_call(
    link: &super::PlatformLink,
    order_no: Option<&str>,
    answer: &super::Answer,
) -> Result<super::Call, super::Unsupported> {
    use super::{Answer, Call, Unsupported};
    let order_sn = order_no.ok_or_else(|| {
        Unsupported("Pinduoduo needs the order number: link the case to its order".into())
    })?;
    let (method, mut fields) = match answer {
        Answer::AgreeRefund { note } => (
            "pdd.refund.agree",
            serde_json::json!({ "operate_desc": note.clone().unwrap_or_default() }),
        ),
        Answer::AgreeReturn { address, note } => (
            "pdd.refund.returngoods.agree",
            serde_json::json!({
                "return_address_id": address,
                "operate_desc": note.clone().unwrap_or_default(),
            }),
        ),
        Answer::Refuse { .. } | Answer::Message { .. } => {
            return Err(Unsupported(
                "Pinduoduo's open platform cannot refuse or leave a message: do it in the Pinduoduo merchant backend".into(),
            ))
        }
    };
    fields["after_sales_id"] = link.request_id.clone().into();
    fields["order_sn"] = order_sn.into();
    Ok(Call {
        method: method.to_owned(),
        fields,
    })
}

#[cfg(test)]
#[path = "pinduoduo_tests.rs"]
mod tests;
