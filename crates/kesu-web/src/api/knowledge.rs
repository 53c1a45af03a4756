//! Product knowledge (README, "Product knowledge"): articles, their versions, search, a
//! case's articles, product-sheet imports and who may edit.

use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_domain::codes::Category;
use kesu_domain::knowledge::{ArticleForm, ArticleKind};
use kesu_domain::Role;
use kesu_store::{Article, ArticleVersion, KnowledgeImport};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

/// The largest product sheet taken.
pub const MAX_SHEET_BYTES: u64 = 20 * 1024 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/knowledge", post(create).get(list))
        .route("/knowledge/editors", get(editors).put(set_editors))
        .route(
            "/knowledge/import",
            post(import).layer(DefaultBodyLimit::max(MAX_SHEET_BYTES as usize + 64 * 1024)),
        )
        .route("/knowledge/{id}", get(show).put(edit))
        .route("/cases/{id}/knowledge", get(for_case))
}

/// An article as it stands.
#[derive(Serialize, ToSchema)]
pub struct ArticleView {
    pub id: i64,
    pub kind: ArticleKind,
    pub title: String,
    pub body: String,
    pub skus: Vec<String>,
    pub categories: Vec<Category>,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<Article> for ArticleView {
    fn from(a: Article) -> Self {
        ArticleView {
            id: a.id,
            kind: a.kind,
            title: a.title,
            body: a.body,
            skus: a.skus,
            categories: a.categories,
            version: a.version,
            updated_by: a.updated_by,
            updated_at: a.updated_at,
            created_at: a.created_at,
        }
    }
}

/// One version of an article.
#[derive(Serialize, ToSchema)]
pub struct VersionView {
    pub version: i64,
    pub title: String,
    pub body: String,
    pub skus: Vec<String>,
    pub categories: Vec<Category>,
    pub edited_by: String,
    pub edited_at: DateTime<Utc>,
}

impl From<ArticleVersion> for VersionView {
    fn from(v: ArticleVersion) -> Self {
        VersionView {
            version: v.version,
            title: v.title,
            body: v.body,
            skus: v.skus,
            categories: v.categories,
            edited_by: v.edited_by,
            edited_at: v.edited_at,
        }
    }
}

/// An article with every version, the newest first.
#[derive(Serialize, ToSchema)]
pub struct ArticleWithVersions {
    pub article: ArticleView,
    pub versions: Vec<VersionView>,
}

/// Adds an article (the roles the admin allows; admins always).
#[utoipa::path(post, path = "/api/v1/knowledge", tag = "knowledge", security(("bearer" = [])),
    request_body = ArticleForm,
    responses((status = 201, body = ArticleView), (status = 403, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<ArticleView>)> {
    kesu_app::knowledge::require_editor(&state.store, &caller).await?;
    let form: ArticleForm = from_value(body)?;
    let a = kesu_app::knowledge::add(&state.store, &caller, form, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(a.into())))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct FindParams {
    /// Words (Chinese is cut into words as in case search) or a SKU; every article when absent.
    pub q: Option<String>,
}

/// The articles matching `q`, best first (at most 50); every article when `q` is absent.
#[utoipa::path(get, path = "/api/v1/knowledge", tag = "knowledge", security(("bearer" = [])),
    params(FindParams), responses((status = 200, body = Vec<ArticleView>)))]
async fn list(
    State(state): State<AppState>,
    Caller(_caller): Caller,
    Query(p): Query<FindParams>,
) -> ApiResult<Json<Vec<ArticleView>>> {
    let q = p.q.unwrap_or_default();
    let found = kesu_app::knowledge::find(&state.store, &state.knowledge, &q).await?;
    Ok(Json(found.into_iter().map(Into::into).collect()))
}

