//! The platforms' after-sales requests (CONTRACT §10): admins set up sources, and the shop's
//! own site pushes its requests signed with the shop's secret.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use kesu_app::platforms::site::{SiteForm, SourceView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::require_admin;
use super::views::CaseView;
use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

/// Largest push taken: a request with its texts and photo addresses is a few kilobytes.
const MAX_PUSH_BYTES: usize = 256 * 1024;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/platforms", get(list))
        .route("/platforms/site/{shop}", put(set_up_site))
        .route("/platforms/site/{shop}/events", post(site_event))
        .route("/platforms/douyin/{shop}/events", post(douyin_event))
        .route("/platforms/{platform}/{shop}", put(set_up_api))
        .route("/platforms/{platform}/{shop}/sync", post(sync_now))
}

/// A shop's API credentials on a platform, as sent.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct ApiBody {
    /// The app's id (Pinduoduo `client_id`, Taobao `app_key`).
    client_id: String,
    /// The app's secret (`client_secret`, `app_secret`). Sealed with the server's key; never
    /// shown again.
    client_secret: String,
    /// The shop's access token (Taobao `session`). Sealed.
    access_token: String,
    /// Another gateway (a test server); the platform's own by default.
    endpoint: Option<String>,
    /// The shop's id where the platform's calls name it (JD `buId`); required for JD.
    seller_id: Option<String>,
    /// The account that reads and answers (JD `operatePin`); required for JD.
    operator: Option<String>,
    enabled: bool,
}

/// How a polled source's syncs go.
#[derive(Serialize, ToSchema)]
pub struct SyncBody {
    /// Everything updated before this has been read.
    pub cursor: Option<DateTime<Utc>>,
    pub last_started_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// What stopped the last sync early (rate limit, expired token, garbage); it goes on from
    /// its cursor next time.
    pub error: Option<String>,
    pub error_at: Option<DateTime<Utc>>,
    pub last_opened: u64,
    pub last_changed: u64,
    pub last_unchanged: u64,
    pub opened_total: u64,
    pub changed_total: u64,
    pub skipped_total: u64,
    pub notes: Vec<String>,
}

impl From<kesu_app::platforms::status::SyncReport> for SyncBody {
    fn from(r: kesu_app::platforms::status::SyncReport) -> Self {
        SyncBody {
            cursor: r.cursor,
            last_started_at: r.last_started_at,
            last_success_at: r.last_success_at,
            error: r.error,
            error_at: r.error_at,
            last_opened: r.last_opened,
            last_changed: r.last_changed,
            last_unchanged: r.last_unchanged,
            opened_total: r.opened_total,
            changed_total: r.changed_total,
            skipped_total: r.skipped_total,
            notes: r.notes,
        }
    }
}

