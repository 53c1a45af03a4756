//! Improvement actions (改进措施): what supervisors decide to change so that a root cause
//! comes up less often, with an owner, a due date, the cases that taught the lesson, and
//! whether the complaints it targets went down afterwards.

use crate::error::{FieldError, Problem};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::{Category, RootCause};
use crate::report::FactTable;

/// Most cases one action links to.
pub const MAX_LINKED_CASES: usize = 200;
/// The weeks before and after an action that its effect compares.
pub const EFFECT_WEEKS: i64 = 4;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Planned,
    InProgress,
    Done,
    Dropped,
}

impl ActionStatus {
    pub const ALL: &'static [ActionStatus] = &[
        ActionStatus::Planned,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Dropped,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ActionStatus::Planned => "planned",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Dropped => "dropped",
        }
    }

    pub fn parse(code: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.iter().copied().find(|s| s.code() == code)
    }

    /// Where an action may go from here: done and dropped actions are finished.
    pub fn next(self) -> &'static [ActionStatus] {
        match self {
            ActionStatus::Planned => &[
                ActionStatus::InProgress,
                ActionStatus::Done,
                ActionStatus::Dropped,
            ],
            ActionStatus::InProgress => &[ActionStatus::Done, ActionStatus::Dropped],
            ActionStatus::Done | ActionStatus::Dropped => &[],
        }
    }
}

/// A new action as a supervisor fills it in.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImprovementForm {
    #[cfg_attr(feature = "openapi", schema(min_length = 1))]
    pub title: String,
    pub root_cause: RootCause,
    /// Narrows the target to one category of complaint.
    #[serde(default)]
    pub category: Option<Category>,
    /// Who carries it out (a person or a department).
    pub owner: String,
    pub due_on: NaiveDate,
    /// The cases whose lessons led to it.
    #[serde(default)]
    pub case_ids: Vec<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A checked new action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImprovement {
    pub title: String,
    pub root_cause: RootCause,
    pub category: Option<Category>,
    pub owner: String,
    pub due_on: NaiveDate,
    pub case_ids: Vec<i64>,
    pub note: Option<String>,
}

fn text(errors: &mut Vec<FieldError>, field: &str, raw: &str, max: usize) -> String {
    let v = raw.trim();
    if v.is_empty() {
        errors.push(FieldError::new(field, Problem::Required));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(field, Problem::TooLong { max: max as i64 }));
    }
    v.to_owned()
}

impl ImprovementForm {
    /// Checks every field, naming each problem.
    pub fn parse(self, today: NaiveDate) -> Result<NewImprovement, Vec<FieldError>> {
        let mut errors = Vec::new();
        let title = text(&mut errors, "title", &self.title, 200);
        let owner = text(&mut errors, "owner", &self.owner, 64);
        if self.due_on < today - Duration::days(365) {
            errors.push(FieldError::explained(
                "due_on",
                Problem::TooOld { years: 1 },
                "lies more than a year in the past",
            ));
        }
        let mut case_ids = self.case_ids;
        case_ids.sort_unstable();
        case_ids.dedup();
        if case_ids.len() > MAX_LINKED_CASES {
            errors.push(FieldError::new(
                "case_ids",
                Problem::TooMany {
                    max: MAX_LINKED_CASES as i64,
                },
            ));
        }
        let note = self
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            errors.push(FieldError::new("note", Problem::TooLong { max: 2000 }));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(NewImprovement {
            title,
            root_cause: self.root_cause,
            category: self.category,
            owner,
            due_on: self.due_on,
            case_ids,
            note,
        })
    }
}

/// Whether the complaints an action targets came less often after it: per week, in the
/// [`EFFECT_WEEKS`] weeks before it took effect and since (up to as many weeks).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Effect {
    /// When it took effect: when it was done, else when it was decided.
    pub since: DateTime<Utc>,
    pub before: u64,
    pub before_per_week: f64,
    pub after: u64,
    pub after_per_week: Option<f64>,
    /// (after − before) / before per week; `None` until a day has passed or without a before.
    pub change: Option<f64>,
}

