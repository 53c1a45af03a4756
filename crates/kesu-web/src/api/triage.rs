//! Triage over HTTP (CONTRACT.md §8): a complaint's text → suggested category, urgency and
//! department, with the words that led there. The registration form uses it to pre-fill.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kesu_domain::triage::{triage, Triage, TriageRules};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/triage", post(suggest))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    pub text: String,
}

/// Longest text triaged.
const MAX_TEXT_CHARS: usize = 5000;

/// Suggests how to file a complaint.
#[utoipa::path(post, path = "/api/v1/triage", tag = "cases", security(("bearer" = [])),
    request_body = TriageRequest,
    responses((status = 200, body = Triage), (status = 422, body = crate::error::Problem)))]
async fn suggest(
    State(state): State<AppState>,
    Caller(_caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<Triage>> {
    let req: TriageRequest = from_value(body)?;
    if req.text.trim().is_empty() {
        return Err(ApiError::invalid("text", "must not be empty"));
    }
    if req.text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::invalid(
            "text",
            format!("at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    let policy = state.store.policy().await?;
    Ok(Json(triage(&TriageRules::builtin(), &policy, &req.text)))
}
