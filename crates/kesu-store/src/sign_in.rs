//! Wrong passwords: counted per account, locking it for a while after too many in a row,
//! every failure, lock and unlock recorded in `sign_in_events`. Kept in the database so
//! that every server behind a load balancer sees the same lock.

use chrono::{DateTime, Utc};
use kesu_domain::account::LockoutPolicy;
use kesu_domain::audit_kind::AuditKind;
use serde_json::json;
use sqlx::Row;

use crate::audit::{self, AuditEvent};
use crate::{from_millis, millis, Result, Store, StoreError, User};

/// Longest username or address written into the record (whatever a client sends).
const MAX_RECORDED: usize = 64;

/// What the store knows of a username at sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Account {
    /// No such account.
    Unknown,
    /// An account, locked until then if it is.
    Known { locked_until: Option<DateTime<Utc>> },
}

fn clip(s: &str) -> String {
    s.chars().take(MAX_RECORDED).collect()
}

impl Store {
    /// Whether `username` is an account, and whether wrong passwords lock it at `now`.
    pub async fn sign_in_account(&self, username: &str, now: DateTime<Utc>) -> Result<Account> {
        let row = sqlx::query("SELECT locked_until FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&self.read)
            .await?;
        Ok(match row {
            None => Account::Unknown,
            Some(r) => Account::Known {
                locked_until: r
                    .try_get::<Option<i64>, _>("locked_until")?
                    .map(from_millis)
                    .filter(|until| *until > now),
            },
        })
    }

    /// Records a wrong password for `username` from `address`; returns the lock it earned,
    /// if this failure locks the account.
    pub async fn record_sign_in_failure(
        &self,
        username: &str,
        address: Option<&str>,
        now: DateTime<Utc>,
        policy: &LockoutPolicy,
    ) -> Result<Option<DateTime<Utc>>> {
        let mut tx = self.write.begin().await?;
        let failures: Option<i64> = sqlx::query(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE username = $1 RETURNING failed_logins",
        )
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("failed_logins"))
        .transpose()?;
        let lock = failures.and_then(|n| policy.lock_after(n, now));
        let mut events = vec!["failed"];
        if let Some(until) = lock {
            // The count starts again after the lock.
            sqlx::query(
                "UPDATE users SET locked_until = $1, failed_logins = 0 WHERE username = $2",
            )
            .bind(millis(until))
            .bind(username)
            .execute(&mut *tx)
            .await?;
            events.push("locked");
        }
        for event in events {
            record(&mut tx, now, username, address, event).await?;
        }
        let kind = if lock.is_some() {
            AuditKind::SignInLocked
        } else {
            AuditKind::SignInFailed
        };
        let detail = json!({"username": clip(username), "address": address.map(clip), "known": failures.is_some()});
        let mark = audit::record(
            &mut tx,
            self.backend,
            now,
            &AuditEvent::new(kind, username, detail),
        )
        .await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(lock)
    }

    /// A right password: the count of wrong ones starts again, and the sign-in is in the
    /// audit trail.
    pub async fn record_sign_in_success(
        &self,
        user: &User,
        address: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE users SET failed_logins = 0 WHERE id = $1 AND failed_logins <> 0")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        let detail = json!({"address": address.map(clip)});
        let event = AuditEvent::new(AuditKind::SignInSucceeded, &user.username, detail);
        let mark = audit::record(&mut tx, self.backend, now, &event).await?;
        tx.commit().await?;
        self.committed(mark);
        Ok(())
    }

    /// Lifts a lock (an admin's decision), recorded with who lifted it.
    pub async fn unlock_user(&self, username: &str, by: &str, now: DateTime<Utc>) -> Result<User> {
        let mut tx = self.write.begin().await?;
        let n = sqlx::query(
            "UPDATE users SET locked_until = NULL, failed_logins = 0 WHERE username = $1",
        )
        .bind(username)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound(format!("no user `{username}`")));
        }
        record(&mut tx, now, username, Some(by), "unlocked").await?;
        let event = AuditEvent::new(AuditKind::SignInUnlocked, by, json!({"username": username}));
        let mark = audit::record(&mut tx, self.backend, now, &event).await?;
        tx.commit().await?;
        self.committed(mark);
        self.user(username)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no user `{username}`")))
    }

    /// The sign-in record of `username`, newest first: (when, address or unlocking admin, event).
    pub async fn sign_in_events(
        &self,
        username: &str,
        limit: i64,
    ) -> Result<Vec<(DateTime<Utc>, Option<String>, String)>> {
        let rows = sqlx::query(
            "SELECT at, address, event FROM sign_in_events WHERE username = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(clip(username))
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    from_millis(r.try_get("at")?),
                    r.try_get("address")?,
                    r.try_get("event")?,
                ))
            })
            .collect()
    }
}

async fn record(
    conn: &mut sqlx::AnyConnection,
    now: DateTime<Utc>,
    username: &str,
    address: Option<&str>,
    event: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO sign_in_events (at, username, address, event) VALUES ($1, $2, $3, $4)",
    )
    .bind(millis(now))
    .bind(clip(username))
    .bind(address.map(clip))
    .bind(event)
    .execute(conn)
    .await?;
    Ok(())
}
