//! The cases behind a figure: what a chart's bar opens. Each figure picks the rows its
//! number counts, so the list and the number always agree.

use serde::{Deserialize, Serialize};

use super::compute::{clock_met, first_response_met, Matcher};
use super::query::ReportQuery;
use super::table::FactTable;

/// A figure whose cases can be listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    /// Every case received (the workload).
    Cases,
    Open,
    /// Followed up: the satisfaction's denominator.
    FollowedUp,
    /// Not satisfied at their latest follow-up.
    Unsatisfied,
    /// A deadline met or missed: the compliance's denominator.
    WithDeadline,
    /// A deadline missed (or running late while open).
    DeadlineMissed,
    /// Back to negotiation at least once.
    Reopened,
}

impl Figure {
    pub const ALL: [Figure; 7] = [
        Figure::Cases,
        Figure::Open,
        Figure::FollowedUp,
        Figure::Unsatisfied,
        Figure::WithDeadline,
        Figure::DeadlineMissed,
        Figure::Reopened,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Figure::Cases => "cases",
            Figure::Open => "open",
            Figure::FollowedUp => "followed_up",
            Figure::Unsatisfied => "unsatisfied",
            Figure::WithDeadline => "with_deadline",
            Figure::DeadlineMissed => "deadline_missed",
            Figure::Reopened => "reopened",
        }
    }

    pub fn parse(code: &str) -> Option<Figure> {
        Self::ALL.iter().copied().find(|f| f.code() == code)
    }
}

impl FactTable {
    /// The ids of the cases `q` selects that `figure` counts, oldest first.
    pub fn drill(&self, q: &ReportQuery, figure: Figure) -> Vec<i64> {
        let now_ms = q.now.timestamp_millis();
        let m = Matcher::new(self, &q.filter);
        let (start, end) = q.period.bounds();
        let (start, end) = (start.timestamp_millis(), end.timestamp_millis());
        let mut rows: Vec<(i64, i64)> = self
            .rows
            .iter()
            .filter(|r| r.received >= start && r.received < end && m.matches(r))
            .filter(|r| {
                let clocks = || {
                    [
                        first_response_met(
                            r.first_response,
                            r.first_response_due,
                            r.is_open(),
                            now_ms,
                        ),
                        clock_met(r.resolved, r.resolve_due, r.is_open(), now_ms),
                    ]
                };
                match figure {
                    Figure::Cases => true,
                    Figure::Open => r.is_open(),
                    Figure::FollowedUp => r.satisfied > 0,
                    Figure::Unsatisfied => r.satisfied == 1,
                    Figure::WithDeadline => clocks().iter().any(Option::is_some),
                    Figure::DeadlineMissed => clocks().contains(&Some(false)),
                    Figure::Reopened => r.renegotiations > 0,
                }
            })
            .map(|r| (r.received, r.case_id))
            .collect();
        rows.sort_unstable();
        rows.into_iter().map(|(_, id)| id).collect()
    }
}
