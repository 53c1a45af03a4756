//! Taobao and Tmall refunds, as the Taobao Open Platform (TOP) gives them: the refund topics of
//! the message channel (TMC, `taobao_refund_*`, read with `taobao.tmc.messages.consume`) say
//! which refund changed, and the refund's detail (`taobao.refund.get`) and its messages
//! (`taobao.refund.messages.get`) say what it now is. Everything here is the protocol's
//! rules; the connector in the application layer does the calls.
//!
//! Field mapping (Taobao → kesu):
//!
//! | Taobao | kesu |
//! | --- | --- |
//! | `refund_id` | `request_id` |
//! | `tid` | `order_no` |
//! | `has_good_return` true / false | `kind` return_refund / refund_only |
//! | `status` (see [`stage`]), `cs_status` 2–5 | `stage`, the status kept as `status` |
//! | `reason`, `desc` | `reason`, `words` |
//! | buyer's messages (`owner_role` 1): `content`, `pic_urls` | `words`, `images` |
//! | `refund_fee` (元) | `amount_cents` |
//! | `sid` | `return_tracking_no` |
//! | `refund_remind_timeout.timeout` (when `exist_timeout`) | `deadline` |
//! | `modified` (北京时间) | `updated_at` |
//! | `refund_phase`, `refund_version` | `revision`, quoted back in answers |

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use super::{
    beijing_time, AfterSaleKind, Answer, ApiError, Call, Intervention, Platform, Request, Stage,
    Unsupported,
};
use crate::money::parse_yuan;
use crate::order::OrderNo;

/// The prefix of the refund topics of the message channel.
pub const REFUND_TOPIC_PREFIX: &str = "taobao_refund_";
/// Messages taken in one consume call (TOP's largest).
pub const CONSUME_QUANTITY: i64 = 100;

/// kesu's stage for a refund's `status`, with the platform stepping in (`cs_status` 2 需要
/// 客服介入, 3 客服已经介入, 4 客服初审完成, 5 客服主管复审失败) first.
pub fn stage(status: &str, cs_status: Option<i64>) -> Stage {
    if matches!(cs_status, Some(2..=5)) && !matches!(status, "SUCCESS" | "CLOSED") {
        return Stage::Intervened;
    }
    match status {
        "WAIT_SELLER_AGREE" => Stage::AwaitingSeller,
        "WAIT_BUYER_RETURN_GOODS" => Stage::AwaitingReturn,
        "WAIT_SELLER_CONFIRM_GOODS" => Stage::Returned,
        "SELLER_REFUSE_BUYER" => Stage::Refused,
        "SUCCESS" => Stage::Refunded,
        "CLOSED" => Stage::Closed,
        _ => Stage::Other,
    }
}

/// One message of the channel (only the fields kesu reads).
#[derive(Debug, Clone, Deserialize)]
pub struct TmcMessage {
    pub id: Value,
    pub topic: String,
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub pub_time: Option<String>,
}

impl TmcMessage {
    /// The message's id as TOP confirms it.
    pub fn id(&self) -> String {
        match &self.id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        }
    }

    /// The refund a refund topic is about; `None` for any other topic or a content without it.
    pub fn refund_id(&self) -> Option<String> {
        if !self.topic.starts_with(REFUND_TOPIC_PREFIX) {
            return None;
        }
        let content: Value = serde_json::from_str(self.content.as_deref()?).ok()?;
        match content.get("refund_id")? {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }

    pub fn published_at(&self) -> Option<DateTime<Utc>> {
        self.pub_time.as_deref().and_then(beijing_time)
    }
}

/// TOP's codes for "called too often" and for a session (access token) no longer valid.
const RATE_LIMIT_CODES: &[i64] = &[7];
const SESSION_CODES: &[i64] = &[26, 27];

/// The body of a TOP answer under `key`, or the error TOP answered instead.
fn response<'a>(value: &'a Value, key: &str) -> Result<&'a Value, ApiError> {
    if let Some(err) = value.get("error_response") {
        let code = err.get("code").and_then(as_i64).unwrap_or(0);
        let message = ["msg", "sub_code", "sub_msg"]
            .iter()
            .filter_map(|k| err.get(*k).and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("; ");
        let sub = err.get("sub_code").and_then(Value::as_str).unwrap_or("");
        return Err(
            if RATE_LIMIT_CODES.contains(&code) || sub.contains("limited") {
                ApiError::RateLimited(message)
            } else if SESSION_CODES.contains(&code) || sub.contains("sessionkey") {
                ApiError::TokenExpired(message)
            } else {
                ApiError::Platform { code, message }
            },
        );
    }
    value
        .get(key)
        .ok_or_else(|| ApiError::Garbage(format!("no {key}")))
}

