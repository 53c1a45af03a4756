//! Staff accounts and API tokens. Passwords are hashed with argon2 (only at sign-in);
//! tokens are random and stored as their SHA-256, so every request is one indexed lookup.

use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use kesu_domain::account::Username;
use kesu_domain::codes::DepartmentCode;
use kesu_domain::{Actor, Role};
use rand::RngCore;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::Row;

use kesu_domain::audit_kind::AuditKind;
use serde_json::json;

use crate::audit::By;
use crate::{from_millis, millis, Result, Store, StoreError};

/// A hash of a password nobody knows, checked for unknown usernames.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let mut secret = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut secret);
        Argon2::default()
            .hash_password(&secret, &SaltString::generate(&mut OsRng))
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// How long an API token stays valid.
pub const TOKEN_LIFETIME_DAYS: i64 = 30;

/// How long a token lookup is reused.
pub const TOKEN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);
/// Most cached token lookups; the cache is emptied when full.
const TOKEN_CACHE_MAX: usize = 10_000;

/// token hash → (grant, when looked up, when the token expires)
pub(crate) type TokenCache = Arc<RwLock<HashMap<String, (Grant, Instant, DateTime<Utc>)>>>;

/// The stored expiry of a token that does not expire (the year 9999).
pub(crate) const NEVER: i64 = 253_402_300_799_000;

/// A token to issue.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// What its owner calls it ("库存脚本", "BI export").
    pub name: String,
    /// Only reads: every request but GET and HEAD is refused.
    pub read_only: bool,
    /// When it stops working; `None` never (until revoked).
    pub expires_at: Option<DateTime<Utc>>,
}

/// What a bearer token grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub user: User,
    pub read_only: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub department: Option<DepartmentCode>,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
    /// Until when wrong passwords have locked the account (an admin may unlock it).
    pub locked_until: Option<DateTime<Utc>>,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor::staff(&self.username, self.role, self.department.clone())
    }
}

/// A user to create; the password is hashed before it is stored.
pub struct NewUser<'a> {
    pub username: &'a Username,
    pub password: &'a str,
    pub role: Role,
    pub department: Option<&'a DepartmentCode>,
}

const USER_COLUMNS: &str = "id, username, role, department, disabled, created_at, locked_until";

pub(crate) fn user_from_row(r: &AnyRow) -> Result<User> {
    let role: String = r.try_get("role")?;
    let department: Option<String> = r.try_get("department")?;
    Ok(User {
        id: r.try_get("id")?,
        username: r.try_get("username")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt(format!("role `{role}`")))?,
        department: department
            .map(|d| DepartmentCode::parse(&d))
            .transpose()
            .map_err(StoreError::Corrupt)?,
        disabled: r.try_get::<i64, _>("disabled")? != 0,
        created_at: from_millis(r.try_get("created_at")?),
        locked_until: r
            .try_get::<Option<i64>, _>("locked_until")?
            .map(from_millis),
    })
}

