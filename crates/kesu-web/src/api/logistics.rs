//! Logistics exceptions (the board's data) and claims against carriers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_domain::claims::{ClaimForm, ClaimReason, ClaimStatus, ClaimUpdate, Evidence};
use kesu_domain::logistics::{ExceptionKind, Level};
use kesu_store::{Claim, LogisticsException};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::ApiResult;
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/logistics/exceptions", get(exceptions))
        .route("/logistics/shipping-promises", get(shipping_promises))
        .route("/logistics/exceptions/{id}/resolve", post(resolve))
        .route("/cases/{id}/claims", post(file).get(case_claims))
        .route("/claims", get(list))
        .route("/claims/{id}", get(show))
        .route("/claims/{id}/status", post(set_status))
        .route("/claims/{id}/evidence-pack", get(evidence_pack))
}

/// The claim's evidence pack for the carrier, one ZIP: a summary sheet (索赔说明.txt), the
/// claim's photos and documents in folders by what they show (the case's files for a claim
/// that names none; photos without the place they were taken), and the parcel's tracking
/// record (物流轨迹.csv).
#[utoipa::path(get, path = "/api/v1/claims/{id}/evidence-pack", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/zip", description = "the pack, with Content-Disposition"),
              (status = 404, body = crate::error::Problem)))]
async fn evidence_pack(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    crate::evidence_pack::download(&state, &caller, &id).await
}

#[derive(Serialize, ToSchema)]
pub struct ExceptionView {
    pub id: i64,
    pub carrier: String,
    pub tracking_no: String,
    pub order_no: Option<String>,
    pub kind: ExceptionKind,
    pub level: Level,
    pub detected_at: DateTime<Utc>,
    pub detail: Option<String>,
    /// What the playbook says to do.
    pub playbook: String,
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
    /// `open` or `resolved`.
    pub state: String,
}

