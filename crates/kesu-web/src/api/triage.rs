//! Triage over HTTP (docs/interface.md §8): a complaint's text → suggested category, urgency and
//! department, with the words that led there. The registration form uses it to pre-fill.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use kesu_domain::error::Problem;
use kesu_domain::scripts::{first_reply_for, Language};
use kesu_domain::triage::{Triage, TriageRules};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/triage", post(suggest))
        .route("/triage/rules", get(rules).put(set_rules))
}

/// Triage's words in force.
#[utoipa::path(get, path = "/api/v1/triage/rules", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Object)))]
async fn rules(State(state): State<AppState>, Caller(_): Caller) -> ApiResult<Json<TriageRules>> {
    Ok(Json(state.store.triage_rules().await?))
}

/// Replaces triage's words (admin only); used from the next suggestion on.
#[utoipa::path(put, path = "/api/v1/triage/rules", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_rules(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<TriageRules>> {
    super::require_admin(&caller, "change triage's words")?;
    let rules: TriageRules = from_value(body)?;
    rules.validate().map_err(ApiError::Invalid)?;
    state
        .store
        .set_triage_rules(
            &rules,
            kesu_store::By::new(&caller.username, state.clock.now()),
        )
        .await?;
    Ok(Json(rules))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    #[schema(min_length = 1)]
    pub text: String,
}

/// Triage's suggestion and the first-reply script for the suggested category.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriageView {
    #[serde(flatten)]
    pub triage: Triage,
    /// The reply script (话术) to open with: its id and title (GET /api/v1/templates/{id}).
    pub first_reply_template: Option<TemplateRef>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateRef {
    pub id: String,
    pub title: String,
}

/// Longest text triaged.
const MAX_TEXT_CHARS: usize = 5000;

/// Suggests how to file a complaint.
#[utoipa::path(post, path = "/api/v1/triage", tag = "cases", security(("bearer" = [])),
    request_body = TriageRequest,
    responses((status = 200, body = TriageView), (status = 422, body = crate::error::Problem)))]
async fn suggest(
    State(state): State<AppState>,
    Caller(_caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<TriageView>> {
    let req: TriageRequest = from_value(body)?;
    if req.text.trim().is_empty() {
        return Err(ApiError::invalid("text", Problem::Empty));
    }
    if req.text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::explained(
            "text",
            kesu_domain::Problem::TooLong {
                max: MAX_TEXT_CHARS as i64,
            },
            format!("at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    let policy = state.store.policy().await?;
    let rules = state.store.triage_rules().await?;
    let triage = kesu_domain::triage_model::suggest_builtin(&rules, &policy, &req.text);
    let library = state.store.reply_templates().await?;
    let first_reply_template = first_reply_for(&library.templates, triage.category, Language::Zh)
        .map(|t| TemplateRef {
            id: t.id.clone(),
            title: t.title.clone(),
        });
    Ok(Json(TriageView {
        triage,
        first_reply_template,
    }))
}
