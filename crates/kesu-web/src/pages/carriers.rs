//! The carriers admins keep (code and name): every form picks from this list and every page
//! shows the name.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::carriers::{Carrier, Carriers};
use kesu_domain::Role;
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{PageError, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/carriers", get(page).post(save))
        .route("/admin/carriers/{code}/delete", post(delete))
}

/// The name people read for the carrier `code`: the shop's list, else the built-in names,
/// else the code as given.
pub fn carrier_name(carriers: &Carriers, lang: Lang, code: &str) -> String {
    carriers
        .name(code)
        .map(str::to_owned)
        .unwrap_or_else(|| lang.carrier(code))
}

/// A select of the shop's carriers, `selected` picked (a code not on the list stays
/// choosable, so that correcting a form never loses what was there).
pub fn carrier_select(
    lang: Lang,
    name: &'static str,
    carriers: &Carriers,
    selected: Option<&str>,
) -> Markup {
    let known = selected.is_none_or(|s| carriers.name(s).is_some());
    html! {
        select name=(name) required {
            option value="" selected[selected.is_none()] { (lang.t("choose_one")) }
            @for c in carriers.iter() {
                option value=(c.code) selected[selected.is_some_and(|s| s.eq_ignore_ascii_case(&c.code))] { (c.name) }
            }
            @if !known { @if let Some(s) = selected { option value=(s) selected { (lang.carrier(s)) } } }
        }
    }
}

fn admin_only(s: &PageSession) -> Option<Response> {
    (s.session.user.role != Role::Admin)
        .then(|| error_page(s.lang, StatusCode::FORBIDDEN, s.lang.t("forbidden")))
}

async fn page(State(state): State<AppState>, s: PageSession) -> Response {
    if let Some(refused) = admin_only(&s) {
        return refused;
    }
    render(&state, &s, None).await
}

async fn render(state: &AppState, s: &PageSession, problem: Option<String>) -> Response {
    let lang = s.lang;
    let carriers = match state.store.carriers().await {
        Ok(c) => c,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let body = html! {
        h1 { (lang.t("carriers")) }
        p.muted { (lang.t("carriers_hint")) }
        @if let Some(p) = &problem { div.error role="alert" { (p) } }
        section.panel {
            table.cards #carriers {
                thead { tr { th { (lang.t("carrier_name")) } th { (lang.t("carrier_code")) } th {} } }
                tbody {
                    @for c in carriers.iter() {
                        tr {
                            td data-label=(lang.t("carrier_name")) { (c.name) }
                            td data-label=(lang.t("carrier_code")) { code { (c.code) } }
                            td {
                                form.inline method="post" action={ "/admin/carriers/" (c.code) "/delete" } {
                                    (csrf_field(s))
                                    button.link type="submit" { (lang.t("remove")) }
                                }
                            }
                        }
                    }
                }
            }
            h2 { (lang.t("carrier_add")) }
            form.inline-form method="post" action="/admin/carriers" {
                (csrf_field(s))
                label { (lang.t("carrier_name")) input name="name" required maxlength="30" placeholder="圆通速递"; }
                label { (lang.t("carrier_code")) input name="code" required maxlength="20" placeholder="yto"; }
                button.primary type="submit" { (lang.t("save")) }
            }
        }
    };
    let status = if problem.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, layout(s, lang.t("carriers"), body)).into_response()
}

async fn save(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    if let Some(refused) = admin_only(&s) {
        return refused;
    }
    let lang = s.lang;
    let carrier = match Carrier::parse(f.get("code").unwrap_or(""), f.get("name").unwrap_or("")) {
        Ok(c) => c,
        Err(fields) => {
            let message = fields
                .iter()
                .map(|e| kesu_i18n::problem(lang, e))
                .collect::<Vec<_>>()
                .join("；");
            return render(&state, &s, Some(message)).await;
        }
    };
    match state.store.save_carrier(&carrier).await {
        Ok(()) => Redirect::to("/admin/carriers").into_response(),
        Err(e) => PageError::of(lang, e).into_response(),
    }
}

async fn delete(
    State(state): State<AppState>,
    Path(code): Path<String>,
    SignedForm(s, _f): SignedForm,
) -> Response {
    if let Some(refused) = admin_only(&s) {
        return refused;
    }
    match state.store.delete_carrier(&code).await {
        Ok(_) => Redirect::to("/admin/carriers").into_response(),
        Err(e) => PageError::of(s.lang, e).into_response(),
    }
}