pub(crate) fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Corrupt(format!("password hashing failed: {e}")))
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Store {
    pub async fn create_user(&self, new: NewUser<'_>, by: By<'_>) -> Result<User> {
        let now = by.at;
        let password = new.password.to_owned();
        // argon2 is deliberately slow: keep it off the async workers.
        let hash = tokio::task::spawn_blocking(move || hash_password(&password))
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))??;
        // Stored at millisecond precision: return exactly what a later read returns.
        let now = from_millis(millis(now));
        let mut tx = self.write.begin().await?;
        let res = sqlx::query(
            "INSERT INTO users (username, password_hash, role, department, disabled, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5) RETURNING id",
        )
        .bind(new.username.as_str())
        .bind(hash)
        .bind(new.role.code())
        .bind(new.department.map(|d| d.as_str().to_owned()))
        .bind(millis(now))
        .fetch_one(&mut *tx)
        .await;
        if res.is_ok() {
            let detail = json!({
                "username": new.username.as_str(),
                "role": new.role.code(),
                "department": new.department.map(|d| d.as_str()),
            });
            self.commit_audited(tx, by, AuditKind::UserCreated, detail)
                .await?;
        }
        match res {
            Ok(row) => Ok(User {
                id: row.try_get("id")?,
                username: new.username.as_str().to_owned(),
                role: new.role,
                department: new.department.cloned(),
                disabled: false,
                created_at: now,
                locked_until: None,
            }),
            Err(e) if crate::is_unique_violation(&e) => Err(StoreError::Duplicate(format!(
                "user `{}` already exists",
                new.username.as_str()
            ))),
            Err(e) if matches!(&e, sqlx::Error::Database(db) if db.is_foreign_key_violation()) => {
                Err(StoreError::NotFound("no such department".into()))
            }
            Err(e) => Err(e.into()),
        }
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY id"))
            .fetch_all(&self.read)
            .await?;
        rows.iter().map(user_from_row).collect()
    }

    pub async fn user(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.read)
        .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    /// Disables or re-enables a user. Disabling removes their tokens and sessions, so
    /// enabling them again does not bring old credentials back.
    pub async fn set_user_disabled(
        &self,
        username: &str,
        disabled: bool,
        by: By<'_>,
    ) -> Result<User> {
        let mut tx = self.write.begin().await?;
        let id: Option<i64> =
            sqlx::query("UPDATE users SET disabled = $1 WHERE username = $2 RETURNING id")
                .bind(i64::from(disabled))
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| r.try_get("id"))
                .transpose()?;
        let Some(id) = id else {
            return Err(StoreError::NotFound(format!("no user `{username}`")));
        };
        if disabled {
            crate::tokens::revoke_all(&mut tx, id).await?;
        }
        let detail = json!({"username": username, "disabled": disabled});
        by.record(&mut tx, self.backend, AuditKind::UserChanged, detail)
            .await?;
        self.commit_sign_in_change(tx).await?;
        self.user(username)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no user `{username}`")))
    }

    /// Sets a user's role and department (single sign-on brings them from the identity
    /// provider at each sign-in). Cached token lookups are dropped everywhere.
    pub async fn set_user_role(
        &self,
        username: &str,
        role: Role,
        department: Option<&DepartmentCode>,
        by: By<'_>,
    ) -> Result<User> {
        let mut tx = self.write.begin().await?;
        let before = sqlx::query("SELECT role, department FROM users WHERE username = $1")
            .bind(username)
            .fetch_optional(&mut *tx)
            .await?;
        let unchanged = before.as_ref().is_some_and(|r| {
            r.try_get::<String, _>("role").ok().as_deref() == Some(role.code())
                && r.try_get::<Option<String>, _>("department")
                    .ok()
                    .flatten()
                    .as_deref()
                    == department.map(|d| d.as_str())
        });
        let changed =
            sqlx::query("UPDATE users SET role = $1, department = $2 WHERE username = $3")
                .bind(role.code())
                .bind(department.map(|d| d.as_str().to_owned()))
                .bind(username)
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                        StoreError::NotFound("no such department".into())
                    }
                    _ => e.into(),
                })?
                .rows_affected();
        if changed == 0 {
            return Err(StoreError::NotFound(format!("no user `{username}`")));
        }
        if !unchanged {
            let detail = json!({
                "username": username,
                "role": role.code(),
                "department": department.map(|d| d.as_str()),
            });
            by.record(&mut tx, self.backend, AuditKind::UserChanged, detail)
                .await?;
        }
        self.commit_sign_in_change(tx).await?;
        self.user(username)
            .await?
            .ok_or_else(|| StoreError::NotFound(format!("no user `{username}`")))
    }

    pub async fn user_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM users")
            .fetch_one(&self.read)
            .await?;
        Ok(row.try_get("n")?)
    }

    /// Checks a username and password; `None` when either is wrong or the user is disabled.
    pub async fn verify_password(&self, username: &str, password: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = $1"
        ))
        .bind(username)
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else {
            // The same work as for a real account, so timing does not tell who exists.
            let password = password.to_owned();
            tokio::task::spawn_blocking(move || {
                if let Ok(h) = PasswordHash::new(dummy_hash()) {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .ok();
                }
            })
            .await
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            return Ok(None);
        };
        let user = user_from_row(&row)?;
        let stored: String = row.try_get("password_hash")?;
        let password = password.to_owned();
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .map(|h| {
                    Argon2::default()
                        .verify_password(password.as_bytes(), &h)
                        .is_ok()
                })
                .unwrap_or(false)
        })
        .await
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok((ok && !user.disabled).then_some(user))
    }

    /// Issues a sign-in token for `user` (the contract's `POST /api/v1/auth/token`): full
    /// access for [`TOKEN_LIFETIME_DAYS`].
    pub async fn issue_token(&self, user: &User, now: DateTime<Utc>) -> Result<String> {
        let new = NewToken {
            name: "sign-in".into(),
            read_only: false,
            expires_at: Some(now + Duration::days(TOKEN_LIFETIME_DAYS)),
        };
        self.issue_named_token(user, now, &new).await
    }

    /// Issues a bearer token as `new` describes; only its hash is kept.
    pub async fn issue_named_token(
        &self,
        user: &User,
        now: DateTime<Utc>,
        new: &NewToken,
    ) -> Result<String> {
        let mut bytes = [0u8; 32];
        rand::thread_rng().fill_bytes(&mut bytes);
        let token = format!("ks_{}", hex::encode(bytes));
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO api_tokens (token_hash, user_id, created_at, expires_at, name, read_only) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(user.id)
        .bind(millis(now))
        .bind(new.expires_at.map_or(NEVER, millis))
        .bind(new.name.as_str())
        .bind(i64::from(new.read_only))
        .execute(&mut *tx)
        .await?;
        let detail = json!({"name": new.name, "read_only": new.read_only});
        self.commit_audited(
            tx,
            By::new(&user.username, now),
            AuditKind::TokenIssued,
            detail,
        )
        .await?;
        Ok(token)
    }

    /// The active user a bearer token belongs to.
    pub async fn user_for_token(&self, token: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        Ok(self.token_grant(token, now).await?.map(|g| g.user))
    }

    /// What a bearer token grants: its active user and whether it only reads. Answers are
    /// reused for a few seconds (every API request asks); disabling a user clears them in
    /// this process at once, and other processes sharing the database stop honouring the
    /// token within [`TOKEN_CACHE_TTL`] (sooner through the change log).
    pub async fn token_grant(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Grant>> {
        let hash = token_hash(token);
        if let Some((grant, fetched, expires)) = self
            .token_cache
            .read()
            .ok()
            .and_then(|c| c.get(&hash).cloned())
        {
            if fetched.elapsed() < TOKEN_CACHE_TTL && now < expires {
                return Ok(Some(grant));
            }
        }
        let row = sqlx::query(
            "SELECT u.id, u.username, u.role, u.department, u.disabled, u.created_at, u.locked_until, \
             t.expires_at, t.read_only FROM api_tokens t JOIN users u ON u.id = t.user_id \
             WHERE t.token_hash = $1 AND t.expires_at > $2 AND u.disabled = 0",
        )
        .bind(&hash)
        .bind(millis(now))
        .fetch_optional(&self.read)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let grant = Grant {
            user: user_from_row(&row)?,
            read_only: row.try_get::<i64, _>("read_only")? != 0,
        };
        let expires = from_millis(row.try_get("expires_at")?);
        if let Ok(mut cache) = self.token_cache.write() {
            if cache.len() >= TOKEN_CACHE_MAX {
                cache.clear();
            }
            cache.insert(hash, (grant.clone(), Instant::now(), expires));
        }
        Ok(Some(grant))
    }

    /// Creates the first admin on a new database. Returns the generated password when
    /// none was given, so the caller can show it once.
    pub async fn ensure_admin(
        &self,
        password: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Option<String>)>> {
        if self.user_count().await? > 0 {
            return Ok(None);
        }
        let generated = password.is_none().then(|| {
            let mut bytes = [0u8; 12];
            rand::thread_rng().fill_bytes(&mut bytes);
            hex::encode(bytes)
        });
        let pw = password.or(generated.as_deref()).unwrap_or_default();
        kesu_domain::account::check_new_password(pw).map_err(|e| StoreError::Invalid(vec![e]))?;
        let username = Username::parse("admin").expect("`admin` is a valid username");
        let created = self
            .create_user(
                NewUser {
                    username: &username,
                    password: pw,
                    role: Role::Admin,
                    department: None,
                },
                By::new("setup", now),
            )
            .await;
        match created {
            Ok(user) => Ok(Some((user, generated))),
            // Another process sharing the database created it first.
            Err(StoreError::Duplicate(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
