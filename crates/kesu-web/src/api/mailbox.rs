//! The shop's mailbox (admin): where kesu reads customers' e-mail over IMAP, how the last
//! rounds went, and a round on demand. The password is taken, never given back.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_app::mailbox::{MailboxForm, MailboxSettings, MailboxStatus, PollOptions};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::require_admin;
use crate::error::ApiResult;
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/settings/mailbox", get(show).put(save))
        .route("/settings/mailbox/poll", post(poll))
}

/// The mailbox as set, without its password, and how polling goes.
#[derive(Serialize, ToSchema)]
pub struct MailboxView {
    /// False until an admin sets a mailbox.
    pub configured: bool,
    pub enabled: bool,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub username: Option<String>,
    pub folder: Option<String>,
    /// The kesu user complaints from e-mail are registered as.
    pub account: Option<String>,
    pub has_password: bool,
    pub status: MailboxStatusView,
}

/// How polling has gone.
#[derive(Serialize, ToSchema)]
pub struct MailboxStatusView {
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// `connect`, `tls`, `login`, `folder`, `protocol`, `account` or `store`, when the last
    /// round failed (it is tried again next round).
    pub error_code: Option<String>,
    pub error: Option<String>,
    /// Messages taken since the mailbox was set: new cases, replies threaded onto cases,
    /// automatic replies and bounces set aside.
    pub opened: u64,
    pub threaded: u64,
    pub ignored: u64,
    /// Messages left in the mailbox (too large, unreadable), newest last.
    pub notes: Vec<String>,
}

impl From<MailboxStatus> for MailboxStatusView {
    fn from(s: MailboxStatus) -> Self {
        MailboxStatusView {
            last_attempt_at: s.last_attempt_at,
            last_success_at: s.last_success_at,
            error_code: s.error.as_ref().map(|e| e.code.clone()),
            error: s.error.map(|e| e.detail),
            opened: s.opened,
            threaded: s.threaded,
            ignored: s.ignored,
            notes: s.notes,
        }
    }
}

fn view(settings: Option<MailboxSettings>, status: MailboxStatus) -> MailboxView {
    MailboxView {
        configured: settings.is_some(),
        enabled: settings.as_ref().is_some_and(|s| s.enabled),
        has_password: settings.as_ref().is_some_and(|s| !s.password.is_empty()),
        host: settings.as_ref().map(|s| s.host.clone()),
        port: settings.as_ref().map(|s| s.port),
        username: settings.as_ref().map(|s| s.username.clone()),
        folder: settings.as_ref().map(|s| s.folder.clone()),
        account: settings.map(|s| s.account),
        status: status.into(),
    }
}

/// The mailbox settings as sent (`password` left out keeps the stored one).
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct MailboxBody {
    /// Default true.
    enabled: Option<bool>,
    host: String,
    /// Default 993 (IMAP over TLS).
    port: Option<u16>,
    username: String,
    password: Option<String>,
    /// Default `INBOX`.
    folder: Option<String>,
    account: String,
}

#[utoipa::path(get, path = "/api/v1/settings/mailbox", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = MailboxView), (status = 403, body = crate::error::Problem)))]
async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<MailboxView>> {
    require_admin(&caller, "read the mailbox settings")?;
    let settings = kesu_app::mailbox::settings(&state.store).await?;
    let status = kesu_app::mailbox::status(&state.store).await?;
    Ok(Json(view(settings, status)))
}

/// Sets the mailbox kesu reads over IMAP with TLS (admin). Polling starts with the next
/// round (`KESU_MAILBOX_INTERVAL_SECS`, 60 s by default) or at once with `…/poll`.
#[utoipa::path(put, path = "/api/v1/settings/mailbox", tag = "settings", security(("bearer" = [])),
    request_body = MailboxBody,
    responses((status = 200, body = MailboxView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn save(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<MailboxView>> {
    require_admin(&caller, "set the mailbox")?;
    let form: MailboxForm = from_value(body)?;
    let settings = kesu_app::mailbox::save_settings(&state.store, &caller, form).await?;
    let status = kesu_app::mailbox::status(&state.store).await?;
    Ok(Json(view(Some(settings), status)))
}

/// Reads the mailbox now (admin) and answers how it went: a failure (server down, password
/// refused) is in `status.error`, not an error of this request.
#[utoipa::path(post, path = "/api/v1/settings/mailbox/poll", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = MailboxView), (status = 403, body = crate::error::Problem)))]
async fn poll(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<MailboxView>> {
    require_admin(&caller, "read the mailbox")?;
    let status = poll_now(&state).await?;
    let settings = kesu_app::mailbox::settings(&state.store).await?;
    Ok(Json(view(settings, status)))
}

/// A round now, with this server's limits and CA file.
pub async fn poll_now(state: &AppState) -> Result<MailboxStatus, kesu_app::AppError> {
    let options = PollOptions {
        limits: state.attachment_limits,
        extra_ca: state.imap_ca_file.clone(),
    };
    kesu_app::mailbox::poll_once(&state.store, &options, state.clock.now()).await
}
