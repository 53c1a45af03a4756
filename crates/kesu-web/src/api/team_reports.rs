//! Per-agent figures and the cases behind any figure (README, "Per-agent figures").

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use kesu_domain::report::Figure;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::Caller;
use crate::report_params::ReportParams;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/agents", get(agents))
        .route("/reports/drill", get(drill))
}

/// One agent's figures, or the desk's (`agent` "").
#[derive(Serialize, ToSchema)]
pub struct AgentRow {
    pub agent: String,
    /// Cases received in the period and owned by the agent (the workload).
    pub cases: u64,
    pub open: u64,
    pub closed: u64,
    /// Share satisfied of those followed up (0–1).
    pub satisfied_share: Option<f64>,
    pub followed_up: u64,
    pub average_rating: Option<f64>,
    /// Share with every deadline met of those with a deadline met or missed (0–1).
    pub deadlines_met: Option<f64>,
    pub with_deadline: u64,
    /// Average quality-check score (0–100).
    pub quality_score: Option<u32>,
    pub quality_checks: u32,
    pub reopen_rate: Option<f64>,
    pub reopened: u64,
}

impl From<kesu_app::reports::agents::AgentFigures> for AgentRow {
    fn from(a: kesu_app::reports::agents::AgentFigures) -> Self {
        AgentRow {
            agent: a.agent,
            cases: a.cases,
            open: a.open,
            closed: a.closed,
            satisfied_share: a.satisfied_share,
            followed_up: a.followed_up,
            average_rating: a.average_rating,
            deadlines_met: a.deadlines_met,
            with_deadline: a.with_deadline,
            quality_score: a.quality_score,
            quality_checks: a.quality_checks,
            reopen_rate: a.reopen_rate,
            reopened: a.reopened,
        }
    }
}

/// Every agent's figures and the desk's.
#[derive(Serialize, ToSchema)]
pub struct AgentsView {
    pub agents: Vec<AgentRow>,
    pub team: AgentRow,
}

/// Per-agent figures over the cases received between `from` and `to` (the last 30 days by
/// default); supervisors, admins and auditors see everyone, others themselves.
#[utoipa::path(get, path = "/api/v1/reports/agents", tag = "reports", security(("bearer" = [])),
    params(ReportParams),
    responses((status = 200, body = AgentsView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn agents(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ReportParams>,
) -> ApiResult<Json<AgentsView>> {
    let zone = state.zone().await;
    let now = state.clock.now();
    let q = params.or_last_30_days(now, zone).query(zone, now)?;
    let (rows, team) =
        kesu_app::reports::agents::agents(&state.store, &state.reports, &caller, q).await?;
    Ok(Json(AgentsView {
        agents: rows.into_iter().map(Into::into).collect(),
        team: team.into(),
    }))
}

/// The report's filters and the figure whose cases to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DrillParams {
    /// `cases`, `open`, `followed_up`, `unsatisfied`, `with_deadline`, `deadline_missed`,
    /// `reopened` (required).
    pub figure: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub carrier: Option<String>,
    pub product: Option<String>,
    pub shop: Option<String>,
    pub assignee: Option<String>,
}

/// A case behind a figure.
#[derive(Serialize, ToSchema)]
pub struct DrillCase {
    pub id: i64,
    pub number: String,
    pub status: kesu_domain::CaseStatus,
    pub category: kesu_domain::codes::Category,
    pub assignee: Option<String>,
    pub received_at: chrono::DateTime<chrono::Utc>,
}

/// The cases a figure counts.
#[derive(Serialize, ToSchema)]
pub struct DrillView {
    pub figure: Figure,
    /// How many in all; `cases` holds the first 500, oldest first.
    pub total: usize,
    pub cases: Vec<DrillCase>,
}

/// The cases behind a figure: those the report's filters select that the figure counts.
#[utoipa::path(get, path = "/api/v1/reports/drill", tag = "reports", security(("bearer" = [])),
    params(DrillParams),
    responses((status = 200, body = DrillView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn drill(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(p): Query<DrillParams>,
) -> ApiResult<Json<DrillView>> {
    let figure = p.figure.as_deref().and_then(Figure::parse).ok_or_else(|| {
        ApiError::from(kesu_domain::FieldError::new(
            "figure",
            kesu_domain::Problem::NotOneOf {
                allowed: Figure::ALL.map(|f| f.code()).join(", "),
            },
        ))
    })?;
    let params = ReportParams {
        from: p.from,
        to: p.to,
        channel: p.channel,
        category: p.category,
        department: p.department,
        carrier: p.carrier,
        product: p.product,
        shop: p.shop,
        assignee: p.assignee,
    };
    let zone = state.zone().await;
    let now = state.clock.now();
    let q = params.or_last_30_days(now, zone).query(zone, now)?;
    let (records, total) =
        kesu_app::reports::agents::drill(&state.store, &state.reports, &caller, q, figure).await?;
    Ok(Json(DrillView {
        figure,
        total,
        cases: records
            .iter()
            .map(|r| DrillCase {
                id: r.case.id,
                number: r.case.number.clone(),
                status: r.case.status,
                category: r.case.category,
                assignee: r.case.assignee.clone(),
                received_at: r.case.received_at,
            })
            .collect(),
    }))
}
