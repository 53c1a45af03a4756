//! Douyin shop (抖店) after-sales, as its open platform gives them: pushed messages (`tag`
//! 200–213 for after-sales, each naming an `aftersale_id`) signed with the app's secret, and
//! the after-sale's detail (`afterSale.Detail`) read for what it now is. Everything here is
//! the protocol's rules; the connector in the application layer receives and calls.
//!
//! Field mapping (Douyin → kesu):
//!
//! | Douyin | kesu |
//! | --- | --- |
//! | `after_sale_info.after_sale_id` | `request_id` |
//! | `order_info.shop_order_id` | `order_no` |
//! | `after_sale_type` 0 / 1, 2 / 3 / 7 / 8 | `kind` return_refund / refund_only / exchange / reship / repair |
//! | `after_sale_status` (see [`stage`]); `arbitrate_info` in progress | `stage`, the number kept as `status` |
//! | `reason`, `reason_remark` | `reason`, `words` |
//! | `refund_amount` (分) | `amount_cents` |
//! | `evidence` | `images` |
//! | `return_logistics_code` | `return_tracking_no` |
//! | `status_deadline` (unix seconds) | `deadline` |
//! | `arbitrate_evidence_tmpl.describe`, `.dead_line` | `intervention` |
//! | `update_time` (unix seconds) | `updated_at` |

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use super::{AfterSaleKind, Answer, ApiError, Call, Intervention, Platform, Request, Stage};
use super::{PlatformLink, Unsupported};
use crate::money::Cents;
use crate::order::OrderNo;

/// The after-sales tags of pushed messages.
pub const AFTER_SALE_TAGS: std::ops::RangeInclusive<i64> = 200..=213;

/// The kind of an `after_sale_type`, `None` for one kesu does not take (cancellations, price
/// protection).
pub fn kind(after_sale_type: i64) -> Option<AfterSaleKind> {
    match after_sale_type {
        0 => Some(AfterSaleKind::ReturnRefund),
        1 | 2 => Some(AfterSaleKind::RefundOnly),
        3 => Some(AfterSaleKind::Exchange),
        7 => Some(AfterSaleKind::Reship),
        8 => Some(AfterSaleKind::Repair),
        _ => None,
    }
}

/// kesu's stage for an `after_sale_status`.
pub fn stage(after_sale_status: i64) -> Stage {
    match after_sale_status {
        // 待商家同意；换货待商家发货
        6 | 8 => Stage::AwaitingSeller,
        // 待买家退货；换货、补寄待买家收货
        7 | 3 | 13 => Stage::AwaitingReturn,
        // 待商家收货
        11 => Stage::Returned,
        // 商家拒绝售后申请；退货后拒绝退款
        27 | 29 => Stage::Refused,
        // 售后成功；订单取消成功（已退款）
        12 | 51 => Stage::Refunded,
        // 换货成功；逆向交易完成
        14 | 53 => Stage::Done,
        // 售后关闭
        28 => Stage::Closed,
        _ => Stage::Other,
    }
}

/// One pushed message: its tag and the after-sale it names; `None` when it is not an
/// after-sales message or names none.
pub fn pushed_after_sale(message: &Value) -> Option<String> {
    let tag = message.get("tag").and_then(as_i64)?;
    if !AFTER_SALE_TAGS.contains(&tag) {
        return None;
    }
    let data: Value = match message.get("data")? {
        Value::String(raw) => serde_json::from_str(raw).ok()?,
        other => other.clone(),
    };
    text(data.get("aftersale_id")?)
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn unix(v: Option<&Value>) -> Option<DateTime<Utc>> {
    v.and_then(as_i64)
        .filter(|s| *s > 0)
        .and_then(|s| Utc.timestamp_opt(s, 0).single())
}

/// Douyin's codes for "called too often" and for an access token no longer valid.
const RATE_LIMIT_CODES: &[i64] = &[90000, 40003];
const TOKEN_CODES: &[i64] = &[30001, 30002, 30005];

/// The `data` of an answer of Douyin's gateway, or the error it answered instead (`err_no` 0
/// or `code` 10000 is success).
pub fn parse_data(body: &[u8]) -> Result<Value, ApiError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::Garbage(format!("not JSON: {e}")))?;
    let err_no = value.get("err_no").and_then(as_i64);
    let code = value.get("code").and_then(as_i64);
    let ok = err_no == Some(0) || code == Some(10000);
    if !ok {
        let code = err_no.or(code).unwrap_or(-1);
        if err_no.is_none() && value.get("code").is_none() {
            return Err(ApiError::Garbage("neither err_no nor code".into()));
        }
        let message = ["message", "msg", "sub_code", "sub_msg"]
            .iter()
            .filter_map(|k| value.get(*k).and_then(Value::as_str))
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
    Ok(value.get("data").cloned().unwrap_or(Value::Null))
}

