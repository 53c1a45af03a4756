//! Triage (docs/interface.md §8, §12): suggestions from the model in use — the shop's own once
//! a training has beaten the built-in one on the shop's held-out cases — with what is known of
//! the complainant; and the training itself, by the worker after every
//! [`RETRAIN_EVERY`] closed cases or on demand (`kesu triage train`).

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use kesu_domain::triage::Triage;
use kesu_domain::triage_model::{TriageContext, TriageModel};
use kesu_domain::triage_shop::{train_shop, Trained, MIN_EXAMPLES, RETRAIN_EVERY};
use kesu_store::{By, Store};

use crate::error::{AppError, AppResult};

/// A complaint from the same phone or about the same order this recently makes it urgent.
pub const REPEAT_WINDOW_DAYS: i64 = 30;

/// What is known of who complains, to find their earlier complaints.
#[derive(Debug, Clone, Copy, Default)]
pub struct Complainant<'a> {
    pub phone: Option<&'a str>,
    pub order_no: Option<&'a str>,
}

/// The model triage uses now.
#[derive(Clone)]
pub enum ModelInUse {
    BuiltIn,
    /// The shop's own, from training `training`.
    Shop {
        training: i64,
        model: Arc<TriageModel>,
    },
}

impl ModelInUse {
    /// `built-in` or `shop`, as the API and the command line name it.
    pub fn name(&self) -> &'static str {
        match self {
            ModelInUse::BuiltIn => "built-in",
            ModelInUse::Shop { .. } => "shop",
        }
    }

    pub fn model(&self) -> &TriageModel {
        match self {
            ModelInUse::BuiltIn => TriageModel::builtin(),
            ModelInUse::Shop { model, .. } => model,
        }
    }
}

/// The shop's model when it has one, else the built-in model.
pub async fn model_in_use(store: &Store) -> AppResult<ModelInUse> {
    Ok(match store.shop_triage_model().await? {
        Some((training, model)) => ModelInUse::Shop { training, model },
        None => ModelInUse::BuiltIn,
    })
}

/// Suggests how to file `text` with the shop's rules, routing policy and model in use.
pub async fn suggest(
    store: &Store,
    text: &str,
    who: Complainant<'_>,
    now: DateTime<Utc>,
) -> AppResult<Triage> {
    let policy = store.policy().await?;
    let rules = store.triage_rules().await?;
    let model = model_in_use(store).await?;
    let context = context(store, who, now).await?;
    Ok(model.model().suggest(&rules, &policy, text, context))
}

/// How often the complainant complained within [`REPEAT_WINDOW_DAYS`] before `now`.
pub async fn context(
    store: &Store,
    who: Complainant<'_>,
    now: DateTime<Utc>,
) -> AppResult<TriageContext> {
    let phone = who.phone.map(str::trim).filter(|p| !p.is_empty());
    let order_no = who.order_no.map(str::trim).filter(|o| !o.is_empty());
    let since = now - Duration::days(REPEAT_WINDOW_DAYS);
    Ok(TriageContext {
        recent_complaints: store.recent_complaints(phone, order_no, since).await?,
    })
}

/// A training's outcome: its record's id and what it found.
#[derive(Debug)]
pub struct TrainingDone {
    /// None when too few cases were closed to train.
    pub id: Option<i64>,
    pub trained: Trained,
    /// The model it was compared with.
    pub compared_with: &'static str,
}

/// Trains a model on the shop's closed cases now and keeps it if it does at least as well on
/// the held-out cases as the model in use (`actor`: who asked, for the audit trail).
pub async fn train(store: &Store, actor: &str, now: DateTime<Utc>) -> AppResult<TrainingDone> {
    let examples = store.triage_examples().await?;
    let closed = examples.len() as i64;
    let policy = store.policy().await?;
    let rules = store.triage_rules().await?;
    let current = model_in_use(store).await?;
    let compared_with = current.name();
    // Seconds of work for a large shop: off the async threads.
    let trained = tokio::task::spawn_blocking(move || {
        train_shop(&rules, &policy, &examples, current.model())
    })
    .await
    .map_err(|e| AppError::Internal(format!("triage training failed: {e}")))?;
    let id = match &trained {
        Trained::Done(training) => Some(
            store
                .record_triage_training(training, closed, By::new(actor, now))
                .await?,
        ),
        Trained::TooFew { .. } => None,
    };
    Ok(TrainingDone {
        id,
        trained,
        compared_with,
    })
}

/// Trains now on behalf of `caller`, who must be allowed to configure the desk.
pub async fn train_by(
    store: &Store,
    caller: &kesu_store::User,
    now: DateTime<Utc>,
) -> AppResult<TrainingDone> {
    crate::require(
        caller,
        kesu_domain::Permission::ConfigureDesk,
        "train triage's model",
    )?;
    train(store, &caller.username, now).await
}

/// Trains when [`RETRAIN_EVERY`] cases have closed since the last training (the worker's
/// check). Returns the training when there was one.
pub async fn retrain_if_due(store: &Store, now: DateTime<Utc>) -> AppResult<Option<TrainingDone>> {
    let closed = store.closed_case_count().await?;
    let last = store
        .triage_trainings(1)
        .await?
        .first()
        .map_or(0, |t| t.closed_cases);
    if closed < MIN_EXAMPLES as i64 || closed - last < RETRAIN_EVERY as i64 {
        return Ok(None);
    }
    train(store, "worker", now).await.map(Some)
}
