//! The polled sources (Pinduoduo, Taobao's message channel, JD), read in the background: every
//! enabled source is synced in turn, each by its connector, and what stopped a sync is logged
//! (without personal data) and kept on its status for admins.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kesu_domain::platform::Platform;
use kesu_store::{PlatformSource, Store};
use tokio::sync::watch;

use super::status::SyncReport;
use crate::error::{AppError, AppResult};
use crate::vault::Vault;
use crate::Clock;

/// Whether kesu reads `platform` by polling (the others push to kesu).
pub fn polled(platform: Platform) -> bool {
    matches!(
        platform,
        Platform::Pinduoduo | Platform::Taobao | Platform::Jd
    )
}

/// How long a server holds a source it syncs: longer than a sync takes, short enough that a
/// server that died leaves it to another soon.
const LEASE_MINUTES: i64 = 10;

/// This process, as the holder of the sources it syncs.
fn holder() -> &'static str {
    static HOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOLDER.get_or_init(|| format!("{}-{:016x}", std::process::id(), rand::random::<u64>()))
}

/// Syncs one polled source now, unless another server is syncing it (409).
pub async fn sync(
    store: &Store,
    vault: &Vault,
    client: &reqwest::Client,
    source: &PlatformSource,
    now: DateTime<Utc>,
) -> AppResult<SyncReport> {
    let until = now + chrono::Duration::minutes(LEASE_MINUTES);
    if !store
        .lease_platform_sync(source.platform, &source.shop, holder(), until, now)
        .await?
    {
        return Err(AppError::conflict(format!(
            "another server is syncing the {} source of shop {} now",
            source.platform.code(),
            source.shop
        )));
    }
    let synced = sync_leased(store, vault, client, source, now).await;
    store
        .release_platform_sync(source.platform, &source.shop, holder())
        .await?;
    synced
}

async fn sync_leased(
    store: &Store,
    vault: &Vault,
    client: &reqwest::Client,
    source: &PlatformSource,
    now: DateTime<Utc>,
) -> AppResult<SyncReport> {
    match source.platform {
        Platform::Pinduoduo => super::pinduoduo::sync(store, vault, client, source, now).await,
        Platform::Taobao => super::taobao::sync(store, vault, client, source, now).await,
        Platform::Jd => super::jd::sync(store, vault, client, source, now).await,
        other => Err(AppError::conflict(format!(
            "{} pushes its requests to kesu: there is nothing to sync",
            other.code()
        ))),
    }
}

/// Syncs every enabled polled source every `every` until `stop`.
pub async fn run(
    store: Store,
    vault: Vault,
    clock: Arc<dyn Clock>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let client = super::images::client();
    loop {
        match store.platform_sources().await {
            Ok(sources) => {
                for source in sources.iter().filter(|s| s.enabled && polled(s.platform)) {
                    let platform = source.platform.code();
                    match sync(&store, &vault, &client, source, clock.now()).await {
                        Ok(r) if r.error.is_some() => {
                            tracing::warn!(platform, shop = %source.shop, error = ?r.error, "sync stopped early")
                        }
                        Ok(r) => {
                            tracing::debug!(platform, shop = %source.shop, opened = r.last_opened, changed = r.last_changed, "synced")
                        }
                        // Another server has it this round.
                        Err(AppError::Conflict { .. }) => {}
                        Err(e) => {
                            tracing::warn!(platform, shop = %source.shop, error = %e, "sync failed")
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "platform sources could not be read"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
