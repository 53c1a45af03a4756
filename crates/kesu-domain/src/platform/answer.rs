//! kesu's answers to a platform's after-sales request: agree the refund, refuse it with the
//! reason and the evidence, agree the return with the address to send it to, or leave the
//! buyer a message. Which answer a request takes depends on where it stands on the platform
//! ([`Answer::allowed`]); what goes to the platform is each connector's [`Call`], built
//! before anything is sent, so that a dry run records exactly what would have gone.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{AfterSaleKind, PlatformLink, Stage};
use crate::error::{FieldError, Problem};

/// One answer, as an agent gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "answer", rename_all = "snake_case", deny_unknown_fields)]
pub enum Answer {
    /// 同意退款.
    AgreeRefund {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// 拒绝退款: why, and what shows it.
    Refuse {
        reason: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        evidence: Option<String>,
    },
    /// 同意退货: where the goods go back to.
    AgreeReturn {
        address: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// 留言: words for the buyer on the platform.
    Message { text: String },
}

/// What a connector sends for an answer: the platform's method and its business fields
/// (credentials and signatures are the transport's, and never recorded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Call {
    /// The platform's method, e.g. `pdd.refund.agree`.
    pub method: String,
    pub fields: Value,
}

/// Why a connector cannot send an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsupported(pub String);

impl Answer {
    pub fn code(&self) -> &'static str {
        match self {
            Answer::AgreeRefund { .. } => "agree_refund",
            Answer::Refuse { .. } => "refuse",
            Answer::AgreeReturn { .. } => "agree_return",
            Answer::Message { .. } => "message",
        }
    }

    /// What the agent wrote in it (the message, the reason, the address, the note).
    pub fn words(&self) -> Option<&str> {
        match self {
            Answer::AgreeRefund { note } => note.as_deref(),
            Answer::Refuse { reason, .. } => Some(reason),
            Answer::AgreeReturn { address, .. } => Some(address),
            Answer::Message { text } => Some(text),
        }
    }

    /// Whether the answer decides money (a supervisor's, or an approved decision's).
    pub fn decides_money(&self) -> bool {
        matches!(self, Answer::AgreeRefund { .. } | Answer::Refuse { .. })
    }

    /// Its words checked: required ones present, none too long, no control characters.
    pub fn checked(self) -> Result<Answer, Vec<FieldError>> {
        let mut errors = Vec::new();
        let mut text = |field: &'static str, value: &str, required: bool, max: usize| {
            let v = value.trim();
            if (required && v.is_empty()) || v.chars().count() > max {
                errors.push(FieldError::new(
                    field,
                    Problem::Length {
                        min: i64::from(required),
                        max: max as i64,
                    },
                ));
            } else if v.chars().any(crate::text::is_refused_control) {
                errors.push(FieldError::new(field, Problem::ControlCharacter));
            }
            v.to_owned()
        };
        let answer = match self {
            Answer::AgreeRefund { note } => Answer::AgreeRefund {
                note: opt(note.map(|n| text("note", &n, false, 200))),
            },
            Answer::Refuse { reason, evidence } => Answer::Refuse {
                reason: text("reason", &reason, true, 200),
                evidence: opt(evidence.map(|e| text("evidence", &e, false, 500))),
            },
            Answer::AgreeReturn { address, note } => Answer::AgreeReturn {
                address: text("address", &address, true, 200),
                note: opt(note.map(|n| text("note", &n, false, 200))),
            },
            Answer::Message { text: words } => Answer::Message {
                text: text("text", &words, true, 500),
            },
        };
        if errors.is_empty() {
            Ok(answer)
        } else {
            Err(errors)
        }
    }

    /// Whether the request, where it stands, takes this answer; why not if it does not.
    pub fn allowed(&self, link: &PlatformLink) -> Result<(), String> {
        if link.stage.is_final() {
            return Err("the request is over on the platform".into());
        }
        let refund_kind = matches!(
            link.kind,
            AfterSaleKind::RefundOnly | AfterSaleKind::ReturnRefund
        );
        match self {
            Answer::AgreeRefund { .. } if !refund_kind => {
                Err("only a refund request can be agreed as a refund".into())
            }
            Answer::AgreeRefund { .. } if !link.stage.seller_must_act() => {
                Err("the platform is not waiting on the shop".into())
            }
            Answer::Refuse { .. }
                if !matches!(link.stage, Stage::AwaitingSeller | Stage::Returned) =>
            {
                Err("only a request waiting on the shop can be refused".into())
            }
            Answer::AgreeReturn { .. } if link.kind == AfterSaleKind::RefundOnly => {
                Err("the buyer asked for a refund only, with nothing to send back".into())
            }
            Answer::AgreeReturn { .. } if link.stage != Stage::AwaitingSeller => {
                Err("a return is agreed while the request waits on the shop".into())
            }
            _ => Ok(()),
        }
    }
}

fn opt(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

/// The call that gives `answer` to the platform `link` came from. `order_no`: the case's
/// order; `key`: the answer's own key, unique and stable (sent where the platform takes one,
/// so that a retried call is known as the same answer).
pub fn call(
    link: &PlatformLink,
    order_no: Option<&str>,
    answer: &Answer,
    key: &str,
) -> Result<Call, Unsupported> {
    use super::Platform;
    match link.platform {
        Platform::Site => Ok(super::site::answer_call(link, answer, key)),
        Platform::Pinduoduo => super::pinduoduo::answer_call(link, order_no, answer),
        Platform::Taobao => super::taobao::answer_call(link, answer),
        Platform::Douyin => super::douyin::answer_call(link, answer),
        Platform::Jd => super::jd::answer_call(link, order_no, answer),
    }
}

#[cfg(test)]
#[path = "answer_tests.rs"]
mod tests;