impl From<LogisticsException> for ExceptionView {
    fn from(e: LogisticsException) -> Self {
        ExceptionView {
            // The API speaks Chinese, the shop's language, as the history does.
            playbook: kesu_i18n::Lang::Zh.playbook(e.kind).to_owned(),
            id: e.id,
            carrier: e.carrier,
            tracking_no: e.tracking_no,
            order_no: e.order_no,
            kind: e.kind,
            level: e.level,
            detected_at: e.detected_at,
            detail: e.detail,
            case_id: e.case_id,
            case_number: e.case_number,
            state: e.state,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct ClaimView {
    pub id: i64,
    pub case_id: i64,
    pub case_number: String,
    pub carrier: String,
    pub tracking_no: String,
    pub reason: ClaimReason,
    pub amount_claimed_cents: i64,
    pub amount_recovered_cents: Option<i64>,
    pub status: ClaimStatus,
    /// Where the claim may go next.
    pub next: Vec<ClaimStatus>,
    pub evidence: Vec<Evidence>,
    pub deadline: DateTime<Utc>,
    pub note: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Claim> for ClaimView {
    fn from(c: Claim) -> Self {
        ClaimView {
            next: c.status.next().to_vec(),
            id: c.id,
            case_id: c.case_id,
            case_number: c.case_number,
            carrier: c.carrier,
            tracking_no: c.tracking_no,
            reason: c.reason,
            amount_claimed_cents: c.amount_claimed_cents,
            amount_recovered_cents: c.amount_recovered_cents,
            status: c.status,
            evidence: c.evidence,
            deadline: c.deadline,
            note: c.note,
            version: c.version,
            created_by: c.created_by,
            created_at: c.created_at,
            updated_at: c.updated_at,
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct ExceptionQuery {
    /// Only open exceptions (default true).
    #[serde(default)]
    pub open: Option<bool>,
    pub carrier: Option<String>,
}

/// Logistics exceptions and warnings, newest first.
#[utoipa::path(get, path = "/api/v1/logistics/exceptions", tag = "logistics", security(("bearer" = [])),
    params(ExceptionQuery), responses((status = 200, body = Vec<ExceptionView>)))]
async fn exceptions(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(q): Query<ExceptionQuery>,
) -> ApiResult<Json<Vec<ExceptionView>>> {
    let found = kesu_app::claims::visible_exceptions(
        &state.store,
        &caller,
        q.open.unwrap_or(true),
        q.carrier.filter(|c| !c.trim().is_empty()),
    )
    .await?;
    Ok(Json(found.into_iter().map(ExceptionView::from).collect()))
}

/// Marks an exception handled.
#[utoipa::path(post, path = "/api/v1/logistics/exceptions/{id}/resolve", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 204), (status = 403, body = crate::error::Problem),
        (status = 404, body = crate::error::Problem)))]
async fn resolve(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = kesu_app::id_in_path(&id, "open exception")?;
    kesu_app::claims::resolve_exception(&state.store, &caller, id, state.clock.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Files a claim against the carrier of the case's parcel.
#[utoipa::path(post, path = "/api/v1/cases/{id}/claims", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ClaimForm,
    responses((status = 201, body = ClaimView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn file(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<ClaimView>)> {
    let form: ClaimForm = from_value(body)?;
    let id = kesu_app::cases::case_id(&id)?;
    let claim =
        kesu_app::claims::file_claim(&state.store, &caller, id, form, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(claim.into())))
}

/// The claims of one case.
#[utoipa::path(get, path = "/api/v1/cases/{id}/claims", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = Vec<ClaimView>)))]
async fn case_claims(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ClaimView>>> {
    let record = state.visible_case(&caller, &id).await?;
    let claims = state.store.claims(Some(record.case.id)).await?;
    Ok(Json(claims.into_iter().map(ClaimView::from).collect()))
}

/// Every claim, newest first (departments see those of their own cases).
#[utoipa::path(get, path = "/api/v1/claims", tag = "logistics", security(("bearer" = [])),
    responses((status = 200, body = Vec<ClaimView>)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<ClaimView>>> {
    let claims = kesu_app::claims::visible_claims(&state.store, &caller).await?;
    Ok(Json(claims.into_iter().map(ClaimView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/claims/{id}", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ClaimView), (status = 404, body = crate::error::Problem)))]
async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(
        kesu_app::claims::visible_claim(&state.store, &caller, claim_id(&id)?)
            .await?
            .into(),
    ))
}

/// Moves a claim: filed → accepted or rejected; accepted → paid (with the amount
/// recovered) or rejected. `version` must be the one the caller saw.
#[utoipa::path(post, path = "/api/v1/claims/{id}/status", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ClaimUpdate,
    responses((status = 200, body = ClaimView), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_status(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<ClaimView>> {
    let update: ClaimUpdate = from_value(body)?;
    let id = claim_id(&id)?;
    let claim =
        kesu_app::claims::update_claim(&state.store, &caller, id, update, state.clock.now())
            .await?;
    Ok(Json(claim.into()))
}

fn claim_id(raw: &str) -> kesu_app::AppResult<i64> {
    kesu_app::id_in_path(raw, "claim")
}

/// A paid order not shipped, against its shop's promise.
#[derive(Serialize, ToSchema)]
pub struct UnshippedView {
    pub order_no: String,
    pub shop: String,
    pub paid_at: DateTime<Utc>,
    /// When it must have shipped.
    pub due: DateTime<Utc>,
    /// `at_risk` (within the warning window) or `late`.
    pub risk: kesu_domain::shipping_promise::ShipRisk,
}

/// Paid orders about to miss or past their shipping promise, the most urgent first.
#[utoipa::path(get, path = "/api/v1/logistics/shipping-promises", tag = "logistics", security(("bearer" = [])),
    responses((status = 200, body = Vec<UnshippedView>), (status = 403, body = crate::error::Problem)))]
async fn shipping_promises(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<UnshippedView>>> {
    let list = kesu_app::shipping::at_risk(&state.store, &caller, state.clock.now()).await?;
    Ok(Json(
        list.into_iter()
            .map(|o| UnshippedView {
                order_no: o.order_no,
                shop: o.shop,
                paid_at: o.paid_at,
                due: o.due,
                risk: o.risk,
            })
            .collect(),
    ))
}
