//! The queue: cases by status, category, channel, department, assignee and deadline, with a
//! countdown badge that turns amber, then red.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use kesu_domain::codes::{Category, Channel};
use kesu_domain::{Case, CaseStatus, Role};
use kesu_store::{CaseFilter, Page};
use maud::{html, Markup};

use super::i18n::Lang;
use super::session::{urlencode, PageSession};
use super::{error_page, layout, local_time};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(queue))
}

const PAGE_SIZE: u32 = 50;

/// How urgent a deadline is, for the badge's colour.
#[derive(Debug, PartialEq, Eq)]
pub enum Urgency {
    Ok,
    Soon,
    Overdue,
}

/// Overdue once past; "soon" in the last quarter of the allowed time or the last 4 hours.
pub fn urgency(case: &Case, now: DateTime<Utc>) -> Option<(Urgency, Duration)> {
    if !case.status.is_open() {
        return None;
    }
    let due = case.deadlines.resolve_by?;
    let left = due - now;
    let window = due - case.received_at;
    let u = if left < Duration::zero() {
        Urgency::Overdue
    } else if left < Duration::hours(4) || left * 4 < window {
        Urgency::Soon
    } else {
        Urgency::Ok
    };
    Some((u, left))
}

/// `2天3小时`, `5h 20m`: what is left (or how long ago it passed).
fn span(lang: Lang, d: Duration) -> String {
    let m = d.num_minutes().abs();
    let (days, hours, mins) = (m / 1440, (m % 1440) / 60, m % 60);
    match lang {
        Lang::Zh if days > 0 => format!("{days}天{hours}小时"),
        Lang::Zh if hours > 0 => format!("{hours}小时{mins}分"),
        Lang::Zh => format!("{mins}分钟"),
        Lang::En if days > 0 => format!("{days}d {hours}h"),
        Lang::En if hours > 0 => format!("{hours}h {mins}m"),
        Lang::En => format!("{mins}m"),
    }
}

pub fn badge(lang: Lang, case: &Case, now: DateTime<Utc>) -> Markup {
    if case.status.is_open() && case.is_paused() {
        return html! { span.badge.grey title=(lang.t("paused_waiting")) { (lang.t("clock_stopped")) } };
    }
    match urgency(case, now) {
        None => html! {},
        Some((Urgency::Overdue, left)) => {
            html! { span.badge.red title=(lang.t("overdue")) { (lang.t("overdue")) " " (span(lang, left)) } }
        }
        Some((Urgency::Soon, left)) => {
            html! { span.badge.amber title=(lang.t("due_soon")) { "⏳ " (span(lang, left)) } }
        }
        Some((Urgency::Ok, left)) => html! { span.badge.green { (span(lang, left)) } },
    }
}

