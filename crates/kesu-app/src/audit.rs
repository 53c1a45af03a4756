//! Reading and exporting the audit trail (issue 21): who may, and every export of it is in
//! the trail itself.

use chrono::{DateTime, Utc};
use kesu_domain::audit_kind::AuditKind;
use kesu_domain::Permission;
use kesu_store::{AuditEvent, Page, Store, TrailEntry, TrailFilter, User};
use serde_json::json;

use crate::error::AppResult;

/// The most entries one export holds (narrow the filter for more).
pub const EXPORT_MAX: u32 = 100_000;

/// A page of the trail, and the chain's head (its length and last hash) to write down.
#[derive(Debug, Clone)]
pub struct Trail {
    pub entries: Vec<TrailEntry>,
    pub total: i64,
    pub head_entries: i64,
    pub head_hash: String,
}

fn may_read(caller: &User) -> AppResult<()> {
    crate::require(caller, Permission::ReadAuditTrail, "read the audit trail")
}

pub async fn trail(
    store: &Store,
    caller: &User,
    filter: &TrailFilter,
    page: Page,
) -> AppResult<Trail> {
    may_read(caller)?;
    let (entries, total) = store.audit_trail(filter, page).await?;
    let (head_entries, head_hash) = store.audit_head().await?;
    Ok(Trail {
        entries,
        total,
        head_entries,
        head_hash,
    })
}

/// The entries `filter` selects, newest first, for a file; the export is recorded first.
pub async fn export(
    store: &Store,
    caller: &User,
    filter: &TrailFilter,
    format: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<TrailEntry>> {
    may_read(caller)?;
    let page = Page {
        number: 1,
        size: EXPORT_MAX,
    };
    let (entries, total) = store.audit_trail(filter, page).await?;
    let detail = json!({
        "what": "audit_trail",
        "format": format,
        "entries": entries.len(),
        "matching": total,
        "filter": {
            "case_id": filter.case_id,
            "actor": filter.actor,
            "kind": filter.kind,
            "from": filter.from,
            "to": filter.to,
        },
    });
    store
        .record_audit(
            now,
            &AuditEvent::new(AuditKind::Export, &caller.username, detail),
        )
        .await?;
    Ok(entries)
}
