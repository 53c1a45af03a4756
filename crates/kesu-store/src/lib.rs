//! kesu's storage: one API over SQLite (the embedded default) and PostgreSQL.
//!
//! Both backends run the same SQL through sqlx's `Any` driver, so business logic is never
//! written twice; only the migrations differ in their column types. Every change to a case
//! is one transaction that updates the case row, bumps its version and appends its history.
//!
//! Errors: [`StoreError`]; the web layer maps its variants to HTTP statuses.

mod accountability;
mod accounts;
mod actions;
mod attachments;
mod audit;
mod backup;
mod bad_reviews;
mod bulk;
mod carriers;
mod cases;
mod changes;
mod customer_history;
mod facts;
mod health;
mod improvements;
mod incidents;
mod knowledge;
mod logistics;
mod mentions;
mod monitor;
mod notices;
mod orders;
mod outbox;
mod personal_data;
mod platform_answers;
mod platform_images;
mod platforms;
mod quality;
mod records_audits;
mod register;
mod saved_views;
mod search_source;
mod sessions;
mod settings;
mod sign_in;
mod sla_firing;
#[cfg(feature = "testing")]
pub mod testing;
mod timers;
mod tokens;
mod tracking;
mod triage_models;
mod two_factor;
mod webhooks;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Connection, Executor};

pub use accountability::RecordedAccountability;
pub use accounts::{Grant, NewToken, NewUser, User};
pub use attachments::{sha256_hex, Attachment, Blobs, NewAttachment, Source as AttachmentSource};
pub use audit::{AuditEvent, By, Sealed, TrailEntry, TrailFilter, Verdict, VerifyProgress};
pub use bad_reviews::{BadReview, ReviewCounts};
pub use bulk::{ImportedCase, ImportedEvent};
pub use cases::{queue_key, CaseFilter, CaseRecord, HistoryEntry, Page};
pub use changes::{ChangeFollower, Changes, Cursor, Topic};
pub use health::StorageHealth;
pub use improvements::Improvement;
pub use incidents::{Incident, LinkedCase, NewIncident};
pub use knowledge::{Article, ArticleVersion, KnowledgeImport};
pub use logistics::{
    Claim, DeliveredButComplained, ExceptionFilter, LogisticsException, NewException, WatchedParcel,
};
pub use mentions::{Mention, MENTIONS_SHOWN};
pub use notices::{Notice, NoticeRead, ReaderNotice};
pub use orders::ORDER_BATCH;
pub use outbox::{backoff, NewMessage, OutboxMessage, MAX_ATTEMPTS};
pub use personal_data::{Erasure, PersonCase, PersonExport, PersonFound};
pub use platform_answers::{NewAnswer, PlatformAnswer};
pub use platform_images::{PendingImage, MAX_IMAGE_ATTEMPTS};
pub use platforms::PlatformSource;
pub use quality::{QcReview, QcSample};
pub use records_audits::{AuditedCase, NewRecordsAudit, RecordsAudit};
pub use saved_views::SavedView;
pub use search_source::SearchSource;
pub use sessions::{Session, SessionInfo, SessionMeta, SESSION_HOURS};
pub use settings::{Department, TemplateLibrary};
pub use sign_in::Account;
pub use sla_firing::{CaseFirings, DueCase, Firing};
pub use timers::StoredTimer;
pub use tokens::{token_id, TokenInfo};
pub use tracking::Tracked;
pub use triage_models::TrainingRecord;
pub use two_factor::TwoFactor;
pub use webhooks::Webhook;

/// Which database is behind the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The case changed since the caller read it (optimistic concurrency).
    #[error("the case was changed by someone else; reload it and try again")]
    StaleVersion,
    /// A unique value already exists (e.g. a username).
    #[error("{0}")]
    Duplicate(String),
    /// An `Idempotency-Key` was reused for a different request.
    #[error("this Idempotency-Key was already used for a different request")]
    IdempotencyMismatch,
    /// Values that do not fit together (HTTP 422).
    #[error("invalid values")]
    Invalid(Vec<kesu_domain::FieldError>),
    /// The change conflicts with what is stored (HTTP 409).
    #[error("{0}")]
    Conflict(String),
    /// A referenced row does not exist.
    #[error("{0}")]
    NotFound(String),
    #[error("unsupported database URL `{0}`: use sqlite://FILE or postgres://…")]
    UnsupportedUrl(String),
    #[error("stored data could not be read: {0}")]
    Corrupt(String),
    /// The transaction holding this write could not be committed; nothing was stored.
    #[error("the write could not be committed: {0}")]
    CommitFailed(String),
    /// The disk holding the database is full; nothing was stored (HTTP 507).
    #[error("the disk holding the database is full: {0}")]
    StorageFull(String),
    /// The database cannot be reached or written now (I/O error, read-only, connection
    /// lost, no free connection); nothing was stored (HTTP 503).
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<sqlx::Error> for StoreError {
    /// Sorts out the failures that are the storage's state, not a fault of the request or
    /// of kesu: they answer 507 or 503 and the server recovers from them by itself.
    fn from(e: sqlx::Error) -> Self {
        match storage_trouble(&e) {
            Some(Trouble::Full) => StoreError::StorageFull(e.to_string()),
            Some(Trouble::Unavailable) => StoreError::Unavailable(e.to_string()),
            None => StoreError::Database(e),
        }
    }
}

