//! Customers' personal-data requests over the API (PIPL Art. 45 and 47), admins only. The
//! person is named in the body (a phone, an e-mail or an order), never in the URL, so it
//! reaches no access log.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use kesu_domain::erasure::PersonQuery;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::export::{self, Format};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/personal-data/search", post(search))
        .route("/personal-data/export", post(export_person))
        .route("/personal-data/erase", post(erase))
        .route("/cases/{id}/reveal", post(reveal))
}

/// Who the request is about: at least one of the three.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonBody {
    pub phone: Option<String>,
    pub email: Option<String>,
    pub order_no: Option<String>,
    /// Export only: `json` (default) or `xlsx`.
    pub format: Option<String>,
    /// Erase only: the request's reference or why (kept in each case's history).
    pub reason: Option<String>,
}

impl PersonBody {
    fn query(&self) -> ApiResult<PersonQuery> {
        PersonQuery::parse(
            self.phone.as_deref(),
            self.email.as_deref(),
            self.order_no.as_deref(),
        )
        .map_err(ApiError::Invalid)
    }
}

/// What kesu holds about the person: their cases and orders.
#[derive(Serialize, ToSchema)]
pub struct PersonFoundView {
    pub cases: Vec<FoundCase>,
    pub orders: Vec<String>,
}

#[derive(Serialize, ToSchema)]
pub struct FoundCase {
    pub id: i64,
    pub number: String,
    pub status: String,
}

/// The cases and orders of the person the body names (admins).
#[utoipa::path(post, path = "/api/v1/personal-data/search", tag = "personal data",
    security(("bearer" = [])), request_body = PersonBody,
    responses((status = 200, body = PersonFoundView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub(super) async fn search(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<PersonFoundView>> {
    let body: PersonBody = from_value(body)?;
    let found = kesu_app::personal_data::find(&state.store, &caller, &body.query()?).await?;
    let mut cases = Vec::with_capacity(found.case_ids.len());
    for record in state.store.cases_by_ids(&found.case_ids).await? {
        cases.push(FoundCase {
            id: record.case.id,
            number: record.case.number,
            status: record.case.status.code().to_owned(),
        });
    }
    Ok(Json(PersonFoundView {
        cases,
        orders: found.order_nos,
    }))
}

/// Everything kesu holds about the person, as JSON (default) or XLSX; the export is in
/// the audit trail (admins).
#[utoipa::path(post, path = "/api/v1/personal-data/export", tag = "personal data",
    security(("bearer" = [])), request_body = PersonBody,
    responses((status = 200, description = "the person's data (JSON or XLSX)"),
              (status = 403, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn export_person(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Response> {
    let body: PersonBody = from_value(body)?;
    person_file(&state, &caller, &body.query()?, body.format.as_deref()).await
}

/// The person's file in `format` (`json` or `xlsx`): shared with the workbench page.
pub async fn person_file(
    state: &AppState,
    caller: &kesu_store::User,
    query: &PersonQuery,
    format: Option<&str>,
) -> ApiResult<Response> {
    let format = format.unwrap_or("json");
    if !matches!(format, "json" | "xlsx") {
        return Err(ApiError::from(kesu_domain::FieldError::explained(
            "format",
            kesu_domain::Problem::NotOneOf {
                allowed: "json, xlsx".into(),
            },
            "the format is json or xlsx",
        )));
    }
    let now = state.clock.now();
    let person = kesu_app::personal_data::export(&state.store, caller, query, format, now).await?;
    if format == "json" {
        let doc = crate::person_file::json_document(&person, caller, now);
        return Ok((
            [(
                axum::http::header::CONTENT_DISPOSITION,
                "attachment; filename=\"kesu-personal-data.json\"",
            )],
            Json(doc),
        )
            .into_response());
    }
    let tables = crate::person_file::tables(&person, state.zone().await);
    let body = export::render(&tables, &Format::Xlsx)?;
    Ok(super::reports::file(
        &Format::Xlsx,
        "kesu-personal-data",
        body,
    ))
}

/// What an erasure rewrote.
#[derive(Serialize, ToSchema)]
pub struct ErasureView {
    /// The numbers of the cases whose customer was erased (none: nothing matched).
    pub cases: Vec<String>,
    pub orders: usize,
    pub attachments: usize,
    pub messages: usize,
}

/// Erases the person: names, phones, e-mails and addresses, in the contact fields and in
/// free text, file names, messages and orders; cases, money and reports stay. Needs a
/// `reason`. The audit chain still verifies afterwards (admins).
#[utoipa::path(post, path = "/api/v1/personal-data/erase", tag = "personal data",
    security(("bearer" = [])), request_body = PersonBody,
    responses((status = 200, body = ErasureView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub(super) async fn erase(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<ErasureView>> {
    let body: PersonBody = from_value(body)?;
    let query = body.query()?;
    let reason = body.reason.unwrap_or_default();
    let done =
        kesu_app::personal_data::erase(&state.store, &caller, &query, &reason, state.clock.now())
            .await?;
    Ok(Json(ErasureView {
        cases: done.cases,
        orders: done.orders,
        attachments: done.attachments,
        messages: done.messages,
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevealBody {
    /// `contact`, `verify_identity`, `shipping` or `third_party`.
    pub reason: Option<String>,
}

/// Shows the case's customer unmasked and records who saw it, when and why (staff whose
/// role may see personal data). The workbench masks them until this is done.
#[utoipa::path(post, path = "/api/v1/cases/{id}/reveal", tag = "personal data",
    security(("bearer" = [])), params(("id" = i64, Path)), request_body = RevealBody,
    responses((status = 200, body = kesu_domain::personal::ComplainantView),
              (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub(super) async fn reveal(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<kesu_domain::personal::ComplainantView>> {
    let id = kesu_app::cases::case_id(&id)?;
    let body: RevealBody = from_value(body)?;
    let reason = kesu_domain::reveal::RevealReason::parse("reason", body.reason.as_deref())?;
    let now = state.clock.now();
    let record = kesu_app::personal_data::reveal(&state.store, &caller, id, reason, now).await?;
    Ok(Json(record.complainant.view(true)))
}
