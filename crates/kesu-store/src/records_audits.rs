//! Regular audits of the records: the sample drawn for a period, the checklist computed at
//! the draw, and what the auditor found on each case. Every draw and every saved finding is
//! an audit event in the same transaction.

use chrono::{DateTime, Utc};
use kesu_domain::audit_kind::AuditKind;
use kesu_domain::records_audit::Finding;
use serde_json::json;
use sqlx::Row;

use crate::audit::By;
use crate::{from_millis, millis, Result, Store, StoreError};

/// One audit: its period, its seed and how many it drew of how many.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordsAudit {
    pub id: i64,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub seed: i64,
    pub population: i64,
    pub size: i64,
    pub drawn_by: String,
    pub drawn_at: DateTime<Utc>,
    /// How many sampled cases have a verdict, and how many of those failed.
    pub checked: i64,
    pub failed: i64,
}

/// A sampled case with its checklist and the auditor's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditedCase {
    pub case_id: i64,
    pub number: String,
    pub checks: Vec<Finding>,
    /// `pass` or `fail`; `None` until the auditor decides.
    pub verdict: Option<String>,
    pub findings: Option<String>,
    pub correction: Option<String>,
    pub checked_by: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
}

/// A draw to store.
pub struct NewRecordsAudit {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub seed: i64,
    pub population: i64,
    pub sample: Vec<(i64, Vec<Finding>)>,
}

const AUDIT_COLUMNS: &str = "a.id, a.period_from, a.period_to, a.seed, a.population, a.size, \
     a.drawn_by, a.drawn_at, \
     (SELECT COUNT(*) FROM records_audit_cases x WHERE x.audit_id = a.id AND x.verdict IS NOT NULL) AS checked, \
     (SELECT COUNT(*) FROM records_audit_cases x WHERE x.audit_id = a.id AND x.verdict = 'fail') AS failed";

fn audit_from(r: &sqlx::any::AnyRow) -> Result<RecordsAudit> {
    Ok(RecordsAudit {
        id: r.try_get("id")?,
        from: from_millis(r.try_get("period_from")?),
        to: from_millis(r.try_get("period_to")?),
        seed: r.try_get("seed")?,
        population: r.try_get("population")?,
        size: r.try_get("size")?,
        drawn_by: r.try_get("drawn_by")?,
        drawn_at: from_millis(r.try_get("drawn_at")?),
        checked: r.try_get("checked")?,
        failed: r.try_get("failed")?,
    })
}

impl Store {
    /// The closed cases received in `[from, to)`, in id order: what an audit draws from.
    pub async fn closed_cases_received(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM cases WHERE status = 'closed' AND received_at >= $1 AND received_at < $2 ORDER BY id",
        )
        .bind(millis(from))
        .bind(millis(to))
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|r| Ok(r.try_get("id")?)).collect()
    }

    /// Stores a draw with its sample, as `by`; returns its id.
    pub async fn create_records_audit(&self, new: &NewRecordsAudit, by: By<'_>) -> Result<i64> {
        let mut tx = self.write.begin().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO records_audits (period_from, period_to, seed, population, size, drawn_by, drawn_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(millis(new.from))
        .bind(millis(new.to))
        .bind(new.seed)
        .bind(new.population)
        .bind(new.sample.len() as i64)
        .bind(by.actor.to_owned())
        .bind(millis(by.at))
        .fetch_one(&mut *tx)
        .await?
        .try_get("id")?;
        for (case_id, checks) in &new.sample {
            let checks =
                serde_json::to_string(checks).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            sqlx::query(
                "INSERT INTO records_audit_cases (audit_id, case_id, checks) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(*case_id)
            .bind(checks)
            .execute(&mut *tx)
            .await?;
        }
        let detail = json!({"audit": id, "seed": new.seed, "population": new.population,
            "size": new.sample.len(), "from": new.from, "to": new.to});
        self.commit_audited(tx, by, AuditKind::RecordsAuditDrawn, detail)
            .await?;
        Ok(id)
    }

    /// Every audit, newest first.
    pub async fn records_audits(&self) -> Result<Vec<RecordsAudit>> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM records_audits a ORDER BY a.id DESC");
        let rows = sqlx::query(&sql).fetch_all(&self.read).await?;
        rows.iter().map(audit_from).collect()
    }

    /// One audit and its sampled cases, in case order.
    pub async fn records_audit(&self, id: i64) -> Result<Option<(RecordsAudit, Vec<AuditedCase>)>> {
        let sql = format!("SELECT {AUDIT_COLUMNS} FROM records_audits a WHERE a.id = $1");
        let Some(row) = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.read)
            .await?
        else {
            return Ok(None);
        };
        let audit = audit_from(&row)?;
        let rows = sqlx::query(
            "SELECT x.case_id, c.number, x.checks, x.verdict, x.findings, x.correction, x.checked_by, \
             x.checked_at FROM records_audit_cases x JOIN cases c ON c.id = x.case_id \
             WHERE x.audit_id = $1 ORDER BY x.case_id",
        )
        .bind(id)
        .fetch_all(&self.read)
        .await?;
        let cases = rows
            .iter()
            .map(|r| {
                let checks: String = r.try_get("checks")?;
                Ok(AuditedCase {
                    case_id: r.try_get("case_id")?,
                    number: r.try_get("number")?,
                    checks: serde_json::from_str(&checks)
                        .map_err(|e| StoreError::Corrupt(format!("audit checks: {e}")))?,
                    verdict: r.try_get("verdict")?,
                    findings: r.try_get("findings")?,
                    correction: r.try_get("correction")?,
                    checked_by: r.try_get("checked_by")?,
                    checked_at: r.try_get::<Option<i64>, _>("checked_at")?.map(from_millis),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Some((audit, cases)))
    }

    /// Saves the auditor's verdict, findings and correction on a sampled case; `false` when
    /// the case is not in that audit's sample.
    pub async fn save_audited_case(
        &self,
        audit_id: i64,
        case_id: i64,
        verdict: &str,
        findings: Option<&str>,
        correction: Option<&str>,
        by: By<'_>,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let saved = sqlx::query(
            "UPDATE records_audit_cases SET verdict = $1, findings = $2, correction = $3, \
             checked_by = $4, checked_at = $5 WHERE audit_id = $6 AND case_id = $7",
        )
        .bind(verdict.to_owned())
        .bind(findings.map(str::to_owned))
        .bind(correction.map(str::to_owned))
        .bind(by.actor.to_owned())
        .bind(millis(by.at))
        .bind(audit_id)
        .bind(case_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if saved == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        let event_detail = json!({"audit": audit_id, "verdict": verdict,
            "correction": correction.is_some()});
        let event = crate::AuditEvent {
            kind: AuditKind::RecordsAuditChecked,
            actor: by.actor.to_owned(),
            case_id: Some(case_id),
            detail: event_detail,
        };
        let mark = crate::audit::record(&mut tx, self.backend, by.at, &event).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(true)
    }
}
