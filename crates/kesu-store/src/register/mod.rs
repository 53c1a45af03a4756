//! Registration, the hot path of a big sale day, with group commit: registrations that
//! arrive while a commit is in progress are written together in the next transaction,
//! so one fsync acknowledges many complaints. A batch costs a handful of statements
//! whatever its size; if it fails, each registration is retried alone so a bad one never
//! takes the others down. Nobody is answered before the commit.

use chrono::{DateTime, Utc};
use kesu_domain::registration::Registration;
use kesu_domain::{Actor, Policy};
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, AnyPool, Row};
use tokio::sync::{mpsc, oneshot};

use std::collections::HashMap;

use kesu_domain::case::Case;

use crate::{CaseRecord, Result, Store, StoreError};

mod rows;

pub(crate) use rows::{bind_new_case, insert_cases_sql, values};
use rows::{insert_cases, insert_rows, load_cases, stored_keys};

/// Most registrations committed in one transaction.
const MAX_BATCH: usize = 256;

/// One registration, as the writer writes it.
pub(crate) struct NewCase {
    pub(crate) registration: Registration,
    pub(crate) actor: Actor,
    pub(crate) actor_id: i64,
    /// (key, SHA-256 of the canonical request)
    pub(crate) idempotency: Option<(String, String)>,
    pub(crate) now: DateTime<Utc>,
    pub(crate) policy: Policy,
    /// The hash of a new status-page link for the customer, written with the case (a
    /// retry replaces the case's link, as asking for a new one does).
    pub(crate) customer_link: Option<String>,
}

/// One registration waiting for the writer.
pub(crate) struct Job {
    case: NewCase,
    reply: oneshot::Sender<Result<(CaseRecord, bool)>>,
}

