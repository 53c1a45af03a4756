//! The store's side of the change log: following it, and the caches it keeps current.

use rand::RngCore;
use sqlx::{AnyConnection, Row};

use super::{horizon, record, ChangeFollower, Changes, Cursor, Topic};
use crate::{Result, Store};

/// The settings key of this database's identity, which a copy kept beside a position in
/// the log (the search index) is checked against: a position means nothing in another
/// database, nor in one restored from a backup.
const INSTANCE_KEY: &str = "instance_id";

impl Store {
    /// Writes the log rows of a change inside its transaction; pass the returned mark to
    /// [`Store::committed`] after the commit.
    pub(crate) async fn log_change(
        &self,
        conn: &mut AnyConnection,
        topic: Topic,
        case_ids: &[i64],
    ) -> Result<u64> {
        record(conn, self.backend, topic, case_ids).await
    }

    /// Wakes the followers after a commit that logged `mark`.
    pub(crate) fn committed(&self, mark: u64) {
        self.wake.committed(mark);
    }

    /// Follows the log from after `cursor`.
    pub fn follow_changes_from(&self, cursor: Cursor) -> ChangeFollower {
        ChangeFollower::new(
            self.read.clone(),
            self.backend,
            cursor,
            self.wake.subscribe(),
        )
    }

    /// Follows the log from now on; the second value is the horizon it starts at.
    pub async fn follow_changes(&self) -> Result<(ChangeFollower, u64)> {
        let h = horizon(&self.read, self.backend).await?;
        Ok((
            self.follow_changes_from(Cursor::below(self.backend, h)),
            h.max(0) as u64,
        ))
    }

    /// The horizon a follower must reach to hold every change committed by this process
    /// so far (compare with `Changes::Batch::upto`).
    pub fn last_change(&self) -> u64 {
        self.wake.target()
    }

    /// This database's identity (made once, new again after a restore).
    pub async fn instance_id(&self) -> Result<String> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(INSTANCE_KEY)
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("value")?)
    }

    pub(crate) async fn ensure_instance_id(&self) -> Result<()> {
        sqlx::query(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING",
        )
        .bind(INSTANCE_KEY)
        .bind(new_instance_id())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// After a restore: empties the log and gives the database a new identity, so copies
    /// kept beside a position in the old log start afresh.
    pub async fn restart_change_log(&self) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("DELETE FROM change_log")
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE settings SET value = $1 WHERE key = $2")
            .bind(new_instance_id())
            .bind(INSTANCE_KEY)
            .execute(&mut *tx)
            .await?;
        // The audit sealer (which has chained everything restored, `seal_restored`) reads
        // on from the new log.
        let h = horizon(&self.read, self.backend).await?;
        sqlx::query("UPDATE audit_seal SET history_cursor = $1 WHERE id = 1")
            .bind(Cursor::below(self.backend, h).encode())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Drops the cached policy and sign-ins whenever any server changes them.
    pub(crate) async fn spawn_cache_follower(&self) -> Result<()> {
        let (follower, _) = self.follow_changes().await?;
        let mut follower = follower.named("caches").caches_only();
        let store = self.clone();
        tokio::spawn(async move {
            loop {
                match follower.next_batch(10_000).await {
                    Changes::Closed => return,
                    Changes::Batch { policy, tokens, .. } => {
                        if policy {
                            store.forget_policy();
                        }
                        if tokens {
                            store.forget_tokens();
                        }
                    }
                }
            }
        });
        Ok(())
    }
}

fn new_instance_id() -> String {
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}
