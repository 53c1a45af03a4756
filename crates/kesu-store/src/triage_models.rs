//! The shop's own triage model (docs/interface.md §12): the closed cases it learns from, its
//! trainings, and the model in use, read at most every [`MODEL_TTL`] so that another server's
//! new model is used here soon after.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kesu_domain::audit_kind::AuditKind;
use kesu_domain::codes::{Category, Priority};
use kesu_domain::triage_model::TriageModel;
use kesu_domain::triage_shop::{ShopExample, Training};
use serde::Deserialize;
use serde_json::json;
use sqlx::Row;

use crate::audit::By;
use crate::{from_millis, millis, Result, Store, StoreError};

/// How long the model in use is reused before the store is asked whether it changed.
const MODEL_TTL: Duration = Duration::from_secs(30);

/// The model in use as last read: when, which training (none: the built-in model) and it.
pub(crate) type ModelCache = Arc<RwLock<Option<(Instant, Option<(i64, Arc<TriageModel>)>)>>>;

/// A training as recorded, without its model.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TrainingRecord {
    pub id: i64,
    pub trained_at: DateTime<Utc>,
    pub trained_by: String,
    /// Closed cases there were when it ran.
    pub closed_cases: i64,
    pub learned_from: i64,
    pub held_out: i64,
    /// Held-out cases the new model filed under their final category.
    pub new_right: i64,
    /// … and the model it was compared with (the one in use then).
    pub old_right: i64,
    pub replaced: bool,
}

/// The part of a stored case an example needs.
#[derive(Deserialize)]
struct Labelled {
    category: Category,
    #[serde(default)]
    priority: Priority,
    description: String,
    /// A duplicate merged into another case: the same complaint, counted there.
    #[serde(default)]
    merged_into: Option<i64>,
}

const COLUMNS: &str = "id, trained_at, trained_by, closed_cases, learned_from, held_out, \
     new_right, old_right, replaced";

impl Store {
    /// How many cases are closed: the background retraining's clock.
    pub async fn closed_case_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM cases WHERE status = 'closed'")
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Every closed case as a labelled example: its description, final category and priority
    /// (a duplicate merged into another case is left out: it would teach the same words twice,
    /// and could sit on both sides of the held-out split).
    pub async fn triage_examples(&self) -> Result<Vec<ShopExample>> {
        use futures_util::TryStreamExt;
        // Streamed: a large shop's case details are hundreds of megabytes, its examples not.
        let mut rows =
            sqlx::query("SELECT id, detail FROM cases WHERE status = 'closed' ORDER BY id")
                .fetch(&self.read);
        let mut out = Vec::new();
        while let Some(r) = rows.try_next().await? {
            let id: i64 = r.try_get("id")?;
            let detail: String = r.try_get("detail")?;
            let case: Labelled = serde_json::from_str(&detail)
                .map_err(|e| StoreError::Corrupt(format!("case {id}: {e}")))?;
            if case.merged_into.is_some() {
                continue;
            }
            out.push(ShopExample::new(
                id,
                &case.description,
                case.category,
                case.priority,
            ));
        }
        Ok(out)
    }

