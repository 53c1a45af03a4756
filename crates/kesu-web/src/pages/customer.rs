//! The customer's side: a public complaint form (channel `web_form`) and a status page
//! reached by an unguessable link, where the customer follows progress, chooses among the
//! offered resolutions, confirms the result and rates the handling. Nothing of anyone else
//! is reachable from here, and staff appear as 客服, not by name.

use axum::extract::{Path, State};
use axum::http::{request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::SameSite;
use kesu_domain::after_sales_policy::TimePromise;
use kesu_domain::carriers::Carriers;
use kesu_domain::codes::{Category, Demand};
use kesu_domain::error::{Ask, Problem};
use kesu_domain::event::Change;
use kesu_domain::fulfilment::StepData;
use kesu_domain::history::{Author, Entry};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::Case;
use kesu_domain::{CaseStatus, FieldError};
use kesu_store::{CaseRecord, HistoryEntry};
use maud::{html, Markup, DOCTYPE};
use serde_json::json;

use super::carriers::carrier_name;
use super::customer_files::PublicUpload;
use super::i18n::Lang;
use super::posted::{explain, PageError, PublicForm};
use super::{error_page, local_time, yuan, Form};
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/complain",
            // The form may carry photos: their limits are checked as they stream in.
            get(complain_page)
                .post(complain)
                .layer(axum::extract::DefaultBodyLimit::disable()),
        )
        .route("/s/{token}", get(status_page).post(status_action))
        .merge(super::customer_files::router())
}

const COOKIE: &str = "kesu_public";

/// The double-submit token of public forms: a cookie and a hidden field that must agree.
fn public_token(headers: &axum::http::HeaderMap, secure: bool) -> Option<String> {
    super::cookies::read(headers, COOKIE, secure)
}

fn with_token(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    mut r: Response,
    token: &str,
) -> Response {
    let secure = state.over_https(headers);
    super::cookies::set(
        &mut r,
        COOKIE,
        token.to_owned(),
        SameSite::Strict,
        None,
        secure,
    );
    r
}

fn token_for(state: &AppState, headers: &axum::http::HeaderMap) -> String {
    public_token(headers, state.over_https(headers))
        .unwrap_or_else(|| format!("{:032x}", rand::random::<u128>()))
}

pub(super) fn csrf_ok(state: &AppState, headers: &axum::http::HeaderMap, form: &Form) -> bool {
    matches!((public_token(headers, state.over_https(headers)), form.get("_csrf")), (Some(c), Some(f)) if !c.is_empty() && crate::same_secret(&c, f))
}

pub(super) fn page(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) }
                link rel="stylesheet" href="/assets/kesu.css";
            }
            body.customer { main.customer { (body) } }
        }
    }
}

/// The times the shop promises, for the complaint form; none if they cannot be read (the
/// form still works).
async fn promised_times(state: &AppState) -> Vec<TimePromise> {
    match kesu_app::after_sales::published(&state.store).await {
        Ok(p) => p.times,
        Err(e) => {
            tracing::warn!(error = ?e, "the after-sales policy could not be read for /complain");
            Vec::new()
        }
    }
}

async fn complain_page(State(state): State<AppState>, parts: Parts) -> Response {
    let token = token_for(&state, &parts.headers);
    let times = promised_times(&state).await;
    with_token(
        &state,
        &parts.headers,
        page(
            "投诉与售后",
            complain_form(&token, &Form(vec![]), &[], None, &times),
        )
        .into_response(),
        &token,
    )
}

