//! Reports (docs/interface.md §7): the summary, the dashboard's data, their export, the complaint
//! register for audits, and the shops' daily order counts behind the complaint rate.

use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use kesu_domain::error::Problem;
use kesu_domain::report::MAX_DAILY_ORDERS;
use kesu_domain::report::{Report, ReportQuery, Summary};
use kesu_domain::FieldError;
use kesu_store::User;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::export::{self, Format};
use crate::extract::{ApiJson, Caller};
use crate::report_params::ReportParams;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/summary", get(summary))
        .route("/reports/dashboard", get(dashboard))
        .route("/reports/export", get(export_dashboard))
        .route("/reports/register", get(export_register))
        .route("/shops/{shop}/order-counts", put(put_order_counts))
}

/// The query of `params`, in the shop's zone, as of now.
async fn query_for(state: &AppState, params: &ReportParams) -> ApiResult<ReportQuery> {
    params.query(state.zone().await, state.clock.now())
}

/// The dashboard for `user` (department users: their department only).
pub async fn dashboard_for(
    state: &AppState,
    user: &User,
    params: &ReportParams,
) -> ApiResult<Report> {
    let q = query_for(state, params).await?;
    Ok(kesu_app::reports::dashboard(&state.store, &state.reports, user, q).await?)
}

/// A file download.
pub fn file(format: &Format, name: &str, body: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, format.content_type().to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.{}\"", format.extension()),
            ),
        ],
        body,
    )
        .into_response()
}

/// docs/interface.md §7: cases received between `from` and `to` (shop-local days, included).
#[utoipa::path(get, path = "/api/v1/reports/summary", tag = "reports", security(("bearer" = [])),
    params(ReportParams),
    responses((status = 200, body = Summary), (status = 422, body = crate::error::Problem)))]
async fn summary(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ReportParams>,
) -> ApiResult<Json<Summary>> {
    let q = query_for(&state, &params).await?;
    let summary = kesu_app::reports::summary(&state.store, &state.reports, &caller, q).await?;
    Ok(Json(summary))
}

/// Everything the dashboard shows: the summary and the previous period's, the timeline,
/// breakdowns by department, carrier, product and shop, Pareto of causes and liability, workload.
#[utoipa::path(get, path = "/api/v1/reports/dashboard", tag = "reports", security(("bearer" = [])),
    params(ReportParams),
    responses((status = 200, body = Report), (status = 422, body = crate::error::Problem)))]
async fn dashboard(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ReportParams>,
) -> ApiResult<Json<Report>> {
    Ok(Json(dashboard_for(&state, &caller, &params).await?))
}

#[derive(Deserialize)]
struct FormatParam {
    format: Option<String>,
}

/// The dashboard's tables as a CSV or XLSX file.
pub async fn report_file(
    state: &AppState,
    user: &User,
    params: &ReportParams,
    format: Option<&str>,
) -> ApiResult<Response> {
    let format = Format::parse(format)?;
    let report = dashboard_for(state, user, params).await?;
    let body = export::render(&export::report_tables(&report), &format)?;
    let name = format!("kesu-report-{}-{}", report.summary.from, report.summary.to);
    let detail = serde_json::json!({
        "what": "report", "from": report.summary.from, "to": report.summary.to,
        "format": format.extension(),
    });
    record_export(state, user, detail).await?;
    Ok(file(&format, &name, body))
}

/// The complaint register of a period as a CSV or XLSX file, masked for `user`'s role.
pub async fn register_file(
    state: &AppState,
    user: &User,
    params: &ReportParams,
    format: Option<&str>,
) -> ApiResult<Response> {
    let format = Format::parse(format)?;
    let q = query_for(state, params).await?;
    let register = kesu_app::reports::register(&state.store, &state.reports, user, q).await?;
    let table = export::register_table(&register.records, register.unmasked, state.zone().await);
    let body = export::render(&[table], &format)?;
    let name = format!(
        "kesu-register-{}-{}",
        params.from.as_deref().unwrap_or(""),
        params.to.as_deref().unwrap_or("")
    );
    let detail = serde_json::json!({
        "what": "register", "from": params.from, "to": params.to,
        "format": format.extension(), "cases": register.records.len(),
        "unmasked": register.unmasked,
    });
    record_export(state, user, detail).await?;
    Ok(file(&format, &name, body))
}

