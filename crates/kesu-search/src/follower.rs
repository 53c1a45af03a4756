//! Keeping the index current: at start it is compared with the database (case by case,
//! by version) and mended; then every committed change is indexed within moments, in
//! batches. A search waits until the index holds every change made before it.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kesu_store::{ChangeFollower, Changes, Store};
use tokio::sync::watch;

use crate::doc::CaseDoc;
use crate::index::{SearchIndex, SearchQuery};
use crate::{Result, SearchError};

/// Cases read from the database per round trip while mending or rebuilding.
const PAGE: usize = 2_000;
/// Entries written between commits while mending or rebuilding.
const COMMIT_EVERY: usize = 50_000;
/// Longest a search waits for the index to catch up before answering from what it has.
const CATCH_UP: Duration = Duration::from_secs(5);
/// First and longest wait before indexing failed cases again.
const FIRST_RETRY: Duration = Duration::from_millis(250);
const LAST_RETRY: Duration = Duration::from_secs(30);

/// What a comparison with the database mended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncReport {
    pub indexed: usize,
    pub removed: usize,
}

/// The search index, following the store.
#[derive(Clone)]
pub struct Search {
    inner: Arc<Inner>,
}

struct Inner {
    index: SearchIndex,
    store: Store,
    /// The number of the last store change the index holds.
    indexed: watch::Sender<u64>,
    /// Cases whose indexing failed and is being retried.
    waiting: AtomicUsize,
}

impl Search {
    /// Opens (or creates) the index in `dir` and starts following `store`.
    pub async fn start(store: Store, dir: &Path) -> Result<Search> {
        let dir = dir.to_owned();
        let index = tokio::task::spawn_blocking(move || SearchIndex::open(&dir, 1))
            .await
            .map_err(|_| SearchError::Stopped)??;
        let inner = Arc::new(Inner {
            index,
            store,
            indexed: watch::channel(0).0,
            waiting: AtomicUsize::new(0),
        });
        // Subscribed before comparing, so no change falls between the two.
        let changes = inner.store.follow_changes();
        let seen = inner.store.last_change();
        let report = mend(&inner).await?;
        if report != SyncReport::default() {
            tracing::info!(
                indexed = report.indexed,
                removed = report.removed,
                "search index brought up to date"
            );
        }
        inner.indexed.send_replace(seen);
        tokio::spawn(follow(inner.clone(), changes));
        Ok(Search { inner })
    }

