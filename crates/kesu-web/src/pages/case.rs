//! The case page: header, the eight steps, the actions allowed now with their fields, the
//! history as a timeline, and the order with what is left to refund.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::case::Case;
use kesu_domain::codes::{Jurisdiction, Liability, ResolutionKind, RootCause};
use kesu_domain::money::parse_yuan;
use kesu_domain::order::Order;
use kesu_domain::reply_check::ReplyRules;
use kesu_domain::{ActorKind, CaseStatus, Role};
use kesu_store::{CaseRecord, HistoryEntry};
use maud::{html, Markup};
use serde_json::{json, Map, Value};

use super::i18n::Lang;
use super::queue::badge;
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time, yuan, Form};
use crate::error::ApiError;
use crate::AppState;

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
    let record = match crate::actions::visible_case(state, user, id).await {
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
        Err(e) => return error_page(lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let zone = policy.zone();
    let now = state.clock.now();
    let c = &record.case;
    let allowed = kesu_domain::allowed_actions(c, &user.actor());
    // The reply box offers the scripts that fit the case, filled with its data.
    let scripts = if allowed.contains(&"comment") {
        crate::api::templates::offered(state, &record, user, lang.scripts())
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let who = record.complainant.view(user.role.sees_personal_data());
    let body = html! {
        div.case-head {
            h1 { (c.number) " " span.status { (lang.code_label(c.status.label_zh(), c.status.code())) } " " (badge(lang, c, now)) }
            p.meta {
                (lang.t("category")) ": " (lang.code_label(c.category.label_zh(), c.category.code())) " · "
                (lang.t("channel")) ": " (lang.code_label(c.channel.label_zh(), c.channel.code())) " · "
                (lang.t("demand")) ": " (lang.code_label(c.demand.label_zh(), c.demand.code())) " · "
                (lang.t("department")) ": " (c.department.as_ref().map(|d| d.as_str()).unwrap_or("—")) " · "
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
                p.muted { (lang.t("received_at")) ": " (local_time(c.received_at, zone)) " · " (lang.t("created_by")) ": " (c.created_by) }
                @if let Some(ch) = &c.chosen {
                    h2 { (lang.t("chosen")) }
                    p { (lang.code_label(ch.option.kind.label_zh(), ch.option.kind.code())) @if let Some(a) = ch.option.amount_cents { " " (yuan(a)) } }
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
                        summary { (action_label(lang, a)) }
                        form method="post" action={ "/cases/" (c.id) "/act" } data-action=(a) {
                            (csrf_field(s))
                            input type="hidden" name="action" value=(a);
                            input type="hidden" name="version" value=(c.version);
                            (action_fields(lang, a, &record, &users, &departments, user.role, &scripts))
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

/// Choosing a script puts its text in the reply box, where the checker reads it at once.
const PICK_SCRIPT: &str = r#"
document.querySelectorAll('select.script-pick').forEach(function (pick) {
  if (pick.dataset.ready) return;
  pick.dataset.ready = '1';
  pick.addEventListener('change', function () {
    if (!pick.value) return;
    var box = pick.closest('form').querySelector('textarea[name=text]');
    box.value = pick.value;
    box.dispatchEvent(new Event('input', { bubbles: true }));
    box.focus();
  });
});
"#;

pub fn action_label(lang: Lang, action: &str) -> String {
    let zh = match action {
        "judge" => "判定是否成立",
        "route" => "分派责任部门",
        "analyse" => "原因与责任认定",
        "propose" => "提出处理方案",
        "choose" => "顾客选择方案",
        "approve" => "批准",
        "reject" => "驳回",
        "execute" => "执行",
        "follow_up" => "回访",
        "close" => "结案",
        "assign" => "指派处理人",
        "comment" => "回复 / 备注",
        "wait_customer" => "等待顾客（暂停计时）",
        "resume" => "顾客已回复（恢复计时）",
        "record_referral" => "消协转办信息",
        "record_appraisal" => "技术鉴定",
        "sla_warning" => "时限预警",
        "sla_breach" => "已超时 · 升级主管",
        "sla_reminder" => "催办",
        "logistics_exception" => "物流异常",
        "claim" => "承运商索赔",
        other => kesu_domain::fulfilment::Step::ALL
            .iter()
            .find(|s| s.code() == other)
            .map(|s| s.label_zh())
            .unwrap_or(other),
    };
    lang.code_label(zh, action)
}

fn text_field(lang: Lang, name: &'static str, label: &'static str, required: bool) -> Markup {
    html! {
        label { (lang.t(label)) @if required { " " abbr.req title=(lang.t("required")) { "*" } }
            textarea name=(name) rows="2" required[required] {} }
    }
}

fn select_codes(
    lang: Lang,
    name: &'static str,
    label: &'static str,
    codes: &[(&'static str, &'static str)],
    selected: Option<&str>,
) -> Markup {
    html! {
        label { (lang.t(label))
            select name=(name) required {
                // Nothing is chosen for the user: an unchosen select cannot be sent.
                option value="" selected[selected.is_none()] { (lang.t("choose_one")) }
                @for (code, zh) in codes { option value=(code) selected[selected == Some(*code)] { (lang.code_label(zh, code)) } }
            }
        }
    }
}

fn action_fields(
    lang: Lang,
    action: &str,
    record: &CaseRecord,
    users: &[kesu_store::User],
    departments: &[kesu_store::Department],
    role: Role,
    scripts: &[kesu_domain::scripts::Rendered],
) -> Markup {
    let c = &record.case;
    match action {
        "judge" => html! {
            fieldset.inline {
                label.check { input type="radio" name="valid" value="true" checked; (lang.t("valid")) }
                label.check { input type="radio" name="valid" value="false"; (lang.t("invalid")) }
            }
            (text_field(lang, "reason", "reason", false))
            // Judged invalid, the case closes at once.
            @if c.responded_at.is_none() {
                label.check { input type="checkbox" name="confirm_unanswered" value="1"; (lang.t("close_unanswered_if_invalid")) }
            }
        },
        "route" => html! {
            label { (lang.t("department"))
                select name="department" required {
                    @for d in departments {
                        @let suggested = c.suggested_department.as_ref() == Some(&d.code);
                        option value=(d.code.as_str()) selected[suggested] { (d.name) " (" (d.code.as_str()) ")" @if suggested { " · " (lang.t("suggested")) } }
                    }
                }
            }
        },
        "analyse" => html! {
            (select_codes(lang, "liability", "liability", &Liability::ALL.iter().map(|l| (l.code(), l.label_zh())).collect::<Vec<_>>(), None))
            (select_codes(lang, "root_cause", "root_cause", &RootCause::ALL.iter().map(|r| (r.code(), r.label_zh())).collect::<Vec<_>>(), None))
            (text_field(lang, "findings", "findings", true))
        },
        "propose" => html! {
            @for i in 0..3 {
                fieldset.option {
                    legend { (lang.t("option")) " " (i + 1) }
                    label { (lang.t("kind"))
                        select name="opt_kind" required[i == 0] {
                            @if i > 0 { option value="" { "—" } }
                            @for k in ResolutionKind::ALL { option value=(k.code()) { (lang.code_label(k.label_zh(), k.code())) } }
                        }
                    }
                    label { (lang.t("amount_yuan")) input name="opt_amount" inputmode="decimal"; }
                    label { (lang.t("option_lines")) input name="opt_lines" placeholder="A:1, B:2"; }
                    label.check { input type="checkbox" name="opt_shipping" value=(i); (lang.t("include_shipping")) }
                    label { (lang.t("note")) input name="opt_note"; }
                }
            }
        },
        "choose" => html! {
            @for (i, o) in c.options.iter().enumerate() {
                label.check { input type="radio" name="option" value=(i) required;
                    (lang.code_label(o.kind.label_zh(), o.kind.code()))
                    @if let Some(a) = o.amount_cents { " " (yuan(a)) }
                    @if let Some(n) = &o.note { " — " (n) } }
            }
        },
        "approve" => text_field(lang, "comment", "comment", false),
        "reject" => text_field(lang, "comment", "comment", true),
        "execute" => text_field(lang, "note", "note", true),
        "follow_up" => html! {
            fieldset.inline {
                label.check { input type="radio" name="satisfied" value="true" required; (lang.t("satisfied")) }
                label.check { input type="radio" name="satisfied" value="false"; (lang.t("not_satisfied")) }
            }
            label { (lang.t("rating")) select name="rating" { option value="" { "—" } @for r in (1..=5).rev() { option value=(r) { (r) " ★" } } } }
            (text_field(lang, "comment", "comment", false))
        },
        "close" => html! {
            @if c.responded_at.is_none() {
                p.warning role="alert" { (lang.t("close_unanswered_warning")) }
                label.check { input type="checkbox" name="confirm_unanswered" value="1" required; (lang.t("close_unanswered_confirm")) }
            }
            (text_field(lang, "summary", "summary", true)) (text_field(lang, "lessons", "lessons", false))
        },
        "assign" => html! {
            label { (lang.t("user"))
                select name="user" required {
                    @for u in users.iter().filter(|u| !u.disabled && u.role.handles_cases()) {
                        option value=(u.username) selected[c.assignee.as_deref() == Some(u.username.as_str())] { (u.username) " (" (u.role.code()) ")" }
                    }
                }
            }
        },
        "comment" => html! {
            @if !scripts.is_empty() {
                label { (lang.t("reply_scripts"))
                    select.script-pick {
                        option value="" { (lang.t("script_pick")) }
                        @for r in scripts {
                            option value=(r.text) data-id=(r.id) {
                                (r.title)
                                @if !r.missing.is_empty() { " · " (lang.t("script_missing")) }
                            }
                        }
                    }
                }
                (super::script(PICK_SCRIPT))
            }
            // The reply checker runs as the agent types and shows what to change.
            label { (lang.t("text")) " " abbr.req title=(lang.t("required")) { "*" }
                textarea name="text" rows="3" required
                    hx-post={ "/cases/" (c.id) "/check-reply" } hx-trigger="input changed delay:400ms"
                    hx-target="next .reply-findings" hx-include="closest form" {} }
            div.reply-findings aria-live="polite" {}
            @if role == Role::Supervisor {
                label.check { input type="checkbox" name="override_check" value="1"; (lang.t("override_check")) }
            }
            @if role == Role::Department {
                input type="hidden" name="internal" value="1";
                p.muted { (lang.t("internal_note")) }
            } @else {
                label.check { input type="checkbox" name="internal" value="1"; (lang.t("internal")) }
            }
        },
        "track_parcel" => {
            html! { label { (lang.t("parcel_status")) input name="status" required placeholder="in_transit"; } (text_field(lang, "note", "note", false)) }
        }
        "parcel_back" => html! {
            (select_codes(lang, "outcome", "outcome", &[("intercepted", "已拦截"), ("refused", "已拒收"), ("returned", "已退回")], None))
            (text_field(lang, "note", "note", false))
        },
        "return_shipped" | "ship_replacement" => html! {
            label { (lang.t("carrier")) input name="carrier" required placeholder="yto"; }
            label { (lang.t("tracking_no")) input name="tracking_no" required; }
            (text_field(lang, "note", "note", false))
        },
        "inspect" => html! {
            (select_codes(lang, "result", "result", &[("pass", "合格"), ("partial", "部分合格"), ("fail", "不合格")], None))
            label { (lang.t("accepted_lines")) input name="lines" placeholder="A:1"; }
            label.check { input type="checkbox" name="spec_matches" value="1" checked; (lang.t("spec_matches")) }
            label { (lang.t("photos")) textarea name="photos" rows="2" {} }
            (text_field(lang, "note", "note", false))
        },
        "refund" => {
            html! { label { (lang.t("method")) input name="method" placeholder="original"; } (text_field(lang, "note", "note", false)) }
        }
        "wait_customer" => text_field(lang, "reason", "wait_reason", true),
        "record_referral" => {
            let r = c.referral.as_ref();
            html! {
                label { (lang.t("referral_body")) input name="body" required value=[r.map(|r| r.body.as_str())]; }
                (select_codes(lang, "jurisdiction", "jurisdiction", &Jurisdiction::ALL.iter().map(|j| (j.code(), j.label_zh())).collect::<Vec<_>>(), r.map(|r| r.jurisdiction.code())))
                label { (lang.t("referral_reference")) input name="reference" required value=[r.map(|r| r.reference.as_str())]; }
                label { (lang.t("filed_on")) input name="filed_on" type="date"; }
            }
        }
        "record_appraisal" => html! {
            label { (lang.t("appraiser")) input name="appraiser" required; }
            label { (lang.t("appraisal_cost")) input name="cost" inputmode="decimal" required; }
            label { (lang.t("appraisal_payer"))
                select name="payer" {
                    option value="" { (lang.t("payer_from_analysis")) }
                    @for l in Liability::ALL { option value=(l.code()) { (lang.code_label(l.label_zh(), l.code())) } }
                }
            }
            (text_field(lang, "conclusion", "conclusion", false))
        },
        _ => text_field(lang, "note", "note", false),
    }
}

/// Who wrote an entry, as a person reads it: the staff member's name, 顾客, or which part
/// of kesu.
fn actor_label(lang: Lang, e: &HistoryEntry) -> String {
    match e.actor_kind {
        ActorKind::Staff => e.actor.clone(),
        ActorKind::Customer => lang.t("customer").to_owned(),
        ActorKind::System => match e.actor.as_str() {
            kesu_domain::role::SLA_TIMER => lang.t("actor_sla_timer").to_owned(),
            kesu_domain::role::LOGISTICS_MONITOR => lang.t("actor_logistics_monitor").to_owned(),
            _ => lang.t("actor_system").to_owned(),
        },
    }
}

fn timeline_entry(lang: Lang, e: &HistoryEntry, zone: chrono_tz::Tz) -> Markup {
    let internal = e.action == "comment" && e.data["internal"] == json!(true);
    let class = match (e.action.as_str(), internal) {
        ("comment", true) => "internal",
        ("comment", false) => "reply",
        _ => "action",
    };
    // Entries kesu writes itself say what they are about in a code; show its label.
    let about = match e.action.as_str() {
        "claim" => e.data["status"]
            .as_str()
            .and_then(kesu_domain::claims::ClaimStatus::parse)
            .map(|s| lang.code_label(s.label_zh(), s.code())),
        a if a.starts_with("sla_") => e.data["clock"]
            .as_str()
            .and_then(kesu_domain::sla::SlaClock::parse)
            .map(|c| lang.code_label(c.label_zh(), c.code())),
        _ => None,
    };
    let text = e
        .data
        .get("text")
        .or_else(|| e.data.get("reason"))
        .or_else(|| e.data.get("findings"))
        .or_else(|| e.data.get("note"))
        .or_else(|| e.data.get("comment"))
        .or_else(|| e.data.get("summary"))
        .and_then(Value::as_str);
    html! {
        li class=(class) {
            span.when { (local_time(e.at, zone)) }
            " " strong { (actor_label(lang, e)) } " · " (action_label(lang, &e.action))
            @if e.action == "comment" { " · " (if internal { lang.t("internal_note") } else { lang.t("public_reply") }) }
            @if let Some(a) = &about { " · " (a) }
            @if let Some(to) = e.data.get("to").and_then(Value::as_str) {
                @if let Some(st) = CaseStatus::parse(to) { " → " (lang.code_label(st.label_zh(), st.code())) }
            }
            @if let Some(t) = text { p { (t) } }
        }
    }
}

/// The case's clocks: when each runs out, whether it is stopped, what has fired.
fn sla_panel(
    lang: Lang,
    c: &Case,
    timers: &[kesu_store::StoredTimer],
    zone: chrono_tz::Tz,
) -> Markup {
    let d = &c.deadlines;
    let fired = |kind: kesu_domain::sla::TimerKind| {
        timers.iter().filter(|t| t.fired.timer.kind == kind).count()
    };
    use kesu_domain::sla::TimerKind as K;
    let (warnings, breaches, reminders) = (fired(K::Warning), fired(K::Breach), fired(K::Reminder));
    let due = |t: Option<chrono::DateTime<chrono::Utc>>| match t {
        Some(t) => local_time(t, zone),
        None => lang.t("clock_stopped").to_owned(),
    };
    html! {
        h2 { (lang.t("sla")) }
        dl.sla #sla {
            dt { (lang.t("first_response")) }
            dd { @match c.responded_at { Some(at) => { (lang.t("responded_at")) " " (local_time(at, zone)) }, None => (due(d.first_response_by)) } }
            @if c.status.is_open() {
                dt { (lang.t("step_deadline")) } dd { (due(d.step_by)) }
            }
            dt { (lang.t("resolve_deadline")) } dd { (due(d.resolve_by)) }
            dt { (lang.t("priority")) } dd { (lang.code_label(c.priority.label_zh(), c.priority.code())) }
        }
        @if c.is_paused() {
            p.notice.paused { (lang.t("paused_waiting")) }
        }
        @if warnings + breaches + reminders > 0 {
            p.sla-fired {
                @if warnings > 0 { span.badge.amber { (lang.t("sla_warnings")) " " (warnings) } " " }
                @if breaches > 0 { span.badge.red { (lang.t("sla_breaches")) " " (breaches) } " " }
                @if reminders > 0 { span.badge.red { (lang.t("sla_reminders")) " " (reminders) } }
            }
        }
    }
}

/// A consumer association's forwarding and any technical appraisal.
fn referral_panel(lang: Lang, c: &Case, zone: chrono_tz::Tz) -> Markup {
    html! {
        @if let Some(r) = &c.referral {
            h2 { (lang.t("referral")) }
            p #referral { (r.body) " · " (lang.code_label(r.jurisdiction.label_zh(), r.jurisdiction.code())) " · " (lang.t("referral_reference")) " " (r.reference)
                @if let Some(f) = r.filed_at { " · " (lang.t("filed_on")) " " (local_time(f, zone)) } }
        }
        @if let Some(a) = &c.appraisal {
            h2 { (lang.t("appraisal")) }
            p #appraisal { (a.appraiser) " · " (yuan(a.cost_cents)) " · " (lang.t("appraisal_payer")) ": " (lang.code_label(a.payer.label_zh(), a.payer.code()))
                @if let Some(cn) = &a.conclusion { " · " (cn) } }
        }
    }
}

fn order_panel(
    lang: Lang,
    order_no: Option<&str>,
    order: Option<&Order>,
    unmasked: bool,
) -> Markup {
    let Some(no) = order_no else { return html! {} };
    let Some(o) = order else {
        return html! { h2 { (lang.t("order")) " " (no) } p.muted { (lang.t("no_order")) } };
    };
    let allocation = kesu_domain::refund::allocate(&o.amounts).unwrap_or_default();
    let refundable = o.refundable().ok();
    let buyer = o.buyer.view(unmasked);
    html! {
        h2 { (lang.t("order")) " " (o.order_no) }
        p.muted { (o.shop) " · " (buyer.name) @if let Some(p) = &buyer.phone { " · " (p) } }
        table.lines {
            thead { tr { th { (lang.t("lines")) } th { (lang.t("unit_price")) } th { (lang.t("quantity")) } th { (lang.t("discounts")) } th { (lang.t("points")) } th { (lang.t("paid")) } } }
            tbody {
                @for (l, a) in o.amounts.lines.iter().zip(&allocation) {
                    tr {
                        td { (l.line_id) " " (l.name.as_deref().unwrap_or("")) " " span.muted { (l.spec.as_deref().unwrap_or("")) } }
                        td { (yuan(l.unit_price_cents)) } td { (l.quantity) }
                        td { (yuan(a.discount_cents)) } td { (yuan(a.points_cents)) } td { (yuan(a.paid_cents)) }
                    }
                }
            }
        }
        p { (lang.t("shipping")) ": " (yuan(o.amounts.shipping_cents))
            @if let Some(r) = &refundable { " · " strong { (lang.t("refundable")) ": " (yuan(r.cash_cents)) } } }
        @if !o.shipments.is_empty() {
            h3 { (lang.t("shipments")) }
            ul { @for sh in &o.shipments { li { (sh.carrier) " " (sh.tracking_no) " · " (format!("{:?}", sh.kind).to_lowercase())
                @if let Some(st) = &sh.status { " · " (st) } } } }
        }
        @if !o.refunds.is_empty() {
            h3 { (lang.t("refunds")) }
            ul { @for r in &o.refunds { li { (yuan(r.cash_cents)) @if r.points_cents > 0 { " + " (lang.t("points")) " " (yuan(r.points_cents)) }
                " · " (r.method.as_deref().unwrap_or("")) @if let Some(re) = &r.reference { " · " (re) } } } }
        }
    }
}

/// `A:1, B:2` → `[{"line_id": "A", "quantity": 1}, …]`.
fn parse_lines(raw: &str) -> Result<Vec<Value>, String> {
    raw.split([',', '，'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (id, q) = p
                .split_once([':', '：'])
                .ok_or_else(|| format!("`{p}`: write LINE:QUANTITY"))?;
            let q: i64 = q
                .trim()
                .parse()
                .map_err(|_| format!("`{p}`: the quantity is not a number"))?;
            Ok(json!({"line_id": id.trim(), "quantity": q}))
        })
        .collect()
}

fn put_text(m: &mut Map<String, Value>, f: &Form, k: &str) {
    if let Some(v) = f.text(k) {
        m.insert(k.into(), json!(v));
    }
}

/// The form of one action as the API's action JSON; dates are read in the shop's `zone`.
fn form_to_action(f: &Form, zone: chrono_tz::Tz) -> Result<Value, String> {
    let action = f.text("action").ok_or("no action")?;
    let version: i64 = f
        .get("version")
        .and_then(|v| v.parse().ok())
        .ok_or("no version")?;
    let mut m = Map::new();
    m.insert("action".into(), json!(action));
    m.insert("version".into(), json!(version));
    match action.as_str() {
        "judge" => {
            put_text(&mut m, f, "reason");
            m.insert("valid".into(), json!(f.get("valid") != Some("false")));
        }
        "route" => put_text(&mut m, f, "department"),
        "analyse" => {
            put_text(&mut m, f, "liability");
            put_text(&mut m, f, "root_cause");
            m.insert("findings".into(), json!(f.get("findings").unwrap_or("")));
        }
        "propose" => {
            let kinds = f.all("opt_kind");
            let amounts = f.all("opt_amount");
            let notes = f.all("opt_note");
            let lines = f.all("opt_lines");
            let shipping = f.all("opt_shipping");
            let mut options = Vec::new();
            for (i, kind) in kinds.iter().enumerate() {
                if kind.trim().is_empty() {
                    continue;
                }
                let mut o = json!({"kind": kind});
                if let Some(a) = amounts.get(i).map(|a| a.trim()).filter(|a| !a.is_empty()) {
                    o["amount_cents"] = json!(parse_yuan(a)?);
                }
                if let Some(n) = notes.get(i).map(|n| n.trim()).filter(|n| !n.is_empty()) {
                    o["note"] = json!(n);
                }
                if let Some(l) = lines.get(i).filter(|l| !l.trim().is_empty()) {
                    o["lines"] = json!(parse_lines(l)?);
                }
                if shipping.contains(&i.to_string().as_str()) {
                    o["include_shipping"] = json!(true);
                }
                options.push(o);
            }
            m.insert("options".into(), json!(options));
        }
        "choose" => {
            let o: i64 = f.get("option").and_then(|v| v.parse().ok()).unwrap_or(-1);
            m.insert("option".into(), json!(o));
        }
        "approve" | "reject" => put_text(&mut m, f, "comment"),
        "execute" | "confirm_not_shipped" | "cancel_order" | "receive_return" | "restock" => {
            put_text(&mut m, f, "note")
        }
        "follow_up" => {
            // No answer is no answer: the lifecycle refuses a follow-up without one.
            match f.get("satisfied") {
                Some("true") => {
                    m.insert("satisfied".into(), json!(true));
                }
                Some("false") => {
                    m.insert("satisfied".into(), json!(false));
                }
                _ => {}
            }
            if let Some(r) = f.text("rating") {
                m.insert(
                    "rating".into(),
                    json!(r.parse::<i64>().map_err(|_| "rating")?),
                );
            }
            put_text(&mut m, f, "comment");
        }
        "close" => {
            m.insert("summary".into(), json!(f.get("summary").unwrap_or("")));
            put_text(&mut m, f, "lessons");
        }
        "assign" => put_text(&mut m, f, "user"),
        "wait_customer" => {
            m.insert("reason".into(), json!(f.get("reason").unwrap_or("")));
        }
        "resume" => put_text(&mut m, f, "note"),
        "record_referral" => {
            for k in ["body", "jurisdiction", "reference"] {
                m.insert(k.into(), json!(f.get(k).unwrap_or("")));
            }
            if let Some(d) = f.text("filed_on") {
                let date =
                    chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d").map_err(|_| "filed_on")?;
                let local = date
                    .and_hms_opt(0, 0, 0)
                    .and_then(|t| t.and_local_timezone(zone).earliest())
                    .ok_or("filed_on")?;
                m.insert("filed_at".into(), json!(local.to_rfc3339()));
            }
        }
        "record_appraisal" => {
            m.insert("appraiser".into(), json!(f.get("appraiser").unwrap_or("")));
            m.insert(
                "cost_cents".into(),
                json!(parse_yuan(f.get("cost").unwrap_or(""))?),
            );
            put_text(&mut m, f, "payer");
            put_text(&mut m, f, "conclusion");
        }
        "comment" => {
            m.insert("text".into(), json!(f.get("text").unwrap_or("")));
            m.insert("internal".into(), json!(f.get("internal") == Some("1")));
            if f.get("override_check") == Some("1") {
                m.insert("override_check".into(), json!(true));
            }
        }
        "track_parcel" => {
            put_text(&mut m, f, "status");
            put_text(&mut m, f, "note");
        }
        "parcel_back" => {
            put_text(&mut m, f, "outcome");
            put_text(&mut m, f, "note");
        }
        "return_shipped" | "ship_replacement" => {
            put_text(&mut m, f, "carrier");
            put_text(&mut m, f, "tracking_no");
            put_text(&mut m, f, "note");
        }
        "inspect" => {
            put_text(&mut m, f, "result");
            put_text(&mut m, f, "note");
            if let Some(l) = f.text("lines") {
                m.insert("lines".into(), json!(parse_lines(&l)?));
            }
            m.insert(
                "spec_matches".into(),
                json!(f.get("spec_matches") == Some("1")),
            );
            let photos: Vec<&str> = f
                .get("photos")
                .unwrap_or("")
                .lines()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            m.insert("photos".into(), json!(photos));
        }
        "refund" => {
            put_text(&mut m, f, "method");
            put_text(&mut m, f, "note");
        }
        _ => {}
    }
    Ok(Value::Object(m))
}

async fn act(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = Form::parse(&body);
    if !s.csrf_ok(&f) {
        return s.csrf_refused();
    }
    let zone = state.zone().await;
    let action = match form_to_action(&f, zone) {
        Ok(a) => a,
        Err(message) => {
            return render(
                &state,
                &s,
                &id,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await
        }
    };
    // Closing (or judging invalid, which closes) a case whose customer never heard a word
    // needs the agent to say so: otherwise the first response is never given by mistake.
    let closes = match f.get("action") {
        Some("close") => true,
        Some("judge") => f.get("valid") == Some("false"),
        _ => false,
    };
    if closes && f.get("confirm_unanswered").is_none() {
        let unanswered = crate::actions::visible_case(&state, &s.session.user, &id)
            .await
            .is_ok_and(|r| r.case.responded_at.is_none());
        if unanswered {
            let message = s.lang.t("close_unanswered_warning").to_owned();
            return render(
                &state,
                &s,
                &id,
                Some((StatusCode::UNPROCESSABLE_ENTITY, message)),
            )
            .await;
        }
    }
    match crate::actions::perform(&state, &s.session.user, &id, action).await {
        // Inboxes send their forms back to themselves.
        Ok(_) if f.get("back") == Some("/approvals") => Redirect::to("/approvals").into_response(),
        Ok(record) => Redirect::to(&format!("/cases/{}", record.case.id)).into_response(),
        Err(e) => render(&state, &s, &id, Some(explain(s.lang, e))).await,
    }
}

/// An API error in the agent's language, with its status.
pub(super) fn explain(lang: Lang, e: ApiError) -> (StatusCode, String) {
    let (status, problem) = ApiError::into_problem(e);
    let message = match &problem.errors {
        Some(fields) => fields
            .iter()
            .map(|f| super::messages::field_error(lang, &f.field, &f.message))
            .collect::<Vec<_>>()
            .join("；"),
        None if status == StatusCode::FORBIDDEN => lang.t("forbidden").to_owned(),
        None => super::messages::message(lang, &problem.detail),
    };
    (status, message)
}

/// A new status-page link for the customer, shown once (earlier links stop working).
async fn customer_link(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = Form::parse(&body);
    if !s.csrf_ok(&f) {
        return s.csrf_refused();
    }
    if !s.session.user.role.sees_personal_data() {
        return error_page(s.lang, StatusCode::FORBIDDEN, s.lang.t("forbidden"));
    }
    let record = match crate::actions::visible_case(&state, &s.session.user, &id).await {
        Ok(r) => r,
        Err(_) => return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found")),
    };
    match state
        .store
        .new_customer_link(record.case.id, state.clock.now())
        .await
    {
        Ok(token) => render_with(&state, &s, &id, Some(Flash::Link(format!("/s/{token}")))).await,
        Err(e) => error_page(s.lang, StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

/// The refund quote for the lines the agent picks, computed from the order as it stands.
fn quote_panel(lang: Lang, case_id: i64, order: &Order, ask: Option<&QuoteAsk>) -> Markup {
    let result = ask.map(|a| {
        parse_lines(&a.lines)
            .and_then(|lines| {
                serde_json::from_value::<Vec<kesu_domain::refund::RequestedLine>>(json!(lines))
                    .map_err(|e| e.to_string())
            })
            .and_then(|lines| {
                order.quote(lines, a.shipping).map_err(|e| {
                    e.into_iter()
                        .map(|f| format!("{}: {}", f.field, f.message))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
            })
    });
    html! {
        h3 { (lang.t("quote")) }
        form.inline-form method="get" action={ "/cases/" (case_id) } {
            label { (lang.t("quote_lines")) input name="quote" value=[ask.map(|a| a.lines.as_str())] placeholder="A:1"; }
            label.check { input type="checkbox" name="shipping" value="1" checked[ask.is_some_and(|a| a.shipping)]; (lang.t("include_shipping")) }
            button type="submit" { (lang.t("calculate")) }
        }
        @match result {
            Some(Ok(q)) => {
                table.quote {
                    thead { tr { th { (lang.t("lines")) } th { (lang.t("quantity")) } th { (lang.t("cash")) } th { (lang.t("points")) } } }
                    tbody {
                        @for l in &q.lines { tr { td { (l.line_id) } td { (l.quantity) } td { (yuan(l.cash_cents)) } td { (yuan(l.points_cents)) } } }
                        @if q.shipping_cents > 0 { tr { td { (lang.t("shipping")) } td {} td { (yuan(q.shipping_cents)) } td {} } }
                        tr.total { th { (lang.t("total")) } td {} th #quote-cash { (yuan(q.cash_cents)) } th { (yuan(q.points_cents)) } }
                    }
                }
            }
            Some(Err(m)) => { p.error role="alert" { (m) } }
            None => {}
        }
    }
}

/// The reply checker's findings for the reply being typed, as a fragment under the box.
async fn check_reply(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = Form::parse(&body);
    if !s.csrf_ok(&f) {
        return s.csrf_refused();
    }
    let lang = s.lang;
    let Ok(record) = crate::actions::visible_case(&state, &s.session.user, &id).await else {
        return (StatusCode::NOT_FOUND, html! {}).into_response();
    };
    let text = f.get("text").unwrap_or("");
    if f.get("internal") == Some("1") || text.trim().is_empty() {
        return html! {}.into_response();
    }
    let c = &record.case;
    let purpose = if c.responded_at.is_none() {
        kesu_domain::reply_check::Purpose::FirstReply
    } else if matches!(c.status, CaseStatus::Executed | CaseStatus::Resolved) {
        kesu_domain::reply_check::Purpose::Closing
    } else {
        kesu_domain::reply_check::Purpose::Reply
    };
    let personal = record.complainant.contact_details();
    let rules = state
        .store
        .reply_rules()
        .await
        .unwrap_or_else(|_| ReplyRules::builtin());
    let result = crate::api::replies::run(&rules, text, Some(c.channel), purpose, personal);
    html! {
        @if result.findings.is_empty() {
            p.ok { "✓ " (lang.t("reply_ok")) }
        } @else {
            @if result.blocking { p.error { (lang.t("reply_blocked")) } }
            ul.findings {
                @for finding in &result.findings {
                    li class=(if finding.blocking { "blocking" } else { "warning" }) {
                        span class={ "badge " (if finding.blocking { "red" } else { "amber" }) } { (finding_label(lang, finding.kind)) }
                        @if !finding.text.is_empty() { " 「" (finding.text) "」" }
                        " → " (finding.suggestion)
                    }
                }
            }
        }
    }
    .into_response()
}

fn finding_label(lang: Lang, kind: kesu_domain::reply_check::FindingKind) -> &'static str {
    use kesu_domain::reply_check::FindingKind as K;
    lang.t(match kind {
        K::OffPlatformContact => "finding_contact",
        K::PhoneNumber => "finding_phone",
        K::Address => "finding_address",
        K::ExternalLink => "finding_link",
        K::Tone => "finding_tone",
        K::MissingGreeting => "finding_greeting",
        K::MissingApology => "finding_apology",
        K::MissingThanks => "finding_thanks",
        K::PersonalData => "finding_personal",
    })
}
