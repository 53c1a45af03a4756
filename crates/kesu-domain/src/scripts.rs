//! Reply scripts (话术): templates by scenario and step, in Chinese and English, with
//! variables filled from the case. The library ships with kesu (`reply_templates.json`);
//! admins add and edit templates, and the workbench offers those that fit a case's
//! category and step.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseStatus};
use crate::codes::Category;
use crate::error::{FieldError, Problem};
use crate::order::Order;

/// What a template is for, in the order of the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scenario {
    /// Soothe, ask, promise.
    FirstReply,
    AskDetails,
    /// The tactful answer to a complaint that does not stand.
    NotValid,
    OfferResolution,
    Progress,
    FollowUp,
    Closing,
    /// The notices kesu sends the customer by itself (e-mail, SMS) at each moment.
    NoticeAcknowledged,
    NoticeMessage,
    NoticeOptionsOffered,
    NoticeApproved,
    NoticeRefundMade,
    NoticeReshipped,
    NoticeFollowUp,
    NoticeClosed,
}

impl Scenario {
    pub const ALL: [Scenario; 15] = [
        Scenario::FirstReply,
        Scenario::AskDetails,
        Scenario::NotValid,
        Scenario::OfferResolution,
        Scenario::Progress,
        Scenario::FollowUp,
        Scenario::Closing,
        Scenario::NoticeAcknowledged,
        Scenario::NoticeMessage,
        Scenario::NoticeOptionsOffered,
        Scenario::NoticeApproved,
        Scenario::NoticeRefundMade,
        Scenario::NoticeReshipped,
        Scenario::NoticeFollowUp,
        Scenario::NoticeClosed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Scenario::FirstReply => "first_reply",
            Scenario::AskDetails => "ask_details",
            Scenario::NotValid => "not_valid",
            Scenario::OfferResolution => "offer_resolution",
            Scenario::Progress => "progress",
            Scenario::FollowUp => "follow_up",
            Scenario::Closing => "closing",
            Scenario::NoticeAcknowledged => "notice_acknowledged",
            Scenario::NoticeMessage => "notice_message",
            Scenario::NoticeOptionsOffered => "notice_options_offered",
            Scenario::NoticeApproved => "notice_approved",
            Scenario::NoticeRefundMade => "notice_refund_made",
            Scenario::NoticeReshipped => "notice_reshipped",
            Scenario::NoticeFollowUp => "notice_follow_up",
            Scenario::NoticeClosed => "notice_closed",
        }
    }

    pub fn parse(code: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.code() == code)
    }

    /// The scenarios a case at this step most likely needs, best first.
    pub fn for_status(status: CaseStatus, valid: Option<bool>) -> &'static [Scenario] {
        use Scenario::*;
        match status {
            CaseStatus::Registered => &[FirstReply, AskDetails, Progress],
            CaseStatus::Validated | CaseStatus::Routed | CaseStatus::Analysed => {
                &[Progress, AskDetails, OfferResolution]
            }
            CaseStatus::Proposed | CaseStatus::AwaitingApproval => &[OfferResolution, Progress],
            CaseStatus::Approved | CaseStatus::Executed => &[Progress, FollowUp],
            CaseStatus::Resolved => &[FollowUp, Closing],
            CaseStatus::Closed if valid == Some(false) => &[NotValid, Closing],
            CaseStatus::Closed => &[Closing, FollowUp],
        }
    }
}

/// The language a template is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Language {
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

/// One reply script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReplyTemplate {
    /// Short and stable: lowercase letters, digits, `_` and `-`.
    pub id: String,
    pub scenario: Scenario,
    /// None: fits every category.
    #[serde(default)]
    pub category: Option<Category>,
    pub language: Language,
    pub title: String,
    /// The text, with `{variable}` placeholders (see [`VARIABLES`]).
    pub body: String,
}

/// The variables a template may use, with what they are (Chinese, English).
pub const VARIABLES: &[(&str, &str, &str)] = &[
    ("customer_name", "顾客称呼", "customer's name"),
    ("case_no", "投诉编号", "case number"),
    ("order_no", "订单号", "order number"),
    ("paid", "实付金额", "amount paid"),
    ("refund_amount", "退款金额", "refund amount"),
    ("tracking_no", "快递单号", "tracking number"),
    ("carrier", "快递公司", "carrier"),
    ("deadline", "处理时限", "deadline"),
    ("today", "今天日期", "today's date"),
    ("agent", "客服", "agent"),
    ("reply_by", "答复时间", "when they hear back"),
    (
        "details",
        "通知内容（留言、方案、金额、运单）",
        "the notice's particulars",
    ),
    ("status_link", "进度查询链接", "status page link"),
];