/// The article with every version.
#[utoipa::path(get, path = "/api/v1/knowledge/{id}", tag = "knowledge", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ArticleWithVersions), (status = 404, body = crate::error::Problem)))]
async fn show(
    State(state): State<AppState>,
    Caller(_caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<ArticleWithVersions>> {
    let id = kesu_app::id_in_path(&id, "article")?;
    let (a, versions) = kesu_app::knowledge::article(&state.store, id).await?;
    Ok(Json(ArticleWithVersions {
        article: a.into(),
        versions: versions.into_iter().map(Into::into).collect(),
    }))
}

/// A new version of an article, written over `version` (the one the editor read).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleEdit {
    pub version: i64,
    pub kind: ArticleKind,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub skus: Vec<String>,
    #[serde(default)]
    pub categories: Vec<Category>,
}

/// Saves a new version; `409` when someone saved one since `version`.
#[utoipa::path(put, path = "/api/v1/knowledge/{id}", tag = "knowledge", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ArticleEdit,
    responses((status = 200, body = ArticleView), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn edit(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<ArticleView>> {
    kesu_app::knowledge::require_editor(&state.store, &caller).await?;
    let id = kesu_app::id_in_path(&id, "article")?;
    let e: ArticleEdit = from_value(body)?;
    let form = ArticleForm {
        kind: e.kind,
        title: e.title,
        body: e.body,
        skus: e.skus,
        categories: e.categories,
    };
    let a = kesu_app::knowledge::edit(
        &state.store,
        &caller,
        id,
        e.version,
        form,
        state.clock.now(),
    )
    .await?;
    Ok(Json(a.into()))
}

/// The articles for the case: about one of its order's SKUs or filed for its category.
#[utoipa::path(get, path = "/api/v1/cases/{id}/knowledge", tag = "knowledge", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ArticleView>), (status = 404, body = crate::error::Problem)))]
async fn for_case(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ArticleView>>> {
    let id = kesu_app::id_in_path(&id, "case")?;
    let list = kesu_app::knowledge::on_case(&state.store, &caller, id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Imports a product sheet: `multipart/form-data` with one part named `file` (CSV in
/// UTF-8 or GBK, or .xlsx), the first row naming the columns (sku/商品编码/货号, name/商品名称,
/// 尺码, 材质/面料, 洗护/使用说明, 已知问题). One bad row refuses the whole sheet (`422`,
/// each bad row named); otherwise one SKU article per row is added or given a new version.
#[utoipa::path(post, path = "/api/v1/knowledge/import", tag = "knowledge", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "one part named `file`"),
    responses((status = 200, body = ImportView), (status = 403, body = crate::error::Problem),
              (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn import(
    State(state): State<AppState>,
    Caller(caller): Caller,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<Json<ImportView>> {
    kesu_app::knowledge::require_editor(&state.store, &caller).await?;
    let multipart = multipart.map_err(|e| {
        ApiError::BadRequest(format!(
            "send the sheet as multipart/form-data in a part named `file`: {}",
            e.body_text()
        ))
    })?;
    let file = read_sheet_upload(multipart).await?;
    let done = kesu_app::knowledge::import_sheet(
        &state.store,
        &caller,
        &file.name,
        file.bytes,
        state.clock.now(),
    )
    .await?;
    Ok(Json(done.into()))
}

/// The one sheet of an upload (the first `file` part), within [`MAX_SHEET_BYTES`].
pub async fn read_sheet_upload(multipart: Multipart) -> ApiResult<kesu_app::attachments::Upload> {
    let limits = kesu_domain::attachment::Limits {
        max_files: 1,
        max_bytes: MAX_SHEET_BYTES,
        ..Default::default()
    };
    let mut files = crate::uploads::read_files(multipart, &limits).await?;
    if files.is_empty() {
        return Err(kesu_domain::FieldError::new("file", kesu_domain::Problem::Required).into());
    }
    Ok(files.remove(0))
}

/// What an import did.
#[derive(Serialize, ToSchema)]
pub struct ImportView {
    pub added: u64,
    pub updated: u64,
    pub unchanged: u64,
}

impl From<KnowledgeImport> for ImportView {
    fn from(k: KnowledgeImport) -> Self {
        ImportView {
            added: k.added,
            updated: k.updated,
            unchanged: k.unchanged,
        }
    }
}

/// The roles that may edit knowledge besides admins.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Editors {
    pub roles: Vec<Role>,
}

/// Who may edit knowledge.
#[utoipa::path(get, path = "/api/v1/knowledge/editors", tag = "knowledge", security(("bearer" = [])),
    responses((status = 200, body = Editors)))]
async fn editors(State(state): State<AppState>, Caller(_c): Caller) -> ApiResult<Json<Editors>> {
    Ok(Json(Editors {
        roles: kesu_app::knowledge::editors(&state.store).await?,
    }))
}

/// Chooses who may edit knowledge (admins).
#[utoipa::path(put, path = "/api/v1/knowledge/editors", tag = "knowledge", security(("bearer" = [])),
    request_body = Editors,
    responses((status = 200, body = Editors), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_editors(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<Editors>> {
    let e: Editors = from_value(body)?;
    let roles =
        kesu_app::knowledge::set_editors(&state.store, &caller, e.roles, state.clock.now()).await?;
    Ok(Json(Editors { roles }))
}
