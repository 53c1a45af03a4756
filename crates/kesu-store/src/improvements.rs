//! Improvement actions: stored with their linked cases, moved through their statuses with
//! optimistic concurrency (a stale version is refused).

use chrono::{DateTime, NaiveDate, Utc};
use kesu_domain::codes::{Category, RootCause};
use kesu_domain::improvement::{ActionStatus, NewImprovement};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{from_millis, millis, Result, Store, StoreError};

/// An improvement action as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Improvement {
    pub id: i64,
    pub title: String,
    pub root_cause: RootCause,
    pub category: Option<Category>,
    pub owner: String,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    pub case_ids: Vec<i64>,
    pub note: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("improvement action: {what}"))
}

fn from_row(r: &AnyRow) -> Result<Improvement> {
    let cause: String = r.try_get("root_cause")?;
    let status: String = r.try_get("status")?;
    let due: String = r.try_get("due_on")?;
    Ok(Improvement {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        root_cause: RootCause::parse(&cause).ok_or_else(|| corrupt("root cause"))?,
        category: r
            .try_get::<Option<String>, _>("category")?
            .map(|c| Category::parse(&c).ok_or_else(|| corrupt("category")))
            .transpose()?,
        owner: r.try_get("owner")?,
        due_on: NaiveDate::parse_from_str(&due, "%Y-%m-%d").map_err(|_| corrupt("due date"))?,
        status: ActionStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        case_ids: serde_json::from_str(&r.try_get::<String, _>("case_ids")?)
            .map_err(|_| corrupt("cases"))?,
        note: r.try_get("note")?,
        version: r.try_get("version")?,
        created_by: r.try_get("created_by")?,
        created_at: from_millis(r.try_get("created_at")?),
        updated_at: from_millis(r.try_get("updated_at")?),
        done_at: r.try_get::<Option<i64>, _>("done_at")?.map(from_millis),
    })
}

const COLUMNS: &str =
    "id, title, root_cause, category, owner, due_on, status, case_ids, note, version, \
                       created_by, created_at, updated_at, done_at";

impl Store {
    pub async fn create_improvement(
        &self,
        new: &NewImprovement,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<Improvement> {
        let id: i64 = sqlx::query(
            "INSERT INTO improvement_actions (title, root_cause, category, owner, due_on, status, case_ids, note, \
             version, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'planned', $6, $7, 1, $8, $9, $9) \
             RETURNING id",
        )
        .bind(&new.title)
        .bind(new.root_cause.code())
        .bind(new.category.map(|c| c.code()))
        .bind(&new.owner)
        .bind(new.due_on.to_string())
        .bind(serde_json::to_string(&new.case_ids).map_err(|e| StoreError::Corrupt(e.to_string()))?)
        .bind(new.note.clone())
        .bind(by)
        .bind(millis(now))
        .fetch_one(&self.write)
        .await?
        .try_get("id")?;
        self.improvement(id)
            .await?
            .ok_or_else(|| corrupt("vanished"))
    }

    pub async fn improvement(&self, id: i64) -> Result<Option<Improvement>> {
        let row = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM improvement_actions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(from_row).transpose()
    }

    /// Every action, open ones first, then by due date.
    pub async fn improvements(&self) -> Result<Vec<Improvement>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM improvement_actions \
             ORDER BY CASE WHEN status IN ('planned', 'in_progress') THEN 0 ELSE 1 END, due_on, id"
        ))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(from_row).collect()
    }

    /// Moves an action to `status` if it is still at `version`.
    pub async fn set_improvement_status(
        &self,
        id: i64,
        version: i64,
        status: ActionStatus,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done = (status == ActionStatus::Done).then(|| millis(now));
        let n = sqlx::query(
            "UPDATE improvement_actions SET status = $1, note = COALESCE($2, note), version = version + 1, \
             updated_at = $3, done_at = COALESCE($4, done_at) WHERE id = $5 AND version = $6",
        )
        .bind(status.code())
        .bind(note.map(str::to_owned))
        .bind(millis(now))
        .bind(done)
        .bind(id)
        .bind(version)
        .execute(&self.write)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::StaleVersion);
        }
        Ok(())
    }

    /// The ids of the cases with these numbers (those that exist).
    pub async fn case_ids_by_numbers(&self, numbers: &[String]) -> Result<Vec<(String, i64)>> {
        let mut out = Vec::new();
        for chunk in numbers.chunks(200) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT number, id FROM cases WHERE number IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for n in chunk {
                q = q.bind(n.clone());
            }
            for r in q.fetch_all(&self.read).await? {
                out.push((r.try_get("number")?, r.try_get("id")?));
            }
        }
        Ok(out)
    }
}