const MAX_TITLE_CHARS: usize = 100;
const MAX_BODY_CHARS: usize = 2000;

/// The `{name}` placeholders of a body, in order, or the position of a stray brace.
fn placeholders(body: &str) -> Result<Vec<(usize, usize, &str)>, usize> {
    let mut found = Vec::new();
    let mut rest = 0;
    while let Some(open) = body[rest..].find(['{', '}']).map(|i| rest + i) {
        if body[open..].starts_with('}') {
            return Err(body[..open].chars().count());
        }
        let Some(close) = body[open..].find('}').map(|i| open + i) else {
            return Err(body[..open].chars().count());
        };
        let name = &body[open + 1..close];
        if name.contains('{') {
            return Err(body[..open].chars().count());
        }
        found.push((open, close + 1, name));
        rest = close + 1;
    }
    Ok(found)
}

impl ReplyTemplate {
    /// Checks what an admin typed: the id's form, a title and a body within limits, and only
    /// known variables.
    pub fn validate(&self) -> Result<(), FieldError> {
        let id_ok = !self.id.is_empty()
            && self.id.len() <= 64
            && self
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !id_ok {
            return Err(FieldError::explained(
                "id",
                Problem::Format,
                "1–64 characters: lowercase letters, digits, _ and -",
            ));
        }
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE_CHARS {
            return Err(FieldError::explained(
                "title",
                Problem::Length {
                    min: 1,
                    max: MAX_TITLE_CHARS as i64,
                },
                format!("must not be empty; at most {MAX_TITLE_CHARS} characters"),
            ));
        }
        if self.body.trim().is_empty() || self.body.chars().count() > MAX_BODY_CHARS {
            return Err(FieldError::explained(
                "body",
                Problem::Length {
                    min: 1,
                    max: MAX_BODY_CHARS as i64,
                },
                format!("must not be empty; at most {MAX_BODY_CHARS} characters"),
            ));
        }
        let names = placeholders(&self.body).map_err(|at| {
            FieldError::explained(
                "body",
                Problem::Format,
                format!("unmatched brace at character {at}: variables are written {{order_no}}"),
            )
        })?;
        if let Some((_, _, unknown)) = names
            .iter()
            .find(|(_, _, n)| !VARIABLES.iter().any(|(v, _, _)| v == n))
        {
            let known: Vec<&str> = VARIABLES.iter().map(|(v, _, _)| *v).collect();
            return Err(FieldError::new(
                "body",
                Problem::UnknownVariable {
                    name: unknown.to_string(),
                    known: known.join(", "),
                },
            ));
        }
        Ok(())
    }
}

/// The values a case gives the variables; a value the case does not have stays unset.
pub type Values = BTreeMap<&'static str, String>;

/// What a case knows for the variables. `customer_name` is the name as the reader may see it
/// (masked for roles that may not); amounts are yuan; times are in the shop's zone, written
/// the way `language` writes them.
pub fn values(
    case: &Case,
    customer_name: &str,
    order: Option<&Order>,
    agent: &str,
    zone: chrono_tz::Tz,
    now: DateTime<Utc>,
    language: Language,
) -> Values {
    let mut v = Values::new();
    let yuan = |cents: i64| format!("¥{}", crate::money::format_yuan(cents));
    v.insert("customer_name", customer_name.to_owned());
    v.insert("case_no", case.number.clone());
    v.insert("agent", agent.to_owned());
    v.insert(
        "today",
        now.with_timezone(&zone).format("%Y-%m-%d").to_string(),
    );
    if let Some(no) = &case.order_no {
        v.insert("order_no", no.to_string());
    }
    if let Some(due) = case.deadlines.resolve_by {
        let format = match language {
            Language::Zh => "%-m月%-d日 %H:%M",
            Language::En => "%-d %b %H:%M",
        };
        v.insert(
            "deadline",
            due.with_timezone(&zone).format(format).to_string(),
        );
    }
    // The amount on offer: the chosen option, else the first proposed refund.
    let refund = case
        .chosen
        .as_ref()
        .and_then(|c| c.option.amount_cents)
        .or_else(|| case.options.iter().find_map(|o| o.amount_cents));
    if let Some(cents) = refund {
        v.insert("refund_amount", yuan(cents.get()));
    }
    if let Some(order) = order {
        if let Ok(lines) = crate::refund::allocate(&order.amounts) {
            let paid: i64 =
                lines.iter().map(|l| l.paid_cents).sum::<i64>() + order.amounts.shipping_cents;
            v.insert("paid", yuan(paid));
        }
        let shipment = order
            .shipments
            .iter()
            .find(|s| Some(&s.tracking_no) == case.tracking_no.as_ref())
            .or(order.shipments.first());
        if let Some(s) = shipment {
            v.insert("carrier", s.carrier.clone());
            v.insert("tracking_no", s.tracking_no.clone());
        }
    }
    if let Some(t) = &case.tracking_no {
        v.insert("tracking_no", t.clone());
    }
    v
}

