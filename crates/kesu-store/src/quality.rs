//! Quality checks: weekly samples of closed cases per agent, their scores and the agents'
//! answers.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kesu_domain::codes::Category;
use kesu_domain::quality::{Closed, Week};
use sqlx::Row;

use crate::{from_millis, millis, Result, Store, StoreError};

/// A week's sample.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QcSample {
    pub id: i64,
    pub week: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub seed: i64,
    pub per_agent: i64,
    pub drawn_by: String,
    pub drawn_at: DateTime<Utc>,
}

/// One sampled case and what its check came to.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QcReview {
    pub sample_id: i64,
    pub case_id: i64,
    pub number: String,
    pub agent: String,
    pub category: Category,
    /// Points per checklist item, once scored.
    pub scores: Option<BTreeMap<String, u32>>,
    /// 0–100.
    pub score: Option<i64>,
    pub comment: Option<String>,
    pub scored_by: Option<String>,
    pub scored_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

const SAMPLE_COLUMNS: &str = "id, week, from_at, to_at, seed, per_agent, drawn_by, drawn_at";
const REVIEW_COLUMNS: &str = "r.sample_id, r.case_id, c.number, r.agent, r.category, r.scores, \
     r.score, r.comment, r.scored_by, r.scored_at, r.answer, r.answered_at";

fn sample_from_row(r: &sqlx::any::AnyRow) -> Result<QcSample> {
    Ok(QcSample {
        id: r.try_get("id")?,
        week: r.try_get("week")?,
        from: from_millis(r.try_get("from_at")?),
        to: from_millis(r.try_get("to_at")?),
        seed: r.try_get("seed")?,
        per_agent: r.try_get("per_agent")?,
        drawn_by: r.try_get("drawn_by")?,
        drawn_at: from_millis(r.try_get("drawn_at")?),
    })
}

fn review_from_row(r: &sqlx::any::AnyRow) -> Result<QcReview> {
    let category: String = r.try_get("category")?;
    let scores = r
        .try_get::<Option<String>, _>("scores")?
        .map(|s| serde_json::from_str(&s))
        .transpose()
        .map_err(|e| StoreError::Corrupt(format!("qc scores: {e}")))?;
    Ok(QcReview {
        sample_id: r.try_get("sample_id")?,
        case_id: r.try_get("case_id")?,
        number: r.try_get("number")?,
        agent: r.try_get("agent")?,
        category: Category::parse(&category)
            .ok_or_else(|| StoreError::Corrupt(format!("qc category `{category}`")))?,
        scores,
        score: r.try_get("score")?,
        comment: r.try_get("comment")?,
        scored_by: r.try_get("scored_by")?,
        scored_at: r.try_get::<Option<i64>, _>("scored_at")?.map(from_millis),
        answer: r.try_get("answer")?,
        answered_at: r.try_get::<Option<i64>, _>("answered_at")?.map(from_millis),
    })
}

