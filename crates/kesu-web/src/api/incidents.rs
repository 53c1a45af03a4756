//! Problem management (README, "Incidents"): merge duplicates, link related cases, incidents
//! with bulk replies and proposals, spike detection and its settings.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_domain::incident::{IncidentSettings, IncidentStatus};
use kesu_domain::spikes::Dimension;
use kesu_domain::ActionName;
use kesu_store::{CaseRecord, Incident};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/merge", post(merge))
        .route("/cases/{id}/links", post(link).get(links))
        .route("/incidents", post(open).get(list))
        .route("/incidents/detect", post(detect))
        .route("/incidents/settings", get(settings).put(set_settings))
        .route("/incidents/{id}", get(show).patch(update))
        .route("/incidents/{id}/cases", post(add_cases))
        .route("/incidents/{id}/reply", post(reply))
        .route("/incidents/{id}/propose", post(propose))
}

/// A case as an incident or a merge lists it.
#[derive(Serialize, ToSchema)]
pub struct CaseBrief {
    pub id: i64,
    pub number: String,
    pub status: kesu_domain::CaseStatus,
    pub category: kesu_domain::codes::Category,
    pub assignee: Option<String>,
    pub received_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<i64>,
}

impl From<&CaseRecord> for CaseBrief {
    fn from(r: &CaseRecord) -> Self {
        CaseBrief {
            id: r.case.id,
            number: r.case.number.clone(),
            status: r.case.status,
            category: r.case.category,
            assignee: r.case.assignee.clone(),
            received_at: r.case.received_at,
            merged_into: r.case.merged_into,
        }
    }
}

/// Which case a duplicate goes into: its number (KS-…) or id.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeForm {
    pub into: String,
}

/// The duplicate (closed, `merged_into` set) and the case it went into.
#[derive(Serialize, ToSchema)]
pub struct Merged {
    pub duplicate: CaseBrief,
    pub survivor: CaseBrief,
}

/// Merges this case, a duplicate, into another open case of the same customer (same order,
/// phone or e-mail): it closes, both histories say so, its customer link opens the other.
#[utoipa::path(post, path = "/api/v1/cases/{id}/merge", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = MergeForm,
    responses((status = 200, body = Merged), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn merge(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Merged>> {
    let id = kesu_app::id_in_path(&id, "case")?;
    let form: MergeForm = from_value(body)?;
    let (dup, surv) =
        kesu_app::incidents::merge(&state.store, &caller, id, &form.into, state.clock.now())
            .await?;
    Ok(Json(Merged {
        duplicate: (&dup).into(),
        survivor: (&surv).into(),
    }))
}

/// The case to link: its number (KS-…) or id.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkForm {
    pub case: String,
}

/// A linked case.
#[derive(Serialize, ToSchema)]
pub struct LinkView {
    pub case_id: i64,
    pub number: String,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
}

/// Links two related cases (both histories say so); `200` when they were linked already.
#[utoipa::path(post, path = "/api/v1/cases/{id}/links", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = LinkForm,
    responses((status = 201, body = Vec<LinkView>), (status = 200, body = Vec<LinkView>),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn link(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<Vec<LinkView>>)> {
    let id = kesu_app::id_in_path(&id, "case")?;
    let form: LinkForm = from_value(body)?;
    let new =
        kesu_app::incidents::link(&state.store, &caller, id, &form.case, state.clock.now()).await?;
    let list = link_views(&state, id).await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(list)))
}

async fn link_views(state: &AppState, id: i64) -> ApiResult<Vec<LinkView>> {
    Ok(state
        .store
        .linked_cases(id)
        .await?
        .into_iter()
        .map(|l| LinkView {
            case_id: l.case_id,
            number: l.number,
            created_by: l.created_by,
            created_at: l.created_at,
        })
        .collect())
}

