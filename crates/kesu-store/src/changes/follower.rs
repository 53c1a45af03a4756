//! One follower's place in the change log and how it reads on.

use std::time::Duration;

use sqlx::AnyPool;
use tokio::sync::watch;

use super::{horizon, read, visible_beyond, Cursor, Topic};
use crate::Backend;

/// What a follower gets next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Changes {
    /// Changes read: the cases (each once, in id order; possibly none), whether the policy
    /// or sign-ins changed, and how far the follower has now read: every change whose mark
    /// is below `upto` is in this batch or an earlier one.
    Batch {
        case_ids: Vec<i64>,
        policy: bool,
        tokens: bool,
        upto: u64,
        cursor: Cursor,
    },
    /// The store is closed: nothing more will come.
    Closed,
}

/// One follower of the change log (the search index, the report facts, the caches).
pub struct ChangeFollower {
    pool: AnyPool,
    backend: Backend,
    cursor: Cursor,
    /// The horizon of a read that filled a page: more rows below it are waiting.
    paging: Option<i64>,
    upto: u64,
    wake: watch::Receiver<u64>,
    /// Whether the next read waits for a signal (or the poll) first.
    rested: bool,
    /// Committed rows wait beyond the horizon: look again soon, not at the next poll.
    soon: bool,
    /// Who follows, for `/metrics`.
    name: &'static str,
    /// Reads only rows about the policy and sign-ins, and looks only when it polls.
    caches_only: bool,
}

impl ChangeFollower {
    pub(crate) fn new(
        pool: AnyPool,
        backend: Backend,
        cursor: Cursor,
        wake: watch::Receiver<u64>,
    ) -> ChangeFollower {
        ChangeFollower {
            pool,
            backend,
            cursor,
            paging: None,
            upto: 0,
            wake,
            rested: true,
            soon: false,
            name: "other",
            caches_only: false,
        }
    }

    /// Names the follower in `/metrics` (`kesu_change_follower_lag_seconds{follower=…}`).
    pub fn named(mut self, name: &'static str) -> ChangeFollower {
        self.name = name;
        self
    }

    /// Follows only the policy and sign-ins, looking when it polls: this process's own
    /// changes to them reach its caches directly, so a commit of a case (hundreds a second on
    /// a sale day) need not wake a reader that skips every case row.
    pub(crate) fn caches_only(mut self) -> ChangeFollower {
        self.caches_only = true;
        self
    }

    /// Where the follower is: keep it with the copy to resume from it after a restart.
    pub fn cursor(&self) -> Cursor {
        self.cursor
    }

    /// How long a follower waits without a signal before it looks anyway (a notification
    /// from another server may have been lost).
    fn poll(&self) -> Duration {
        match self.backend {
            Backend::Sqlite => Duration::from_secs(1),
            Backend::Postgres => Duration::from_millis(500),
        }
    }

    /// Reads the next changes, up to `max` rows of the log, waiting until there are some.
    /// A read that fails (the database restarting) is logged and tried again.
    pub async fn next_batch(&mut self, max: usize) -> Changes {
        match self.next_batch_until(max, None).await {
            Some(changes) => changes,
            None => Changes::Closed,
        }
    }

    /// [`ChangeFollower::next_batch`], giving up (`None`) if nothing has come by `until`.
    /// Only the wait gives up, never a read half done, so nothing read is lost.
    pub async fn next_batch_until(
        &mut self,
        max: usize,
        until: Option<tokio::time::Instant>,
    ) -> Option<Changes> {
        let max = max.max(1) as i64;
        let mut failures = 0_u32;
        loop {
            if self.pool.is_closed() {
                return Some(Changes::Closed);
            }
            if !self.rested {
                let poll = if self.soon {
                    Duration::from_millis(20)
                } else {
                    self.poll()
                };
                let deadline = until.unwrap_or_else(|| tokio::time::Instant::now() + poll);
                tokio::select! {
                    _ = self.wake.changed(), if !self.caches_only => {}
                    _ = tokio::time::sleep(poll) => {}
                    _ = tokio::time::sleep_until(deadline), if until.is_some() => return None,
                }
                // Looked: the next pass reads at once, even if this one is given up on.
                self.rested = true;
            }
            self.wake.borrow_and_update();
            let h = match self.paging {
                Some(h) => Ok(h),
                None => horizon(&self.pool, self.backend).await,
            };
            let rows = match h {
                Ok(h) => read(
                    &self.pool,
                    self.backend,
                    self.cursor,
                    h,
                    max,
                    !self.caches_only,
                )
                .await
                .map(|rows| (h, rows)),
                Err(e) => Err(e),
            };
            let (h, rows) = match rows {
                Ok(r) => r,
                Err(e) => {
                    failures += 1;
                    if failures == 1 || failures.is_multiple_of(60) {
                        tracing::warn!(error = %e, "could not read the change log; retrying");
                    }
                    continue;
                }
            };
            let full = rows.len() as i64 == max;
            let soon = !full
                && visible_beyond(&self.pool, self.backend, h)
                    .await
                    .unwrap_or(false);
            // No await from here on: a caller that drops this call mid-read loses nothing.
            self.soon = soon;
            self.paging = full.then_some(h);
            // A full page: read on at once.
            self.rested = full;
            if let Some(last) = rows.last() {
                self.cursor = last.at;
            }
            // How long the oldest change read waited to be read.
            let lag_ms = rows
                .iter()
                .map(|r| r.written_ms)
                .min()
                .map_or(0, |w| chrono::Utc::now().timestamp_millis() - w);
            metrics::gauge!("kesu_change_follower_lag_seconds", "follower" => self.name)
                .set(lag_ms.max(0) as f64 / 1000.0);
            if !full {
                // Every row below the horizon is read, with or without rows of its own.
                self.cursor = self.cursor.max(Cursor::below(self.backend, h));
            }
            let upto = if full { self.upto } else { h.max(0) as u64 };
            if rows.is_empty() && upto <= self.upto {
                continue;
            }
            self.upto = self.upto.max(upto);
            let mut case_ids: Vec<i64> = rows.iter().filter_map(|r| r.case_id).collect();
            case_ids.sort_unstable();
            case_ids.dedup();
            return Some(Changes::Batch {
                case_ids,
                policy: rows.iter().any(|r| r.topic == Some(Topic::Policy)),
                tokens: rows.iter().any(|r| r.topic == Some(Topic::Tokens)),
                upto: self.upto,
                cursor: self.cursor,
            });
        }
    }
}
