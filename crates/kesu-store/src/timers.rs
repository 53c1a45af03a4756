//! SLA timers, durable in the database. Nothing is stored ahead: the case row keeps when it
//! next needs the worker (`next_timer_at`, indexed), and `sla_timers` records each timer that
//! fired. Firing inserts that record under a unique key in the transaction that writes the
//! history, so a timer fires once even with several processes on one PostgreSQL: a second
//! worker's insert finds the key taken and writes nothing.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use kesu_domain::sla::{self, Fired, SlaClock, Timer, TimerKind};
use kesu_domain::{Case, Policy};
use sqlx::{AnyConnection, Row};

use crate::{from_millis, millis, Result, Store, StoreError};

/// A timer that fired, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTimer {
    pub id: i64,
    pub case_id: i64,
    pub fired: Fired,
    pub fired_by: String,
    /// When its clock was met afterwards; `None` while the case is still late.
    pub met_at: Option<DateTime<Utc>>,
}

pub(crate) const TIMER_COLUMNS: &str =
    "id, case_id, key, clock_key, clock, kind, number, due_at, deadline_at, fired_at, fired_by, met_at";

pub(crate) fn timer_from_row(row: &sqlx::any::AnyRow) -> Result<StoredTimer> {
    let clock: String = row.try_get("clock")?;
    let kind: String = row.try_get("kind")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("timer {what}"));
    Ok(StoredTimer {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        fired: Fired {
            timer: Timer {
                key: row.try_get("key")?,
                clock_key: row.try_get("clock_key")?,
                clock: SlaClock::parse(&clock).ok_or_else(|| corrupt(&clock))?,
                kind: TimerKind::parse(&kind).ok_or_else(|| corrupt(&kind))?,
                due: from_millis(row.try_get("due_at")?),
                deadline: from_millis(row.try_get("deadline_at")?),
            },
            number: u32::try_from(row.try_get::<i64, _>("number")?).unwrap_or(0),
            fired_at: from_millis(row.try_get("fired_at")?),
        },
        fired_by: row.try_get("fired_by")?,
        met_at: row.try_get::<Option<i64>, _>("met_at")?.map(from_millis),
    })
}

pub(crate) async fn fired_in(conn: &mut AnyConnection, case_id: i64) -> Result<Vec<StoredTimer>> {
    let rows = sqlx::query(&format!(
        "SELECT {TIMER_COLUMNS} FROM sla_timers WHERE case_id = $1 ORDER BY fired_at, id"
    ))
    .bind(case_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(timer_from_row).collect()
}

/// After a change to a case, in its transaction: records which late clocks are now met and
/// returns when the case next needs the worker.
pub(crate) async fn after_change(
    conn: &mut AnyConnection,
    case: &Case,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>> {
    let stored = fired_in(&mut *conn, case.id).await?;
    if stored.is_empty() {
        return Ok(sla::next_due(case, policy, &[]));
    }
    let running: HashSet<String> = sla::running_clock_keys(case, policy).into_iter().collect();
    let met: Vec<i64> = stored
        .iter()
        .filter(|t| t.met_at.is_none() && !running.contains(&t.fired.timer.clock_key))
        .map(|t| t.id)
        .collect();
    for id in met {
        sqlx::query("UPDATE sla_timers SET met_at = $1 WHERE id = $2 AND met_at IS NULL")
            .bind(millis(now))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let fired: Vec<Fired> = stored.into_iter().map(|t| t.fired).collect();
    Ok(sla::next_due(case, policy, &fired))
}

impl Store {
    /// The timers of a case that fired, oldest first (from the writer, so a worker sees what
    /// another just fired).
    pub async fn case_timers(&self, case_id: i64) -> Result<Vec<StoredTimer>> {
        let mut conn = self.write.acquire().await?;
        fired_in(&mut conn, case_id).await
    }

    /// Sets when the case next needs the worker, unless the case changed meanwhile (its own
    /// change then set it).
    pub async fn set_next_timer(
        &self,
        case_id: i64,
        version: i64,
        next: Option<DateTime<Utc>>,
    ) -> Result<()> {
        sqlx::query("UPDATE cases SET next_timer_at = $1 WHERE id = $2 AND version = $3")
            .bind(next.map(millis))
            .bind(case_id)
            .bind(version)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Breaches of open cases whose clock is still late (escalated to supervisors), the most
    /// overdue first, with how many reminders followed each.
    pub async fn escalations(&self, limit: i64) -> Result<Vec<(StoredTimer, i64)>> {
        let cols = TIMER_COLUMNS
            .split(", ")
            .map(|c| format!("t.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {cols}, (SELECT COUNT(*) FROM sla_timers r WHERE r.case_id = t.case_id \
             AND r.clock_key = t.clock_key AND r.kind = 'reminder') AS reminders \
             FROM sla_timers t JOIN cases c ON c.id = t.case_id \
             WHERE t.kind = 'breach' AND t.met_at IS NULL AND c.status <> 'closed' \
             ORDER BY t.deadline_at LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((timer_from_row(r)?, r.try_get::<i64, _>("reminders")?)))
            .collect()
    }
}

/// Takes the case row's lock without changing it, so that history entries written by
/// workers and by people never race for the same sequence number.
pub(crate) async fn lock_case(conn: &mut AnyConnection, case_id: i64) -> Result<()> {
    sqlx::query("UPDATE cases SET version = version WHERE id = $1")
        .bind(case_id)
        .execute(conn)
        .await?;
    Ok(())
}
