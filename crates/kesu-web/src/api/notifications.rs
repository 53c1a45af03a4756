//! What kesu sent a case's customer, webhook subscriptions and their delivery log, and
//! sending again (CONTRACT §9).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use kesu_domain::personal::{Email, Phone};
use kesu_domain::{FieldError, Problem};
use kesu_store::OutboxMessage;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::require_admin;
use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}/notifications", get(for_case))
        .route("/cases/{id}/notifications/opt-out", post(opt_out))
        .route("/webhooks", post(create).get(list))
        .route("/webhooks/deliveries", get(deliveries))
        .route("/outbox/{id}/retry", post(retry))
}

/// A notice to the customer or a webhook delivery, and how its sending went.
#[derive(Serialize, ToSchema)]
pub struct NotificationView {
    pub id: i64,
    /// `email`, `sms` or `webhook`.
    pub channel: String,
    /// The address or number, masked unless the caller's role sees personal data; a
    /// webhook's id for deliveries.
    pub to: String,
    /// `acknowledged`, `message`, `options_offered`, `approved`, `refund_made`,
    /// `reshipped`, `follow_up`, `closed`; for webhooks the event (`case.created` …).
    pub event: String,
    /// `queued`, `sent` or `failed` (given up after 8 attempts).
    pub status: String,
    pub attempts: i64,
    /// When it was queued.
    pub at: chrono::DateTime<chrono::Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The next attempt, while queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<chrono::DateTime<chrono::Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    pub case_id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
}

impl NotificationView {
    fn new(m: OutboxMessage, sees_personal_data: bool) -> NotificationView {
        let to = recipient(&m, sees_personal_data);
        NotificationView {
            id: m.id,
            channel: m.channel,
            to,
            event: m.event,
            sent_at: (m.status == "sent").then_some(m.done_at).flatten(),
            next_attempt_at: (m.status == "queued").then_some(m.next_at),
            status: m.status,
            attempts: m.attempts,
            at: m.created_at,
            last_error: m.last_error,
            case_id: m.case_id,
            subject: m.subject,
        }
    }
}

/// Where a message went, as the reader may see it: addresses and numbers masked for roles
/// that do not see personal data; a webhook's id as it is.
pub fn recipient(m: &OutboxMessage, sees_personal_data: bool) -> String {
    match m.channel.as_str() {
        _ if sees_personal_data => m.target.clone(),
        "email" => Email::parse("to", &m.target).map_or_else(|_| "***".into(), |e| e.masked()),
        "sms" => Phone::parse("to", &m.target).map_or_else(|_| "***".into(), |p| p.masked()),
        _ => m.target.clone(),
    }
}

/// What was sent or queued for the case's customer, oldest first.
#[utoipa::path(get, path = "/api/v1/cases/{id}/notifications", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<NotificationView>), (status = 404, body = crate::error::Problem)))]
async fn for_case(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<NotificationView>>> {
    let record = state.visible_case(&caller, &id).await?;
    let sees = caller.role.sees_personal_data();
    let items = state.store.case_messages(record.case.id).await?;
    Ok(Json(
        items
            .into_iter()
            .map(|m| NotificationView::new(m, sees))
            .collect(),
    ))
}

/// Records that the customer wants no more e-mail or text messages about the case.
#[utoipa::path(post, path = "/api/v1/cases/{id}/notifications/opt-out", tag = "cases", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn opt_out(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let record = state.visible_case(&caller, &id).await?;
    state
        .store
        .opt_out(record.case.id, state.clock.now())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookForm {
    /// `https://…` (or `http://` inside the shop's network).
    pub url: String,
    /// Any of `case.created`, `case.status_changed`, `refund.executed`,
    /// `deadline.breached`, `logistics.exception`, `attachment.added`.
    pub events: Vec<String>,
    /// Signs every delivery (at least 16 characters); never shown again.
    pub secret: String,
}

#[derive(Serialize, ToSchema)]
pub struct WebhookView {
    pub id: i64,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

impl From<kesu_store::Webhook> for WebhookView {
    fn from(w: kesu_store::Webhook) -> Self {
        WebhookView {
            id: w.id,
            url: w.url,
            events: w.events,
            active: w.active,
            created_at: w.created_at,
        }
    }
}

/// Subscribes a URL to events (admin). Deliveries are POSTs of JSON with the headers
/// `X-Kesu-Event`, `X-Kesu-Delivery` (the same for every retry of one delivery) and
/// `X-Kesu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "settings", security(("bearer" = [])),
    request_body = WebhookForm,
    responses((status = 201, body = WebhookView), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn create(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<(StatusCode, Json<WebhookView>)> {
    require_admin(&caller, "manage webhooks")?;
    let form: WebhookForm = from_value(body)?;
    let mut errors = Vec::new();
    let url = form.url.trim();
    if !(url.starts_with("https://") || url.starts_with("http://"))
        || url.len() > 2000
        || url.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        errors.push(FieldError::explained(
            "url",
            Problem::Format,
            "must be an http:// or https:// URL",
        ));
    }
    if form.events.is_empty() {
        errors.push(FieldError::new("events", Problem::Required));
    }
    for (i, e) in form.events.iter().enumerate() {
        if !kesu_domain::notify::WEBHOOK_EVENTS.contains(&e.as_str()) {
            errors.push(FieldError::explained(
                &format!("events[{i}]"),
                Problem::Format,
                format!(
                    "`{e}` is not an event: use {}",
                    kesu_domain::notify::WEBHOOK_EVENTS.join(", ")
                ),
            ));
        }
    }
    if form.secret.chars().count() < 16 || form.secret.len() > 200 {
        errors.push(FieldError::explained(
            "secret",
            Problem::Length { min: 16, max: 200 },
            "must be 16–200 characters",
        ));
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    let mut events = form.events.clone();
    events.dedup();
    let hook = state
        .store
        .create_webhook(
            url,
            &events,
            &form.secret,
            &caller.username,
            state.clock.now(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(hook.into())))
}

/// The webhook subscriptions (admin), without their secrets.
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = Vec<WebhookView>), (status = 403, body = crate::error::Problem)))]
async fn list(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<WebhookView>>> {
    require_admin(&caller, "manage webhooks")?;
    Ok(Json(
        state
            .store
            .webhooks()
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}

/// The newest 200 webhook deliveries and how each went (admin).
#[utoipa::path(get, path = "/api/v1/webhooks/deliveries", tag = "settings", security(("bearer" = [])),
    responses((status = 200, body = Vec<NotificationView>), (status = 403, body = crate::error::Problem)))]
async fn deliveries(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<Vec<NotificationView>>> {
    require_admin(&caller, "read the delivery log")?;
    let items = state
        .store
        .outbox_messages(Some("webhook"), false, 200)
        .await?;
    Ok(Json(
        items
            .into_iter()
            .map(|m| NotificationView::new(m, true))
            .collect(),
    ))
}

/// Sends a notice or a webhook delivery again now (admin), e.g. after it was given up.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/retry", tag = "settings", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 202), (status = 403, body = crate::error::Problem), (status = 404, body = crate::error::Problem)))]
async fn retry(
    State(state): State<AppState>,
    Caller(caller): Caller,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    require_admin(&caller, "send messages again")?;
    let id = kesu_app::id_in_path(&id, "message")?;
    if state.store.requeue_message(id, state.clock.now()).await? {
        Ok(StatusCode::ACCEPTED)
    } else {
        Err(ApiError::NotFound(format!("no message with id `{id}`")))
    }
}