/// The request an `afterSale.Detail` answer's `data` describes.
pub fn request(data: &Value, shop: &str) -> Result<Request, String> {
    let info = data
        .pointer("/process_info/after_sale_info")
        .ok_or("no after_sale_info")?;
    let request_id = info
        .get("after_sale_id")
        .and_then(text)
        .ok_or("an after-sale without an id")?;
    let after_sale_type = info
        .get("after_sale_type")
        .and_then(as_i64)
        .ok_or("no after_sale_type")?;
    let kind = kind(after_sale_type)
        .ok_or_else(|| format!("after-sale type {after_sale_type} is not taken"))?;
    let status = info
        .get("after_sale_status")
        .and_then(as_i64)
        .ok_or("no after_sale_status")?;
    let updated_at = unix(info.get("update_time")).ok_or("no update_time")?;
    let arbitration = data
        .pointer("/process_info/arbitrate_info")
        .filter(|a| matches!(a.get("arbitrate_status").and_then(as_i64), Some(1..=3)));
    let mut stage = stage(status);
    let intervention = arbitration.filter(|_| !stage.is_final()).map(|a| {
        stage = Stage::Intervened;
        let tmpl = a.get("arbitrate_evidence_tmpl");
        Intervention {
            asked: tmpl
                .and_then(|t| t.get("describe"))
                .and_then(Value::as_str)
                .map(str::to_owned)
                .or_else(|| Some("抖店平台客服仲裁中，请上传凭证".to_owned())),
            by: unix(tmpl.and_then(|t| t.get("dead_line"))),
        }
    });
    let images = info
        .get("evidence")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
        .take(9)
        .map(str::to_owned)
        .collect();
    let words = |k: &str| {
        info.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    Ok(Request {
        platform: Platform::Douyin,
        shop: shop.to_owned(),
        request_id,
        order_no: data
            .pointer("/order_info/shop_order_id")
            .and_then(text)
            .and_then(|o| OrderNo::parse("shop_order_id", &o).ok()),
        kind,
        status: status.to_string(),
        stage,
        reason: words("reason").unwrap_or_default(),
        words: words("reason_remark"),
        amount: info
            .get("refund_amount")
            .and_then(as_i64)
            .filter(|a| *a >= 0)
            .map(Cents::new),
        buyer_name: None,
        buyer_phone: None,
        deadline: unix(info.get("status_deadline")),
        images,
        updated_at,
        return_tracking_no: words("return_logistics_code"),
        intervention,
        revision: None,
    })
}

/// The call for an answer: `afterSale.operate` with Douyin's operation type (201/202 agree or
/// refuse a refund only, 101/102 agree or refuse a return, 111/112 agree or refuse the refund
/// once the goods came back). Douyin has no method to message the buyer.
pub fn answer_call(link: &PlatformLink, answer: &Answer) -> Result<Call, Unsupported> {
    let refund_only = link.kind == AfterSaleKind::RefundOnly;
    let returned = link.stage == Stage::Returned;
    let (kind, remark, extra) = match answer {
        Answer::AgreeRefund { note } if refund_only => (201, note.clone(), None),
        Answer::AgreeRefund { note } => (111, note.clone(), None),
        Answer::Refuse { reason, evidence } => (
            if refund_only {
                202
            } else if returned {
                112
            } else {
                102
            },
            Some(match evidence {
                Some(e) => format!("{reason}；{e}"),
                None => reason.clone(),
            }),
            None,
        ),
        Answer::AgreeReturn { address, note } => (101, note.clone(), Some(address.clone())),
        Answer::Message { .. } => {
            return Err(Unsupported(
                "Douyin's open platform cannot message the buyer: do it in the 抖店 backend".into(),
            ))
        }
    };
    let mut item = serde_json::json!({
        "aftersale_id": link.request_id,
        "remark": remark.unwrap_or_default(),
    });
    if let Some(address) = extra {
        item["receiver_address"] = address.into();
    }
    Ok(Call {
        method: "afterSale.operate".to_owned(),
        fields: serde_json::json!({ "type": kind, "items": [item] }),
    })
}

#[cfg(test)]
#[path = "douyin_tests.rs"]
mod tests;
