//! The audit trail (issue 21): audit events written beside what they record, the sealer that
//! chains them and every case history entry in commit order, and the walk that verifies the
//! chain against the rows it binds.
//!
//! Why a sealer and not a link written by each transaction: a link needs the head before it,
//! so every writing transaction on every server would queue on one row. The sealer chains
//! committed rows a moment later, in the order the change log gives, and only it takes the
//! head. Rows are chained within about a second; `kesu audit verify` seals what is still
//! waiting before it walks.

mod seal;
mod trail;
mod verify;

use chrono::{DateTime, Utc};
use kesu_domain::audit_kind::AuditKind;
use serde_json::Value;
use sqlx::{AnyConnection, Row};

use crate::{millis, Backend, Result, Store, Topic};

pub(crate) use seal::personal_digest_of;
pub use seal::Sealed;
pub use trail::{TrailEntry, TrailFilter};
pub(crate) use verify::keys_of;
pub use verify::{Verdict, VerifyProgress};

/// An audit event to record.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub kind: AuditKind,
    /// A username, `customer`, or a worker's name.
    pub actor: String,
    pub case_id: Option<i64>,
    /// What happened, without customers' personal data (ids, codes, counts, reasons).
    pub detail: Value,
}

impl AuditEvent {
    pub fn new(kind: AuditKind, actor: &str, detail: Value) -> AuditEvent {
        AuditEvent {
            kind,
            actor: actor.to_owned(),
            case_id: None,
            detail,
        }
    }

    pub fn on_case(mut self, case_id: i64) -> AuditEvent {
        self.case_id = Some(case_id);
        self
    }
}

/// Who makes a change, and when: the change's audit event is written in its transaction.
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    /// A username, or what acted without one (`command-line`, `single-sign-on`, `demo`).
    pub actor: &'a str,
    pub at: DateTime<Utc>,
}

impl<'a> By<'a> {
    pub fn new(actor: &'a str, at: DateTime<Utc>) -> By<'a> {
        By { actor, at }
    }

    /// Records `kind` with `detail` as this actor's, inside `conn`'s transaction.
    pub(crate) async fn record(
        &self,
        conn: &mut AnyConnection,
        backend: Backend,
        kind: AuditKind,
        detail: Value,
    ) -> Result<u64> {
        record(
            conn,
            backend,
            self.at,
            &AuditEvent::new(kind, self.actor, detail),
        )
        .await
    }
}

/// Writes `event` inside the caller's transaction, announced in the change log for the
/// sealer (a row without its announcement is never chained, and verify names it); returns
/// the log mark to pass to `Store::committed` after the commit.
pub(crate) async fn record(
    conn: &mut AnyConnection,
    backend: Backend,
    at: DateTime<Utc>,
    event: &AuditEvent,
) -> Result<u64> {
    let seq: i64 = sqlx::query(
        "INSERT INTO audit_events (at, kind, actor, case_id, detail) VALUES ($1, $2, $3, $4, $5) RETURNING seq",
    )
    .bind(millis(at))
    .bind(event.kind.code())
    .bind(clip(&event.actor))
    .bind(event.case_id)
    .bind(event.detail.to_string())
    .fetch_one(&mut *conn)
    .await?
    .try_get("seq")?;
    crate::changes::record(conn, backend, Topic::Audit, &[seq]).await
}

/// Whatever a client sent as a name is kept to a sane length.
fn clip(s: &str) -> String {
    s.chars().take(64).collect()
}

impl Store {
    /// Records what `by` did (`kind`, `detail`) in `tx`, commits it with the change, and
    /// wakes the sealer.
    pub(crate) async fn commit_audited(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        by: By<'_>,
        kind: AuditKind,
        detail: Value,
    ) -> Result<()> {
        let mark = by.record(&mut tx, self.backend, kind, detail).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(())
    }

    /// Records `event` on its own (an export, a reveal: reads that leave a trace).
    pub async fn record_audit(&self, at: DateTime<Utc>, event: &AuditEvent) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let mark = record(&mut tx, self.backend, at, event).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(())
    }
}
