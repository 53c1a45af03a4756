//! Supervisors' views: the approvals inbox (approve or reject with a comment, in place).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kesu_domain::{CaseStatus, Role};
use kesu_store::{CaseFilter, Page};
use maud::html;

use super::posted::PageError;
use super::queue::badge;
use super::session::PageSession;
use super::{csrf_field, error_page, layout, yuan};
use crate::AppState;

/// Open cases past a deadline, escalated to supervisors, with their breach and reminders.
async fn escalations(
    state: &AppState,
) -> Result<Vec<(kesu_store::CaseRecord, kesu_store::StoredTimer, i64)>, kesu_store::StoreError> {
    let mut out = Vec::new();
    for (timer, reminders) in state.store.escalations(100).await? {
        if let Some(record) = state.store.case(timer.case_id).await? {
            out.push((record, timer, reminders));
        }
    }
    Ok(out)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/approvals", get(approvals))
}

async fn approvals(State(state): State<AppState>, s: PageSession) -> Response {
    let lang = s.lang;
    if !matches!(s.session.user.role, Role::Supervisor | Role::Admin) {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let now = state.clock.now();
    let filter = CaseFilter {
        status: Some(CaseStatus::AwaitingApproval),
        sort_by_deadline: true,
        now: Some(now),
        ..Default::default()
    };
    let (items, total) = match state
        .store
        .cases(
            &filter,
            Page {
                number: 1,
                size: 200,
            },
        )
        .await
    {
        Ok(r) => r,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let escalated = match escalations(&state).await {
        Ok(e) => e,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let zone = state.zone().await;
    let body = html! {
        section.panel #escalations {
            h2 { (lang.t("escalations")) " (" (escalated.len()) ")" }
            @if escalated.is_empty() { p.empty { (lang.t("no_escalations")) } } @else {
                table.board {
                    thead { tr { th { (lang.t("number")) } th { (lang.t("sla_clock")) } th { (lang.t("deadline")) }
                        th { (lang.t("sla_reminders")) } th { (lang.t("assignee")) } th { (lang.t("status")) } } }
                    tbody { @for (r, timer, reminders) in &escalated {
                        @let c = &r.case;
                        tr data-case=(c.id) {
                            td { a href={ "/cases/" (c.id) } { (c.number) } }
                            td { (lang.label(timer.fired.timer.clock)) }
                            td.overdue { (super::local_time(timer.fired.timer.deadline, zone)) }
                            td { (reminders) }
                            td { (c.assignee.as_deref().unwrap_or("—")) }
                            td { (lang.label(c.status)) }
                        }
                    } }
                }
            }
        }
        h1 { (lang.t("approvals")) " (" (total) ")" }
        @if items.is_empty() { p.empty { (lang.t("no_approvals")) } }
        @for r in &items {
            @let c = &r.case;
            section.panel.approval data-case=(c.id) {
                h2 { a href={ "/cases/" (c.id) } { (c.number) } " " (badge(lang, c, now, zone)) }
                p { (lang.label(c.category)) " · " (c.description) }
                @if let Some(ch) = &c.chosen {
                    p { strong { (lang.t("chosen")) ": " (lang.label(ch.option.kind))
                        @if let Some(a) = ch.option.amount_cents { " " (yuan(a)) } }
                        @if let Some(n) = &ch.option.note { " — " (n) } }
                }
                @if let Some(a) = &c.analysis { p.muted { (lang.t("findings")) ": " (a.findings) } }
                div.buttons {
                    @for (action, required) in [("approve", false), ("reject", true)] {
                        form method="post" action={ "/cases/" (c.id) "/act" } data-action=(action) {
                            (csrf_field(&s))
                            input type="hidden" name="action" value=(action);
                            input type="hidden" name="version" value=(c.version);
                            input type="hidden" name="back" value="/approvals";
                            label { (lang.t("comment")) input name="comment" required[required]; }
                            button.primary[action == "approve"] type="submit" { (super::case::action_label(lang, action)) }
                        }
                    }
                }
            }
        }
    };
    layout(&s, lang.t("approvals"), body).into_response()
}
