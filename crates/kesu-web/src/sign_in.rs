//! Signing in, for the API and the workbench alike: attempts are limited per address and per
//! account, wrong passwords lock an account for a while, and every failure and lock is
//! recorded and logged (without the password).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use kesu_domain::account::LockoutPolicy;
use kesu_store::{Account, User};

use crate::error::ApiError;
use crate::throttle::MissLimiter;
use crate::AppState;

/// Wrong passwords one address may send: a burst of 50, then one every 10 seconds; past
/// that it is refused until its budget refills. Right ones cost nothing, so a script that
/// signs in often is never held up.
const PER_ADDRESS_BURST: u32 = 50;
const PER_ADDRESS_EVERY: Duration = Duration::from_secs(10);
/// Attempts on a username no account has: as many as an account gets before its lock, then
/// one every 90 seconds, so a lock does not tell which names exist.
const UNKNOWN_ACCOUNT_EVERY: Duration = Duration::from_secs(90);

/// The in-memory limits of this server (the locks are in the database, for every server).
#[derive(Clone)]
pub struct SignInLimits {
    per_address: MissLimiter,
    unknown_accounts: Arc<DefaultKeyedRateLimiter<String>>,
    pub lockout: LockoutPolicy,
}

impl Default for SignInLimits {
    fn default() -> Self {
        let lockout = LockoutPolicy::default();
        let burst = NonZeroU32::new(u32::try_from(lockout.max_failures).unwrap_or(10))
            .unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(UNKNOWN_ACCOUNT_EVERY)
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(burst);
        SignInLimits {
            per_address: MissLimiter::new(PER_ADDRESS_BURST, PER_ADDRESS_EVERY),
            unknown_accounts: Arc::new(RateLimiter::keyed(quota)),
            lockout,
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
    if let Some(wait) = address.and_then(|ip| limits.per_address.blocked(ip)) {
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
        // With a second factor the sign-in succeeds only once the code is right too
        // ([`second_factor`] records it): a right password must not wipe out the count of
        // wrong codes.
        if !kesu_app::two_factor::is_on(&state.store, &user).await? {
            let address_text = address.map(|a| a.to_string());
            state
                .store
                .record_sign_in_success(&user, address_text.as_deref(), now)
                .await?;
        }
        return Ok(user);
    }
    let address_text = address.map(|a| a.to_string());
    let lock = state
        .store
        .record_sign_in_failure(username, address_text.as_deref(), now, &limits.lockout)
        .await?;
    tracing::warn!(user = %username, address = ?address_text, "sign-in failed: wrong username or password");
    if let Some(ip) = address {
        if let Some(wait) = limits.per_address.miss(ip) {
            tracing::warn!(address = %ip, wait_secs = wait.as_secs(), "too many wrong passwords from one address: throttled");
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
    state
        .store
        .change_password(user, new, state.clock.now())
        .await?;
    tracing::info!(user = %user.username, "password changed; every other sign-in revoked");
    Ok(())
}

/// The second factor of a sign-in whose password was right: nothing to ask when the user has
/// none; else a current code or an unused recovery code. A wrong one counts against the
/// account like a wrong password (so guessing codes locks it too); a missing one is 401
/// saying what to send.
pub async fn second_factor(
    state: &AppState,
    user: &User,
    code: Option<&str>,
    recovery_code: Option<&str>,
    address: Option<IpAddr>,
) -> Result<(), ApiError> {
    use kesu_app::two_factor::{self, Offered};
    if !two_factor::is_on(&state.store, user).await? {
        return Ok(());
    }
    let offered = match (code, recovery_code) {
        (Some(c), _) if !c.trim().is_empty() => Offered::Code(c),
        (_, Some(r)) if !r.trim().is_empty() => Offered::Recovery(r),
        _ => {
            return Err(ApiError::Unauthorized(
                "this account signs in with a second factor: send `totp` (the code your app shows) or `recovery_code`".into(),
            ))
        }
    };
    let now = state.clock.now();
    if let Account::Known {
        locked_until: Some(until),
    } = state.store.sign_in_account(&user.username, now).await?
    {
        return Err(locked(until, now));
    }
    let address_text = address.map(|a| a.to_string());
    if two_factor::verify(&state.store, &state.vault, user, offered, now).await? {
        state
            .store
            .record_sign_in_success(user, address_text.as_deref(), now)
            .await?;
        return Ok(());
    }
    let lock = state
        .store
        .record_sign_in_failure(
            &user.username,
            address_text.as_deref(),
            now,
            &state.sign_in.lockout,
        )
        .await?;
    tracing::warn!(user = %user.username, address = ?address_text, "sign-in failed: wrong or reused second-factor code");
    if let Some(until) = lock {
        tracing::warn!(user = %user.username, until = %until, "account locked after repeated wrong codes");
    }
    Err(ApiError::Unauthorized(
        "the code is wrong, expired or already used".into(),
    ))
}
