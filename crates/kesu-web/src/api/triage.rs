//! Triage over HTTP (docs/interface.md §8): a complaint's text → suggested category, urgency and
//! department, with the words that led there. The registration form uses it to pre-fill.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use kesu_domain::error::Problem;
use kesu_domain::scripts::{first_reply_for, Language};
use kesu_domain::triage::{Triage, TriageRules};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ApiError, ApiResult};
use crate::extract::{from_value, ApiJson, Caller};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/triage", post(suggest))
        .route("/triage/rules", get(rules).put(set_rules))
        .route("/triage/model", get(model))
        .route("/triage/train", post(train))
}

/// Triage's words in force.
#[utoipa::path(get, path = "/api/v1/triage/rules", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Object)))]
async fn rules(State(state): State<AppState>, Caller(_): Caller) -> ApiResult<Json<TriageRules>> {
    Ok(Json(state.store.triage_rules().await?))
}

/// Replaces triage's words (admin only); used from the next suggestion on.
#[utoipa::path(put, path = "/api/v1/triage/rules", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = Object), (status = 403, body = crate::error::Problem),
              (status = 422, body = crate::error::Problem)))]
async fn set_rules(
    State(state): State<AppState>,
    Caller(caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<TriageRules>> {
    super::require_admin(&caller, "change triage's words")?;
    let rules: TriageRules = from_value(body)?;
    rules.validate().map_err(ApiError::Invalid)?;
    state
        .store
        .set_triage_rules(
            &rules,
            kesu_store::By::new(&caller.username, state.clock.now()),
        )
        .await?;
    Ok(Json(rules))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageRequest {
    #[schema(min_length = 1)]
    pub text: String,
    /// The complainant's phone, when known: earlier complaints from it within 30 days make
    /// the complaint urgent (signal `repeat:N`).
    #[serde(default)]
    pub phone: Option<String>,
    /// The order complained about, when known: likewise.
    #[serde(default)]
    pub order_no: Option<String>,
}

/// Triage's suggestion and the first-reply script for the suggested category.
#[derive(Debug, Serialize, ToSchema)]
pub struct TriageView {
    #[serde(flatten)]
    pub triage: Triage,
    /// The reply script (话术) to open with: its id and title (GET /api/v1/templates/{id}).
    pub first_reply_template: Option<TemplateRef>,
}

impl TriageView {
    /// The suggestion with its category's first-reply script from `library`.
    pub fn new(triage: Triage, library: &[kesu_domain::scripts::ReplyTemplate]) -> TriageView {
        let first_reply_template =
            first_reply_for(library, triage.category, Language::Zh).map(|t| TemplateRef {
                id: t.id.clone(),
                title: t.title.clone(),
            });
        TriageView {
            triage,
            first_reply_template,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateRef {
    pub id: String,
    pub title: String,
}

/// Longest text triaged.
const MAX_TEXT_CHARS: usize = 5000;

/// Suggests how to file a complaint.
#[utoipa::path(post, path = "/api/v1/triage", tag = "cases", security(("bearer" = [])),
    request_body = TriageRequest,
    responses((status = 200, body = TriageView), (status = 422, body = crate::error::Problem)))]
async fn suggest(
    State(state): State<AppState>,
    Caller(_caller): Caller,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> ApiResult<Json<TriageView>> {
    let req: TriageRequest = from_value(body)?;
    if req.text.trim().is_empty() {
        return Err(ApiError::invalid("text", Problem::Empty));
    }
    if req.text.chars().count() > MAX_TEXT_CHARS {
        return Err(ApiError::explained(
            "text",
            kesu_domain::Problem::TooLong {
                max: MAX_TEXT_CHARS as i64,
            },
            format!("at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    for (field, value) in [("phone", &req.phone), ("order_no", &req.order_no)] {
        let Some(value) = value else { continue };
        if value.chars().count() > 64 {
            return Err(ApiError::invalid(field, Problem::TooLong { max: 64 }));
        }
        if value.chars().any(char::is_control) {
            return Err(ApiError::invalid(field, Problem::ControlCharacter));
        }
    }
    let who = kesu_app::triage::Complainant {
        phone: req.phone.as_deref(),
        order_no: req.order_no.as_deref(),
    };
    let triage = kesu_app::triage::suggest(&state.store, &req.text, who, state.clock.now()).await?;
    let library = state.store.reply_templates().await?;
    Ok(Json(TriageView::new(triage, &library.templates)))
}

/// The model triage uses and its latest trainings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelView {
    /// `built-in` until a training of the shop's own cases beat it, then `shop`.
    pub in_use: &'static str,
    /// The training whose model is in use (none for the built-in model).
    pub training_id: Option<i64>,
    /// How many examples the model in use learned from.
    pub examples: usize,
    /// Newest first, at most 20.
    #[schema(value_type = Vec<Object>)]
    pub trainings: Vec<kesu_store::TrainingRecord>,
}

/// The model triage uses now, and how its latest trainings went.
#[utoipa::path(get, path = "/api/v1/triage/model", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = ModelView)))]
async fn model(State(state): State<AppState>, Caller(_): Caller) -> ApiResult<Json<ModelView>> {
    let in_use = kesu_app::triage::model_in_use(&state.store).await?;
    let training_id = match &in_use {
        kesu_app::triage::ModelInUse::BuiltIn => None,
        kesu_app::triage::ModelInUse::Shop { training, .. } => Some(*training),
    };
    Ok(Json(ModelView {
        in_use: in_use.name(),
        training_id,
        examples: in_use.model().examples,
        trainings: state.store.triage_trainings(20).await?,
    }))
}

/// What a training found.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingView {
    /// False when too few cases are closed yet (`closed_cases` of `needed`).
    pub trained: bool,
    pub training_id: Option<i64>,
    /// `built-in` or `shop`: the model it was compared with.
    pub compared_with: &'static str,
    pub closed_cases: Option<usize>,
    pub needed: Option<usize>,
    pub learned_from: Option<usize>,
    pub held_out: Option<usize>,
    /// Held-out cases the new model, and the one in use, filed under their final category.
    pub new_right: Option<usize>,
    pub old_right: Option<usize>,
    pub new_accuracy: Option<f64>,
    pub old_accuracy: Option<f64>,
    /// Whether the new model is now the one in use.
    pub replaced: bool,
}

/// Trains the shop's model now from its closed cases (admin); it replaces the model in use
/// only if it files at least as many held-out cases right.
#[utoipa::path(post, path = "/api/v1/triage/train", tag = "cases", security(("bearer" = [])),
    responses((status = 200, body = TrainingView), (status = 403, body = crate::error::Problem)))]
async fn train(
    State(state): State<AppState>,
    Caller(caller): Caller,
) -> ApiResult<Json<TrainingView>> {
    let done = kesu_app::triage::train_by(&state.store, &caller, state.clock.now()).await?;
    Ok(Json(training_view(&done)))
}

pub fn training_view(done: &kesu_app::triage::TrainingDone) -> TrainingView {
    use kesu_domain::triage_shop::Trained;
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let mut view = TrainingView {
        trained: false,
        training_id: done.id,
        compared_with: done.compared_with,
        closed_cases: None,
        needed: None,
        learned_from: None,
        held_out: None,
        new_right: None,
        old_right: None,
        new_accuracy: None,
        old_accuracy: None,
        replaced: false,
    };
    match &done.trained {
        Trained::TooFew { have, need } => {
            view.closed_cases = Some(*have);
            view.needed = Some(*need);
        }
        Trained::Done(t) => {
            view.trained = true;
            view.closed_cases = Some(t.learned_from + t.new_score.of);
            view.learned_from = Some(t.learned_from);
            view.held_out = Some(t.new_score.of);
            view.new_right = Some(t.new_score.right);
            view.old_right = Some(t.old_score.right);
            view.new_accuracy = Some(round(t.new_score.accuracy()));
            view.old_accuracy = Some(round(t.old_score.accuracy()));
            view.replaced = t.replaces;
        }
    }
    view
}
