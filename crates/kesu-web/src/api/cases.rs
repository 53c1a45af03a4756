//! Complaint cases: registration, reading, listing, history and the lifecycle actions.

use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use kesu_domain::codes::{Category, Channel, DepartmentCode};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::CaseStatus;
use kesu_store::{CaseFilter, HistoryEntry, Page};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::views::CaseView;
use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases", post(create).get(list))
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/events", get(events))
        .route("/cases/{id}/actions", post(act))
}

/// Largest page the list returns.
const MAX_PAGE_SIZE: u32 = 200;

/// Registers a complaint (agents, supervisors, admins). With an `Idempotency-Key` header a
/// repeated request returns the first case (header `Idempotent-Replayed: true`) and creates nothing.
#[utoipa::path(post, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    request_body = RegistrationForm,
    params(("Idempotency-Key" = Option<String>, Header, description = "makes retries safe: 1–200 visible ASCII characters")),
    responses((status = 201, body = CaseView), (status = 400, body = crate::error::Problem),
              (status = 403, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    headers: HeaderMap,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Response> {
    let key = idempotency_key(&headers)?;
    let form: RegistrationForm = from_value(body)?;
    let now = state.clock.now();
    let kesu_app::register::Registered { record, created } =
        kesu_app::register::register(&state.store, &caller, form, key.as_deref(), now).await?;
    let location = format!("/api/v1/cases/{}", record.case.id);
    let mut response = (
        StatusCode::CREATED,
        Json(CaseView::new(record, &caller, now)),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    if !created {
        response
            .headers_mut()
            .insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    Ok(response)
}

fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or("").trim();
    if key.is_empty() || key.len() > 200 || !key.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::BadRequest(
            "the Idempotency-Key header must be 1–200 visible ASCII characters".into(),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// One case, with personal data masked unless the caller's role needs it.
#[utoipa::path(get, path = "/api/v1/cases/{id}", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = crate::error::Problem)))]
async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<CaseView>> {
    let record = state.visible_case(&caller, &id).await?;
    let order = match &record.case.order_no {
        Some(no) => state.store.order(no).await?,
        None => None,
    };
    let attachments = state.store.attachments(record.case.id).await?;
    let mut view = CaseView::new(record, &caller, state.clock.now());
    view.order = order.map(|o| super::orders::OrderView::new(o, &caller));
    view.attachments = Some(attachments.into_iter().map(Into::into).collect());
    Ok(Json(view))
}

/// A history entry: what happened, who did it and when.
#[derive(Serialize, ToSchema)]
pub struct EventView {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    /// `staff`, `customer` or `system` (kesu's own timers and monitors).
    pub actor_kind: kesu_domain::ActorKind,
    pub action: String,
    #[schema(value_type = Object)]
    pub data: Value,
}

impl From<HistoryEntry> for EventView {
    fn from(h: HistoryEntry) -> Self {
        EventView {
            seq: h.seq,
            at: h.at,
            actor: h.author.name().to_owned(),
            actor_kind: h.author.kind(),
            action: h.entry.action().to_owned(),
            data: h.entry.data(),
        }
    }
}

/// The case history, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/events", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EventView>), (status = 404, body = crate::error::Problem)))]
async fn events(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<EventView>>> {
    let record = state.visible_case(&caller, &id).await?;
    let history = state.store.history(record.case.id).await?;
    Ok(Json(history.into_iter().map(EventView::from).collect()))
}

/// `{"action": NAME, "version": N, …fields}`: see the table in docs/interface.md §4.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ActionRequest {
    /// judge, route, analyse, propose, choose, approve, reject, execute, follow_up, close,
    /// assign, comment; and the steps of refund flows: confirm_not_shipped, cancel_order,
    /// track_parcel, parcel_back, return_shipped, receive_return, inspect, restock, refund,
    /// ship_replacement (the case's `allowed_actions` names the next one).
    action: String,
    /// The case version the caller saw.
    version: i64,
    valid: Option<bool>,
    reason: Option<String>,
    department: Option<String>,
    liability: Option<kesu_domain::codes::Liability>,
    root_cause: Option<kesu_domain::codes::RootCause>,
    findings: Option<String>,
    options: Option<Vec<kesu_domain::case::ResolutionOption>>,
    option: Option<usize>,
    comment: Option<String>,
    note: Option<String>,
    satisfied: Option<bool>,
    rating: Option<u8>,
    summary: Option<String>,
    lessons: Option<String>,
    user: Option<String>,
    text: Option<String>,
    internal: Option<bool>,
    /// Steps: parcel status (track_parcel).
    status: Option<String>,
    /// Steps: intercepted, refused or returned (parcel_back).
    outcome: Option<kesu_domain::fulfilment::ParcelOutcome>,
    /// Steps: carrier and tracking number (return_shipped, ship_replacement).
    carrier: Option<String>,
    tracking_no: Option<String>,
    /// Steps: inspection result pass, partial or fail (inspect).
    result: Option<kesu_domain::fulfilment::Inspection>,
    /// Steps: accepted units (inspect, partial) or units shipped (ship_replacement).
    lines: Option<Vec<kesu_domain::refund::RequestedLine>>,
    spec_matches: Option<bool>,
    photos: Option<Vec<String>>,
    /// Steps: how the money goes back (refund); default `original`.
    method: Option<String>,
    /// Steps: the warehouse has the goods back and states the inspection's `result`
    /// (parcel_back; department or supervisor).
    received: Option<bool>,
    /// Steps: a supervisor goes on without the goods' proof, and says why (parcel_back,
    /// receive_return).
    override_reason: Option<String>,
}

/// Takes one lifecycle action. 409 for a stale version or an action not allowed now
/// (naming the allowed ones), 403 for a role not allowed, 422 for bad fields.
#[utoipa::path(post, path = "/api/v1/cases/{id}/actions", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ActionRequest,
    responses((status = 200, body = CaseView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn act(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<CaseView>> {
    let now = state.clock.now();
    let request = kesu_app::cases::ActionRequest::from_json(body)?;
    let id = kesu_app::cases::case_id(&id)?;
    let record = kesu_app::cases::act_on(&state.store, &caller.actor(), id, request, now).await?;
    Ok(Json(CaseView::new(record, &caller, now)))
}

/// A page of cases.
#[derive(Serialize, ToSchema)]
pub struct CaseList {
    pub items: Vec<CaseView>,
    pub total: i64,
    pub page: u32,
    pub per_page: u32,
}

/// Lists cases, newest first. Filters: status, category, channel, department, assignee,
/// overdue (true/false), q (number, order or tracking number, description; names and
/// phones for roles that may see them), page (1–10,000), per_page (1–200, default 50).
#[utoipa::path(get, path = "/api/v1/cases", tag = "cases", security(("bearer" = [])),
    params(
        ("status" = Option<CaseStatus>, Query), ("category" = Option<Category>, Query),
        ("channel" = Option<Channel>, Query), ("department" = Option<String>, Query),
        ("assignee" = Option<String>, Query), ("overdue" = Option<bool>, Query),
        ("q" = Option<String>, Query), ("page" = Option<u32>, Query, minimum = 1, maximum = 10000),
        ("per_page" = Option<u32>, Query, minimum = 1, maximum = 200)),
    responses((status = 200, body = CaseList), (status = 422, body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Query(params): Query<Vec<(String, String)>>,
) -> ApiResult<Json<CaseList>> {
    let now = state.clock.now();
    let (mut filter, page) = parse_list_query(&params)?;
    filter.now = Some(now);
    filter.search_personal_data = caller.role.sees_personal_data();
    // Department users work on their own department's cases only.
    match caller.actor().scope().narrow(filter.department.take()) {
        Ok(department) => filter.department = department,
        Err(_) => {
            return Ok(Json(CaseList {
                items: vec![],
                total: 0,
                page: page.number,
                per_page: page.size,
            }))
        }
    }
    let (items, total) = crate::search::list_cases(&state, &filter, page).await?;
    Ok(Json(CaseList {
        items: items
            .into_iter()
            .map(|r| CaseView::new(r, &caller, now))
            .collect(),
        total,
        page: page.number,
        per_page: page.size,
    }))
}

fn parse_list_query(params: &[(String, String)]) -> ApiResult<(CaseFilter, Page)> {
    let mut filter = CaseFilter::default();
    let mut page = Page {
        number: 1,
        size: 50,
    };
    let mut errors = Vec::new();
    let mut bad = |field: &str, msg: String| {
        errors.push(kesu_domain::FieldError::explained(
            field,
            kesu_domain::Problem::Format,
            msg,
        ))
    };
    for (key, value) in params {
        let v = value.trim();
        if v.is_empty() {
            continue;
        }
        match key.as_str() {
            "status" => match CaseStatus::parse(v) {
                Some(s) => filter.status = Some(s),
                None => bad(
                    "status",
                    format!(
                        "unknown status `{v}`; use one of {}",
                        codes(CaseStatus::ALL.iter().map(|s| s.code()))
                    ),
                ),
            },
            "category" => match Category::parse(v) {
                Some(c) => filter.category = Some(c),
                None => bad(
                    "category",
                    format!(
                        "unknown category `{v}`; use one of {}",
                        codes(Category::ALL.iter().map(|c| c.code()))
                    ),
                ),
            },
            "channel" => match Channel::parse(v) {
                Some(c) => filter.channel = Some(c),
                None => bad(
                    "channel",
                    format!(
                        "unknown channel `{v}`; use one of {}",
                        codes(Channel::ALL.iter().map(|c| c.code()))
                    ),
                ),
            },
            "department" => match DepartmentCode::parse(v) {
                Ok(d) => filter.department = Some(d),
                Err(m) => bad("department", m),
            },
            "assignee" => filter.assignee = Some(v.to_owned()),
            "overdue" => match v {
                "true" | "1" => filter.overdue = Some(true),
                "false" | "0" => filter.overdue = Some(false),
                _ => bad("overdue", "must be true or false".into()),
            },
            "q" => filter.q = Some(v.chars().take(100).collect()),
            "page" => match v.parse::<u32>() {
                Ok(n) if (1..=crate::search::MAX_PAGE).contains(&n) => page.number = n,
                _ => bad(
                    "page",
                    format!(
                        "must be a whole number from 1 to {}",
                        crate::search::MAX_PAGE
                    ),
                ),
            },
            "per_page" => match v.parse::<u32>() {
                Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => page.size = n,
                _ => bad("per_page", format!("must be from 1 to {MAX_PAGE_SIZE}")),
            },
            other => bad(other, "is not a filter of this list".into()),
        }
    }
    if errors.is_empty() {
        Ok((filter, page))
    } else {
        Err(ApiError::Invalid(errors))
    }
}

fn codes<'a>(codes: impl Iterator<Item = &'a str>) -> String {
    codes.collect::<Vec<_>>().join(", ")
}