enum Trouble {
    Full,
    Unavailable,
}

fn storage_trouble(e: &sqlx::Error) -> Option<Trouble> {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code().unwrap_or_default();
            if code.len() == 5 {
                // PostgreSQL's SQLSTATE: 53100 disk_full, class 53 insufficient resources,
                // class 08 connection exceptions, 57P0x the server shutting down.
                match code.as_ref() {
                    "53100" => Some(Trouble::Full),
                    c if c.starts_with("53") || c.starts_with("08") || c.starts_with("57P0") => {
                        Some(Trouble::Unavailable)
                    }
                    _ => None,
                }
            } else {
                // SQLite's (extended) result code; the primary code is its low byte:
                // 13 FULL; 10 IOERR, 8 READONLY, 14 CANTOPEN, 5 BUSY, 6 LOCKED.
                match code.parse::<i64>().map(|c| c & 0xff) {
                    Ok(13) => Some(Trouble::Full),
                    Ok(10 | 8 | 14 | 5 | 6) => Some(Trouble::Unavailable),
                    _ if db.message().contains("No space left on device") => Some(Trouble::Full),
                    _ => None,
                }
            }
        }
        sqlx::Error::Io(io) if io.raw_os_error() == Some(28) => Some(Trouble::Full),
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => Some(Trouble::Unavailable),
        _ => None,
    }
}

/// The store. Cheap to clone; clones share the pools.
#[derive(Clone)]
pub struct Store {
    backend: Backend,
    /// Readers. On SQLite several connections read concurrently under WAL.
    read: AnyPool,
    /// Writers. On SQLite one connection, so transactions never fight over the file lock.
    write: AnyPool,
    /// The group-commit writer for registrations.
    registrations: tokio::sync::mpsc::Sender<register::Job>,
    /// SQLite: the group-commit writer for case actions (PostgreSQL commits them side by side).
    actions: Option<tokio::sync::mpsc::Sender<actions::Job>>,
    /// Where attachment bytes are kept.
    blobs: Blobs,
    /// The policy, read at most every few seconds (every action needs it).
    policy_cache: settings::PolicyCache,
    /// Recent bearer-token lookups.
    token_cache: accounts::TokenCache,
    /// Wakes the change log's followers after commits (here and, on PostgreSQL, elsewhere).
    wake: changes::Wake,
    /// The shop's triage model in use, read at most every half minute.
    triage_model_cache: triage_models::ModelCache,
    /// The last storage health check.
    health: health::HealthCache,
    /// SQLite: the database's folder, whose free space the health check watches.
    sqlite_folder: Option<std::path::PathBuf>,
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// The default database: a SQLite file inside the data folder.
pub fn sqlite_url_in(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("kesu.db").display())
}

