//! Regular audits of the records (seed 000: 定期对投诉记录进行审核): an auditor draws a
//! random sample of the cases closed in a period and checks each against a checklist. The
//! draw is reproducible from its seed, so anyone can show the sample was not picked by
//! hand; the checklist's facts are computed here, the auditor's verdict is their own.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::case::{Case, CaseStatus};
use crate::event::Change;
use crate::history::Entry;

/// The most cases one audit may draw.
pub const MAX_SAMPLE: u32 = 200;

/// `size` of `ids`, chosen by `seed`: every id gets a score (SHA-256 of the seed and the
/// id) and the lowest scores are taken, so the same seed over the same cases draws the
/// same sample whatever order they are listed in. Returned in id order.
pub fn draw(ids: &[i64], size: usize, seed: u64) -> Vec<i64> {
    let mut scored: Vec<([u8; 32], i64)> = ids
        .iter()
        .map(|&id| {
            let mut h = Sha256::new();
            h.update(seed.to_be_bytes());
            h.update(id.to_be_bytes());
            (h.finalize().into(), id)
        })
        .collect();
    scored.sort_unstable();
    scored.dedup_by_key(|(_, id)| *id);
    let mut sample: Vec<i64> = scored.into_iter().take(size).map(|(_, id)| id).collect();
    sample.sort_unstable();
    sample
}

/// One item of the checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Item {
    /// Every field the outcome calls for is filled in.
    FieldsComplete,
    /// The history starts with the registration, each step starts where the last ended,
    /// and it ends where the case stands.
    HistoryConsistent,
    /// The customer confirmed the resolution at the follow-up, or, for a complaint found
    /// invalid, was answered with the reason.
    CustomerConfirmed,
    /// Closed by its resolution deadline.
    DeadlineMet,
}

impl Item {
    pub const ALL: [Item; 4] = [
        Item::FieldsComplete,
        Item::HistoryConsistent,
        Item::CustomerConfirmed,
        Item::DeadlineMet,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Item::FieldsComplete => "fields_complete",
            Item::HistoryConsistent => "history_consistent",
            Item::CustomerConfirmed => "customer_confirmed",
            Item::DeadlineMet => "deadline_met",
        }
    }
}

/// What the check found for one item: `problems` empty means it holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub item: Item,
    /// Codes of what is wrong: `analysis`, `follow_up`, `gap_after_3`, `late`…
    pub problems: Vec<String>,
}

impl Finding {
    pub fn holds(&self) -> bool {
        self.problems.is_empty()
    }
}

/// The checklist for a closed case and its history (`(seq, at, entry)`, oldest first).
pub fn check(case: &Case, history: &[(i64, DateTime<Utc>, Entry)]) -> Vec<Finding> {
    vec![
        Finding {
            item: Item::FieldsComplete,
            problems: missing_fields(case),
        },
        Finding {
            item: Item::HistoryConsistent,
            problems: history_problems(case, history),
        },
        Finding {
            item: Item::CustomerConfirmed,
            problems: confirmation_problems(case, history),
        },
        Finding {
            item: Item::DeadlineMet,
            problems: deadline_problems(case),
        },
    ]
}

fn blank(s: Option<&str>) -> bool {
    s.is_none_or(|s| s.trim().is_empty())
}

fn missing_fields(case: &Case) -> Vec<String> {
    let mut missing = Vec::new();
    let mut need = |ok: bool, code: &str| {
        if !ok {
            missing.push(code.to_owned());
        }
    };
    need(!case.description.trim().is_empty(), "description");
    need(case.validity.is_some(), "validity");
    need(
        case.closing
            .as_ref()
            .is_some_and(|c| !c.summary.trim().is_empty()),
        "closing_summary",
    );
    match &case.validity {
        Some(v) if !v.valid => need(!blank(v.reason.as_deref()), "invalid_reason"),
        Some(_) => {
            need(case.department.is_some(), "department");
            need(
                case.analysis
                    .as_ref()
                    .is_some_and(|a| !a.findings.trim().is_empty()),
                "analysis",
            );
            need(case.chosen.is_some(), "resolution");
            if case.chosen.as_ref().is_some_and(|c| c.needs_approval) {
                need(
                    case.decision.as_ref().is_some_and(|d| d.approved),
                    "approval",
                );
            }
            need(case.execution.is_some(), "execution");
            need(case.follow_up.is_some(), "follow_up");
        }
        None => {}
    }
    missing
}

fn history_problems(case: &Case, history: &[(i64, DateTime<Utc>, Entry)]) -> Vec<String> {
    let mut problems = Vec::new();
    match history.first() {
        Some((1, _, Entry::Registered(_))) => {}
        _ => problems.push("no_registration".to_owned()),
    }
    let mut status = CaseStatus::Registered;
    let mut last_at: Option<DateTime<Utc>> = None;
    for (i, (seq, at, entry)) in history.iter().enumerate() {
        if *seq != i as i64 + 1 {
            problems.push(format!("gap_before_{seq}"));
        }
        if last_at.is_some_and(|t| *at < t) {
            problems.push(format!("time_goes_back_at_{seq}"));
        }
        last_at = Some(*at);
        if let Some(m) = entry.moved() {
            if m.from != status {
                problems.push(format!("jump_at_{seq}"));
            }
            status = m.to;
        }
    }
    if status != case.status {
        problems.push("ends_elsewhere".to_owned());
    }
    problems
}

fn confirmation_problems(case: &Case, history: &[(i64, DateTime<Utc>, Entry)]) -> Vec<String> {
    match &case.validity {
        Some(v) if !v.valid => {
            // The reason is the answer the customer got: a public reply, or the invalid
            // judgement's reason sent as the closing.
            let answered = case.responded_at.is_some()
                || !blank(v.reason.as_deref())
                || history.iter().any(|(_, _, e)| {
                    matches!(
                        e,
                        Entry::Changed {
                            change: Change::Comment {
                                internal: false,
                                ..
                            },
                            ..
                        }
                    )
                });
            if answered {
                Vec::new()
            } else {
                vec!["not_answered".to_owned()]
            }
        }
        _ => match &case.follow_up {
            Some(f) if f.satisfied => Vec::new(),
            Some(_) => vec!["not_satisfied".to_owned()],
            None => vec!["no_follow_up".to_owned()],
        },
    }
}

fn deadline_problems(case: &Case) -> Vec<String> {
    match (&case.closing, case.deadlines.resolve_by) {
        (Some(c), Some(due)) if c.at > due => vec!["late".to_owned()],
        (None, _) => vec!["not_closed".to_owned()],
        _ => Vec::new(),
    }
}

#[cfg(test)]
#[path = "records_audit_tests.rs"]
mod tests;
