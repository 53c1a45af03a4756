//! Keeping the index current by following the store's change log. The index keeps its
//! position in the log with every commit, so a restart reads on from there; only an index
//! without one (new, or of another database) is compared with the database case by case.
//! A search waits until the index holds every change this server made before it.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kesu_store::{ChangeFollower, Changes, Cursor, Store};
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
/// Changes arriving within this of the last commit join the next one: a busy minute makes
/// fewer, larger index commits (each writes a segment and fsyncs), and a search waits at
/// most this much longer for a write it follows.
const COMMIT_GAP: Duration = Duration::from_millis(100);
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
    /// The store's identity, kept with the index's position in its log.
    instance: String,
    /// How far in the change log the index holds every change (a horizon).
    indexed: watch::Sender<u64>,
    /// Cases whose indexing failed and is being retried.
    waiting: AtomicUsize,
}

impl Inner {
    fn position(&self, cursor: Cursor) -> String {
        format!("{}/{}", self.instance, cursor.encode())
    }

    /// The position kept with the index, if it belongs to this store.
    fn kept_position(&self) -> Result<Option<Cursor>> {
        let kept = self.index.position()?;
        Ok(kept
            .as_deref()
            .and_then(|p| p.strip_prefix(&format!("{}/", self.instance)))
            .and_then(Cursor::decode))
    }
}

impl Search {
    /// Opens (or creates) the index in `dir` and starts following `store`: from the
    /// position kept with the index, else after comparing it with the database.
    pub async fn start(store: Store, dir: &Path) -> Result<Search> {
        let dir = dir.to_owned();
        let index = tokio::task::spawn_blocking(move || SearchIndex::open(&dir, 1))
            .await
            .map_err(|_| SearchError::Stopped)??;
        let instance = store.instance_id().await?;
        let inner = Arc::new(Inner {
            index,
            store,
            instance,
            indexed: watch::channel(0).0,
            waiting: AtomicUsize::new(0),
        });
        let changes = match inner.kept_position()? {
            Some(cursor) => inner.store.follow_changes_from(cursor).named("search"),
            None => {
                // Positioned before comparing, so no change falls between the two.
                let (changes, horizon) = inner.store.follow_changes().await?;
                let report = mend(&inner, Some(changes.cursor())).await?;
                if report != SyncReport::default() {
                    tracing::info!(
                        indexed = report.indexed,
                        removed = report.removed,
                        "search index brought up to date"
                    );
                }
                inner.indexed.send_replace(horizon);
                changes.named("search")
            }
        };
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
        // Positioned before reading, so the server reads on from here afterwards.
        let position = format!(
            "{}/{}",
            store.instance_id().await?,
            store.follow_changes().await?.0.cursor().encode()
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
        tokio::task::spawn_blocking(move || idx.commit_at(Some(&position)))
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

/// Compares the index with the database and indexes what is missing or outdated; keeps
/// `position` with the last commit.
async fn mend(inner: &Arc<Inner>, position: Option<Cursor>) -> Result<SyncReport> {
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
    let position = position.map(|c| inner.position(c));
    tokio::task::spawn_blocking(move || {
        i.index.replace_uncommitted(&[], &removed)?;
        i.index.commit_at(position.as_deref())
    })
    .await
    .map_err(|_| SearchError::Stopped)??;
    Ok(report)
}

/// Indexes the logged changes in batches until the store goes away, keeping the position
/// with each commit. Cases whose indexing failed (a full disk) are kept and tried again,
/// sooner at first, until they are in; meanwhile the kept position stays where it was.
async fn follow(inner: Arc<Inner>, mut changes: ChangeFollower) {
    let mut failed: BTreeSet<i64> = BTreeSet::new();
    let mut backoff = FIRST_RETRY;
    let mut last_commit = tokio::time::Instant::now();
    loop {
        let retry_at = (!failed.is_empty()).then(|| tokio::time::Instant::now() + backoff);
        let next = changes.next_batch_until(PAGE, retry_at).await;
        let (mut ids, mut upto) = match next {
            // A retry's wake-up has no changes of its own: only the failed cases.
            None => (Vec::new(), None),
            Some(Changes::Batch { case_ids, upto, .. }) => (case_ids, Some(upto)),
            Some(Changes::Closed) => return,
        };
        // What comes within the gap after the last commit joins this one.
        let gather_until = last_commit + COMMIT_GAP;
        while ids.len() < PAGE && tokio::time::Instant::now() < gather_until {
            match changes.next_batch_until(PAGE, Some(gather_until)).await {
                Some(Changes::Batch {
                    case_ids, upto: u, ..
                }) => {
                    ids.extend(case_ids);
                    upto = Some(u);
                }
                Some(Changes::Closed) => return,
                None => break,
            }
        }
        ids.extend(failed.iter().copied());
        ids.sort_unstable();
        ids.dedup();
        if !ids.is_empty() {
            // Every failed case is in this write: once it is committed, the position holds.
            let position = inner.position(changes.cursor());
            let written = index_cases(&inner, &ids, position).await;
            last_commit = tokio::time::Instant::now();
            match written {
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
        }
        inner.waiting.store(failed.len(), Ordering::Relaxed);
        // Searches are not held up by cases that could not be indexed: they answer from
        // what the index has while the retries go on.
        if let Some(upto) = upto {
            inner.indexed.send_if_modified(|v| {
                let moved = upto > *v;
                *v = (*v).max(upto);
                moved
            });
        }
    }
}

async fn index_cases(inner: &Arc<Inner>, ids: &[i64], position: String) -> Result<()> {
    let sources = inner.store.search_sources(ids).await?;
    let docs: Vec<CaseDoc> = sources.iter().map(CaseDoc::from_source).collect();
    let gone: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| !docs.iter().any(|d| d.id == *id))
        .collect();
    let i = inner.clone();
    tokio::task::spawn_blocking(move || i.index.write_at(&docs, &gone, &position))
        .await
        .map_err(|_| SearchError::Stopped)?
}
