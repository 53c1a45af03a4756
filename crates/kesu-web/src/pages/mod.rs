//! The agent workbench: server-rendered pages (maud escapes everything it renders), a little
//! htmx, a session cookie and a CSRF token on every form. Chinese first, English on request.

mod account;
mod admin;
mod after_sales;
mod audit;
pub(crate) mod carriers;
pub(crate) mod case;
pub mod cookies;
mod customer;
mod customer_files;
pub mod i18n;
mod improvements;
mod incidents;
mod knowledge;
mod login;
mod logistics;
mod mailbox;
mod notices;
mod orders;
mod outbox;
mod personal_data;
mod platforms;
pub mod posted;
mod quality;
mod queue;
mod records_audits;
mod register;
mod reports;
mod rules;
pub mod session;
mod sso;
mod supervisor;
mod team_reports;
mod templates;
mod triage_model;
mod two_factor;

use axum::body::Bytes;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Utc};
use maud::{html, Markup, DOCTYPE};

use crate::AppState;
use i18n::Lang;
use kesu_domain::Role;
use session::PageSession;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(account::router())
        .merge(two_factor::router())
        .merge(sso::router())
        .merge(queue::router())
        .merge(register::router())
        .merge(case::router())
        .merge(carriers::router())
        .merge(customer::router())
        .merge(supervisor::router())
        .merge(admin::router())
        .merge(audit::router())
        .merge(personal_data::router())
        .merge(records_audits::router())
        .merge(logistics::router())
        .merge(orders::router())
        .merge(templates::router())
        .merge(after_sales::router())
        .merge(rules::router())
        .merge(triage_model::router())
        .merge(reports::router())
        .merge(improvements::router())
        .merge(notices::router())
        .merge(knowledge::router())
        .merge(incidents::router())
        .merge(quality::router())
        .merge(team_reports::router())
        .merge(outbox::router())
        .merge(mailbox::router())
        .merge(platforms::router())
        .route("/assets/htmx.min.js", get(htmx))
        .route("/assets/kesu.css", get(css))
        .route("/assets/kesu-workbench.js", get(workbench_js))
        .route("/assets/kesu-upload.js", get(upload_js))
        .route("/assets/kesu-rows.js", get(rows_js))
        .route("/assets/kesu-register.js", get(register_js))
        .route("/assets/kesu-pick.js", get(pick_js))
}

/// Scripts of single pages, served like the others so that no page carries inline script
/// (the Content-Security-Policy allows none).
async fn rows_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/kesu-rows.js"),
    )
}

async fn register_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/kesu-register.js"),
    )
}

async fn pick_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/kesu-pick.js"),
    )
}

async fn htmx() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/htmx.min.js"),
    )
}

async fn css() -> Response {
    asset(
        "text/css; charset=utf-8",
        include_bytes!("../../assets/kesu.css"),
    )
}

/// The workbench's keyboard shortcuts and small helpers (see the file's head).
async fn workbench_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/kesu-workbench.js"),
    )
}

/// Uploads with a progress bar (see the file's head).
async fn upload_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/kesu-upload.js"),
    )
}

pub(crate) fn asset(content_type: &'static str, body: &'static [u8]) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        Bytes::from_static(body),
    )
        .into_response()
}

/// A submitted form, fields in order (repeated names allowed).
#[derive(Default)]
pub struct Form(pub Vec<(String, String)>);

