//! Quality checks (README, "Quality checks"): weekly samples, scores, answers, settings,
//! the report.

use std::collections::BTreeMap;

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_domain::quality::QualitySettings;
use kesu_store::{QcReview, QcSample};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quality/samples", post(draw).get(list))
        .route("/quality/draw", get(preview))
        .route("/quality/samples/{id}", get(show))
        .route(
            "/quality/samples/{id}/cases/{case_id}",
            get(review).put(score),
        )
        .route("/quality/samples/{id}/cases/{case_id}/answer", post(answer))
        .route("/quality/settings", get(settings).put(set_settings))
        .route("/reports/quality", get(report))
}

/// A week's sample.
#[derive(Serialize, ToSchema)]
pub struct SampleView {
    pub id: i64,
    /// `2026-W48`, Monday to Monday in the shop's zone.
    pub week: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub seed: i64,
    pub per_agent: i64,
    pub drawn_by: String,
    pub drawn_at: DateTime<Utc>,
}

impl From<QcSample> for SampleView {
    fn from(s: QcSample) -> Self {
        SampleView {
            id: s.id,
            week: s.week,
            from: s.from,
            to: s.to,
            seed: s.seed,
            per_agent: s.per_agent,
            drawn_by: s.drawn_by,
            drawn_at: s.drawn_at,
        }
    }
}

/// One sampled case and its check.
#[derive(Serialize, ToSchema)]
pub struct ReviewView {
    pub case_id: i64,
    pub number: String,
    pub agent: String,
    pub category: kesu_domain::codes::Category,
    pub scores: Option<BTreeMap<String, u32>>,
    pub score: Option<i64>,
    pub comment: Option<String>,
    pub scored_by: Option<String>,
    pub scored_at: Option<DateTime<Utc>>,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
}

impl From<QcReview> for ReviewView {
    fn from(r: QcReview) -> Self {
        ReviewView {
            case_id: r.case_id,
            number: r.number,
            agent: r.agent,
            category: r.category,
            scores: r.scores,
            score: r.score,
            comment: r.comment,
            scored_by: r.scored_by,
            scored_at: r.scored_at,
            answer: r.answer,
            answered_at: r.answered_at,
        }
    }
}

/// Which week to draw, and with which seed (random when absent).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DrawForm {
    /// `2026-W48`; the last complete week when absent.
    #[serde(default)]
    pub week: Option<String>,
    #[serde(default)]
    pub seed: Option<i64>,
}

/// A sample and its cases.
#[derive(Serialize, ToSchema)]
pub struct SampleWithCases {
    pub sample: SampleView,
    pub cases: Vec<ReviewView>,
}

