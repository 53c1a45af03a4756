//! Two-factor sign-in records: a user's TOTP secret (sealed by the caller with the server's
//! key), whether it is confirmed, the last time step taken (so no code counts twice, on any
//! server), and the one-time recovery codes as their SHA-256.

use chrono::{DateTime, Utc};
use sqlx::Row;

use kesu_domain::audit_kind::AuditKind;
use serde_json::json;

use crate::audit::By;
use crate::{millis, Result, Store, StoreError};

/// A user's second factor as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactor {
    pub sealed_secret: String,
    pub confirmed: bool,
    pub last_step: i64,
}

impl Store {
    /// The user's second factor, confirmed or still being set up.
    pub async fn two_factor(&self, user_id: i64) -> Result<Option<TwoFactor>> {
        let row = sqlx::query(
            "SELECT sealed_secret, confirmed_at, last_step FROM two_factor WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.write)
        .await?;
        row.map(|r| {
            Ok(TwoFactor {
                sealed_secret: r.try_get("sealed_secret")?,
                confirmed: r.try_get::<Option<i64>, _>("confirmed_at")?.is_some(),
                last_step: r.try_get("last_step")?,
            })
        })
        .transpose()
    }

    /// Starts setting up a second factor with a new secret, replacing one not yet
    /// confirmed. A confirmed one must be turned off first (409).
    pub async fn begin_two_factor(&self, user_id: i64, sealed_secret: &str) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let confirmed = sqlx::query(
            "SELECT 1 AS x FROM two_factor WHERE user_id = $1 AND confirmed_at IS NOT NULL",
        )
        .bind(user_id)
        .fetch_optional(&mut *tx)
        .await?;
        if confirmed.is_some() {
            return Err(StoreError::Conflict(
                "two-factor sign-in is already on; turn it off first to set up a new device".into(),
            ));
        }
        sqlx::query("DELETE FROM two_factor WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO two_factor (user_id, sealed_secret, last_step) VALUES ($1, $2, 0)",
        )
        .bind(user_id)
        .bind(sealed_secret)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Confirms the second factor with the step of a right code, and replaces the user's
    /// recovery codes with `recovery_hashes`, in one transaction.
    pub async fn confirm_two_factor(
        &self,
        user_id: i64,
        step: i64,
        recovery_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let done = sqlx::query(
            "UPDATE two_factor SET confirmed_at = $1, last_step = $2 \
             WHERE user_id = $3 AND confirmed_at IS NULL AND last_step < $2",
        )
        .bind(millis(now))
        .bind(step)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(StoreError::Conflict(
                "there is no two-factor set-up waiting for a code".into(),
            ));
        }
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
        for hash in recovery_hashes {
            sqlx::query("INSERT INTO recovery_codes (code_hash, user_id) VALUES ($1, $2)")
                .bind(hash)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let username = username_of(&mut tx, user_id).await?;
        self.commit_audited(
            tx,
            By::new(&username, now),
            AuditKind::TwoFactorChanged,
            json!({"username": username, "on": true}),
        )
        .await?;
        Ok(())
    }

    /// Takes the time step of a right code: true only the first time a step at or after the
    /// last one taken is offered (a replayed or older code is refused, on every server).
    pub async fn take_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let taken = sqlx::query(
            "UPDATE two_factor SET last_step = $1 \
             WHERE user_id = $2 AND confirmed_at IS NOT NULL AND last_step < $1",
        )
        .bind(step)
        .bind(user_id)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(taken == 1)
    }

    /// Spends a recovery code: true only once per code.
    pub async fn spend_recovery_code(
        &self,
        user_id: i64,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let spent = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 \
             WHERE code_hash = $2 AND user_id = $3 AND used_at IS NULL",
        )
        .bind(millis(now))
        .bind(code_hash)
        .bind(user_id)
        .execute(&self.write)
        .await?
        .rows_affected();
        Ok(spent == 1)
    }

    /// How many unused recovery codes the user has left.
    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user_id)
        .fetch_one(&self.read)
        .await?;
        Ok(row.try_get("n")?)
    }

    /// Turns the user's second factor off (they asked with a right code, or an admin reset
    /// it for a lost phone): the secret and recovery codes go, and every sign-in of theirs
    /// ends so that none stays trusted on the strength of the old device.
    pub async fn remove_two_factor(&self, user_id: i64, by: By<'_>) -> Result<()> {
        let mut tx = self.write.begin().await?;
        let username = username_of(&mut tx, user_id).await?;
        by.record(
            &mut tx,
            self.backend,
            AuditKind::TwoFactorChanged,
            json!({"username": username, "on": false}),
        )
        .await?;
        for table in ["two_factor", "recovery_codes"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        crate::tokens::revoke_all(&mut tx, user_id).await?;
        self.commit_sign_in_change(tx).await?;
        Ok(())
    }
}

async fn username_of(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<String> {
    Ok(sqlx::query("SELECT username FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(conn)
        .await?
        .map(|r| r.try_get("username"))
        .transpose()?
        .unwrap_or_default())
}
