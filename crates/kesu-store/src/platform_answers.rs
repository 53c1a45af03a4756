//! kesu's answers to platform requests: queued in the transaction that records the answer in
//! the case's history (one per case version: asked twice, the second is a stale version, not
//! a second answer), claimed with a lease by one sender on any server, retried with backoff;
//! each attempt is a history entry of its case.

use chrono::{DateTime, Utc};
use kesu_domain::case::Case;
use kesu_domain::history::{Author, Entry, SystemActor};
use kesu_domain::Event;
use serde_json::json;
use sqlx::Row;

use kesu_domain::audit_kind::AuditKind;

use crate::actions::write_event;
use crate::audit::By;
use crate::cases::insert_history;
use crate::changes::Topic;
use crate::outbox::{attempt_outcome, claim_sql};
use crate::timers::lock_case;
use crate::{from_millis, millis, Result, Store};

/// An answer to queue with its history entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAnswer {
    pub platform: String,
    pub shop: String,
    pub request_id: String,
    /// The answer and the call it makes, as JSON.
    pub answer: String,
    pub call: String,
    /// Recorded only: the shop's switch is off.
    pub dry_run: bool,
    pub created_by: String,
}

/// A stored answer and how its sending went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformAnswer {
    pub id: i64,
    pub case_id: i64,
    pub case_version: i64,
    pub platform: String,
    pub shop: String,
    pub request_id: String,
    pub answer: String,
    pub call: String,
    /// `queued`, `sent`, `failed` (given up after [`MAX_ATTEMPTS`]) or `dry_run`.
    pub status: String,
    pub attempts: i64,
    pub next_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

const COLUMNS: &str = "id, case_id, case_version, platform, shop, request_id, answer, call_json, \
     status, attempts, next_at, last_error, created_by, created_at, done_at";

fn from_row(r: &sqlx::any::AnyRow) -> Result<PlatformAnswer> {
    Ok(PlatformAnswer {
        id: r.try_get("id")?,
        case_id: r.try_get("case_id")?,
        case_version: r.try_get("case_version")?,
        platform: r.try_get("platform")?,
        shop: r.try_get("shop")?,
        request_id: r.try_get("request_id")?,
        answer: r.try_get("answer")?,
        call: r.try_get("call_json")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        next_at: from_millis(r.try_get("next_at")?),
        last_error: r.try_get("last_error")?,
        created_by: r.try_get("created_by")?,
        created_at: from_millis(r.try_get("created_at")?),
        done_at: r.try_get::<Option<i64>, _>("done_at")?.map(from_millis),
    })
}

impl Store {
    /// Records the answer on the case (`after`, `event`) and queues it (or keeps it as a dry
    /// run), in one transaction. Fails with `StaleVersion` when the case changed meanwhile.
    pub async fn queue_platform_answer(
        &self,
        after: &Case,
        event: &Event,
        answer: &NewAnswer,
    ) -> Result<PlatformAnswer> {
        let policy = self.policy().await?;
        let mut tx = self.write.begin().await?;
        write_event(&mut tx, after, event, &policy).await?;
        let status = if answer.dry_run { "dry_run" } else { "queued" };
        let row = sqlx::query(&format!(
            "INSERT INTO platform_answers (case_id, case_version, platform, shop, request_id, \
             answer, call_json, status, attempts, next_at, created_by, created_at, done_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, $9, $10, $9, $11) RETURNING {COLUMNS}"
        ))
        .bind(after.id)
        .bind(after.version)
        .bind(answer.platform.clone())
        .bind(answer.shop.clone())
        .bind(answer.request_id.clone())
        .bind(answer.answer.clone())
        .bind(answer.call.clone())
        .bind(status)
        .bind(millis(event.at))
        .bind(answer.created_by.clone())
        .bind(answer.dry_run.then_some(millis(event.at)))
        .fetch_one(&mut *tx)
        .await?;
        let stored = from_row(&row)?;
        let mark = self.log_change(&mut tx, Topic::Case, &[after.id]).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(stored)
    }

    /// Claims up to `limit` answers that are due, for `lease`.
    pub async fn claim_platform_answers(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> Result<Vec<PlatformAnswer>> {
        let sql = claim_sql(
            self.backend,
            "platform_answers",
            "status = 'queued'",
            COLUMNS,
        );
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

    /// Records an attempt at sending an answer, with its history entry: sent, or failed
    /// with `error` (retried after a backoff until given up).
    pub async fn record_answer_attempt(
        &self,
        answer: &PlatformAnswer,
        error: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (attempts, status, next_at, error) = attempt_outcome(answer.attempts, error, now);
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "UPDATE platform_answers SET status = $1, attempts = $2, next_at = $3, \
             lease_until = NULL, last_error = $4, done_at = $5 WHERE id = $6",
        )
        .bind(status)
        .bind(attempts)
        .bind(millis(next_at))
        .bind(error.clone())
        .bind((status != "queued").then_some(millis(now)))
        .bind(answer.id)
        .execute(&mut *tx)
        .await?;
        lock_case(&mut tx, answer.case_id).await?;
        let entry = Entry::Other {
            action: "platform_answer_sent".into(),
            data: json!({
                "answer_id": answer.id,
                "platform": answer.platform,
                "attempt": attempts,
                "status": status,
                "error": error,
            }),
        };
        let author = Author::System(SystemActor::PlatformConnector);
        insert_history(&mut tx, answer.case_id, now, &author, &entry).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A case's answers to its platform, oldest first.
    pub async fn platform_answers(&self, case_id: i64) -> Result<Vec<PlatformAnswer>> {
        sqlx::query(&format!(
            "SELECT {COLUMNS} FROM platform_answers WHERE case_id = $1 ORDER BY id"
        ))
        .bind(case_id)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(from_row)
        .collect()
    }

    /// Switches sending a source's answers to its platform on or off; false if no such source.
    pub async fn set_platform_answers(
        &self,
        platform: &str,
        shop: &str,
        send: bool,
        by: By<'_>,
    ) -> Result<bool> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE platform_sources SET send_answers = $1, updated_at = $2 \
             WHERE platform = $3 AND shop = $4",
        )
        .bind(i64::from(send))
        .bind(millis(by.at))
        .bind(platform.to_owned())
        .bind(shop.to_owned())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            tx.rollback().await?;
            return Ok(false);
        }
        let detail = json!({"platform": platform, "shop": shop, "send_answers": send});
        self.commit_audited(tx, by, AuditKind::ConnectorChanged, detail)
            .await?;
        Ok(true)
    }
}
