//! The dashboard (统计报表): where complaints come from and what they cost, at a glance —
//! figures beside the previous period, charts drawn by Apache ECharts (vendored), the
//! tables behind them, and the exports.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kesu_domain::codes::{Category, Channel, Liability, RootCause};
use kesu_domain::money::format_yuan;
use kesu_domain::report::{Count, Report, Summary};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;

use super::carriers::carrier_name;
use super::i18n::Lang;
use super::posted::explain;
use super::session::PageSession;
use super::{asset, error_page, layout};
use crate::api::reports::{dashboard_for, register_file, report_file};
use crate::report_params::ReportParams;
use crate::AppState;
use kesu_domain::carriers::Carriers;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports", get(dashboard))
        .route("/reports/export", get(export_dashboard))
        .route("/reports/register", get(export_register))
        .route("/assets/echarts.min.js", get(echarts))
        .route("/assets/kesu-reports.js", get(charts_js))
}

async fn echarts() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/echarts.min.js"),
    )
}

async fn charts_js() -> Response {
    asset(
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/kesu-reports.js"),
    )
}

#[derive(Deserialize)]
struct FormatParam {
    format: Option<String>,
}

async fn dashboard(
    State(state): State<AppState>,
    s: PageSession,
    Query(params): Query<ReportParams>,
) -> Response {
    let lang = s.lang;
    let params = params.or_last_30_days(state.clock.now(), state.zone().await);
    let report = match dashboard_for(&state, &s.session.user, &params).await {
        Ok(r) => r,
        Err(e) => {
            let (status, message) = explain(lang, e);
            return error_page(lang, status, &message);
        }
    };
    let departments = state.store.departments().await.unwrap_or_default();
    // The shop's own carrier names; the built-in ones when the list cannot be read.
    let carriers = state.store.carriers().await.unwrap_or_else(|e| {
        tracing::warn!(error = %e, "reports with the built-in carrier names");
        kesu_domain::carriers::Carriers::default()
    });
    let actions = match crate::api::improvements::views(&state).await {
        Ok(a) => a,
        Err(e) => return failed(lang, e),
    };
    let zone = state.zone().await;
    let body = html! {
        h1 { (lang.t("reports")) }
        (filters(lang, &params, &departments, &carriers, &report))
        (kpis(lang, &report.summary, &report.previous))
        div.charts {
            (chart("chart-timeline", lang.t("chart_timeline"), true))
            (chart("chart-category", lang.t("chart_category"), false))
            (chart("chart-causes", lang.t("chart_causes"), false))
            (chart("chart-liability", lang.t("chart_liability"), false))
            (chart("chart-carriers", lang.t("chart_carriers"), false))
            (chart("chart-products", lang.t("chart_products"), false))
            (chart("chart-ratings", lang.t("chart_ratings"), false))
            (chart("chart-departments", lang.t("chart_departments"), false))
        }
        (tables(lang, &report, &departments))
        (super::improvements::section(&s, &actions, zone))
        script type="application/json" id="report-data" { (PreEscaped(chart_data(lang, &report, &departments, &carriers))) }
        script src="/assets/echarts.min.js" {}
        script src="/assets/kesu-reports.js" {}
    };
    layout(&s, lang.t("reports"), body).into_response()
}

fn chart(id: &str, title: &str, wide: bool) -> Markup {
    html! {
        figure.chart.wide[wide] {
            figcaption { (title) }
            div.plot id=(id) role="img" aria-label=(title) {}
        }
    }
}

fn filters(
    lang: Lang,
    p: &ReportParams,
    departments: &[kesu_store::Department],
    carriers: &Carriers,
    r: &Report,
) -> Markup {
    let v = |o: &Option<String>| o.clone().unwrap_or_default();
    let qs = p.to_query_string();
    html! {
        form.filters method="get" action="/reports" {
            label { (lang.t("from")) (super::date_input(lang, "from", &v(&p.from))) }
            label { (lang.t("to")) (super::date_input(lang, "to", &v(&p.to))) }
            label { (lang.t("channel")) select name="channel" {
                option value="" { (lang.t("all")) }
                @for c in Channel::ALL { option value=(c.code()) selected[p.channel.as_deref() == Some(c.code())] { (lang.label(c)) } }
            } }
            label { (lang.t("category")) select name="category" {
                option value="" { (lang.t("all")) }
                @for c in Category::ALL { option value=(c.code()) selected[p.category.as_deref() == Some(c.code())] { (lang.label(c)) } }
            } }
            label { (lang.t("department")) select name="department" {
                option value="" { (lang.t("all")) }
                @for d in departments { option value=(d.code.as_str()) selected[p.department.as_deref() == Some(d.code.as_str())] { (d.name) } }
            } }
            label { (lang.t("carrier")) select name="carrier" {
                option value="" { (lang.t("all")) }
                @for c in &r.by_carrier { option value=(c.key) selected[p.carrier.as_deref() == Some(c.key.as_str())] { (carrier_name(carriers, lang, &c.key)) } }
            } }
            label { (lang.t("shop")) select name="shop" {
                option value="" { (lang.t("all")) }
                @for c in &r.by_shop { option value=(c.key) selected[p.shop.as_deref() == Some(c.key.as_str())] { (c.key) } }
            } }
            button type="submit" { (lang.t("apply")) }
        }
        p.exports {
            (lang.t("export_report")) ": "
            a href={ "/reports/export?format=csv&" (qs) } { "CSV" } " · "
            a href={ "/reports/export?format=xlsx&" (qs) } { "XLSX" }
            " | " (lang.t("export_register")) ": "
            a href={ "/reports/register?format=csv&" (qs) } { "CSV" } " · "
            a href={ "/reports/register?format=xlsx&" (qs) } { "XLSX" }
            " | " a #agent-figures-link href={ "/reports/agents?" (qs) } { (lang.t("agent_reports")) }
        }
    }
}

