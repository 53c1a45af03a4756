//! Regular audits of the records over the API (seed 000): auditors and admins draw a sample
//! of a period's closed cases, read each with its checklist, and record their verdict.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_app::records_audit::{DrawRequest, Verdict};
use kesu_domain::records_audit::Finding;
use kesu_domain::report::Period;
use kesu_store::{AuditedCase, RecordsAudit};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/records-audits", get(list).post(create))
        .route("/records-audits/{id}", get(show))
        .route("/records-audits/{id}/cases/{case_id}", put(record))
}

#[derive(Serialize, ToSchema)]
pub struct AuditView {
    pub id: i64,
    /// The period's first and last day were turned into these bounds (the shop's zone).
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Draw again with this seed over the same period and the same sample comes out.
    pub seed: i64,
    /// Closed cases received in the period.
    pub population: i64,
    pub size: i64,
    pub drawn_by: String,
    pub drawn_at: DateTime<Utc>,
    pub checked: i64,
    pub failed: i64,
}

fn audit_view(a: RecordsAudit) -> AuditView {
    AuditView {
        id: a.id,
        from: a.from,
        to: a.to,
        seed: a.seed,
        population: a.population,
        size: a.size,
        drawn_by: a.drawn_by,
        drawn_at: a.drawn_at,
        checked: a.checked,
        failed: a.failed,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditedCaseView {
    pub case_id: i64,
    pub number: String,
    /// The checklist: `[{"item": "fields_complete" | "history_consistent" |
    /// "customer_confirmed" | "deadline_met", "problems": ["follow_up", …]}]`.
    #[schema(value_type = Vec<Object>)]
    pub checks: Vec<Finding>,
    pub verdict: Option<String>,
    pub findings: Option<String>,
    pub correction: Option<String>,
    pub checked_by: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
}

fn case_view(c: AuditedCase) -> AuditedCaseView {
    AuditedCaseView {
        case_id: c.case_id,
        number: c.number,
        checks: c.checks,
        verdict: c.verdict,
        findings: c.findings,
        correction: c.correction,
        checked_by: c.checked_by,
        checked_at: c.checked_at,
    }
}

#[derive(Serialize, ToSchema)]
pub struct AuditDetail {
    #[serde(flatten)]
    pub audit: AuditView,
    pub cases: Vec<AuditedCaseView>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DrawBody {
    /// First day (the shop's zone), e.g. 2026-11-01.
    pub from: String,
    /// Last day, included.
    pub to: String,
    /// 1–200.
    pub size: u32,
    /// To redraw a sample: the seed it was drawn with.
    pub seed: Option<i64>,
}

async fn detail(state: &AppState, caller: &kesu_store::User, id: i64) -> ApiResult<AuditDetail> {
    let (audit, cases) = kesu_app::records_audit::show(&state.store, caller, id).await?;
    Ok(AuditDetail {
        audit: audit_view(audit),
        cases: cases.into_iter().map(case_view).collect(),
    })
}

/// Draws a sample of the closed cases received in the period (auditors, admins).
#[utoipa::path(post, path = "/api/v1/records-audits", tag = "audit", security(("bearer" = [])),
    request_body = DrawBody,
    responses((status = 201, body = AuditDetail), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub(super) async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<AuditDetail>)> {
    let body: DrawBody = from_value(body)?;
    let period = Period::parse(Some(&body.from), Some(&body.to), state.zone().await)
        .map_err(ApiError::Invalid)?;
    let (from, to) = period.bounds();
    let request = DrawRequest {
        from,
        to,
        size: body.size,
        seed: body.seed,
    };
    let now = state.clock.now();
    let id = kesu_app::records_audit::draw_sample(&state.store, &caller, &request, now).await?;
    Ok((
        StatusCode::CREATED,
        Json(detail(&state, &caller, id).await?),
    ))
}

/// Every records audit, newest first (auditors, admins).
#[utoipa::path(get, path = "/api/v1/records-audits", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Vec<AuditView>), (status = 403, body = crate::error::Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<AuditView>>> {
    let audits = kesu_app::records_audit::list(&state.store, &caller).await?;
    Ok(Json(audits.into_iter().map(audit_view).collect()))
}

/// One records audit with its sampled cases and their checklists (auditors, admins).
#[utoipa::path(get, path = "/api/v1/records-audits/{id}", tag = "audit", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = AuditDetail), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub(super) async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AuditDetail>> {
    let id = kesu_app::id_in_path(&id, "records audit")?;
    Ok(Json(detail(&state, &caller, id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerdictBody {
    /// `pass` or `fail`.
    pub verdict: String,
    /// What was wrong (required when the case fails).
    pub findings: Option<String>,
    /// The correction asked for, and of whom.
    pub correction: Option<String>,
}

/// Records the auditor's verdict, findings and correction on a sampled case.
#[utoipa::path(put, path = "/api/v1/records-audits/{id}/cases/{case_id}", tag = "audit",
    security(("bearer" = [])), params(("id" = i64, Path), ("case_id" = i64, Path)),
    request_body = VerdictBody,
    responses((status = 200, body = AuditDetail), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn record(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((id, case_id)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<AuditDetail>> {
    let id = kesu_app::id_in_path(&id, "records audit")?;
    let case_id = kesu_app::cases::case_id(&case_id)?;
    let body: VerdictBody = from_value(body)?;
    let verdict = Verdict {
        verdict: body.verdict,
        findings: body.findings,
        correction: body.correction,
    };
    let now = state.clock.now();
    kesu_app::records_audit::record(&state.store, &caller, id, case_id, &verdict, now).await?;
    Ok(Json(detail(&state, &caller, id).await?))
}
