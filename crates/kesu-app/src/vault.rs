//! Secrets at rest: the platforms' credentials are sealed with the server's key
//! (XChaCha20-Poly1305, a random nonce each time) before they reach the database, so a copy
//! of the database or a backup does not give them away.
//!
//! The key is `KESU_SECRET_KEY` (64 hex digits) when set; otherwise the file `secret.key` in
//! the data folder, made on first use, readable by its owner only. Several servers on one
//! PostgreSQL must share the key: set the variable on each, or copy the file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;

use crate::error::{AppError, AppResult};

/// What a sealed value starts with: the scheme, so that a later one can be told apart.
const SCHEME: &str = "v1:";
const KEY_FILE: &str = "secret.key";

/// The server's sealing key.
#[derive(Clone)]
pub struct Vault {
    cipher: Arc<XChaCha20Poly1305>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault(…)")
    }
}

impl Vault {
    /// The key from `KESU_SECRET_KEY` (`env`), else from `data/secret.key`, made if missing.
    pub fn open(env: Option<&str>, data: &Path) -> std::io::Result<Vault> {
        let hex_key = match env.map(str::trim).filter(|k| !k.is_empty()) {
            Some(k) => k.to_owned(),
            None => read_or_make(&data.join(KEY_FILE))?,
        };
        let key = hex::decode(hex_key.trim())
            .ok()
            .filter(|k| k.len() == 32)
            .ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    "the secret key must be 64 hexadecimal digits (32 bytes)",
                )
            })?;
        Ok(Vault::from_key(&key))
    }

    fn from_key(key: &[u8]) -> Vault {
        Vault {
            cipher: Arc::new(XChaCha20Poly1305::new(key.into())),
        }
    }

    /// A vault with a fresh random key (tests, and tools that seal nothing lasting).
    pub fn ephemeral() -> Vault {
        Vault::from_key(&random::<32>())
    }

    pub fn seal(&self, plain: &str) -> String {
        let nonce = random::<24>();
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .expect("XChaCha20-Poly1305 seals any length kesu stores");
        format!("{SCHEME}{}{}", hex::encode(nonce), hex::encode(sealed))
    }

    /// The value sealed, or an error an admin can act on (a key other than the one it was
    /// sealed with, or a damaged value).
    pub fn open_sealed(&self, sealed: &str) -> AppResult<String> {
        let unreadable = || {
            AppError::Unavailable(
                "stored credentials cannot be opened with this server's key: set the same \
                 KESU_SECRET_KEY (or secret.key) on every server, or enter them again"
                    .into(),
            )
        };
        let bytes = sealed
            .strip_prefix(SCHEME)
            .and_then(|h| hex::decode(h).ok())
            .filter(|b| b.len() > 24)
            .ok_or_else(unreadable)?;
        let (nonce, body) = bytes.split_at(24);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| unreadable())?;
        String::from_utf8(plain).map_err(|_| unreadable())
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes
}

/// The key file's hex, made (owner-only) if it does not exist yet.
fn read_or_make(path: &PathBuf) -> std::io::Result<String> {
    match std::fs::read_to_string(path) {
        Ok(k) => return Ok(k),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        Err(_) => {}
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let key = hex::encode(random::<32>());
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(path) {
        Ok(mut file) => {
            use std::io::Write;
            file.write_all(key.as_bytes())?;
            file.sync_all()?;
            Ok(key)
        }
        // Another process made it first: theirs is the key.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::read_to_string(path),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_with_its_key_only_and_never_shows_in_clear() {
        let dir = tempfile::tempdir().unwrap();
        let vault = Vault::open(None, dir.path()).unwrap();
        let sealed = vault.seal("shop-secret-123");
        assert!(!sealed.contains("shop-secret-123"));
        assert_ne!(
            sealed,
            vault.seal("shop-secret-123"),
            "a fresh nonce each time"
        );
        assert_eq!(vault.open_sealed(&sealed).unwrap(), "shop-secret-123");
        // The same folder gives the same key; another key cannot open it.
        let again = Vault::open(None, dir.path()).unwrap();
        assert_eq!(again.open_sealed(&sealed).unwrap(), "shop-secret-123");
        assert!(Vault::ephemeral().open_sealed(&sealed).is_err());
        assert!(vault.open_sealed("v1:00").is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the key file is its owner's only");
        }
        assert!(Vault::open(Some("not hex"), dir.path()).is_err());
    }
}
