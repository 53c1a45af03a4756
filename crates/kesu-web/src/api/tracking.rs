//! Tracking events in (docs/interface.md §6). A refused, returned, redirected, exception or damaged
//! event on a shipment of a known order flags its open case with a note, or opens a case
//! (channel `platform`, category `logistics` or `damaged`, the tracking number set) before the
//! customer complains.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kesu_domain::logistics::{assess_event, Level};
use kesu_domain::tracking::{TrackingEvent, TrackingEventForm};
use kesu_domain::{FieldError, Role};
use kesu_store::NewException;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::logistics::{raise, Raised};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/tracking/events", post(receive))
}

/// What happened to the events posted.
#[derive(Serialize, ToSchema)]
pub struct TrackingReceipt {
    pub received: usize,
    /// Events kesu already had: ignored.
    pub duplicates: usize,
    /// Numbers of open cases that were flagged.
    pub flagged: Vec<String>,
    /// Numbers of cases opened for parcels in trouble.
    pub opened: Vec<String>,
}

/// Takes one tracking event or a list. Repeats and late, older events are harmless.
#[utoipa::path(post, path = "/api/v1/tracking/events", tag = "logistics", security(("bearer" = [])),
    request_body = TrackingEventForm,
    responses((status = 200, body = TrackingReceipt), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn receive(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<Value>,
) -> ApiResult<Json<TrackingReceipt>> {
    if !matches!(caller.role, Role::Admin | Role::Supervisor | Role::Agent) {
        return Err(ApiError::Forbidden(format!(
            "{} users cannot post tracking events",
            caller.role
        )));
    }
    let (items, prefixed) = match body {
        Value::Array(items) => (items, true),
        one => (vec![one], false),
    };
    if items.len() > 1000 {
        return Err(ApiError::invalid("", "at most 1000 events per request"));
    }
    // Every event is checked before any is stored: a bad batch stores nothing.
    let mut events = Vec::with_capacity(items.len());
    let mut errors: Vec<FieldError> = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let prefix = if prefixed {
            format!("[{i}].")
        } else {
            String::new()
        };
        let form: TrackingEventForm = match from_value(item) {
            Ok(f) => f,
            Err(ApiError::Invalid(mut e)) => {
                for f in &mut e {
                    f.field = format!("{prefix}{}", f.field);
                }
                errors.append(&mut e);
                continue;
            }
            Err(other) => return Err(other),
        };
        match form.parse(&prefix) {
            Ok(e) => events.push(e),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Invalid(errors));
    }
    Ok(Json(ingest(&state, &events).await?))
}

/// Stores checked events and acts on parcels in trouble.
pub async fn ingest(state: &AppState, events: &[TrackingEvent]) -> ApiResult<TrackingReceipt> {
    let mut receipt = TrackingReceipt {
        received: events.len(),
        duplicates: 0,
        flagged: vec![],
        opened: vec![],
    };
    for event in events {
        let tracked = state.store.record_tracking(event).await?;
        if tracked.duplicate {
            receipt.duplicates += 1;
            continue;
        }
        let Some(kind) = assess_event(event) else {
            continue;
        };
        for order_no in &tracked.orders {
            let e = NewException {
                carrier: event.carrier.clone(),
                tracking_no: event.tracking_no.clone(),
                order_no: Some(order_no.clone()),
                kind,
                level: Level::Exception,
                detected_at: state.clock.now(),
                detail: Some(event_detail(event)),
                episode: event.at.timestamp_millis().to_string(),
            };
            match raise(state, &e, None).await? {
                Raised::Flagged(n) => receipt.flagged.push(n),
                Raised::Opened(n) => receipt.opened.push(n),
                Raised::Known | Raised::Warned => {}
            }
        }
    }
    Ok(receipt)
}

fn event_detail(e: &TrackingEvent) -> String {
    let place = e
        .location
        .as_deref()
        .map(|l| format!("（{l}）"))
        .unwrap_or_default();
    let text = e.text.as_deref().unwrap_or_default();
    format!("{}{place} {text}", e.status.label_zh())
        .trim()
        .to_owned()
}
