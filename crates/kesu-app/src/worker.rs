//! The background worker: fires SLA timers (warnings, breaches with escalation, reminders)
//! and watches parcels for logistics exceptions. Every process runs one; they share the work
//! through the database, and each timer fires once whichever process gets to it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kesu_domain::sla::{self, Fired};
use kesu_domain::Policy;
use kesu_store::{Firing, Store};
use tokio::sync::watch;

use crate::error::AppResult;
use crate::Clock;

/// Cases taken at a time; a round goes on while new ones come back.
const PAGE: i64 = 200;

/// Runs rounds every `interval` until `stop` turns true. Errors are logged and retried.
pub async fn run(
    store: Store,
    clock: Arc<dyn Clock>,
    name: String,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(worker = %name, interval_ms = interval.as_millis() as u64, "worker started");
    loop {
        if let Err(e) = round(&store, clock.now(), &name).await {
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
pub async fn round(store: &Store, now: DateTime<Utc>, name: &str) -> AppResult<usize> {
    let started = std::time::Instant::now();
    let timers = fire_due_timers(store, now, name).await?;
    metrics::counter!("kesu_sla_timers_fired_total").increment(timers as u64);
    let fired = timers + crate::logistics::scan(store, now).await?;
    metrics::histogram!("kesu_worker_round_duration_seconds")
        .record(started.elapsed().as_secs_f64());
    Ok(fired)
}

async fn fire_due_timers(store: &Store, now: DateTime<Utc>, name: &str) -> AppResult<usize> {
    let policy = store.policy().await?;
    let mut fired = 0;
    // A case whose hint could not be moved (it changed meanwhile) is not taken twice in a round.
    let mut seen = HashSet::new();
    loop {
        let due = store.cases_with_due_timers(now, PAGE).await?;
        let fresh: Vec<i64> = due.into_iter().filter(|id| seen.insert(*id)).collect();
        if fresh.is_empty() {
            if fired > 0 {
                tracing::info!(fired, worker = %name, "SLA timers fired");
            }
            return Ok(fired);
        }
        for case_id in fresh {
            fired += fire_case(store, &policy, case_id, now, name).await?;
        }
    }
}

/// Fires every timer of one case due at `now`, then sets when it next needs the worker.
async fn fire_case(
    store: &Store,
    policy: &Policy,
    case_id: i64,
    now: DateTime<Utc>,
    name: &str,
) -> AppResult<usize> {
    let Some(record) = store.case(case_id).await? else {
        return Ok(0);
    };
    let case = &record.case;
    let fired_before: Vec<Fired> = store
        .case_timers(case_id)
        .await?
        .into_iter()
        .map(|t| t.fired)
        .collect();
    let firings: Vec<Firing> = sla::pending(case, policy, &fired_before)
        .into_iter()
        .take_while(|(timer, _)| timer.due <= now)
        .map(|(timer, number)| Firing {
            entry: sla::fired_entry(&timer, number, now),
            timer,
            number,
        })
        .collect();
    // Whoever fires them, these timers will have fired: the next one comes after.
    let mut after = fired_before;
    after.extend(firings.iter().map(|f| Fired {
        timer: f.timer.clone(),
        number: f.number,
        fired_at: now,
    }));
    let next = sla::next_due(case, policy, &after);
    let fired = store
        .fire_timers(case_id, case.version, &firings, next, now, name)
        .await?;
    for key in &fired {
        tracing::debug!(case_id, timer = %key, worker = %name, "SLA timer fired");
    }
    let count = fired.len();
    Ok(count)
}
