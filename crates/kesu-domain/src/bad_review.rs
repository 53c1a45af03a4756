//! Bad reviews (差评) and their recovery (seed 002): a review recorded on the case with its
//! rating, words, platform and date, linked to the order; then the customer contacted, the
//! problem solved, and a public explanation (追评/解释) posted within the platform's window
//! (30 days from the review on Taobao, Tmall, JD and Pinduoduo). The explanation is checked
//! like any reply: it may never offer money or gifts for changing the review (电子商务法
//! Art. 17/39; 反不正当竞争法 Art. 13) nor move money off the platform.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Problem};
use crate::platform::Platform;

/// How long after a review the platform lets the shop explain it publicly.
pub const EXPLAIN_WINDOW_DAYS: i64 = 30;
/// The longest review or explanation kept.
pub const MAX_TEXT: usize = 1000;

/// Where a review's recovery stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewStage {
    Recorded,
    /// The customer was reached.
    Contacted,
    /// Their problem is solved.
    Resolved,
    /// The public explanation is posted.
    Explained,
}

impl ReviewStage {
    pub const ALL: [ReviewStage; 4] = [
        ReviewStage::Recorded,
        ReviewStage::Contacted,
        ReviewStage::Resolved,
        ReviewStage::Explained,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ReviewStage::Recorded => "recorded",
            ReviewStage::Contacted => "contacted",
            ReviewStage::Resolved => "resolved",
            ReviewStage::Explained => "explained",
        }
    }

    pub fn parse(code: &str) -> Option<ReviewStage> {
        Self::ALL.iter().copied().find(|s| s.code() == code)
    }
}

/// A review as an agent records it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReviewForm {
    /// Stars, 1–5 (差评 1–2, 中评 3).
    pub rating: i64,
    pub text: String,
    pub platform: Platform,
    pub posted_at: DateTime<chrono::FixedOffset>,
}

/// A review checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewReview {
    pub rating: i64,
    pub text: String,
    pub platform: Platform,
    pub posted_at: DateTime<Utc>,
}

impl ReviewForm {
    /// Checks every field; `placed_at` is the order's, if the case has one.
    pub fn parse(
        self,
        now: DateTime<Utc>,
        placed_at: Option<DateTime<Utc>>,
    ) -> Result<NewReview, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(1..=5).contains(&self.rating) {
            errors.push(FieldError::new("rating", Problem::Range { min: 1, max: 5 }));
        }
        let text = crate::text::required("text", &self.text)
            .map_err(|e| errors.push(e))
            .ok();
        if text.as_ref().is_some_and(|t| t.chars().count() > MAX_TEXT) {
            errors.push(FieldError::new(
                "text",
                Problem::TooLong {
                    max: MAX_TEXT as i64,
                },
            ));
        }
        let posted_at = self.posted_at.with_timezone(&Utc);
        if posted_at > now {
            errors.push(FieldError::new("posted_at", Problem::InFuture));
        } else if placed_at.is_some_and(|p| posted_at < p) {
            errors.push(FieldError::explained(
                "posted_at",
                Problem::Before {
                    other: "the order's placed_at".into(),
                },
                "a review cannot come before the order it reviews",
            ));
        }
        match (text, errors.is_empty()) {
            (Some(text), true) => Ok(NewReview {
                rating: self.rating,
                text,
                platform: self.platform,
                posted_at,
            }),
            _ => Err(errors),
        }
    }
}

/// The end of the window in which the shop may explain a review posted at `posted_at`.
pub fn explain_by(posted_at: DateTime<Utc>) -> DateTime<Utc> {
    posted_at + Duration::days(EXPLAIN_WINDOW_DAYS)
}

/// Whether the recovery may move from `from` to `to`: forward only, one stage or more (an
/// explanation may follow a recorded review directly: not every customer answers).
pub fn may_move(from: ReviewStage, to: ReviewStage) -> bool {
    to > from
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn form(rating: i64, text: &str, posted: &str) -> ReviewForm {
        ReviewForm {
            rating,
            text: text.into(),
            platform: Platform::Taobao,
            posted_at: DateTime::parse_from_rfc3339(posted).unwrap(),
        }
    }

    #[test]
    fn a_review_is_checked_field_by_field() {
        let now = at("2026-11-23T10:00:00+08:00");
        let placed = Some(at("2026-11-11T00:05:00+08:00"));
        assert!(form(1, "杯子碎了，客服不理人", "2026-11-20T09:00:00+08:00")
            .parse(now, placed)
            .is_ok());
        let fields = |f: ReviewForm| -> Vec<String> {
            f.parse(now, placed)
                .unwrap_err()
                .into_iter()
                .map(|e| e.field)
                .collect()
        };
        assert_eq!(
            fields(form(0, " ", "2026-11-24T09:00:00+08:00")),
            ["rating", "text", "posted_at"]
        );
        assert_eq!(
            fields(form(2, "差", "2026-11-10T09:00:00+08:00")),
            ["posted_at"]
        );
    }

    /// The platforms' 30 days for a public explanation.
    #[test]
    fn the_explanation_window_is_thirty_days_and_stages_only_move_forward() {
        assert_eq!(
            explain_by(at("2026-11-20T09:00:00+08:00")),
            at("2026-12-20T09:00:00+08:00")
        );
        assert!(may_move(ReviewStage::Recorded, ReviewStage::Explained));
        assert!(may_move(ReviewStage::Contacted, ReviewStage::Resolved));
        assert!(!may_move(ReviewStage::Resolved, ReviewStage::Contacted));
        assert!(!may_move(ReviewStage::Explained, ReviewStage::Explained));
    }
}
