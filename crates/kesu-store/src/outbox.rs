//! The outbox: notices to customers and webhook deliveries, written by the notifier in the
//! same transaction as its position in the change log (so none is written twice or lost),
//! claimed with a lease by one sender at a time on any server, retried with backoff. Each
//! attempt on a customer notice is also a history entry of its case.

use chrono::{DateTime, Duration, Utc};
use kesu_domain::history::{Author, Entry, SystemActor};
use serde_json::json;
use sqlx::Row;

use crate::cases::insert_history;
use crate::timers::lock_case;
use crate::{from_millis, millis, Backend, Cursor, Result, Store};

/// Attempts before a message is given up.
pub const MAX_ATTEMPTS: i64 = 8;

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub case_id: i64,
    /// The history entry it is about.
    pub seq: i64,
    /// `email`, `sms` or `webhook`.
    pub channel: String,
    /// An address, a phone number, or a webhook's id.
    pub target: String,
    pub event: String,
    pub subject: Option<String>,
    pub body: String,
}

/// A stored message and how its sending went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub id: i64,
    pub case_id: i64,
    pub seq: i64,
    pub channel: String,
    pub target: String,
    pub event: String,
    pub subject: Option<String>,
    pub body: String,
    /// `queued`, `sent` or `failed` (given up after [`MAX_ATTEMPTS`]).
    pub status: String,
    pub attempts: i64,
    pub next_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, case_id, seq, channel, target, event, subject, body, status, attempts, \
     next_at, last_error, created_at, done_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<OutboxMessage> {
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        seq: r.try_get("seq")?,
        channel: r.try_get("channel")?,
        target: r.try_get("target")?,
        event: r.try_get("event")?,
        subject: r.try_get("subject")?,
        body: r.try_get("body")?,
        status: r.try_get("status")?,
        attempts: r.try_get::<i64, _>("attempts")?,
        next_at: from_millis(r.try_get("next_at")?),
        last_error: r.try_get("last_error")?,
        created_at: from_millis(r.try_get("created_at")?),
        done_at: r.try_get::<Option<i64>, _>("done_at")?.map(from_millis),
    })
}

/// The wait before attempt `attempts + 1`: 30 s, 1 min, 2 min … capped at 1 hour.
pub fn backoff(attempts: i64) -> Duration {
    let secs = 30i64.saturating_mul(1 << attempts.clamp(0, 7));
    Duration::seconds(secs.min(3600))
}

