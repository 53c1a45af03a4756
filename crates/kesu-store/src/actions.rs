//! Case actions, the second hot path: an accepted event moves the case row from the event's
//! base version to the next and appends its history entry, its effects, its timers, its
//! facts and its change-log row, all in one transaction.
//!
//! On SQLite (one writer, every commit an fsync) actions are group-committed the way
//! registrations are: the events that arrive while a commit is in progress are written
//! together in the next transaction, each inside its own savepoint, so one that finds its
//! case changed (a stale version) is rolled back alone and the others commit. Nobody is
//! answered before the commit. On PostgreSQL, where transactions on different cases commit
//! side by side, each action is its own transaction through the same code.

use kesu_domain::case::Case;
use kesu_domain::{CaseStatus, Event, Policy};
use sqlx::{AnyConnection, Connection};
use tokio::sync::{mpsc, oneshot};

use crate::cases::{apply_effect, detail_json, insert_history, queue_key, search_text};
use crate::changes::Topic;
use crate::{millis, Result, Store, StoreError};

/// Most actions committed in one transaction.
const MAX_BATCH: usize = 128;

/// One action waiting for the writer.
pub(crate) struct Job {
    after: Case,
    event: Event,
    reply: oneshot::Sender<Result<()>>,
}

impl Store {
    /// Applies an accepted event: the case row moves from `event`'s base version to
    /// `after.version` and the history gains the event, in one transaction. Fails with
    /// [`StoreError::StaleVersion`] if someone else changed the case in between. Durable
    /// when this returns.
    pub async fn append_event(&self, after: &Case, event: &Event) -> Result<()> {
        if let Some(actions) = &self.actions {
            let (reply, answer) = oneshot::channel();
            let job = Job {
                after: after.clone(),
                event: event.clone(),
                reply,
            };
            actions
                .send(job)
                .await
                .map_err(|_| StoreError::Unavailable("the action writer has stopped".into()))?;
            return answer
                .await
                .map_err(|_| StoreError::Unavailable("the action writer has stopped".into()))?;
        }
        let policy = self.policy().await?;
        let mut tx = self.write.begin().await?;
        write_event(&mut tx, after, event, &policy).await?;
        let mark = self.log_change(&mut tx, Topic::Case, &[after.id]).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(())
    }
}

/// Starts the group-commit writer (SQLite); actions reach it through the returned sender.
pub(crate) fn spawn_writer(store: Store) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
    tokio::spawn(async move {
        while let Some(jobs) = crate::next_jobs(&mut rx, MAX_BATCH).await {
            metrics::histogram!("kesu_action_batch_size").record(jobs.len() as f64);
            commit_batch(&store, jobs).await;
        }
    });
    tx
}

async fn commit_batch(store: &Store, jobs: Vec<Job>) {
    let policy = match store.policy().await {
        Ok(p) => p,
        Err(e) => return answer_all(jobs, &e),
    };
    let mut results: Vec<Result<()>> = Vec::with_capacity(jobs.len());
    let outcome = async {
        let mut tx = store.write.begin().await?;
        for job in &jobs {
            // Each action in its own savepoint: one that fails leaves the others whole.
            let mut one = tx.begin().await?;
            match write_event(&mut one, &job.after, &job.event, &policy).await {
                Ok(()) => {
                    one.commit().await?;
                    results.push(Ok(()));
                }
                Err(e) => {
                    one.rollback().await?;
                    results.push(Err(e));
                }
            }
        }
        let written: Vec<i64> = jobs
            .iter()
            .zip(&results)
            .filter(|(_, r)| r.is_ok())
            .map(|(j, _)| j.after.id)
            .collect();
        let mark = if written.is_empty() {
            0
        } else {
            store.log_change(&mut tx, Topic::Case, &written).await?
        };
        tx.commit().await?;
        Ok::<u64, StoreError>(mark)
    }
    .await;
    match outcome {
        Ok(mark) => {
            if mark > 0 {
                store.committed(mark);
            }
            for (job, result) in jobs.into_iter().zip(results) {
                job.reply.send(result).ok();
            }
        }
        // Nothing of the batch is stored: everyone hears why (507 for a full disk, 503 …).
        Err(e) => answer_all(jobs, &e),
    }
}

fn answer_all(jobs: Vec<Job>, e: &StoreError) {
    for job in jobs {
        job.reply.send(Err(crate::register::not_committed(e))).ok();
    }
}

/// One action's writes inside the caller's transaction (or savepoint).
pub(crate) async fn write_event(
    conn: &mut AnyConnection,
    after: &Case,
    event: &Event,
    policy: &Policy,
) -> Result<()> {
    let res = sqlx::query(
        "UPDATE cases SET status = $1, version = $2, department = $3, assignee = $4, \
         updated_at = $5, resolve_by = $6, search_text = $7, detail = $8, queue_key = $11, \
         category = $12 WHERE id = $9 AND version = $10",
    )
    .bind(after.status.code())
    .bind(after.version)
    .bind(after.department.as_ref().map(|d| d.as_str().to_owned()))
    .bind(after.assignee.clone())
    .bind(millis(after.updated_at))
    .bind(after.deadlines.resolve_by.map(millis))
    .bind(search_text(after))
    .bind(detail_json(after)?)
    .bind(after.id)
    .bind(after.version - 1)
    .bind(queue_key(after))
    .bind(after.category.code())
    .execute(&mut *conn)
    .await?;
    if res.rows_affected() != 1 {
        return Err(StoreError::StaleVersion);
    }
    insert_history(conn, after.id, event.at, &event.author, &event.entry()).await?;
    crate::mentions::record(conn, after.id, event).await?;
    for effect in &event.effects {
        apply_effect(conn, after, effect).await?;
    }
    // The logistics exceptions of a case follow it: closed, they are dealt with.
    if after.status == CaseStatus::Closed {
        sqlx::query(
            "UPDATE logistics_exceptions SET state = 'resolved', resolved_at = $1 \
             WHERE case_id = $2 AND state = 'open'",
        )
        .bind(millis(event.at))
        .bind(after.id)
        .execute(&mut *conn)
        .await?;
    }
    let next = crate::timers::after_change(conn, after, policy, event.at).await?;
    sqlx::query("UPDATE cases SET next_timer_at = $1 WHERE id = $2")
        .bind(next.map(millis))
        .bind(after.id)
        .execute(&mut *conn)
        .await?;
    crate::facts::refresh(conn, &[after.id]).await?;
    Ok(())
}
