//! Workbench sign-in sessions: a random cookie value stored as its SHA-256, with the
//! CSRF token every form of that session must carry.

use chrono::{DateTime, Duration, Utc};
use kesu_domain::error::Problem;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::{millis, Result, Store, StoreError, User};

/// How long a workbench session lasts without signing in again.
pub const SESSION_HOURS: i64 = 12;

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf: String,
    pub lang: String,
}

fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    /// Starts a session; returns the cookie value (kept only as its hash).
    pub async fn start_session(&self, user: &User, now: DateTime<Utc>) -> Result<String> {
        let token = random_hex(32);
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(hash(&token))
            .bind(user.id)
            .bind(random_hex(16))
            .bind(millis(now))
            .bind(millis(now + Duration::hours(SESSION_HOURS)))
            .execute(&self.write)
            .await?;
        Ok(token)
    }

    /// The active session a cookie value belongs to.
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.department, u.disabled, u.created_at, u.locked_until, u.lang, s.csrf \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(hash(token))
        .bind(millis(now))
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        Ok(Some(Session {
            user: crate::accounts::user_from_row(&row)?,
            csrf: row.try_get("csrf")?,
            lang: row.try_get("lang")?,
        }))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash(token))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Remembers the user's workbench language (`zh-CN` or `en`).
    pub async fn set_user_lang(&self, user_id: i64, lang: &str) -> Result<()> {
        if !matches!(lang, "zh-CN" | "en") {
            return Err(StoreError::Invalid(vec![
                kesu_domain::FieldError::explained(
                    "lang",
                    Problem::NotOneOf {
                        allowed: "zh-CN, en".into(),
                    },
                    "use zh-CN or en",
                ),
            ]));
        }
        sqlx::query("UPDATE users SET lang = $1 WHERE id = $2")
            .bind(lang)
            .bind(user_id)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}

/// A fresh status-page link token (shown once; stored as [`link_hash`]).
pub(crate) fn new_link_token() -> String {
    random_hex(24)
}

pub(crate) fn link_hash(token: &str) -> String {
    hash(token)
}

/// Makes `link_hash` the case's only status-page link, inside the caller's transaction.
pub(crate) async fn replace_customer_link(
    conn: &mut sqlx::AnyConnection,
    case_id: i64,
    link_hash: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    sqlx::query("DELETE FROM customer_links WHERE case_id = $1")
        .bind(case_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO customer_links (token_hash, case_id, created_at) VALUES ($1, $2, $3)")
        .bind(link_hash)
        .bind(case_id)
        .bind(millis(now))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// A new link to the case's status page for its customer; earlier links stop working.
    pub async fn new_customer_link(&self, case_id: i64, now: DateTime<Utc>) -> Result<String> {
        let token = new_link_token();
        let mut tx = self.write.begin().await?;
        replace_customer_link(&mut tx, case_id, &link_hash(&token), now).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The case a customer link opens.
    pub async fn case_for_customer_link(&self, token: &str) -> Result<Option<crate::CaseRecord>> {
        let row = sqlx::query("SELECT case_id FROM customer_links WHERE token_hash = $1")
            .bind(hash(token))
            .fetch_optional(&self.read)
            .await?;
        match row {
            Some(r) => self.case(r.try_get("case_id")?).await,
            None => Ok(None),
        }
    }
}
