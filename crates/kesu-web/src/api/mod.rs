//! The JSON API under `/api/v1`, one module per resource, merged here.

pub mod accountability;
pub mod attachments;
pub mod audit;
mod auth;
pub mod bad_reviews;
mod cases;
pub mod improvements;
mod inbound;
pub mod incidents;
pub mod knowledge;
mod kuaidi100;
pub mod logistics;
pub mod mailbox;
mod me_access;
pub mod notices;
pub mod notifications;
mod openapi;
mod openapi_errors;
pub mod orders;
pub mod personal_data;
pub mod platform_answers;
pub mod platforms;
pub mod quality;
pub mod records_audits;
pub mod refunds;
pub mod replies;
pub mod reports;
mod settings;
pub mod team_reports;
pub mod templates;
mod tracking;
pub mod triage;
mod users;
pub mod views;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use tower_http::trace::TraceLayer;

use axum::middleware::Next;
use axum::response::Response;
use kesu_store::StorageHealth;

use crate::error::{ApiError, ApiResult, DISK_FULL};
use crate::extract::MAX_BODY_BYTES;
use crate::AppState;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(auth::router())
        .merge(audit::router())
        .merge(accountability::router())
        .merge(personal_data::router())
        .merge(records_audits::router())
        .merge(bad_reviews::router())
        .merge(notices::router())
        .merge(knowledge::router())
        .merge(incidents::router())
        .merge(quality::router())
        .merge(team_reports::router())
        .merge(users::router())
        .merge(cases::router())
        .merge(attachments::router())
        .merge(inbound::router())
        .merge(notifications::router())
        .merge(mailbox::router())
        .merge(platforms::router())
        .merge(platform_answers::router())
        .merge(settings::router())
        .merge(refunds::router())
        .merge(orders::router())
        .merge(tracking::router())
        .merge(kuaidi100::router())
        .merge(logistics::router())
        .merge(replies::router())
        .merge(triage::router())
        .merge(templates::router())
        .merge(reports::router())
        .merge(improvements::router())
        .merge(openapi::router())
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed);
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(crate::metrics::scrape))
        .nest("/api/v1", api)
        .merge(crate::pages::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::gatekeeper::enforce,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(
            crate::guard::refuse_control_characters,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            note_refused_writes,
        ))
        .layer(axum::middleware::from_fn(crate::metrics::count_requests))
        .layer(
            // The route's pattern, never the path itself: paths carry secrets (the kuaidi100
            // receiver's, the customer links') and queries carry search terms such as phones.
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let route = req
                    .extensions()
                    .get::<axum::extract::MatchedPath>()
                    .map_or("(no route)", |p| p.as_str());
                let id = crate::request_id::current().unwrap_or_default();
                tracing::info_span!("http", method = %req.method(), route, id)
            }),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::request_id::assign,
        ))
        .with_state(state)
}

/// Refuses a caller who is not an admin: "only admins {what}; you are agent".
pub fn require_admin(user: &kesu_store::User, what: &str) -> ApiResult<()> {
    if user.role == kesu_domain::Role::Admin {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "only admins {what}; you are {}",
            user.role
        )))
    }
}

/// 200 `ok` while the database answers and can take writes; 503 with a problem naming the
/// trouble (a full disk, an unreachable database) otherwise.
async fn healthz(State(state): State<AppState>) -> ApiResult<(StatusCode, &'static str)> {
    match state.store.storage_health().await {
        StorageHealth::Ok => Ok((StatusCode::OK, "ok")),
        StorageHealth::Full(_) => Err(ApiError::Unavailable(DISK_FULL.into())),
        StorageHealth::Unavailable(_) => Err(ApiError::Unavailable(
            "the database cannot be reached or written right now".into(),
        )),
    }
}

/// A write refused for want of space makes the next health check look again at once.
async fn note_refused_writes(
    State(state): State<AppState>,
    request: Request<axum::body::Body>,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    if response.status() == StatusCode::INSUFFICIENT_STORAGE
        || response.status() == StatusCode::SERVICE_UNAVAILABLE
    {
        state.store.note_refused_write();
    }
    response
}

async fn not_found() -> ApiError {
    ApiError::NotFound("no such endpoint; see /api/v1/openapi.json".into())
}

async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
