//! Customers' requests about their personal data (PIPL Art. 45 and 47), and the retention
//! period: only admins serve requests; every export and erasure is in the audit trail, and
//! never with the person's data in it. Staff reveal a case's customer one case at a time,
//! with a reason, and the trail keeps that too.

use chrono::{DateTime, Duration, Utc};
use kesu_domain::audit_kind::AuditKind;
use kesu_domain::erasure::PersonQuery;
use kesu_domain::reveal::RevealReason;
use kesu_domain::{FieldError, Permission, Problem};
use kesu_store::{AuditEvent, By, Erasure, PersonExport, PersonFound, Store, User};
use serde_json::json;

use crate::error::{AppError, AppResult};

/// How many cases one retention pass erases (each its own rewrite; the rest wait).
pub const RETENTION_BATCH: i64 = 200;

fn may_serve(caller: &User) -> AppResult<()> {
    crate::require(
        caller,
        Permission::ServePersonalDataRequests,
        "serve personal-data requests",
    )
}

/// The cases and orders of the person the request names.
pub async fn find(store: &Store, caller: &User, query: &PersonQuery) -> AppResult<PersonFound> {
    may_serve(caller)?;
    Ok(store.find_person(query).await?)
}

/// Everything kesu holds about the person, for a file in `format`; recorded first.
pub async fn export(
    store: &Store,
    caller: &User,
    query: &PersonQuery,
    format: &str,
    now: DateTime<Utc>,
) -> AppResult<PersonExport> {
    let found = find(store, caller, query).await?;
    let detail = json!({
        "what": "personal_data",
        "format": format,
        "cases": found.case_ids.len(),
        "orders": found.order_nos.len(),
    });
    store
        .record_audit(
            now,
            &AuditEvent::new(AuditKind::Export, &caller.username, detail),
        )
        .await?;
    Ok(store.person_export(found).await?)
}

/// Erases the person the request names; `reason` (the request's reference, why) is kept in
/// each case's history.
pub async fn erase(
    store: &Store,
    caller: &User,
    query: &PersonQuery,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<Erasure> {
    may_serve(caller)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason",
            Problem::Required,
        )]));
    }
    if reason.chars().count() > 200 {
        return Err(AppError::Invalid(vec![FieldError::new(
            "reason",
            Problem::TooLong { max: 200 },
        )]));
    }
    let found = store.find_person(query).await?;
    if found.is_empty() {
        return Ok(Erasure::default());
    }
    Ok(store
        .erase_person(&found, reason, By::new(&caller.username, now), false)
        .await?)
}

/// One pass of the retention period: the customers of closed cases untouched for longer
/// than the policy keeps them are erased, one case at a time. Returns how many.
pub async fn retention_pass(store: &Store, now: DateTime<Utc>) -> AppResult<usize> {
    let days = store.policy().await?.access.personal_data_retention_days;
    let cutoff = now - Duration::days(days);
    let mut erased = 0;
    for case_id in store.cases_past_retention(cutoff, RETENTION_BATCH).await? {
        let found = store.person_of_case(case_id).await?;
        let reason = format!("retention period of {days} days ended");
        store
            .erase_person(&found, &reason, By::new("retention", now), true)
            .await?;
        erased += 1;
    }
    Ok(erased)
}

/// Reveals the case's customer to `caller` for `reason` (staff whose role may see personal
/// data, on a case they may see); the reveal is in the trail with its reason.
pub async fn reveal(
    store: &Store,
    caller: &User,
    case_id: i64,
    reason: RevealReason,
    now: DateTime<Utc>,
) -> AppResult<kesu_store::CaseRecord> {
    let record = crate::cases::visible_case(store, &caller.actor(), case_id).await?;
    crate::require(
        caller,
        Permission::SeePersonalData,
        "see customers' personal data",
    )?;
    let event = AuditEvent {
        kind: AuditKind::PersonalRevealed,
        actor: caller.username.clone(),
        case_id: Some(case_id),
        detail: json!({"number": record.case.number, "reason": reason.code()}),
    };
    store.record_audit(now, &event).await?;
    Ok(record)
}

/// Whether the workbench shows `caller` the case's customer unmasked at `now`: their role
/// may see personal data and they revealed this case within the last half hour.
pub async fn revealed(store: &Store, caller: &User, case_id: i64, now: DateTime<Utc>) -> bool {
    if !caller.role.may(Permission::SeePersonalData) {
        return false;
    }
    match store.last_reveal(&caller.username, case_id).await {
        Ok(Some(at)) => kesu_domain::reveal::still_revealed(at, now),
        Ok(None) => false,
        Err(e) => {
            // Masked is the safe answer; the page still works.
            tracing::warn!(error = ?e, case = case_id, "whether the customer was revealed is unknown");
            false
        }
    }
}
