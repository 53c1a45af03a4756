//! The caller's own access: their workbench sessions (listed, ended one by one) and their
//! two-factor sign-in (set up with a QR code, confirmed with a code, turned off with one).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/sessions", get(my_sessions))
        .route("/me/sessions/{id}", delete(end_session))
        .route("/me/two-factor", post(begin).delete(turn_off))
        .route("/me/two-factor/confirm", post(confirm))
}

/// One of the caller's signed-in browsers.
#[derive(Serialize, ToSchema)]
pub struct SessionView {
    pub id: String,
    pub started_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
    /// When it ends unless used again (idle limit) or at the latest (absolute limit).
    pub expires_at: chrono::DateTime<chrono::Utc>,
    pub address: Option<String>,
    /// The browser's description of itself.
    pub agent: Option<String>,
}

/// The caller's workbench sessions that have not ended, most recently used first.
#[utoipa::path(get, path = "/api/v1/me/sessions", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<SessionView>), (status = 401, body = crate::error::Problem)))]
async fn my_sessions(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<Vec<SessionView>>> {
    let sessions = state.store.sessions_of(&user, state.clock.now()).await?;
    Ok(Json(
        sessions
            .into_iter()
            .map(|s| SessionView {
                id: s.id,
                started_at: s.started_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
                address: s.address,
                agent: s.agent,
            })
            .collect(),
    ))
}

/// Ends one of the caller's sessions (a shared computer left signed in).
#[utoipa::path(delete, path = "/api/v1/me/sessions/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "the session's id from GET /api/v1/me/sessions")),
    responses((status = 204), (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn end_session(
    State(state): State<AppState>,
    Caller(user): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    state.store.end_session_by_id(&user, &id).await?;
    tracing::info!(user = %user.username, session = %id, "session ended by its user");
    Ok(StatusCode::NO_CONTENT)
}

/// What an authenticator app needs: the secret as text, its `otpauth://` address, and that
/// address as a QR code (PNG, base64).
#[derive(Serialize, ToSchema)]
pub struct TwoFactorSetup {
    pub secret: String,
    pub otpauth_url: String,
    pub qr_png_base64: String,
}

/// Starts setting up two-factor sign-in: a new secret, not in force until confirmed.
#[utoipa::path(post, path = "/api/v1/me/two-factor", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = TwoFactorSetup), (status = 401, body = crate::error::Problem),
        (status = 409, description = "two-factor sign-in is already on", body = crate::error::Problem)))]
async fn begin(
    State(state): State<AppState>,
    Caller(user): Caller,
) -> ApiResult<Json<TwoFactorSetup>> {
    let setup = kesu_app::two_factor::begin(&state.store, &state.vault, &user).await?;
    Ok(Json(TwoFactorSetup {
        secret: setup.secret,
        otpauth_url: setup.otpauth_url,
        qr_png_base64: setup.qr_png_base64,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeForm {
    /// A current code from the app (or, to turn it off, an unused recovery code).
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// One-time codes for a lost phone, shown this once.
    pub recovery_codes: Vec<String>,
}

/// Confirms the set-up with a code from the app: two-factor sign-in is then on, and the
/// answer holds the recovery codes.
#[utoipa::path(post, path = "/api/v1/me/two-factor/confirm", tag = "accounts", security(("bearer" = [])),
    request_body = CodeForm,
    responses((status = 200, body = RecoveryCodes), (status = 401, body = crate::error::Problem),
        (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn confirm(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(form): ApiJson<CodeForm>,
) -> ApiResult<Json<RecoveryCodes>> {
    let codes = kesu_app::two_factor::confirm(
        &state.store,
        &state.vault,
        &user,
        &form.code,
        state.clock.now(),
    )
    .await?;
    Ok(Json(RecoveryCodes {
        recovery_codes: codes,
    }))
}

/// Turns two-factor sign-in off, proven with a current code or a recovery code. Every
/// session and token of the caller ends with it.
#[utoipa::path(delete, path = "/api/v1/me/two-factor", tag = "accounts", security(("bearer" = [])),
    request_body = CodeForm,
    responses((status = 204), (status = 401, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn turn_off(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(form): ApiJson<CodeForm>,
) -> ApiResult<StatusCode> {
    kesu_app::two_factor::turn_off(
        &state.store,
        &state.vault,
        &user,
        &form.code,
        state.clock.now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
