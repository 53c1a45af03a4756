//! Evidence files on a case: upload (multipart, parts named `file`), list, open.

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Json, Router};
use kesu_app::attachments::Variant;
use kesu_store::Attachment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::ApiResult;
use crate::extract::Caller;
use crate::uploads::{file_response, read_files};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/cases/{id}/attachments",
            // The upload limits are the files' own, checked as they stream in.
            post(upload).get(list).layer(DefaultBodyLimit::disable()),
        )
        .route("/attachments/{id}", get(open))
}

/// An attachment as listed with its case.
#[derive(Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: i64,
    /// The name it is offered under (its path dropped, the extension of what it is).
    pub name: String,
    /// Sniffed from the bytes.
    pub content_type: String,
    pub size: u64,
    /// Of the original bytes.
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    /// `staff`, `customer` or `email`.
    #[schema(value_type = String)]
    pub source: kesu_store::AttachmentSource,
    pub uploaded_by: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thumbnail_url: Option<String>,
}

impl From<Attachment> for AttachmentView {
    fn from(a: Attachment) -> Self {
        AttachmentView {
            url: format!("/api/v1/attachments/{}", a.id),
            thumbnail_url: a
                .thumb_sha256
                .as_ref()
                .map(|_| format!("/api/v1/attachments/{}?variant=thumbnail", a.id)),
            id: a.id,
            name: a.name,
            content_type: a.content_type,
            size: a.size,
            sha256: a.sha256,
            width: a.width,
            height: a.height,
            source: a.source,
            uploaded_by: a.uploaded_by,
            created_at: a.created_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Uploaded {
    pub items: Vec<AttachmentView>,
}

/// Attaches files to a case (multipart/form-data, one or more parts named `file`): photos
/// (JPEG, PNG, GIF, WebP), videos (MP4, MOV, WebM) and PDFs, known by their bytes. All or
/// none are stored. 413 over a limit (a file's size, the number of files, a picture's
/// pixels), 415 for any other kind of file (HTML, SVG, scripts, archives…).
#[utoipa::path(post, path = "/api/v1/cases/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content_type = "multipart/form-data", description = "one or more parts named `file`"),
    responses((status = 201, body = Uploaded), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
              (status = 415, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn upload(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Uploaded>)> {
    let multipart = multipart.map_err(|e| {
        crate::error::ApiError::BadRequest(format!(
            "send the files as multipart/form-data in parts named `file`: {}",
            e.body_text()
        ))
    })?;
    let id = kesu_app::cases::case_id(&id)?;
    // Unknown or invisible cases are refused before a byte of the files is kept.
    kesu_app::cases::visible_case(&state.store, &caller.actor(), id).await?;
    let limits = state.attachment_limits;
    let files = read_files(multipart, &limits).await?;
    let stored =
        kesu_app::attachments::attach(&state.store, &caller, id, files, limits, state.clock.now())
            .await?;
    Ok((
        StatusCode::CREATED,
        Json(Uploaded {
            items: stored.into_iter().map(AttachmentView::from).collect(),
        }),
    ))
}

/// The case's attachments, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/attachments", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Uploaded), (status = 404, body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Uploaded>> {
    let record = state.visible_case(&caller, &id).await?;
    let items = state.store.attachments(record.case.id).await?;
    Ok(Json(Uploaded {
        items: items.into_iter().map(AttachmentView::from).collect(),
    }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct OpenParams {
    /// `thumbnail` for a picture's thumbnail (JPEG, at most 320 pixels a side).
    pub variant: Option<String>,
}

/// The bytes of an attachment, to those who may see its case (404 to others). Roles that
/// do not see personal data get photos re-encoded without their metadata.
#[utoipa::path(get, path = "/api/v1/attachments/{id}", tag = "attachments", security(("bearer" = [])),
    params(("id" = i64, Path), OpenParams),
    responses((status = 200, description = "the file, with Content-Disposition"), (status = 404, body = crate::error::Problem)))]
async fn open(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    Query(params): Query<OpenParams>,
) -> ApiResult<Response> {
    let id = kesu_app::id_in_path(&id, "attachment")?;
    let variant = variant(params.variant.as_deref())?;
    let opened = kesu_app::attachments::open(&state.store, &caller.actor(), id, variant).await?;
    Ok(file_response(opened))
}

/// `variant` as asked for.
pub fn variant(raw: Option<&str>) -> ApiResult<Variant> {
    match raw {
        None | Some("") | Some("full") => Ok(Variant::Full),
        Some("thumbnail") => Ok(Variant::Thumbnail),
        Some(other) => Err(kesu_app::AppError::explained(
            "variant",
            kesu_domain::error::Problem::Format,
            format!("`{other}` is not a variant: use `full` or `thumbnail`"),
        )
        .into()),
    }
}
