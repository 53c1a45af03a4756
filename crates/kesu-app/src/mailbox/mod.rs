//! The shop's mailbox: kesu polls a folder over IMAP (TLS) and takes each new message as
//! `POST /api/v1/inbound/email` would (a new complaint, a reply threaded onto its case, an
//! automatic reply set aside). The admin sets the server, the login, the folder and the kesu
//! account the complaints are registered under; the password is written, never shown.
//!
//! What was taken is remembered by UID (with the folder's UIDVALIDITY), advanced only after
//! a message is stored, so a failure or a restart takes it again; the Message-ID keeps a
//! message from being taken twice. A failure is kept as the mailbox's status, with a code the
//! admin page words, and the next round tries again.

mod imap;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kesu_domain::attachment::Limits;
use kesu_domain::error::Problem;
use kesu_domain::Permission;
use kesu_store::{Store, User};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::error::{AppError, AppResult};
use crate::Clock;

const SETTINGS_KEY: &str = "mailbox";
const STATUS_KEY: &str = "mailbox_status";
/// Messages taken in one round at most; the rest wait for the next.
const ROUND: usize = 200;
/// Larger messages are left in the mailbox and named in the status.
pub const MAX_MESSAGE_BYTES: u32 = 64 * 1024 * 1024;
/// Notes on messages set aside, newest last, kept in the status.
const NOTES_KEPT: usize = 20;

/// Where the mailbox is and how kesu logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxSettings {
    pub enabled: bool,
    pub host: String,
    /// 993 (IMAP over TLS) unless the server says otherwise.
    pub port: u16,
    pub username: String,
    pub password: String,
    pub folder: String,
    /// The kesu user complaints from e-mail are registered as (an agent or supervisor).
    pub account: String,
}

/// The settings as an admin sends them: the password may be left out to keep the stored one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MailboxForm {
    #[serde(default = "yes")]
    pub enabled: bool,
    pub host: String,
    #[serde(default)]
    pub port: Option<u16>,
    pub username: String,
    #[serde(default)]
    pub password: Option<String>,
    #[serde(default)]
    pub folder: Option<String>,
    pub account: String,
}

fn yes() -> bool {
    true
}

/// What went wrong with the mailbox, for the admin: a code (`connect`, `tls`, `login`,
/// `folder`, `protocol`, `account`, `store`) and the particulars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxError {
    pub code: String,
    pub detail: String,
}

impl MailboxError {
    pub fn new(code: &str, detail: impl Into<String>) -> MailboxError {
        MailboxError {
            code: code.to_owned(),
            detail: detail.into(),
        }
    }
}

/// How polling has gone.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxStatus {
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last round's failure; none when it went through.
    pub error: Option<MailboxError>,
    pub uid_validity: u32,
    /// The highest UID taken (or set aside) in this folder.
    pub last_uid: u32,
    /// Messages taken since polling began: new cases, replies threaded, set aside.
    pub opened: u64,
    pub threaded: u64,
    pub ignored: u64,
    /// Messages left out (too large, unreadable), newest last.
    pub notes: Vec<String>,
}

impl MailboxStatus {
    fn note(&mut self, text: String) {
        self.notes.push(text);
        if self.notes.len() > NOTES_KEPT {
            let extra = self.notes.len() - NOTES_KEPT;
            self.notes.drain(..extra);
        }
    }
}

fn corrupt(e: serde_json::Error) -> AppError {
    AppError::Internal(format!("the stored mailbox settings cannot be read: {e}"))
}

/// The stored settings, if an admin set any.
pub async fn settings(store: &Store) -> AppResult<Option<MailboxSettings>> {
    match store.setting(SETTINGS_KEY).await? {
        Some(v) => serde_json::from_str(&v).map(Some).map_err(corrupt),
        None => Ok(None),
    }
}

pub async fn status(store: &Store) -> AppResult<MailboxStatus> {
    match store.setting(STATUS_KEY).await? {
        Some(v) => serde_json::from_str(&v).map_err(corrupt),
        None => Ok(MailboxStatus::default()),
    }
}

async fn keep_status(store: &Store, status: &MailboxStatus) -> AppResult<()> {
    let value = serde_json::to_string(status).map_err(corrupt)?;
    Ok(store.set_setting(STATUS_KEY, &value).await?)
}

fn invalid(field: &str, problem: Problem, detail: &str) -> AppError {
    AppError::explained(field, problem, detail)
}