/// Ids as an SQL list (`1,2,3`): numbers only, so nothing to escape.
fn id_list(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Keeps a durable follower's position inside the caller's transaction.
async fn keep_position(conn: &mut sqlx::AnyConnection, follower: (&str, Cursor)) -> Result<()> {
    sqlx::query(
        "INSERT INTO follower_positions (name, position) VALUES ($1, $2) \
         ON CONFLICT (name) DO UPDATE SET position = excluded.position",
    )
    .bind(follower.0.to_owned())
    .bind(follower.1.encode())
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// A durable follower's kept position.
    pub async fn follower_position(&self, name: &str) -> Result<Option<Cursor>> {
        let row = sqlx::query("SELECT position FROM follower_positions WHERE name = $1")
            .bind(name.to_owned())
            .fetch_optional(&self.write)
            .await?;
        Ok(row
            .map(|r| r.try_get::<String, _>("position"))
            .transpose()?
            .and_then(|p| Cursor::decode(&p)))
    }

    /// The last history entry of each case the notifier has looked at.
    pub async fn notified_through(&self, case_ids: &[i64]) -> Result<Vec<(i64, i64)>> {
        if case_ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = id_list(case_ids);
        sqlx::query(&format!(
            "SELECT case_id, seq FROM notified_entries WHERE case_id IN ({list})"
        ))
        .fetch_all(&self.write)
        .await?
        .iter()
        .map(|r| Ok((r.try_get("case_id")?, r.try_get("seq")?)))
        .collect()
    }

    /// Writes the messages, how far each case's history has been looked at, and the
    /// follower's position, in one transaction.
    pub async fn enqueue_messages(
        &self,
        messages: &[NewMessage],
        through: &[(i64, i64)],
        follower: (&str, Cursor),
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        for m in messages {
            sqlx::query(
                "INSERT INTO outbox (case_id, seq, channel, target, event, subject, body, status, \
                 attempts, next_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', 0, $8, $8) \
                 ON CONFLICT (case_id, seq, channel, target, event) DO NOTHING",
            )
            .bind(m.case_id)
            .bind(m.seq)
            .bind(m.channel.clone())
            .bind(m.target.clone())
            .bind(m.event.clone())
            .bind(m.subject.clone())
            .bind(m.body.clone())
            .bind(millis(now))
            .execute(&mut *tx)
            .await?;
        }
        for (case_id, seq) in through {
            sqlx::query(
                "INSERT INTO notified_entries (case_id, seq) VALUES ($1, $2) \
                 ON CONFLICT (case_id) DO UPDATE SET seq = excluded.seq",
            )
            .bind(*case_id)
            .bind(*seq)
            .execute(&mut *tx)
            .await?;
        }
        keep_position(&mut tx, follower).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks the cases' histories as looked at to their last entry and keeps the follower's
    /// position, without writing messages (nothing is set up to send to).
    pub async fn skip_notifying(&self, case_ids: &[i64], follower: (&str, Cursor)) -> Result<()> {
        let mut tx = self.write.begin().await?;
        if !case_ids.is_empty() {
            let list = id_list(case_ids);
            sqlx::query(&format!(
                "INSERT INTO notified_entries (case_id, seq) SELECT case_id, MAX(seq) FROM case_events \
                 WHERE case_id IN ({list}) GROUP BY case_id \
                 ON CONFLICT (case_id) DO UPDATE SET seq = excluded.seq"
            ))
            .execute(&mut *tx)
            .await?;
        }
        keep_position(&mut tx, follower).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims up to `limit` messages that are due, for `lease` (no other sender takes them
    /// meanwhile; a sender that dies leaves them to the next after the lease).
    pub async fn claim_due_messages(
        &self,
        now: DateTime<Utc>,
        lease: Duration,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let sql = claim_sql(self.backend, "outbox", "status = 'queued'", COLUMNS);
        sqlx::query(&sql)
            .bind(millis(now + lease))
            .bind(millis(now))
            .bind(limit)
            .fetch_all(&self.write)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// Records an attempt: sent, or failed with `error` (retried after [`backoff`] until
    /// [`MAX_ATTEMPTS`]). Customer notices also write the attempt into the case's history.
    pub async fn record_attempt(
        &self,
        message: &OutboxMessage,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (attempts, status, next_at, error) = attempt_outcome(message.attempts, error, now);
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE outbox SET status = $1, attempts = $2, next_at = $3, lease_until = NULL, \
             last_error = $4, done_at = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(attempts)
        .bind(millis(next_at))
        .bind(error.clone())
        .bind((status != "queued").then_some(millis(now)))
        .bind(message.id)
        .execute(&mut *tx)
        .await?;
        if message.channel != "webhook" {
            lock_case(&mut tx, message.case_id).await?;
            let entry = Entry::Other {
                action: "notify".into(),
                data: json!({
                    "notification": message.id,
                    "channel": message.channel,
                    "event": message.event,
                    "attempt": attempts,
                    "status": status,
                    "error": error,
                }),
            };
            let author = Author::System(SystemActor::Kesu);
            insert_history(&mut tx, message.case_id, now, &author, &entry).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// What was sent or queued about a case, oldest first (webhook deliveries are not).
    pub async fn case_messages(&self, case_id: i64) -> Result<Vec<OutboxMessage>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM outbox WHERE case_id = $1 AND channel <> 'webhook' ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// The newest messages of a channel (`webhook` for the delivery log), or those that
    /// failed, for the admin's lists.
    pub async fn outbox_messages(
        &self,
        channel: Option<&str>,
        failed_only: bool,
        limit: i64,
    ) -> Result<Vec<OutboxMessage>> {
        let mut sql = format!("SELECT {COLUMNS} FROM outbox WHERE 1 = 1");
        if channel.is_some() {
            sql.push_str(" AND channel = $2");
        }
        if failed_only {
            sql.push_str(" AND (status = 'failed' OR last_error IS NOT NULL)");
        }
        sql.push_str(" ORDER BY id DESC LIMIT $1");
        let mut q = sqlx::query(&sql).bind(limit);
        if let Some(c) = channel {
            q = q.bind(c.to_owned());
        }
        q.fetch_all(&self.read)
            .await?
            .iter()
            .map(from_row)
            .collect()
    }

    /// Queues a message again now (a webhook re-delivery, a failed notice retried by an admin).
    pub async fn requeue_message(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let n = sqlx::query(
            "UPDATE outbox SET status = 'queued', next_at = $1, lease_until = NULL, attempts = 0 \
             WHERE id = $2",
        )
        .bind(millis(now))
        .bind(id)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// The customer asked to hear nothing more about the case by e-mail or SMS.
    pub async fn opt_out(&self, case_id: i64, now: DateTime<Utc>) -> Result<()> {
        sqlx::query(
            "INSERT INTO contact_optouts (case_id, at) VALUES ($1, $2) ON CONFLICT (case_id) DO NOTHING",
        )
        .bind(case_id)
        .bind(millis(now))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn opted_out(&self, case_id: i64) -> Result<bool> {
        Ok(
            sqlx::query("SELECT 1 AS one FROM contact_optouts WHERE case_id = $1")
                .bind(case_id)
                .fetch_optional(&self.read)
                .await?
                .is_some(),
        )
    }
}

/// What an attempt at sending leaves: the attempts made, the status (`sent`, `queued` again
/// after a backoff, or `failed` when given up), when to try next, and the error as kept.
pub(crate) fn attempt_outcome(
    attempts_before: i64,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> (i64, &'static str, DateTime<Utc>, Option<String>) {
    let attempts = attempts_before + 1;
    let (status, next_at) = match error {
        None => ("sent", now),
        Some(_) if attempts >= MAX_ATTEMPTS => ("failed", now),
        Some(_) => ("queued", now + backoff(attempts - 1)),
    };
    let error = error.map(|e| e.chars().take(500).collect());
    (attempts, status, next_at, error)
}

/// The statement that claims up to `$3` rows of `table` that are `waiting`, due at `$2` and
/// not leased, leasing them until `$1` and returning `columns`: one worker on any server takes
/// each (PostgreSQL skips rows another worker is claiming; SQLite has one writer).
pub(crate) fn claim_sql(backend: Backend, table: &str, waiting: &str, columns: &str) -> String {
    let lock = match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    format!(
        "UPDATE {table} SET lease_until = $1 WHERE id IN (SELECT id FROM {table} \
         WHERE {waiting} AND next_at <= $2 AND (lease_until IS NULL OR lease_until < $2) \
         ORDER BY next_at, id LIMIT $3{lock}) RETURNING {columns}"
    )
}
