//! The queue: open cases by default, nearest deadline first; views for the agent's own
//! cases, the unowned ones (with 认领), everything and the closed; saved views; filters; bulk
//! assignment. Under ~600 px each row is a card.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::codes::{Category, Channel};
use kesu_domain::{ActionName, CaseStatus, Role};
use kesu_store::{CaseFilter, CaseRecord, Page};
use maud::{html, Markup};

use super::session::{urlencode, PageSession};
use super::{csrf_field, error_page, layout, local_time};
use crate::AppState;

pub(crate) mod badge;
mod mentions;
mod owners;

pub use badge::badge;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(queue))
        .route("/mentions", get(mentions::mentions))
        .route("/queue/take", post(owners::take))
        .route("/queue/assign", post(owners::assign))
        .route("/queue/views", post(owners::save_view))
        .route("/queue/views/delete", post(owners::delete_view))
}

const PAGE_SIZE: u32 = 50;

/// The query parameters the queue understands; anything else is dropped from saved views
/// and links.
pub(super) const PARAMS: &[&str] = &[
    "view",
    "q",
    "status",
    "category",
    "channel",
    "department",
    "owner",
    "overdue",
];

/// The built-in views, in the order of their tabs.
const VIEWS: &[(&str, &str)] = &[
    ("open", "view_open"),
    ("mine", "mine"),
    ("unowned", "view_unowned"),
    ("all", "all"),
    ("closed", "view_closed"),
];

/// What the queue page shows besides the cases: a notice after a bulk action.
#[derive(Default)]
pub(super) struct Notice {
    pub done: Option<String>,
    pub failures: Vec<String>,
}

async fn queue(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let mut notice = Notice::default();
    if let Some(n) = q.iter().find(|(k, _)| k == "assigned").map(|(_, v)| v) {
        notice.done = Some(format!("{} {n}", s.lang.t("assigned_count")));
    }
    render(&state, &s, &q, notice).await
}

