//! 事件: incidents (open first) with a detection round on demand, one incident with its
//! cases, a reply to all its customers (each checked, each case's result shown), cases
//! added, an improvement tied, resolved; on the case page, merging a duplicate and linking
//! related cases.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_app::incidents::CaseOutcome;
use kesu_domain::incident::IncidentStatus;
use kesu_domain::{ActionName, Permission};
use kesu_store::{CaseRecord, Incident, LinkedCase};
use maud::{html, Markup};
use serde_json::{Map, Value};

use super::i18n::Lang;
use super::posted::{explain, PageError, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(list).post(open))
        .route("/incidents/detect", post(detect))
        .route("/incidents/settings", post(save_settings))
        .route("/incidents/{id}", get(show).post(update))
        .route("/incidents/{id}/reply", post(reply))
        .route("/incidents/{id}/propose", post(propose))
        .route("/incidents/{id}/cases", post(add_cases))
        .route("/cases/{id}/merge", post(merge))
        .route("/cases/{id}/links", post(link))
}

fn refs(raw: Option<&str>) -> Vec<String> {
    raw.unwrap_or("")
        .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn failed(lang: Lang, e: impl Into<crate::error::ApiError>) -> Response {
    let (status, message) = explain(lang, e);
    error_page(lang, status, &message)
}

fn status_badge(lang: Lang, i: &Incident) -> Markup {
    html! {
        @match i.status {
            IncidentStatus::Open => span.badge.red { (lang.t("incident_open")) },
            IncidentStatus::Resolved => span.badge.green { (lang.t("incident_resolved")) },
        }
        @if i.escalated_at.is_some() { " " span.badge.amber { (lang.t("incident_escalated")) } }
        @if i.detected { " " span.tag { (lang.t("incident_detected")) } }
    }
}

/// The banner on the queue: open incidents kesu found (supervisors), those escalated (admins).
pub fn banner(s: &PageSession, incidents: &[Incident]) -> Markup {
    let lang = s.lang;
    let role = s.session.user.role;
    let shown: Vec<&Incident> = incidents
        .iter()
        .filter(|i| i.status == IncidentStatus::Open)
        .filter(|i| {
            (role.may(Permission::SuperviseDesk) && i.detected)
                || (role == kesu_domain::Role::Admin && i.escalated_at.is_some())
        })
        .collect();
    html! {
        @if !shown.is_empty() {
            section.panel.incidents-banner role="region" aria-label=(lang.t("incidents")) {
                @for i in shown {
                    p { "⚠ " a href={ "/incidents/" (i.id) } { (i.title) } " · " (i.case_ids.len()) " " (lang.t("incident_cases")) " " (status_badge(lang, i)) }
                }
            }
        }
    }
}

async fn list(State(state): State<AppState>, s: PageSession) -> Response {
    let lang = s.lang;
    let incidents = match state.store.incidents(200, false).await {
        Ok(i) => i,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let zone = state.zone().await;
    let supervises = s.session.user.role.may(Permission::SuperviseDesk);
    let settings = kesu_app::incidents::settings(&state.store)
        .await
        .unwrap_or_default();
    let body = html! {
        h1 { (lang.t("incidents")) }
        p.muted { (lang.t("incidents_hint")) }
        @if supervises {
            form.inline method="post" action="/incidents/detect" {
                (csrf_field(&s))
                button type="submit" { (lang.t("incident_detect_now")) }
            }
        }
        table.list {
            thead { tr { th { (lang.t("incident_title")) } th { (lang.t("status")) } th.num { (lang.t("incident_cases")) } th { (lang.t("incident_updated")) } } }
            tbody {
                @for i in &incidents { tr data-incident=(i.id) {
                    td { a href={ "/incidents/" (i.id) } { (i.title) } }
                    td { (status_badge(lang, i)) }
                    td.num { (i.case_ids.len()) }
                    td { (local_time(i.updated_at, zone)) }
                } }
                @if incidents.is_empty() { tr { td colspan="4" .muted { (lang.t("incidents_none")) } } }
            }
        }
        @if supervises {
            details.panel #new-incident {
                summary { (lang.t("incident_new")) }
                form method="post" action="/incidents" {
                    (csrf_field(&s))
                    label { (lang.t("incident_title")) input type="text" name="title" required maxlength="200"; }
                    label { (lang.t("incident_case_numbers")) input type="text" name="cases" placeholder="KS-20261123-0001 KS-20261123-0007"; }
                    label { (lang.t("note")) textarea name="note" rows="2" {} }
                    button.primary type="submit" { (lang.t("incident_new")) }
                }
            }
        }
        @if s.session.user.role.may(Permission::ConfigureDesk) {
            details.panel #incident-settings {
                summary { (lang.t("incident_settings")) }
                form method="post" action="/incidents/settings" {
                    (csrf_field(&s))
                    label { (lang.t("spike_window_hours")) input type="number" name="window_hours" min="1" max="72" value=(settings.rule.window_hours) required; }
                    label { (lang.t("spike_min_count")) input type="number" name="min_count" min="2" max="1000" value=(settings.rule.min_count) required; }
                    label { (lang.t("spike_factor")) input type="number" name="factor" min="1" max="100" value=(settings.rule.factor) required; }
                    label { (lang.t("spike_trailing_days")) input type="number" name="trailing_days" min="7" max="90" value=(settings.rule.trailing_days) required; }
                    label { (lang.t("wide_cases")) input type="number" name="wide_cases" min="2" max="10000" value=(settings.wide.cases) required; }
                    label { (lang.t("wide_shops")) input type="number" name="wide_shops" min="2" max="1000" value=(settings.wide.shops) required; }
                    button.primary type="submit" { (lang.t("save")) }
                }
            }
        }
    };
    layout(&s, lang.t("incidents"), body).into_response()
}

