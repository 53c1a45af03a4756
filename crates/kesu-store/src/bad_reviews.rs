//! Bad reviews on cases and their recovery. Each change is one transaction with its entry in
//! the case's history (`bad_review`), so the record and the trail never disagree.

use chrono::{DateTime, Utc};
use kesu_domain::bad_review::{NewReview, ReviewStage};
use kesu_domain::history::{Author, Entry};
use serde_json::json;
use sqlx::Row;

use crate::cases::insert_history;
use crate::changes::Topic;
use crate::timers::lock_case;
use crate::{from_millis, millis, Result, Store, StoreError};

/// A review as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BadReview {
    pub id: i64,
    pub case_id: i64,
    pub order_no: Option<String>,
    pub platform: String,
    pub rating: i64,
    pub text: String,
    pub posted_at: DateTime<Utc>,
    pub stage: ReviewStage,
    pub explanation: Option<String>,
    pub explained_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, case_id, order_no, platform, rating, text, posted_at, stage, \
     explanation, explained_at, created_by, created_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<BadReview> {
    let stage: String = r.try_get("stage")?;
    Ok(BadReview {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        order_no: r.try_get("order_no")?,
        platform: r.try_get("platform")?,
        rating: r.try_get("rating")?,
        text: r.try_get("text")?,
        posted_at: from_millis(r.try_get("posted_at")?),
        stage: ReviewStage::parse(&stage)
            .ok_or_else(|| StoreError::Corrupt(format!("review stage `{stage}`")))?,
        explanation: r.try_get("explanation")?,
        explained_at: r
            .try_get::<Option<i64>, _>("explained_at")?
            .map(from_millis),
        created_by: r.try_get("created_by")?,
        created_at: from_millis(r.try_get("created_at")?),
    })
}

/// Counts of reviews posted in a period: by stage, and how many were explained in time.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReviewCounts {
    pub total: i64,
    pub by_stage: std::collections::BTreeMap<String, i64>,
    pub by_platform: std::collections::BTreeMap<String, i64>,
    pub explained_in_window: i64,
}

impl Store {
    /// Records a review on case `case_id` with its history entry.
    pub async fn record_bad_review(
        &self,
        case_id: i64,
        order_no: Option<&str>,
        review: &NewReview,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<BadReview> {
        let mut tx = self.write.begin().await?;
        lock_case(&mut tx, case_id).await?;
        let row = sqlx::query(&format!(
            "INSERT INTO bad_reviews (case_id, order_no, platform, rating, text, posted_at, stage, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 'recorded', $7, $8, $8) \
             RETURNING {COLUMNS}"
        ))
        .bind(case_id)
        .bind(order_no)
        .bind(review.platform.code())
        .bind(review.rating)
        .bind(&review.text)
        .bind(millis(review.posted_at))
        .bind(by)
        .bind(millis(at))
        .fetch_one(&mut *tx)
        .await?;
        let stored = from_row(&row)?;
        let entry = Entry::Other {
            action: "bad_review".into(),
            data: json!({"review": stored.id, "stage": "recorded", "platform": stored.platform,
                         "rating": stored.rating, "text": stored.text,
                         "posted_at": stored.posted_at}),
        };
        insert_history(&mut tx, case_id, at, &Author::Staff(by.to_owned()), &entry).await?;
        let mark = self.log_change(&mut tx, Topic::Case, &[case_id]).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(stored)
    }

    /// Moves review `id` on to `stage` (with the explanation when explained), if it still
    /// stands at `from`; `None` when it does not exist or moved meanwhile.
    pub async fn move_bad_review(
        &self,
        id: i64,
        from: ReviewStage,
        stage: ReviewStage,
        note: Option<&str>,
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<BadReview>> {
        let mut tx = self.write.begin().await?;
        let Some(current) =
            sqlx::query(&format!("SELECT {COLUMNS} FROM bad_reviews WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        else {
            return Ok(None);
        };
        let current = from_row(&current)?;
        lock_case(&mut tx, current.case_id).await?;
        let explained = stage == ReviewStage::Explained;
        let moved = sqlx::query(&format!(
            "UPDATE bad_reviews SET stage = $1, updated_at = $2, \
             explanation = CASE WHEN $3 THEN $4 ELSE explanation END, \
             explained_at = CASE WHEN $3 THEN $2 ELSE explained_at END \
             WHERE id = $5 AND stage = $6 RETURNING {COLUMNS}"
        ))
        .bind(stage.code())
        .bind(millis(at))
        .bind(explained)
        .bind(note)
        .bind(id)
        .bind(from.code())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = moved else {
            tx.rollback().await?;
            return Ok(None);
        };
        let stored = from_row(&row)?;
        let entry = Entry::Other {
            action: "bad_review".into(),
            data: json!({"review": id, "stage": stage.code(), "from": from.code(), "text": note}),
        };
        insert_history(
            &mut tx,
            current.case_id,
            at,
            &Author::Staff(by.to_owned()),
            &entry,
        )
        .await?;
        let mark = self
            .log_change(&mut tx, Topic::Case, &[current.case_id])
            .await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(Some(stored))
    }

    pub async fn bad_review(&self, id: i64) -> Result<Option<BadReview>> {
        sqlx::query(&format!("SELECT {COLUMNS} FROM bad_reviews WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    pub async fn case_bad_reviews(&self, case_id: i64) -> Result<Vec<BadReview>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM bad_reviews WHERE case_id = $1 ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// The reviews posted in `[from, to)`, counted.
    pub async fn bad_review_counts(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<ReviewCounts> {
        let rows = sqlx::query(
            "SELECT platform, stage, posted_at, explained_at FROM bad_reviews \
             WHERE posted_at >= $1 AND posted_at < $2",
        )
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.read)
        .await?;
        let mut counts = ReviewCounts::default();
        for r in &rows {
            counts.total += 1;
            *counts.by_stage.entry(r.try_get("stage")?).or_default() += 1;
            *counts
                .by_platform
                .entry(r.try_get("platform")?)
                .or_default() += 1;
            let posted = from_millis(r.try_get("posted_at")?);
            if let Some(done) = r.try_get::<Option<i64>, _>("explained_at")? {
                if from_millis(done) <= kesu_domain::bad_review::explain_by(posted) {
                    counts.explained_in_window += 1;
                }
            }
        }
        Ok(counts)
    }
}