/// The effect of an action targeting `root_cause` (and `category`) that took effect at `since`.
pub fn effect(
    table: &FactTable,
    root_cause: RootCause,
    category: Option<Category>,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Effect {
    let window = Duration::weeks(EFFECT_WEEKS);
    let before = table.count_cause(root_cause, category, since - window, since);
    let end = (since + window).min(now);
    let after = table.count_cause(root_cause, category, since, end.max(since));
    let before_per_week = before as f64 / EFFECT_WEEKS as f64;
    let weeks_after = (end - since).num_minutes() as f64 / (7.0 * 24.0 * 60.0);
    let after_per_week = (weeks_after >= 1.0 / 7.0).then(|| after as f64 / weeks_after);
    let round2 = |x: f64| (x * 100.0).round() / 100.0;
    Effect {
        since,
        before,
        before_per_week: round2(before_per_week),
        after,
        after_per_week: after_per_week.map(round2),
        change: after_per_week
            .filter(|_| before > 0)
            .map(|a| round2((a - before_per_week) / before_per_week)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::Channel;
    use crate::report::CaseFacts;

    fn form() -> ImprovementForm {
        serde_json::from_value(serde_json::json!({
            "title": "易碎品加厚包装", "root_cause": "carrier", "owner": "储运部",
            "due_on": "2026-12-15", "case_ids": [3, 1, 3]
        }))
        .unwrap()
    }

    #[test]
    fn a_form_is_checked_field_by_field() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let ok = form().parse(today).unwrap();
        assert_eq!(ok.case_ids, [1, 3]);
        let mut bad = form();
        bad.title = "  ".into();
        bad.owner = "x".repeat(65);
        let fields: Vec<String> = bad
            .parse(today)
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields, ["title", "owner"]);
    }

    #[test]
    fn finished_actions_go_nowhere() {
        assert!(ActionStatus::Done.next().is_empty());
        assert!(ActionStatus::Planned
            .next()
            .contains(&ActionStatus::InProgress));
        for s in ActionStatus::ALL {
            assert_eq!(ActionStatus::parse(s.code()), Some(*s));
        }
    }

    #[test]
    fn the_effect_compares_complaints_per_week_before_and_after() {
        let since: DateTime<Utc> = "2026-11-01T00:00:00Z".parse().unwrap();
        let mut table = FactTable::new();
        let mut id = 0;
        let mut add = |table: &mut FactTable, days: i64, cause: RootCause| {
            id += 1;
            let received = since + Duration::days(days);
            table.upsert(&CaseFacts {
                root_cause: Some(cause),
                ..CaseFacts::sample(id, received, Channel::Chat, Category::Damaged)
            });
        };
        // 8 carrier cases in the 4 weeks before, 1 in the 2 weeks after; others don't count.
        for d in [-27, -20, -20, -14, -10, -7, -3, -1] {
            add(&mut table, d, RootCause::Carrier);
        }
        add(&mut table, 3, RootCause::Carrier);
        add(&mut table, 4, RootCause::Product);
        add(&mut table, -40, RootCause::Carrier);
        let e = effect(
            &table,
            RootCause::Carrier,
            None,
            since,
            since + Duration::weeks(2),
        );
        assert_eq!((e.before, e.after), (8, 1));
        assert_eq!(e.before_per_week, 2.0);
        assert_eq!(e.after_per_week, Some(0.5));
        assert_eq!(e.change, Some(-0.75));
        let damaged_only = effect(
            &table,
            RootCause::Carrier,
            Some(Category::Quality),
            since,
            since + Duration::weeks(2),
        );
        assert_eq!((damaged_only.before, damaged_only.change), (0, None));
        let too_soon = effect(
            &table,
            RootCause::Carrier,
            None,
            since,
            since + Duration::hours(2),
        );
        assert_eq!(too_soon.after_per_week, None);
    }
}