/// Sets up a shop's Pinduoduo credentials (admin); kesu then polls its after-sales changes.
#[utoipa::path(put, path = "/api/v1/platforms/{platform}/{shop}", tag = "platforms", security(("bearer" = [])),
    params(("platform" = String, Path, description = "pinduoduo, taobao, jd or douyin"),
           ("shop" = String, Path, description = "the shop's name, as its orders name it")),
    request_body = ApiBody,
    responses((status = 200, body = SourceBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn set_up_api(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((platform, shop)): Path<(String, String)>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<SourceBody>> {
    require_admin(&caller, "set up platform sources")?;
    let form: kesu_app::platforms::credentials::ApiForm = from_value(body)?;
    let now = state.clock.now();
    let view = kesu_app::platforms::credentials::set_up_named(
        &state.store,
        &state.vault,
        &caller,
        &platform,
        &shop,
        form,
        now,
    )
    .await?;
    Ok(Json(view.into()))
}

/// Reads a polled source's changes now (admin) and answers how it went: a rate limit, an
/// expired token or an unreadable answer is in `error`, not an error of this request.
#[utoipa::path(post, path = "/api/v1/platforms/{platform}/{shop}/sync", tag = "platforms", security(("bearer" = [])),
    params(("platform" = String, Path, description = "pinduoduo, taobao, jd or douyin"),
           ("shop" = String, Path, description = "the shop's name")),
    responses((status = 200, body = SyncBody), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(super) async fn sync_now(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path((platform, shop)): Path<(String, String)>,
) -> ApiResult<Json<SyncBody>> {
    require_admin(&caller, "sync platform sources")?;
    let shop = kesu_app::platforms::site::shop_name(&shop)?;
    let platform = kesu_domain::platform::Platform::parse(&platform)
        .ok_or_else(|| ApiError::NotFound(format!("no platform `{platform}`")))?;
    let source = state
        .store
        .platform_source(platform, &shop)
        .await?
        .ok_or_else(|| {
            ApiError::NotFound(format!("no {} source for shop {shop}", platform.code()))
        })?;
    let client = kesu_app::platforms::images::client();
    let now = state.clock.now();
    let report =
        kesu_app::platforms::poller::sync(&state.store, &state.vault, &client, &source, now)
            .await?;
    Ok(Json(report.into()))
}

/// A source as kesu shows it: never its secret.
#[derive(Serialize, ToSchema)]
pub struct SourceBody {
    /// `site`, `taobao`, `pinduoduo`, `jd` or `douyin`.
    pub platform: String,
    pub shop: String,
    pub enabled: bool,
    /// Whether kesu's answers go to the platform (off: a dry run is recorded).
    pub send_answers: bool,
    pub updated_at: DateTime<Utc>,
    /// New requests the source took in the last hour.
    pub requests_last_hour: i64,
    /// For a platform (not the site): how its syncs or pushes go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync: Option<SyncBody>,
}

impl From<SourceView> for SourceBody {
    fn from(s: SourceView) -> Self {
        SourceBody {
            platform: s.platform.code().to_owned(),
            shop: s.shop,
            enabled: s.enabled,
            send_answers: s.send_answers,
            updated_at: s.updated_at,
            requests_last_hour: 0,
            sync: None,
        }
    }
}

/// The shop's site as a source, as sent.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct SiteBody {
    /// The secret the site signs its pushes with: 16 to 512 characters. Stored sealed with
    /// the server's key; never shown again.
    secret: String,
    enabled: bool,
    /// Where kesu posts its answers to the site's requests (optional).
    answer_url: Option<String>,
}

/// What a push did.
#[derive(Serialize, ToSchema)]
pub struct PushAnswer {
    /// The request's case as it now stands (personal data masked).
    pub case: CaseView,
    /// Whether this push opened the case.
    pub created: bool,
}

#[utoipa::path(get, path = "/api/v1/platforms", tag = "platforms", security(("bearer" = [])),
    responses((status = 200, body = [SourceBody]), (status = 403, body = crate::error::Problem)))]
pub(super) async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<SourceBody>>> {
    require_admin(&caller, "see the platform sources")?;
    let sources = kesu_app::platforms::sources(&state.store, &caller, state.clock.now()).await?;
    let mut bodies = Vec::with_capacity(sources.len());
    for (source, last_hour) in sources {
        let polled = source.platform != kesu_domain::platform::Platform::Site;
        let report = match polled {
            true => Some(
                kesu_app::platforms::status::load(&state.store, source.platform, &source.shop)
                    .await?,
            ),
            false => None,
        };
        let mut body = SourceBody::from(source);
        body.sync = report.map(SyncBody::from);
        body.requests_last_hour = last_hour;
        bodies.push(body);
    }
    Ok(Json(bodies))
}

/// Sets up the shop's own site as a source of after-sales requests (admin).
#[utoipa::path(put, path = "/api/v1/platforms/site/{shop}", tag = "platforms", security(("bearer" = [])),
    params(("shop" = String, Path, description = "the shop's name, as its orders name it")),
    request_body = SiteBody,
    responses((status = 200, body = SourceBody), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
pub(super) async fn set_up_site(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(shop): Path<String>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<SourceBody>> {
    require_admin(&caller, "set up platform sources")?;
    let form: SiteForm = from_value(body)?;
    let now = state.clock.now();
    let view =
        kesu_app::platforms::site::set_up(&state.store, &state.vault, &caller, &shop, form, now)
            .await?;
    Ok(Json(view.into()))
}

/// The shop's site pushes an after-sales request (or a later state of one), signed with the
/// shop's secret: `X-Kesu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`.
/// One case per shop and `request_id`; a state no newer (`updated_at`) than the case holds
/// changes nothing.
#[utoipa::path(post, path = "/api/v1/platforms/site/{shop}/events", tag = "platforms",
    params(("shop" = String, Path, description = "the shop's name"),
           ("X-Kesu-Signature" = String, Header, description = "t=<unix seconds>,v1=<hex HMAC-SHA256>")),
    request_body = kesu_domain::platform::site::SitePush,
    responses((status = 200, body = PushAnswer), (status = 400, body = crate::error::Problem),
              (status = 401, body = crate::error::Problem), (status = 403, body = crate::error::Problem),
              (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
              (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
              (status = 429, description = "the shop's source sends too fast: send again after Retry-After",
               body = crate::error::Problem, headers(("Retry-After" = u64, description = "seconds")))))]
pub(super) async fn site_event(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<PushAnswer>> {
    if body.len() > MAX_PUSH_BYTES {
        return Err(ApiError::PayloadTooLarge(MAX_PUSH_BYTES));
    }
    let signature = headers
        .get("x-kesu-signature")
        .and_then(|v| v.to_str().ok());
    use kesu_app::platforms::site;
    let signed = site::verify(&state.store, &state.vault, &shop, signature, &body).await?;
    // Counted once signed: unsigned junk cannot use up a shop's budget.
    state.push_limits.take(format!("site:{}", signed.shop))?;
    let now = state.clock.now();
    let taken = site::take_signed(&state.store, signed, now).await?;
    Ok(Json(PushAnswer {
        case: CaseView::for_outside(taken.record, now),
        created: taken.created,
    }))
}

/// Douyin pushes its after-sales messages (tags 200–213), signed with the shop's app:
/// `app-id` (the app key) and `event-sign` (hex MD5, or HMAC-SHA256 when `event-sign-method:
/// hmac-sha256`, of app key + body + app secret). Each after-sale named is read from Douyin as
/// it now stands and taken; the answer is Douyin's `{"code": 0, "msg": "success"}`.
#[utoipa::path(post, path = "/api/v1/platforms/douyin/{shop}/events", tag = "platforms",
    params(("shop" = String, Path, description = "the shop's name"),
           ("app-id" = String, Header, description = "the app key"),
           ("event-sign" = String, Header, description = "the push's signature")),
    responses((status = 200, body = DouyinAnswer), (status = 400, body = crate::error::Problem),
              (status = 401, body = crate::error::Problem), (status = 404, body = crate::error::Problem),
              (status = 409, body = crate::error::Problem), (status = 413, body = crate::error::Problem),
              (status = 429, description = "too fast: Douyin pushes again", body = crate::error::Problem),
              (status = 503, description = "Douyin could not be read: Douyin pushes again", body = crate::error::Problem)))]
pub(super) async fn douyin_event(
    State(state): State<AppState>,
    Path(shop): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<DouyinAnswer>> {
    if body.len() > MAX_PUSH_BYTES {
        return Err(ApiError::PayloadTooLarge(MAX_PUSH_BYTES));
    }
    use kesu_app::platforms::douyin;
    let header = |n: &str| headers.get(n).and_then(|v| v.to_str().ok());
    let signed = douyin::verify(
        &state.store,
        &state.vault,
        &shop,
        douyin::PushHeaders {
            app_id: header("app-id"),
            event_sign: header("event-sign"),
            sign_method: header("event-sign-method"),
        },
        &body,
    )
    .await?;
    state.push_limits.take(format!("douyin:{}", signed.shop))?;
    let client = kesu_app::platforms::images::client();
    let now = state.clock.now();
    let report = douyin::take_push(&state.store, &client, signed, now).await?;
    Ok(Json(DouyinAnswer {
        code: 0,
        msg: "success".into(),
        opened: report.opened,
        changed: report.changed,
        unchanged: report.unchanged,
        skipped: report.skipped,
    }))
}

/// What kesu answers Douyin's push: Douyin's success, and what the push did.
#[derive(Serialize, ToSchema)]
pub struct DouyinAnswer {
    pub code: i64,
    pub msg: String,
    pub opened: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub skipped: u64,
}
