//! kesu's storage: one API over SQLite (the embedded default) and PostgreSQL.
//!
//! Both backends run the same SQL through sqlx's `Any` driver, so business logic is never
//! written twice; only the migrations differ in their column types. Every change to a case
//! is one transaction that updates the case row, bumps its version and appends its history.
//!
//! Errors: [`StoreError`]; the web layer maps its variants to HTTP statuses.

mod accounts;
mod bulk;
mod cases;
mod changes;
mod facts;
mod improvements;
mod logistics;
mod orders;
mod register;
mod search_source;
mod sessions;
mod settings;
#[cfg(feature = "testing")]
pub mod testing;
mod timers;
mod tracking;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

pub use accounts::{NewUser, User};
pub use bulk::{ImportedCase, ImportedEvent};
pub use cases::{queue_key, CaseFilter, CaseRecord, HistoryEntry, Page};
pub use changes::CaseChanged;
pub use improvements::Improvement;
pub use logistics::{
    Claim, DeliveredButComplained, ExceptionFilter, LogisticsException, NewException, WatchedParcel,
};
pub use orders::ORDER_BATCH;
pub use search_source::SearchSource;
pub use sessions::{Session, SESSION_HOURS};
pub use settings::{Department, TemplateLibrary};
pub use timers::{Firing, StoredTimer};
pub use tracking::Tracked;

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
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

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
    /// The policy, read at most every few seconds (every action needs it).
    policy_cache: settings::PolicyCache,
    /// Recent bearer-token lookups.
    token_cache: accounts::TokenCache,
    /// Announces committed changes to cases.
    changes: changes::ChangeFeed,
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
        let store = match backend {
            Backend::Sqlite => {
                let pool = |max: u32| {
                    AnyPoolOptions::new()
                        .max_connections(max)
                        .acquire_timeout(Duration::from_secs(30))
                        .after_connect(|conn, _| {
                            Box::pin(async move {
                                // WAL lets readers run beside the writer; FULL makes every
                                // acknowledged commit survive a crash or power cut.
                                conn.execute("PRAGMA journal_mode = WAL").await?;
                                conn.execute("PRAGMA synchronous = FULL").await?;
                                conn.execute("PRAGMA busy_timeout = 10000").await?;
                                conn.execute("PRAGMA foreign_keys = ON").await?;
                                Ok(())
                            })
                        })
                        .connect_with(options.clone())
                };
                let write = pool(1).await?;
                SQLITE_MIGRATIONS.run(&write).await?;
                let read = pool(4).await?;
                let changes = changes::ChangeFeed::default();
                Store {
                    backend,
                    read,
                    registrations: register::spawn_writer(write.clone(), changes.clone()),
                    policy_cache: Default::default(),
                    token_cache: Default::default(),
                    changes,
                    write,
                }
            }
            Backend::Postgres => {
                let pool = AnyPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(options)
                    .await?;
                POSTGRES_MIGRATIONS.run(&pool).await?;
                let changes = changes::ChangeFeed::default();
                Store {
                    backend,
                    read: pool.clone(),
                    registrations: register::spawn_writer(pool.clone(), changes.clone()),
                    policy_cache: Default::default(),
                    token_cache: Default::default(),
                    changes,
                    write: pool,
                }
            }
        };
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

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.read).await?;
        Ok(())
    }
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
