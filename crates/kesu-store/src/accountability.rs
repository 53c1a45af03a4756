//! Accountability as recorded on cases, and what the report over a period reads: the
//! recorded versions, and the histories of cases whose deadlines were missed.

use chrono::{DateTime, Utc};
use kesu_domain::accountability::Accountability;
use kesu_domain::audit_kind::AuditKind;
use sqlx::Row;

use crate::audit::By;
use crate::{from_millis, millis, Result, Store, StoreError};

/// Accountability as stored: what, by whom, when, which version.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedAccountability {
    pub case_id: i64,
    pub accountability: Accountability,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    pub version: i64,
}

fn from_row(r: &sqlx::any::AnyRow) -> Result<RecordedAccountability> {
    let detail: String = r.try_get("detail")?;
    Ok(RecordedAccountability {
        case_id: r.try_get("case_id")?,
        accountability: serde_json::from_str(&detail)
            .map_err(|e| StoreError::Corrupt(format!("accountability: {e}")))?,
        recorded_by: r.try_get("recorded_by")?,
        recorded_at: from_millis(r.try_get("recorded_at")?),
        version: r.try_get("version")?,
    })
}

impl Store {
    /// Records (or replaces) the accountability of a case, in the audit trail too.
    pub async fn record_accountability(
        &self,
        case_id: i64,
        a: &Accountability,
        by: By<'_>,
    ) -> Result<RecordedAccountability> {
        let detail = serde_json::to_string(a).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mut tx = self.write.begin().await?;
        let exists = sqlx::query("SELECT id FROM cases WHERE id = $1")
            .bind(case_id)
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Err(StoreError::NotFound(format!("no case {case_id}")));
        }
        sqlx::query(
            "INSERT INTO accountability (case_id, loss_cents, detail, recorded_by, recorded_at, version) \
             VALUES ($1, $2, $3, $4, $5, 1) ON CONFLICT (case_id) DO UPDATE SET \
             loss_cents = excluded.loss_cents, detail = excluded.detail, \
             recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at, \
             version = accountability.version + 1",
        )
        .bind(case_id)
        .bind(a.loss_cents)
        .bind(&detail)
        .bind(by.actor)
        .bind(millis(by.at))
        .execute(&mut *tx)
        .await?;
        let event = serde_json::to_value(a).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let mark = crate::audit::record(
            &mut tx,
            self.backend,
            by.at,
            &crate::AuditEvent::new(AuditKind::AccountabilityRecorded, by.actor, event)
                .on_case(case_id),
        )
        .await?;
        tx.commit().await?;
        self.committed(mark);
        self.accountability(case_id).await?.ok_or_else(|| {
            StoreError::Corrupt(format!("accountability of case {case_id} vanished"))
        })
    }

    pub async fn accountability(&self, case_id: i64) -> Result<Option<RecordedAccountability>> {
        sqlx::query("SELECT * FROM accountability WHERE case_id = $1")
            .bind(case_id)
            .fetch_optional(&self.read)
            .await?
            .as_ref()
            .map(from_row)
            .transpose()
    }

    /// Accountability recorded in `[from, to)`.
    pub async fn accountability_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<RecordedAccountability>> {
        sqlx::query(
            "SELECT * FROM accountability WHERE recorded_at >= $1 AND recorded_at < $2 ORDER BY recorded_at",
        )
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// The cases with a deadline breached in `[from, to)` (their breach entries' times).
    pub async fn cases_breached_between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        sqlx::query(
            "SELECT DISTINCT case_id FROM case_events WHERE action = 'sla_breach' AND at >= $1 AND at < $2 \
             ORDER BY case_id LIMIT 10000",
        )
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(|r| Ok(r.try_get::<i64, _>("case_id")?))
        .collect()
    }
}
