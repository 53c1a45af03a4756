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
}

impl From<SourceView> for SourceBody {
    fn from(s: SourceView) -> Self {
        SourceBody {
            platform: s.platform.code().to_owned(),
            shop: s.shop,
            enabled: s.enabled,
            send_answers: s.send_answers,
            updated_at: s.updated_at,
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
    let sources = kesu_app::platforms::sources(&state.store, &caller).await?;
    Ok(Json(sources.into_iter().map(SourceBody::from).collect()))
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
    state.push_limits.take(&format!("site:{}", signed.shop))?;
    let now = state.clock.now();
    let taken = site::take_signed(&state.store, signed, now).await?;
    Ok(Json(PushAnswer {
        case: CaseView::for_outside(taken.record, now),
        created: taken.created,
    }))
}