/// Starts the writer task; registrations reach it through the returned sender.
pub(crate) fn spawn_writer(
    pool: AnyPool,
    backend: crate::Backend,
    wake: crate::changes::Wake,
) -> mpsc::Sender<Job> {
    let (tx, mut rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
    tokio::spawn(async move {
        while let Some(jobs) = crate::next_jobs(&mut rx, MAX_BATCH).await {
            metrics::histogram!("kesu_registration_batch_size").record(jobs.len() as f64);
            commit_batch(&pool, backend, jobs, &wake).await;
        }
    });
    tx
}

async fn commit_batch(
    pool: &AnyPool,
    backend: crate::Backend,
    jobs: Vec<Job>,
    wake: &crate::changes::Wake,
) {
    let (cases, replies): (Vec<NewCase>, Vec<_>) =
        jobs.into_iter().map(|j| (j.case, j.reply)).unzip();
    let mut mark = 0;
    let results = match write_batch(pool, backend, &cases, &mut mark).await {
        Ok(results) => results,
        // The storage's own trouble (a full disk, the database away) is nobody's fault in
        // the batch: everyone hears it now. Retrying one by one would make the last caller
        // wait a connection timeout per registration before its 503.
        Err(e @ (StoreError::StorageFull(_) | StoreError::Unavailable(_))) => {
            cases.iter().map(|_| Err(not_committed(&e))).collect()
        }
        Err(e) if cases.len() > 1 => {
            // One bad registration must not sink the others: retry each on its own.
            tracing::warn!(error = %e, batch = cases.len(), "registration batch failed; retrying one by one");
            let mut results = Vec::with_capacity(cases.len());
            for case in &cases {
                let one = std::slice::from_ref(case);
                results.push(match write_batch(pool, backend, one, &mut mark).await {
                    Ok(mut r) => r.remove(0),
                    Err(e) => Err(not_committed(&e)),
                });
            }
            results
        }
        Err(e) => vec![Err(not_committed(&e))],
    };
    if mark > 0 {
        wake.committed(mark);
    }
    for (reply, result) in replies.into_iter().zip(results) {
        reply.send(result).ok();
    }
}

/// A failed batch's error for each of its callers (registrations and actions alike): the
/// storage's own trouble (a full disk, an unavailable database) keeps its kind so each hears
/// 507 or 503.
pub(crate) fn not_committed(e: &StoreError) -> StoreError {
    match e {
        StoreError::StorageFull(m) => StoreError::StorageFull(m.clone()),
        StoreError::Unavailable(m) => StoreError::Unavailable(m.clone()),
        other => StoreError::CommitFailed(other.to_string()),
    }
}

/// What becomes of one job in a batch.
enum Plan {
    /// A retry: answer with the case its key already created.
    Replay(i64),
    /// A retry of a job earlier in this batch.
    ReplayOfJob(usize),
    /// The key was used before for a different request.
    Mismatch,
    /// A new case, with its daily number.
    Create(String),
}

/// Writes a batch and its change-log rows in one transaction; raises `mark` to the log's
/// mark once committed.
async fn write_batch(
    pool: &AnyPool,
    backend: crate::Backend,
    jobs: &[NewCase],
    mark: &mut u64,
) -> Result<Vec<Result<(CaseRecord, bool)>>> {
    let mut tx = pool.begin().await?;
    let results = write_cases(&mut tx, jobs).await?;
    let created: Vec<i64> = results
        .iter()
        .filter_map(|r| match r {
            Ok((record, true)) => Some(record.case.id),
            _ => None,
        })
        .collect();
    let logged = if created.is_empty() {
        0
    } else {
        crate::changes::record(&mut tx, backend, crate::Topic::Case, &created).await?
    };
    tx.commit().await?;
    *mark = (*mark).max(logged);
    Ok(results)
}

/// Writes registrations inside the caller's transaction with a handful of statements
/// whatever their number (each statement is a round trip to the database thread, which
/// dominates the cost). Nothing is durable until the caller commits.
/// Writes one case opened by a part of kesu (not a person, no idempotency key) inside the
/// caller's transaction, which also writes what the case was opened for.
pub(crate) async fn write_one_case(
    conn: &mut AnyConnection,
    registration: &Registration,
    actor: &Actor,
    now: DateTime<Utc>,
    policy: &Policy,
) -> Result<CaseRecord> {
    let new = NewCase {
        registration: registration.clone(),
        actor: actor.clone(),
        actor_id: 0,
        idempotency: None,
        now,
        policy: policy.clone(),
        customer_link: None,
    };
    let (record, _) = write_cases(conn, std::slice::from_ref(&new))
        .await?
        .pop()
        .ok_or_else(|| StoreError::Corrupt("no case written".into()))??;
    Ok(record)
}

pub(crate) async fn write_cases(
    conn: &mut AnyConnection,
    jobs: &[NewCase],
) -> Result<Vec<Result<(CaseRecord, bool)>>> {
    // 1. Retries: keys already stored, or repeated within this batch.
    let stored = stored_keys(conn, jobs).await?;
    let mut plans: Vec<Option<Plan>> = Vec::with_capacity(jobs.len());
    let mut seen: HashMap<(i64, &str), (usize, &str)> = HashMap::new();
    for (i, job) in jobs.iter().enumerate() {
        let plan = job.idempotency.as_ref().and_then(|(key, hash)| {
            if let Some((case_id, stored_hash)) = stored.get(&(job.actor_id, key.clone())) {
                return Some(if stored_hash == hash {
                    Plan::Replay(*case_id)
                } else {
                    Plan::Mismatch
                });
            }
            match seen.get(&(job.actor_id, key.as_str())) {
                Some((first, first_hash)) if *first_hash == hash => Some(Plan::ReplayOfJob(*first)),
                Some(_) => Some(Plan::Mismatch),
                None => {
                    seen.insert((job.actor_id, key.as_str()), (i, hash.as_str()));
                    None
                }
            }
        });
        plans.push(plan);
    }

    // 2. Daily numbers, one statement per shop-local day in the batch.
    let mut by_day: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        if plans[i].is_some() {
            continue;
        }
        let day = job
            .now
            .with_timezone(&job.policy.zone())
            .format("%Y%m%d")
            .to_string();
        match by_day.iter_mut().find(|(d, _)| *d == day) {
            Some((_, idx)) => idx.push(i),
            None => by_day.push((day, vec![i])),
        }
    }
    for (day, idx) in &by_day {
        let n = idx.len() as i64;
        let last: i64 = sqlx::query(
            "INSERT INTO case_counters (day, last) VALUES ($1, $2) \
             ON CONFLICT (day) DO UPDATE SET last = case_counters.last + $2 RETURNING last",
        )
        .bind(day)
        .bind(n)
        .fetch_one(&mut *conn)
        .await?
        .try_get("last")?;
        for (k, &i) in idx.iter().enumerate() {
            let date = chrono::NaiveDate::parse_from_str(day, "%Y%m%d").unwrap_or_default();
            plans[i] = Some(Plan::Create(kesu_domain::case::case_number(
                date,
                last - n + 1 + k as i64,
            )));
        }
    }

    // 3. The new cases, their contacts, first history entries and idempotency keys.
    let mut created: HashMap<usize, Case> = HashMap::new();
    let mut cases: Vec<(usize, Case)> = Vec::new();
    for (i, job) in jobs.iter().enumerate() {
        if let Some(Plan::Create(number)) = &plans[i] {
            let mut case = job
                .registration
                .into_case(0, 0, &job.actor, job.now, &job.policy);
            case.number = number.clone();
            cases.push((i, case));
        }
    }
    if !cases.is_empty() {
        let ids = insert_cases(conn, jobs, &cases).await?;
        for (i, mut case) in cases {
            case.id = *ids.get(&case.number).ok_or_else(|| {
                StoreError::Corrupt(format!("no id returned for {}", case.number))
            })?;
            created.insert(i, case);
        }
        insert_rows(conn, jobs, &created).await?;
        let records: Vec<CaseRecord> = created
            .iter()
            .map(|(i, case)| CaseRecord {
                case: case.clone(),
                complainant: jobs[*i].registration.complainant.clone(),
            })
            .collect();
        crate::facts::write_new(conn, &records).await?;
    }

    // 4. Cases that retries answer with.
    let replay_ids: Vec<i64> = plans
        .iter()
        .filter_map(|p| match p {
            Some(Plan::Replay(id)) => Some(*id),
            _ => None,
        })
        .collect();
    let replayed = load_cases(conn, &replay_ids).await?;

    let results: Vec<Result<(CaseRecord, bool)>> = jobs
        .iter()
        .enumerate()
        .map(|(i, job)| match &plans[i] {
            Some(Plan::Create(_)) => Ok((
                CaseRecord {
                    case: created[&i].clone(),
                    complainant: job.registration.complainant.clone(),
                },
                true,
            )),
            Some(Plan::ReplayOfJob(first)) => Ok((
                CaseRecord {
                    case: created[first].clone(),
                    complainant: jobs[*first].registration.complainant.clone(),
                },
                false,
            )),
            Some(Plan::Replay(id)) => {
                replayed
                    .get(id)
                    .cloned()
                    .map(|r| (r, false))
                    .ok_or_else(|| {
                        StoreError::Corrupt(format!("idempotency key points to missing case {id}"))
                    })
            }
            Some(Plan::Mismatch) => Err(StoreError::IdempotencyMismatch),
            None => Err(StoreError::Corrupt("registration left unplanned".into())),
        })
        .collect();

    // 5. Status-page links asked for with the registration.
    for (job, result) in jobs.iter().zip(&results) {
        if let (Some(link), Ok((record, _))) = (&job.customer_link, result) {
            crate::sessions::replace_customer_link(conn, record.case.id, link, job.now).await?;
        }
    }
    Ok(results)
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
        self.register(
            registration,
            actor,
            actor_id,
            idempotency,
            now,
            policy,
            None,
        )
        .await
    }

    /// Registers the customer's own complaint and gives them a status-page link, in one
    /// transaction: the case is never stored without the link its customer was shown.
    /// A retry (same key) answers with the first case and a fresh link.
    pub async fn create_case_with_customer_link(
        &self,
        registration: &Registration,
        idempotency: Option<(&str, &str)>,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<(CaseRecord, bool, String)> {
        let token = crate::sessions::new_link_token();
        let link = Some(crate::sessions::link_hash(&token));
        let (record, created) = self
            .register(
                registration,
                &Actor::Customer,
                0,
                idempotency,
                now,
                policy,
                link,
            )
            .await?;
        Ok((record, created, token))
    }

    #[allow(clippy::too_many_arguments)]
    async fn register(
        &self,
        registration: &Registration,
        actor: &Actor,
        actor_id: i64,
        idempotency: Option<(&str, &str)>,
        now: DateTime<Utc>,
        policy: &Policy,
        customer_link: Option<String>,
    ) -> Result<(CaseRecord, bool)> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            case: NewCase {
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
                customer_link,
            },
            reply,
        };
        let gone = || StoreError::CommitFailed("the registration writer has stopped".into());
        self.registrations.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}
