//! The background worker: fires SLA timers (warnings, breaches with escalation, reminders)
//! and watches parcels for logistics exceptions; every ten minutes it erases the customers of
//! cases past the retention period, counts complaints for spikes (incidents) and draws last
//! week's quality sample when it has none. Every process runs one; they share the work
//! through the database, and each timer fires once whichever process gets to it.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kesu_domain::sla::{self, Fired};
use kesu_domain::Policy;
use kesu_store::{CaseFirings, DueCase, Firing, Store};
use tokio::sync::watch;

use crate::error::AppResult;
use crate::Clock;

/// Cases taken at a time; a round goes on while new ones come back.
const PAGE: i64 = 200;

/// How often the retention period is looked at (its unit is days; each pass takes a batch).
const RETENTION_EVERY: Duration = Duration::from_secs(600);

/// How often complaints are counted for spikes (the window is hours long).
const SPIKES_EVERY: Duration = Duration::from_secs(600);

/// How often the worker looks whether enough cases closed to retrain triage's model.
const TRIAGE_EVERY: Duration = Duration::from_secs(60);

/// Runs rounds every `interval` until `stop` turns true. Errors are logged and retried.
pub async fn run(
    store: Store,
    clock: Arc<dyn Clock>,
    name: String,
    interval: Duration,
    mut stop: watch::Receiver<bool>,
) {
    tracing::info!(worker = %name, interval_ms = interval.as_millis() as u64, "worker started");
    let mut retention_due = std::time::Instant::now();
    let mut spikes_due = std::time::Instant::now();
    let mut triage_due = std::time::Instant::now();
    let training = Arc::new(std::sync::atomic::AtomicBool::new(false));
    loop {
        if let Err(e) = round(&store, clock.now(), &name).await {
            tracing::warn!(error = ?e, "worker round failed; retrying");
        }
        if std::time::Instant::now() >= retention_due {
            retention_due += RETENTION_EVERY;
            match crate::personal_data::retention_pass(&store, clock.now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    cases = n,
                    "retention period: customers' personal data erased"
                ),
                Err(e) => tracing::warn!(error = ?e, "retention pass failed; retrying later"),
            }
        }
        if std::time::Instant::now() >= spikes_due {
            spikes_due += SPIKES_EVERY;
            if let Err(e) = crate::incidents::detect(&store, clock.now()).await {
                tracing::warn!(error = ?e, "spike detection failed; retrying later");
            }
            // Last week's quality sample, once a week is over (whichever server is first).
            match crate::quality::weekly_draw(&store, clock.now()).await {
                Ok(Some(s)) => tracing::info!(week = %s.week, "quality sample drawn"),
                Ok(None) => {}
                Err(e) => {
                    tracing::warn!(error = ?e, "the weekly quality sample failed; retrying later")
                }
            }
        }
        if std::time::Instant::now() >= triage_due {
            triage_due += TRIAGE_EVERY;
            retrain_triage(&store, &clock, &training);
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

/// Retrains triage's model beside the rounds (it may take seconds), one training at a time.
fn retrain_triage(
    store: &Store,
    clock: &Arc<dyn Clock>,
    training: &Arc<std::sync::atomic::AtomicBool>,
) {
    use std::sync::atomic::Ordering;
    if training.swap(true, Ordering::AcqRel) {
        return;
    }
    let (store, clock, training) = (store.clone(), clock.clone(), training.clone());
    tokio::spawn(async move {
        match crate::triage::retrain_if_due(&store, clock.now()).await {
            Ok(Some(done)) => tracing::info!(training = ?done.id, "triage model trained"),
            Ok(None) => {}
            Err(e) => tracing::warn!(error = ?e, "triage training failed; retrying later"),
        }
        training.store(false, Ordering::Release);
    });
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
        let due = store.due_cases(now, PAGE).await?;
        let page: Vec<CaseFirings> = due
            .into_iter()
            .filter(|d| seen.insert(d.case.id))
            .map(|d| decide(d, &policy, now))
            .collect();
        if page.is_empty() {
            if fired > 0 {
                tracing::info!(fired, worker = %name, "SLA timers fired");
            }
            return Ok(fired);
        }
        let keys = store.fire_timers(&page, now, name).await?;
        for (case_id, key) in &keys {
            tracing::debug!(case_id, timer = %key, worker = %name, "SLA timer fired");
        }
        fired += keys.len();
    }
}

/// Which of a case's timers fire at `now`, and when it next needs the worker.
fn decide(due: DueCase, policy: &Policy, now: DateTime<Utc>) -> CaseFirings {
    let DueCase { case, fired } = due;
    let firings: Vec<Firing> = sla::pending(&case, policy, &fired)
        .into_iter()
        .take_while(|(timer, _)| timer.due <= now)
        .map(|(timer, number)| Firing {
            entry: sla::fired_entry(&timer, number, now),
            timer,
            number,
        })
        .collect();
    // Whoever fires them, these timers will have fired: the next one comes after.
    let mut after = fired;
    after.extend(firings.iter().map(|f| Fired {
        timer: f.timer.clone(),
        number: f.number,
        fired_at: now,
    }));
    CaseFirings {
        case_id: case.id,
        version: case.version,
        next: sla::next_due(&case, policy, &after),
        firings,
    }
}
