//! Signing in, for the API and the workbench alike: attempts are limited per address and per
//! account, wrong passwords lock an account for a while, and every failure and lock is
//! recorded and logged (without the password).

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kesu_domain::account::LockoutPolicy;
use kesu_store::{Account, User};

use crate::error::ApiError;
use crate::AppState;

/// Wrong passwords one address may send: a burst of 50, then one every 10 seconds; past
/// that it is refused until its budget refills. Right ones cost nothing, so a script that
/// signs in often is never held up.
const PER_ADDRESS_BURST: u32 = 50;
const PER_ADDRESS_EVERY: Duration = Duration::from_secs(10);
/// Most addresses remembered as throttled (the map is emptied when full).
const MAX_THROTTLED: usize = 100_000;
/// Attempts on a username no account has: as many as an account gets before its lock, then
/// one every 90 seconds, so a lock does not tell which names exist.
const UNKNOWN_ACCOUNT_EVERY: Duration = Duration::from_secs(90);

/// The in-memory limits of this server (the locks are in the database, for every server).
#[derive(Clone)]
pub struct SignInLimits {
    per_address: Arc<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses that spent their budget of wrong passwords, until when.
    throttled: Arc<Mutex<HashMap<IpAddr, Instant>>>,
    unknown_accounts: Arc<DefaultKeyedRateLimiter<String>>,
    pub lockout: LockoutPolicy,
}

impl Default for SignInLimits {
    fn default() -> Self {
        let lockout = LockoutPolicy::default();
        let burst = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let quota = |every: Duration, n: u32| {
            Quota::with_period(every)
                .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
                .allow_burst(burst(n))
        };
        SignInLimits {
            per_address: Arc::new(RateLimiter::keyed(quota(
                PER_ADDRESS_EVERY,
                PER_ADDRESS_BURST,
            ))),
            throttled: Default::default(),
            unknown_accounts: Arc::new(RateLimiter::keyed(quota(
                UNKNOWN_ACCOUNT_EVERY,
                u32::try_from(lockout.max_failures).unwrap_or(10),
            ))),
            lockout,
        }
    }
}

impl SignInLimits {
    fn throttled_for(&self, ip: IpAddr) -> Option<Duration> {
        let map = self.throttled.lock().ok()?;
        let until = *map.get(&ip)?;
        until.checked_duration_since(Instant::now())
    }

    fn throttle(&self, ip: IpAddr, wait: Duration) {
        if let Ok(mut map) = self.throttled.lock() {
            if map.len() >= MAX_THROTTLED {
                map.clear();
            }
            map.insert(ip, Instant::now() + wait);
        }
    }
}

fn too_many(retry_after: Duration) -> ApiError {
    ApiError::TooManyRequests {
        detail: "too many sign-in attempts; wait a moment and try again".into(),
        retry_after_secs: retry_after.as_secs().max(1),
    }
}

fn locked(until: DateTime<Utc>, now: DateTime<Utc>) -> ApiError {
    ApiError::TooManyRequests {
        detail: "this account is locked after repeated wrong passwords; try again later or ask an admin to unlock it".into(),
        retry_after_secs: u64::try_from((until - now).num_seconds()).unwrap_or(1).max(1),
    }
}

/// Checks a username and password from `address`: the user, or 401 (wrong), 429 (too many
/// attempts or locked).
pub async fn sign_in(
    state: &AppState,
    username: &str,
    password: &str,
    address: Option<IpAddr>,
) -> Result<User, ApiError> {
    let limits = &state.sign_in;
    let clock = governor::clock::DefaultClock::default();
    if let Some(wait) = address.and_then(|ip| limits.throttled_for(ip)) {
        return Err(too_many(wait));
    }
    let now = state.clock.now();
    match state.store.sign_in_account(username, now).await? {
        Account::Known {
            locked_until: Some(until),
        } => {
            tracing::warn!(user = %username, "sign-in refused: the account is locked");
            return Err(locked(until, now));
        }
        Account::Known { locked_until: None } => {}
        Account::Unknown => {
            if let Err(not_until) = limits.unknown_accounts.check_key(&username.to_owned()) {
                return Err(too_many(
                    not_until.wait_time_from(governor::clock::Clock::now(&clock)),
                ));
            }
        }
    }
    if let Some(user) = state.store.verify_password(username, password).await? {
        state.store.record_sign_in_success(&user).await?;
        return Ok(user);
    }
    let address_text = address.map(|a| a.to_string());
    let lock = state
        .store
        .record_sign_in_failure(username, address_text.as_deref(), now, &limits.lockout)
        .await?;
    tracing::warn!(user = %username, address = ?address_text, "sign-in failed: wrong username or password");
    if let Some(ip) = address {
        if let Err(not_until) = limits.per_address.check_key(&ip) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(&clock));
            tracing::warn!(address = %ip, wait_secs = wait.as_secs(), "too many wrong passwords from one address: throttled");
            limits.throttle(ip, wait);
        }
    }
    if let Some(until) = lock {
        tracing::warn!(user = %username, until = %until, "account locked after repeated wrong passwords");
    }
    Err(ApiError::Unauthorized(
        "wrong username or password, or the account is disabled".into(),
    ))
}

/// The client's address, when the server was started with it (`kesu_web::serve` does).
pub fn client_address(extensions: &axum::http::Extensions) -> Option<IpAddr> {
    extensions
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
}

/// A user changes their own password: the current one must be right and the new one
/// acceptable (each error names its field); every token and session of theirs then ends.
pub async fn change_own_password(
    state: &AppState,
    user: &User,
    current: &str,
    new: &str,
) -> Result<(), ApiError> {
    let new = kesu_domain::account::check_new_password(new).map_err(|e| {
        ApiError::Invalid(vec![kesu_domain::FieldError {
            field: "new_password".into(),
            ..e
        }])
    })?;
    if state
        .store
        .verify_password(&user.username, current)
        .await?
        .is_none()
    {
        return Err(ApiError::explained(
            "current_password",
            kesu_domain::Problem::Invalid,
            "is not your current password",
        ));
    }
    state.store.change_password(user, new).await?;
    tracing::info!(user = %user.username, "password changed; every other sign-in revoked");
    Ok(())
}
