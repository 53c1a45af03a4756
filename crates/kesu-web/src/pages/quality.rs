//! 质检: the weekly samples and the scores over time (supervisors), one sample's cases by
//! agent, the scoring form with the reply checker's findings beside, and the agent's view of
//! their own checks with their one answer.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Duration;
use kesu_domain::Permission;
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{explain, PageError, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/quality", get(page).post(draw))
        .route("/quality/settings", post(save_settings))
        .route("/quality/{id}", get(sample))
        .route("/quality/{id}/cases/{case_id}", get(check).post(score))
        .route("/quality/{id}/cases/{case_id}/answer", post(answer))
}

fn failed(lang: Lang, e: impl Into<crate::error::ApiError>) -> Response {
    let (status, message) = explain(lang, e);
    error_page(lang, status, &message)
}

/// A score as a bar: the number and a filled share.
fn bar(score: u32) -> Markup {
    let tone = if score >= 85 {
        "good"
    } else if score >= 70 {
        "fair"
    } else {
        "poor"
    };
    html! { span.score-bar { span.fill.(tone) style={ "width:" (score.min(100)) "%" } {} } " " strong { (score) } }
}

async fn page(State(state): State<AppState>, s: PageSession) -> Response {
    let lang = s.lang;
    let user = &s.session.user;
    let supervises = user.role.may(Permission::SuperviseDesk);
    let samples = match state.store.qc_samples(26).await {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let now = state.clock.now();
    let zone = state.zone().await;
    let report = if supervises {
        kesu_app::quality::report(&state.store, user, now - Duration::weeks(12), now)
            .await
            .ok()
    } else {
        None
    };
    let settings = kesu_app::quality::settings(&state.store)
        .await
        .unwrap_or_default();
    let mut mine = Vec::new();
    if !supervises {
        for smp in &samples {
            if let Ok((_, list)) = kesu_app::quality::sample(&state.store, user, smp.id).await {
                mine.extend(list.into_iter().map(|r| (smp.clone(), r)));
            }
        }
    }
    let weeks: Vec<String> = report
        .as_ref()
        .map(|r| {
            let mut w: Vec<String> = r.agents.values().flat_map(|m| m.keys().cloned()).collect();
            w.sort();
            w.dedup();
            w
        })
        .unwrap_or_default();
    let body = html! {
        h1 { (lang.t("quality")) }
        @if supervises {
            form.inline.panel method="post" action="/quality" {
                (csrf_field(&s))
                label { (lang.t("qc_week")) input type="text" name="week" placeholder="2026-W48" maxlength="8"; }
                label { (lang.t("qc_seed")) input type="text" name="seed" inputmode="numeric" maxlength="19"; }
                button.primary type="submit" { (lang.t("qc_draw")) }
                p.muted { (lang.t("qc_draw_hint")) }
            }
            table.list {
                thead { tr { th { (lang.t("qc_week")) } th { (lang.t("qc_seed")) } th { (lang.t("qc_drawn_by")) } } }
                tbody { @for smp in &samples { tr {
                    td { a href={ "/quality/" (smp.id) } { (smp.week) } }
                    td { code { (smp.seed) } }
                    td { (smp.drawn_by) " · " (local_time(smp.drawn_at, zone)) }
                } } }
            }
            @if let Some(r) = &report {
                section.panel #quality-report {
                    h2 { (lang.t("qc_report_agents")) }
                    (trend_table(lang, &weeks, &r.agents, |k| k.to_owned()))
                    h2 { (lang.t("qc_report_items")) }
                    (trend_table(lang, &weeks, &r.items, |k| settings.checklist.iter().find(|i| i.code == k).map_or_else(|| k.to_owned(), |i| i.label.clone())))
                }
            }
            @if user.role.may(Permission::ConfigureDesk) {
                details.panel #qc-settings {
                    summary { (lang.t("qc_settings")) }
                    form method="post" action="/quality/settings" {
                        (csrf_field(&s))
                        label { (lang.t("qc_per_agent")) input type="number" name="per_agent" min="1" max="50" value=(settings.per_agent) required; }
                        label { (lang.t("qc_checklist_lines")) textarea name="checklist" rows="8" required {
                            @for item in &settings.checklist { (item.code) " | " (item.label) " | " (item.points) "\n" }
                        } }
                        button.primary type="submit" { (lang.t("save")) }
                    }
                }
            }
        } @else {
            h2 { (lang.t("qc_mine")) }
            table.list {
                thead { tr { th { (lang.t("qc_week")) } th { (lang.t("case_number")) } th { (lang.t("qc_score")) } th { (lang.t("qc_comment")) } } }
                tbody { @for (smp, r) in &mine { tr {
                    td { (smp.week) }
                    td { a href={ "/quality/" (smp.id) "/cases/" (r.case_id) } { (r.number) } }
                    td { @if let Some(sc) = r.score { (bar(sc as u32)) } @else { span.muted { (lang.t("qc_not_scored")) } } }
                    td { (r.comment.as_deref().unwrap_or("")) }
                } } }
            }
        }
    };
    layout(&s, lang.t("quality"), body).into_response()
}

