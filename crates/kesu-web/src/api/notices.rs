//! Notices to the desk (README, "Notices"): post, list what is in force, read and
//! acknowledge, see who read, end.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_domain::notice::{Importance, NoticeForm};
use kesu_store::{Notice, NoticeRead, ReaderNotice};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", post(create).get(list))
        .route("/notices/posted", get(posted))
        .route("/notices/{id}/read", post(read))
        .route("/notices/{id}/reads", get(reads))
        .route("/notices/{id}/end", post(end))
        .route("/cases/{id}/notices", get(for_case))
}

/// A notice, and where the caller stands with it.
#[derive(Serialize, ToSchema)]
pub struct NoticeView {
    pub id: i64,
    pub title: String,
    pub text: String,
    pub importance: Importance,
    pub valid_from: DateTime<Utc>,
    pub valid_to: Option<DateTime<Utc>>,
    /// Shop codes it concerns (empty: all).
    pub shops: Vec<String>,
    pub skus: Vec<String>,
    pub categories: Vec<kesu_domain::codes::Category>,
    pub posted_by: String,
    pub posted_at: DateTime<Utc>,
    /// When the caller first read it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
    /// When the caller acknowledged it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl NoticeView {
    fn new(
        n: Notice,
        read_at: Option<DateTime<Utc>>,
        acknowledged_at: Option<DateTime<Utc>>,
    ) -> Self {
        NoticeView {
            id: n.id,
            title: n.title,
            text: n.text,
            importance: n.importance,
            valid_from: n.valid_from,
            valid_to: n.valid_to,
            shops: n.targets.shops,
            skus: n.targets.skus,
            categories: n.targets.categories,
            posted_by: n.posted_by,
            posted_at: n.posted_at,
            read_at,
            acknowledged_at,
        }
    }
}

impl From<ReaderNotice> for NoticeView {
    fn from(r: ReaderNotice) -> Self {
        NoticeView::new(r.notice, r.read_at, r.acknowledged_at)
    }
}

/// Posts a notice (operations, pricing, warehouse, supervisors, admins).
#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", security(("bearer" = [])),
    request_body = NoticeForm,
    responses((status = 201, body = NoticeView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<NoticeView>)> {
    let form: NoticeForm = from_value(body)?;
    let n = kesu_app::notices::post(&state.store, &caller, form, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(NoticeView::new(n, None, None))))
}

/// The notices in force, important first, with what the caller read and acknowledged.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", security(("bearer" = [])),
    responses((status = 200, body = Vec<NoticeView>)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<NoticeView>>> {
    let list = kesu_app::notices::in_force(&state.store, &caller, state.clock.now()).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// A posted notice with how many read and acknowledged it.
#[derive(Serialize, ToSchema)]
pub struct PostedView {
    #[serde(flatten)]
    pub notice: NoticeView,
    pub readers: i64,
    pub acknowledged: i64,
}

/// Every notice posted (also ended and future ones), newest first, at most 200.
#[utoipa::path(get, path = "/api/v1/notices/posted", tag = "notices", security(("bearer" = [])),
    responses((status = 200, body = Vec<PostedView>), (status = 403, body = crate::error::Problem)))]
async fn posted(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<PostedView>>> {
    let list = kesu_app::notices::posted(&state.store, &caller).await?;
    Ok(Json(
        list.into_iter()
            .map(|(n, readers, acknowledged)| PostedView {
                notice: NoticeView::new(n, None, None),
                readers,
                acknowledged,
            })
            .collect(),
    ))
}

/// Reading a notice; `acknowledge: true` also acknowledges it.
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct ReadForm {
    #[serde(default)]
    pub acknowledge: bool,
}

/// Marks the notice read by the caller (and acknowledged): the first read's time is kept,
/// an acknowledgement is never taken back.
#[utoipa::path(post, path = "/api/v1/notices/{id}/read", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ReadForm,
    responses((status = 200, body = NoticeReadView), (status = 404, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn read(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<NoticeReadView>> {
    let id = kesu_app::id_in_path(&id, "notice")?;
    let form: ReadForm = from_value(body)?;
    let r = kesu_app::notices::mark(
        &state.store,
        &caller,
        id,
        form.acknowledge,
        state.clock.now(),
    )
    .await?;
    Ok(Json(r.into()))
}

/// One reader of a notice.
#[derive(Serialize, ToSchema)]
pub struct NoticeReadView {
    pub username: String,
    pub read_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
}

impl From<NoticeRead> for NoticeReadView {
    fn from(r: NoticeRead) -> Self {
        NoticeReadView {
            username: r.username,
            read_at: r.read_at,
            acknowledged_at: r.acknowledged_at,
        }
    }
}

/// Who read the notice and when they acknowledged it.
#[utoipa::path(get, path = "/api/v1/notices/{id}/reads", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<NoticeReadView>), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem)))]
async fn reads(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<NoticeReadView>>> {
    let id = kesu_app::id_in_path(&id, "notice")?;
    let (_, reads) = kesu_app::notices::reads(&state.store, &caller, id).await?;
    Ok(Json(reads.into_iter().map(Into::into).collect()))
}

/// Ends the notice now (its author or an admin).
#[utoipa::path(post, path = "/api/v1/notices/{id}/end", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = NoticeView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn end(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<NoticeView>> {
    let id = kesu_app::id_in_path(&id, "notice")?;
    let n = kesu_app::notices::end(&state.store, &caller, id, state.clock.now()).await?;
    Ok(Json(NoticeView::new(n, None, None)))
}

/// The notices in force that concern this case's shop, SKUs or category.
#[utoipa::path(get, path = "/api/v1/cases/{id}/notices", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<NoticeView>), (status = 404, body = crate::error::Problem)))]
async fn for_case(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<NoticeView>>> {
    let id = kesu_app::id_in_path(&id, "case")?;
    let list = kesu_app::notices::on_case(&state.store, &caller, id, state.clock.now()).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}
