//! kesu's answers back to the platforms (CONTRACT §10): an agent answers a case's platform
//! request, and an admin switches sending on or off per source (off by default: each answer
//! is then kept as a dry run, with the call it would have made).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use kesu_app::platforms::answers::{self, AnswerView};
use kesu_domain::platform::Answer;
use serde::Deserialize;
use utoipa::ToSchema;

use super::require_admin;
use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/platform/answers", get(list).post(give))
        .route("/platforms/{platform}/{shop}/answers", put(switch))
}

/// An answer as sent: the case version the agent saw, and the answer.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct AnswerBody {
    /// The case version the agent saw (an answer given twice is refused as stale).
    version: i64,
    #[serde(flatten)]
    answer: Answer,
}

/// Whether a source's answers go to its platform.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchBody {
    pub send_answers: bool,
}

/// The case's answers to its platform, oldest first: each with the call made (or, in a dry
/// run, the call that would have been made), its status and its attempts.
#[utoipa::path(get, path = "/api/v1/cases/{id}/platform/answers", tag = "platforms", security(("bearer" = [])),
    params(("id" = i64, Path, description = "case id")),
    responses((status = 200, description = "the case's answers"), (status = 404, body = crate::error::Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<AnswerView>>> {
    let id = kesu_app::cases::case_id(&id)?;
    Ok(Json(answers::list(&state.store, &caller, id).await?))
}

/// Answers the case's platform request: `agree_refund`, `refuse` (with `reason`, and
/// `evidence`), `agree_return` (with `address`) or `message` (with `text`). Recorded on the
/// case and queued in one transaction; sent from the queue when the source's switch is on,
/// else kept as a dry run.
#[utoipa::path(post, path = "/api/v1/cases/{id}/platform/answers", tag = "platforms", security(("bearer" = [])),
    params(("id" = i64, Path, description = "case id")),
    request_body = AnswerBody,
    responses((status = 201, description = "recorded, and queued or kept as a dry run"),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn give(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<AnswerView>)> {
    let id = kesu_app::cases::case_id(&id)?;
    let mut body = body;
    let version = match body.as_object_mut().and_then(|o| o.remove("version")) {
        Some(v) => v.as_i64().ok_or_else(|| {
            ApiError::from(kesu_app::AppError::invalid(
                "version",
                kesu_domain::error::Problem::Format,
            ))
        })?,
        None => {
            return Err(kesu_app::AppError::invalid(
                "version",
                kesu_domain::error::Problem::Required,
            )
            .into())
        }
    };
    let answer: Answer = from_value(body)?;
    let now = state.clock.now();
    let view = answers::give(&state.store, &caller, id, version, answer, now).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

/// Switches sending a source's answers to its platform on or off (admin).
#[utoipa::path(put, path = "/api/v1/platforms/{platform}/{shop}/answers", tag = "platforms", security(("bearer" = [])),
    params(("platform" = String, Path, description = "site, taobao, pinduoduo, jd or douyin"),
           ("shop" = String, Path, description = "the shop's name")),
    request_body = SwitchBody,
    responses((status = 204, description = "switched"), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn switch(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((platform, shop)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<StatusCode> {
    require_admin(&caller, "switch platform answers")?;
    let body: SwitchBody = from_value(body)?;
    let now = state.clock.now();
    answers::switch(
        &state.store,
        &caller,
        &platform,
        &shop,
        body.send_answers,
        now,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
