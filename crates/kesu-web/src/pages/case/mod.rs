//! The case page: header, the eight steps, the actions allowed now with their fields, the
//! history as a timeline, and the order with what is left to refund.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::case::Case;
use kesu_domain::codes::{Jurisdiction, Liability, ResolutionKind, RootCause};
use kesu_domain::event::Change;
use kesu_domain::fulfilment::{Inspection, ParcelOutcome, Step};
use kesu_domain::history::{Author, Entry, SystemActor};
use kesu_domain::money::{parse_yuan, Cents};
use kesu_domain::order::Order;
use kesu_domain::reply_check::ReplyRules;
use kesu_domain::{ActionName, CaseStatus, Role};
use kesu_store::{CaseRecord, HistoryEntry};
use maud::{html, Markup};
use serde_json::{json, Map, Value};

use super::i18n::Lang;
use super::posted::{explain, PageError, SignedForm};
use super::queue::badge;
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time, yuan, Form};
use crate::AppState;

mod action_forms;
mod panels;
mod reply_check;
mod submit;

pub use action_forms::action_label;
use action_forms::*;
use panels::*;
use reply_check::*;
use submit::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/{id}", get(show))
        .route("/cases/{id}/act", post(act))
        .route("/cases/{id}/customer-link", post(customer_link))
        .route("/cases/{id}/check-reply", post(check_reply))
}

/// The eight steps and the first status at which each is done.
const STEPS: &[(&str, CaseStatus)] = &[
    ("step_register", CaseStatus::Registered),
    ("step_judge", CaseStatus::Validated),
    ("step_route", CaseStatus::Routed),
    ("step_analyse", CaseStatus::Analysed),
    ("step_propose", CaseStatus::AwaitingApproval),
    ("step_approve", CaseStatus::Approved),
    ("step_execute", CaseStatus::Executed),
    ("step_follow_up", CaseStatus::Closed),
];