fn trend_table(
    lang: Lang,
    weeks: &[String],
    rows: &BTreeMap<String, BTreeMap<String, (u32, u32)>>,
    name: impl Fn(&str) -> String,
) -> Markup {
    html! {
        @if rows.is_empty() { p.muted { (lang.t("qc_no_scores")) } } @else {
            table.list.trend {
                thead { tr { th {} @for w in weeks { th { (w) } } } }
                tbody { @for (k, by_week) in rows { tr {
                    td { (name(k)) }
                    @for w in weeks { td { @if let Some((avg, n)) = by_week.get(w) { (bar(*avg)) span.muted { " (" (n) ")" } } @else { "—" } } }
                } } }
            }
        }
    }
}

/// The admin's settings form: the sample size and one checklist item a line, written
/// `code | label | points`.
async fn save_settings(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let mut checklist = Vec::new();
    for (i, line) in f
        .get("checklist")
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        let parts: Vec<&str> = line.split(['|', '｜']).map(str::trim).collect();
        let [code, label, points] = parts.as_slice() else {
            return failed(
                s.lang,
                kesu_domain::FieldError::explained(
                    &format!("checklist[{i}]"),
                    kesu_domain::Problem::Format,
                    "write each item as code | label | points",
                ),
            );
        };
        checklist.push(kesu_domain::quality::ChecklistItem {
            code: (*code).to_owned(),
            label: (*label).to_owned(),
            points: points.parse().unwrap_or(0),
        });
    }
    let settings = kesu_domain::quality::QualitySettings {
        per_agent: f
            .get("per_agent")
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0),
        checklist,
    };
    match kesu_app::quality::set_settings(
        &state.store,
        &s.session.user,
        settings,
        state.clock.now(),
    )
    .await
    {
        Ok(_) => Redirect::to("/quality").into_response(),
        Err(e) => failed(s.lang, e),
    }
}

async fn draw(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let seed = match f.text("seed").map(|v| v.parse::<i64>()) {
        None => None,
        Some(Ok(v)) if v >= 0 => Some(v),
        Some(_) => {
            return failed(
                s.lang,
                kesu_domain::FieldError::new(
                    "seed",
                    kesu_domain::Problem::Range {
                        min: 0,
                        max: i64::MAX,
                    },
                ),
            )
        }
    };
    match kesu_app::quality::draw_as(
        &state.store,
        &s.session.user,
        f.text("week").as_deref(),
        seed,
        state.clock.now(),
    )
    .await
    {
        Ok(smp) => Redirect::to(&format!("/quality/{}", smp.id)).into_response(),
        Err(e) => failed(s.lang, e),
    }
}

