//! Accountability over the API (issue 21): supervisors and admins record it on a case; they
//! and auditors read it, with the case's missed deadlines and whoever held it then, and the
//! report per person and department over a period. 403 to everyone else.

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_domain::accountability::{
    AccountabilityRequest, Delay, Holder, Party, PartyTotals, Penalty,
};
use kesu_domain::report::Period;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/accountability", get(show).put(record))
        .route("/reports/accountability", get(report))
}

/// One party held responsible: `staff` (a username) or `department` (a code).
#[derive(Serialize, ToSchema)]
pub struct PartyView {
    pub staff: Option<String>,
    pub department: Option<String>,
    /// `{"kind": "warning"}`, `{"kind": "pay_share", "percent": 5}` or
    /// `{"kind": "amount", "cents": 5000}`.
    #[schema(value_type = Object)]
    pub penalty: Penalty,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordedView {
    pub loss_cents: i64,
    pub parties: Vec<PartyView>,
    pub note: Option<String>,
    pub recorded_by: String,
    pub recorded_at: DateTime<Utc>,
    /// 1 when first recorded, then one more at each change (every version is in the trail).
    pub version: i64,
}

/// A deadline that passed, and who held the case then: a `staff` username, a `department`,
/// or neither (the service desk's queue).
#[derive(Serialize, ToSchema)]
pub struct DelayView {
    /// `first_response`, `step`, `resolution` or `platform`.
    pub clock: String,
    pub deadline: DateTime<Utc>,
    pub staff: Option<String>,
    pub department: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct AccountabilityView {
    /// Null until a supervisor records it.
    pub recorded: Option<RecordedView>,
    pub delays: Vec<DelayView>,
}

fn delay_view(d: Delay) -> DelayView {
    let (staff, department) = match d.holder {
        Holder::Staff(s) => (Some(s), None),
        Holder::Department(dep) => (None, Some(dep.as_str().to_owned())),
        Holder::Desk => (None, None),
    };
    DelayView {
        clock: d.clock.code().to_owned(),
        deadline: d.deadline,
        staff,
        department,
    }
}

fn view(c: kesu_app::accountability::CaseAccountability) -> AccountabilityView {
    AccountabilityView {
        recorded: c.recorded.map(|r| RecordedView {
            loss_cents: r.accountability.loss_cents,
            parties: r
                .accountability
                .parties
                .into_iter()
                .map(|p| {
                    let (staff, department) = match p.party {
                        Party::Staff(s) => (Some(s), None),
                        Party::Department(d) => (None, Some(d.as_str().to_owned())),
                    };
                    PartyView {
                        staff,
                        department,
                        penalty: p.penalty,
                        reason: p.reason,
                    }
                })
                .collect(),
            note: r.accountability.note,
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
            version: r.version,
        }),
        delays: c.delays.into_iter().map(delay_view).collect(),
    }
}

/// A case's accountability and its missed deadlines (supervisors, admins, auditors).
#[utoipa::path(get, path = "/api/v1/cases/{id}/accountability", tag = "accountability",
    security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = AccountabilityView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
pub(super) async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<AccountabilityView>> {
    let id = kesu_app::cases::case_id(&id)?;
    Ok(Json(view(
        kesu_app::accountability::show(&state.store, &caller, id).await?,
    )))
}

/// What a supervisor records: the loss, and each party with its penalty and reason.
#[derive(Deserialize, ToSchema)]
pub struct AccountabilityBody {
    #[schema(minimum = 0)]
    pub loss_cents: i64,
    /// `[{"staff": "amy" | "department": "logistics", "penalty": {"kind": "warning" |
    /// "pay_share" (with "percent": 1–100) | "amount" (with "cents")}, "reason": "…"}]`
    #[schema(value_type = Vec<Object>)]
    pub parties: Vec<serde_json::Value>,
    pub note: Option<String>,
}

/// Records who was responsible for the case (supervisors, admins); replaces what was
/// recorded before (every version stays in the audit trail).
#[utoipa::path(put, path = "/api/v1/cases/{id}/accountability", tag = "accountability",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = AccountabilityBody,
    responses((status = 200, body = AccountabilityView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn record(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<AccountabilityView>> {
    let id = kesu_app::cases::case_id(&id)?;
    let request: AccountabilityRequest = from_value(body)?;
    let now = state.clock.now();
    Ok(Json(view(
        kesu_app::accountability::record(&state.store, &caller, id, request, now).await?,
    )))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodParams {
    /// First day (the shop's zone), e.g. 2026-12-01.
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct PartyRow {
    /// `staff`, `department`, or `desk` (missed while nobody held the case).
    pub kind: String,
    pub name: String,
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub totals: PartyTotals,
}

#[derive(Serialize, ToSchema)]
pub struct AccountabilityReport {
    pub from: String,
    pub to: String,
    pub rows: Vec<PartyRow>,
}

/// Per person and department over a period: cases they were held responsible for, their
/// losses, warnings, pay shares and amounts deducted, and deadlines missed while they held
/// a case (supervisors, admins, auditors).
#[utoipa::path(get, path = "/api/v1/reports/accountability", tag = "accountability",
    security(("bearer" = [])), params(PeriodParams),
    responses((status = 200, body = AccountabilityReport), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub(super) async fn report(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(p): Query<PeriodParams>,
) -> ApiResult<Json<AccountabilityReport>> {
    let period = Period::parse(p.from.as_deref(), p.to.as_deref(), state.zone().await)
        .map_err(ApiError::Invalid)?;
    let (from, to) = period.bounds();
    let totals = kesu_app::accountability::report(&state.store, &caller, from, to).await?;
    let rows = totals
        .into_iter()
        .map(|(key, totals)| {
            let (kind, name) = key.split_once(':').unwrap_or(("desk", ""));
            PartyRow {
                kind: kind.to_owned(),
                name: name.to_owned(),
                totals,
            }
        })
        .collect();
    Ok(Json(AccountabilityReport {
        from: period.from.to_string(),
        to: period.to.to_string(),
        rows,
    }))
}
