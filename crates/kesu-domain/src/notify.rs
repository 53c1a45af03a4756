//! Keeping the customer informed and the shop's other systems told: which history entries
//! the customer hears about (and what they read), and which events a webhook subscriber can
//! ask for. Pure: the outbox and the senders live elsewhere.

use serde::{Deserialize, Serialize};

use crate::case::{Case, CaseStatus};
use crate::event::Change;
use crate::fulfilment::{Step, StepData};
use crate::history::Entry;
use crate::money::format_yuan;
use crate::scripts::{render, ReplyTemplate, Scenario, Values};
use crate::sla::TimerKind;

/// The moments a customer hears from the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerEvent {
    /// The complaint was registered (with when they will hear back).
    Acknowledged,
    /// Staff wrote to them (a question, an answer).
    Message,
    /// Resolution options are waiting for their choice.
    OptionsOffered,
    Approved,
    RefundMade,
    Reshipped,
    /// How did it go?
    FollowUp,
    Closed,
}

impl CustomerEvent {
    pub fn code(self) -> &'static str {
        match self {
            CustomerEvent::Acknowledged => "acknowledged",
            CustomerEvent::Message => "message",
            CustomerEvent::OptionsOffered => "options_offered",
            CustomerEvent::Approved => "approved",
            CustomerEvent::RefundMade => "refund_made",
            CustomerEvent::Reshipped => "reshipped",
            CustomerEvent::FollowUp => "follow_up",
            CustomerEvent::Closed => "closed",
        }
    }
}

/// What the customer hears about an entry, if anything.
pub fn customer_event(entry: &Entry) -> Option<CustomerEvent> {
    match entry {
        Entry::Registered(_) => Some(CustomerEvent::Acknowledged),
        Entry::Changed { change, moved } => match change {
            Change::Comment {
                internal: false, ..
            } => Some(CustomerEvent::Message),
            Change::Propose { .. } => Some(CustomerEvent::OptionsOffered),
            Change::Approve { .. } => Some(CustomerEvent::Approved),
            Change::Close { .. } => Some(CustomerEvent::Closed),
            Change::Judge { valid: false, .. } => Some(CustomerEvent::Closed),
            Change::Execute { .. } if moved.is_some_and(|m| m.to == CaseStatus::Executed) => {
                Some(CustomerEvent::FollowUp)
            }
            _ => None,
        },
        Entry::Stepped { step, .. } => match step {
            Step::Refund => Some(CustomerEvent::RefundMade),
            Step::ShipReplacement => Some(CustomerEvent::Reshipped),
            _ => None,
        },
        _ => None,
    }
}

/// A notice's words: a subject line and a body, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub subject: String,
    pub body: String,
}

/// How the notice names things in the customer's words (from the labels).
pub struct Words<'a> {
    /// A resolution option: `全额退款` …
    pub option: &'a dyn Fn(&crate::case::ResolutionOption) -> String,
    /// A carrier's name for its code: `圆通速递` for `yto`.
    pub carrier: &'a dyn Fn(&str) -> String,
}

/// The notice of `event` about `entry` on `case`; `reply_by` is when they will hear back, in
/// the shop's time.
pub fn notice(
    event: CustomerEvent,
    case: &Case,
    entry: &Entry,
    reply_by: Option<&str>,
    words: &Words,
) -> Notice {
    let n = &case.number;
    let subject = |what: &str| format!("【{n}】{what}");
    let (subject, lead) = match event {
        CustomerEvent::Acknowledged => (
            subject("您的投诉已受理"),
            match reply_by {
                Some(t) => format!("您好，您的反馈我们已经收到并登记（编号 {n}）。我们会在 {t} 前给您答复，请您放心。"),
                None => format!("您好，您的反馈我们已经收到并登记（编号 {n}），我们会尽快给您答复。"),
            },
        ),
        CustomerEvent::Message => (
            subject("客服给您留言"),
            format!("您好，关于您的反馈（编号 {n}），客服给您留言："),
        ),
        CustomerEvent::OptionsOffered => (
            subject("请选择处理方案"),
            format!("您好，关于您的反馈（编号 {n}），我们为您准备了处理方案，请您选择："),
        ),
        CustomerEvent::Approved => (
            subject("处理方案已确认"),
            format!("您好，您选择的处理方案（编号 {n}）已经确认，我们正在为您办理。"),
        ),
        CustomerEvent::RefundMade => (
            subject("退款已办理"),
            format!("您好，您的退款（编号 {n}）已经办理："),
        ),
        CustomerEvent::Reshipped => (
            subject("补发商品已寄出"),
            format!("您好，为您补发的商品（编号 {n}）已经寄出："),
        ),
        CustomerEvent::FollowUp => (
            subject("处理结果回访"),
            format!("您好，您的反馈（编号 {n}）已处理完毕。请问您对处理结果满意吗？直接回复这封邮件告诉我们就好。"),
        ),
        CustomerEvent::Closed => (
            subject("您的投诉已结案"),
            format!("您好，您的反馈（编号 {n}）已经结案。感谢您的耐心，欢迎您为我们的服务评分。"),
        ),
    };
    let mut body = lead;
    if let Some(detail) = detail(entry, words) {
        body.push_str("\n\n");
        body.push_str(&detail);
    }
    body.push_str("\n\n如有任何问题，直接回复这封邮件即可，我们会尽快处理。\n——客服中心");
    Notice { subject, body }
}

