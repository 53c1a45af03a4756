//! Merged duplicates, linked cases and incidents. Every change to a case here is one
//! transaction with its history entry; a merge writes both cases' events in one.

use chrono::{DateTime, Utc};
use kesu_domain::history::{Author, Entry};
use kesu_domain::incident::{IncidentStatus, Merge};
use kesu_domain::spikes::{Dimension, Observation};
use serde_json::json;
use sqlx::Row;

use crate::actions::write_event;
use crate::cases::insert_history;
use crate::changes::Topic;
use crate::timers::lock_case;
use crate::{from_millis, millis, Result, Store, StoreError};

/// An incident as stored, with its cases' ids.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Incident {
    pub id: i64,
    pub title: String,
    pub dimension: Option<Dimension>,
    pub key: Option<String>,
    pub status: IncidentStatus,
    /// Found by kesu's spike rule (not opened by hand).
    pub detected: bool,
    pub improvement_id: Option<i64>,
    pub escalated_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub case_ids: Vec<i64>,
}

/// A case linked to another, as the other's page lists it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkedCase {
    pub case_id: i64,
    pub number: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, title, dimension, key, status, detected, improvement_id, escalated_at, \
     note, created_by, created_at, updated_at";

pub(crate) fn dimension_code(d: Dimension) -> &'static str {
    match d {
        Dimension::Sku => "sku",
        Dimension::Batch => "batch",
        Dimension::Carrier => "carrier",
        Dimension::Shop => "shop",
    }
}

fn dimension_of(code: &str) -> Option<Dimension> {
    [
        Dimension::Sku,
        Dimension::Batch,
        Dimension::Carrier,
        Dimension::Shop,
    ]
    .into_iter()
    .find(|d| dimension_code(*d) == code)
}

fn from_row(r: &sqlx::any::AnyRow, case_ids: Vec<i64>) -> Result<Incident> {
    let status: String = r.try_get("status")?;
    Ok(Incident {
        id: r.try_get("id")?,
        title: r.try_get("title")?,
        dimension: r
            .try_get::<Option<String>, _>("dimension")?
            .as_deref()
            .and_then(dimension_of),
        key: r.try_get("key")?,
        status: IncidentStatus::parse(&status)
            .ok_or_else(|| StoreError::Corrupt(format!("incident status `{status}`")))?,
        detected: r.try_get::<i64, _>("detected")? != 0,
        improvement_id: r.try_get("improvement_id")?,
        escalated_at: r
            .try_get::<Option<i64>, _>("escalated_at")?
            .map(from_millis),
        note: r.try_get("note")?,
        created_by: r.try_get("created_by")?,
        created_at: from_millis(r.try_get("created_at")?),
        updated_at: from_millis(r.try_get("updated_at")?),
        case_ids,
    })
}

/// A new incident's facts.
pub struct NewIncident<'a> {
    pub title: &'a str,
    pub dimension: Option<Dimension>,
    pub key: Option<&'a str>,
    pub detected: bool,
    pub note: Option<&'a str>,
}

impl Store {
    /// Writes a merge: the duplicate closes into the survivor and both histories say so, in
    /// one transaction. [`StoreError::StaleVersion`] if either changed meanwhile.
    pub async fn merge_cases(&self, m: &Merge) -> Result<()> {
        let policy = self.policy().await?;
        let mut tx = self.write.begin().await?;
        let (dup, dup_event) = &m.duplicate;
        let (surv, surv_event) = &m.survivor;
        // Locked in id order, so two merges of the same pair cannot wait on each other.
        let (first, second) = if dup.id < surv.id {
            (dup.id, surv.id)
        } else {
            (surv.id, dup.id)
        };
        lock_case(&mut tx, first).await?;
        lock_case(&mut tx, second).await?;
        write_event(&mut tx, dup, dup_event, &policy).await?;
        write_event(&mut tx, surv, surv_event, &policy).await?;
        let mark = self
            .log_change(&mut tx, Topic::Case, &[dup.id, surv.id])
            .await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(())
    }