fn json(body: &[u8]) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| ApiError::Garbage(format!("not JSON: {e}")))
}

fn as_i64(v: &Value) -> Option<i64> {
    v.as_i64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// Reads an answer of `taobao.tmc.messages.consume`.
pub fn parse_consumed(body: &[u8]) -> Result<Vec<TmcMessage>, ApiError> {
    let value = json(body)?;
    let page = response(&value, "tmc_messages_consume_response")?;
    match page.get("messages").and_then(|m| m.get("tmc_message")) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(list) => serde_json::from_value(list.clone())
            .map_err(|e| ApiError::Garbage(format!("tmc_message: {e}"))),
    }
}

/// Reads an answer that only says whether it worked (`taobao.tmc.messages.confirm`, the
/// answer methods): TOP's error, or `is_success`/`succ`/`success` false, is a failure.
pub fn parse_done(body: &[u8], key: &str) -> Result<(), ApiError> {
    let value = json(body)?;
    let done = response(&value, key)?;
    let flag = ["is_success", "succ", "success"]
        .iter()
        .find_map(|k| done.get(*k).and_then(Value::as_bool));
    match flag {
        Some(false) => Err(ApiError::Platform {
            code: 0,
            message: done
                .get("msg")
                .or_else(|| done.get("message"))
                .and_then(Value::as_str)
                .unwrap_or("refused without a reason")
                .to_owned(),
        }),
        _ => Ok(()),
    }
}

/// The deadline TOP shows the seller.
#[derive(Debug, Clone, Deserialize)]
pub struct RemindTimeout {
    #[serde(default)]
    pub exist_timeout: bool,
    #[serde(default)]
    pub timeout: Option<String>,
}

/// A refund as `taobao.refund.get` gives it (only the fields kesu reads).
#[derive(Debug, Clone, Deserialize)]
pub struct TaobaoRefund {
    pub refund_id: Value,
    #[serde(default)]
    pub tid: Option<Value>,
    pub status: String,
    #[serde(default)]
    pub cs_status: Option<i64>,
    #[serde(default)]
    pub has_good_return: Option<bool>,
    #[serde(default)]
    pub refund_fee: Option<String>,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub desc: Option<String>,
    pub modified: String,
    #[serde(default)]
    pub sid: Option<String>,
    #[serde(default)]
    pub refund_remind_timeout: Option<RemindTimeout>,
    #[serde(default)]
    pub refund_phase: Option<String>,
    #[serde(default)]
    pub refund_version: Option<Value>,
}

/// Reads an answer of `taobao.refund.get`.
pub fn parse_refund(body: &[u8]) -> Result<TaobaoRefund, ApiError> {
    let value = json(body)?;
    let refund = response(&value, "refund_get_response")?
        .get("refund")
        .ok_or_else(|| ApiError::Garbage("no refund".into()))?;
    serde_json::from_value(refund.clone()).map_err(|e| ApiError::Garbage(format!("refund: {e}")))
}

