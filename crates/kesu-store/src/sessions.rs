//! Workbench sign-in sessions: a random cookie value stored as its SHA-256, with the
//! CSRF token every form of that session must carry.

use chrono::{DateTime, Duration, Utc};
use kesu_domain::error::Problem;
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::Row;

use serde::Serialize;

use crate::tokens::ID_DIGITS;
use crate::{from_millis, millis, Result, Store, StoreError, User};

/// How long a workbench session lasts at most when the policy cannot be read.
pub const SESSION_HOURS: i64 = 12;

/// How often a session's last use is written: a page view refreshes it at most this often,
/// so browsing costs no write per request.
const TOUCH_EVERY_SECS: i64 = 60;

/// A signed-in browser.
#[derive(Debug, Clone)]
pub struct Session {
    /// The public id of the session (a prefix of its hash, not the cookie).
    pub id: String,
    pub user: User,
    pub csrf: String,
    pub lang: String,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// Whether the sign-in passed a second factor.
    pub second_factor: bool,
    /// Whether the user has a confirmed second factor.
    pub has_two_factor: bool,
}

/// Where a session was started, as its user is shown it.
#[derive(Debug, Clone, Default)]
pub struct SessionMeta {
    pub address: Option<String>,
    /// The browser's own name for itself, cut to 200 characters.
    pub agent: Option<String>,
    pub second_factor: bool,
}

/// One of a user's sessions as they see it in their list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    pub id: String,
    pub started_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub address: Option<String>,
    pub agent: Option<String>,
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
    /// Starts a session; returns the cookie value (kept only as its hash). It ends at the
    /// policy's absolute limit, or earlier when idle.
    pub async fn start_session(
        &self,
        user: &User,
        now: DateTime<Utc>,
        meta: &SessionMeta,
    ) -> Result<String> {
        let lifetime = self
            .policy()
            .await
            .map(|p| p.access.lifetime())
            .unwrap_or_else(|_| Duration::hours(SESSION_HOURS));
        let token = random_hex(32);
        let agent = meta
            .agent
            .as_deref()
            .map(|a| a.chars().take(200).collect::<String>());
        sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at, last_seen_at, address, agent, second_factor) \
             VALUES ($1, $2, $3, $4, $5, $4, $6, $7, $8)",
        )
        .bind(hash(&token))
        .bind(user.id)
        .bind(random_hex(16))
        .bind(millis(now))
        .bind(millis(now + lifetime))
        .bind(meta.address.clone())
        .bind(agent)
        .bind(i64::from(meta.second_factor))
        .execute(&self.write)
        .await?;
        Ok(token)
    }

    /// The session a cookie value belongs to, if it has not ended at `now`: its user is
    /// enabled, it is younger than its absolute limit and was used within the idle limit.
    /// Its last use is refreshed (at most once a minute).
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.department, u.disabled, u.created_at, u.locked_until, u.lang, \
             s.token_hash, s.csrf, s.created_at AS started_at, s.last_seen_at, s.second_factor, tf.confirmed_at \
             FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN two_factor tf ON tf.user_id = u.id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled = 0",
        )
        .bind(hash(token))
        .bind(millis(now))
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let started_at = from_millis(row.try_get("started_at")?);
        let last_seen_at = from_millis(row.try_get("last_seen_at")?).max(started_at);
        let access = self.policy().await.map(|p| p.access).unwrap_or_default();
        if access.session_state(started_at, last_seen_at, now).is_err() {
            return Ok(None);
        }
        let second_factor = row.try_get::<i64, _>("second_factor")? != 0;
        let has_two_factor = row.try_get::<Option<i64>, _>("confirmed_at")?.is_some();
        if has_two_factor && !second_factor && access.code_owed_too_long(started_at, now) {
            return Ok(None);
        }
        let token_hash: String = row.try_get("token_hash")?;
        if (now - last_seen_at).num_seconds() >= TOUCH_EVERY_SECS {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2")
                .bind(millis(now))
                .bind(&token_hash)
                .execute(&self.write)
                .await?;
        }
        Ok(Some(Session {
            id: token_hash[..ID_DIGITS].to_owned(),
            user: crate::accounts::user_from_row(&row)?,
            csrf: row.try_get("csrf")?,
            lang: row.try_get("lang")?,
            started_at,
            last_seen_at,
            second_factor,
            has_two_factor,
        }))
    }

    pub async fn end_session(&self, token: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(hash(token))
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// The user's sessions that have not ended at `now`, most recently used first.
    pub async fn sessions_of(&self, user: &User, now: DateTime<Utc>) -> Result<Vec<SessionInfo>> {
        let access = self.policy().await.map(|p| p.access).unwrap_or_default();
        let rows = sqlx::query(
            "SELECT token_hash, created_at, last_seen_at, expires_at, address, agent FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, created_at DESC",
        )
        .bind(user.id)
        .bind(millis(now))
        .fetch_all(&self.read)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let started_at = from_millis(r.try_get("created_at")?);
            let last_seen_at = from_millis(r.try_get("last_seen_at")?).max(started_at);
            if access.session_state(started_at, last_seen_at, now).is_err() {
                continue;
            }
            let expires_at =
                from_millis(r.try_get("expires_at")?).min(last_seen_at + access.idle());
            let hash: String = r.try_get("token_hash")?;
            out.push(SessionInfo {
                id: hash.chars().take(ID_DIGITS).collect(),
                started_at,
                last_seen_at,
                expires_at,
                address: r.try_get("address")?,
                agent: r.try_get("agent")?,
            });
        }
        Ok(out)
    }

    /// Ends one of the user's own sessions by its id.
    pub async fn end_session_by_id(&self, user: &User, id: &str) -> Result<()> {
        let gone = if crate::tokens::is_short_id(id) {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash LIKE $2")
                .bind(user.id)
                .bind(format!("{}%", id.to_ascii_lowercase()))
                .execute(&self.write)
                .await?
                .rows_affected()
        } else {
            0
        };
        if gone == 0 {
            return Err(StoreError::NotFound(format!("you have no session `{id}`")));
        }
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
