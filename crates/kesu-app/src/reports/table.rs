//! The reports' copy of every case's facts, in memory: loaded from the database when kesu
//! starts (facts missing or behind are derived first), then kept current by following the
//! store's changes. A report waits until the copy holds every change made before it.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use kesu_domain::report::{FactTable, Report, ReportQuery, Summary};
use kesu_store::{ChangeFollower, Changes, Store, StoreError};
use tokio::sync::watch;

use crate::error::{AppError, AppResult};

/// Facts read from the database per round trip while loading.
const PAGE: i64 = 20_000;
/// Longest a report waits for the copy to catch up (or to be loaded at start).
const CATCH_UP: Duration = Duration::from_secs(30);

/// The fact table, following the store. Cheap to clone.
#[derive(Clone)]
pub struct Reports {
    inner: Arc<Inner>,
}

struct Inner {
    store: Store,
    table: RwLock<FactTable>,
    /// The number of the last store change the table holds; `None` until loaded.
    applied: watch::Sender<Option<u64>>,
}

impl Reports {
    /// Starts loading the facts in the background and following the store's changes.
    pub fn start(store: Store) -> Reports {
        let inner = Arc::new(Inner {
            store,
            table: RwLock::new(FactTable::new()),
            applied: watch::channel(None).0,
        });
        let task = inner.clone();
        tokio::spawn(async move {
            // Positioned in the change log before loading, so no change falls between.
            let (changes, seen) = loop {
                match task.store.follow_changes().await {
                    Ok(f) => break f,
                    Err(e) => {
                        tracing::warn!(error = %e, "report facts wait for the database");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                    }
                }
            };
            let changes = changes.named("reports");
            match load(&task).await {
                Ok(n) => tracing::info!(cases = n, "report facts loaded"),
                Err(e) => tracing::error!(error = %e, "report facts could not be loaded"),
            }
            task.applied.send_replace(Some(seen));
            follow(task, changes).await;
        });
        Reports { inner }
    }

    /// Waits until the table holds every change committed before the call; after a while
    /// answers from what it has, unless it has nothing yet (still loading at start).
    async fn caught_up(&self) -> AppResult<()> {
        let target = self.inner.store.last_change();
        let mut applied = self.inner.applied.subscribe();
        let ok = tokio::time::timeout(
            CATCH_UP,
            applied.wait_for(|seq| seq.is_some_and(|s| s >= target)),
        )
        .await
        .is_ok_and(|r| r.is_ok());
        if !ok {
            if self.inner.applied.borrow().is_none() {
                return Err(AppError::Unavailable(
                    "the reports are still being prepared after the start; try again in a minute"
                        .into(),
                ));
            }
            tracing::warn!("report answered before its facts caught up with the latest changes");
        }
        Ok(())
    }

    /// Runs `f` on the current table, off the async threads (a year of a big shop is a
    /// million rows).
    pub async fn with_table<T: Send + 'static>(
        &self,
        f: impl FnOnce(&FactTable) -> T + Send + 'static,
    ) -> AppResult<T> {
        self.caught_up().await?;
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let table = inner.table.read().unwrap_or_else(|p| p.into_inner());
            f(&table)
        })
        .await
        .map_err(|e| AppError::Internal(format!("report computation failed: {e}")))
    }

    /// The summary of docs/interface.md §7; `orders` are the orders placed in the period.
    pub async fn summary(&self, q: ReportQuery, orders: Option<i64>) -> AppResult<Summary> {
        self.with_table(move |t| t.summary(&q, &move |_, _| orders))
            .await
    }

    /// The dashboard; `orders` are those of the period and of the one before.
    pub async fn report(
        &self,
        q: ReportQuery,
        orders: (Option<i64>, Option<i64>),
    ) -> AppResult<Report> {
        let from = q.period.from;
        let mut report = self
            .with_table(move |t| {
                t.report(&q, &move |f, _| if f == from { orders.0 } else { orders.1 })
            })
            .await?;
        label_paretos(&mut report);
        Ok(report)
    }
}

/// The Pareto bars' Chinese labels, from the locale files (the domain leaves them empty).
fn label_paretos(report: &mut Report) {
    use kesu_domain::codes::{Liability, RootCause};
    let zh = kesu_i18n::Lang::Zh;
    for p in &mut report.root_causes {
        p.label_zh = RootCause::parse(&p.key).map_or_else(|| p.key.clone(), |c| zh.label(c).into());
    }
    for p in &mut report.liability {
        p.label_zh = Liability::parse(&p.key).map_or_else(|| p.key.clone(), |c| zh.label(c).into());
    }
}

/// Derives facts the database lacks (once per database), then reads them all into the table.
async fn load(inner: &Inner) -> Result<usize, StoreError> {
    if !inner.store.facts_checked().await? {
        let stale = inner.store.stale_facts().await?;
        if !stale.is_empty() {
            tracing::info!(cases = stale.len(), "deriving report facts");
            inner.store.refresh_facts(&stale).await?;
        }
        inner.store.mark_facts_checked().await?;
    }
    let mut table = FactTable::new();
    let mut after = 0;
    loop {
        let page = inner.store.facts_after(after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.case_id;
        for f in &page {
            table.upsert(f);
        }
    }
    let n = table.len();
    *inner.table.write().unwrap_or_else(|p| p.into_inner()) = table;
    Ok(n)
}

/// Applies the logged changes in batches until the store goes away. Facts that could not
/// be read (the database restarting) are read again before the table claims to hold them.
async fn follow(inner: Arc<Inner>, mut changes: ChangeFollower) {
    let mut retry: Vec<i64> = Vec::new();
    loop {
        let (mut ids, last) = match changes.next_batch(2_000).await {
            Changes::Batch { case_ids, upto, .. } => (case_ids, upto),
            Changes::Closed => return,
        };
        ids.append(&mut retry);
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            inner.applied.send_replace(Some(last));
            continue;
        }
        match inner.store.facts_of(&ids).await {
            Ok(facts) => {
                let mut table = inner.table.write().unwrap_or_else(|p| p.into_inner());
                for id in &ids {
                    if !facts.iter().any(|f| f.case_id == *id) {
                        table.remove(*id);
                    }
                }
                for f in &facts {
                    table.upsert(f);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, cases = ids.len(), "could not read changed facts; will retry");
                retry = ids;
                continue;
            }
        }
        inner.applied.send_replace(Some(last));
    }
}
