//! 记录审核: regular audits of the records (seed 000). An auditor draws a sample of the
//! closed cases received in a period, reads each against the checklist kesu computed, and
//! records a verdict, the findings and the correction asked for.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_app::records_audit::{DrawRequest, Verdict};
use kesu_domain::records_audit::{Finding, Item};
use kesu_domain::report::Period;
use kesu_domain::Permission;
use kesu_store::{AuditedCase, RecordsAudit};
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{explain, PageError, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/records-audits", get(list).post(draw))
        .route("/records-audits/{id}", get(show))
        .route("/records-audits/{id}/cases/{case_id}", post(record))
}

fn may_audit(s: &PageSession) -> bool {
    s.session.user.role.may(Permission::AuditRecords)
}

fn item_label(lang: Lang, item: Item) -> &'static str {
    match item {
        Item::FieldsComplete => lang.t("ra_fields_complete"),
        Item::HistoryConsistent => lang.t("ra_history_consistent"),
        Item::CustomerConfirmed => lang.t("ra_customer_confirmed"),
        Item::DeadlineMet => lang.t("ra_deadline_met"),
    }
}

/// The audit's period as its first and last day (`to` is the midnight after the last).
fn period(a: &RecordsAudit, zone: chrono_tz::Tz) -> String {
    let day = |t| local_time(t, zone).get(..10).unwrap_or_default().to_owned();
    format!(
        "{} — {}",
        day(a.from),
        day(a.to - chrono::Duration::days(1))
    )
}

/// A problem code in words where the workbench knows it (`follow_up` → 回访), else as is.
fn problem_words(lang: Lang, code: &str) -> String {
    lang.lookup(&format!("ra_problem_{code}"))
        .map_or_else(|| code.to_owned(), str::to_owned)
}

async fn list(State(state): State<AppState>, s: PageSession) -> Response {
    render_list(&state, &s, None).await
}

