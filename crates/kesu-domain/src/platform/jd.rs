//! JD (京东) after-sales services, as its open platform (JOS) gives them: the service list
//! (`jingdong.asc.query.list`) read in windows of update time, and each service's detail
//! (`jingdong.asc.query.view`). Everything here is the protocol's rules; the connector in the
//! application layer does the calls.
//!
//! Field mapping (JD → kesu):
//!
//! | JD | kesu |
//! | --- | --- |
//! | `serviceId` | `request_id` |
//! | `orderId` | `order_no` |
//! | `customerExpect` 10 / 20 / 30 / 80 / 90 | `kind` return_refund / exchange / repair / reship / refund_only |
//! | `serviceStatus` (see [`stage`]); `jdInterveneFlag` | `stage`, the number kept as `status` |
//! | `questionTypeName`, `questionDesc` | `reason`, `words` |
//! | `questionPic` (comma-separated) | `images` |
//! | `refundAmount` (元) | `amount_cents` |
//! | `expressCode` | `return_tracking_no` |
//! | `approveDeadline` (or `auditDeadline`) | `deadline` |
//! | `updateTime` | `updated_at` |
//! | `sysVersion` | `revision`, quoted back in answers |

use chrono::{DateTime, Duration, TimeZone, Utc};
use serde_json::Value;

use super::{beijing_time, AfterSaleKind, Answer, ApiError, Call, Intervention, Platform};
use super::{PlatformLink, Request, Stage, Unsupported};
use crate::money::parse_yuan;
use crate::order::OrderNo;

/// The longest window of update time one list call asks for.
pub const MAX_WINDOW_MINUTES: i64 = 60;
/// How far back each sync starts before where the last one ended.
pub const OVERLAP_MINUTES: i64 = 5;
/// The largest page kesu asks for.
pub const PAGE_SIZE: i64 = 50;

/// The windows of update time a sync reads (see [`super::time_windows`]).
pub fn windows(cursor: DateTime<Utc>, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
    super::time_windows(
        cursor,
        now,
        Duration::minutes(MAX_WINDOW_MINUTES),
        Duration::minutes(OVERLAP_MINUTES),
    )
}

/// The kind of a `customerExpect`, `None` for one kesu does not take.
pub fn kind(customer_expect: i64) -> Option<AfterSaleKind> {
    match customer_expect {
        10 => Some(AfterSaleKind::ReturnRefund),
        20 => Some(AfterSaleKind::Exchange),
        30 => Some(AfterSaleKind::Repair),
        80 => Some(AfterSaleKind::Reship),
        90 => Some(AfterSaleKind::RefundOnly),
        _ => None,
    }
}

/// kesu's stage for a `serviceStatus`.
pub fn stage(service_status: i64) -> Stage {
    match service_status {
        // 待审核
        10001 => Stage::AwaitingSeller,
        // 待客户反馈；待收货（客户寄回中）；待用户确认
        10002 | 10005 | 10011 => Stage::AwaitingReturn,
        // 待处理：商家已收到寄回的商品
        10006 => Stage::Returned,
        // 审核不通过（审核关闭）
        10004 => Stage::Refused,
        // 京东介入
        10012 => Stage::Intervened,
        // 已完成
        10010 => Stage::Done,
        // 已取消
        10009 => Stage::Closed,
        _ => Stage::Other,
    }
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

/// A JD time: epoch milliseconds, or `yyyy-MM-dd HH:mm:ss` in Beijing time.
fn time(v: Option<&Value>) -> Option<DateTime<Utc>> {
    match v? {
        Value::Number(n) => n
            .as_i64()
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single()),
        Value::String(s) => s
            .trim()
            .parse::<i64>()
            .ok()
            .and_then(|ms| Utc.timestamp_millis_opt(ms).single())
            .or_else(|| beijing_time(s)),
        _ => None,
    }
}

/// JD's codes for "called too often" and for an access token no longer valid.
const RATE_LIMIT_CODES: &[i64] = &[67, 68];
const TOKEN_CODES: &[i64] = &[19, 20];

/// The `result` of a JOS answer under `<method with _>_responce` (JD's own spelling), or the
/// error JD answered instead.
pub fn parse_result(body: &[u8], method: &str) -> Result<Value, ApiError> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| ApiError::Garbage(format!("not JSON: {e}")))?;
    if let Some(err) = value.get("error_response") {
        let code = err.get("code").and_then(as_i64).unwrap_or(0);
        let message = ["zh_desc", "en_desc"]
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
    let key = format!("{}_responce", method.replace('.', "_"));
    let result = value
        .get(&key)
        .and_then(|r| r.get("result"))
        .ok_or_else(|| ApiError::Garbage(format!("no {key}.result")))?;
    if result.get("success").and_then(Value::as_bool) == Some(false) {
        return Err(ApiError::Platform {
            code: result.get("errorCode").and_then(as_i64).unwrap_or(0),
            message: result
                .get("errorMsg")
                .and_then(Value::as_str)
                .unwrap_or("refused without a reason")
                .to_owned(),
        });
    }
    Ok(result.clone())
}