/// The buyer's words and photos from an answer of `taobao.refund.messages.get` (messages of
/// `owner_role` 1, the buyer's; the seller's and Taobao's own are not the complaint).
pub fn parse_buyer_messages(body: &[u8]) -> Result<(Option<String>, Vec<String>), ApiError> {
    let value = json(body)?;
    let list = response(&value, "refund_messages_get_response")?
        .get("refund_messages")
        .and_then(|m| m.get("refund_message"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut words = Vec::new();
    let mut images = Vec::new();
    for m in list
        .iter()
        .filter(|m| m.get("owner_role").and_then(as_i64) == Some(1))
    {
        if let Some(text) = m.get("content").and_then(Value::as_str) {
            if !text.trim().is_empty() {
                words.push(text.trim().to_owned());
            }
        }
        let pics = m
            .get("pic_urls")
            .and_then(|p| p.get("pic_url"))
            .and_then(Value::as_array);
        for url in pics
            .into_iter()
            .flatten()
            .filter_map(|p| p.get("url")?.as_str())
        {
            if (url.starts_with("https://") || url.starts_with("http://")) && images.len() < 9 {
                images.push(url.to_owned());
            }
        }
    }
    let words = (!words.is_empty()).then(|| words.join("\n").chars().take(2000).collect());
    Ok((words, images))
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

impl TaobaoRefund {
    /// The request, with the buyer's words and photos read from the refund's messages.
    pub fn request(
        &self,
        shop: &str,
        words: Option<String>,
        images: Vec<String>,
    ) -> Result<Request, String> {
        let request_id = text(&self.refund_id).ok_or("a refund without an id")?;
        let updated_at = beijing_time(&self.modified)
            .ok_or_else(|| format!("modified `{}` is not a time", self.modified))?;
        let stage = stage(&self.status, self.cs_status);
        let deadline = self
            .refund_remind_timeout
            .as_ref()
            .filter(|r| r.exist_timeout)
            .and_then(|r| r.timeout.as_deref())
            .and_then(beijing_time);
        let intervention = (stage == Stage::Intervened).then(|| Intervention {
            asked: Some(
                match self.cs_status {
                    Some(2) => "买家申请淘宝客服介入，请准备凭证",
                    Some(4) => "淘宝客服初审完成",
                    Some(5) => "淘宝客服主管复审失败",
                    _ => "淘宝客服已介入，请按要求上传凭证",
                }
                .to_owned(),
            ),
            by: None,
        });
        let revision = match (
            &self.refund_phase,
            self.refund_version.as_ref().and_then(text),
        ) {
            (None, None) => None,
            (phase, version) => Some(format!(
                "{}|{}",
                phase.as_deref().unwrap_or(""),
                version.unwrap_or_default()
            )),
        };
        Ok(Request {
            platform: Platform::Taobao,
            shop: shop.to_owned(),
            request_id,
            order_no: self
                .tid
                .as_ref()
                .and_then(text)
                .and_then(|t| OrderNo::parse("tid", &t).ok()),
            kind: if self.has_good_return == Some(true) {
                AfterSaleKind::ReturnRefund
            } else {
                AfterSaleKind::RefundOnly
            },
            status: self.status.clone(),
            stage,
            reason: self.reason.clone().unwrap_or_default(),
            words: words.or_else(|| self.desc.clone().filter(|d| !d.trim().is_empty())),
            amount: self.refund_fee.as_deref().and_then(|f| parse_yuan(f).ok()),
            buyer_name: None,
            buyer_phone: None,
            deadline,
            images,
            updated_at,
            return_tracking_no: self.sid.clone().filter(|s| !s.trim().is_empty()),
            intervention,
            revision,
        })
    }
}

/// The call for an answer: `taobao.rp.refunds.agree` (`refund_infos` =
/// `refund_id|amount in fen|version|phase`), `taobao.refund.refuse`,
/// `taobao.rp.returngoods.agree` (the address as written) and `taobao.refund.message.add`.
pub fn answer_call(link: &super::PlatformLink, answer: &Answer) -> Result<Call, Unsupported> {
    let (phase, version) = link
        .revision
        .as_deref()
        .and_then(|r| r.split_once('|'))
        .unwrap_or(("", ""));
    let id = link.request_id.as_str();
    let (method, fields) = match answer {
        Answer::AgreeRefund { .. } => {
            let amount = link.amount_cents.ok_or_else(|| {
                Unsupported("Taobao agrees a refund of a known amount: the request has none".into())
            })?;
            (
                "taobao.rp.refunds.agree",
                serde_json::json!({
                    "refund_infos": format!("{id}|{}|{version}|{phase}", amount.get()),
                }),
            )
        }
        Answer::Refuse { reason, evidence } => (
            "taobao.refund.refuse",
            serde_json::json!({
                "refund_id": id,
                "refuse_message": match evidence {
                    Some(e) => format!("{reason}；{e}"),
                    None => reason.clone(),
                }.chars().take(200).collect::<String>(),
                "refund_phase": phase,
                "refund_version": version,
            }),
        ),
        Answer::AgreeReturn { address, note } => (
            "taobao.rp.returngoods.agree",
            serde_json::json!({
                "refund_id": id,
                "address": address,
                "remark": note.clone().unwrap_or_default(),
                "refund_phase": phase,
                "refund_version": version,
            }),
        ),
        Answer::Message { text } => (
            "taobao.refund.message.add",
            serde_json::json!({ "refund_id": id, "content": text }),
        ),
    };
    Ok(Call {
        method: method.to_owned(),
        fields,
    })
}

#[cfg(test)]
#[path = "taobao_tests.rs"]
mod tests;