/// The queue for the query `q`, with `notice` above it.
pub(super) async fn render(
    state: &AppState,
    s: &PageSession,
    q: &[(String, String)],
    notice: Notice,
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
    let view = match get("view").as_deref() {
        // Earlier links: `view=unassigned`, or a colleague's name.
        Some("unassigned") => "unowned".to_owned(),
        Some(v) => v.to_owned(),
        None => "open".to_owned(),
    };
    let mut filter = CaseFilter {
        status: get("status").and_then(|v| CaseStatus::parse(&v)),
        category: get("category").and_then(|v| Category::parse(&v)),
        channel: get("channel").and_then(|v| Channel::parse(&v)),
        overdue: get("overdue").map(|v| v == "1"),
        q: get("q"),
        search_personal_data: user.role.sees_personal_data(),
        now: Some(now),
        sort_by_deadline: true,
        assignee: get("owner"),
        ..Default::default()
    };
    match view.as_str() {
        "all" => {}
        "closed" => filter.open = Some(false),
        "mine" => {
            filter.open = Some(true);
            filter.assignee = Some(user.username.clone());
        }
        "unowned" => {
            filter.open = Some(true);
            filter.unassigned = true;
        }
        "open" => filter.open = Some(true),
        other => filter.assignee = Some(other.to_owned()),
    }
    // A status asked for by name wins over the view's open/closed.
    if filter.status.is_some() {
        filter.open = None;
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
    let (items, total) = match crate::search::list_cases(state, &filter, page).await {
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
    let loaded = async {
        Ok::<_, kesu_store::StoreError>((
            state.store.users().await?,
            state.store.departments().await?,
            state.store.saved_views(&user.username).await?,
        ))
    };
    let (users, departments, saved) = match loaded.await {
        Ok(x) => x,
        Err(e) => {
            // The queue still lists the cases; the pickers stay empty. The cause is logged.
            tracing::warn!(error = ?e, "the queue's pickers could not be loaded");
            Default::default()
        }
    };
    // The queue still lists the cases if the notices cannot be read; the cause is logged.
    let notices = kesu_app::notices::in_force(&state.store, user, now)
        .await
        .unwrap_or_else(|e| {
            tracing::warn!(error = ?e, "the notices could not be loaded");
            Vec::new()
        });
    let incidents = if user.role.may(kesu_domain::Permission::SuperviseDesk) {
        state.store.incidents(50, true).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let only_admin = users.len() <= 1 && user.role == Role::Admin;
    let zone = state.zone().await;
    let pages = (total as u32).div_ceil(PAGE_SIZE).max(1);
    let kept: Vec<(String, String)> = q
        .iter()
        .filter(|(k, v)| PARAMS.contains(&k.as_str()) && !v.trim().is_empty())
        .cloned()
        .collect();
    let query = encode(&kept);
    let sel = |k: &str, v: &str| get(k).as_deref() == Some(v);
    let bulk = matches!(user.role, Role::Agent | Role::Supervisor);
    let body = html! {
        h1 { (lang.t("queue")) }
        (super::incidents::banner(s, &incidents))
        (super::notices::banner(s, &notices, zone))
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
        nav.views aria-label=(lang.t("views")) {
            @for (code, label) in VIEWS {
                a href={ "/?view=" (code) } aria-current=[(view == *code && kept.len() <= 1).then_some("page")] { (lang.t(label)) }
            }
            a href="/mentions" { (lang.t("mentions")) }
            @for v in &saved {
                span.saved {
                    a href={ "/?" (v.query) } aria-current=[(v.query == query).then_some("page")] { (v.name) }
                    form.inline method="post" action="/queue/views/delete" {
                        (csrf_field(s))
                        input type="hidden" name="name" value=(v.name);
                        button.link type="submit" title=(lang.t("delete_view")) aria-label=(lang.t("delete_view")) { "×" }
                    }
                }
            }
        }
        @if let Some(d) = &notice.done { p.notice role="status" { (d) } }
        @if !notice.failures.is_empty() {
            div.error role="alert" { ul { @for f in &notice.failures { li { (f) } } } }
        }
        // With htmx, the list follows the filters as they change; without it, the button.
        form.filters method="get" action="/" role="search" hx-get="/" hx-target="main" hx-select="main" hx-swap="outerHTML" hx-push-url="true"
            hx-trigger="input changed delay:400ms from:input[type=search], change" {
            input type="hidden" name="view" value=(view);
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
            label { (lang.t("owner")) select name="owner" {
                option value="" { (lang.t("all")) }
                @for u in users.iter().filter(|u| u.role.handles_cases()) {
                    option value=(u.username) selected[sel("owner", &u.username)] { (u.username) }
                }
            } }
            label.check { input type="checkbox" name="overdue" value="1" checked[sel("overdue", "1")]; (lang.t("overdue")) }
            button type="submit" { (lang.t("filter")) }
        }
        form.save-view method="post" action="/queue/views" {
            (csrf_field(s))
            input type="hidden" name="query" value=(query);
            label { span.sr { (lang.t("view_name")) } input name="name" required maxlength="40" placeholder=(lang.t("view_name")); }
            button.link type="submit" { (lang.t("save_view")) }
        }
        p.muted { (lang.t("total")) " " (total) }
        @if items.is_empty() {
            p.empty { (lang.t("no_cases")) }
        } @else {
            form #bulk method="post" action="/queue/assign" {
                (csrf_field(s))
                input type="hidden" name="back" value=(query);
                @if bulk {
                    div.bulk-bar {
                        label { (lang.t("assign_selected_to"))
                            select name="user" {
                                @for u in users.iter().filter(|u| !u.disabled && u.role.handles_cases()) {
                                    option value=(u.username) { (u.username) " (" (lang.label(u.role)) ")" }
                                }
                            }
                        }
                        button type="submit" { (lang.t("assign_selected")) }
                    }
                }
                (table(s, &items, bulk, now, zone))
            }
        }
        nav.pager {
            @if page_no > 1 { a href={ "/?" (query) "&page=" (page_no - 1) } { (lang.t("prev")) } }
            span { (page_no) " / " (pages) }
            @if page_no < pages { a href={ "/?" (query) "&page=" (page_no + 1) } { (lang.t("next")) } }
        }
        (super::script_file("/assets/kesu-workbench.js"))
    };
    layout(s, lang.t("queue"), body).into_response()
}

fn table(
    s: &PageSession,
    items: &[CaseRecord],
    bulk: bool,
    now: chrono::DateTime<chrono::Utc>,
    zone: chrono_tz::Tz,
) -> Markup {
    let lang = s.lang;
    let user = &s.session.user;
    let actor = user.actor();
    html! {
        table.queue.cards {
            thead { tr {
                @if bulk { th.pick { input type="checkbox" data-select-all aria-label=(lang.t("select_all")); } }
                th { (lang.t("number")) } th { (lang.t("priority")) } th { (lang.t("deadline")) }
                th { (lang.t("complaint")) } th { (lang.t("status")) } th { (lang.t("owner")) }
                th { (lang.t("channel")) } th { (lang.t("customer")) } th { (lang.t("received")) }
            } }
            tbody {
                @for r in items {
                    @let c = &r.case;
                    tr data-case=(c.id) {
                        @if bulk { td.pick { input type="checkbox" name="case" value=(c.id) aria-label=(c.number); } }
                        td data-label=(lang.t("number")) { a href={ "/cases/" (c.id) } { (c.number) } }
                        td data-label=(lang.t("priority")) { span class={ "priority " (c.priority.code()) } { (lang.label(c.priority)) } }
                        td data-label=(lang.t("deadline")) { (badge(lang, c, now, zone)) }
                        td.summary data-label=(lang.t("complaint")) title=(c.description) {
                            span { strong { (lang.label(c.category)) } " " (one_line(&c.description, 40)) }
                        }
                        td data-label=(lang.t("status")) { (lang.label(c.status)) }
                        td data-label=(lang.t("owner")) {
                            @match &c.assignee {
                                Some(a) => { (a) }
                                None if kesu_domain::allowed_actions(c, &actor).contains(&ActionName::Take) => {
                                    button.take type="submit" formaction="/queue/take" name="take" value=(c.id) { (lang.t("take")) }
                                }
                                None => { span.muted { (lang.t("unowned")) } }
                            }
                        }
                        td data-label=(lang.t("channel")) { (lang.label(c.channel)) }
                        td data-label=(lang.t("customer")) { (r.complainant.view(false).name) }
                        td data-label=(lang.t("received")) { (local_time(c.received_at, zone)) }
                    }
                }
            }
        }
    }
}

/// The first `n` characters of `text` on one line, with … when cut.
fn one_line(text: &str, n: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = flat.chars();
    let head: String = chars.by_ref().take(n).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// `k=v&k=v`, each part percent-encoded.
pub(super) fn encode(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn a_summary_is_one_line_cut_with_an_ellipsis() {
        assert_eq!(
            one_line("快递\n显示已签收 但我没收到", 40),
            "快递 显示已签收 但我没收到"
        );
        assert_eq!(one_line("一二三四五", 3), "一二三…");
        assert_eq!(one_line("一二三", 3), "一二三");
    }
}
