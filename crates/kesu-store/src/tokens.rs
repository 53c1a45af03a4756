//! A user's own credentials: their API tokens (listed by a public id, revoked one by one),
//! their password (changed by themselves, which signs every other client out), and what
//! disabling an account takes away for good.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use kesu_domain::audit_kind::AuditKind;
use serde_json::json;

use crate::accounts::{hash_password, token_hash};
use crate::audit::By;
use crate::{from_millis, millis, Result, Store, StoreError, User};

/// Hex digits of a token's or session's hash that name it in lists: not the secret, and
/// enough to tell one user's tokens (or sessions) apart.
pub(crate) const ID_DIGITS: usize = 12;

/// Whether `id` has the shape of such a name.
pub(crate) fn is_short_id(id: &str) -> bool {
    id.len() == ID_DIGITS && id.chars().all(|c| c.is_ascii_hexdigit())
}

/// One of a user's API tokens, as they may see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TokenInfo {
    pub id: String,
    pub name: String,
    pub read_only: bool,
    pub created_at: DateTime<Utc>,
    /// `None`: never expires.
    pub expires_at: Option<DateTime<Utc>>,
}

/// The public id of `token`.
pub fn token_id(token: &str) -> String {
    token_hash(token)[..ID_DIGITS].to_owned()
}

impl Store {
    /// The user's tokens that have not expired, newest first.
    pub async fn tokens_of(&self, user: &User, now: DateTime<Utc>) -> Result<Vec<TokenInfo>> {
        let rows = sqlx::query(
            "SELECT token_hash, name, read_only, created_at, expires_at FROM api_tokens \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(user.id)
        .bind(millis(now))
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|r| {
                let hash: String = r.try_get("token_hash")?;
                let expires: i64 = r.try_get("expires_at")?;
                Ok(TokenInfo {
                    id: hash.chars().take(ID_DIGITS).collect(),
                    name: r.try_get("name")?,
                    read_only: r.try_get::<i64, _>("read_only")? != 0,
                    created_at: from_millis(r.try_get("created_at")?),
                    expires_at: (expires < crate::accounts::NEVER).then(|| from_millis(expires)),
                })
            })
            .collect()
    }

    /// Revokes one of the user's own tokens by its id.
    pub async fn revoke_token(&self, user: &User, id: &str, now: DateTime<Utc>) -> Result<()> {
        if !is_short_id(id) {
            return Err(StoreError::NotFound(format!("you have no token `{id}`")));
        }
        let mut tx = self.write.begin().await?;
        let gone = sqlx::query("DELETE FROM api_tokens WHERE user_id = $1 AND token_hash LIKE $2")
            .bind(user.id)
            .bind(format!("{}%", id.to_ascii_lowercase()))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if gone == 0 {
            tx.rollback().await?;
            return Err(StoreError::NotFound(format!("you have no token `{id}`")));
        }
        By::new(&user.username, now)
            .record(
                &mut tx,
                self.backend,
                AuditKind::TokenRevoked,
                json!({"token": id}),
            )
            .await?;
        self.commit_sign_in_change(tx).await?;
        Ok(())
    }

    /// Sets a new password and signs the user out everywhere (tokens and workbench
    /// sessions), in one transaction. The caller checked the current password.
    pub async fn change_password(
        &self,
        user: &User,
        new_password: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let password = new_password.to_owned();
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))??;
        let mut tx = self.write.begin().await?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        revoke_all(&mut tx, user.id).await?;
        By::new(&user.username, now)
            .record(&mut tx, self.backend, AuditKind::PasswordSet, json!({}))
            .await?;
        self.commit_sign_in_change(tx).await?;
        Ok(())
    }

    /// Commits a change to who may sign in (a token, a password, a second factor, a role, a
    /// disabled account) and drops the cached sign-ins of this server at once and of every
    /// other through the change log.
    pub(crate) async fn commit_sign_in_change(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
    ) -> Result<()> {
        let mark = self.log_change(&mut tx, crate::Topic::Tokens, &[]).await?;
        tx.commit().await?;
        self.forget_tokens();
        self.committed(mark);
        Ok(())
    }

    pub(crate) fn forget_tokens(&self) {
        if let Ok(mut cache) = self.token_cache.write() {
            cache.clear();
        }
    }
}

/// Removes every token and session of a user (a password change, a disabled account).
pub(crate) async fn revoke_all(conn: &mut sqlx::AnyConnection, user_id: i64) -> Result<()> {
    for table in ["api_tokens", "sessions"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE user_id = $1"))
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}