/// The cases linked to this one.
#[utoipa::path(get, path = "/api/v1/cases/{id}/links", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LinkView>), (status = 404, body = crate::error::Problem)))]
async fn links(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<LinkView>>> {
    let record = state.visible_case(&caller, &id).await?;
    Ok(Json(link_views(&state, record.case.id).await?))
}

/// An incident.
#[derive(Serialize, ToSchema)]
pub struct IncidentView {
    pub id: i64,
    pub title: String,
    /// What kesu found it by (`sku`, `batch`, `carrier`, `shop`) and the key; absent when
    /// opened by hand.
    pub dimension: Option<Dimension>,
    pub key: Option<String>,
    pub status: IncidentStatus,
    pub detected: bool,
    pub improvement_id: Option<i64>,
    /// When it reached the admin for its wide impact.
    pub escalated_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub case_ids: Vec<i64>,
}

impl From<Incident> for IncidentView {
    fn from(i: Incident) -> Self {
        IncidentView {
            id: i.id,
            title: i.title,
            dimension: i.dimension,
            key: i.key,
            status: i.status,
            detected: i.detected,
            improvement_id: i.improvement_id,
            escalated_at: i.escalated_at,
            note: i.note,
            created_by: i.created_by,
            created_at: i.created_at,
            updated_at: i.updated_at,
            case_ids: i.case_ids,
        }
    }
}

/// A new incident: its title, its cases (numbers or ids), a note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenForm {
    pub title: String,
    #[serde(default)]
    pub cases: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Opens an incident by hand (supervisors, admins).
#[utoipa::path(post, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])),
    request_body = OpenForm,
    responses((status = 201, body = IncidentView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn open(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<(StatusCode, Json<IncidentView>)> {
    let f: OpenForm = from_value(body)?;
    let i = kesu_app::incidents::open(
        &state.store,
        &caller,
        &f.title,
        &f.cases,
        f.note.as_deref(),
        state.clock.now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(i.into())))
}

/// Incidents, open ones first (at most 200).
#[utoipa::path(get, path = "/api/v1/incidents", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = Vec<IncidentView>)))]
async fn list(
    State(state): State<AppState>,
    Caller(_c): Caller,
) -> ApiResult<Json<Vec<IncidentView>>> {
    let list = state.store.incidents(200, false).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// An incident with its cases.
#[derive(Serialize, ToSchema)]
pub struct IncidentWithCases {
    pub incident: IncidentView,
    pub cases: Vec<CaseBrief>,
}

/// The incident and its cases (those the caller may see).
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = IncidentWithCases), (status = 404, body = crate::error::Problem)))]
async fn show(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<IncidentWithCases>> {
    let id = kesu_app::id_in_path(&id, "incident")?;
    let (i, cases) = kesu_app::incidents::show(&state.store, &caller, id).await?;
    Ok(Json(IncidentWithCases {
        incident: i.into(),
        cases: cases.iter().map(Into::into).collect(),
    }))
}

/// What changes: the status, the improvement action it is tied to, a note.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateForm {
    #[serde(default)]
    pub status: Option<IncidentStatus>,
    #[serde(default)]
    pub improvement_id: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// Resolves or reopens the incident, ties it to an improvement action, notes it.
#[utoipa::path(patch, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = UpdateForm,
    responses((status = 200, body = IncidentView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<IncidentView>> {
    let id = kesu_app::id_in_path(&id, "incident")?;
    let f: UpdateForm = from_value(body)?;
    let i = kesu_app::incidents::update(
        &state.store,
        &caller,
        id,
        f.status,
        f.improvement_id,
        f.note.as_deref(),
        state.clock.now(),
    )
    .await?;
    Ok(Json(i.into()))
}

/// Cases to add: numbers or ids.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CasesForm {
    pub cases: Vec<String>,
}

/// Adds cases to the incident (each history says so); escalates it when its impact turns wide.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/cases", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = CasesForm,
    responses((status = 200, body = IncidentView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn add_cases(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<IncidentView>> {
    let id = kesu_app::id_in_path(&id, "incident")?;
    let f: CasesForm = from_value(body)?;
    let i = kesu_app::incidents::add_cases(&state.store, &caller, id, &f.cases, state.clock.now())
        .await?;
    Ok(Json(i.into()))
}

/// What one case of a bulk action came to.
#[derive(Serialize, ToSchema)]
pub struct OutcomeView {
    pub case_id: i64,
    pub number: String,
    pub done: bool,
    pub error: Option<String>,
}

fn outcomes(list: Vec<kesu_app::incidents::CaseOutcome>) -> Vec<OutcomeView> {
    list.into_iter()
        .map(|o| OutcomeView {
            case_id: o.case_id,
            number: o.number,
            done: o.done,
            error: o.error,
        })
        .collect()
}

/// A reply to every customer of the incident.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplyForm {
    pub text: String,
}

/// Replies to the customer of every open case of the incident, each reply a comment on its
/// case checked by the reply checker on its own (a refused one is named, the others go).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/reply", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReplyForm,
    responses((status = 200, body = Vec<OutcomeView>), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn reply(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Vec<OutcomeView>>> {
    let id = kesu_app::id_in_path(&id, "incident")?;
    let f: ReplyForm = from_value(body)?;
    let mut fields = Map::new();
    fields.insert("text".into(), Value::String(f.text));
    fields.insert("internal".into(), Value::Bool(false));
    let done = kesu_app::incidents::act_on_all(
        &state.store,
        &caller,
        id,
        ActionName::Comment,
        fields,
        state.clock.now(),
    )
    .await?;
    Ok(Json(outcomes(done)))
}

/// Proposes the same options to every open case of the incident that is at the proposal
/// step (`{"options": [...]}` as the `propose` action takes them); others are named.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/propose", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = Object,
    responses((status = 200, body = Vec<OutcomeView>), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn propose(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<Vec<OutcomeView>>> {
    let id = kesu_app::id_in_path(&id, "incident")?;
    let Value::Object(fields) = body else {
        return Err(kesu_domain::FieldError::new("options", kesu_domain::Problem::Required).into());
    };
    let done = kesu_app::incidents::act_on_all(
        &state.store,
        &caller,
        id,
        ActionName::Propose,
        fields,
        state.clock.now(),
    )
    .await?;
    Ok(Json(outcomes(done)))
}

/// Runs a detection round now (the worker runs one every ten minutes): the incidents opened
/// or added to.
#[utoipa::path(post, path = "/api/v1/incidents/detect", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = Vec<IncidentView>), (status = 403, body = crate::error::Problem)))]
async fn detect(
    State(state): State<AppState>,
    Caller(_c): Caller,
) -> ApiResult<Json<Vec<IncidentView>>> {
    let found = kesu_app::incidents::detect(&state.store, state.clock.now()).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// How spikes are found and when an incident is wide.
#[utoipa::path(get, path = "/api/v1/incidents/settings", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = IncidentSettings)))]
async fn settings(
    State(state): State<AppState>,
    Caller(_c): Caller,
) -> ApiResult<Json<IncidentSettings>> {
    Ok(Json(kesu_app::incidents::settings(&state.store).await?))
}

/// Changes how spikes are found (admins).
#[utoipa::path(put, path = "/api/v1/incidents/settings", tag = "incidents", security(("bearer" = [])),
    request_body = IncidentSettings,
    responses((status = 200, body = IncidentSettings), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_settings(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<IncidentSettings>> {
    let s: IncidentSettings = from_value(body)?;
    let s = kesu_app::incidents::set_settings(&state.store, &caller, s, state.clock.now()).await?;
    Ok(Json(s))
}
