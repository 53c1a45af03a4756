//! Improvement actions (改进措施): supervisors turn lessons into actions; everyone on staff
//! sees them with whether the complaints they target went down afterwards.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use kesu_domain::codes::{Category, RootCause};
use kesu_domain::improvement::{effect, ActionStatus, Effect, ImprovementForm};
use kesu_domain::{FieldError, Role};
use kesu_store::{Improvement, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Caller};
use crate::AppState;
use kesu_domain::error::{Problem, Thing};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/improvements", get(list).post(create))
        .route("/improvements/{id}/status", post(set_status))
}

#[derive(Serialize, ToSchema)]
pub struct ImprovementView {
    pub id: i64,
    pub title: String,
    pub root_cause: RootCause,
    pub category: Option<Category>,
    pub owner: String,
    pub due_on: NaiveDate,
    pub status: ActionStatus,
    /// Where it may go next.
    pub next: Vec<ActionStatus>,
    pub case_ids: Vec<i64>,
    pub note: Option<String>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
    /// Overdue: not finished by its due date.
    pub overdue: bool,
    pub effect: Effect,
}

pub fn may_decide(user: &User) -> ApiResult<()> {
    if matches!(user.role, Role::Supervisor | Role::Admin) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only supervisors and admins decide improvement actions; you are {}",
            user.role
        )))
    }
}

/// Every action with its effect so far.
pub async fn views(state: &AppState) -> ApiResult<Vec<ImprovementView>> {
    let list = state.store.improvements().await?;
    let now = state.clock.now();
    let today = now.with_timezone(&state.zone().await).date_naive();
    let views = state
        .reports
        .with_table(move |t| {
            list.into_iter()
                .map(|i: Improvement| ImprovementView {
                    effect: effect(
                        t,
                        i.root_cause,
                        i.category,
                        i.done_at.unwrap_or(i.created_at),
                        now,
                    ),
                    next: i.status.next().to_vec(),
                    overdue: !i.status.next().is_empty() && i.due_on < today,
                    id: i.id,
                    title: i.title,
                    root_cause: i.root_cause,
                    category: i.category,
                    owner: i.owner,
                    due_on: i.due_on,
                    status: i.status,
                    case_ids: i.case_ids,
                    note: i.note,
                    version: i.version,
                    created_by: i.created_by,
                    created_at: i.created_at,
                    done_at: i.done_at,
                })
                .collect()
        })
        .await?;
    Ok(views)
}

/// Checks and stores a new action; linked cases must exist.
pub async fn add(state: &AppState, user: &User, form: ImprovementForm) -> ApiResult<i64> {
    may_decide(user)?;
    let now = state.clock.now();
    let new = form
        .parse(now.with_timezone(&state.zone().await).date_naive())
        .map_err(ApiError::Invalid)?;
    for id in &new.case_ids {
        if state.store.case(*id).await?.is_none() {
            return Err(FieldError::new(
                "case_ids",
                Problem::Unknown {
                    thing: Thing::Case,
                    value: id.to_string(),
                },
            )
            .into());
        }
    }
    let created = state
        .store
        .create_improvement(&new, &user.username, now)
        .await?;
    tracing::info!(id = created.id, by = %user.username, "improvement action decided");
    Ok(created.id)
}

/// Moves an action on, if the move is allowed and nobody changed it meanwhile.
pub async fn change_status(
    state: &AppState,
    user: &User,
    id: i64,
    version: i64,
    status: ActionStatus,
    note: Option<&str>,
) -> ApiResult<()> {
    may_decide(user)?;
    let current = state
        .store
        .improvement(id)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("there is no improvement action {id}")))?;
    if !current.status.next().contains(&status) {
        return Err(ApiError::conflict(format!(
            "an action that is {} cannot become {}",
            current.status.code(),
            status.code()
        )));
    }
    state
        .store
        .set_improvement_status(id, version, status, note, state.clock.now())
        .await?;
    Ok(())
}

/// Every improvement action, open ones first, with its effect on the complaints it targets.
#[utoipa::path(get, path = "/api/v1/improvements", tag = "reports", security(("bearer" = [])),
    responses((status = 200, body = Vec<ImprovementView>)))]
async fn list(
    State(state): State<AppState>,
    Caller(_caller): Caller,
) -> ApiResult<Json<Vec<ImprovementView>>> {
    Ok(Json(views(&state).await?))
}

/// Decides an improvement action (supervisors, admins).
#[utoipa::path(post, path = "/api/v1/improvements", tag = "reports", security(("bearer" = [])),
    request_body = ImprovementForm,
    responses((status = 201, body = ImprovementView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(form): ApiJson<ImprovementForm>,
) -> ApiResult<(StatusCode, Json<ImprovementView>)> {
    let id = add(&state, &caller, form).await?;
    let view = one(&state, id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

async fn one(state: &AppState, id: i64) -> ApiResult<ImprovementView> {
    views(state)
        .await?
        .into_iter()
        .find(|v| v.id == id)
        .ok_or_else(|| ApiError::NotFound(format!("there is no improvement action {id}")))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: ActionStatus,
    pub version: i64,
    #[serde(default)]
    pub note: Option<String>,
}

/// Moves an action to `in_progress`, `done` or `dropped` (409 when stale or not allowed).
#[utoipa::path(post, path = "/api/v1/improvements/{id}/status", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = StatusChange,
    responses((status = 200, body = ImprovementView), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem)))]
async fn set_status(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(raw): Path<String>,
    ApiJson(change): ApiJson<StatusChange>,
) -> ApiResult<Json<ImprovementView>> {
    // Parsed here so an id that is no number is a 404 problem like any unknown one.
    let id: i64 = raw
        .parse()
        .map_err(|_| ApiError::NotFound(format!("no improvement action `{raw}`")))?;
    change_status(
        &state,
        &caller,
        id,
        change.version,
        change.status,
        change.note.as_deref(),
    )
    .await?;
    Ok(Json(one(&state, id).await?))
}
