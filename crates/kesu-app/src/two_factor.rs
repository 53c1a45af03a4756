//! Two-factor sign-in with time-based codes (RFC 6238: six digits, 30 seconds, SHA-1, as every
//! authenticator app reads them) and one-time recovery codes. The secret is sealed with the
//! server's key; a code is taken once (its time step is remembered on every server); wrong
//! codes count against the account like wrong passwords.

use chrono::{DateTime, Utc};
use kesu_domain::error::Problem;
use kesu_store::{Store, User};
use rand::Rng;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Secret, TOTP};

use crate::error::{AppError, AppResult};
use crate::vault::Vault;

/// Seconds a code lasts.
const STEP_SECS: i64 = 30;
/// Codes of the step before and after are taken too (a phone's clock a little off).
const SKEW_STEPS: i64 = 1;
/// How many recovery codes a set-up hands out.
const RECOVERY_CODES: usize = 10;
/// The name authenticator apps show above the code.
const ISSUER: &str = "kesu";

/// What the user needs to add kesu to their authenticator app.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Setup {
    /// The secret in base32, to type in by hand.
    pub secret: String,
    /// The `otpauth://` address the QR code holds.
    pub otpauth_url: String,
    /// The QR code as a PNG, base64-encoded.
    pub qr_png_base64: String,
}

/// A second factor as offered at sign-in.
#[derive(Debug, Clone, Copy)]
pub enum Offered<'a> {
    Code(&'a str),
    Recovery(&'a str),
}

fn totp(secret: Vec<u8>, account: &str) -> AppResult<TOTP> {
    // Colons are not allowed in the label; usernames never hold one, but be sure.
    let account = account.replace(':', "_");
    TOTP::new(
        Algorithm::SHA1,
        6,
        0,
        STEP_SECS as u64,
        secret,
        Some(ISSUER.into()),
        account,
    )
    .map_err(|e| AppError::Internal(format!("TOTP: {e}")))
}

fn secret_of(vault: &Vault, sealed: &str) -> AppResult<Vec<u8>> {
    let base32 = vault.open_sealed(sealed)?;
    Secret::Encoded(base32)
        .to_bytes()
        .map_err(|e| AppError::Internal(format!("stored TOTP secret: {e:?}")))
}

/// The time step a right `code` belongs to at `now`, if it is right for one within the skew.
fn matching_step(totp: &TOTP, code: &str, now: DateTime<Utc>) -> Option<i64> {
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let current = now.timestamp().div_euclid(STEP_SECS);
    (current - SKEW_STEPS..=current + SKEW_STEPS).find(|step| {
        let expected = totp.generate(u64::try_from(step * STEP_SECS).unwrap_or(0));
        crate::same_secret(&expected, &code)
    })
}

fn recovery_hash(code: &str) -> String {
    let normal: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    hex::encode(Sha256::digest(normal.as_bytes()))
}

fn new_recovery_code() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::thread_rng();
    let mut pick = || ALPHABET[rng.gen_range(0..ALPHABET.len())] as char;
    let a: String = (0..5).map(|_| pick()).collect();
    let b: String = (0..5).map(|_| pick()).collect();
    format!("{a}-{b}")
}

/// Starts setting up a second factor for `user`: a new secret, shown once as text and QR.
pub async fn begin(store: &Store, vault: &Vault, user: &User) -> AppResult<Setup> {
    let Secret::Raw(raw) = Secret::generate_secret() else {
        return Err(AppError::Internal("TOTP secret not raw".into()));
    };
    let t = totp(raw.clone(), &user.username)?;
    let base32 = t.get_secret_base32();
    store
        .begin_two_factor(user.id, &vault.seal(&base32))
        .await?;
    Ok(Setup {
        secret: base32,
        otpauth_url: t.get_url(),
        qr_png_base64: t
            .get_qr_base64()
            .map_err(|e| AppError::Internal(format!("QR code: {e}")))?,
    })
}