impl Form {
    pub fn parse(body: &[u8]) -> Form {
        Form(form_urlencoded::parse(body).into_owned().collect())
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// A trimmed, non-empty value.
    pub fn text(&self, key: &str) -> Option<String> {
        self.get(key)
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    }

    pub fn all(&self, key: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The frame of every signed-in page.
pub fn layout(s: &PageSession, title: &str, body: Markup) -> Markup {
    let lang = s.lang;
    let user = &s.session.user;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (lang.t("app")) }
                link rel="stylesheet" href="/assets/kesu.css";
                script src="/assets/htmx.min.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "客诉 kesu" }
                    // On a phone the links fold behind 菜单 (a checkbox: no script needed).
                    input #nav-toggle.nav-toggle type="checkbox" aria-hidden="true" tabindex="-1";
                    label.menu-button for="nav-toggle" { (lang.t("menu")) }
                    div.nav-box {
                    nav {
                        a href="/" { (lang.t("queue")) }
                        @if user.role.registers_cases() { a href="/cases/new" { (lang.t("register")) } }
                        @if user.role != Role::Admin { a href="/orders" { (lang.t("orders")) } }
                        @if matches!(user.role, Role::Supervisor | Role::Admin) {
                            a href="/approvals" { (lang.t("approvals")) }
                            a href="/?overdue=1" { (lang.t("overdue_cases")) }
                        }
                        @if user.role == Role::Department { a href="/" { (lang.t("department_inbox")) } }
                        @if user.role != Role::Admin { a href="/logistics" { (lang.t("logistics_board")) } }
                        a href="/notices" { (lang.t("desk_notices")) }
                        a href="/knowledge" { (lang.t("knowledge")) }
                        a href="/incidents" { (lang.t("incidents")) }
                        @if user.role.handles_cases() || user.role == Role::Admin { a href="/quality" { (lang.t("quality")) } }
                        a href="/reports" { (lang.t("reports")) }
                        @if user.role.may(kesu_domain::Permission::ReadAuditTrail) { a href="/audit" { (lang.t("audit_trail")) } }
                        @if user.role.may(kesu_domain::Permission::AuditRecords) { a href="/records-audits" { (lang.t("records_audits")) } }
                        @if user.role.may(kesu_domain::Permission::ServePersonalDataRequests) { a href="/personal-data" { (lang.t("personal_data_requests")) } }
                        @if user.role == Role::Admin { a href="/admin" { (lang.t("admin")) } }
                    }
                    div.me {
                        a.user href="/account" title=(lang.t("my_account")) { (user.username) " · " (lang.label(user.role)) }
                        form method="post" action="/lang" {
                            input type="hidden" name="_csrf" value=(s.session.csrf);
                            input type="hidden" name="lang" value=(if lang == Lang::Zh { "en" } else { "zh-CN" });
                            button.link type="submit" { (lang.t("language")) }
                        }
                        form method="post" action="/logout" {
                            input type="hidden" name="_csrf" value=(s.session.csrf);
                            button.link type="submit" { (lang.t("sign_out")) }
                        }
                    }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page that says what went wrong, with the right status.
pub fn error_page(lang: Lang, status: StatusCode, message: &str) -> Response {
    let page = html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head { meta charset="utf-8"; title { (lang.t("error")) } link rel="stylesheet" href="/assets/kesu.css"; }
            body { main.narrow {
                h1 { (lang.t("error")) " (" (status.as_u16()) ")" }
                p.error role="alert" { (message) }
                p { a href="/" { (lang.t("back_to_queue")) } }
            } }
        }
    };
    (status, page).into_response()
}

/// A time in the shop's zone, `2026-11-23 10:00`.
pub fn local_time(t: DateTime<Utc>, zone: chrono_tz::Tz) -> String {
    t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}

/// Cents as yuan, `¥129.00`.
pub fn yuan(cents: impl Into<kesu_domain::money::Cents>) -> String {
    format!("¥{}", cents.into())
}

/// A date field written as 2026-12-01 whatever the browser's locale (a browser's own date
/// picker shows mm/dd/yyyy to many): plain text, checked by the server.
pub fn date_input(lang: Lang, name: &str, value: &str) -> Markup {
    html! {
        input name=(name) value=(value) inputmode="numeric" autocomplete="off"
            placeholder="2026-12-01" title=(lang.t("date_hint")) maxlength="10";
    }
}

/// A date and time field written as 2026-12-01 14:30, in the shop's zone; its id is its
/// name (one per page, for its label).
pub fn datetime_input(lang: Lang, name: &str, value: &str) -> Markup {
    html! {
        input id=(name) name=(name) value=(value) autocomplete="off"
            placeholder="2026-12-01 14:30" title=(lang.t("datetime_hint")) maxlength="19";
    }
}

/// "Line:quantity" as this order's own lines would be written (`L1:1, L2:1`): the first two
/// of `ids`; empty when there are none.
pub fn lines_example<'a>(ids: impl IntoIterator<Item = &'a str>) -> String {
    let ids: Vec<String> = ids
        .into_iter()
        .filter(|id| !id.is_empty())
        .take(2)
        .map(|id| format!("{id}:1"))
        .collect();
    ids.join(", ")
}

/// A hidden CSRF field for a form of this session.
pub fn csrf_field(s: &PageSession) -> Markup {
    html! { input type="hidden" name="_csrf" value=(s.session.csrf); }
}

/// A script served from our own assets.
pub fn script_file(src: &'static str) -> Markup {
    html! { script src=(src) defer {} }
}
