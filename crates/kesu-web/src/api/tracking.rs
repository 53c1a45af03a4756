//! Tracking events in (docs/interface.md §6). A refused, returned, redirected, exception or damaged
//! event on a shipment of a known order flags its open case with a note, or opens a case
//! (channel `platform`, category `logistics` or `damaged`, the tracking number set) before the
//! customer complains.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kesu_domain::tracking::TrackingEventForm;
use kesu_domain::FieldError;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
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
    let (items, prefixed) = match body {
        Value::Array(items) => (items, true),
        one => (vec![one], false),
    };
    if items.len() > 1000 {
        return Err(ApiError::explained(
            "",
            kesu_domain::Problem::TooMany { max: 1000 },
            "at most 1000 events per request",
        ));
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
    let ingested =
        kesu_app::tracking::post_events(&state.store, &caller, &events, state.clock.now()).await?;
    Ok(Json(ingested.into()))
}

impl From<kesu_app::tracking::Ingested> for TrackingReceipt {
    fn from(i: kesu_app::tracking::Ingested) -> Self {
        TrackingReceipt {
            received: i.received,
            duplicates: i.duplicates,
            flagged: i.flagged,
            opened: i.opened,
        }
    }
}
