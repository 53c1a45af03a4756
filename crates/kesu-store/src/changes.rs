//! Which cases changed, for what keeps a copy of them (the search index): every committed
//! write announces the case ids it touched, numbered, so a reader can wait until its copy
//! has caught up with a write it has seen.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use tokio::sync::broadcast;

/// How many announcements a slow follower may fall behind before it must resynchronise.
const BACKLOG: usize = 65_536;

/// One committed change: its number and the case it touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseChanged {
    pub seq: u64,
    pub case_id: i64,
}

#[derive(Clone)]
pub(crate) struct ChangeFeed {
    tx: broadcast::Sender<CaseChanged>,
    seq: Arc<AtomicU64>,
}

impl Default for ChangeFeed {
    fn default() -> Self {
        ChangeFeed {
            tx: broadcast::channel(BACKLOG).0,
            seq: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl ChangeFeed {
    /// Announces cases changed by a transaction that has committed.
    pub(crate) fn announce(&self, case_ids: impl IntoIterator<Item = i64>) {
        for case_id in case_ids {
            let seq = self.seq.fetch_add(1, Ordering::SeqCst) + 1;
            // Nobody listening is fine: then nothing keeps a copy.
            self.tx.send(CaseChanged { seq, case_id }).ok();
        }
    }

    pub(crate) fn subscribe(&self) -> broadcast::Receiver<CaseChanged> {
        self.tx.subscribe()
    }

    pub(crate) fn last_seq(&self) -> u64 {
        self.seq.load(Ordering::SeqCst)
    }
}

/// What a follower of the change feed gets next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    /// The cases that changed (each once, in id order) and the number of the last change.
    Batch { case_ids: Vec<i64>, last_seq: u64 },
    /// The follower fell `missed` changes behind: it must compare its copy with the database,
    /// after which its copy is as new as change `seen`.
    Lagged { missed: u64, seen: u64 },
    /// The store is gone: nothing more will come.
    Closed,
}

/// One follower's place in the change feed (the search index, the report facts).
pub struct ChangeFollower {
    rx: broadcast::Receiver<CaseChanged>,
    feed: ChangeFeed,
}

impl ChangeFollower {
    pub(crate) fn new(feed: &ChangeFeed) -> ChangeFollower {
        ChangeFollower {
            rx: feed.subscribe(),
            feed: feed.clone(),
        }
    }

    /// Waits for the next change, then takes those already waiting, up to `max` in all.
    /// Cancel-safe: the only wait is for the first change.
    pub async fn next_batch(&mut self, max: usize) -> Changes {
        let first = match self.rx.recv().await {
            Ok(change) => change,
            Err(broadcast::error::RecvError::Closed) => return Changes::Closed,
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                return Changes::Lagged {
                    missed,
                    seen: self.feed.last_seq(),
                }
            }
        };
        let mut batch = vec![first];
        while batch.len() < max.max(1) {
            match self.rx.try_recv() {
                Ok(change) => batch.push(change),
                // What lagged or closed meanwhile is reported on the next call.
                Err(_) => break,
            }
        }
        let last_seq = batch.iter().map(|c| c.seq).max().unwrap_or(first.seq);
        let mut case_ids: Vec<i64> = batch.iter().map(|c| c.case_id).collect();
        case_ids.sort_unstable();
        case_ids.dedup();
        Changes::Batch { case_ids, last_seq }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_batch_is_each_case_once_and_a_slow_follower_is_told_it_lagged() {
        let feed = ChangeFeed::default();
        let mut follower = ChangeFollower::new(&feed);
        feed.announce([3, 1, 3]);
        feed.announce([2]);
        assert_eq!(
            follower.next_batch(3).await,
            Changes::Batch {
                case_ids: vec![1, 3],
                last_seq: 3
            }
        );
        assert_eq!(
            follower.next_batch(10).await,
            Changes::Batch {
                case_ids: vec![2],
                last_seq: 4
            }
        );
        feed.announce(0..(BACKLOG as i64 + 10));
        match follower.next_batch(10).await {
            Changes::Lagged { missed, seen } => {
                assert_eq!(missed, 10);
                assert_eq!(seen, 4 + BACKLOG as u64 + 10);
            }
            other => panic!("{other:?}"),
        }
    }
}