async fn sample(State(state): State<AppState>, s: PageSession, Path(id): Path<String>) -> Response {
    let lang = s.lang;
    let Ok(id) = kesu_app::id_in_path(&id, "sample") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let (smp, reviews) = match kesu_app::quality::sample(&state.store, &s.session.user, id).await {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let body = html! {
        p { a href="/quality" { "← " (lang.t("quality")) } }
        h1 { (lang.t("quality")) " " (smp.week) }
        p.muted { (lang.t("qc_seed")) " " code { (smp.seed) } " · " (lang.t("qc_per_agent")) " " (smp.per_agent) }
        table.list {
            thead { tr { th { (lang.t("owner")) } th { (lang.t("case_number")) } th { (lang.t("category")) } th { (lang.t("qc_score")) } th { (lang.t("qc_answer")) } } }
            tbody { @for r in &reviews { tr {
                td { (r.agent) }
                td { a href={ "/quality/" (smp.id) "/cases/" (r.case_id) } { (r.number) } }
                td { (lang.label(r.category)) }
                td { @if let Some(sc) = r.score { (bar(sc as u32)) } @else { span.muted { (lang.t("qc_not_scored")) } } }
                td { @if r.answer.is_some() { "✓" } }
            } } }
        }
    };
    layout(&s, &smp.week, body).into_response()
}

async fn check(
    State(state): State<AppState>,
    s: PageSession,
    Path((id, case_id)): Path<(String, String)>,
) -> Response {
    let lang = s.lang;
    let (Ok(id), Ok(case_id)) = (
        kesu_app::id_in_path(&id, "sample"),
        kesu_app::id_in_path(&case_id, "case"),
    ) else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let (r, replies) =
        match kesu_app::quality::review(&state.store, &s.session.user, id, case_id).await {
            Ok(x) => x,
            Err(e) => return PageError::of(lang, e).into_response(),
        };
    let settings = kesu_app::quality::settings(&state.store)
        .await
        .unwrap_or_default();
    let zone = state.zone().await;
    let user = &s.session.user;
    let scorer =
        user.role.may(Permission::SuperviseDesk) && r.agent != user.username && r.answer.is_none();
    let body = html! {
        p { a href={ "/quality/" (id) } { "← " (lang.t("quality")) } }
        h1 { (lang.t("qc_check")) " " a href={ "/cases/" (r.case_id) } { (r.number) } }
        p.muted { (lang.t("owner")) " " (r.agent) " · " (lang.label(r.category)) }
        div.qc-layout {
            section.panel.qc-form {
                h2 { (lang.t("qc_checklist")) }
                @if scorer {
                    form method="post" action={ "/quality/" (id) "/cases/" (r.case_id) } {
                        (csrf_field(&s))
                        @for item in &settings.checklist {
                            label.qc-item { span { (item.label) } input type="number" name={ "score." (item.code) } min="0" max=(item.points)
                                value=(r.scores.as_ref().and_then(|m| m.get(&item.code)).copied().unwrap_or(item.points)) required;
                                span.muted { "/ " (item.points) } }
                        }
                        label { (lang.t("qc_comment")) textarea name="comment" rows="3" { (r.comment.as_deref().unwrap_or("")) } }
                        button.primary type="submit" { (lang.t("qc_save_score")) }
                    }
                } @else {
                    @for item in &settings.checklist {
                        p { (item.label) "：" strong { @if let Some(p) = r.scores.as_ref().and_then(|m| m.get(&item.code)) { (p) } @else { "—" } } " / " (item.points) }
                    }
                    @if let Some(c) = &r.comment { p { (lang.t("qc_comment")) "：" (c) } }
                }
                @if let Some(sc) = r.score { p { (lang.t("qc_score")) " " (bar(sc as u32)) @if let (Some(by), Some(at)) = (&r.scored_by, r.scored_at) { span.muted { " · " (by) " · " (local_time(at, zone)) } } } }
                @if let Some(a) = &r.answer { p.qc-answer { (lang.t("qc_answer")) "：" (a) } }
                @if r.agent == user.username && r.score.is_some() && r.answer.is_none() {
                    form method="post" action={ "/quality/" (id) "/cases/" (r.case_id) "/answer" } {
                        (csrf_field(&s))
                        label { (lang.t("qc_answer_once")) textarea name="text" rows="3" required {} }
                        button type="submit" { (lang.t("qc_send_answer")) }
                    }
                }
            }
            section.panel.qc-replies {
                h2 { (lang.t("qc_replies")) }
                @if replies.is_empty() { p.muted { (lang.t("qc_no_replies")) } }
                @for (text, findings) in &replies {
                    article.qc-reply {
                        p { (text) }
                        @if findings.is_empty() { p.ok { "✓ " (lang.t("qc_reply_clean")) } }
                        ul { @for f in findings { li.blocking[f.blocking] { "「" (f.text) "」 " (f.suggestion) } } }
                    }
                }
            }
        }
    };
    layout(&s, &r.number, body).into_response()
}

async fn score(
    State(state): State<AppState>,
    Path((id, case_id)): Path<(String, String)>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let (Ok(n), Ok(c)) = (
        kesu_app::id_in_path(&id, "sample"),
        kesu_app::id_in_path(&case_id, "case"),
    ) else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    let settings = kesu_app::quality::settings(&state.store)
        .await
        .unwrap_or_default();
    let mut scores = BTreeMap::new();
    for item in &settings.checklist {
        if let Some(v) = f
            .get(&format!("score.{}", item.code))
            .and_then(|v| v.trim().parse::<u32>().ok())
        {
            scores.insert(item.code.clone(), v);
        }
    }
    match kesu_app::quality::score(
        &state.store,
        &s.session.user,
        n,
        c,
        scores,
        f.get("comment"),
        state.clock.now(),
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/quality/{n}")).into_response(),
        Err(e) => failed(s.lang, e),
    }
}

async fn answer(
    State(state): State<AppState>,
    Path((id, case_id)): Path<(String, String)>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let (Ok(n), Ok(c)) = (
        kesu_app::id_in_path(&id, "sample"),
        kesu_app::id_in_path(&case_id, "case"),
    ) else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    match kesu_app::quality::answer(
        &state.store,
        &s.session.user,
        n,
        c,
        f.get("text").unwrap_or(""),
        state.clock.now(),
    )
    .await
    {
        Ok(()) => Redirect::to(&format!("/quality/{n}/cases/{c}")).into_response(),
        Err(e) => failed(s.lang, e),
    }
}
