//! 个人信息请求: an admin serves a customer's request about their personal data (PIPL
//! Art. 45, 47). Find the person by phone, e-mail or order; hand over everything kesu holds
//! (JSON or Excel), or erase it. Everything goes by POST, so the phone never sits in a URL.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kesu_domain::erasure::PersonQuery;
use kesu_domain::Permission;
use kesu_store::CaseRecord;
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{explain, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time, Form};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/personal-data", get(page).post(act))
}

fn may_serve(s: &PageSession) -> bool {
    s.session
        .user
        .role
        .may(Permission::ServePersonalDataRequests)
}

/// What the page shows under the form.
enum Outcome {
    Nothing,
    Problem(String),
    Found {
        cases: Vec<CaseRecord>,
        orders: Vec<String>,
    },
    Erased(kesu_store::Erasure),
}

async fn page(State(state): State<AppState>, s: PageSession) -> Response {
    if !may_serve(&s) {
        return error_page(s.lang, StatusCode::FORBIDDEN, s.lang.t("forbidden"));
    }
    render(
        &s,
        state.zone().await,
        &Form::default(),
        Outcome::Nothing,
        None,
    )
}

async fn act(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let lang = s.lang;
    if !may_serve(&s) {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let query = match PersonQuery::parse(f.get("phone"), f.get("email"), f.get("order_no")) {
        Ok(q) => q,
        Err(errors) => {
            let (status, message) = explain(lang, crate::error::ApiError::Invalid(errors));
            return render(
                &s,
                state.zone().await,
                &f,
                Outcome::Problem(message),
                Some(status),
            );
        }
    };
    let user = &s.session.user;
    let zone = state.zone().await;
    let render = |f: &Form, outcome, status| render(&s, zone, f, outcome, status);
    match f.get("op").unwrap_or("find") {
        op @ ("json" | "xlsx") => {
            match crate::api::personal_data::person_file(&state, user, &query, Some(op)).await {
                Ok(file) => file,
                Err(e) => {
                    let (status, message) = explain(lang, e);
                    render(&f, Outcome::Problem(message), Some(status))
                }
            }
        }
        "erase" => {
            if f.get("confirm") != Some("1") {
                let message = lang.t("pd_confirm_needed").to_owned();
                let status = Some(StatusCode::UNPROCESSABLE_ENTITY);
                return render(&f, Outcome::Problem(message), status);
            }
            let reason = f.get("reason").unwrap_or_default();
            let now = state.clock.now();
            match kesu_app::personal_data::erase(&state.store, user, &query, reason, now).await {
                // The form is emptied: what was typed names someone who is gone.
                Ok(done) => render(&Form::default(), Outcome::Erased(done), None),
                Err(e) => {
                    let (status, message) = explain(lang, e);
                    render(&f, Outcome::Problem(message), Some(status))
                }
            }
        }
        _ => {
            let found = match kesu_app::personal_data::find(&state.store, user, &query).await {
                Ok(found) => found,
                Err(e) => {
                    let (status, message) = explain(lang, e);
                    return render(&f, Outcome::Problem(message), Some(status));
                }
            };
            match state.store.cases_by_ids(&found.case_ids).await {
                Ok(cases) => render(
                    &f,
                    Outcome::Found {
                        cases,
                        orders: found.order_nos,
                    },
                    None,
                ),
                Err(e) => {
                    let (status, message) = explain(lang, e);
                    render(&f, Outcome::Problem(message), Some(status))
                }
            }
        }
    }
}

fn person_fields(lang: Lang, f: &Form) -> Markup {
    let v = |k: &str| f.get(k).unwrap_or_default().to_owned();
    html! {
        label { (lang.t("phone")) input type="tel" name="phone" value=(v("phone")) autocomplete="off"; }
        label { (lang.t("email")) input type="email" name="email" value=(v("email")) autocomplete="off"; }
        label { (lang.t("order_no")) input type="text" name="order_no" value=(v("order_no")) autocomplete="off"; }
    }
}

/// The same person again, for the buttons under the results.
fn hidden_person(f: &Form) -> Markup {
    html! {
        @for k in ["phone", "email", "order_no"] {
            input type="hidden" name=(k) value=(f.get(k).unwrap_or_default());
        }
    }
}

fn render(
    s: &PageSession,
    zone: chrono_tz::Tz,
    f: &Form,
    outcome: Outcome,
    status: Option<StatusCode>,
) -> Response {
    let lang = s.lang;
    let body = html! {
        h1 { (lang.t("personal_data_requests")) }
        p.muted { (lang.t("pd_hint")) }
        form.filters method="post" action="/personal-data" {
            (csrf_field(s))
            input type="hidden" name="op" value="find";
            (person_fields(lang, f))
            button.primary type="submit" { (lang.t("pd_find")) }
        }
        @match &outcome {
            Outcome::Nothing => {},
            Outcome::Problem(message) => div.error role="alert" { (message) },
            Outcome::Erased(done) => div.notice role="status" {
                @if done.cases.is_empty() && done.orders == 0 {
                    (lang.t("pd_found_none"))
                } @else {
                    (lang.t("pd_erased")) " "
                    (done.cases.join("、"))
                    " · " (lang.t("pd_orders")) " " (done.orders)
                    " · " (lang.t("pd_files")) " " (done.attachments)
                    " · " (lang.t("pd_messages")) " " (done.messages)
                }
            },
            Outcome::Found { cases, orders } => {
                @if cases.is_empty() && orders.is_empty() {
                    p.muted { (lang.t("pd_found_none")) }
                } @else {
                    section.panel {
                        h2 { (lang.t("pd_cases")) " (" (cases.len()) ")" }
                        ul { @for r in cases {
                            li { a href={ "/cases/" (r.case.id) } { (r.case.number) } " · "
                                 (lang.label(r.case.status)) " · " (local_time(r.case.received_at, zone)) }
                        } }
                        @if !orders.is_empty() {
                            h2 { (lang.t("pd_orders")) }
                            p { (orders.join("、")) }
                        }
                        form.inline method="post" action="/personal-data" {
                            (csrf_field(s))
                            (hidden_person(f))
                            button type="submit" name="op" value="json" { (lang.t("pd_export_json")) }
                            button type="submit" name="op" value="xlsx" { (lang.t("pd_export_xlsx")) }
                        }
                    }
                    section.panel.danger-zone {
                        h2 { (lang.t("pd_erase")) }
                        p.muted { (lang.t("pd_erase_warning")) }
                        form method="post" action="/personal-data" {
                            (csrf_field(s))
                            (hidden_person(f))
                            input type="hidden" name="op" value="erase";
                            label { (lang.t("pd_reason")) input type="text" name="reason" required maxlength="200"; }
                            label.check { input type="checkbox" name="confirm" value="1"; (lang.t("pd_confirm")) }
                            button.danger type="submit" { (lang.t("pd_erase")) }
                        }
                    }
                }
            },
        }
    };
    let page = layout(s, lang.t("personal_data_requests"), body).into_response();
    match status {
        Some(code) => (code, page).into_response(),
        None => page,
    }
}