/// Confirms the set-up with a code from the app; answers the recovery codes, shown once.
pub async fn confirm(
    store: &Store,
    vault: &Vault,
    user: &User,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<Vec<String>> {
    let pending = store
        .two_factor(user.id)
        .await?
        .filter(|tf| !tf.confirmed)
        .ok_or_else(|| AppError::conflict("start the set-up first; there is none waiting"))?;
    let t = totp(secret_of(vault, &pending.sealed_secret)?, &user.username)?;
    let step = matching_step(&t, code, now).ok_or_else(|| {
        AppError::explained(
            "code",
            Problem::Invalid,
            "is not the code the app shows now",
        )
    })?;
    let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
    let hashes: Vec<String> = codes.iter().map(|c| recovery_hash(c)).collect();
    store
        .confirm_two_factor(user.id, step, &hashes, now)
        .await?;
    tracing::info!(user = %user.username, "two-factor sign-in turned on");
    Ok(codes)
}

/// Whether `user` has a confirmed second factor.
pub async fn is_on(store: &Store, user: &User) -> AppResult<bool> {
    Ok(store
        .two_factor(user.id)
        .await?
        .is_some_and(|tf| tf.confirmed))
}

/// Checks an offered second factor: a code not taken before, or an unused recovery code.
/// False for anything else (the caller counts it as a failed sign-in).
pub async fn verify(
    store: &Store,
    vault: &Vault,
    user: &User,
    offered: Offered<'_>,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    let Some(tf) = store.two_factor(user.id).await?.filter(|tf| tf.confirmed) else {
        return Ok(false);
    };
    match offered {
        Offered::Code(code) => {
            let t = totp(secret_of(vault, &tf.sealed_secret)?, &user.username)?;
            match matching_step(&t, code, now) {
                // Taken only if later than the last one: a replayed code fails.
                Some(step) => Ok(store.take_totp_step(user.id, step).await?),
                None => Ok(false),
            }
        }
        Offered::Recovery(code) => {
            let used = store
                .spend_recovery_code(user.id, &recovery_hash(code), now)
                .await?;
            if used {
                tracing::warn!(user = %user.username, "signed in with a recovery code");
            }
            Ok(used)
        }
    }
}

/// The user turns their second factor off, proving it with a current code.
pub async fn turn_off(
    store: &Store,
    vault: &Vault,
    user: &User,
    code: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let offered = if code.contains('-') {
        Offered::Recovery(code)
    } else {
        Offered::Code(code)
    };
    if !verify(store, vault, user, offered, now).await? {
        return Err(AppError::explained(
            "code",
            Problem::Invalid,
            "is not a current code from your app or an unused recovery code",
        ));
    }
    store
        .remove_two_factor(user.id, kesu_store::By::new(&user.username, now))
        .await?;
    tracing::info!(user = %user.username, "two-factor sign-in turned off");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_matches_its_step_and_the_steps_beside_it_only() {
        let t = totp(vec![7u8; 20], "amy").unwrap();
        let now = DateTime::from_timestamp(1_765_000_000, 0).unwrap();
        let step = now.timestamp() / STEP_SECS;
        let code = t.generate(u64::try_from(step * STEP_SECS).unwrap());
        assert_eq!(matching_step(&t, &code, now), Some(step));
        let later = now + chrono::Duration::seconds(STEP_SECS);
        assert_eq!(
            matching_step(&t, &code, later),
            Some(step),
            "one step of skew"
        );
        let much_later = now + chrono::Duration::seconds(3 * STEP_SECS);
        assert_eq!(matching_step(&t, &code, much_later), None);
        assert_eq!(matching_step(&t, "12345", now), None);
        assert_eq!(matching_step(&t, "abcdef", now), None);
    }

    #[test]
    fn recovery_codes_are_read_as_people_type_them() {
        let code = new_recovery_code();
        assert_eq!(code.len(), 11);
        assert_eq!(recovery_hash(&code), recovery_hash(&code.to_uppercase()));
        assert_eq!(recovery_hash(&code), recovery_hash(&code.replace('-', " ")));
    }
}
