//! 通知: the notices in force (important ones first, each read or acknowledged with one
//! button), the form to post one, the notices posted with how many read them, and who read
//! each. The queue shows what is unread; a case shows the notices that concern it.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::codes::Category;
use kesu_domain::notice::{Importance, NoticeForm};
use kesu_domain::Permission;
use kesu_store::ReaderNotice;
use maud::{html, Markup};

use super::posted::{explain, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/notices", get(page).post(create))
        .route("/notices/{id}", get(readers))
        .route("/notices/{id}/read", post(read))
        .route("/notices/{id}/end", post(end))
}

/// One notice as the desk reads it, with its read or acknowledge button.
pub fn card(s: &PageSession, n: &ReaderNotice, back: &str, zone: chrono_tz::Tz) -> Markup {
    let lang = s.lang;
    let notice = &n.notice;
    let important = notice.importance == Importance::Important;
    let done = if important {
        n.acknowledged_at.is_some()
    } else {
        n.read_at.is_some()
    };
    html! {
        article.notice-card.important[important].unread[!done] data-notice=(notice.id) {
            h3 {
                @if important { span.badge.red { (lang.t("notice_important")) } " " }
                (notice.title)
            }
            p.notice-text { (notice.text) }
            p.muted {
                (notice.posted_by) " · " (local_time(notice.valid_from, zone))
                @if let Some(to) = notice.valid_to { " — " (local_time(to, zone)) }
                @for shop in &notice.targets.shops { " · " span.tag { (lang.t("shop")) " " (shop) } }
                @for sku in &notice.targets.skus { " · " span.tag { "SKU " (sku) } }
                @for c in &notice.targets.categories { " · " span.tag { (lang.label(*c)) } }
            }
            @if !done {
                form.inline method="post" action={ "/notices/" (notice.id) "/read" } {
                    (csrf_field(s))
                    input type="hidden" name="back" value=(back);
                    @if important {
                        input type="hidden" name="acknowledge" value="1";
                        button.primary type="submit" { (lang.t("notice_acknowledge")) }
                    } @else {
                        button type="submit" { (lang.t("notice_mark_read")) }
                    }
                }
            } @else if let Some(at) = n.acknowledged_at.or(n.read_at) {
                p.muted { (lang.t(if important { "notice_acknowledged_at" } else { "notice_read_at" })) " " (local_time(at, zone)) }
            }
        }
    }
}

/// The banner on the queue: how many notices wait, and the important ones in full.
pub fn banner(s: &PageSession, notices: &[ReaderNotice], zone: chrono_tz::Tz) -> Markup {
    let (unread, unacknowledged) = kesu_app::notices::unread(notices);
    let lang = s.lang;
    html! {
        @if unread > 0 || unacknowledged > 0 {
            section.panel.notices-banner #notices role="region" aria-label=(lang.t("desk_notices")) {
                p { strong { (lang.t("notices_waiting")) " " (unread) } @if unacknowledged > 0 { " · " span.badge.red { (lang.t("notices_to_acknowledge")) " " (unacknowledged) } }
                    " · " a href="/notices" { (lang.t("notices_all")) } }
                @for n in notices.iter().filter(|n| n.notice.importance == Importance::Important && n.acknowledged_at.is_none()) {
                    (card(s, n, "/", zone))
                }
            }
        }
    }
}

async fn page(State(state): State<AppState>, s: PageSession) -> Response {
    let lang = s.lang;
    let user = &s.session.user;
    let now = state.clock.now();
    let zone = state.zone().await;
    let notices = match kesu_app::notices::in_force(&state.store, user, now).await {
        Ok(n) => n,
        Err(e) => {
            let (status, message) = explain(lang, e);
            return error_page(lang, status, &message);
        }
    };
    let posts = user.role.may(Permission::PostNotices);
    let posted = if posts {
        kesu_app::notices::posted(&state.store, user)
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let body = html! {
        h1 { (lang.t("desk_notices")) }
        @if notices.is_empty() { p.empty { (lang.t("notices_none")) } }
        @for n in &notices { (card(&s, n, "/notices", zone)) }
        @if posts {
            details.panel #new-notice open[notices.is_empty()] {
                summary { (lang.t("notice_post")) }
                form method="post" action="/notices" {
                    (csrf_field(&s))
                    label { (lang.t("notice_title")) input type="text" name="title" required maxlength="100"; }
                    label { (lang.t("notice_text")) textarea name="text" rows="4" required {} }
                    label { (lang.t("notice_valid_from")) (super::datetime_input(lang, "valid_from", "")) }
                    label { (lang.t("notice_valid_to")) (super::datetime_input(lang, "valid_to", "")) }
                    label { (lang.t("notice_shops")) input type="text" name="shops" placeholder="tmall-main jd-store"; }
                    label { (lang.t("notice_skus")) input type="text" name="skus" placeholder="TEE-L-BLUE TEE-M-BLUE"; }
                    fieldset { legend { (lang.t("notice_categories")) }
                        @for c in Category::ALL { label.check { input type="checkbox" name="categories" value=(c.code()); (lang.label(*c)) } }
                    }
                    label.check { input type="checkbox" name="importance" value="important"; (lang.t("notice_important_hint")) }
                    button.primary type="submit" { (lang.t("notice_post")) }
                }
            }
            h2 { (lang.t("notices_posted")) }
            table.list {
                thead { tr { th { (lang.t("notice_title")) } th { (lang.t("notice_valid_from")) } th { (lang.t("notice_valid_to")) }
                    th.num { (lang.t("notice_readers")) } th.num { (lang.t("notice_acknowledgers")) } th {} } }
                tbody {
                    @for (n, readers, acknowledged) in &posted {
                        tr {
                            td { a href={ "/notices/" (n.id) } { (n.title) } }
                            td { (local_time(n.valid_from, zone)) }
                            td { @if let Some(t) = n.valid_to { (local_time(t, zone)) } @else { "—" } }
                            td.num { (readers) }
                            td.num { @if n.importance == Importance::Important { (acknowledged) } @else { "—" } }
                            td { @if n.valid_to.is_none_or(|t| t > now) && (n.posted_by == user.username || user.role == kesu_domain::Role::Admin) {
                                form.inline method="post" action={ "/notices/" (n.id) "/end" } {
                                    (csrf_field(&s))
                                    button.link type="submit" { (lang.t("notice_end")) }
                                }
                            } }
                        }
                    }
                }
            }
        }
    };
    layout(&s, lang.t("desk_notices"), body).into_response()
}