/// An export is in the audit trail before the file leaves: who, what, which period.
async fn record_export(state: &AppState, user: &User, detail: serde_json::Value) -> ApiResult<()> {
    let event = kesu_store::AuditEvent::new(
        kesu_domain::audit_kind::AuditKind::Export,
        &user.username,
        detail,
    );
    state.store.record_audit(state.clock.now(), &event).await?;
    Ok(())
}

/// The dashboard's tables as CSV (default) or XLSX (`format=xlsx`).
#[utoipa::path(get, path = "/api/v1/reports/export", tag = "reports", security(("bearer" = [])),
    params(ReportParams, ("format" = Option<String>, Query, description = "csv or xlsx")),
    responses((status = 200, description = "the file"), (status = 422, body = crate::error::Problem)))]
async fn export_dashboard(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ReportParams>,
    Query(f): Query<FormatParam>,
) -> ApiResult<Response> {
    report_file(&state, &caller, &params, f.format.as_deref()).await
}

/// The complaint register (投诉登记表) of the period: every field of every case; names,
/// phones and e-mails masked unless the caller's role may see them.
#[utoipa::path(get, path = "/api/v1/reports/register", tag = "reports", security(("bearer" = [])),
    params(ReportParams, ("format" = Option<String>, Query, description = "csv or xlsx")),
    responses((status = 200, description = "the file"), (status = 422, body = crate::error::Problem)))]
async fn export_register(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<ReportParams>,
    Query(f): Query<FormatParam>,
) -> ApiResult<Response> {
    register_file(&state, &caller, &params, f.format.as_deref()).await
}

/// Orders a shop took on one day, as its platform's back office reports them.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DayCount {
    pub day: NaiveDate,
    #[schema(minimum = 0, maximum = 100_000_000)]
    pub orders: i64,
}

/// Records a shop's daily order counts (supervisors, admins): the complaint rate uses them
/// for the days they cover instead of the orders stored in kesu.
#[utoipa::path(put, path = "/api/v1/shops/{shop}/order-counts", tag = "reports", security(("bearer" = [])),
    params(("shop" = String, Path)), request_body = Vec<DayCount>,
    responses((status = 204), (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn put_order_counts(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(shop): Path<String>,
    ApiJson(days): ApiJson<Vec<DayCount>>,
) -> ApiResult<StatusCode> {
    if !matches!(
        caller.role,
        kesu_domain::Role::Supervisor | kesu_domain::Role::Admin
    ) {
        return Err(ApiError::Forbidden(format!(
            "only supervisors and admins record order counts; you are {}",
            caller.role
        )));
    }
    let shop = shop.trim().to_owned();
    let mut errors = Vec::new();
    if shop.is_empty() || shop.chars().count() > 100 {
        errors.push(FieldError::new(
            "shop",
            Problem::Length { min: 1, max: 100 },
        ));
    }
    for (i, d) in days.iter().enumerate() {
        if !(0..=MAX_DAILY_ORDERS).contains(&d.orders) {
            errors.push(FieldError::new(
                &format!("[{i}].orders"),
                Problem::Range {
                    min: 0,
                    max: MAX_DAILY_ORDERS,
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let rows: Vec<(String, NaiveDate, i64)> = days
        .iter()
        .map(|d| (shop.clone(), d.day, d.orders))
        .collect();
    state.store.put_shop_order_counts(&rows).await?;
    Ok(StatusCode::NO_CONTENT)
}