fn complain_form(
    token: &str,
    f: &Form,
    errors: &[FieldError],
    refused: Option<&str>,
    times: &[TimePromise],
) -> Markup {
    let lang = Lang::Zh;
    let v = |k: &str| f.get(k).unwrap_or("").to_owned();
    html! {
        h1 { "投诉与售后" }
        p.muted { "亲，很抱歉给您带来不便。请告诉我们发生了什么，我们会尽快处理并回复您。" }
        @if !times.is_empty() {
            details.policy-summary #policy-summary {
                summary { "我们的处理时限与售后政策" }
                (super::after_sales::time_list(times))
                p { a href="/policy" target="_blank" rel="noopener" { "查看完整售后政策（退换货、保修、投诉渠道）" } }
            }
        }
        @if !errors.is_empty() { div.error role="alert" { ul { @for e in errors { li { (kesu_i18n::problem(lang, e)) } } } } }
        @if let Some(said) = refused { div.error role="alert" { (said) " 请重新选择照片。" } }
        form method="post" action="/complain" enctype="multipart/form-data" {
            input type="hidden" name="_csrf" value=(token);
            input type="hidden" name="form_id" value=(f.get("form_id").map(str::to_owned).unwrap_or_else(|| format!("{:032x}", rand::random::<u128>())));
            label for="name" { "您的称呼 *" } input #name name="name" value=(v("name")) required maxlength="50";
            label for="phone" { "联系电话" } input #phone name="phone" type="tel" value=(v("phone"));
            label for="email" { "电子邮箱" } input #email name="email" type="email" value=(v("email"));
            label for="order_no" { "订单号" } input #order_no name="order_no" value=(v("order_no"));
            label for="category" { "问题类型 *" }
            select #category name="category" required {
                @for c in Category::ALL { option value=(c.code()) selected[v("category") == c.code()] { (lang.label(c)) } }
            }
            label for="demand" { "您希望如何处理 *" }
            select #demand name="demand" required {
                @for d in Demand::ALL { option value=(d.code()) selected[v("demand") == d.code()] { (lang.label(d)) } }
            }
            label for="description" { "问题描述 *" }
            textarea #description name="description" rows="5" required maxlength="5000" { (v("description")) }
            label for="photos" { "照片或视频（选填：开箱照片、破损处、快递面单）" }
            input #photos type="file" name="file" multiple accept="image/*,video/*,application/pdf";
            button.primary type="submit" { "提交" }
        }
    }
}