async fn queue(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = s.lang;
    let user = &s.session.user;
    let get = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let now = state.clock.now();
    let mut filter = CaseFilter {
        status: get("status").and_then(|v| CaseStatus::parse(&v)),
        category: get("category").and_then(|v| Category::parse(&v)),
        channel: get("channel").and_then(|v| Channel::parse(&v)),
        overdue: get("overdue").map(|v| v == "1"),
        q: get("q"),
        search_personal_data: user.role.sees_personal_data(),
        now: Some(now),
        sort_by_deadline: true,
        ..Default::default()
    };
    let view = get("view").unwrap_or_default();
    match view.as_str() {
        "" => {}
        "mine" => filter.assignee = Some(user.username.clone()),
        "unassigned" => filter.unassigned = true,
        other => filter.assignee = Some(other.to_owned()),
    }
    filter.department =
        get("department").and_then(|d| kesu_domain::codes::DepartmentCode::parse(&d).ok());
    if user.role == Role::Department {
        filter.department = user.department.clone();
    }
    let page_no = get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 1)
        .unwrap_or(1u32)
        .min(crate::search::MAX_PAGE);
    let page = Page {
        number: page_no,
        size: PAGE_SIZE,
    };
    let (items, total) = match crate::search::list_cases(&state, &filter, page).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = ?e, "the queue could not be listed");
            return error_page(
                lang,
                StatusCode::INTERNAL_SERVER_ERROR,
                "the cases could not be listed",
            );
        }
    };
    // Who and where cases can be filtered by; departments see only their own.
    let (users, departments) = match (state.store.users().await, state.store.departments().await) {
        (Ok(u), Ok(d)) => (u, d),
        _ => (Vec::new(), Vec::new()),
    };
    let only_admin = users.len() <= 1 && user.role == Role::Admin;
    let zone = state.zone().await;
    let pages = (total as u32).div_ceil(PAGE_SIZE).max(1);
    let query_without_page: String = q
        .iter()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&");
    let sel = |k: &str, v: &str| get(k).as_deref() == Some(v);
    let body = html! {
        h1 { (lang.t("queue")) }
        @if only_admin {
            section.panel.getting-started {
                h2 { (lang.t("getting_started")) }
                ol {
                    li { a href="/admin" { (lang.t("gs_users")) } }
                    li { (lang.t("gs_register")) }
                    li { (lang.t("gs_handle")) }
                }
            }
        }
        // With htmx, the list follows the filters as they change; without it, the button.
        form.filters method="get" action="/" role="search" hx-get="/" hx-target="main" hx-select="main" hx-swap="outerHTML" hx-push-url="true"
            hx-trigger="input changed delay:400ms from:input[type=search], change" {
            label { span.sr { (lang.t("search")) } input type="search" name="q" value=[get("q")] placeholder=(lang.t("search_hint")); }
            label { (lang.t("status")) select name="status" {
                option value="" { (lang.t("all")) }
                @for st in CaseStatus::ALL { option value=(st.code()) selected[sel("status", st.code())] { (lang.label(st)) } }
            } }
            label { (lang.t("category")) select name="category" {
                option value="" { (lang.t("all")) }
                @for c in Category::ALL { option value=(c.code()) selected[sel("category", c.code())] { (lang.label(c)) } }
            } }
            label { (lang.t("channel")) select name="channel" {
                option value="" { (lang.t("all")) }
                @for c in Channel::ALL { option value=(c.code()) selected[sel("channel", c.code())] { (lang.label(c)) } }
            } }
            @if user.role != Role::Department {
                label { (lang.t("department")) select name="department" {
                    option value="" { (lang.t("all")) }
                    @for d in &departments { option value=(d.code.as_str()) selected[sel("department", d.code.as_str())] { (d.name) } }
                } }
            }
            label { (lang.t("assignee")) select name="view" {
                option value="" { (lang.t("all")) }
                option value="mine" selected[view == "mine"] { (lang.t("mine")) }
                option value="unassigned" selected[view == "unassigned"] { (lang.t("unassigned")) }
                @for u in users.iter().filter(|u| u.role.handles_cases() && u.username != user.username) {
                    option value=(u.username) selected[view == u.username] { (u.username) }
                }
            } }
            label.check { input type="checkbox" name="overdue" value="1" checked[sel("overdue", "1")]; (lang.t("overdue")) }
            button type="submit" { (lang.t("filter")) }
        }
        p.muted { (lang.t("total")) " " (total) }
        @if items.is_empty() {
            p.empty { (lang.t("no_cases")) }
        } @else {
            table.queue {
                thead { tr {
                    th { (lang.t("number")) } th { (lang.t("deadline")) } th { (lang.t("status")) }
                    th { (lang.t("category")) } th { (lang.t("channel")) } th { (lang.t("customer")) }
                    th { (lang.t("assignee")) } th { (lang.t("received")) }
                } }
                tbody {
                    @for r in &items {
                        @let c = &r.case;
                        tr {
                            td { a href={ "/cases/" (c.id) } { (c.number) } }
                            td { (super::queue::badge(lang, c, now)) }
                            td { (lang.label(c.status)) }
                            td { (lang.label(c.category)) }
                            td { (lang.label(c.channel)) }
                            td { (r.complainant.view(user.role.sees_personal_data()).name) }
                            td { (c.assignee.as_deref().unwrap_or("—")) }
                            td { (local_time(c.received_at, zone)) }
                        }
                    }
                }
            }
        }
        nav.pager {
            @if page_no > 1 { a href={ "/?" (query_without_page) "&page=" (page_no - 1) } { (lang.t("prev")) } }
            span { (page_no) " / " (pages) }
            @if page_no < pages { a href={ "/?" (query_without_page) "&page=" (page_no + 1) } { (lang.t("next")) } }
        }
    };
    layout(&s, lang.t("queue"), body).into_response()
}
