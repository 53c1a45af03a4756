//! Signing in for the API: username and password in, bearer token out.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::views::UserView;
use crate::error::ApiResult;
use crate::extract::{ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/token", post(issue_token))
        .route("/me", get(me))
        .route("/me/tokens", get(my_tokens))
        .route("/me/tokens/{id}", axum::routing::delete(revoke_token))
        .route("/me/password", post(change_password))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    #[schema(min_length = 1)]
    pub username: String,
    #[schema(min_length = 1)]
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub user: UserView,
}

/// Exchanges a username and password for a bearer token (valid 30 days).
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

/// One of the caller's API tokens: its id (not the secret), when it was issued and expires.
#[derive(Serialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub expires_at: chrono::DateTime<chrono::Utc>,
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
    state.store.revoke_token(&user, &id).await?;
    tracing::info!(user = %user.username, token = %id, "token revoked");
    Ok(axum::http::StatusCode::NO_CONTENT)
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