/// An admin sets the mailbox. A changed server or folder starts again from its first message
/// (the Message-IDs keep those already taken from being taken twice).
pub async fn save_settings(
    store: &Store,
    caller: &User,
    form: MailboxForm,
) -> AppResult<MailboxSettings> {
    if !caller.role.may(Permission::ConfigureDesk) {
        return Err(AppError::Forbidden(format!(
            "{} users cannot set the mailbox",
            caller.role
        )));
    }
    let old = settings(store).await?;
    let host = form.host.trim().to_owned();
    if host.is_empty() || host.len() > 253 || host.contains(char::is_whitespace) {
        return Err(invalid(
            "host",
            Problem::Format,
            "a host name such as imap.example.com",
        ));
    }
    let port = form.port.unwrap_or(993);
    if port == 0 {
        return Err(invalid(
            "port",
            Problem::Range { min: 1, max: 65535 },
            "a port from 1 to 65535",
        ));
    }
    let username = form.username.trim().to_owned();
    if username.is_empty() {
        return Err(invalid(
            "username",
            Problem::Required,
            "the mailbox's user name",
        ));
    }
    let password = match (form.password, &old) {
        (Some(p), _) if !p.is_empty() => p,
        (_, Some(o)) => o.password.clone(),
        _ => {
            return Err(invalid(
                "password",
                Problem::Required,
                "the mailbox's password",
            ))
        }
    };
    let folder = form
        .folder
        .map(|f| f.trim().to_owned())
        .filter(|f| !f.is_empty());
    let folder = folder.unwrap_or_else(|| "INBOX".to_owned());
    if folder.chars().any(char::is_control) {
        return Err(invalid(
            "folder",
            Problem::ControlCharacter,
            "a folder name",
        ));
    }
    let account = form.account.trim().to_owned();
    match store.user(&account).await? {
        Some(u) if !u.disabled && u.role.may(Permission::RegisterCases) => {}
        _ => {
            return Err(invalid(
                "account",
                Problem::Format,
                "an active user who registers complaints (an agent or a supervisor)",
            ))
        }
    }
    let new = MailboxSettings {
        enabled: form.enabled,
        host,
        port,
        username,
        password,
        folder,
        account,
    };
    let value = serde_json::to_string(&new).map_err(corrupt)?;
    store.set_setting(SETTINGS_KEY, &value).await?;
    let moved = old
        .is_none_or(|o| o.host != new.host || o.username != new.username || o.folder != new.folder);
    if moved {
        keep_status(store, &MailboxStatus::default()).await?;
    }
    Ok(new)
}

/// What polling needs besides the store: the upload limits and a CA file for a private server.
#[derive(Debug, Clone)]
pub struct PollOptions {
    pub limits: Limits,
    pub extra_ca: Option<PathBuf>,
}

/// One round: connect, take what is new, remember how far it got. Failures end up in the
/// returned status (and the stored one), not as an error: the next round tries again.
pub async fn poll_once(
    store: &Store,
    options: &PollOptions,
    now: DateTime<Utc>,
) -> AppResult<MailboxStatus> {
    let Some(settings) = settings(store).await?.filter(|s| s.enabled) else {
        return status(store).await;
    };
    let mut status = status(store).await?;
    status.last_attempt_at = Some(now);
    let outcome = round(store, &settings, options, &mut status, now).await;
    status.error = outcome.err();
    if status.error.is_none() {
        status.last_success_at = Some(now);
    } else if let Some(e) = &status.error {
        tracing::warn!(code = %e.code, detail = %e.detail, "the mailbox could not be read; trying again next round");
    }
    keep_status(store, &status).await?;
    Ok(status)
}

async fn round(
    store: &Store,
    settings: &MailboxSettings,
    options: &PollOptions,
    status: &mut MailboxStatus,
    now: DateTime<Utc>,
) -> Result<(), MailboxError> {
    let account = match store.user(&settings.account).await {
        Ok(Some(u)) if !u.disabled => u,
        Ok(_) => {
            return Err(MailboxError::new(
                "account",
                format!("the kesu account {} is gone or disabled", settings.account),
            ))
        }
        Err(e) => return Err(MailboxError::new("store", e.to_string())),
    };
    let (mut session, validity) = imap::open(settings, options.extra_ca.as_deref()).await?;
    if validity != status.uid_validity {
        // A new folder (or one rebuilt by the server): its UIDs start over.
        status.uid_validity = validity;
        status.last_uid = 0;
    }
    let result = take_new(store, &mut session, &account, options, status, now).await;
    // A polite goodbye; the server forgets the session either way.
    let _ = tokio::time::timeout(Duration::from_secs(5), session.logout()).await;
    result
}

async fn take_new(
    store: &Store,
    session: &mut imap::ImapSession,
    account: &User,
    options: &PollOptions,
    status: &mut MailboxStatus,
    now: DateTime<Utc>,
) -> Result<(), MailboxError> {
    for (uid, size) in imap::new_uids(session, status.last_uid, ROUND).await? {
        if size > MAX_MESSAGE_BYTES {
            status.note(format!("message {uid} ({size} bytes) is over the limit of {MAX_MESSAGE_BYTES} bytes: left in the mailbox"));
            status.last_uid = uid;
            continue;
        }
        let raw = imap::raw_message(session, uid).await?;
        match crate::email::take(store, account, &raw, options.limits, now).await {
            // Taken before (a round cut short, another server): nothing new to count.
            Ok(taken) if !taken.new => {}
            Ok(taken) if taken.case.is_none() => status.ignored += 1,
            Ok(taken) if taken.threaded => status.threaded += 1,
            Ok(_) => status.opened += 1,
            // Not an e-mail kesu can read: noted and passed, or it would block the rest.
            Err(AppError::Invalid(errors)) => {
                let why = errors
                    .first()
                    .map(|e| e.message.clone())
                    .unwrap_or_default();
                status.note(format!("message {uid} is not a readable e-mail: {why}"));
            }
            // The store failed: stop here and take this message again next round.
            Err(e) => return Err(MailboxError::new("store", e.to_string())),
        }
        status.last_uid = uid;
    }
    Ok(())
}

/// Polls every `every` until `stop`; does nothing while no mailbox is set (or it is off).
pub async fn run_poller(
    store: Store,
    clock: Arc<dyn Clock>,
    options: PollOptions,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    loop {
        if let Err(e) = poll_once(&store, &options, clock.now()).await {
            tracing::warn!(error = %e, "the mailbox status could not be kept");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}
