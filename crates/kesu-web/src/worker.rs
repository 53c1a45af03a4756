//! The background worker: fires SLA timers (warnings, breaches with escalation, reminders)
//! and watches parcels for logistics exceptions. Every process runs one; they share the work
//! through the database, and each timer fires once whichever process gets to it.

use std::time::Duration;

use kesu_domain::sla::{self, TimerKind};
use kesu_store::{Firing, StoredTimer};
use tokio::sync::watch;

use crate::error::ApiResult;
use crate::AppState;

/// Timers taken per round; the round repeats while a full page came back.
const PAGE: i64 = 200;

/// Runs rounds every `interval` until `stop` turns true. Errors are logged and retried.
pub async fn run(
    state: AppState,
    name: String,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(worker = %name, interval_ms = interval.as_millis() as u64, "worker started");
    loop {
        if let Err(e) = round(&state, &name).await {
            tracing::warn!(error = ?e, "worker round failed; retrying");
        }
        tokio::select! {
            _ = tokio::time::sleep(interval) => {}
            _ = stop.changed() => break,
        }
        if *stop.borrow() {
            break;
        }
    }
    tracing::info!(worker = %name, "worker stopped");
}

/// One round: everything due now. Returns how many timers fired.
pub async fn round(state: &AppState, name: &str) -> ApiResult<usize> {
    let mut fired = fire_due_timers(state, name).await?;
    fired += crate::logistics::scan(state).await?;
    Ok(fired)
}

async fn fire_due_timers(state: &AppState, name: &str) -> ApiResult<usize> {
    let now = state.clock.now();
    let policy = state.store.policy().await?;
    let mut fired = 0;
    loop {
        let due = state.store.due_timers(now, PAGE).await?;
        let full = due.len() as i64 == PAGE;
        for stored in &due {
            if fire(state, &policy, stored, now, name).await? {
                fired += 1;
            }
        }
        if !full {
            return Ok(fired);
        }
    }
}

async fn fire(
    state: &AppState,
    policy: &kesu_domain::Policy,
    stored: &StoredTimer,
    now: chrono::DateTime<chrono::Utc>,
    name: &str,
) -> ApiResult<bool> {
    let running = match state.store.case(stored.case_id).await? {
        Some(record) => sla::running_clock_keys(&record.case, policy),
        None => Vec::new(),
    };
    // The case moved on since the timer was set (a change by another process, say).
    if !running.contains(&stored.timer.clock_key) {
        state.store.cancel_timer(stored.id).await?;
        return Ok(false);
    }
    let t = &stored.timer;
    let next = match t.kind {
        TimerKind::Warning => None,
        TimerKind::Breach => sla::next_reminder(policy, t, 1, now).map(|n| (n, 1)),
        TimerKind::Reminder => {
            sla::next_reminder(policy, t, stored.number + 1, now).map(|n| (n, stored.number + 1))
        }
    };
    let number = (t.kind == TimerKind::Reminder).then_some(stored.number);
    let firing = Firing {
        action: t.kind.action(),
        data: sla::fired_data(t, number, now),
        next,
    };
    let done = state.store.fire_timer(stored, &firing, now, name).await?;
    if done {
        tracing::info!(case_id = stored.case_id, timer = %t.key, worker = %name, "SLA timer fired");
    }
    Ok(done)
}