async fn complain(
    State(state): State<AppState>,
    PublicUpload {
        headers,
        form: f,
        files,
        refused,
    }: PublicUpload,
) -> Response {
    let token = token_for(&state, &headers);
    let times = promised_times(&state).await;
    let refill = |status: StatusCode, errors: Vec<FieldError>, said: Option<String>| {
        (
            status,
            page(
                "投诉与售后",
                complain_form(&token, &f, &errors, said.as_deref(), &times),
            ),
        )
            .into_response()
    };
    let invalid = |errors: Vec<FieldError>| refill(StatusCode::UNPROCESSABLE_ENTITY, errors, None);
    if let Some(e) = refused {
        let (status, said) = explain(Lang::Zh, e);
        return refill(status, Vec::new(), Some(said));
    }
    if f.text("phone").is_none() && f.text("email").is_none() {
        return invalid(vec![FieldError::new(
            "phone",
            Problem::Explain(Ask::Contact),
        )]);
    }
    let value = json!({
        "channel": "web_form",
        "complainant": {"name": f.get("name").unwrap_or(""), "phone": f.text("phone"), "email": f.text("email")},
        "order_no": f.text("order_no"), "category": f.text("category"), "demand": f.text("demand"),
        "description": f.get("description").unwrap_or(""),
    });
    let form: RegistrationForm = match serde_path_to_error::deserialize(value) {
        Ok(form) => form,
        Err(e) => {
            return invalid(vec![FieldError::explained(
                &e.path().to_string(),
                Problem::Format,
                e.into_inner().to_string(),
            )])
        }
    };
    let now = state.clock.now();
    let result = kesu_app::register::complain_with_files(
        &state.store,
        form,
        f.text("form_id").as_deref(),
        files,
        state.attachment_limits,
        now,
    )
    .await
    .map(|c| (c.record, c.link));
    let result = match result {
        Err(kesu_app::AppError::Invalid(errors)) => return invalid(errors),
        // A photo that is not one (or over a limit): the form comes back as it was filled in.
        Err(e @ (kesu_app::AppError::UnsupportedType(_) | kesu_app::AppError::TooLarge(_))) => {
            let (status, said) = explain(Lang::Zh, e);
            return refill(status, Vec::new(), Some(said));
        }
        Err(kesu_app::AppError::Forbidden(_)) => {
            return error_page(Lang::Zh, StatusCode::FORBIDDEN, Lang::Zh.t("forbidden"))
        }
        other => other,
    };
    match result {
        Ok((record, link)) => page(
            "已收到您的投诉",
            html! {
                h1 { "已收到您的投诉" }
                p { "投诉编号：" strong #case-number { (record.case.number) } }
                p { "我们会尽快核实并联系您。您可以随时通过下面的链接查看进度、选择处理方案并评价我们的服务：" }
                p { a #status-link href={ "/s/" (link) } { "查看处理进度" } }
                p.muted { "请妥善保存此链接，不要转发给他人。" }
            },
        )
        .into_response(),
        Err(e) => PageError::of(Lang::Zh, e).into_response(),
    }
}

/// What the customer reads for each status.
fn customer_status(s: CaseStatus) -> &'static str {
    match s {
        CaseStatus::Registered => "已受理，正在核实",
        CaseStatus::Validated | CaseStatus::Routed | CaseStatus::Analysed => "相关部门正在调查原因",
        CaseStatus::Proposed => "请选择您希望的处理方案",
        CaseStatus::AwaitingApproval | CaseStatus::Approved => "正在为您处理",
        CaseStatus::Executed => "已处理完毕，请确认结果",
        CaseStatus::Resolved | CaseStatus::Closed => "已完结",
    }
}

async fn status_page(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    Path(token): Path<String>,
) -> Response {
    render_status(&state, &headers, &token, None).await
}

pub(super) async fn render_status(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    token: &str,
    error: Option<(StatusCode, String)>,
) -> Response {
    let (record, history) =
        match kesu_app::customer::case_for_link(&state.store, token, state.clock.now()).await {
            Ok(found) => found,
            Err(kesu_app::AppError::NotFound(_)) => {
                return error_page(Lang::Zh, StatusCode::NOT_FOUND, "链接无效或已过期。")
            }
            Err(e) => return PageError::of(Lang::Zh, e).into_response(),
        };
    let zone = state.zone().await;
    // The shop's name and the carriers' names; the page still works without them.
    let shop = match &record.case.order_no {
        Some(no) => state.store.order(no).await.ok().flatten().map(|o| o.shop),
        None => None,
    };
    let carriers = state.store.carriers().await.unwrap_or_else(|e| {
        tracing::warn!(error = ?e, "the carriers could not be read for a status page");
        Carriers::built_in()
    });
    let files = match state.store.attachments(record.case.id).await {
        Ok(files) => super::customer_files::from_customer(files),
        Err(e) => return PageError::of(Lang::Zh, e).into_response(),
    };
    let opted_out = match state.store.opted_out(record.case.id).await {
        Ok(o) => o,
        Err(e) => return PageError::of(Lang::Zh, e).into_response(),
    };
    let csrf = token_for(state, headers);
    let status = error.as_ref().map(|(s, _)| *s).unwrap_or(StatusCode::OK);
    let seen = Seen {
        shop: shop.as_deref(),
        carriers: &carriers,
        zone,
        files: &files,
        limits: &state.attachment_limits,
        opted_out,
    };
    let body = status_body(
        &record,
        &history,
        &seen,
        &csrf,
        token,
        error.map(|(_, m)| m),
    );
    with_token(
        state,
        headers,
        (status, page(&format!("投诉 {}", record.case.number), body)).into_response(),
        &csrf,
    )
}

/// What the status page shows beside the case: the shop, the carriers' names, the zone.
struct Seen<'a> {
    shop: Option<&'a str>,
    carriers: &'a Carriers,
    zone: chrono_tz::Tz,
    /// The customer's own files on the case.
    files: &'a [kesu_store::Attachment],
    limits: &'a kesu_domain::attachment::Limits,
    /// The customer asked for no more e-mail or SMS.
    opted_out: bool,
}

/// When the customer will hear from the shop next: the nearest deadline of a running clock.
fn next_word(c: &Case, zone: chrono_tz::Tz) -> Option<String> {
    if c.is_paused() {
        return Some("我们在等您补充信息，收到后马上继续处理".to_owned());
    }
    kesu_domain::countdown::nearest(c).map(|n| {
        let due = n.due.with_timezone(&zone);
        format!("我们会在 {} 前给您新的答复", due.format("%-m月%-d日 %H:%M"))
    })
}