async fn open(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let cases = refs(f.get("cases"));
    match kesu_app::incidents::open(
        &state.store,
        &s.session.user,
        f.get("title").unwrap_or(""),
        &cases,
        f.text("note").as_deref(),
        state.clock.now(),
    )
    .await
    {
        Ok(i) => Redirect::to(&format!("/incidents/{}", i.id)).into_response(),
        Err(e) => failed(s.lang, e),
    }
}

async fn detect(State(state): State<AppState>, SignedForm(s, _f): SignedForm) -> Response {
    match kesu_app::incidents::detect(&state.store, state.clock.now()).await {
        Ok(_) => Redirect::to("/incidents").into_response(),
        Err(e) => failed(s.lang, e),
    }
}

async fn render(
    state: &AppState,
    s: &PageSession,
    id: &str,
    results: Option<Vec<CaseOutcome>>,
) -> Response {
    let lang = s.lang;
    let Ok(id) = kesu_app::id_in_path(id, "incident") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let (i, cases) = match kesu_app::incidents::show(&state.store, &s.session.user, id).await {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let improvements = state.store.improvements().await.unwrap_or_default();
    let zone = state.zone().await;
    let supervises = s.session.user.role.may(Permission::SuperviseDesk);
    let open_cases = cases.iter().filter(|c| c.case.status.is_open()).count();
    let body = html! {
        p { a href="/incidents" { "← " (lang.t("incidents")) } }
        h1 { (i.title) " " (status_badge(lang, &i)) }
        @if let Some(n) = &i.note { p.muted { (n) } }
        p.muted { (i.created_by) " · " (local_time(i.created_at, zone))
            @if let Some(at) = i.escalated_at { " · " (lang.t("incident_escalated")) " " (local_time(at, zone)) }
            @if let Some(imp) = i.improvement_id.and_then(|id| improvements.iter().find(|m| m.id == id)) {
                " · " (lang.t("incident_improvement")) "：" a href="/reports#improvements" { (imp.title) } }
        }
        @if let Some(results) = &results {
            section.panel.bulk-results role="status" {
                h2 { (lang.t("incident_reply_results")) }
                ul { @for o in results {
                    li.done[o.done].refused[!o.done] { a href={ "/cases/" (o.case_id) } { (o.number) } " · "
                        @if o.done { (lang.t("incident_reply_sent")) } @else { (lang.t("incident_reply_refused")) "：" (o.error.as_deref().unwrap_or("")) } }
                } }
            }
        }
        table.list {
            thead { tr { th { (lang.t("case_number")) } th { (lang.t("status")) } th { (lang.t("category")) } th { (lang.t("owner")) } th { (lang.t("received_at")) } } }
            tbody { @for r in &cases { (case_row(lang, r, zone)) } }
        }
        @if supervises {
            @if i.status == IncidentStatus::Open && open_cases > 0 {
                section.panel #bulk-reply {
                    h2 { (lang.t("incident_reply_all")) " (" (open_cases) ")" }
                    p.muted { (lang.t("incident_reply_hint")) }
                    form method="post" action={ "/incidents/" (i.id) "/reply" } {
                        (csrf_field(s))
                        textarea name="text" rows="4" required {}
                        button.primary type="submit" { (lang.t("incident_reply_send")) }
                    }
                }
            }
            @if i.status == IncidentStatus::Open && open_cases > 0 {
                details.panel #bulk-propose {
                    summary { (lang.t("incident_propose_all")) }
                    p.muted { (lang.t("incident_propose_hint")) }
                    form method="post" action={ "/incidents/" (i.id) "/propose" } {
                        (csrf_field(s))
                        label { (lang.t("kind")) select name="kind" {
                            @for k in kesu_domain::codes::ResolutionKind::ALL { option value=(k.code()) { (lang.label(*k)) } }
                        } }
                        label { (lang.t("amount_yuan")) input type="text" name="amount" inputmode="decimal" placeholder="10.00"; }
                        button type="submit" { (lang.t("incident_propose_send")) }
                    }
                }
            }
            details.panel {
                summary { (lang.t("incident_add_cases")) }
                form method="post" action={ "/incidents/" (i.id) "/cases" } {
                    (csrf_field(s))
                    label { (lang.t("incident_case_numbers")) input type="text" name="cases" required; }
                    button type="submit" { (lang.t("incident_add_cases")) }
                }
            }
            form.panel method="post" action={ "/incidents/" (i.id) } {
                (csrf_field(s))
                label { (lang.t("incident_improvement")) select name="improvement_id" {
                    option value="" { "—" }
                    @for m in &improvements { option value=(m.id) selected[i.improvement_id == Some(m.id)] { (m.title) } }
                } }
                label { (lang.t("status")) select name="status" {
                    option value="open" selected[i.status == IncidentStatus::Open] { (lang.t("incident_open")) }
                    option value="resolved" selected[i.status == IncidentStatus::Resolved] { (lang.t("incident_resolved")) }
                } }
                button type="submit" { (lang.t("save")) }
            }
        }
    };
    layout(s, &i.title, body).into_response()
}