    /// One page of matching case ids and the total, once the index holds every change
    /// committed before the call.
    pub async fn find(
        &self,
        query: SearchQuery,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<i64>, usize)> {
        let target = self.inner.store.last_change();
        let mut indexed = self.inner.indexed.subscribe();
        let caught_up = tokio::time::timeout(CATCH_UP, indexed.wait_for(|seq| *seq >= target))
            .await
            .is_ok_and(|r| r.is_ok());
        if !caught_up {
            tracing::warn!("search answered before the index caught up with the latest changes");
        }
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || inner.index.search(&query, offset, limit))
            .await
            .map_err(|_| SearchError::Stopped)?
    }

    /// Empties `dir`'s index and fills it from the store, telling `progress` (done, total)
    /// as it goes. For `kesu reindex`, while no server uses the folder.
    pub async fn rebuild(store: &Store, dir: &Path, progress: impl Fn(u64, u64)) -> Result<u64> {
        let dir = dir.to_owned();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let index = Arc::new(
            tokio::task::spawn_blocking(move || SearchIndex::open(&dir, threads))
                .await
                .map_err(|_| SearchError::Stopped)??,
        );
        let total = store.case_count().await?.max(0) as u64;
        index.clear_uncommitted()?;
        let (mut done, mut after) = (0_u64, 0_i64);
        progress(0, total);
        loop {
            let sources = store.search_sources_after(after, PAGE as i64).await?;
            let Some(last) = sources.last() else { break };
            after = last.record.case.id;
            let docs: Vec<CaseDoc> = sources.iter().map(CaseDoc::from_source).collect();
            let idx = index.clone();
            tokio::task::spawn_blocking(move || idx.add_uncommitted(&docs))
                .await
                .map_err(|_| SearchError::Stopped)??;
            done += sources.len() as u64;
            progress(done, total.max(done));
        }
        let idx = index.clone();
        tokio::task::spawn_blocking(move || idx.commit())
            .await
            .map_err(|_| SearchError::Stopped)??;
        Ok(done)
    }

    /// How many changed cases could not be indexed yet (their writes are being retried).
    pub fn waiting(&self) -> usize {
        self.inner.waiting.load(Ordering::Relaxed)
    }

    /// How many cases the index holds.
    pub fn len(&self) -> u64 {
        self.inner.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Compares the index with the database and indexes what is missing or outdated.
async fn mend(inner: &Arc<Inner>) -> Result<SyncReport> {
    let in_db = inner.store.case_versions().await?;
    let i = inner.clone();
    let in_index: HashMap<i64, i64> = tokio::task::spawn_blocking(move || i.index.versions())
        .await
        .map_err(|_| SearchError::Stopped)??
        .into_iter()
        .collect();
    let mut stale = Vec::new();
    let mut extra: HashMap<i64, i64> = in_index.clone();
    for (id, version) in &in_db {
        if extra.remove(id) != Some(*version) {
            stale.push(*id);
        }
    }
    let removed: Vec<i64> = extra.into_keys().collect();
    let report = SyncReport {
        indexed: stale.len(),
        removed: removed.len(),
    };
    if stale.len() > COMMIT_EVERY {
        tracing::info!(
            cases = stale.len(),
            "filling the search index; searches wait until it is done"
        );
    }
    let mut since_commit = 0;
    for chunk in stale.chunks(PAGE) {
        let sources = inner.store.search_sources(chunk).await?;
        let docs: Vec<CaseDoc> = sources.iter().map(CaseDoc::from_source).collect();
        let i = inner.clone();
        let commit = since_commit + chunk.len() >= COMMIT_EVERY;
        tokio::task::spawn_blocking(move || {
            i.index.replace_uncommitted(&docs, &[])?;
            if commit {
                i.index.commit()?;
            }
            Ok::<_, SearchError>(())
        })
        .await
        .map_err(|_| SearchError::Stopped)??;
        since_commit = if commit {
            0
        } else {
            since_commit + chunk.len()
        };
    }
    let i = inner.clone();
    tokio::task::spawn_blocking(move || i.index.write(&[], &removed))
        .await
        .map_err(|_| SearchError::Stopped)??;
    Ok(report)
}

/// Indexes announced changes in batches until the store goes away. Cases whose indexing
/// failed (a full disk) are kept and tried again, sooner at first, until they are in.
async fn follow(inner: Arc<Inner>, mut changes: ChangeFollower) {
    let mut failed: BTreeSet<i64> = BTreeSet::new();
    let mut backoff = FIRST_RETRY;
    loop {
        let next = tokio::select! {
            next = changes.next_batch(PAGE) => Some(next),
            _ = tokio::time::sleep(backoff), if !failed.is_empty() => None,
        };
        let (mut ids, last) = match next {
            // A retry's wake-up has no changes of its own: only the failed cases.
            None => (Vec::new(), None),
            Some(Changes::Batch { case_ids, last_seq }) => (case_ids, Some(last_seq)),
            Some(Changes::Closed) => return,
            Some(Changes::Lagged { missed, seen }) => {
                // Too many changes at once: compare with the database instead.
                tracing::warn!(
                    missed,
                    "search index fell behind; comparing with the database"
                );
                match mend(&inner).await {
                    Ok(_) => {
                        failed.clear();
                        inner.indexed.send_replace(seen);
                    }
                    Err(e) => tracing::error!(error = %e, "search index could not be mended"),
                }
                continue;
            }
        };
        ids.extend(failed.iter().copied());
        ids.sort_unstable();
        ids.dedup();
        match index_cases(&inner, &ids).await {
            Ok(()) => {
                if !failed.is_empty() {
                    tracing::info!(
                        cases = failed.len(),
                        "search index caught up after failed writes"
                    );
                    failed.clear();
                }
                backoff = FIRST_RETRY;
            }
            Err(e) => {
                tracing::error!(error = %e, cases = ids.len(), retry_in = ?backoff, "could not index changed cases; will retry");
                failed.extend(ids);
                let i = inner.clone();
                match tokio::task::spawn_blocking(move || i.index.recover()).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "search index writer could not be rolled back")
                    }
                    Err(_) => tracing::error!("search index rollback stopped"),
                }
                backoff = (backoff * 2).min(LAST_RETRY);
            }
        }
        inner.waiting.store(failed.len(), Ordering::Relaxed);
        // Searches are not held up by cases that could not be indexed: they answer from
        // what the index has while the retries go on.
        if let Some(last) = last {
            inner.indexed.send_replace(last);
        }
    }
}

async fn index_cases(inner: &Arc<Inner>, ids: &[i64]) -> Result<()> {
    let sources = inner.store.search_sources(ids).await?;
    let docs: Vec<CaseDoc> = sources.iter().map(CaseDoc::from_source).collect();
    let gone: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !docs.iter().any(|d| d.id == *id))
        .collect();
    let i = inner.clone();
    tokio::task::spawn_blocking(move || i.index.write(&docs, &gone))
        .await
        .map_err(|_| SearchError::Stopped)?
}
