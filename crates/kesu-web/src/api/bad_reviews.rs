//! Bad reviews on cases and their recovery (README, "Bad reviews").

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_domain::bad_review::{explain_by, ReviewForm, ReviewStage};
use kesu_store::BadReview;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/bad-reviews", post(record).get(list))
        .route("/bad-reviews/{id}/stage", post(advance))
        .route("/reports/bad-reviews", get(counts))
}

/// A review and where its recovery stands.
#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    pub id: i64,
    pub case_id: i64,
    pub order_no: Option<String>,
    pub platform: String,
    pub rating: i64,
    pub text: String,
    pub posted_at: DateTime<Utc>,
    pub stage: ReviewStage,
    pub explanation: Option<String>,
    pub explained_at: Option<DateTime<Utc>>,
    /// The end of the platform's window for a public explanation.
    pub explain_by: DateTime<Utc>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<BadReview> for ReviewView {
    fn from(r: BadReview) -> Self {
        ReviewView {
            explain_by: explain_by(r.posted_at),
            id: r.id,
            case_id: r.case_id,
            order_no: r.order_no,
            platform: r.platform,
            rating: r.rating,
            text: r.text,
            posted_at: r.posted_at,
            stage: r.stage,
            explanation: r.explanation,
            explained_at: r.explained_at,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// Records a bad review on the case: `{"rating", "text", "platform", "posted_at"}`.
#[utoipa::path(post, path = "/api/v1/cases/{id}/bad-reviews", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReviewForm,
    responses((status = 201, body = ReviewView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn record(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let id = kesu_app::id_in_path(&id, "case")?;
    let form: ReviewForm = from_value(body)?;
    let r =
        kesu_app::bad_reviews::record(&state.store, &caller, id, form, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(r.into())))
}

/// The case's bad reviews.
#[utoipa::path(get, path = "/api/v1/cases/{id}/bad-reviews", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ReviewView>), (status = 404, body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ReviewView>>> {
    let id = kesu_app::id_in_path(&id, "case")?;
    let list = kesu_app::bad_reviews::on_case(&state.store, &caller, id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// A step of the recovery.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StageForm {
    /// `contacted`, `resolved` or `explained` (forward only).
    pub stage: ReviewStage,
    /// The public explanation (`explained`), or a note.
    #[serde(default)]
    pub text: Option<String>,
}

/// Moves the review's recovery on; an explanation is checked as a public reply on the
/// platform and must come within its 30 days.
#[utoipa::path(post, path = "/api/v1/bad-reviews/{id}/stage", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = StageForm,
    responses((status = 200, body = ReviewView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn advance(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<ReviewView>> {
    let id = kesu_app::id_in_path(&id, "review")?;
    let form: StageForm = from_value(body)?;
    let r = kesu_app::bad_reviews::advance(
        &state.store,
        &caller,
        id,
        form.stage,
        form.text.as_deref(),
        state.clock.now(),
    )
    .await?;
    Ok(Json(r.into()))
}

/// How many bad reviews were posted in the period, by stage and platform, and how many were
/// explained within the platform's window.
#[derive(Serialize, ToSchema)]
pub struct ReviewCountsView {
    /// The period's first and last day (the shop's zone).
    pub from: String,
    pub to: String,
    pub total: i64,
    pub by_stage: std::collections::BTreeMap<String, i64>,
    pub by_platform: std::collections::BTreeMap<String, i64>,
    pub explained_in_window: i64,
}

#[utoipa::path(get, path = "/api/v1/reports/bad-reviews", tag = "reports", security(("bearer" = [])),
    params(super::accountability::PeriodParams),
    responses((status = 200, body = ReviewCountsView), (status = 422, body = crate::error::Problem)))]
async fn counts(
    State(state): State<AppState>,
    Caller(_): Caller,
    Query(p): Query<super::accountability::PeriodParams>,
) -> ApiResult<Json<ReviewCountsView>> {
    let period =
        kesu_domain::report::Period::parse(p.from.as_deref(), p.to.as_deref(), state.zone().await)
            .map_err(crate::error::ApiError::Invalid)?;
    let (from, to) = period.bounds();
    let c = state.store.bad_review_counts(from, to).await?;
    Ok(Json(ReviewCountsView {
        from: period.from.to_string(),
        to: period.to.to_string(),
        total: c.total,
        by_stage: c.by_stage,
        by_platform: c.by_platform,
        explained_in_window: c.explained_in_window,
    }))
}
