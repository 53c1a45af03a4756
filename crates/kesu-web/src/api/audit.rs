//! The audit trail over the API (issue 21): auditors and admins read it, filtered by case,
//! person, kind and period, and export it; the chain's head comes with every page.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::export::{self, Format, Table};
use crate::extract::Caller;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(list))
        .route("/audit/export", get(export_trail))
}

/// One entry of the trail.
#[derive(Serialize, ToSchema)]
pub struct TrailEntryView {
    /// Its place in the chain, from 1.
    pub index: i64,
    pub at: DateTime<Utc>,
    /// `case.<action>` for a case's history; otherwise `sign_in.failed`, `user.changed`,
    /// `policy.changed`, `export`…
    pub kind: String,
    pub actor: String,
    pub case_id: Option<i64>,
    pub case_number: Option<String>,
    /// What the event recorded (never a customer's personal data); null for history.
    #[schema(value_type = Option<Object>)]
    pub detail: serde_json::Value,
    /// The entry's hash in the chain (hex SHA-256).
    pub hash: String,
}

/// The chain's length and last hash: write it down (or `kesu audit head --append`) and a
/// later `kesu audit verify --anchor N:HASH` proves nothing before it was rewritten.
#[derive(Serialize, ToSchema)]
pub struct HeadView {
    pub entries: i64,
    pub hash: String,
}

#[derive(Serialize, ToSchema)]
pub struct TrailPage {
    pub items: Vec<TrailEntryView>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
    pub head: HeadView,
}

fn view(e: kesu_store::TrailEntry) -> TrailEntryView {
    TrailEntryView {
        index: e.index,
        at: e.at,
        kind: e.kind,
        actor: e.actor,
        case_id: e.case_id,
        case_number: e.case_number,
        detail: e.detail,
        hash: e.hash,
    }
}

/// The audit trail, newest first (auditors, admins). Filters: case (number or id), actor,
/// kind (a code or a family ending in `.`: `sign_in.`, `case.`…), from/to (days, the
/// shop's zone), page, per_page (1–200).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])),
    params(("case" = Option<String>, Query), ("actor" = Option<String>, Query),
        ("kind" = Option<String>, Query), ("from" = Option<String>, Query),
        ("to" = Option<String>, Query), ("page" = Option<u32>, Query, minimum = 1, maximum = 10000),
        ("per_page" = Option<u32>, Query, minimum = 1, maximum = 200)),
    responses((status = 200, body = TrailPage), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<TrailPage>> {
    let q = crate::trail_params::parse(&state.store, state.zone().await, &params).await?;
    let trail = kesu_app::audit::trail(&state.store, &caller, &q.filter, q.page).await?;
    Ok(Json(TrailPage {
        items: trail.entries.into_iter().map(view).collect(),
        total: trail.total,
        page: q.page.number,
        per_page: q.page.size,
        head: HeadView {
            entries: trail.head_entries,
            hash: trail.head_hash,
        },
    }))
}

/// The trail as a file: what `filter` selects, newest first, up to 100,000 entries; the
/// export itself is recorded in the trail.
pub async fn trail_file(
    state: &AppState,
    caller: &kesu_store::User,
    params: &[(String, String)],
) -> ApiResult<Response> {
    let format_raw = params
        .iter()
        .find(|(k, _)| k == "format")
        .map(|(_, v)| v.as_str());
    let format = Format::parse(format_raw)?;
    let zone = state.zone().await;
    let q = crate::trail_params::parse(&state.store, zone, params).await?;
    let entries = kesu_app::audit::export(
        &state.store,
        caller,
        &q.filter,
        format.extension(),
        state.clock.now(),
    )
    .await?;
    let table = Table {
        title: "audit trail",
        header: vec!["index", "time", "kind", "actor", "case", "detail", "hash"],
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    e.index.to_string(),
                    e.at.with_timezone(&zone)
                        .format("%Y-%m-%d %H:%M:%S")
                        .to_string(),
                    e.kind.clone(),
                    e.actor.clone(),
                    e.case_number.clone().unwrap_or_default(),
                    if e.detail.is_null() {
                        String::new()
                    } else {
                        e.detail.to_string()
                    },
                    e.hash.clone(),
                ]
            })
            .collect(),
    };
    let body = export::render(&[table], &format)?;
    Ok(super::reports::file(&format, "kesu-audit-trail", body))
}

/// The trail as CSV (default) or XLSX (`format=xlsx`), with the same filters as the list.
#[utoipa::path(get, path = "/api/v1/audit/export", tag = "audit", security(("bearer" = [])),
    params(("format" = Option<String>, Query, description = "csv or xlsx")),
    responses((status = 200, description = "the file"), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub(super) async fn export_trail(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Response> {
    trail_file(&state, &caller, &params).await
}