fn case_row(lang: Lang, r: &CaseRecord, zone: chrono_tz::Tz) -> Markup {
    html! {
        tr {
            td { a href={ "/cases/" (r.case.id) } { (r.case.number) } }
            td { (lang.label(r.case.status)) }
            td { (lang.label(r.case.category)) }
            td { (r.case.assignee.as_deref().unwrap_or("—")) }
            td { (local_time(r.case.received_at, zone)) }
        }
    }
}

async fn show(State(state): State<AppState>, s: PageSession, Path(id): Path<String>) -> Response {
    render(&state, &s, &id, None).await
}

async fn reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let Ok(n) = kesu_app::id_in_path(&id, "incident") else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    let mut fields = Map::new();
    fields.insert(
        "text".into(),
        Value::String(f.get("text").unwrap_or("").to_owned()),
    );
    fields.insert("internal".into(), Value::Bool(false));
    match kesu_app::incidents::act_on_all(
        &state.store,
        &s.session.user,
        n,
        ActionName::Comment,
        fields,
        state.clock.now(),
    )
    .await
    {
        Ok(results) => render(&state, &s, &id, Some(results)).await,
        Err(e) => failed(s.lang, e),
    }
}

async fn add_cases(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let Ok(n) = kesu_app::id_in_path(&id, "incident") else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    match kesu_app::incidents::add_cases(
        &state.store,
        &s.session.user,
        n,
        &refs(f.get("cases")),
        state.clock.now(),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/incidents/{n}")).into_response(),
        Err(e) => failed(s.lang, e),
    }
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let Ok(n) = kesu_app::id_in_path(&id, "incident") else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    let status = f.get("status").and_then(IncidentStatus::parse);
    let improvement = f.get("improvement_id").and_then(|v| v.parse().ok());
    match kesu_app::incidents::update(
        &state.store,
        &s.session.user,
        n,
        status,
        improvement,
        None,
        state.clock.now(),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/incidents/{n}")).into_response(),
        Err(e) => failed(s.lang, e),
    }
}