/// The reply-script scenario whose templates write the notice of `event`.
pub fn scenario(event: CustomerEvent) -> Scenario {
    match event {
        CustomerEvent::Acknowledged => Scenario::NoticeAcknowledged,
        CustomerEvent::Message => Scenario::NoticeMessage,
        CustomerEvent::OptionsOffered => Scenario::NoticeOptionsOffered,
        CustomerEvent::Approved => Scenario::NoticeApproved,
        CustomerEvent::RefundMade => Scenario::NoticeRefundMade,
        CustomerEvent::Reshipped => Scenario::NoticeReshipped,
        CustomerEvent::FollowUp => Scenario::NoticeFollowUp,
        CustomerEvent::Closed => Scenario::NoticeClosed,
    }
}

/// A notice written from the shop's own template: the subject `【case number】title`, the
/// body filled from `values` (the case's, plus `reply_by`, `details` and `status_link`).
/// A line that gives the status link is left out when there is none to give. `None` when the
/// case lacks another value the template names: the customer must never read a blank to
/// fill in, so the built-in text is sent instead.
pub fn notice_from(template: &ReplyTemplate, case: &Case, values: &Values) -> Option<Notice> {
    let mut template = template.clone();
    if !values.contains_key("status_link") {
        template.body = template
            .body
            .lines()
            .filter(|l| !l.contains("{status_link}"))
            .collect::<Vec<_>>()
            .join("\n");
    }
    let rendered = render(&template, values);
    if !rendered.missing.is_empty() {
        return None;
    }
    Some(Notice {
        subject: format!("【{}】{}", case.number, template.title),
        body: rendered.text.trim_end().to_owned(),
    })
}

/// The facts of an entry the customer should read in the notice.
pub fn detail(entry: &Entry, words: &Words) -> Option<String> {
    match entry {
        Entry::Changed { change, .. } => match change {
            Change::Comment { text, .. } => Some(text.clone()),
            Change::Propose { options, .. } => Some(
                options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let amount = o
                            .amount_cents
                            .map(|c| format!("（{c} 元）"))
                            .unwrap_or_default();
                        format!("{}. {}{amount}", i + 1, (words.option)(o))
                    })
                    .collect::<Vec<_>>()
                    .join("\n"),
            ),
            Change::Judge {
                valid: false,
                reason,
            } => reason.clone(),
            Change::Close { summary, .. } => Some(summary.clone()),
            _ => None,
        },
        Entry::Stepped { data, .. } => match data {
            StepData::Refunded {
                cash_cents,
                points_cents,
                ..
            } => {
                let mut s = format!("退款金额 {} 元", format_yuan(*cash_cents));
                if *points_cents > 0 {
                    s.push_str(&format!("，另退积分抵扣 {} 元", format_yuan(*points_cents)));
                }
                s.push_str("，将原路退回，请留意到账。");
                Some(s)
            }
            StepData::Replaced {
                carrier,
                tracking_no,
                ..
            } => Some(format!(
                "快递：{}，单号：{tracking_no}。",
                (words.carrier)(carrier)
            )),
            _ => None,
        },
        _ => None,
    }
}

/// What a webhook subscriber can ask to hear about.
pub const WEBHOOK_EVENTS: [&str; 6] = [
    "case.created",
    "case.status_changed",
    "refund.executed",
    "deadline.breached",
    "logistics.exception",
    "attachment.added",
];

/// The webhook events an entry raises.
pub fn webhook_events(entry: &Entry) -> Vec<&'static str> {
    let mut events = Vec::new();
    match entry {
        Entry::Registered(_) => events.push("case.created"),
        Entry::Stepped {
            step: Step::Refund, ..
        } => events.push("refund.executed"),
        Entry::Timer {
            kind: TimerKind::Breach,
            ..
        } => events.push("deadline.breached"),
        Entry::LogisticsException(_) => events.push("logistics.exception"),
        Entry::Attached(_) => events.push("attachment.added"),
        _ => {}
    }
    if !matches!(entry, Entry::Registered(_)) && entry.moved_to().is_some() {
        events.push("case.status_changed");
    }
    events
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
