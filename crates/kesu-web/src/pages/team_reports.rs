//! 客服绩效: per-agent figures over a period (workload, satisfaction, deadlines met, quality
//! score, reopen rate) as charts whose every bar opens the cases behind it, a table with the
//! desk's row, and each agent's one-row-per-case export.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kesu_app::reports::agents::AgentFigures;
use kesu_domain::report::Figure;
use maud::{html, Markup, PreEscaped};
use serde_json::json;

use super::i18n::Lang;
use super::posted::PageError;
use super::session::{urlencode, PageSession};
use super::{layout, local_time};
use crate::report_params::ReportParams;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/agents", get(page))
        .route("/reports/cases", get(cases))
        .route("/assets/kesu-agents.js", get(js))
}

async fn js() -> Response {
    super::asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/kesu-agents.js"),
    )
}

fn pct(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 1000.0).round() / 10.0)
}

/// The link to the cases behind `figure` for `agent` in the period.
fn drill_link(figure: Figure, agent: &str, from: &str, to: &str) -> String {
    let mut q = format!(
        "/reports/cases?figure={}&from={from}&to={to}",
        figure.code()
    );
    if !agent.is_empty() {
        q.push_str(&format!("&assignee={}", urlencode(agent)));
    }
    q
}

fn figure_label(lang: Lang, figure: Figure) -> &'static str {
    lang.t(match figure {
        Figure::Cases => "ar_workload",
        Figure::Open => "ar_open",
        Figure::FollowedUp => "ar_followed_up",
        Figure::Unsatisfied => "ar_unsatisfied",
        Figure::WithDeadline => "ar_with_deadline",
        Figure::DeadlineMissed => "ar_deadline_missed",
        Figure::Reopened => "ar_reopened",
    })
}

fn row_cells(lang: Lang, a: &AgentFigures, from: &str, to: &str) -> Markup {
    let link =
        |f: Figure, text: String| html! { a href=(drill_link(f, &a.agent, from, to)) { (text) } };
    let share = |v: Option<f64>| pct(v).map_or_else(|| "—".to_owned(), |p| format!("{p}%"));
    html! {
        td.num { (link(Figure::Cases, a.cases.to_string())) }
        td.num { (link(Figure::Open, a.open.to_string())) }
        td.num { (link(Figure::FollowedUp, share(a.satisfied_share))) @if let Some(r) = a.average_rating { span.muted { " · " (format!("{r:.1}★")) } } }
        td.num { (link(Figure::DeadlineMissed, share(a.deadlines_met))) }
        td.num { @if let Some(q) = a.quality_score { (q) span.muted { " (" (a.quality_checks) ")" } } @else { "—" } }
        td.num { (link(Figure::Reopened, share(a.reopen_rate))) }
        td { a href={ "/reports/register?format=csv&from=" (from) "&to=" (to) @if !a.agent.is_empty() { "&assignee=" (urlencode(&a.agent)) } } { (lang.t("ar_export")) } }
    }
}

