//! The kuaidi100 subscription push receiver (the push is read by `kesu_domain::kuaidi100`).
//! The URL carries the integration's secret (set by an admin), compared in constant time.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{post, put};
use axum::{Json, Router};
use kesu_domain::kuaidi100::{read_push, Pushed};
use kesu_domain::Role;
use serde::Deserialize;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/integrations/kuaidi100", put(set_secret))
        .route("/integrations/kuaidi100/{secret}", post(push))
}

fn reply(ok: bool, message: &str) -> Response {
    let code = if ok { "200" } else { "500" };
    (
        StatusCode::OK,
        Json(json!({"result": ok, "returnCode": code, "message": message})),
    )
        .into_response()
}

/// kuaidi100's subscription push (a form field `param` holding its JSON), under the secret
/// path an admin set. Always answers in kuaidi100's own `{"result", "returnCode",
/// "message"}`; an unknown secret is 404.
#[utoipa::path(post, path = "/api/v1/integrations/kuaidi100/{secret}", tag = "logistics",
    params(("secret" = String, Path, description = "the secret set with PUT /api/v1/integrations/kuaidi100")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded",
        description = "param=<kuaidi100's push JSON>"),
    responses((status = 200, description = "kuaidi100's answer: result true, or false with a message",
        content_type = "application/json", body = Object),
        (status = 404, description = "no such secret")))]
pub(super) async fn push(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    body: Bytes,
) -> Response {
    let unknown = || ApiError::NotFound("no such endpoint".into()).into_response();
    let expected = match state.store.setting("kuaidi100_secret").await {
        Ok(Some(s)) => s,
        Ok(None) => return unknown(),
        Err(e) => return ApiError::from(e).into_response(),
    };
    if !crate::same_secret(&secret, &expected) {
        return unknown();
    }
    let zone = state.zone().await;
    let (events, tracking_no, stopped) = match read_push(&body, zone) {
        Ok(Pushed::Events {
            events,
            tracking_no,
            stopped,
        }) => (events, tracking_no, stopped),
        Ok(Pushed::UnknownState) => return reply(true, "未知状态，已忽略"),
        Err(refused) => return reply(false, refused.message_zh()),
    };
    match kesu_app::tracking::ingest(&state.store, &events, state.clock.now()).await {
        Ok(_) => {
            if stopped {
                tracing::warn!(tracking = %tracking_no, "kuaidi100 stopped monitoring a parcel (abort)");
            }
            reply(true, "成功")
        }
        Err(e) => {
            tracing::error!(error = %e, "a kuaidi100 push could not be stored");
            reply(false, "保存失败，请重试")
        }
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretRequest {
    /// 16–128 letters and digits: the last part of the push URL given to kuaidi100.
    pub secret: String,
}

/// Sets the secret of the kuaidi100 push URL `/api/v1/integrations/kuaidi100/{secret}` (admin).
#[utoipa::path(put, path = "/api/v1/integrations/kuaidi100", tag = "logistics", security(("bearer" = [])),
    request_body = SecretRequest,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn set_secret(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(req): ApiJson<SecretRequest>,
) -> ApiResult<StatusCode> {
    if caller.role != Role::Admin {
        return Err(ApiError::Forbidden(
            "only admins set integration secrets".into(),
        ));
    }
    let s = req.secret.trim();
    if !(16..=128).contains(&s.len()) || !s.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(ApiError::explained(
            "secret",
            kesu_domain::Problem::Length { min: 16, max: 128 },
            "use 16–128 letters and digits",
        ));
    }
    state.store.set_setting("kuaidi100_secret", s).await?;
    Ok(StatusCode::NO_CONTENT)
}
