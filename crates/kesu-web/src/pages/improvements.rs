//! The dashboard's improvement actions: the list with each action's effect on the
//! complaints it targets, a form for supervisors to decide one, and its status moves.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use kesu_domain::codes::{Category, RootCause};
use kesu_domain::improvement::{ActionStatus, ImprovementForm, EFFECT_WEEKS};
use kesu_domain::{FieldError, Role};
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{explain, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, local_time};
use crate::api::improvements::{add, change_status, ImprovementView};
use crate::error::ApiError;
use crate::AppState;
use kesu_domain::error::{Problem, Thing};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/improvements", post(create))
        .route("/reports/improvements/{id}/status", post(set_status))
}

fn status_label(lang: Lang, s: ActionStatus) -> &'static str {
    lang.label(s)
}

/// The section of the dashboard.
pub fn section(s: &PageSession, list: &[ImprovementView], zone: chrono_tz::Tz) -> Markup {
    let lang = s.lang;
    let decides = matches!(s.session.user.role, Role::Supervisor | Role::Admin);
    html! {
        section #improvements {
            h2 { (lang.t("improvements")) }
            p.muted { (lang.t("improvements_hint")) " (" (EFFECT_WEEKS) " " (lang.t("weeks")) ")" }
            table.list {
                thead { tr {
                    th { (lang.t("improvement_title")) } th { (lang.t("root_cause")) } th { (lang.t("owner")) }
                    th { (lang.t("due_on")) } th { (lang.t("status")) } th.num { (lang.t("before_per_week")) }
                    th.num { (lang.t("after_per_week")) } th.num { (lang.t("change")) } th {}
                } }
                tbody {
                    @for i in list {
                        tr data-improvement=(i.id) {
                            td { (i.title) @if !i.case_ids.is_empty() { br; span.muted { (i.case_ids.len()) " " (lang.t("linked_cases")) } } }
                            td { (lang.label(i.root_cause))
                                 @if let Some(c) = i.category { " · " (lang.label(c)) } }
                            td { (i.owner) }
                            td.overdue[i.overdue] { (i.due_on) }
                            td { (status_label(lang, i.status)) @if let Some(d) = i.done_at { br; span.muted { (local_time(d, zone)) } } }
                            td.num { (i.effect.before_per_week) }
                            td.num { (i.effect.after_per_week.map_or_else(|| "—".to_owned(), |v| v.to_string())) }
                            td.num { @match i.effect.change {
                                Some(c) => span.delta.good[c < 0.0].bad[c > 0.0] { (if c <= 0.0 { "▼ " } else { "▲ " }) (format!("{:.0}%", c.abs() * 100.0)) },
                                None => "—",
                            } }
                            td { @if decides && !i.next.is_empty() {
                                form.inline method="post" action={ "/reports/improvements/" (i.id) "/status" } {
                                    (csrf_field(s))
                                    input type="hidden" name="version" value=(i.version);
                                    select name="status" { @for n in &i.next { option value=(n.code()) { (status_label(lang, *n)) } } }
                                    button type="submit" { (lang.t("update")) }
                                }
                            } }
                        }
                    }
                    @if list.is_empty() { tr { td colspan="9" .muted { (lang.t("no_improvements")) } } }
                }
            }
            @if decides {
                details #new-improvement {
                    summary { (lang.t("new_improvement")) }
                    form method="post" action="/reports/improvements" {
                        (csrf_field(s))
                        label { (lang.t("improvement_title")) input type="text" name="title" required maxlength="200"; }
                        label { (lang.t("root_cause")) select name="root_cause" {
                            @for c in RootCause::ALL { option value=(c.code()) { (lang.label(c)) } }
                        } }
                        label { (lang.t("category")) select name="category" {
                            option value="" { (lang.t("all")) }
                            @for c in Category::ALL { option value=(c.code()) { (lang.label(c)) } }
                        } }
                        label { (lang.t("owner")) input type="text" name="owner" required maxlength="64"; }
                        label { (lang.t("due_on")) (super::date_input(lang, "due_on", "")) }
                        label { (lang.t("linked_case_numbers")) input type="text" name="cases" placeholder="KS-20261101-0001 KS-20261102-0007"; }
                        label { (lang.t("note")) textarea name="note" rows="2" {} }
                        button.primary type="submit" { (lang.t("save")) }
                    }
                }
            }
        }
    }
}

fn failed(lang: Lang, e: ApiError) -> Response {
    let (status, message) = explain(lang, e);
    error_page(lang, status, &message)
}

/// Case numbers typed with spaces or commas, turned into ids (an unknown one is named).
async fn case_ids(state: &AppState, typed: &str) -> Result<Vec<i64>, ApiError> {
    let numbers: Vec<String> = typed
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .filter(|n| !n.is_empty())
        .map(|n| n.to_uppercase())
        .collect();
    let found = state.store.case_ids_by_numbers(&numbers).await?;
    if let Some(missing) = numbers.iter().find(|n| !found.iter().any(|(f, _)| f == *n)) {
        return Err(FieldError::new(
            "cases",
            Problem::Unknown {
                thing: Thing::Case,
                value: missing.to_string(),
            },
        )
        .into());
    }
    Ok(found.into_iter().map(|(_, id)| id).collect())
}

async fn create(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let made = async {
        let ids = case_ids(&state, f.get("cases").unwrap_or("")).await?;
        let form: ImprovementForm = crate::extract::from_value(serde_json::json!({
            "title": f.get("title").unwrap_or(""),
            "root_cause": f.get("root_cause").unwrap_or(""),
            "category": f.text("category"),
            "owner": f.get("owner").unwrap_or(""),
            // Typed as people write dates (2026/12/01 too); the API takes 2026-12-01.
            "due_on": kesu_domain::dates::parse_date("due_on", f.get("due_on").unwrap_or(""))
                .map(|d| d.to_string())
                .unwrap_or_else(|_| f.get("due_on").unwrap_or("").to_owned()),
            "case_ids": ids,
            "note": f.text("note"),
        }))?;
        add(&state, &s.session.user, form).await
    };
    match made.await {
        Ok(_) => Redirect::to("/reports#improvements").into_response(),
        Err(e) => failed(s.lang, e),
    }
}

async fn set_status(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let Ok(id) = raw.parse::<i64>() else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    let version = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let Some(status) = f.get("status").and_then(ActionStatus::parse) else {
        return failed(
            s.lang,
            FieldError::explained("status", Problem::Required, "choose a status").into(),
        );
    };
    match change_status(
        &state,
        &s.session.user,
        id,
        version,
        status,
        f.text("note").as_deref(),
    )
    .await
    {
        Ok(()) => Redirect::to("/reports#improvements").into_response(),
        Err(e) => failed(s.lang, e),
    }
}
