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
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    pub token: String,
    pub user: UserView,
}

/// Exchanges a username and password for a bearer token (valid 30 days).
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "accounts", request_body = TokenRequest,
    responses((status = 200, body = TokenResponse), (status = 401, body = crate::error::Problem)))]
async fn issue_token(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<Json<TokenResponse>> {
    let user = state
        .store
        .verify_password(req.username.trim(), &req.password)
        .await?
        .ok_or_else(|| {
            ApiError::Unauthorized("wrong username or password, or the account is disabled".into())
        })?;
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