/// Who bears the return freight, in the customer's words.
fn freight_words(f: &kesu_domain::return_freight::ReturnFreight) -> String {
    use kesu_domain::return_freight::FreightPayer;
    match f.payer {
        FreightPayer::Shop => format!(
            "退货运费 {} 由本店承担，随退款一并退回。",
            yuan(f.covered_cents)
        ),
        FreightPayer::Insurance => format!(
            "退货运费 {} 由您购买的运费险理赔 {}，由保险公司直接支付给您。",
            yuan(f.cents),
            yuan(f.covered_cents)
        ),
        FreightPayer::Customer => {
            format!("七天无理由退货的退货运费 {} 由您承担。", yuan(f.cents))
        }
    }
}

/// What was decided, in the customer's words: the option they chose with its amount, the
/// replacement parcel (carrier and tracking number), the money paid back; or why the
/// complaint did not stand.
fn decided(c: &Case, carriers: &Carriers) -> Markup {
    let lang = Lang::Zh;
    let invalid = c.validity.as_ref().filter(|v| !v.valid);
    html! {
        @if let Some(ch) = &c.chosen {
            section.panel #decided {
                h2 { "处理方案" }
                p { "您选择的方案：" strong { (lang.label(ch.option.kind)) }
                    @if let Some(a) = ch.option.amount_cents { " " strong { (yuan(a)) } } }
                @for step in &c.steps_done {
                    @match &step.data {
                        StepData::Replaced { carrier, tracking_no, .. } => {
                            p #reship { "补发包裹已寄出：" (carrier_name(carriers, lang, carrier)) " " strong { (tracking_no) }  }
                        }
                        StepData::ReturnShipped { carrier, tracking_no, freight } => {
                            p { "您寄回的包裹：" (carrier_name(carriers, lang, carrier)) " " (tracking_no) }
                            @if let Some(f) = freight { p #return-freight { (freight_words(f)) } }
                        }
                        StepData::Refunded { cash_cents, freight_cents, .. } => {
                            p #refunded { "已退款 " strong { (yuan(*cash_cents)) } "，原路退回，一般1–3个工作日到账"
                                @if let Some(f) = freight_cents { "；退货运费 " strong { (yuan(*f)) } " 由本店承担，一并退回" } }
                        }
                        _ => {}
                    }
                }
            }
        } @else if let Some(v) = invalid {
            section.panel #decided {
                h2 { "核实结果" }
                p { (v.reason.as_deref().unwrap_or("经核实，本次投诉暂不成立。")) }
            }
        }
    }
}