    /// Links cases `a` and `b` as related, with an entry in both histories; `false` when they
    /// were linked already.
    pub async fn link_cases(
        &self,
        a: (i64, &str),
        b: (i64, &str),
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<bool> {
        let (low, high) = if a.0 < b.0 { (a, b) } else { (b, a) };
        let mut tx = self.write.begin().await?;
        lock_case(&mut tx, low.0).await?;
        lock_case(&mut tx, high.0).await?;
        let inserted = sqlx::query(
            "INSERT INTO case_links (low_id, high_id, created_by, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (low_id, high_id) DO NOTHING",
        )
        .bind(low.0)
        .bind(high.0)
        .bind(by)
        .bind(millis(at))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if inserted == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        let author = Author::Staff(by.to_owned());
        for (this, other) in [(low, high), (high, low)] {
            let entry = Entry::Other {
                action: "case_linked".into(),
                data: json!({"case": other.0, "number": other.1}),
            };
            insert_history(&mut tx, this.0, at, &author, &entry).await?;
        }
        let mark = self
            .log_change(&mut tx, Topic::Case, &[low.0, high.0])
            .await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(true)
    }

    /// The cases linked to case `id`.
    pub async fn linked_cases(&self, id: i64) -> Result<Vec<LinkedCase>> {
        let rows = sqlx::query(
            "SELECT c.id, c.number, l.created_by, l.created_at FROM case_links l \
             JOIN cases c ON c.id = CASE WHEN l.low_id = $1 THEN l.high_id ELSE l.low_id END \
             WHERE l.low_id = $1 OR l.high_id = $1 ORDER BY l.created_at, c.id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(LinkedCase {
                    case_id: r.try_get("id")?,
                    number: r.try_get("number")?,
                    created_by: r.try_get("created_by")?,
                    created_at: from_millis(r.try_get("created_at")?),
                })
            })
            .collect()
    }

    /// Opens an incident with `case_ids`, each case's history saying so.
    pub async fn open_incident(
        &self,
        new: &NewIncident<'_>,
        case_ids: &[i64],
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Incident> {
        let mut tx = self.write.begin().await?;
        let row = sqlx::query(&format!(
            "INSERT INTO incidents (title, dimension, key, status, detected, note, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, 'open', $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
        ))
        .bind(new.title)
        .bind(new.dimension.map(dimension_code))
        .bind(new.key)
        .bind(i64::from(new.detected))
        .bind(new.note)
        .bind(by)
        .bind(millis(at))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if crate::is_unique_violation(&e) {
                StoreError::Duplicate("an open incident for this key exists already".into())
            } else {
                e.into()
            }
        })?;
        let id: i64 = row.try_get("id")?;
        let added = add_cases(&mut tx, id, new.title, case_ids, by, at).await?;
        let mark = self.log_change(&mut tx, Topic::Case, &added).await?;
        tx.commit().await?;
        self.committed(mark);
        from_row(&row, added)
    }

    /// Adds `case_ids` to incident `id` (those not in it yet); the cases added.
    pub async fn add_to_incident(
        &self,
        id: i64,
        case_ids: &[i64],
        by: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut tx = self.write.begin().await?;
        let title: Option<String> = sqlx::query_scalar("SELECT title FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let title = title.ok_or_else(|| StoreError::NotFound(format!("no incident {id}")))?;
        let added = add_cases(&mut tx, id, &title, case_ids, by, at).await?;
        sqlx::query("UPDATE incidents SET updated_at = $1 WHERE id = $2")
            .bind(millis(at))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let mark = self.log_change(&mut tx, Topic::Case, &added).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(added)
    }

    pub async fn incident(&self, id: i64) -> Result<Option<Incident>> {
        let Some(row) = sqlx::query(&format!("SELECT {COLUMNS} FROM incidents WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let ids = self.incident_case_ids(id).await?;
        from_row(&row, ids).map(Some)
    }

    async fn incident_case_ids(&self, id: i64) -> Result<Vec<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT case_id FROM incident_cases WHERE incident_id = $1 ORDER BY case_id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?)
    }

    /// Incidents, open ones first then the newest, at most `limit` (only the open ones when
    /// `open_only`): two queries whatever their number.
    pub async fn incidents(&self, limit: i64, open_only: bool) -> Result<Vec<Incident>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM incidents WHERE ($1 = 0 OR status = 'open') \
             ORDER BY CASE WHEN status = 'open' THEN 0 ELSE 1 END, updated_at DESC, id DESC LIMIT $2"
        ))
        .bind(i64::from(open_only))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        self.with_case_ids(&rows).await
    }

    /// Incidents of `rows` with their cases' ids, read in one more query.
    async fn with_case_ids(&self, rows: &[sqlx::any::AnyRow]) -> Result<Vec<Incident>> {
        let ids = rows
            .iter()
            .map(|r| r.try_get::<i64, _>("id"))
            .collect::<std::result::Result<Vec<_>, _>>()?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT incident_id, case_id FROM incident_cases WHERE incident_id IN ({}) \
             ORDER BY incident_id, case_id",
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for id in &ids {
            q = q.bind(*id);
        }
        let mut cases: std::collections::HashMap<i64, Vec<i64>> = std::collections::HashMap::new();
        for r in q.fetch_all(&self.read).await? {
            cases
                .entry(r.try_get("incident_id")?)
                .or_default()
                .push(r.try_get("case_id")?);
        }
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get("id")?;
                from_row(r, cases.remove(&id).unwrap_or_default())
            })
            .collect()
    }

    /// The incidents case `id` belongs to.
    pub async fn incidents_of_case(&self, case_id: i64) -> Result<Vec<Incident>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM incidents WHERE id IN \
             (SELECT incident_id FROM incident_cases WHERE case_id = $1) ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(&self.read)
        .await?;
        self.with_case_ids(&rows).await
    }

    /// The open incident kesu found for `key` along `dimension`, if any.
    pub async fn open_incident_for(&self, dimension: Dimension, key: &str) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM incidents WHERE dimension = $1 AND key = $2 AND status = 'open'",
        )
        .bind(dimension_code(dimension))
        .bind(key)
        .fetch_optional(&self.read)
        .await?)
    }

    /// Changes incident `id`: its status, the improvement it is tied to, its note, when it
    /// was escalated (each only when given).
    pub async fn update_incident(
        &self,
        id: i64,
        status: Option<IncidentStatus>,
        improvement_id: Option<i64>,
        note: Option<&str>,
        escalated_at: Option<DateTime<Utc>>,
        at: DateTime<Utc>,
    ) -> Result<Option<Incident>> {
        let done = sqlx::query(
            "UPDATE incidents SET status = COALESCE($1, status), \
             improvement_id = COALESCE($2, improvement_id), note = COALESCE($3, note), \
             escalated_at = COALESCE(escalated_at, $4), updated_at = $5 WHERE id = $6",
        )
        .bind(status.map(IncidentStatus::code))
        .bind(improvement_id)
        .bind(note)
        .bind(escalated_at.map(millis))
        .bind(millis(at))
        .bind(id)
        .execute(&self.write)
        .await?;
        if done.rows_affected() == 0 {
            return Ok(None);
        }
        self.incident(id).await
    }

    /// How many distinct shops the orders of `case_ids` belong to.
    pub async fn shops_of_cases(&self, case_ids: &[i64]) -> Result<usize> {
        let mut shops = std::collections::HashSet::new();
        for chunk in case_ids.chunks(200) {
            let list: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "SELECT DISTINCT o.shop FROM cases c JOIN orders o ON o.order_no = c.order_no \
                 WHERE c.id IN ({})",
                list.join(", ")
            );
            let mut q = sqlx::query_scalar::<_, String>(&sql);
            for id in chunk {
                q = q.bind(*id);
            }
            shops.extend(q.fetch_all(&self.read).await?);
        }
        Ok(shops.len())
    }

    /// The complaints received since `since` seen along each dimension (their order's shop,
    /// SKUs and batches, their parcels' carriers), with their case ids: what the spike rule
    /// counts. Merged duplicates are left out (they would count one complaint twice).
    pub async fn spike_observations(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(i64, Observation)>> {
        let rows = sqlx::query(
            "SELECT c.id, c.received_at, o.shop, o.detail \
             FROM cases c JOIN orders o ON o.order_no = c.order_no WHERE c.received_at >= $1 \
             AND NOT EXISTS (SELECT 1 FROM case_events e WHERE e.case_id = c.id \
                             AND e.action = 'merged_into')",
        )
        .bind(millis(since))
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let id: i64 = r.try_get("id")?;
            let at = from_millis(r.try_get("received_at")?);
            // A case counts once per key, however many of its lines name it.
            let first = out.len();
            let mut seen = |dimension: Dimension, key: &str| {
                let o = Observation {
                    dimension,
                    key: key.to_owned(),
                    at,
                };
                if !out[first..].iter().any(|(_, x)| *x == o) {
                    out.push((id, o));
                }
            };
            seen(Dimension::Shop, &r.try_get::<String, _>("shop")?);
            let detail: serde_json::Value =
                serde_json::from_str(&r.try_get::<String, _>("detail")?)
                    .map_err(|e| StoreError::Corrupt(format!("order detail: {e}")))?;
            for line in detail["lines"].as_array().into_iter().flatten() {
                if let Some(sku) = line["sku"].as_str() {
                    seen(Dimension::Sku, sku);
                }
                if let Some(batch) = line["batch"].as_str() {
                    seen(Dimension::Batch, batch);
                }
            }
        }
        let carriers = sqlx::query(
            "SELECT DISTINCT c.id, c.received_at, s.carrier FROM cases c \
             JOIN shipments s ON s.order_no = c.order_no WHERE c.received_at >= $1",
        )
        .bind(millis(since))
        .fetch_all(&self.read)
        .await?;
        let kept: std::collections::HashSet<i64> = out.iter().map(|(id, _)| *id).collect();
        for r in &carriers {
            let id: i64 = r.try_get("id")?;
            if kept.contains(&id) {
                out.push((
                    id,
                    Observation {
                        dimension: Dimension::Carrier,
                        key: r.try_get("carrier")?,
                        at: from_millis(r.try_get("received_at")?),
                    },
                ));
            }
        }
        Ok(out)
    }
}

/// Adds the cases not in incident `id` yet, with an entry in each history; the ids added.
async fn add_cases(
    tx: &mut sqlx::AnyConnection,
    id: i64,
    title: &str,
    case_ids: &[i64],
    by: &str,
    at: DateTime<Utc>,
) -> Result<Vec<i64>> {
    let mut ids = case_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut added = Vec::new();
    let author = if by == "kesu" {
        Author::System(kesu_domain::history::SystemActor::Kesu)
    } else {
        Author::Staff(by.to_owned())
    };
    for case_id in ids {
        lock_case(&mut *tx, case_id).await?;
        let n = sqlx::query(
            "INSERT INTO incident_cases (incident_id, case_id, added_by, added_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (incident_id, case_id) DO NOTHING",
        )
        .bind(id)
        .bind(case_id)
        .bind(by)
        .bind(millis(at))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            let entry = Entry::Other {
                action: "incident".into(),
                data: json!({"incident": id, "title": title}),
            };
            insert_history(&mut *tx, case_id, at, &author, &entry).await?;
            added.push(case_id);
        }
    }
    Ok(added)
}
