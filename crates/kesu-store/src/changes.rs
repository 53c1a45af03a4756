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