fn words(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，' || c == '、')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn create(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let lang = s.lang;
    let zone = state.zone().await;
    let when = |name: &str| match f.text(name) {
        None => Ok(None),
        Some(v) => {
            kesu_domain::dates::parse_local_time(name, &v, zone).map(|t| Some(t.fixed_offset()))
        }
    };
    let result = match (when("valid_from"), when("valid_to")) {
        (Err(e), _) | (_, Err(e)) => Err(kesu_app::AppError::Invalid(vec![e])),
        (Ok(valid_from), Ok(valid_to)) => {
            let form = NoticeForm {
                title: f.get("title").unwrap_or("").to_owned(),
                text: f.get("text").unwrap_or("").to_owned(),
                valid_from,
                valid_to,
                importance: if f.get("importance") == Some("important") {
                    Importance::Important
                } else {
                    Importance::Normal
                },
                shops: words(f.get("shops")),
                skus: words(f.get("skus")),
                categories: f
                    .all("categories")
                    .into_iter()
                    .filter_map(Category::parse)
                    .collect(),
            };
            kesu_app::notices::post(&state.store, &s.session.user, form, state.clock.now())
                .await
                .map(|_| ())
        }
    };
    match result {
        Ok(()) => Redirect::to("/notices").into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}

/// Where to go after reading: back where the button was, only to kesu's own pages.
fn back_to(raw: Option<&str>) -> String {
    match raw {
        Some(b) if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') => b.to_owned(),
        _ => "/notices".to_owned(),
    }
}

async fn read(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let Ok(id) = kesu_app::id_in_path(&id, "notice") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let acknowledge = f.get("acknowledge") == Some("1");
    match kesu_app::notices::mark(
        &state.store,
        &s.session.user,
        id,
        acknowledge,
        state.clock.now(),
    )
    .await
    {
        Ok(_) => Redirect::to(&back_to(f.get("back"))).into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}

async fn end(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, _f): SignedForm,
) -> Response {
    let lang = s.lang;
    let Ok(id) = kesu_app::id_in_path(&id, "notice") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    match kesu_app::notices::end(&state.store, &s.session.user, id, state.clock.now()).await {
        Ok(_) => Redirect::to("/notices").into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}

async fn readers(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
) -> Response {
    let lang = s.lang;
    let Ok(id) = kesu_app::id_in_path(&id, "notice") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let (notice, reads) = match kesu_app::notices::reads(&state.store, &s.session.user, id).await {
        Ok(x) => x,
        Err(e) => {
            let (status, message) = explain(lang, e);
            return error_page(lang, status, &message);
        }
    };
    let zone = state.zone().await;
    let staff = state.store.users().await.unwrap_or_default();
    let not_read: Vec<&kesu_store::User> = staff
        .iter()
        .filter(|u| u.role.handles_cases() && !reads.iter().any(|r| r.username == u.username))
        .collect();
    let body = html! {
        h1 { (notice.title) }
        p.notice-text { (notice.text) }
        h2 { (lang.t("notice_readers")) " " (reads.len()) }
        table.list {
            thead { tr { th { (lang.t("notice_reader")) } th { (lang.t("notice_read_at")) } th { (lang.t("notice_acknowledged_at")) } } }
            tbody { @for r in &reads { tr {
                td { (r.username) } td { (local_time(r.read_at, zone)) }
                td { @if let Some(a) = r.acknowledged_at { (local_time(a, zone)) } @else { "—" } }
            } } }
        }
        h2 { (lang.t("notice_not_read")) " " (not_read.len()) }
        p { @for u in &not_read { span.tag { (u.username) } " " } }
        p { a href="/notices" { (lang.t("notices_all")) } }
    };
    layout(&s, &notice.title, body).into_response()
}