    /// Records a training; when its model replaces the one in use, stores it too and leaves
    /// the change in the audit trail. Returns the training's id.
    pub async fn record_triage_training(
        &self,
        training: &Training,
        closed_cases: i64,
        by: By<'_>,
    ) -> Result<i64> {
        let model = training.replaces.then(|| training.model.to_json());
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(
            "INSERT INTO triage_trainings (trained_at, trained_by, closed_cases, learned_from, \
             held_out, new_right, old_right, replaced, model) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(millis(by.at))
        .bind(by.actor)
        .bind(closed_cases)
        .bind(training.learned_from as i64)
        .bind(training.new_score.of as i64)
        .bind(training.new_score.right as i64)
        .bind(training.old_score.right as i64)
        .bind(i64::from(training.replaces))
        .bind(model)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = row.try_get("id")?;
        if training.replaces {
            let detail = json!({
                "changed": ["triage_model"],
                "training": id,
                "held_out": training.new_score.of,
                "new_right": training.new_score.right,
                "old_right": training.old_score.right,
            });
            self.commit_audited(tx, by, AuditKind::PolicyChanged, detail)
                .await?;
            if let Ok(mut cache) = self.triage_model_cache.write() {
                *cache = Some((Instant::now(), Some((id, Arc::new(training.model.clone())))));
            }
        } else {
            tx.commit().await?;
        }
        Ok(id)
    }

    /// The trainings, newest first (at most `limit`).
    pub async fn triage_trainings(&self, limit: i64) -> Result<Vec<TrainingRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM triage_trainings ORDER BY id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(TrainingRecord {
                    id: r.try_get("id")?,
                    trained_at: from_millis(r.try_get("trained_at")?),
                    trained_by: r.try_get("trained_by")?,
                    closed_cases: r.try_get("closed_cases")?,
                    learned_from: r.try_get("learned_from")?,
                    held_out: r.try_get("held_out")?,
                    new_right: r.try_get("new_right")?,
                    old_right: r.try_get("old_right")?,
                    replaced: r.try_get::<i64, _>("replaced")? != 0,
                })
            })
            .collect()
    }

    /// The shop's model in use, with the id of the training that made it; none until a
    /// training replaced the built-in model.
    pub async fn shop_triage_model(&self) -> Result<Option<(i64, Arc<TriageModel>)>> {
        if let Some((at, model)) = self.triage_model_cache.read().ok().and_then(|c| c.clone()) {
            if at.elapsed() < MODEL_TTL {
                return Ok(model);
            }
        }
        let cached = self
            .triage_model_cache
            .read()
            .ok()
            .and_then(|c| c.clone())
            .and_then(|(_, m)| m);
        let newest = sqlx::query(
            "SELECT id FROM triage_trainings WHERE replaced = 1 ORDER BY id DESC LIMIT 1",
        )
        .fetch_optional(&self.read)
        .await?
        .map(|r| r.try_get::<i64, _>("id"))
        .transpose()?;
        let model = match (newest, cached) {
            (None, _) => None,
            (Some(id), Some((cached_id, m))) if id == cached_id => Some((id, m)),
            (Some(id), _) => {
                let row = sqlx::query("SELECT model FROM triage_trainings WHERE id = $1")
                    .bind(id)
                    .fetch_one(&self.read)
                    .await?;
                let json: String = row.try_get("model")?;
                // Megabytes of JSON: parsed off the async threads.
                let parsed = tokio::task::spawn_blocking(move || TriageModel::from_json(&json))
                    .await
                    .map_err(|e| StoreError::Corrupt(format!("triage model {id}: {e}")))?;
                match parsed {
                    Ok(model) => Some((id, Arc::new(model))),
                    // A model that does not read back (damaged, or written by a version
                    // whose model differs) must not stop triage: the built-in model answers,
                    // and the next training is compared with it.
                    Err(e) => {
                        tracing::error!(training = id, error = %e, "the shop's triage model cannot be read; the built-in one is used");
                        None
                    }
                }
            }
        };
        if let Ok(mut cache) = self.triage_model_cache.write() {
            *cache = Some((Instant::now(), model.clone()));
        }
        Ok(model)
    }

    /// Complaints by the same phone or about the same order received since `since`: a repeat
    /// complainant is urgent.
    pub async fn recent_complaints(
        &self,
        phone: Option<&str>,
        order_no: Option<&str>,
        since: DateTime<Utc>,
    ) -> Result<usize> {
        if phone.is_none() && order_no.is_none() {
            return Ok(0);
        }
        // Two lookups, each by its own index, rather than one OR across the join (which
        // would read every case of the last 30 days).
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM ( \
               SELECT c.id FROM cases c \
                 WHERE c.order_no = $3 AND c.received_at >= $1 \
               UNION \
               SELECT c.id FROM case_contacts cc JOIN cases c ON c.id = cc.case_id \
                 WHERE cc.phone = $2 AND c.received_at >= $1 \
             ) earlier",
        )
        .bind(millis(since))
        .bind(phone)
        .bind(order_no)
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get::<i64, _>("n")? as usize)
    }
}