impl Store {
    /// Connects to `url` (sqlite:// or postgres://) and brings the schema up to date.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        };
        let options = AnyConnectOptions::from_str(url)?;
        let mut store = match backend {
            Backend::Sqlite => {
                let pool = |max: u32| {
                    pool_options()
                        .max_connections(max)
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                // WAL lets readers run beside the writer; FULL makes every
                                // acknowledged commit survive a crash or power cut.
                                conn.execute("PRAGMA journal_mode = WAL").await?;
                                conn.execute("PRAGMA synchronous = FULL").await?;
                                conn.execute("PRAGMA busy_timeout = 10000").await?;
                                conn.execute("PRAGMA foreign_keys = ON").await?;
                                // A row rewritten leaves no copy of its old values in the
                                // page's free space where that costs no extra I/O; erasing a
                                // customer (PIPL) zeroes the rest.
                                conn.execute("PRAGMA secure_delete = FAST").await?;
                                Ok(())
                            })
                        })
                        .connect_with(options.clone())
                };
                let write = pool(1).await?;
                SQLITE_MIGRATIONS.run(&write).await?;
                let read = pool(4).await?;
                let wake = changes::Wake::default();
                Store {
                    backend,
                    read,
                    registrations: register::spawn_writer(write.clone(), backend, wake.clone()),
                    actions: None,
                    blobs: Blobs::Database,
                    policy_cache: Default::default(),
                    triage_model_cache: Default::default(),
                    token_cache: Default::default(),
                    wake,
                    write,
                    health: Default::default(),
                    sqlite_folder: health::sqlite_folder(url),
                }
            }
            Backend::Postgres => {
                // While the database is down (a restart, a failover) a request waits this
                // long for a connection, then answers 503 with Retry-After instead of
                // hanging: sqlx keeps retrying a refused connection until the timeout.
                let pool = pool_options()
                    .acquire_timeout(Duration::from_secs(3))
                    .max_connections(16)
                    .connect_with(options)
                    .await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                let wake = changes::Wake::default();
                wake.spawn_postgres(url.to_owned(), pool.clone());
                Store {
                    backend,
                    read: pool.clone(),
                    registrations: register::spawn_writer(pool.clone(), backend, wake.clone()),
                    actions: None,
                    blobs: Blobs::Database,
                    policy_cache: Default::default(),
                    triage_model_cache: Default::default(),
                    token_cache: Default::default(),
                    wake,
                    write: pool,
                    health: Default::default(),
                    sqlite_folder: None,
                }
            }
        };
        if store.backend == Backend::Sqlite {
            store.actions = Some(actions::spawn_writer(store.clone()));
        }
        store.ensure_instance_id().await?;
        store.spawn_cache_follower().await?;
        Ok(store)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }

    /// SQLite's journal mode and synchronous level on the writer connection
    /// (`("wal", 2)` means WAL with FULL durability); `None` on PostgreSQL.
    pub async fn sqlite_durability(&self) -> Result<Option<(String, i64)>> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let mut conn = self.write.acquire().await?;
        let mode: String = sqlx::Row::try_get(
            &sqlx::query("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await?,
            0,
        )?;
        let sync: i64 = sqlx::Row::try_get(
            &sqlx::query("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await?,
            0,
        )?;
        Ok(Some((mode, sync)))
    }

    /// Each pool's connections: (pool, open, idle), for `/metrics`.
    pub fn pool_use(&self) -> Vec<(&'static str, u32, usize)> {
        let mut out = vec![("write", self.write.size(), self.write.num_idle())];
        if self.backend == Backend::Sqlite {
            out.push(("read", self.read.size(), self.read.num_idle()));
        }
        out
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }
}

/// Pool settings both backends share. A connection handed back still inside a transaction
/// is closed, never reused: when a COMMIT fails (a full disk, an I/O error), SQLite may roll
/// the transaction back by itself, sqlx's own ROLLBACK then fails and it still counts one
/// transaction open, so the next BEGIN became a SAVEPOINT inside a transaction that never
/// commits — and every later write on that connection was acknowledged and lost.
fn pool_options() -> AnyPoolOptions {
    AnyPoolOptions::new()
        .acquire_timeout(Duration::from_secs(30))
        .after_release(|conn, _| {
            Box::pin(async move {
                if !conn.is_in_transaction() {
                    return Ok(true);
                }
                // A dropped transaction's rollback may still be queued: run it, then look.
                conn.ping().await?;
                if conn.is_in_transaction() {
                    tracing::warn!("closing a database connection left inside a transaction");
                    return Ok(false);
                }
                Ok(true)
            })
        })
}

/// A group-commit writer's next batch: waits for one job, then takes those already waiting,
/// up to `max` in all. `None` once every sender is gone.
pub(crate) async fn next_jobs<T>(
    rx: &mut tokio::sync::mpsc::Receiver<T>,
    max: usize,
) -> Option<Vec<T>> {
    let first = rx.recv().await?;
    let mut jobs = vec![first];
    while jobs.len() < max {
        match rx.try_recv() {
            Ok(job) => jobs.push(job),
            Err(_) => break,
        }
    }
    Some(jobs)
}

/// `$first, …` for `n` values (an `IN (…)` list).
pub(crate) fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Whether `e` is a unique-constraint violation (both backends).
pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            db.is_unique_violation()
                || db.code().as_deref() == Some("23505")
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}
