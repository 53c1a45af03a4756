//! The triage model on the admins' templates page: which model files complaints now, how its
//! latest trainings scored on the shop's held-out cases, and a button to train at once.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use kesu_app::triage::ModelInUse;
use kesu_domain::triage_shop::Trained;
use maud::{html, Markup};

use super::posted::{explain, AdminForm};
use super::session::PageSession;
use super::{csrf_field, local_time};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/triage/train", post(train))
}

/// Trainings listed.
const SHOWN: i64 = 10;

/// The panel: the model in use, the latest trainings, the button.
pub async fn panel(state: &AppState, s: &PageSession) -> Markup {
    let lang = s.lang;
    let zone = state.zone().await;
    let (in_use, trainings) = match (
        kesu_app::triage::model_in_use(&state.store).await,
        state.store.triage_trainings(SHOWN).await,
    ) {
        (Ok(m), Ok(t)) => (m, t),
        (Err(e), _) => {
            tracing::warn!(error = ?e, "the triage model panel without the model");
            return html! {};
        }
        (_, Err(e)) => {
            tracing::warn!(error = ?e, "the triage model panel without the trainings");
            return html! {};
        }
    };
    let pct = |right: i64, of: i64| {
        if of == 0 {
            "–".to_owned()
        } else {
            format!("{:.1}%", right as f64 * 100.0 / of as f64)
        }
    };
    html! {
        section.panel #triage-model {
            h2 { (lang.t("triage_model")) }
            p {
                (lang.t("triage_model_in_use")) ": "
                strong { @match &in_use {
                    ModelInUse::BuiltIn => (lang.t("triage_model_builtin")),
                    ModelInUse::Shop { .. } => (lang.t("triage_model_shop")),
                } }
                " · " (lang.t("triage_model_examples")) " " (in_use.model().examples)
            }
            p.muted { (lang.t("triage_model_hint")) }
            @if !trainings.is_empty() {
                div.table-scroll { table.trainings {
                    thead { tr {
                        th { (lang.t("triage_trained_at")) }
                        th { (lang.t("triage_trained_by")) }
                        th.num { (lang.t("triage_closed_cases")) }
                        th.num { (lang.t("triage_held_out")) }
                        th.num { (lang.t("triage_new_model")) }
                        th.num { (lang.t("triage_old_model")) }
                        th { (lang.t("triage_outcome")) }
                    } }
                    tbody { @for t in &trainings { tr {
                        td { (local_time(t.trained_at, zone)) }
                        td { @if t.trained_by == "worker" { (lang.t("triage_by_worker")) } @else { (t.trained_by) } }
                        td.num { (t.closed_cases) }
                        td.num { (t.held_out) }
                        td.num { (pct(t.new_right, t.held_out)) }
                        td.num { (pct(t.old_right, t.held_out)) }
                        td { @if t.replaced { span.badge.green { (lang.t("triage_replaced")) } } @else { (lang.t("triage_kept")) } }
                    } } }
                } }
            }
            form method="post" action="/admin/triage/train" {
                (csrf_field(s))
                button type="submit" { (lang.t("triage_train_now")) }
            }
        }
    }
}

/// Trains now; back to the panel, whose newest row is this training.
async fn train(State(state): State<AppState>, AdminForm(s, _): AdminForm) -> Response {
    match kesu_app::triage::train_by(&state.store, &s.session.user, state.clock.now()).await {
        Ok(done) => match done.trained {
            Trained::Done(_) => Redirect::to("/admin/templates#triage-model").into_response(),
            Trained::TooFew { have, need } => {
                let message = format!("{} {have} / {need}", s.lang.t("triage_too_few"));
                super::templates::render(&state, &s, Some(message)).await
            }
        },
        Err(e) => {
            let e = crate::error::ApiError::from(e);
            tracing::warn!(error = ?e, "training triage's model from the workbench failed");
            super::templates::render(&state, &s, Some(explain(s.lang, e).1)).await
        }
    }
}
