//! SLA timers, durable in the database: replaced with every change to a case (in its
//! transaction), fired by the worker exactly once even with several processes on one
//! PostgreSQL: a timer moves from `pending` to `done` by a conditional UPDATE in the same
//! transaction that writes the history, so a second worker finds nothing left to fire.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use kesu_domain::sla::{SlaClock, Timer, TimerKind};
use sqlx::{AnyConnection, Row};

use crate::cases::insert_history;
use crate::{from_millis, millis, Result, Store, StoreError};

/// A stored timer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTimer {
    pub id: i64,
    pub case_id: i64,
    pub timer: Timer,
    /// The reminder's number (1, 2, …); 0 for warnings and breaches.
    pub number: u32,
    /// `pending`, `done` or `cancelled`.
    pub state: String,
    pub fired_at: Option<DateTime<Utc>>,
    pub fired_by: Option<String>,
}

/// Rows per multi-row INSERT: 11 values each stays far below both backends' limits.
const TIMER_BATCH: usize = 500;

const TIMER_COLUMNS: &str =
    "id, case_id, key, clock_key, clock, kind, number, due_at, deadline_at, state, fired_at, fired_by";

fn timer_from_row(row: &sqlx::any::AnyRow) -> Result<StoredTimer> {
    let clock: String = row.try_get("clock")?;
    let kind: String = row.try_get("kind")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("timer {what}"));
    Ok(StoredTimer {
        id: row.try_get("id")?,
        case_id: row.try_get("case_id")?,
        timer: Timer {
            key: row.try_get("key")?,
            clock_key: row.try_get("clock_key")?,
            clock: SlaClock::parse(&clock).ok_or_else(|| corrupt(&clock))?,
            kind: TimerKind::parse(&kind).ok_or_else(|| corrupt(&kind))?,
            due: from_millis(row.try_get("due_at")?),
            deadline: from_millis(row.try_get("deadline_at")?),
        },
        number: u32::try_from(row.try_get::<i64, _>("number")?).unwrap_or(0),
        state: row.try_get("state")?,
        fired_at: row.try_get::<Option<i64>, _>("fired_at")?.map(from_millis),
        fired_by: row.try_get("fired_by")?,
    })
}