fn status_body(
    record: &CaseRecord,
    history: &[HistoryEntry],
    seen: &Seen,
    csrf: &str,
    token: &str,
    error: Option<String>,
) -> Markup {
    let c = &record.case;
    // What the customer reads: the public replies, theirs and the shop's.
    let replies: Vec<(&HistoryEntry, &str)> = history
        .iter()
        .filter_map(|e| match &e.entry {
            Entry::Changed {
                change:
                    Change::Comment {
                        text,
                        internal: false,
                        ..
                    },
                ..
            } => Some((e, text.as_str())),
            _ => None,
        })
        .collect();
    let zone = seen.zone;
    let action = format!("/s/{token}");
    html! {
        @if let Some(shop) = seen.shop { p.shop-name #shop { (shop) } }
        h1 { "投诉 " (c.number) }
        p.status-line { "当前进度：" strong #customer-status { (customer_status(c.status)) } }
        @if c.status.is_open() {
            @if let Some(next) = next_word(c, zone) { p.muted #next-word { (next) } }
        }
        (decided(c, seen.carriers))
        @if let Some(m) = error { p.error role="alert" { (m) } }
        @if c.status == CaseStatus::Proposed {
            section.panel {
                h2 { "请选择处理方案" }
                form method="post" action=(action) {
                    input type="hidden" name="_csrf" value=(csrf);
                    input type="hidden" name="action" value="choose";
                    input type="hidden" name="version" value=(c.version);
                    @for (i, o) in c.options.iter().enumerate() {
                        label.check.option { input type="radio" name="option" value=(i) required;
                            (Lang::Zh.label(o.kind)) @if let Some(a) = o.amount_cents { " " (yuan(a)) } @if let Some(n) = &o.note { " — " (n) } }
                    }
                    button.primary #choose type="submit" { "确认选择" }
                }
            }
        }
        @if c.status == CaseStatus::Executed {
            section.panel {
                h2 { "处理结果确认与评价" }
                form method="post" action=(action) {
                    input type="hidden" name="_csrf" value=(csrf);
                    input type="hidden" name="action" value="follow_up";
                    input type="hidden" name="version" value=(c.version);
                    // Nothing is chosen for the customer: their answer and rating are theirs.
                    label.check { input type="radio" name="satisfied" value="true" required; "问题已解决，我满意" }
                    label.check { input type="radio" name="satisfied" value="false"; "还没有解决，需要重新协商" }
                    // Stars in one click; none chosen, and none needed.
                    fieldset.chips.stars #rating {
                        legend { "为本次服务评分（可不评分）" }
                        @for r in (1..=5).rev() {
                            label.chip data-value=(r) { input type="radio" name="rating" value=(r); span { (r) " 星" } }
                        }
                    }
                    label for="fu-comment" { "您的意见（选填）" }
                    textarea #fu-comment name="comment" rows="2" {}
                    button.primary #confirm type="submit" { "提交" }
                }
            }
        }
        @if c.status.is_open() {
            section.panel {
                h2 { "给客服留言" }
                form method="post" action=(action) {
                    input type="hidden" name="_csrf" value=(csrf);
                    input type="hidden" name="action" value="comment";
                    input type="hidden" name="version" value=(c.version);
                    textarea name="text" rows="2" required {}
                    button type="submit" { "发送" }
                }
            }
        }
        (super::customer_files::customer_evidence(token, csrf, seen.files, seen.limits, c.status.is_open(), zone))
        section.panel {
            h2 { "沟通记录" }
            @if replies.is_empty() { p.muted { "暂无消息。" } }
            ol.timeline {
                @for (e, text) in replies.iter().rev() {
                    li.reply {
                        span.when { (local_time(e.at, zone)) } " "
                        strong { (match e.author { Author::Customer => "我", Author::Staff(_) => "客服", Author::System(_) => "系统" }) }
                        p { (text) }
                    }
                }
            }
        }
        @if c.status.is_open() { (super::customer_files::notices_choice(token, csrf, seen.opted_out)) }
        p.policy-link { a #policy-link href="/policy" target="_blank" rel="noopener" { "售后政策与处理时限" } }
    }
}

async fn status_action(
    State(state): State<AppState>,
    Path(token): Path<String>,
    PublicForm { headers, form: f }: PublicForm,
) -> Response {
    let action = f.text("action").unwrap_or_default();
    // Customers choose, confirm and write public messages: nothing else.
    let mut body = json!({"action": action, "version": f.get("version").and_then(|v| v.parse::<i64>().ok()).unwrap_or(0)});
    match action.as_str() {
        "choose" => {
            body["option"] = json!(f
                .get("option")
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(-1))
        }
        "follow_up" => {
            body["way"] = json!("status_page");
            // No answer is no answer: the lifecycle refuses a follow-up without one.
            match f.get("satisfied") {
                Some("true") => body["satisfied"] = json!(true),
                Some("false") => body["satisfied"] = json!(false),
                _ => {}
            }
            if let Some(r) = f.text("rating").and_then(|r| r.parse::<i64>().ok()) {
                body["rating"] = json!(r);
            }
            if let Some(c) = f.text("comment") {
                body["comment"] = json!(c);
            }
        }
        "comment" => {
            body["text"] = json!(f.get("text").unwrap_or(""));
            body["internal"] = json!(false);
        }
        _ => return error_page(Lang::Zh, StatusCode::FORBIDDEN, Lang::Zh.t("forbidden")),
    }
    let result = async {
        let request = kesu_app::cases::ActionRequest::from_json(body)?;
        let now = state.clock.now();
        kesu_app::customer::act_as_customer(&state.store, &token, request, now).await
    };
    match result.await {
        Ok(_) => axum::response::Redirect::to(&format!("/s/{token}")).into_response(),
        Err(e) => {
            let shown = super::posted::explain(Lang::Zh, ApiError::from(e));
            render_status(&state, &headers, &token, Some(shown)).await
        }
    }
}