async fn page(
    State(state): State<AppState>,
    s: PageSession,
    Query(params): Query<ReportParams>,
) -> Response {
    let lang = s.lang;
    let zone = state.zone().await;
    let now = state.clock.now();
    let params = params.or_last_30_days(now, zone);
    let q = match params.query(zone, now) {
        Ok(q) => q,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let (from, to) = (q.period.from.to_string(), q.period.to.to_string());
    let (rows, team) =
        match kesu_app::reports::agents::agents(&state.store, &state.reports, &s.session.user, q)
            .await
        {
            Ok(x) => x,
            Err(e) => return PageError::of(lang, e).into_response(),
        };
    // Each chart: its key, title, colour, unit and scale.
    let figures = [
        ("workload", "ar_workload", "#0969da", "", None),
        ("satisfaction", "ar_satisfaction", "#1a7f37", "%", Some(100)),
        ("deadlines", "ar_deadlines_met", "#9a6700", "%", Some(100)),
        ("quality", "ar_quality", "#8250df", "", Some(100)),
        ("reopen", "ar_reopen_rate", "#cf222e", "%", None),
    ];
    let data = json!({
        "none": lang.t("ar_no_data"),
        "figures": figures.iter().map(|(key, label, color, unit, max)| json!({
            "key": key, "label": lang.t(label), "color": color, "unit": unit, "max": max})).collect::<Vec<_>>(),
        "rows": rows.iter().map(|a| json!({
            "agent": a.agent,
            "values": {
                "workload": a.cases,
                "satisfaction": pct(a.satisfied_share),
                "deadlines": pct(a.deadlines_met),
                "quality": a.quality_score,
                "reopen": pct(a.reopen_rate),
            },
            "links": {
                "workload": drill_link(Figure::Cases, &a.agent, &from, &to),
                "satisfaction": drill_link(Figure::FollowedUp, &a.agent, &from, &to),
                "deadlines": drill_link(Figure::DeadlineMissed, &a.agent, &from, &to),
                "quality": "/quality",
                "reopen": drill_link(Figure::Reopened, &a.agent, &from, &to),
            }
        })).collect::<Vec<_>>(),
    });
    let body = html! {
        h1 { (lang.t("agent_reports")) }
        form.filters method="get" action="/reports/agents" {
            label { (lang.t("from")) (super::date_input(lang, "from", &from)) }
            label { (lang.t("to")) (super::date_input(lang, "to", &to)) }
            button type="submit" { (lang.t("filter")) }
        }
        p.muted { (lang.t("ar_hint")) }
        div.chart-grid {
            @for (key, label, _, _, _) in &figures {
                section.panel.chart-box { h2 { (lang.t(label)) } div.chart id={ "chart-" (key) } {} }
            }
        }
        div.table-scroll { table.list #agent-figures {
            thead { tr {
                th { (lang.t("owner")) } th.num { (lang.t("ar_workload")) } th.num { (lang.t("ar_open")) }
                th.num { (lang.t("ar_satisfaction")) } th.num { (lang.t("ar_deadlines_met")) }
                th.num { (lang.t("ar_quality")) } th.num { (lang.t("ar_reopen_rate")) } th {}
            } }
            tbody {
                @for a in &rows { tr data-agent=(a.agent) { td { (a.agent) } (row_cells(lang, a, &from, &to)) } }
                tr.team { td { strong { (lang.t("ar_team")) } } (row_cells(lang, &team, &from, &to)) }
            }
        } }
        script #agents-data type="application/json" { (PreEscaped(data.to_string().replace("</", "<\\/"))) }
        script src="/assets/echarts.min.js" {}
        script src="/assets/kesu-agents.js" {}
    };
    layout(&s, lang.t("agent_reports"), body).into_response()
}

async fn cases(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = s.lang;
    let get = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .filter(|v| !v.trim().is_empty())
    };
    let Some(figure) = get("figure").as_deref().and_then(Figure::parse) else {
        return PageError::of(
            lang,
            kesu_domain::FieldError::new("figure", kesu_domain::Problem::Required),
        )
        .into_response();
    };
    let params = ReportParams {
        from: get("from"),
        to: get("to"),
        assignee: get("assignee"),
        category: get("category"),
        channel: get("channel"),
        ..Default::default()
    };
    let zone = state.zone().await;
    let now = state.clock.now();
    let query = match params.clone().or_last_30_days(now, zone).query(zone, now) {
        Ok(q) => q,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let (records, total) = match kesu_app::reports::agents::drill(
        &state.store,
        &state.reports,
        &s.session.user,
        query,
        figure,
    )
    .await
    {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let who = params
        .assignee
        .clone()
        .unwrap_or_else(|| lang.t("ar_team").to_owned());
    let body = html! {
        p { a href="/reports/agents" { "← " (lang.t("agent_reports")) } }
        h1 { (who) " · " (figure_label(lang, figure)) }
        p.muted { (lang.t("total")) " " (total) @if total > records.len() { " · " (lang.t("ar_first_shown")) " " (records.len()) } }
        table.list {
            thead { tr { th { (lang.t("case_number")) } th { (lang.t("status")) } th { (lang.t("category")) } th { (lang.t("owner")) } th { (lang.t("received_at")) } } }
            tbody { @for r in &records { tr {
                td { a href={ "/cases/" (r.case.id) } { (r.case.number) } }
                td { (lang.label(r.case.status)) }
                td { (lang.label(r.case.category)) }
                td { (r.case.assignee.as_deref().unwrap_or("—")) }
                td { (local_time(r.case.received_at, zone)) }
            } } }
        }
    };
    layout(&s, figure_label(lang, figure), body).into_response()
}
