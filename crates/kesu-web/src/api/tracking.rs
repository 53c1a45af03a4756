//! Tracking events in (CONTRACT.md §6). A refused, returned or exception event on a shipment
//! of a known order flags its open case with an internal note, or opens a case (channel
//! `platform`, category `logistics`, the tracking number set) before the customer complains.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use kesu_domain::command::Command;
use kesu_domain::registration::RegistrationForm;
use kesu_domain::tracking::{TrackingEvent, TrackingEventForm};
use kesu_domain::{decide, evolve, Actor, FieldError, Role};
use kesu_store::StoreError;
use serde::Serialize;
use serde_json::{json, Value};
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
        if !event.status.is_exception() {
            continue;
        }
        for order_no in &tracked.orders {
            match flag_or_open(state, event, order_no).await? {
                Outcome::Flagged(n) => receipt.flagged.push(n),
                Outcome::Opened(n) => receipt.opened.push(n),
            }
        }
    }
    Ok(receipt)
}

enum Outcome {
    Flagged(String),
    Opened(String),
}

/// The monitor acts as a supervisor would, and says so in the history.
fn monitor() -> Actor {
    Actor::staff("logistics-monitor", Role::Supervisor, None)
}

fn describe(e: &TrackingEvent) -> String {
    let place = e
        .location
        .as_deref()
        .map(|l| format!("（{l}）"))
        .unwrap_or_default();
    let text = e
        .text
        .as_deref()
        .map(|t| format!("：{t}"))
        .unwrap_or_default();
    format!(
        "物流异常 {} {} {}{place}{text}",
        e.carrier,
        e.tracking_no,
        e.status.label_zh()
    )
}

async fn flag_or_open(state: &AppState, e: &TrackingEvent, order_no: &str) -> ApiResult<Outcome> {
    let now = state.clock.now();
    let policy = state.store.policy().await?;
    // A concurrent change to the case is retried once on the new version.
    for _ in 0..2 {
        let Some(record) = state
            .store
            .open_case_for_parcel(order_no, &e.tracking_no)
            .await?
        else {
            break;
        };
        let note = Command::Comment {
            text: describe(e),
            internal: true,
        };
        let event = decide(
            &record.case,
            &monitor(),
            &note,
            record.case.version,
            now,
            &policy,
        )?;
        match state
            .store
            .append_event(&evolve(&record.case, &event), &event)
            .await
        {
            Ok(()) => return Ok(Outcome::Flagged(record.case.number)),
            Err(StoreError::StaleVersion) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    let order = state
        .store
        .order(order_no)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("order {order_no} vanished")))?;
    let form: RegistrationForm = from_value(json!({
        "channel": "platform",
        "complainant": {"name": order.buyer.name.as_str(), "phone": order.buyer.phone.as_ref().map(|p| p.as_str())},
        "order_no": order_no, "tracking_no": e.tracking_no,
        "category": "logistics", "demand": "explanation",
        "description": describe(e), "tags": ["物流预警"],
    }))?;
    let registration = form.parse(now)?;
    let key = format!(
        "tracking:{}:{}:{}:{}",
        e.carrier,
        e.tracking_no,
        e.at.timestamp(),
        e.status.code()
    );
    let (record, _) = state
        .store
        .create_case(
            &registration,
            &monitor(),
            0,
            Some((key.as_str(), key.as_str())),
            now,
            &policy,
        )
        .await?;
    tracing::info!(case = %record.case.number, tracking = %e.tracking_no, "case opened for a parcel in trouble");
    Ok(Outcome::Opened(record.case.number))
}
