//! Whether the database can take writes now, for `/healthz`: it answers reads, its disk has
//! room (SQLite: the data folder's free space) and a small write transaction commits.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::RngCore;

use crate::{Result, Store, StoreError};

/// Below this much free space in the SQLite folder the disk counts as full: a registration
/// batch and a checkpoint need a few hundred kilobytes.
const MIN_FREE_BYTES: u64 = 1024 * 1024;
/// The write probe's payload: bigger than a page, so it needs fresh space.
const PROBE_BYTES: usize = 16 * 1024;
/// How long a probe's answer is reused (load balancers ask every second or so).
const PROBE_FOR: Duration = Duration::from_secs(2);

/// What `/healthz` says of the storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageHealth {
    Ok,
    /// The disk is full; writes are refused until space is freed.
    Full(String),
    /// The database cannot be reached or written for another reason.
    Unavailable(String),
}

/// The last probe, shared by the store's clones.
#[derive(Clone, Default)]
pub(crate) struct HealthCache {
    last: Arc<Mutex<Option<(Instant, StorageHealth)>>>,
}

impl HealthCache {
    fn fresh(&self) -> Option<StorageHealth> {
        let last = self.last.lock().ok()?;
        match &*last {
            Some((at, health)) if at.elapsed() < PROBE_FOR => Some(health.clone()),
            _ => None,
        }
    }

    fn keep(&self, health: &StorageHealth) {
        if let Ok(mut last) = self.last.lock() {
            *last = Some((Instant::now(), health.clone()));
        }
    }

    /// Forgets the last answer, so the next check probes again (after a refused write).
    pub(crate) fn forget(&self) {
        if let Ok(mut last) = self.last.lock() {
            *last = None;
        }
    }
}

/// The folder of a SQLite database URL (`sqlite://FILE?…`), `None` for memory databases.
pub(crate) fn sqlite_folder(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let file = rest.split('?').next().unwrap_or_default();
    if file.is_empty() || file.starts_with(':') {
        return None;
    }
    let folder = std::path::Path::new(file).parent()?.to_owned();
    Some(if folder.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        folder
    })
}

impl Store {
    /// Whether the storage can take writes now. Probes at most every two seconds unless a
    /// write was refused since.
    pub async fn storage_health(&self) -> StorageHealth {
        if let Some(health) = self.health.fresh() {
            return health;
        }
        let health = self.check_storage().await;
        if health != StorageHealth::Ok {
            tracing::warn!(?health, "the storage cannot take writes");
        }
        self.health.keep(&health);
        health
    }

    /// Tells the health check that a write was just refused, so it looks again.
    pub fn note_refused_write(&self) {
        self.health.forget();
    }

    async fn check_storage(&self) -> StorageHealth {
        if let Err(e) = self.ping().await {
            return judge(e);
        }
        if let Some(folder) = &self.sqlite_folder {
            match fs4::available_space(folder) {
                Ok(free) if free < MIN_FREE_BYTES => {
                    return StorageHealth::Full(format!(
                        "{free} bytes free in {}",
                        folder.display()
                    ))
                }
                Ok(_) => {}
                Err(e) => return StorageHealth::Unavailable(format!("{}: {e}", folder.display())),
            }
        }
        match self.probe_write().await {
            Ok(()) => StorageHealth::Ok,
            Err(e) => judge(e),
        }
    }

    /// Writes a row of fresh bytes and removes it, in one committed transaction.
    async fn probe_write(&self) -> Result<()> {
        let mut pad = vec![0u8; PROBE_BYTES];
        rand::thread_rng().fill_bytes(&mut pad);
        let mut tx = self.write.begin().await?;
        sqlx::query("INSERT INTO storage_probe (id, pad) VALUES (1, $1)")
            .bind(pad)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM storage_probe WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

fn judge(e: StoreError) -> StorageHealth {
    match e {
        StoreError::StorageFull(cause) => StorageHealth::Full(cause),
        other => StorageHealth::Unavailable(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::sqlite_folder;
    use std::path::PathBuf;

    #[test]
    fn the_folder_of_a_sqlite_url_is_found() {
        assert_eq!(
            sqlite_folder("sqlite:///var/kesu/kesu.db?mode=rwc"),
            Some(PathBuf::from("/var/kesu"))
        );
        assert_eq!(sqlite_folder("sqlite://kesu.db"), Some(PathBuf::from(".")));
        assert_eq!(sqlite_folder("sqlite::memory:"), None);
        assert_eq!(sqlite_folder("postgres://x/y"), None);
    }
}