/// Inserts the timers of new cases, or moves a pending (or cancelled) one to its new due
/// time; a timer that fired stays fired.
pub(crate) async fn upsert_timers(
    conn: &mut AnyConnection,
    rows: &[(i64, &Timer, u32)],
    now: DateTime<Utc>,
) -> Result<()> {
    for chunk in rows.chunks(TIMER_BATCH) {
        let sql = format!(
            "INSERT INTO sla_timers (case_id, key, clock_key, clock, kind, number, due_at, deadline_at, state, created_at) \
             VALUES {} ON CONFLICT (case_id, key) DO UPDATE SET due_at = excluded.due_at, \
             deadline_at = excluded.deadline_at, state = 'pending' WHERE sla_timers.state <> 'done'",
            crate::register::values(chunk.len(), 10)
        );
        let mut q = sqlx::query(&sql);
        for (case_id, t, number) in chunk {
            q = q
                .bind(*case_id)
                .bind(t.key.clone())
                .bind(t.clock_key.clone())
                .bind(t.clock.code())
                .bind(t.kind.code())
                .bind(i64::from(*number))
                .bind(millis(t.due))
                .bind(millis(t.deadline))
                .bind("pending")
                .bind(millis(now));
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Makes the case's pending timers those of `timers`: new ones are added, moved ones take
/// their new time, and those of clocks that stopped (with their reminders) are cancelled.
pub(crate) async fn sync_timers(
    conn: &mut AnyConnection,
    case_id: i64,
    timers: &[Timer],
    now: DateTime<Utc>,
) -> Result<()> {
    let running: HashSet<&str> = timers.iter().map(|t| t.clock_key.as_str()).collect();
    let wanted: HashSet<&str> = timers.iter().map(|t| t.key.as_str()).collect();
    let pending = sqlx::query(
        "SELECT id, key, clock_key, kind FROM sla_timers WHERE case_id = $1 AND state = 'pending'",
    )
    .bind(case_id)
    .fetch_all(&mut *conn)
    .await?;
    for row in &pending {
        let key: String = row.try_get("key")?;
        let clock_key: String = row.try_get("clock_key")?;
        let kind: String = row.try_get("kind")?;
        let keep = if kind == TimerKind::Reminder.code() {
            running.contains(clock_key.as_str())
        } else {
            wanted.contains(key.as_str())
        };
        if !keep {
            sqlx::query(
                "UPDATE sla_timers SET state = 'cancelled' WHERE id = $1 AND state = 'pending'",
            )
            .bind(row.try_get::<i64, _>("id")?)
            .execute(&mut *conn)
            .await?;
        }
    }
    let rows: Vec<(i64, &Timer, u32)> = timers.iter().map(|t| (case_id, t, 0)).collect();
    upsert_timers(conn, &rows, now).await
}

/// What the worker writes when a timer fires.
pub struct Firing {
    pub action: &'static str,
    pub data: serde_json::Value,
    /// The reminder that follows (after a breach or a reminder), with its number.
    pub next: Option<(Timer, u32)>,
}

impl Store {
    /// Pending timers due at `now`, soonest first.
    pub async fn due_timers(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<StoredTimer>> {
        let rows = sqlx::query(&format!(
            "SELECT {TIMER_COLUMNS} FROM sla_timers WHERE state = 'pending' AND due_at <= $1 \
             ORDER BY due_at, id LIMIT $2"
        ))
        .bind(millis(now))
        .bind(limit)
        .fetch_all(&self.write)
        .await?;
        rows.iter().map(timer_from_row).collect()
    }

    /// A case's timers, by due time.
    pub async fn case_timers(&self, case_id: i64) -> Result<Vec<StoredTimer>> {
        let rows = sqlx::query(&format!(
            "SELECT {TIMER_COLUMNS} FROM sla_timers WHERE case_id = $1 ORDER BY due_at, id"
        ))
        .bind(case_id)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(timer_from_row).collect()
    }

    /// Fires a timer: marks it done, writes the history entry and schedules the next
    /// reminder, in one transaction. `false` when another worker fired or cancelled it first.
    pub async fn fire_timer(
        &self,
        stored: &StoredTimer,
        firing: &Firing,
        now: DateTime<Utc>,
        worker: &str,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        // The conditional UPDATE is the claim: on PostgreSQL a concurrent worker waits on the
        // row lock, then finds the state changed and updates nothing.
        let claimed = sqlx::query(
            "UPDATE sla_timers SET state = 'done', fired_at = $1, fired_by = $2 \
             WHERE id = $3 AND state = 'pending'",
        )
        .bind(millis(now))
        .bind(worker)
        .bind(stored.id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if claimed != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        lock_case(&mut tx, stored.case_id).await?;
        insert_history(
            &mut tx,
            stored.case_id,
            now,
            "sla-timer",
            firing.action,
            &firing.data,
        )
        .await?;
        if let Some((next, number)) = &firing.next {
            upsert_timers(&mut tx, &[(stored.case_id, next, *number)], now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Breaches of open cases whose clock still runs (escalated to supervisors), the most
    /// overdue first: the breach timer and how many reminders followed it.
    pub async fn escalations(&self, limit: i64) -> Result<Vec<(StoredTimer, i64)>> {
        let rows = sqlx::query(&format!(
            "SELECT {cols}, (SELECT COUNT(*) FROM sla_timers r WHERE r.case_id = t.case_id              AND r.clock_key = t.clock_key AND r.kind = 'reminder' AND r.state = 'done') AS reminders              FROM sla_timers t JOIN cases c ON c.id = t.case_id              WHERE t.kind = 'breach' AND t.state = 'done' AND c.status <> 'closed'              AND EXISTS (SELECT 1 FROM sla_timers p WHERE p.case_id = t.case_id                  AND p.clock_key = t.clock_key AND p.kind = 'reminder' AND p.state = 'pending')              ORDER BY t.deadline_at LIMIT $1",
            cols = TIMER_COLUMNS
                .split(", ")
                .map(|c| format!("t.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| Ok((timer_from_row(r)?, r.try_get::<i64, _>("reminders")?)))
            .collect()
    }

    /// Cancels a timer whose clock no longer runs (the case moved on meanwhile).
    pub async fn cancel_timer(&self, id: i64) -> Result<()> {
        sqlx::query(
            "UPDATE sla_timers SET state = 'cancelled' WHERE id = $1 AND state = 'pending'",
        )
        .bind(id)
        .execute(&self.write)
        .await?;
        Ok(())
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
