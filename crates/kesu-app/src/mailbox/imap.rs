//! The IMAP side of the mailbox: a TLS connection (the public roots, plus a CA file the
//! operator names for a private server), the login, and the messages above a UID. Every step
//! is bounded in time; every failure is a [`MailboxError`] with a code the admin page words.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_imap::Session;
use futures_util::TryStreamExt;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

use super::{MailboxError, MailboxSettings};

/// Longest wait for the server at each step (connect, TLS, login, a fetch).
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

pub type ImapSession = Session<TlsStream<TcpStream>>;

async fn bounded<T, E: std::fmt::Display>(
    what: &'static str,
    code: &'static str,
    f: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, MailboxError> {
    match tokio::time::timeout(STEP_TIMEOUT, f).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(MailboxError::new(code, format!("{what}: {e}"))),
        Err(_) => Err(MailboxError::new(
            code,
            format!("{what}: no answer in {} s", STEP_TIMEOUT.as_secs()),
        )),
    }
}

fn tls_config(extra_ca: Option<&Path>) -> Result<ClientConfig, MailboxError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = extra_ca {
        let certs = CertificateDer::pem_file_iter(path).map_err(|e| {
            MailboxError::new("tls", format!("the CA file {}: {e}", path.display()))
        })?;
        for cert in certs {
            let cert = cert.map_err(|e| {
                MailboxError::new("tls", format!("the CA file {}: {e}", path.display()))
            })?;
            roots.add(cert).map_err(|e| {
                MailboxError::new("tls", format!("the CA file {}: {e}", path.display()))
            })?;
        }
    }
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    Ok(ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| MailboxError::new("tls", e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// Connects over TLS, logs in and selects the folder; returns the session and the folder's
/// UIDVALIDITY.
pub async fn open(
    settings: &MailboxSettings,
    extra_ca: Option<&Path>,
) -> Result<(ImapSession, u32), MailboxError> {
    let config = tls_config(extra_ca)?;
    let tcp = bounded(
        "connecting",
        "connect",
        TcpStream::connect((settings.host.as_str(), settings.port)),
    )
    .await?;
    let name = ServerName::try_from(settings.host.clone())
        .map_err(|e| MailboxError::new("connect", format!("the host name: {e}")))?;
    let tls = bounded(
        "the TLS handshake",
        "tls",
        TlsConnector::from(Arc::new(config)).connect(name, tcp),
    )
    .await?;
    let mut client = async_imap::Client::new(tls);
    let greeting = bounded("the greeting", "protocol", async {
        client.read_response().await.map_err(|e| e.to_string())
    })
    .await?;
    if greeting.is_none() {
        return Err(MailboxError::new(
            "protocol",
            "the server closed the connection before greeting",
        ));
    }
    let mut session = match tokio::time::timeout(
        STEP_TIMEOUT,
        client.login(&settings.username, &settings.password),
    )
    .await
    {
        Ok(Ok(s)) => s,
        // The server's words may repeat what was sent: never the password in the status.
        Ok(Err((e, _))) => {
            return Err(MailboxError::new(
                "login",
                format!(
                    "the server refused the login of {}: {}",
                    settings.username,
                    redact(&e.to_string(), &settings.password)
                ),
            ))
        }
        Err(_) => return Err(MailboxError::new("login", "no answer to the login")),
    };
    let mailbox = bounded(
        "selecting the folder",
        "folder",
        session.select(&settings.folder),
    )
    .await?;
    Ok((session, mailbox.uid_validity.unwrap_or(0)))
}

/// The UIDs above `after`, oldest first, at most `limit`, each with its size.
pub async fn new_uids(
    session: &mut ImapSession,
    after: u32,
    limit: usize,
) -> Result<Vec<(u32, u32)>, MailboxError> {
    let range = format!("{}:*", after.saturating_add(1));
    let mut found: Vec<(u32, u32)> = bounded("listing the messages", "protocol", async {
        session
            .uid_fetch(&range, "(UID RFC822.SIZE)")
            .await?
            .try_collect::<Vec<_>>()
            .await
    })
    .await?
    .into_iter()
    .filter_map(|f| Some((f.uid?, f.size.unwrap_or(0))))
    // `n:*` always answers the highest message, even below n.
    .filter(|(uid, _)| *uid > after)
    .collect();
    found.sort_unstable();
    found.truncate(limit);
    Ok(found)
}

/// One message's raw bytes, without marking it read.
pub async fn raw_message(session: &mut ImapSession, uid: u32) -> Result<Vec<u8>, MailboxError> {
    let fetched = bounded("fetching a message", "protocol", async {
        session
            .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
            .await?
            .try_collect::<Vec<_>>()
            .await
    })
    .await?;
    fetched
        .iter()
        .find_map(|f| f.body().map(<[u8]>::to_vec))
        .ok_or_else(|| MailboxError::new("protocol", format!("message {uid} came without a body")))
}

fn redact(text: &str, secret: &str) -> String {
    if secret.is_empty() {
        text.to_owned()
    } else {
        text.replace(secret, "***")
    }
}
