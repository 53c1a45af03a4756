//! 审计记录: the audit trail for auditors and admins — every case's history and every
//! sign-in, export and change to accounts, rules and connectors, newest first, filtered by
//! case, person, kind and period, with the chain's head to write down and the file export.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use kesu_domain::Permission;
use kesu_store::TrailEntry;
use maud::{html, Markup};
use serde_json::Value;

use super::i18n::Lang;
use super::posted::PageError;
use super::session::PageSession;
use super::{error_page, layout, local_time};
use crate::trail_params::FAMILIES;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(page))
        .route("/audit/export", get(export))
}

/// An entry's kind in words: 登录失败, or a case's action (案件 · 判定有效性).
pub fn kind_label(lang: Lang, kind: &str) -> String {
    if let Some(action) = kind.strip_prefix("case.") {
        return format!("{} · {}", lang.t("audit_case"), lang.action(action));
    }
    let key = format!("audit_kind_{}", kind.replace('.', "_"));
    lang.lookup(&key)
        .map_or_else(|| kind.to_owned(), str::to_owned)
}

fn family_label(lang: Lang, family: &str) -> &'static str {
    let key = format!("audit_family_{}", family.trim_end_matches('.'));
    lang.lookup(&key).unwrap_or("")
}

/// What an event recorded, in words: 账号 amy · 角色 客服专员 · 停用 是.
pub fn detail_words(lang: Lang, detail: &Value) -> String {
    let Some(map) = detail.as_object() else {
        return String::new();
    };
    let value = |key: &str, v: &Value| -> String {
        match v {
            Value::Bool(true) => lang.t("yes").to_owned(),
            Value::Bool(false) => lang.t("no").to_owned(),
            Value::String(s) if key == "role" => {
                kesu_domain::Role::parse(s).map_or_else(|| s.clone(), |r| lang.label(r).to_owned())
            }
            Value::String(s) => s.clone(),
            Value::Null => "—".into(),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join("、"),
            other => other.to_string(),
        }
    };
    map.iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, v)| {
            let name = lang
                .lookup(&format!("audit_detail_{k}"))
                .unwrap_or(k.as_str());
            format!("{name} {}", value(k, v))
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

fn may_read(s: &PageSession) -> bool {
    s.session.user.role.may(Permission::ReadAuditTrail)
}

/// The query string of the filters (without the page), for links.
fn filters_query(q: &[(String, String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in q {
        if k != "page" && k != "format" && !v.trim().is_empty() {
            out.append_pair(k, v);
        }
    }
    out.finish()
}

async fn page(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = s.lang;
    if !may_read(&s) {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let zone = state.zone().await;
    let given = |k: &str| {
        q.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (trail, problem) = match crate::trail_params::parse(&state.store, zone, &q).await {
        Ok(query) => {
            match kesu_app::audit::trail(&state.store, &s.session.user, &query.filter, query.page)
                .await
            {
                Ok(t) => (Some((t, query.page)), None),
                Err(e) => return PageError::of(lang, e).into_response(),
            }
        }
        Err(e) => (None, Some(super::posted::explain(lang, e).1)),
    };
    let query = filters_query(&q);
    let body = html! {
        h1 { (lang.t("audit_trail")) }
        @if let Some((t, _)) = &trail {
            section.panel.audit-head {
                p {
                    (lang.t("audit_head")) " "
                    strong { (t.head_entries) } " " (lang.t("audit_entries")) " · "
                    code.hash title=(t.head_hash) { (t.head_hash) }
                }
                p.muted { (lang.t("audit_head_hint")) }
            }
        }
        form.filters method="get" action="/audit" {
            label { (lang.t("case_number")) input type="text" name="case" value=(given("case")) placeholder="KS-20261201-0001"; }
            label { (lang.t("audit_actor")) input type="text" name="actor" value=(given("actor")); }
            label { (lang.t("audit_kind"))
                select name="kind" {
                    option value="" { (lang.t("all")) }
                    @for f in FAMILIES {
                        option value=(f) selected[given("kind") == *f] { (family_label(lang, f)) }
                    }
                }
            }
            label { (lang.t("from")) input type="date" name="from" value=(given("from")); }
            label { (lang.t("to")) input type="date" name="to" value=(given("to")); }
            button type="submit" { (lang.t("filter")) }
        }
        @if let Some(problem) = &problem {
            div.error role="alert" { (problem) }
        }
        @if let Some((t, page)) = &trail {
            p.export {
                (lang.t("export")) ": "
                a href={ "/audit/export?" (query) "&format=csv" } { "CSV" } " · "
                a href={ "/audit/export?" (query) "&format=xlsx" } { "Excel" }
                " · " (t.total) " " (lang.t("audit_entries"))
            }
            (entries_table(lang, &t.entries, zone))
            @let pages = ((t.total + i64::from(page.size) - 1) / i64::from(page.size)).max(1);
            @let page_no = i64::from(page.number);
            nav.pager {
                @if page_no > 1 { a href={ "/audit?" (query) "&page=" (page_no - 1) } { (lang.t("prev")) } }
                span { (page_no) " / " (pages) }
                @if page_no < pages { a href={ "/audit?" (query) "&page=" (page_no + 1) } { (lang.t("next")) } }
            }
        }
    };
    layout(&s, lang.t("audit_trail"), body).into_response()
}

fn entries_table(lang: Lang, entries: &[TrailEntry], zone: chrono_tz::Tz) -> Markup {
    html! {
        @if entries.is_empty() {
            p.muted { (lang.t("audit_none")) }
        } @else {
            table.cards.audit {
                thead { tr {
                    th { "#" } th { (lang.t("time")) } th { (lang.t("audit_kind")) }
                    th { (lang.t("audit_actor")) } th { (lang.t("case")) } th { (lang.t("audit_detail")) }
                    th { (lang.t("audit_hash")) }
                } }
                tbody { @for e in entries {
                    tr {
                        td data-label="#" { (e.index) }
                        td data-label=(lang.t("time")) { (local_time(e.at, zone)) }
                        td data-label=(lang.t("audit_kind")) { (kind_label(lang, &e.kind)) }
                        td data-label=(lang.t("audit_actor")) { (actor_label(lang, &e.actor)) }
                        td data-label=(lang.t("case")) {
                            @match (&e.case_id, &e.case_number) {
                                (Some(id), Some(n)) => a href={ "/cases/" (id) } { (n) },
                                _ => "—",
                            }
                        }
                        td data-label=(lang.t("audit_detail")) { (detail_words(lang, &e.detail)) }
                        td data-label=(lang.t("audit_hash")) { code.hash title=(e.hash) { (&e.hash[..12.min(e.hash.len())]) "…" } }
                    }
                } }
            }
        }
    }
}

/// Who acted: a username as it is; kesu's own workers and the customer in words.
fn actor_label(lang: Lang, actor: &str) -> String {
    lang.lookup(&format!("audit_actor_{}", actor.replace(['-', ' '], "_")))
        .map_or_else(|| actor.to_owned(), str::to_owned)
}

async fn export(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = s.lang;
    if !may_read(&s) {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    match crate::api::audit::trail_file(&state, &s.session.user, &q).await {
        Ok(r) => r,
        Err(e) => PageError::of(lang, e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kesu_domain::audit_kind::AuditKind;

    #[test]
    fn every_kind_family_and_detail_has_words_in_both_languages() {
        for lang in Lang::ALL {
            for kind in AuditKind::ALL {
                let key = format!("audit_kind_{}", kind.code().replace('.', "_"));
                assert!(lang.lookup(&key).is_some(), "{key} in {lang:?}");
            }
            for f in FAMILIES {
                assert!(!family_label(lang, f).is_empty(), "family {f} in {lang:?}");
            }
        }
        let words = detail_words(
            Lang::Zh,
            &serde_json::json!({"username": "amy", "role": "agent", "disabled": true}),
        );
        assert!(
            words.contains("客服") && !words.contains("agent"),
            "{words}"
        );
        assert_eq!(kind_label(Lang::Zh, "sign_in.failed"), "登录失败");
    }
}
