//! What an accepted action changed: one event per action, appended to the case history.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{CaseStatus, Deadlines, Referral, ResolutionOption};
use crate::codes::{DepartmentCode, Liability, ResolutionKind, RootCause};
use crate::fulfilment::{Flow, OrderEffect, StepRecord};
use crate::history::{Author, Entry, Move};
use crate::money::Cents;

/// The change itself; its variant name is the history's `action`, its fields the `data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", content = "data", rename_all = "snake_case")]
pub enum Change {
    Judge {
        valid: bool,
        reason: Option<String>,
    },
    Route {
        department: DepartmentCode,
        previous: Option<DepartmentCode>,
        /// Whether the agent followed the routing policy's suggestion.
        as_suggested: bool,
    },
    Analyse {
        liability: Liability,
        root_cause: RootCause,
        findings: String,
    },
    Propose {
        options: Vec<ResolutionOption>,
        round: u32,
    },
    Choose {
        option: usize,
        kind: ResolutionKind,
        amount_cents: Option<Cents>,
        needs_approval: bool,
        /// How it will be carried out, decided from the order's state at the choice.
        flow: Flow,
    },
    Approve {
        comment: Option<String>,
        /// The approval accepts a return outside the seven-day rule (the comment says why).
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        goodwill: bool,
    },
    Reject {
        comment: String,
    },
    Execute {
        note: String,
    },
    FollowUp {
        satisfied: bool,
        rating: Option<u8>,
        comment: Option<String>,
        /// How the answer was got; entries from before it was recorded have none.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        way: Option<crate::call_plan::FollowUpWay>,
    },
    Close {
        summary: String,
        lessons: Option<String>,
    },
    Assign {
        user: String,
        previous: Option<String>,
    },
    Comment {
        text: String,
        internal: bool,
        /// A supervisor sent it although the reply checker blocks it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        override_check: bool,
    },
    /// A step of the resolution's flow; `completes` ends step 7, `fails` reopens negotiation.
    Step {
        record: StepRecord,
        completes: bool,
        fails: bool,
    },
    WaitCustomer {
        reason: String,
    },
    Resume {
        note: Option<String>,
        waited_minutes: i64,
    },
    RecordReferral {
        referral: Referral,
    },
    RecordAppraisal {
        appraiser: String,
        cost_cents: i64,
        payer: Liability,
        conclusion: Option<String>,
    },
    /// Filed under another category.
    Recategorise {
        from: crate::codes::Category,
        to: crate::codes::Category,
        reason: Option<String>,
    },
    /// The platform the request came from reported a change of it.
    Platform {
        change: crate::platform::PlatformChange,
    },
    /// This case was a duplicate, merged into case `into` (its number): it is closed.
    MergedInto {
        into: i64,
        number: String,
    },
    /// Case `from` (its number), a duplicate of this one, was merged into it.
    Merged {
        from: i64,
        number: String,
    },
    /// kesu answered the platform's request (sent to it, or a dry run while the shop's
    /// switch is off).
    PlatformAnswer {
        answer: crate::platform::Answer,
        call: crate::platform::Call,
        dry_run: bool,
    },
}

impl Change {
    /// The history's `action` name.
    pub fn action(&self) -> &'static str {
        match self {
            Change::Step { record, .. } => record.step.code(),
            Change::Judge { .. } => "judge",
            Change::Route { .. } => "route",
            Change::Analyse { .. } => "analyse",
            Change::Propose { .. } => "propose",
            Change::Choose { .. } => "choose",
            Change::Approve { .. } => "approve",
            Change::Reject { .. } => "reject",
            Change::Execute { .. } => "execute",
            Change::FollowUp { .. } => "follow_up",
            Change::Close { .. } => "close",
            Change::Assign { .. } => "assign",
            Change::Comment { .. } => "comment",
            Change::WaitCustomer { .. } => "wait_customer",
            Change::Resume { .. } => "resume",
            Change::RecordReferral { .. } => "record_referral",
            Change::RecordAppraisal { .. } => "record_appraisal",
            Change::Recategorise { .. } => "recategorise",
            Change::Platform { .. } => "platform",
            Change::PlatformAnswer { .. } => "platform_answer",
            Change::MergedInto { .. } => "merged_into",
            Change::Merged { .. } => "merged",
        }
    }

    /// The change's fields, as the history stores them.
    pub(crate) fn data(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("changes serialise");
        value
            .get_mut("data")
            .map(serde_json::Value::take)
            .unwrap_or_else(|| serde_json::json!({}))
    }

    /// The words written with the change: a reply, a reason, findings, a note, a summary.
    pub fn text(&self) -> Option<&str> {
        match self {
            Change::Comment { text, .. } => Some(text),
            Change::Judge { reason, .. } => reason.as_deref(),
            Change::WaitCustomer { reason } => Some(reason),
            Change::Analyse { findings, .. } => Some(findings),
            Change::Execute { note } => Some(note),
            Change::Resume { note, .. } => note.as_deref(),
            Change::Step { record, .. } => record.note.as_deref(),
            Change::Approve { comment, .. } => comment.as_deref(),
            Change::Reject { comment } => Some(comment),
            Change::FollowUp { comment, .. } => comment.as_deref(),
            Change::Close { summary, .. } => Some(summary),
            Change::RecordAppraisal { conclusion, .. } => conclusion.as_deref(),
            Change::Recategorise { reason, .. } => reason.as_deref(),
            Change::Route { .. }
            | Change::Propose { .. }
            | Change::Choose { .. }
            | Change::Assign { .. }
            | Change::RecordReferral { .. }
            | Change::Platform { .. }
            | Change::MergedInto { .. }
            | Change::Merged { .. } => None,
            Change::PlatformAnswer { answer, .. } => answer.words(),
        }
    }
}

/// One accepted action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub at: DateTime<Utc>,
    /// Staff, the customer or kesu itself.
    pub author: Author,
    pub from: CaseStatus,
    pub to: CaseStatus,
    pub change: Change,
    /// Changes to the case's order, written in the same transaction.
    pub effects: Vec<OrderEffect>,
    /// Whether it answers the customer (stops the first-response clock).
    pub responds: bool,
    /// The case's deadlines after the event.
    pub deadlines: Deadlines,
}

impl Event {
    /// The history's `action` name.
    pub fn action(&self) -> &'static str {
        self.change.action()
    }

    /// The history entry the event appends.
    pub fn entry(&self) -> Entry {
        let moved = (self.from != self.to).then_some(Move {
            from: self.from,
            to: self.to,
        });
        match &self.change {
            Change::Step { record, .. } => Entry::Stepped {
                step: record.step,
                note: record.note.clone(),
                data: record.data.clone(),
                moved,
            },
            change => Entry::Changed {
                change: change.clone(),
                moved,
            },
        }
    }
}
