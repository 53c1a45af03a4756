//! What the SLA worker reads and writes, a page of cases at a time: the due cases with the
//! timers each has fired in two statements, and every firing of the page in one transaction
//! (one fsync for the page instead of one a case, the way registrations are group-committed).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use kesu_domain::history::{Author, Entry, SystemActor};
use kesu_domain::sla::{Fired, Timer};
use kesu_domain::Case;

use crate::cases::{case_from_row, insert_history};
use crate::timers::{lock_case, timer_from_row, TIMER_COLUMNS};
use crate::{millis, Result, Store};

/// A case that needs the worker, with the timers it has already fired (oldest first).
#[derive(Debug, Clone)]
pub struct DueCase {
    pub case: Case,
    pub fired: Vec<Fired>,
}

/// What the worker writes when a timer fires.
pub struct Firing {
    pub timer: Timer,
    pub number: u32,
    /// What the history says about it.
    pub entry: Entry,
}

/// One case's firings and when it next needs the worker afterwards.
pub struct CaseFirings {
    pub case_id: i64,
    /// The version the firings were decided on: `next` is kept only if the case is still at it.
    pub version: i64,
    pub firings: Vec<Firing>,
    pub next: Option<DateTime<Utc>>,
}

impl Store {
    /// Cases that need the worker at `now`, the most overdue first, each with the timers it
    /// fired. Read on the writer, so a worker sees what another has just fired.
    pub async fn due_cases(&self, now: DateTime<Utc>, limit: i64) -> Result<Vec<DueCase>> {
        let mut conn = self.write.acquire().await?;
        let rows = sqlx::query(
            "SELECT c.id, c.number, c.status, c.version, c.detail FROM cases c \
             WHERE c.next_timer_at <= $1 ORDER BY c.next_timer_at, c.id LIMIT $2",
        )
        .bind(millis(now))
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        let cases = rows.iter().map(case_from_row).collect::<Result<Vec<_>>>()?;
        if cases.is_empty() {
            return Ok(Vec::new());
        }
        // The ids are the database's own integers: listed inline, one statement for the page.
        let ids = cases
            .iter()
            .map(|c| c.id.to_string())
            .collect::<Vec<_>>()
            .join(",");
        let rows = sqlx::query(&format!(
            "SELECT {TIMER_COLUMNS} FROM sla_timers WHERE case_id IN ({ids}) ORDER BY fired_at, id"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut fired: HashMap<i64, Vec<Fired>> = HashMap::new();
        for row in &rows {
            let timer = timer_from_row(row)?;
            fired.entry(timer.case_id).or_default().push(timer.fired);
        }
        Ok(cases
            .into_iter()
            .map(|case| DueCase {
                fired: fired.remove(&case.id).unwrap_or_default(),
                case,
            })
            .collect())
    }

    /// Fires a page of cases' timers in one transaction: records each timer and writes its
    /// history entry, and sets when each case next needs the worker (if the case is still at
    /// the version it was decided on). Returns the `(case, key)` of each timer fired; one
    /// another worker fired first is skipped.
    pub async fn fire_timers(
        &self,
        page: &[CaseFirings],
        now: DateTime<Utc>,
        worker: &str,
    ) -> Result<Vec<(i64, String)>> {
        // Cases in id order: two workers on one PostgreSQL take their locks in the same order,
        // so they wait for each other instead of deadlocking.
        let mut order: Vec<&CaseFirings> = page.iter().collect();
        order.sort_by_key(|c| c.case_id);
        let mut tx = self.write.begin().await?;
        let mut fired = Vec::new();
        let author = Author::System(SystemActor::SlaTimer);
        for case in order {
            let mut locked = false;
            for firing in &case.firings {
                let t = &firing.timer;
                // The unique key is the claim: on PostgreSQL a concurrent worker's insert waits
                // for this transaction, then finds the key taken and inserts nothing.
                let claimed = sqlx::query(
                    "INSERT INTO sla_timers (case_id, key, clock_key, clock, kind, number, due_at, deadline_at, fired_at, fired_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (case_id, key) DO NOTHING",
                )
                .bind(case.case_id)
                .bind(&t.key)
                .bind(&t.clock_key)
                .bind(t.clock.code())
                .bind(t.kind.code())
                .bind(i64::from(firing.number))
                .bind(millis(t.due))
                .bind(millis(t.deadline))
                .bind(millis(now))
                .bind(worker)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if claimed != 1 {
                    continue;
                }
                if !locked {
                    lock_case(&mut tx, case.case_id).await?;
                    locked = true;
                }
                insert_history(&mut tx, case.case_id, now, &author, &firing.entry).await?;
                fired.push((case.case_id, t.key.clone()));
            }
            sqlx::query("UPDATE cases SET next_timer_at = $1 WHERE id = $2 AND version = $3")
                .bind(case.next.map(millis))
                .bind(case.case_id)
                .bind(case.version)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(fired)
    }
}
