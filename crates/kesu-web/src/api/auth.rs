//! Signing in for the API: username and password in, bearer token out.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::UserView;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(issue_token))
        .route("/me", get(me))
        .route("/me/tokens", get(my_tokens).post(new_token))
        .route("/me/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/me/password", post(change_password))
        .merge(super::me_access::router())
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(min_length = 1)]
    pub username: String,
    #[schema(min_length = 1)]
    pub password: String,
    /// The code the authenticator app shows, for an account with two-factor sign-in.
    #[serde(default)]
    pub totp: Option<String>,
    /// Or one of the account's unused recovery codes.
    #[serde(default)]
    pub recovery_code: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub user: UserView,
}

/// Exchanges a username and password (and, for an account with two-factor sign-in, a
/// current code or a recovery code) for a bearer token (valid 30 days).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "accounts", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::Problem),
        (status = 429, description = "too many attempts, or the account is locked after repeated wrong passwords", body = crate::error::Problem)))]
async fn issue_token(
    State(state): State<AppState>,
    parts: axum::http::Extensions,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let address = crate::sign_in::client_address(&parts);
    let user = crate::sign_in::sign_in(&state, req.username.trim(), &req.password, address).await?;
    crate::sign_in::second_factor(
        &state,
        &user,
        req.totp.as_deref(),
        req.recovery_code.as_deref(),
        address,
    )
    .await?;
    let token = state.store.issue_token(&user, state.clock.now()).await?;
    tracing::info!(user = %user.username, "token issued");
    Ok(Json(TokenResponse {
        token,
        user: user.into(),
    }))
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/v1/me", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = UserView), (status = 401, body = crate::error::Problem)))]
async fn me(Caller(user): Caller) -> Json<UserView> {
    Json(user.into())
}

/// One of the caller's API tokens: its id (not the secret), name, scope, when it was issued
/// and when it expires (null: never, until revoked).
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub name: String,
    /// Only GET and HEAD requests are taken with it.
    pub read_only: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether it is the token of this request.
    pub current: bool,
}

/// The caller's API tokens that have not expired, newest first.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])),
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = crate::error::Problem)))]
async fn my_tokens(
    State(state): State<AppState>,
    Caller(user): Caller,
    headers: axum::http::HeaderMap,
) -> ApiResult<Json<Vec<TokenView>>> {
    let current = crate::extract::bearer(&headers).map(kesu_store::token_id);
    let tokens = state.store.tokens_of(&user, state.clock.now()).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenView {
                current: current.as_deref() == Some(t.id.as_str()),
                name: t.name,
                read_only: t.read_only,
                id: t.id,
                created_at: t.created_at,
                expires_at: t.expires_at,
            })
            .collect(),
    ))
}

/// Revokes one of the caller's tokens (a lost laptop, a retired script).
#[utoipa::path(delete, path = "/api/v1/me/tokens/{id}", tag = "accounts", security(("bearer" = [])),
    params(("id" = String, Path, description = "the token's id from GET /api/v1/me/tokens")),
    responses((status = 204), (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn revoke_token(
    State(state): State<AppState>,
    Caller(user): Caller,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> ApiResult<axum::http::StatusCode> {
    state
        .store
        .revoke_token(&user, &id, state.clock.now())
        .await?;
    tracing::info!(user = %user.username, token = %id, "token revoked");
    Ok(axum::http::StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenForm {
    /// What the token is for ("库存脚本", "BI export"); 1–80 characters.
    #[schema(min_length = 1, max_length = 80)]
    pub name: String,
    /// Only reads (GET and HEAD); everything else is refused with 403.
    #[serde(default)]
    pub read_only: bool,
    /// Days until it stops working (1–3650); without it, it works until revoked.
    #[serde(default)]
    pub expires_in_days: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct NewTokenView {
    /// The secret, shown this once.
    pub token: String,
    pub id: String,
    pub name: String,
    pub read_only: bool,
    pub expires_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Issues another token for the caller (a script, a report tool): named, optionally read-only
/// and expiring. Only a signed-in caller can, so an account with two-factor sign-in gets
/// tokens only after its second factor.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "accounts", security(("bearer" = [])),
    request_body = NewTokenForm,
    responses((status = 201, body = NewTokenView), (status = 401, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn new_token(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(form): ApiJson<NewTokenForm>,
) -> ApiResult<(axum::http::StatusCode, Json<NewTokenView>)> {
    use kesu_domain::error::Problem;
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(ApiError::explained(
            "name",
            Problem::Invalid,
            "give the token a name of 1 to 80 characters",
        ));
    }
    let now = state.clock.now();
    let expires_at = match form.expires_in_days {
        None => None,
        Some(d @ 1..=3650) => Some(now + chrono::Duration::days(d)),
        Some(_) => {
            return Err(ApiError::Invalid(vec![kesu_domain::FieldError::new(
                "expires_in_days",
                Problem::Range { min: 1, max: 3650 },
            )]))
        }
    };
    let new = kesu_store::NewToken {
        name: name.to_owned(),
        read_only: form.read_only,
        expires_at,
    };
    let token = state.store.issue_named_token(&user, now, &new).await?;
    tracing::info!(user = %user.username, read_only = new.read_only, "named token issued");
    Ok((
        axum::http::StatusCode::CREATED,
        Json(NewTokenView {
            id: kesu_store::token_id(&token),
            token,
            name: new.name,
            read_only: new.read_only,
            // Stored to the millisecond: answer what a later list shows.
            expires_at: expires_at.map(|t| chrono::SubsecRound::trunc_subsecs(t, 3)),
        }),
    ))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(min_length = 1)]
    pub current_password: String,
    #[schema(min_length = 8, max_length = 256)]
    pub new_password: String,
}

/// Changes the caller's own password. Every token and workbench session of theirs stops
/// working; the answer carries a fresh token.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "accounts", security(("bearer" = [])),
    request_body = PasswordChange,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn change_password(
    State(state): State<AppState>,
    Caller(user): Caller,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<Json<TokenResponse>> {
    crate::sign_in::change_own_password(&state, &user, &req.current_password, &req.new_password)
        .await?;
    let token = state.store.issue_token(&user, state.clock.now()).await?;
    Ok(Json(TokenResponse {
        token,
        user: user.into(),
    }))
}
