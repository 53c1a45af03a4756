//! Logistics exceptions (the board's data) and claims against carriers.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_domain::claims::{ClaimForm, ClaimReason, ClaimStatus, ClaimUpdate, Evidence};
use kesu_domain::logistics::{ExceptionKind, Level};
use kesu_store::{Claim, ExceptionFilter, LogisticsException};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/logistics/exceptions", get(exceptions))
        .route("/logistics/exceptions/{id}/resolve", post(resolve))
        .route("/cases/{id}/claims", post(file).get(case_claims))
        .route("/claims", get(list))
        .route("/claims/{id}", get(show))
        .route("/claims/{id}/status", post(set_status))
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
            playbook: e.kind.playbook_zh().to_owned(),
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
    let found = visible_exceptions(
        &state,
        &caller,
        q.open.unwrap_or(true),
        q.carrier.filter(|c| !c.trim().is_empty()),
    )
    .await?;
    Ok(Json(found.into_iter().map(ExceptionView::from).collect()))
}

/// Exceptions the caller may see: department users only those of cases routed to their
/// department (not other departments' cases and orders, nor parcels without a case).
pub async fn visible_exceptions(
    state: &AppState,
    caller: &kesu_store::User,
    open_only: bool,
    carrier: Option<String>,
) -> ApiResult<Vec<kesu_store::LogisticsException>> {
    let department = (caller.role == kesu_domain::Role::Department).then(|| {
        caller
            .department
            .as_ref()
            .map(|d| d.as_str().to_owned())
            .unwrap_or_default()
    });
    let filter = ExceptionFilter {
        open_only,
        carrier,
        department,
    };
    Ok(state.store.exceptions(&filter).await?)
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
    if !caller.role.handles_cases() {
        return Err(ApiError::Forbidden(format!(
            "{} users cannot resolve logistics exceptions",
            caller.role
        )));
    }
    let not_found = || ApiError::NotFound(format!("no open exception with id `{id}`"));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    if state.store.resolve_exception(id, state.clock.now()).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(not_found())
    }
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
    let claim = crate::logistics::file_claim(&state, &caller, &id, form).await?;
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
    let record = crate::actions::visible_case(&state, &caller, &id).await?;
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
    let claims = visible_claims(&state, &caller).await?;
    Ok(Json(claims.into_iter().map(ClaimView::from).collect()))
}

/// Claims the caller may see: departments only those of cases routed to them.
pub async fn visible_claims(state: &AppState, caller: &kesu_store::User) -> ApiResult<Vec<Claim>> {
    let all = state.store.claims(None).await?;
    if caller.role != kesu_domain::Role::Department {
        return Ok(all);
    }
    let mut mine = Vec::new();
    for c in all {
        if crate::actions::visible_case(state, caller, &c.case_id.to_string())
            .await
            .is_ok()
        {
            mine.push(c);
        }
    }
    Ok(mine)
}

#[utoipa::path(get, path = "/api/v1/claims/{id}", tag = "logistics", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = ClaimView), (status = 404, body = crate::error::Problem)))]
async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ClaimView>> {
    Ok(Json(
        crate::logistics::visible_claim(&state, &caller, &id)
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
    let claim = crate::logistics::update_claim(&state, &caller, &id, update).await?;
    Ok(Json(claim.into()))
}