fn rank(s: CaseStatus) -> usize {
    CaseStatus::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

async fn show(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
    axum::extract::Query(q): axum::extract::Query<Vec<(String, String)>>,
) -> Response {
    let quote = q.iter().find(|(k, _)| k == "quote").map(|(_, v)| QuoteAsk {
        lines: v.clone(),
        shipping: q.iter().any(|(k, v)| k == "shipping" && v == "1"),
    });
    render_full(&state, &s, &id, None, quote).await
}

/// A refund quote the agent asked for on the case page.
pub struct QuoteAsk {
    lines: String,
    shipping: bool,
}

/// Something to tell the agent above the case: an error, or a notice such as a new link.
pub enum Flash {
    Error(StatusCode, String),
    Link(String),
}

pub(super) async fn render(
    state: &AppState,
    s: &PageSession,
    id: &str,
    error: Option<(StatusCode, String)>,
) -> Response {
    render_with(state, s, id, error.map(|(st, m)| Flash::Error(st, m))).await
}

async fn render_with(
    state: &AppState,
    s: &PageSession,
    id: &str,
    flash: Option<Flash>,
) -> Response {
    render_full(state, s, id, flash, None).await
}

async fn render_full(
    state: &AppState,
    s: &PageSession,
    id: &str,
    flash: Option<Flash>,
    quote: Option<QuoteAsk>,
) -> Response {
    let (error, new_link) = match flash {
        Some(Flash::Error(st, m)) => (Some((st, m)), None),
        Some(Flash::Link(l)) => (None, Some(l)),
        None => (None, None),
    };
    let lang = s.lang;
    let user = &s.session.user;
    let record = match state.visible_case(user, id).await {
        Ok(r) => r,
        Err(_) => return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found")),
    };
    let loaded = async {
        let history = state.store.history(record.case.id).await?;
        let order = match &record.case.order_no {
            Some(no) => state.store.order(no).await?,
            None => None,
        };
        let policy = state.store.policy().await?;
        let users = state.store.users().await?;
        let departments = state.store.departments().await?;
        let timers = state.store.case_timers(record.case.id).await?;
        let claims = state.store.claims(Some(record.case.id)).await?;
        Ok::<_, kesu_store::StoreError>((
            history,
            order,
            policy,
            users,
            departments,
            timers,
            claims,
        ))
    }
    .await;
    let (history, order, policy, users, departments, timers, claims) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let zone = policy.zone();
    let now = state.clock.now();
    let c = &record.case;
    let allowed = kesu_domain::allowed_actions(c, &user.actor());
    // The reply box offers the scripts that fit the case, filled with its data.
    let scripts = if allowed.contains(&ActionName::Comment) {
        crate::api::templates::offered(state, &record, user, lang.scripts())
            .await
            .unwrap_or_else(|e| {
                // The page still works without the scripts; the cause is logged.
                tracing::warn!(error = ?e, case = %record.case.number, "reply scripts could not be offered");
                Vec::new()
            })
    } else {
        Vec::new()
    };
    let who = record.complainant.view(user.role.sees_personal_data());
    // Who registered it, as the history's first entry names them: a colleague, 顾客 through
    // the web form, or the logistics monitor.
    let registered_by = match history.first() {
        Some(first) if matches!(first.entry, Entry::Registered(_)) => {
            actor_label(lang, &first.author)
        }
        _ => c.created_by.clone(),
    };
    let body = html! {
        div.case-head {
            h1 { (c.number) " " span.status { (lang.label(c.status)) } " " (badge(lang, c, now)) }
            p.meta {
                (lang.t("category")) ": " (lang.label(c.category)) " · "
                (lang.t("channel")) ": " (lang.label(c.channel)) " · "
                (lang.t("demand")) ": " (lang.label(c.demand)) " · "
                (lang.t("department")) ": " (c.department.as_ref().map(|d| departments.iter().find(|x| &x.code == d).map_or(d.as_str(), |x| x.name.as_str())).unwrap_or("—")) " · "
                (lang.t("assignee")) ": " (c.assignee.as_deref().unwrap_or("—"))
                @if let Some(due) = c.deadlines.resolve_by { " · " (lang.t("deadline")) ": " (local_time(due, zone)) }
                @for t in &c.tags { " " span.tag { (t) } }
            }
        }
        ol.steps aria-label=(lang.t("steps")) {
            @for (i, (label, done_at)) in STEPS.iter().enumerate() {
                @let done = rank(c.status) >= rank(*done_at) || (c.status == CaseStatus::Closed);
                @let current = !done && (i == 0 || rank(c.status) >= rank(STEPS[i - 1].1));
                li class=(if done { "done" } else if current { "current" } else { "todo" }) aria-current=[current.then_some("step")] { (lang.t(label)) }
            }
        }
        @if let Some((_, message)) = &error { div.error role="alert" { (message) } }
        @if let Some(l) = &new_link {
            div.notice role="status" { (lang.t("customer_link_new")) " " a #customer-link href=(l) { (l) } }
        }
        div.case-grid {
            section.panel {
                h2 { (lang.t("customer")) }
                p { (who.name) @if who.masked { " " span.muted { (lang.t("masked")) } } }
                @if let Some(p) = &who.phone { p { (lang.t("phone")) ": " (p) } }
                @if let Some(e) = &who.email { p { (lang.t("email")) ": " (e) } }
                @if user.role.sees_personal_data() && c.status.is_open() {
                    form method="post" action={ "/cases/" (c.id) "/customer-link" } {
                        (csrf_field(s))
                        button.link type="submit" { (lang.t("customer_link")) }
                    }
                }
                h2 { (lang.t("description")) }
                p.description { (c.description) }
                p.muted { (lang.t("received_at")) ": " (local_time(c.received_at, zone)) " · " (lang.t("created_by")) ": " (registered_by) }
                @if let Some(ch) = &c.chosen {
                    h2 { (lang.t("chosen")) }
                    p { (lang.label(ch.option.kind)) @if let Some(a) = ch.option.amount_cents { " " (yuan(a)) } }
                }
                (sla_panel(lang, c, &timers, zone))
                (referral_panel(lang, c, zone))
                (order_panel(lang, c.order_no.as_deref(), order.as_ref(), user.role.sees_personal_data()))
                (super::logistics::claims_panel(s, c, order.as_ref(), &claims, zone))
                @if let Some(o) = &order { (quote_panel(lang, c.id, o, quote.as_ref())) }
            }
            section.panel.actions {
                h2 { (lang.t("actions")) }
                @if allowed.is_empty() { p.muted { (lang.t("no_actions")) } }
                @if user.role == Role::Admin && c.status.is_open() { p.muted { (lang.t("admin_no_cases_hint")) } }
                @for (i, a) in allowed.iter().enumerate() {
                    details open[i == 0] {
                        summary { (action_label(lang, a.code())) }
                        form method="post" action={ "/cases/" (c.id) "/act" } data-action=(a) {
                            (csrf_field(s))
                            input type="hidden" name="action" value=(a);
                            input type="hidden" name="version" value=(c.version);
                            (action_fields(lang, *a, &record, &users, &departments, user.role, &scripts))
                            button.primary type="submit" { (lang.t("submit")) }
                        }
                    }
                }
            }
        }
        section.panel {
            h2 { (lang.t("history")) }
            ol.timeline { @for e in history.iter().rev() { (timeline_entry(lang, e, zone)) } }
        }
    };
    let status = error.as_ref().map(|(st, _)| *st).unwrap_or(StatusCode::OK);
    (status, layout(s, &c.number, body)).into_response()
}
