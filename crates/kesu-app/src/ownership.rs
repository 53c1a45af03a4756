//! Who owns a case: taking an unowned one from the queue, and assigning many at once.

use chrono::{DateTime, Utc};
use kesu_domain::{ActionName, Actor};
use kesu_store::{CaseRecord, Store};
use serde_json::{Map, Value};

use crate::cases::{act, visible_case, ActionRequest};
use crate::error::AppResult;

/// Takes `action` on case `id` at whatever version it has now: neither taking nor assigning
/// asks anything of the case's content, and the lifecycle still refuses what does not fit
/// (a case someone else took first, a closed one, another department's).
async fn act_as_it_is(
    store: &Store,
    actor: &Actor,
    id: i64,
    action: ActionName,
    fields: Map<String, Value>,
    now: DateTime<Utc>,
) -> AppResult<CaseRecord> {
    let record = visible_case(store, actor, id).await?;
    let request = ActionRequest {
        action,
        version: record.case.version,
        fields,
    };
    act(store, actor, record, request, now).await
}

/// The actor takes the unowned case `id`.
pub async fn take(
    store: &Store,
    actor: &Actor,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<CaseRecord> {
    act_as_it_is(store, actor, id, ActionName::Take, Map::new(), now).await
}

/// Assigns each of the cases `ids` to `user`, each in its own transaction with its own
/// history entry, and says for each whether it was done: one case that cannot go to
/// `user` does not hold up the rest.
pub async fn assign_many(
    store: &Store,
    actor: &Actor,
    ids: &[i64],
    user: &str,
    now: DateTime<Utc>,
) -> Vec<(i64, AppResult<CaseRecord>)> {
    let mut done = Vec::with_capacity(ids.len());
    for &id in ids {
        let mut fields = Map::new();
        fields.insert("user".into(), Value::String(user.to_owned()));
        let result = act_as_it_is(store, actor, id, ActionName::Assign, fields, now).await;
        done.push((id, result));
    }
    done
}