/// Draws a week's sample (supervisors; the worker draws the last week's by itself).
#[utoipa::path(post, path = "/api/v1/quality/samples", tag = "quality", security(("bearer" = [])),
    request_body = DrawForm,
    responses((status = 201, body = SampleWithCases), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn draw(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<SampleWithCases>)> {
    let f: DrawForm = from_value(body)?;
    let s = kesu_app::quality::draw_as(
        &state.store,
        &caller,
        f.week.as_deref(),
        f.seed,
        state.clock.now(),
    )
    .await?;
    let (s, cases) = kesu_app::quality::sample(&state.store, &caller, s.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(SampleWithCases {
            sample: s.into(),
            cases: cases.into_iter().map(Into::into).collect(),
        }),
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct PreviewParams {
    /// `2026-W48`; the last complete week when absent.
    pub week: Option<String>,
    /// The seed to draw with (required).
    pub seed: Option<String>,
}

/// What a seed draws for a week, per agent, without storing it: to check a stored sample.
#[derive(Serialize, ToSchema)]
pub struct Preview {
    pub week: String,
    pub seed: i64,
    /// agent → case ids.
    pub agents: BTreeMap<String, Vec<i64>>,
}

/// Draws again without storing (supervisors).
#[utoipa::path(get, path = "/api/v1/quality/draw", tag = "quality", security(("bearer" = [])),
    params(PreviewParams),
    responses((status = 200, body = Preview), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn preview(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(p): Query<PreviewParams>,
) -> ApiResult<Json<Preview>> {
    let seed = p
        .seed
        .as_deref()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .ok_or_else(|| {
            crate::error::ApiError::from(kesu_domain::FieldError::explained(
                "seed",
                kesu_domain::Problem::Required,
                "give the seed to draw with, a whole number",
            ))
        })?;
    let (week, agents) = kesu_app::quality::preview(
        &state.store,
        &caller,
        p.week.as_deref(),
        seed,
        state.clock.now(),
    )
    .await?;
    Ok(Json(Preview {
        week: week.name,
        seed,
        agents,
    }))
}

/// The samples, newest week first.
#[utoipa::path(get, path = "/api/v1/quality/samples", tag = "quality", security(("bearer" = [])),
    responses((status = 200, body = Vec<SampleView>)))]
async fn list(
    State(state): State<AppState>,
    Caller(_c): Caller,
) -> ApiResult<Json<Vec<SampleView>>> {
    let list = state.store.qc_samples(104).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// A sample with its cases: all for supervisors, an agent's own for an agent.
#[utoipa::path(get, path = "/api/v1/quality/samples/{id}", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = SampleWithCases), (status = 404, body = crate::error::Problem)))]
async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<SampleWithCases>> {
    let id = kesu_app::id_in_path(&id, "sample")?;
    let (s, cases) = kesu_app::quality::sample(&state.store, &caller, id).await?;
    Ok(Json(SampleWithCases {
        sample: s.into(),
        cases: cases.into_iter().map(Into::into).collect(),
    }))
}

/// A public reply the case sent and what the reply checker finds in it.
#[derive(Serialize, ToSchema)]
pub struct CheckedReply {
    pub text: String,
    /// Each finding: `{"kind", "text", "suggestion", "blocking"}`.
    pub findings: Vec<Value>,
}

/// One check with the reply checker's findings on the case's replies.
#[derive(Serialize, ToSchema)]
pub struct ReviewWithReplies {
    pub review: ReviewView,
    pub replies: Vec<CheckedReply>,
}

fn ids(id: &str, case_id: &str) -> Result<(i64, i64), kesu_app::AppError> {
    Ok((
        kesu_app::id_in_path(id, "sample")?,
        kesu_app::id_in_path(case_id, "case")?,
    ))
}

/// One sampled case's check, with the reply checker's findings on its replies.
#[utoipa::path(get, path = "/api/v1/quality/samples/{id}/cases/{case_id}", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("case_id" = i64, Path)),
    responses((status = 200, body = ReviewWithReplies), (status = 404, body = crate::error::Problem)))]
async fn review(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, case_id)): Path<(String, String)>,
) -> ApiResult<Json<ReviewWithReplies>> {
    let (id, case_id) = ids(&id, &case_id)?;
    let (r, replies) = kesu_app::quality::review(&state.store, &caller, id, case_id).await?;
    Ok(Json(ReviewWithReplies {
        review: r.into(),
        replies: replies
            .into_iter()
            .map(|(text, findings)| CheckedReply {
                text,
                findings: findings
                    .into_iter()
                    .map(|f| serde_json::json!({"kind": f.kind, "text": f.text, "suggestion": f.suggestion, "blocking": f.blocking}))
                    .collect(),
            })
            .collect(),
    }))
}

/// A supervisor's score: points per checklist item, and a comment.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreForm {
    pub scores: BTreeMap<String, u32>,
    #[serde(default)]
    pub comment: Option<String>,
}