impl Store {
    /// The cases closed within `week` by their owner at closing (merged duplicates aside):
    /// what a sample draws from.
    pub async fn closed_in(&self, week: &Week) -> Result<Vec<Closed>> {
        // A closed case was last changed at or after its closing.
        let rows = sqlx::query(
            "SELECT id, assignee, category, detail FROM cases \
             WHERE status = 'closed' AND updated_at >= $1 AND assignee IS NOT NULL",
        )
        .bind(millis(week.from))
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let detail: serde_json::Value =
                serde_json::from_str(&r.try_get::<String, _>("detail")?)
                    .map_err(|e| StoreError::Corrupt(format!("case detail: {e}")))?;
            let closing = &detail["closing"];
            if closing["outcome"] == "merged" {
                continue;
            }
            let Some(at) = closing["at"]
                .as_str()
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.with_timezone(&Utc))
            else {
                continue;
            };
            if at < week.from || at >= week.to {
                continue;
            }
            let category: String = r.try_get("category")?;
            out.push(Closed {
                case_id: r.try_get("id")?,
                agent: r.try_get("assignee")?,
                category: Category::parse(&category)
                    .ok_or_else(|| StoreError::Corrupt(format!("category `{category}`")))?,
            });
        }
        Ok(out)
    }

    /// Stores a week's sample with its cases; [`StoreError::Duplicate`] when the week has one.
    pub async fn save_qc_sample(
        &self,
        week: &Week,
        seed: i64,
        per_agent: u32,
        drawn: &[Closed],
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<QcSample> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO qc_samples (week, from_at, to_at, seed, per_agent, drawn_by, drawn_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {SAMPLE_COLUMNS}"
        ))
        .bind(&week.name)
        .bind(millis(week.from))
        .bind(millis(week.to))
        .bind(seed)
        .bind(i64::from(per_agent))
        .bind(by)
        .bind(millis(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                StoreError::Duplicate(format!("week {} has its sample already", week.name))
            } else {
                e.into()
            }
        })?;
        let sample = sample_from_row(&row)?;
        for c in drawn {
            sqlx::query(
                "INSERT INTO qc_reviews (sample_id, case_id, agent, category) VALUES ($1, $2, $3, $4)",
            )
            .bind(sample.id)
            .bind(c.case_id)
            .bind(&c.agent)
            .bind(c.category.code())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(sample)
    }

    pub async fn qc_sample(&self, id: i64) -> Result<Option<QcSample>> {
        sqlx::query(&format!(
            "SELECT {SAMPLE_COLUMNS} FROM qc_samples WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?
        .as_ref()
        .map(sample_from_row)
        .transpose()
    }

    pub async fn qc_sample_of_week(&self, week: &str) -> Result<Option<QcSample>> {
        sqlx::query(&format!(
            "SELECT {SAMPLE_COLUMNS} FROM qc_samples WHERE week = $1"
        ))
        .bind(week)
        .fetch_optional(&self.read)
        .await?
        .as_ref()
        .map(sample_from_row)
        .transpose()
    }

    /// The samples, newest week first, at most `limit`.
    pub async fn qc_samples(&self, limit: i64) -> Result<Vec<QcSample>> {
        sqlx::query(&format!(
            "SELECT {SAMPLE_COLUMNS} FROM qc_samples ORDER BY from_at DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(sample_from_row)
        .collect()
    }

    /// The reviews of sample `id` (of one agent's cases only, when given), by agent and case.
    pub async fn qc_reviews(&self, id: i64, agent: Option<&str>) -> Result<Vec<QcReview>> {
        sqlx::query(&format!(
            "SELECT {REVIEW_COLUMNS} FROM qc_reviews r JOIN cases c ON c.id = r.case_id \
             WHERE r.sample_id = $1 AND ($2 IS NULL OR r.agent = $2) ORDER BY r.agent, r.case_id"
        ))
        .bind(id)
        .bind(agent)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(review_from_row)
        .collect()
    }

    /// Every scored review of the samples whose weeks start in `[from, to)` (reports).
    pub async fn qc_scored(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<(String, QcReview)>> {
        let rows = sqlx::query(&format!(
            "SELECT s.week, {REVIEW_COLUMNS} FROM qc_reviews r JOIN qc_samples s ON s.id = r.sample_id \
             JOIN cases c ON c.id = r.case_id WHERE s.from_at >= $1 AND s.from_at < $2 \
             AND r.score IS NOT NULL ORDER BY s.from_at, r.agent"
        ))
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("week")?, review_from_row(r)?)))
            .collect()
    }

    pub async fn qc_review(&self, sample: i64, case_id: i64) -> Result<Option<QcReview>> {
        sqlx::query(&format!(
            "SELECT {REVIEW_COLUMNS} FROM qc_reviews r JOIN cases c ON c.id = r.case_id \
             WHERE r.sample_id = $1 AND r.case_id = $2"
        ))
        .bind(sample)
        .bind(case_id)
        .fetch_optional(&self.read)
        .await?
        .as_ref()
        .map(review_from_row)
        .transpose()
    }

    /// Records a supervisor's score, while the agent has not answered; `false` otherwise.
    #[allow(clippy::too_many_arguments)]
    pub async fn score_qc(
        &self,
        sample: i64,
        case_id: i64,
        scores: &BTreeMap<String, u32>,
        score: u32,
        comment: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let scores =
            serde_json::to_string(scores).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let done = sqlx::query(
            "UPDATE qc_reviews SET scores = $1, score = $2, comment = $3, scored_by = $4, \
             scored_at = $5 WHERE sample_id = $6 AND case_id = $7 AND answer IS NULL",
        )
        .bind(scores)
        .bind(i64::from(score))
        .bind(comment)
        .bind(by)
        .bind(millis(at))
        .bind(sample)
        .bind(case_id)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Records the agent's one answer to a scored review; `false` when it is not theirs, not
    /// scored yet, or answered already.
    pub async fn answer_qc(
        &self,
        sample: i64,
        case_id: i64,
        agent: &str,
        text: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE qc_reviews SET answer = $1, answered_at = $2 WHERE sample_id = $3 \
             AND case_id = $4 AND agent = $5 AND score IS NOT NULL AND answer IS NULL",
        )
        .bind(text)
        .bind(millis(at))
        .bind(sample)
        .bind(case_id)
        .bind(agent)
        .execute(&self.write)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