/// A template with its variables filled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rendered {
    pub id: String,
    pub scenario: Scenario,
    pub category: Option<Category>,
    pub language: Language,
    pub title: String,
    pub text: String,
    /// Variables the case could not fill; the text shows them as 【订单号】 for the agent.
    pub missing: Vec<String>,
}

/// Fills a template. Missing values appear as a bracketed label the agent must replace.
pub fn render(template: &ReplyTemplate, values: &Values) -> Rendered {
    let mut text = String::with_capacity(template.body.len());
    let mut missing = Vec::new();
    let mut at = 0;
    // Bodies are validated on save; a stray brace in a hand-edited one is kept as written.
    for (start, end, name) in placeholders(&template.body).unwrap_or_default() {
        text.push_str(&template.body[at..start]);
        match values.get(name) {
            Some(v) => text.push_str(v),
            None => {
                let label = VARIABLES
                    .iter()
                    .find(|(v, _, _)| *v == name)
                    .map(|(_, zh, en)| {
                        if template.language == Language::Zh {
                            *zh
                        } else {
                            *en
                        }
                    })
                    .unwrap_or(name);
                text.push('【');
                text.push_str(label);
                text.push('】');
                if !missing.iter().any(|m| m == name) {
                    missing.push(name.to_owned());
                }
            }
        }
        at = end;
    }
    text.push_str(&template.body[at..]);
    Rendered {
        id: template.id.clone(),
        scenario: template.scenario,
        category: template.category,
        language: template.language,
        title: template.title.clone(),
        text,
        missing,
    }
}

/// The library kesu ships with.
pub fn builtin() -> Vec<ReplyTemplate> {
    serde_json::from_str(include_str!("reply_templates.json"))
        .expect("the built-in reply templates are valid")
}

/// The templates that fit a case, best first: the scenarios its step needs, in that order,
/// and within each, those written for its category before the general ones. Only `language`.
pub fn suitable<'a>(
    library: &'a [ReplyTemplate],
    case: &Case,
    language: Language,
) -> Vec<&'a ReplyTemplate> {
    let valid = case.validity.as_ref().map(|v| v.valid);
    let wanted = Scenario::for_status(case.status, valid);
    let mut fit: Vec<(usize, u8, &ReplyTemplate)> = library
        .iter()
        .filter(|t| t.language == language)
        .filter(|t| t.category.is_none() || t.category == Some(case.category))
        .filter_map(|t| {
            let rank = wanted.iter().position(|s| *s == t.scenario)?;
            Some((rank, u8::from(t.category.is_none()), t))
        })
        .collect();
    fit.sort_by_key(|(rank, general, t)| (*rank, *general, t.id.clone()));
    fit.into_iter().map(|(_, _, t)| t).collect()
}

/// The first reply to offer for a complaint of this category (triage's suggestion).
pub fn first_reply_for(
    library: &[ReplyTemplate],
    category: Category,
    language: Language,
) -> Option<&ReplyTemplate> {
    let first = |specific: bool| {
        library.iter().find(|t| {
            t.language == language
                && t.scenario == Scenario::FirstReply
                && if specific {
                    t.category == Some(category)
                } else {
                    t.category.is_none()
                }
        })
    };
    first(true).or_else(|| first(false))
}

#[cfg(test)]
#[path = "scripts_tests.rs"]
mod tests;