/// Scores the check (supervisors; again until the agent answers) → the review.
#[utoipa::path(put, path = "/api/v1/quality/samples/{id}/cases/{case_id}", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("case_id" = i64, Path)), request_body = ScoreForm,
    responses((status = 200, body = ReviewView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn score(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, case_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<ReviewView>> {
    let (id, case_id) = ids(&id, &case_id)?;
    let f: ScoreForm = from_value(body)?;
    kesu_app::quality::score(
        &state.store,
        &caller,
        id,
        case_id,
        f.scores,
        f.comment.as_deref(),
        state.clock.now(),
    )
    .await?;
    Ok(Json(stored(&state, id, case_id).await?))
}

/// The review as stored, after a score or an answer the caller was allowed to give.
async fn stored(state: &AppState, sample: i64, case_id: i64) -> ApiResult<ReviewView> {
    Ok(state
        .store
        .qc_review(sample, case_id)
        .await?
        .ok_or_else(|| {
            kesu_app::AppError::NotFound(format!("case {case_id} is not in sample {sample}"))
        })?
        .into())
}

/// The agent's answer.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerForm {
    pub text: String,
}

/// The agent answers the check of their own case, once.
#[utoipa::path(post, path = "/api/v1/quality/samples/{id}/cases/{case_id}/answer", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("case_id" = i64, Path)), request_body = AnswerForm,
    responses((status = 200, body = ReviewView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn answer(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, case_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<ReviewView>> {
    let (id, case_id) = ids(&id, &case_id)?;
    let f: AnswerForm = from_value(body)?;
    kesu_app::quality::answer(
        &state.store,
        &caller,
        id,
        case_id,
        &f.text,
        state.clock.now(),
    )
    .await?;
    Ok(Json(stored(&state, id, case_id).await?))
}

/// The sample size and the checklist.
#[utoipa::path(get, path = "/api/v1/quality/settings", tag = "quality", security(("bearer" = [])),
    responses((status = 200, body = QualitySettings)))]
async fn settings(
    State(state): State<AppState>,
    Caller(_c): Caller,
) -> ApiResult<Json<QualitySettings>> {
    Ok(Json(kesu_app::quality::settings(&state.store).await?))
}

/// Changes the sample size and the checklist (admins).
#[utoipa::path(put, path = "/api/v1/quality/settings", tag = "quality", security(("bearer" = [])),
    request_body = QualitySettings,
    responses((status = 200, body = QualitySettings), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_settings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<QualitySettings>> {
    let s: QualitySettings = from_value(body)?;
    Ok(Json(
        kesu_app::quality::set_settings(&state.store, &caller, s, state.clock.now()).await?,
    ))
}

/// One week's average and how many checks it is of.
#[derive(Serialize, ToSchema)]
pub struct WeekScore {
    /// 0–100.
    pub average: u32,
    pub checks: u32,
}

/// Average scores per agent and per checklist item, week by week.
#[derive(Serialize, ToSchema)]
pub struct ReportView {
    /// agent → week (`2026-W48`) → the average score.
    pub agents: BTreeMap<String, BTreeMap<String, WeekScore>>,
    /// item code → week → the average share of the item's points.
    pub items: BTreeMap<String, BTreeMap<String, WeekScore>>,
}

fn weeks(
    m: BTreeMap<String, BTreeMap<String, (u32, u32)>>,
) -> BTreeMap<String, BTreeMap<String, WeekScore>> {
    m.into_iter()
        .map(|(k, w)| {
            let w = w
                .into_iter()
                .map(|(week, (average, checks))| (week, WeekScore { average, checks }))
                .collect();
            (k, w)
        })
        .collect()
}

/// The quality scores over weeks starting from `from` to `to` (days in the shop's zone).
#[utoipa::path(get, path = "/api/v1/reports/quality", tag = "quality", security(("bearer" = [])),
    params(super::accountability::PeriodParams),
    responses((status = 200, body = ReportView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn report(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(p): Query<super::accountability::PeriodParams>,
) -> ApiResult<Json<ReportView>> {
    let period =
        kesu_domain::report::Period::parse(p.from.as_deref(), p.to.as_deref(), state.zone().await)
            .map_err(crate::error::ApiError::Invalid)?;
    let (from, to) = period.bounds();
    let r = kesu_app::quality::report(&state.store, &caller, from, to).await?;
    Ok(Json(ReportView {
        agents: weeks(r.agents),
        items: weeks(r.items),
    }))
}
