//! Waking followers: at once for this process's own commits, through LISTEN/NOTIFY for
//! another server's on PostgreSQL. A lost signal only delays a follower until it polls.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::AnyPool;
use tokio::sync::watch;

/// The channel kesu's servers notify each other on.
const CHANNEL: &str = "kesu_changes";

#[derive(Clone)]
pub(crate) struct Wake {
    inner: Arc<Inner>,
}

struct Inner {
    /// Bumped at every local commit and every notification from another server.
    signal: watch::Sender<u64>,
    /// Bumped at local commits only: what the notifier tells other servers about.
    local: watch::Sender<u64>,
    /// The highest mark this process has committed.
    mark: AtomicU64,
}

impl Default for Wake {
    fn default() -> Self {
        Wake {
            inner: Arc::new(Inner {
                signal: watch::channel(0).0,
                local: watch::channel(0).0,
                mark: AtomicU64::new(0),
            }),
        }
    }
}

impl Wake {
    /// A transaction with this mark has committed here.
    pub(crate) fn committed(&self, mark: u64) {
        self.inner.mark.fetch_max(mark, Ordering::SeqCst);
        self.inner.signal.send_modify(|n| *n = n.wrapping_add(1));
        self.inner.local.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// The horizon a follower must reach to hold every change committed here so far.
    pub(crate) fn target(&self) -> u64 {
        self.inner.mark.load(Ordering::SeqCst) + 1
    }

    pub(crate) fn subscribe(&self) -> watch::Receiver<u64> {
        self.inner.signal.subscribe()
    }

    fn poke(&self) {
        self.inner.signal.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// PostgreSQL: tells the other servers after local commits (one NOTIFY for however
    /// many commits came while the last was sent) and listens for theirs.
    pub(crate) fn spawn_postgres(&self, url: String, pool: AnyPool) {
        let mut local = self.inner.local.subscribe();
        let notify_pool = pool.clone();
        tokio::spawn(async move {
            while local.changed().await.is_ok() {
                local.borrow_and_update();
                if notify_pool.is_closed() {
                    return;
                }
                if let Err(e) = sqlx::query("SELECT pg_notify($1, '')")
                    .bind(CHANNEL)
                    .execute(&notify_pool)
                    .await
                {
                    tracing::debug!(error = %e, "could not notify the other servers; they will poll");
                }
            }
        });
        let wake = self.clone();
        tokio::spawn(async move {
            while !pool.is_closed() {
                if let Err(e) = listen(&url, &wake, &pool).await {
                    tracing::warn!(error = %e, "not listening for other servers' changes; retrying (they are polled meanwhile)");
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        });
    }
}

/// Wakes the followers at every notification until the connection fails or the store closes.
async fn listen(url: &str, wake: &Wake, pool: &AnyPool) -> sqlx::Result<()> {
    let mut listener = PgListener::connect(url).await?;
    listener.listen(CHANNEL).await?;
    // Whatever was sent while not listening is unknown: look once.
    wake.poke();
    loop {
        let next = tokio::time::timeout(Duration::from_secs(5), listener.try_recv()).await;
        if pool.is_closed() {
            return Ok(());
        }
        match next {
            // Nothing for a while: check the store is still open, then wait again.
            Err(_) => continue,
            Ok(Ok(_)) => wake.poke(),
            Ok(Err(e)) => return Err(e),
        }
    }
}