/// The case page's panel: linked cases, the incidents it is in, merge and link forms.
pub fn case_panel(
    s: &PageSession,
    case: &kesu_domain::case::Case,
    links: &[LinkedCase],
    incidents: &[Incident],
) -> Markup {
    let lang = s.lang;
    let works = s.session.user.role.may(Permission::WorkCases);
    html! {
        section.panel #related {
            h2 { (lang.t("related_cases")) }
            @if let Some(into) = case.merged_into {
                p.notice { (lang.t("merged_into_notice")) " " a href={ "/cases/" (into) } { (lang.t("open_survivor")) } }
            }
            @for i in incidents {
                p { (lang.t("in_incident")) " " a href={ "/incidents/" (i.id) } { (i.title) } " " (status_badge(lang, i)) }
            }
            @if !links.is_empty() {
                p { (lang.t("linked_to")) " " @for l in links { a href={ "/cases/" (l.case_id) } { (l.number) } " " } }
            }
            @if works && case.status.is_open() {
                form.inline-form method="post" action={ "/cases/" (case.id) "/links" } {
                    (csrf_field(s))
                    label { (lang.t("link_case")) input type="text" name="case" required placeholder="KS-20261123-0002"; }
                    button type="submit" { (lang.t("link_case_button")) }
                }
                details {
                    summary { (lang.t("merge_case")) }
                    form method="post" action={ "/cases/" (case.id) "/merge" } {
                        (csrf_field(s))
                        p.muted { (lang.t("merge_hint")) }
                        label { (lang.t("merge_into")) input type="text" name="into" required placeholder="KS-20261123-0001"; }
                        button type="submit" { (lang.t("merge_button")) }
                    }
                }
            }
        }
    }
}

async fn merge(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let Ok(n) = kesu_app::cases::case_id(&id) else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    match kesu_app::incidents::merge(
        &state.store,
        &s.session.user,
        n,
        f.get("into").unwrap_or(""),
        state.clock.now(),
    )
    .await
    {
        Ok((_, survivor)) => Redirect::to(&format!("/cases/{}", survivor.case.id)).into_response(),
        Err(e) => super::case::render(&state, &s, &id, Some(explain(s.lang, e))).await,
    }
}

async fn link(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let Ok(n) = kesu_app::cases::case_id(&id) else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    match kesu_app::incidents::link(
        &state.store,
        &s.session.user,
        n,
        f.get("case").unwrap_or(""),
        state.clock.now(),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{n}#related")).into_response(),
        Err(e) => super::case::render(&state, &s, &id, Some(explain(s.lang, e))).await,
    }
}

async fn propose(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let Ok(n) = kesu_app::id_in_path(&id, "incident") else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    let mut option = serde_json::json!({"kind": f.get("kind").unwrap_or("")});
    if let Some(raw) = f.text("amount") {
        match kesu_domain::money::parse_yuan(&raw) {
            Ok(c) => option["amount_cents"] = serde_json::json!(c.get()),
            Err(_) => {
                return failed(
                    s.lang,
                    kesu_domain::FieldError::new("amount", kesu_domain::Problem::Format),
                )
            }
        }
    }
    let mut fields = Map::new();
    fields.insert("options".into(), Value::Array(vec![option]));
    match kesu_app::incidents::act_on_all(
        &state.store,
        &s.session.user,
        n,
        ActionName::Propose,
        fields,
        state.clock.now(),
    )
    .await
    {
        Ok(results) => render(&state, &s, &id, Some(results)).await,
        Err(e) => failed(s.lang, e),
    }
}

async fn save_settings(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let num = |k: &str| {
        f.get(k)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .unwrap_or(0)
    };
    let settings = kesu_domain::incident::IncidentSettings {
        rule: kesu_domain::spikes::SpikeRule {
            window_hours: num("window_hours"),
            min_count: num("min_count").clamp(0, u32::MAX as i64) as u32,
            factor: num("factor").clamp(0, u32::MAX as i64) as u32,
            trailing_days: num("trailing_days"),
        },
        wide: kesu_domain::incident::WideImpact {
            cases: num("wide_cases").clamp(0, u32::MAX as i64) as u32,
            shops: num("wide_shops").clamp(0, u32::MAX as i64) as u32,
        },
    };
    match kesu_app::incidents::set_settings(
        &state.store,
        &s.session.user,
        settings,
        state.clock.now(),
    )
    .await
    {
        Ok(_) => Redirect::to("/incidents").into_response(),
        Err(e) => failed(s.lang, e),
    }
}
