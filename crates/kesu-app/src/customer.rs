//! The customer's side: their case, reached by the unguessable link they were given, and
//! the few things they do on it (choose a resolution, confirm and rate, write to us).

use chrono::{DateTime, Utc};
use kesu_domain::{ActionName, Actor};
use kesu_store::{CaseRecord, HistoryEntry, Store};

use crate::cases::{act, ActionRequest};
use crate::error::{AppError, AppResult};

fn invalid_link() -> AppError {
    AppError::NotFound("the link is unknown or no longer valid".into())
}

/// The case a link opens at `now`: none for an unknown link, or one whose case closed
/// longer ago than the link lasts.
/// The link of a duplicate merged into another case opens that case (the same customer's:
/// merging checks it), following a chain of merges a few steps at most.
async fn linked_case(store: &Store, token: &str, now: DateTime<Utc>) -> AppResult<CaseRecord> {
    let days = store.policy().await?.access.customer_link_days_after_close;
    let mut record = store
        .case_for_customer_link(token)
        .await?
        .ok_or_else(invalid_link)?;
    for _ in 0..5 {
        let Some(into) = record.case.merged_into else {
            break;
        };
        match store.case(into).await? {
            Some(survivor) => record = survivor,
            None => break,
        }
    }
    Some(record)
        .filter(|r| r.case.customer_link_open(now, days))
        .ok_or_else(invalid_link)
}

/// The case a status-page link opens, with its history.
pub async fn case_for_link(
    store: &Store,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<(CaseRecord, Vec<HistoryEntry>)> {
    let record = linked_case(store, token, now).await?;
    let history = store.history(record.case.id).await?;
    Ok((record, history))
}

/// The customer asks to hear nothing more by e-mail or SMS about the case their link opens.
pub async fn opt_out(
    store: &Store,
    token: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> AppResult<()> {
    let record = linked_case(store, token, now).await?;
    Ok(store.opt_out(record.case.id, now).await?)
}

/// Whether the customer may ask for `action` at all: choosing, confirming (the follow-up)
/// and public messages; the lifecycle decides whether it fits the case now.
pub fn customer_may(action: ActionName) -> bool {
    matches!(
        action,
        ActionName::Choose | ActionName::FollowUp | ActionName::Comment
    )
}

/// The customer acts on the case their link opens.
pub async fn act_as_customer(
    store: &Store,
    token: &str,
    mut request: ActionRequest,
    now: DateTime<Utc>,
) -> AppResult<CaseRecord> {
    if !customer_may(request.action) {
        return Err(AppError::Forbidden(format!(
            "the customer may not {}",
            request.action.code()
        )));
    }
    if request.action == ActionName::Comment {
        // What the customer writes is always a message to us, never an internal note.
        request
            .fields
            .insert("internal".into(), serde_json::Value::Bool(false));
    }
    let record = linked_case(store, token, now).await?;
    act(store, &Actor::Customer, record, request, now).await
}