/// A change against the previous period: ▲ 12.5% / ▼ 3.0%; `lower_is_better` colours it.
fn delta(now: Option<f64>, before: Option<f64>, lower_is_better: bool) -> Markup {
    let (Some(a), Some(b)) = (now, before) else {
        return html! {};
    };
    if b == 0.0 {
        return html! {};
    }
    let change = (a - b) / b * 100.0;
    let good = (change < 0.0) == lower_is_better;
    let arrow = if change >= 0.0 { "▲" } else { "▼" };
    html! { span.delta.good[good && change != 0.0].bad[!good && change != 0.0] { (arrow) " " (format!("{:.1}%", change.abs())) } }
}

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

fn num(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v}"))
}

fn kpis(lang: Lang, s: &Summary, p: &Summary) -> Markup {
    let card = |title: &str, value: String, sub: Markup| {
        html! { div.kpi { div.title { (title) } div.value { (value) } div.sub { (sub) } } }
    };
    let prev = |text: String| html! { span.muted { (lang.t("previous_period")) " " (text) } };
    html! {
        p.muted { (lang.t("period")) " " (s.from) " ~ " (s.to) " · " (lang.t("compared_with")) " " (p.from) " ~ " (p.to) }
        div.kpis {
            (card(lang.t("kpi_cases"), s.cases.to_string(), html! { (delta(Some(s.cases as f64), Some(p.cases as f64), true)) " " (prev(p.cases.to_string())) }))
            (card(lang.t("kpi_rate"), num(s.complaints_per_1000_orders), html! { (delta(s.complaints_per_1000_orders, p.complaints_per_1000_orders, true)) " " (prev(num(p.complaints_per_1000_orders))) }))
            (card(lang.t("kpi_first_response"), format!("{} {}", num(s.first_response_minutes.median), lang.t("minutes")), html! { (delta(s.first_response_minutes.median, p.first_response_minutes.median, true)) " P90 " (num(s.first_response_minutes.p90)) }))
            (card(lang.t("kpi_resolution"), format!("{} {}", num(s.resolution_hours.median), lang.t("hours")), html! { (delta(s.resolution_hours.median, p.resolution_hours.median, true)) " P90 " (num(s.resolution_hours.p90)) }))
            (card(lang.t("kpi_sla"), pct(s.sla_compliance), html! { (delta(s.sla_compliance, p.sla_compliance, false)) " " (prev(pct(p.sla_compliance))) }))
            (card(lang.t("kpi_reopen"), pct(s.reopen_rate), html! { (s.reopened) " " (lang.t("cases_unit")) " · " (prev(pct(p.reopen_rate))) }))
            (card(lang.t("kpi_satisfaction"), pct(s.satisfaction.satisfied_share), html! { (lang.t("average_rating")) " " (num(s.satisfaction.average)) " · " (s.satisfaction.rated) " " (lang.t("ratings_unit")) }))
            (card(lang.t("kpi_money"), format!("¥{}", format_yuan(s.refunds_cents + s.compensation_cents)), html! { (lang.t("refunds_money")) " ¥" (format_yuan(s.refunds_cents)) " · " (lang.t("compensation")) " ¥" (format_yuan(s.compensation_cents)) " · " (lang.t("recovered")) " ¥" (format_yuan(s.claims_recovered_cents)) }))
            (card(lang.t("kpi_repeat"), s.repeat.repeat_complainants.to_string(), html! { (pct(s.repeat.repeat_share)) " " (lang.t("of_cases")) }))
        }
    }
}

/// A department's name (储运部) for its code, or the code of one since removed.
fn department_label(departments: &[kesu_store::Department], code: &str) -> String {
    departments
        .iter()
        .find(|d| d.code.as_str() == code)
        .map_or_else(|| code.to_owned(), |d| d.name.clone())
}