/// A page of the service list: its total and each service's id.
pub fn parse_list(body: &[u8]) -> Result<(i64, Vec<String>), ApiError> {
    let result = parse_result(body, "jingdong.asc.query.list")?;
    let total = result.get("totalCount").and_then(as_i64).unwrap_or(0);
    let ids = result
        .get("data")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|s| s.get("serviceId").and_then(text))
        .collect();
    Ok((total, ids))
}

/// A service as `jingdong.asc.query.view` gives it.
pub fn parse_view(body: &[u8]) -> Result<Value, ApiError> {
    let result = parse_result(body, "jingdong.asc.query.view")?;
    result
        .get("data")
        .cloned()
        .filter(Value::is_object)
        .ok_or_else(|| ApiError::Garbage("no data".into()))
}

/// The request a service describes.
pub fn request(service: &Value, shop: &str) -> Result<Request, String> {
    let field = |k: &str| service.get(k);
    let request_id = field("serviceId")
        .and_then(text)
        .ok_or("a service without an id")?;
    let expect = field("customerExpect")
        .and_then(as_i64)
        .ok_or("no customerExpect")?;
    let kind = kind(expect).ok_or_else(|| format!("customer expectation {expect} is not taken"))?;
    let status = field("serviceStatus")
        .and_then(as_i64)
        .ok_or("no serviceStatus")?;
    let updated_at = time(field("updateTime")).ok_or("no updateTime")?;
    let mut stage = stage(status);
    if field("jdInterveneFlag").and_then(as_i64) == Some(1) && !stage.is_final() {
        stage = Stage::Intervened;
    }
    let words = |k: &str| {
        field(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let images = words("questionPic")
        .map(|pics| {
            pics.split(',')
                .map(str::trim)
                .filter(|u| u.starts_with("https://") || u.starts_with("http://"))
                .take(9)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(Request {
        platform: Platform::Jd,
        shop: shop.to_owned(),
        request_id,
        order_no: field("orderId")
            .and_then(text)
            .and_then(|o| OrderNo::parse("orderId", &o).ok()),
        kind,
        status: status.to_string(),
        stage,
        reason: words("questionTypeName").unwrap_or_default().to_owned(),
        words: words("questionDesc").map(str::to_owned),
        amount: field("refundAmount").and_then(|v| match v {
            Value::String(s) => parse_yuan(s).ok(),
            Value::Number(n) => parse_yuan(&n.to_string()).ok(),
            _ => None,
        }),
        buyer_name: None,
        buyer_phone: None,
        deadline: time(field("approveDeadline")).or_else(|| time(field("auditDeadline"))),
        images,
        updated_at,
        return_tracking_no: words("expressCode").map(str::to_owned),
        intervention: (stage == Stage::Intervened).then(|| Intervention {
            asked: Some("京东客服已介入，请在京麦后台按要求举证".to_owned()),
            by: None,
        }),
        revision: field("sysVersion").and_then(text),
    })
}

/// The call for an answer: `jingdong.asc.audit.refuse` (审核不通过, with the reason as
/// `approveNotes`) or `jingdong.asc.audit.send` (客户发货: the buyer sends the goods back to
/// `returnDetailAddress`). Agreeing a refund outright and messaging the buyer are done in
/// JD's 京麦 backend.
pub fn answer_call(
    link: &PlatformLink,
    order_no: Option<&str>,
    answer: &Answer,
) -> Result<Call, Unsupported> {
    let mut fields = serde_json::json!({
        "serviceId": link.request_id,
        "orderId": order_no.unwrap_or_default(),
        "sysVersion": link.revision.clone().unwrap_or_default(),
    });
    let method = match answer {
        Answer::Refuse { reason, evidence } => {
            fields["approveNotes"] = match evidence {
                Some(e) => format!("{reason}；{e}"),
                None => reason.clone(),
            }
            .into();
            "jingdong.asc.audit.refuse"
        }
        Answer::AgreeReturn { address, note } => {
            fields["returnDetailAddress"] = address.clone().into();
            fields["approveNotes"] = note.clone().unwrap_or_default().into();
            "jingdong.asc.audit.send"
        }
        Answer::AgreeRefund { .. } | Answer::Message { .. } => {
            return Err(Unsupported(
                "kesu agrees JD refunds and messages buyers only in JD's 京麦 backend".into(),
            ))
        }
    };
    Ok(Call {
        method: method.to_owned(),
        fields,
    })
}

#[cfg(test)]
#[path = "jd_tests.rs"]
mod tests;
