//! Carriers' tracking events in (posted by staff tools, or pushed by a tracking hub): stored
//! once each, and a parcel in trouble flags or opens a case.

use chrono::{DateTime, Utc};
use kesu_domain::logistics::{assess_event, Level};
use kesu_domain::tracking::TrackingEvent;
use kesu_domain::Permission;
use kesu_store::{NewException, Store, User};

use crate::error::{AppError, AppResult};
use crate::logistics::{raise, Raised};

/// What became of the events taken in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ingested {
    pub received: usize,
    /// Events kesu already had: ignored.
    pub duplicates: usize,
    /// Numbers of open cases that were flagged.
    pub flagged: Vec<String>,
    /// Numbers of cases opened for parcels in trouble.
    pub opened: Vec<String>,
}

/// A staff caller posts checked events.
pub async fn post_events(
    store: &Store,
    caller: &User,
    events: &[TrackingEvent],
    now: DateTime<Utc>,
) -> AppResult<Ingested> {
    if !caller.role.may(Permission::PostTracking) {
        return Err(AppError::Forbidden(format!(
            "{} users cannot post tracking events",
            caller.role
        )));
    }
    ingest(store, events, now).await
}

/// Stores checked events and acts on parcels in trouble (a hub already authenticated by
/// its shared secret calls this directly).
pub async fn ingest(
    store: &Store,
    events: &[TrackingEvent],
    now: DateTime<Utc>,
) -> AppResult<Ingested> {
    let mut receipt = Ingested {
        received: events.len(),
        ..Ingested::default()
    };
    for event in events {
        let tracked = store.record_tracking(event, now).await?;
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
                detected_at: now,
                detail: Some(event_detail(event)),
                episode: event.at.timestamp_millis().to_string(),
            };
            match raise(store, &e, None, now).await? {
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
    format!("{}{place} {text}", kesu_i18n::Lang::Zh.label(e.status))
        .trim()
        .to_owned()
}
