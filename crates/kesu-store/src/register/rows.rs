//! The statements of a registration batch: numbers and idempotency keys looked up, then
//! the case rows, their contacts, links and first history entries, many rows per statement.

use std::collections::HashMap;

use kesu_domain::case::Case;
use kesu_domain::Policy;
use sqlx::{AnyConnection, Row};

use super::NewCase;
use crate::cases::{detail_json, queue_key, record_from_row, search_text, CASE_COLUMNS};
use crate::{millis, CaseRecord, Result};

/// `($1, $2, …), (…)`: placeholders for `rows` rows of `cols` values.
pub(crate) fn values(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            let row: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({})", row.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Stored idempotency keys of the batch's keyed jobs: (user, key) → (case id, request hash).
pub(super) async fn stored_keys(
    conn: &mut AnyConnection,
    jobs: &[NewCase],
) -> Result<HashMap<(i64, String), (i64, String)>> {
    let keys: Vec<&str> = jobs
        .iter()
        .filter_map(|j| j.idempotency.as_ref().map(|(k, _)| k.as_str()))
        .collect();
    let mut found = HashMap::new();
    if keys.is_empty() {
        return Ok(found);
    }
    let placeholders: Vec<String> = (1..=keys.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT user_id, key, case_id, request_hash FROM idempotency_keys WHERE key IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for k in &keys {
        q = q.bind(*k);
    }
    for row in q.fetch_all(&mut *conn).await? {
        found.insert(
            (row.try_get("user_id")?, row.try_get("key")?),
            (row.try_get("case_id")?, row.try_get("request_hash")?),
        );
    }
    Ok(found)
}

/// `INSERT INTO cases (…) VALUES …` for `rows` new cases, returning their ids and numbers;
/// bind each case with [`bind_new_case`].
pub(crate) fn insert_cases_sql(rows: usize) -> String {
    format!(
        "INSERT INTO cases (number, status, version, channel, category, demand, department, \
         assignee, order_no, tracking_no, received_at, created_at, updated_at, resolve_by, \
         search_text, detail, queue_key, next_timer_at) VALUES {} RETURNING id, number",
        values(rows, 18)
    )
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds a new case's columns, in the order of [`insert_cases_sql`]. Nothing has fired for
/// it yet, so its first timer is the soonest one the policy gives.
pub(crate) fn bind_new_case<'q>(
    q: AnyQuery<'q>,
    case: &Case,
    policy: &Policy,
) -> Result<AnyQuery<'q>> {
    let next_timer = kesu_domain::sla::next_due(case, policy, &[]);
    Ok(q.bind(case.number.clone())
        .bind(case.status.code())
        .bind(case.version)
        .bind(case.channel.code())
        .bind(case.category.code())
        .bind(case.demand.code())
        .bind(case.department.as_ref().map(|d| d.as_str().to_owned()))
        .bind(case.assignee.clone())
        .bind(case.order_no.as_ref().map(|o| o.to_string()))
        .bind(case.tracking_no.clone())
        .bind(millis(case.received_at))
        .bind(millis(case.created_at))
        .bind(millis(case.updated_at))
        .bind(case.deadlines.resolve_by.map(millis))
        .bind(search_text(case))
        .bind(detail_json(case)?)
        .bind(queue_key(case))
        .bind(next_timer.map(millis)))
}

/// Inserts the cases in one statement; returns number → id.
pub(super) async fn insert_cases(
    conn: &mut AnyConnection,
    jobs: &[NewCase],
    cases: &[(usize, Case)],
) -> Result<HashMap<String, i64>> {
    let sql = insert_cases_sql(cases.len());
    let mut q = sqlx::query(&sql);
    for (i, case) in cases {
        q = bind_new_case(q, case, &jobs[*i].policy)?;
    }
    let mut ids = HashMap::new();
    for row in q.fetch_all(&mut *conn).await? {
        ids.insert(row.try_get("number")?, row.try_get("id")?);
    }
    Ok(ids)
}

/// Contacts, first history entries and idempotency keys of the created cases.
pub(super) async fn insert_rows(
    conn: &mut AnyConnection,
    jobs: &[NewCase],
    created: &HashMap<usize, Case>,
) -> Result<()> {
    let mut order: Vec<&usize> = created.keys().collect();
    order.sort();

    let sql = format!(
        "INSERT INTO case_contacts (case_id, name, phone, email) VALUES {}",
        values(order.len(), 4)
    );
    let mut q = sqlx::query(&sql);
    for &&i in &order {
        let c = &jobs[i].registration.complainant;
        q = q
            .bind(created[&i].id)
            .bind(c.name.as_str().to_owned())
            .bind(c.phone.as_ref().map(|p| p.as_str().to_owned()))
            .bind(c.email.as_ref().map(|e| e.as_str().to_owned()));
    }
    q.execute(&mut *conn).await?;

    let sql = format!(
        "INSERT INTO case_events (case_id, seq, at, actor, actor_kind, action, data) VALUES {}",
        values(order.len(), 7)
    );
    let mut q = sqlx::query(&sql);
    for &&i in &order {
        let (job, case) = (&jobs[i], &created[&i]);
        let entry = job.registration.history_entry(case);
        q = q
            .bind(case.id)
            .bind(1_i64)
            .bind(millis(job.now))
            .bind(job.actor.name().to_owned())
            .bind(job.actor.author().kind().code())
            .bind(entry.action().to_owned())
            .bind(entry.data().to_string());
    }
    q.execute(&mut *conn).await?;

    let keyed: Vec<&usize> = order
        .into_iter()
        .filter(|&&i| jobs[i].idempotency.is_some())
        .collect();
    if !keyed.is_empty() {
        let sql = format!(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, case_id, created_at) VALUES {}",
            values(keyed.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for &&i in &keyed {
            let job = &jobs[i];
            let (key, hash) = job.idempotency.clone().unwrap_or_default();
            q = q
                .bind(job.actor_id)
                .bind(key)
                .bind(hash)
                .bind(created[&i].id)
                .bind(millis(job.now));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Loads cases by id, in one statement.
pub(super) async fn load_cases(
    conn: &mut AnyConnection,
    ids: &[i64],
) -> Result<HashMap<i64, CaseRecord>> {
    let mut found = HashMap::new();
    if ids.is_empty() {
        return Ok(found);
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {CASE_COLUMNS} FROM cases c JOIN case_contacts cc ON cc.case_id = c.id WHERE c.id IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    for row in q.fetch_all(&mut *conn).await? {
        let record = record_from_row(&row)?;
        found.insert(record.case.id, record);
    }
    Ok(found)
}
