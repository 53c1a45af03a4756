//! The shop's after-sales policy: the public page customers read (`/policy`, linked from
//! `/complain` and their status page) and the admins' editor (`/admin/after-sales-policy`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use kesu_app::after_sales::Published;
use kesu_domain::after_sales_policy::{AfterSalesPolicy, TimePromise, MAX_SECTION_CHARS};
use kesu_domain::Permission;
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{explain, AdminForm, PageError};
use super::session::PageSession;
use super::{csrf_field, error_page, layout};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/policy", get(public_page))
        .route("/admin/after-sales-policy", get(editor).post(save))
}

/// The sections in the order customers read them: field, title.
const SECTIONS: [(&str, &str); 3] = [
    ("returns", "退换货"),
    ("warranty", "保修与三包"),
    ("how_to_complain", "投诉渠道"),
];

fn section_text<'a>(p: &'a AfterSalesPolicy, field: &str) -> &'a str {
    match field {
        "returns" => &p.returns,
        "warranty" => &p.warranty,
        _ => &p.how_to_complain,
    }
}

/// Blank-line separated paragraphs, each a `p`.
fn paragraphs(text: &str) -> Markup {
    html! {
        @for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
            p { @for (i, line) in para.lines().enumerate() { @if i > 0 { br; } (line) } }
        }
    }
}

/// The times the shop promises, as a list.
pub(super) fn time_list(times: &[TimePromise]) -> Markup {
    html! { ul.promises { @for t in times { li data-code=(t.code) { (t.text) } } } }
}

/// The whole policy, as `/policy` shows it.
fn policy_body(p: &Published) -> Markup {
    html! {
        h1 { "售后政策" }
        @for (field, title) in SECTIONS {
            section.policy-section id=(field) { h2 { (title) } (paragraphs(section_text(&p.policy, field))) }
        }
        section.policy-section #times {
            h2 { "处理时限" }
            (time_list(&p.times))
            (paragraphs(&p.policy.times_note))
        }
        p { a href="/complain" { "在线提交投诉" } }
    }
}

async fn public_page(State(state): State<AppState>) -> Response {
    match kesu_app::after_sales::published(&state.store).await {
        Ok(p) => super::customer::page("售后政策", policy_body(&p)).into_response(),
        Err(e) => PageError::of(Lang::Zh, e).into_response(),
    }
}

async fn editor(State(state): State<AppState>, s: PageSession) -> Response {
    if !s.session.user.role.may(Permission::ConfigureDesk) {
        return error_page(s.lang, StatusCode::FORBIDDEN, s.lang.t("forbidden"));
    }
    match kesu_app::after_sales::published(&state.store).await {
        Ok(p) => render(&s, &p.policy, &p.times, None),
        Err(e) => PageError::of(s.lang, e).into_response(),
    }
}

fn render(
    s: &PageSession,
    policy: &AfterSalesPolicy,
    times: &[TimePromise],
    error: Option<(StatusCode, String)>,
) -> Response {
    let lang = s.lang;
    let field = |name: &'static str, label: &'static str, text: &str, required: bool| {
        html! {
            label { (lang.t(label)) @if required { " " abbr.req title=(lang.t("required")) { "*" } }
                textarea name=(name) rows="6" maxlength=(MAX_SECTION_CHARS) required[required] { (text) } }
        }
    };
    let body = html! {
        h1 { (lang.t("after_sales_policy")) }
        @if let Some((_, m)) = &error { div.error role="alert" { (m) } }
        p.muted { (lang.t("after_sales_policy_intro")) " " a href="/policy" target="_blank" rel="noopener" { "/policy" } }
        form.panel method="post" action="/admin/after-sales-policy" {
            (csrf_field(s))
            (field("returns", "policy_returns", &policy.returns, true))
            (field("warranty", "policy_warranty", &policy.warranty, true))
            (field("how_to_complain", "policy_how_to_complain", &policy.how_to_complain, true))
            fieldset {
                legend { (lang.t("policy_times")) }
                p.muted { (lang.t("policy_times_from_deadlines")) }
                (time_list(times))
                (field("times_note", "policy_times_note", &policy.times_note, false))
            }
            button.primary type="submit" { (lang.t("save")) }
        }
    };
    let status = error.as_ref().map_or(StatusCode::OK, |(st, _)| *st);
    (status, layout(s, lang.t("after_sales_policy"), body)).into_response()
}

async fn save(State(state): State<AppState>, AdminForm(s, f): AdminForm) -> Response {
    let text = |k: &str| f.get(k).unwrap_or("").replace("\r\n", "\n");
    let policy = AfterSalesPolicy {
        returns: text("returns"),
        warranty: text("warranty"),
        how_to_complain: text("how_to_complain"),
        times_note: text("times_note"),
    };
    let now = state.clock.now();
    match kesu_app::after_sales::publish(&state.store, &s.session.user, &policy, now).await {
        Ok(_) => Redirect::to("/admin/after-sales-policy").into_response(),
        Err(e) => {
            let times = match kesu_app::after_sales::published(&state.store).await {
                Ok(p) => p.times,
                Err(e) => return PageError::of(s.lang, e).into_response(),
            };
            render(&s, &policy, &times, Some(explain(s.lang, e)))
        }
    }
}