fn count_table(
    title: &str,
    what: &str,
    lang: Lang,
    list: &[Count],
    label: impl Fn(&str) -> String,
) -> Markup {
    html! {
        div.table-box {
            h2 { (title) }
            table.list { thead { tr { th { (what) } th.num { (lang.t("kpi_cases")) } } }
                tbody { @for c in list.iter().take(10) { tr { td { (label(&c.key)) } td.num { (c.cases) } } } } }
        }
    }
}

fn tables(lang: Lang, r: &Report, departments: &[kesu_store::Department]) -> Markup {
    html! {
        div.tables {
            div.table-box {
                h2 { (lang.t("workload_agents")) }
                table.list {
                    thead { tr { th { (lang.t("assignee")) } th.num { (lang.t("kpi_cases")) } th.num { (lang.t("open")) } th.num { (lang.t("closed")) } th.num { (lang.t("kpi_resolution")) } } }
                    tbody { @for w in &r.agents { tr { td { (w.key) } td.num { (w.cases) } td.num { (w.open) } td.num { (w.closed) } td.num { (num(w.resolution_hours.median)) } } } }
                }
            }
            div.table-box {
                h2 { (lang.t("chart_causes")) }
                table.list {
                    thead { tr { th { (lang.t("root_cause")) } th.num { (lang.t("kpi_cases")) } th.num { (lang.t("share")) } th.num { (lang.t("cumulative")) } } }
                    tbody { @for c in &r.root_causes { tr { td { (RootCause::parse(&c.key).map_or(c.key.as_str(), |k| lang.label(k))) } td.num { (c.cases) } td.num { (pct(Some(c.share))) } td.num { (pct(Some(c.cumulative_share))) } } } }
                }
            }
            (count_table(lang.t("chart_departments"), lang.t("department"), lang, &r.by_department, |c| department_label(departments, c)))
            (count_table(lang.t("by_shop"), lang.t("shop"), lang, &r.by_shop, str::to_owned))
        }
    }
}

/// What the charts draw, with their labels in the page's language. Made safe to sit inside
/// a `<script>` element (no `<`, `>` or `&` left).
fn chart_data(
    lang: Lang,
    r: &Report,
    departments: &[kesu_store::Department],
    carriers: &Carriers,
) -> String {
    let channels: Vec<_> = Channel::ALL
        .iter()
        .map(|c| serde_json::json!({"code": c.code(), "label": lang.label(c)}))
        .collect();
    let categories: Vec<_> = Category::ALL
        .iter()
        .map(|c| serde_json::json!({"code": c.code(), "label": lang.label(c)}))
        .collect();
    let causes: Vec<_> = r.root_causes.iter().map(|p| serde_json::json!({"label": RootCause::parse(&p.key).map_or(p.key.as_str(), |c| lang.label(c)), "cases": p.cases, "cumulative": p.cumulative_share})).collect();
    let liability: Vec<_> = r.liability.iter().map(|p| serde_json::json!({"label": Liability::parse(&p.key).map_or(p.key.as_str(), |c| lang.label(c)), "cases": p.cases, "cumulative": p.cumulative_share})).collect();
    let top = |list: &[Count]| {
        list.iter()
            .take(10)
            .map(|c| serde_json::json!({"label": c.key, "cases": c.cases}))
            .collect::<Vec<_>>()
    };
    let carriers: Vec<_> = r
        .by_carrier
        .iter()
        .take(10)
        .map(|c| serde_json::json!({"label": carrier_name(carriers, lang, &c.key), "cases": c.cases}))
        .collect();
    let data = serde_json::json!({
        "words": {"cases": lang.t("kpi_cases"), "cumulative": lang.t("cumulative"), "rating": lang.t("rating")},
        "channels": channels,
        "categories": categories,
        "timeline": r.timeline,
        "by_category": r.summary.by_category,
        "causes": causes,
        "liability": liability,
        "carriers": carriers,
        "products": top(&r.by_product),
        "departments": r.by_department.iter().take(10).map(|c| serde_json::json!({"label": department_label(departments, &c.key), "cases": c.cases})).collect::<Vec<_>>(),
        "ratings": r.summary.satisfaction.ratings,
    });
    data.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

async fn export_dashboard(
    State(state): State<AppState>,
    s: PageSession,
    Query(params): Query<ReportParams>,
    Query(f): Query<FormatParam>,
) -> Response {
    let params = params.or_last_30_days(state.clock.now(), state.zone().await);
    report_file(&state, &s.session.user, &params, f.format.as_deref())
        .await
        .unwrap_or_else(|e| failed(s.lang, e))
}

async fn export_register(
    State(state): State<AppState>,
    s: PageSession,
    Query(params): Query<ReportParams>,
    Query(f): Query<FormatParam>,
) -> Response {
    let params = params.or_last_30_days(state.clock.now(), state.zone().await);
    register_file(&state, &s.session.user, &params, f.format.as_deref())
        .await
        .unwrap_or_else(|e| failed(s.lang, e))
}

fn failed(lang: Lang, e: crate::error::ApiError) -> Response {
    let (status, message) = explain(lang, e);
    error_page(lang, status, &message)
}
