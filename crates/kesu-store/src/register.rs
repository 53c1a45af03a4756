//! Registration, the hot path of a big sale day, with group commit: registrations that
//! arrive while a commit is in progress are written together in the next transaction,
//! so one fsync acknowledges many complaints. Each registration runs in its own savepoint,
//! so a bad one never takes the others down, and nobody is answered before the commit.

use chrono::{DateTime, Utc};
use kesu_domain::registration::Registration;
use kesu_domain::{Actor, Policy};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use crate::cases::{detail_json, insert_history, record_from_row, search_text, CASE_COLUMNS};
use crate::{millis, CaseRecord, Result, Store, StoreError};

/// Most registrations committed in one transaction.
const MAX_BATCH: usize = 256;

/// One registration waiting for the writer.
pub(crate) struct Job {
    registration: Registration,
    actor: Actor,
    actor_id: i64,
    /// (key, SHA-256 of the canonical request)
    idempotency: Option<(String, String)>,
    now: DateTime<Utc>,
    policy: Policy,
    reply: oneshot::Sender<Result<(CaseRecord, bool)>>,
}

/// Starts the writer task; registrations reach it through the returned sender.
pub(crate) fn spawn_writer(pool: AnyPool) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut jobs = vec![first];
            while jobs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => jobs.push(job),
                    Err(_) => break,
                }
            }
            commit_batch(&pool, jobs).await;
        }
    });
    tx
}

async fn commit_batch(pool: &AnyPool, jobs: Vec<Job>) {
    let outcome = async {
        let mut tx = pool.begin().await?;
        let mut results = Vec::with_capacity(jobs.len());
        for job in &jobs {
            let mut savepoint = sqlx::Acquire::begin(&mut *tx).await?;
            match register_one(&mut savepoint, job).await {
                Ok(done) => {
                    savepoint.commit().await?;
                    results.push(Ok(done));
                }
                Err(e) => {
                    savepoint.rollback().await?;
                    results.push(Err(e));
                }
            }
        }
        tx.commit().await?;
        Ok::<_, StoreError>(results)
    }
    .await;
    match outcome {
        Ok(results) => {
            for (job, result) in jobs.into_iter().zip(results) {
                job.reply.send(result).ok();
            }
        }
        Err(e) => {
            tracing::error!(error = %e, batch = jobs.len(), "registration batch failed");
            let message = e.to_string();
            for job in jobs {
                job.reply
                    .send(Err(StoreError::CommitFailed(message.clone())))
                    .ok();
            }
        }
    }
}

/// Writes one registration inside the batch's transaction.
async fn register_one(conn: &mut AnyConnection, job: &Job) -> Result<(CaseRecord, bool)> {
    if let Some((key, hash)) = &job.idempotency {
        if let Some(existing) = idempotent_case(conn, job.actor_id, key, hash).await? {
            return Ok((existing, false));
        }
    }
    let day = job
        .now
        .with_timezone(&job.policy.zone())
        .format("%Y%m%d")
        .to_string();
    let seq: i64 = sqlx::query(
        "INSERT INTO case_counters (day, last) VALUES ($1, 1) \
         ON CONFLICT (day) DO UPDATE SET last = case_counters.last + 1 RETURNING last",
    )
    .bind(&day)
    .fetch_one(&mut *conn)
    .await?
    .try_get("last")?;
    let registration = &job.registration;
    let mut case = registration.into_case(0, seq, &job.actor, job.now, &job.policy);
    let id: i64 = sqlx::query(
        "INSERT INTO cases (number, status, version, channel, category, demand, department, \
         assignee, order_no, tracking_no, received_at, created_at, updated_at, resolve_by, \
         search_text, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) RETURNING id",
    )
    .bind(&case.number)
    .bind(case.status.code())
    .bind(case.version)
    .bind(case.channel.code())
    .bind(case.category.code())
    .bind(case.demand.code())
    .bind(case.department.as_ref().map(|d| d.as_str().to_owned()))
    .bind(case.assignee.clone())
    .bind(case.order_no.clone())
    .bind(case.tracking_no.clone())
    .bind(millis(case.received_at))
    .bind(millis(case.created_at))
    .bind(millis(case.updated_at))
    .bind(case.deadlines.resolve_by.map(millis))
    .bind(search_text(&case))
    .bind(detail_json(&case)?)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    case.id = id;
    let c = &registration.complainant;
    sqlx::query("INSERT INTO case_contacts (case_id, name, phone, email) VALUES ($1, $2, $3, $4)")
        .bind(id)
        .bind(c.name.as_str())
        .bind(c.phone.as_ref().map(|p| p.as_str().to_owned()))
        .bind(c.email.as_ref().map(|e| e.as_str().to_owned()))
        .execute(&mut *conn)
        .await?;
    insert_history(
        conn,
        id,
        1,
        job.now,
        job.actor.name(),
        "register",
        &registration.history_data(&case),
    )
    .await?;
    if let Some((key, hash)) = &job.idempotency {
        sqlx::query(
            "INSERT INTO idempotency_keys (user_id, key, request_hash, case_id, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(job.actor_id)
        .bind(key)
        .bind(hash)
        .bind(id)
        .bind(millis(job.now))
        .execute(&mut *conn)
        .await?;
    }
    Ok((
        CaseRecord {
            case,
            complainant: registration.complainant.clone(),
        },
        true,
    ))
}

async fn idempotent_case(
    conn: &mut AnyConnection,
    user_id: i64,
    key: &str,
    hash: &str,
) -> Result<Option<CaseRecord>> {
    let row = sqlx::query(
        "SELECT case_id, request_hash FROM idempotency_keys WHERE user_id = $1 AND key = $2",
    )
    .bind(user_id)
    .bind(key)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let stored: String = row.try_get("request_hash")?;
    if stored != hash {
        return Err(StoreError::IdempotencyMismatch);
    }
    let case_id: i64 = row.try_get("case_id")?;
    let row = sqlx::query(&format!(
        "SELECT {CASE_COLUMNS} FROM cases c JOIN case_contacts cc ON cc.case_id = c.id WHERE c.id = $1"
    ))
    .bind(case_id)
    .fetch_one(&mut *conn)
    .await?;
    record_from_row(&row).map(Some)
}

impl Store {
    /// Registers a complaint: number, case row, contact and first history entry, durable
    /// when this returns. With an idempotency key (`(key, canonical request JSON)`), a
    /// repeat returns the first case (`created == false`) and writes nothing.
    pub async fn create_case(
        &self,
        registration: &Registration,
        actor: &Actor,
        actor_id: i64,
        idempotency: Option<(&str, &str)>,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<(CaseRecord, bool)> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            registration: registration.clone(),
            actor: actor.clone(),
            actor_id,
            idempotency: idempotency.map(|(key, request)| {
                (
                    key.to_owned(),
                    hex::encode(Sha256::digest(request.as_bytes())),
                )
            }),
            now,
            policy: policy.clone(),
            reply,
        };
        let gone = || StoreError::CommitFailed("the registration writer has stopped".into());
        self.registrations.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}