async fn render_list(
    state: &AppState,
    s: &PageSession,
    problem: Option<(StatusCode, String)>,
) -> Response {
    let lang = s.lang;
    if !may_audit(s) {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let audits = match kesu_app::records_audit::list(&state.store, &s.session.user).await {
        Ok(a) => a,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let zone = state.zone().await;
    let body = html! {
        h1 { (lang.t("records_audits")) }
        p.muted { (lang.t("ra_hint")) }
        @if let Some((_, message)) = &problem { div.error role="alert" { (message) } }
        form.filters method="post" action="/records-audits" {
            (csrf_field(s))
            label { (lang.t("from")) input type="date" name="from" required; }
            label { (lang.t("to")) input type="date" name="to" required; }
            label { (lang.t("ra_size")) input type="number" name="size" min="1" max="200" value="20" required; }
            label { (lang.t("ra_seed")) input type="number" name="seed" min="0" placeholder=(lang.t("ra_seed_hint")); }
            button.primary type="submit" { (lang.t("ra_draw")) }
        }
        @if audits.is_empty() {
            p.muted { (lang.t("ra_none")) }
        } @else {
            table.cards {
                thead { tr {
                    th { "#" } th { (lang.t("ra_period")) } th { (lang.t("ra_sample")) }
                    th { (lang.t("ra_progress")) } th { (lang.t("ra_drawn")) }
                } }
                tbody { @for a in &audits { tr {
                    td data-label="#" { a href={ "/records-audits/" (a.id) } { (a.id) } }
                    td data-label=(lang.t("ra_period")) {
                        (period(a, zone))
                    }
                    td data-label=(lang.t("ra_sample")) { (a.size) " / " (a.population) }
                    td data-label=(lang.t("ra_progress")) {
                        (a.checked) " / " (a.size) @if a.failed > 0 { " · " span.bad { (lang.t("ra_failed")) " " (a.failed) } }
                    }
                    td data-label=(lang.t("ra_drawn")) { (a.drawn_by) " · " (local_time(a.drawn_at, zone)) }
                } } }
            }
        }
    };
    let page = layout(s, lang.t("records_audits"), body).into_response();
    match problem {
        Some((status, _)) => (status, page).into_response(),
        None => page,
    }
}

async fn draw(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let lang = s.lang;
    if !may_audit(&s) {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let period = match Period::parse(f.get("from"), f.get("to"), state.zone().await) {
        Ok(p) => p,
        Err(errors) => {
            let problem = explain(lang, crate::error::ApiError::Invalid(errors));
            return render_list(&state, &s, Some(problem)).await;
        }
    };
    let number = |k: &str| f.get(k).map(str::trim).filter(|v| !v.is_empty());
    let size = number("size").and_then(|v| v.parse().ok()).unwrap_or(0);
    let seed = match number("seed").map(str::parse::<i64>) {
        None => None,
        Some(Ok(v)) => Some(v),
        Some(Err(_)) => Some(-1),
    };
    let (from, to) = period.bounds();
    let request = DrawRequest {
        from,
        to,
        size,
        seed,
    };
    let now = state.clock.now();
    match kesu_app::records_audit::draw_sample(&state.store, &s.session.user, &request, now).await {
        Ok(id) => Redirect::to(&format!("/records-audits/{id}")).into_response(),
        Err(e) => render_list(&state, &s, Some(explain(lang, e))).await,
    }
}

async fn show(State(state): State<AppState>, s: PageSession, Path(id): Path<String>) -> Response {
    render_audit(&state, &s, &id, None).await
}

fn checklist(lang: Lang, checks: &[Finding]) -> Markup {
    html! {
        ul.audit-checks { @for f in checks {
            li.(if f.holds() { "ok" } else { "bad" }) {
                (if f.holds() { "✓ " } else { "✗ " }) (item_label(lang, f.item))
                @if !f.holds() {
                    ": " (f.problems.iter().map(|p| problem_words(lang, p)).collect::<Vec<_>>().join("、"))
                }
            }
        } }
    }
}

fn verdict_form(s: &PageSession, audit_id: i64, c: &AuditedCase) -> Markup {
    let lang = s.lang;
    let verdict = c.verdict.as_deref().unwrap_or_default();
    html! {
        form.verdict method="post" action={ "/records-audits/" (audit_id) "/cases/" (c.case_id) } {
            (csrf_field(s))
            fieldset.inline { legend { (lang.t("ra_verdict")) }
                label.check { input type="radio" name="verdict" value="pass" checked[verdict == "pass"]; (lang.t("ra_pass")) }
                label.check { input type="radio" name="verdict" value="fail" checked[verdict == "fail"]; (lang.t("ra_fail")) }
            }
            label { (lang.t("ra_findings")) textarea name="findings" rows="2" maxlength="2000" { (c.findings.as_deref().unwrap_or_default()) } }
            label { (lang.t("ra_correction")) textarea name="correction" rows="2" maxlength="2000" { (c.correction.as_deref().unwrap_or_default()) } }
            button type="submit" { (lang.t("save")) }
        }
    }
}

async fn render_audit(
    state: &AppState,
    s: &PageSession,
    raw_id: &str,
    problem: Option<(i64, (StatusCode, String))>,
) -> Response {
    let lang = s.lang;
    if !may_audit(s) {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let shown = match kesu_app::id_in_path(raw_id, "records audit") {
        Ok(id) => kesu_app::records_audit::show(&state.store, &s.session.user, id).await,
        Err(e) => Err(e),
    };
    let (audit, cases) = match shown {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let zone = state.zone().await;
    let body = html! {
        h1 { (lang.t("records_audits")) " #" (audit.id) }
        p {
            (lang.t("ra_period")) " " (period(&audit, zone))
            " · " (lang.t("ra_sample")) " " (audit.size) " / " (audit.population)
            " · " (lang.t("ra_seed")) " " code { (audit.seed) }
            " · " (lang.t("ra_progress")) " " (audit.checked) " / " (audit.size)
        }
        p.muted { (lang.t("ra_seed_explained")) }
        @if cases.is_empty() { p.muted { (lang.t("ra_empty_sample")) } }
        @for c in &cases {
            section.panel.audited id={ "case-" (c.case_id) } {
                h2 { a href={ "/cases/" (c.case_id) } { (c.number) }
                    @match c.verdict.as_deref() {
                        Some("pass") => { " " span.badge.green { (lang.t("ra_pass")) } },
                        Some(_) => { " " span.badge.red { (lang.t("ra_fail")) } },
                        None => {},
                    }
                }
                (checklist(lang, &c.checks))
                @if let Some((case_id, (_, message))) = &problem {
                    @if *case_id == c.case_id { div.error role="alert" { (message) } }
                }
                @if let (Some(by), Some(at)) = (&c.checked_by, c.checked_at) {
                    p.muted { (lang.t("ra_checked_by")) " " (by) " · " (local_time(at, zone)) }
                }
                (verdict_form(s, audit.id, c))
            }
        }
    };
    let page = layout(s, lang.t("records_audits"), body).into_response();
    match problem {
        Some((_, (status, _))) => (status, page).into_response(),
        None => page,
    }
}

async fn record(
    State(state): State<AppState>,
    Path((id, case_id)): Path<(String, String)>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let ids = kesu_app::id_in_path(&id, "records audit")
        .and_then(|a| kesu_app::cases::case_id(&case_id).map(|c| (a, c)));
    let (audit_id, case) = match ids {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let verdict = Verdict {
        verdict: f.get("verdict").unwrap_or_default().to_owned(),
        findings: f.get("findings").map(str::to_owned),
        correction: f.get("correction").map(str::to_owned),
    };
    let now = state.clock.now();
    match kesu_app::records_audit::record(
        &state.store,
        &s.session.user,
        audit_id,
        case,
        &verdict,
        now,
    )
    .await
    {
        Ok(()) => Redirect::to(&format!("/records-audits/{audit_id}#case-{case}")).into_response(),
        Err(e) => render_audit(&state, &s, &id, Some((case, explain(lang, e)))).await,
    }
}
