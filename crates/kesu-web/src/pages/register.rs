//! The registration form (投诉登记表): every field, the required ones marked, a checklist
//! that blocks saving until complete, and a read-back the agent confirms with the customer.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::codes::{Category, Channel, Demand, Jurisdiction, Priority};
use kesu_domain::dates::parse_local_time;
use kesu_domain::error::{Ask, Problem};
use kesu_domain::registration::{Registration, RegistrationForm};
use kesu_domain::{FieldError, Rejection};
use maud::{html, Markup};
use serde_json::json;

use super::i18n::Lang;
use super::posted::{PageError, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, script_file, Form};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/cases/new", get(new_case).post(submit))
        .route("/cases/new/triage", post(suggest))
}

/// Triage's suggestion for the description being typed; the agent takes it or not.
async fn suggest(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let lang = s.lang;
    let text = f.get("description").unwrap_or("").trim();
    if text.chars().count() < 4 {
        return html! {}.into_response();
    }
    let who = kesu_app::triage::Complainant {
        phone: f.get("phone"),
        order_no: f.get("order_no"),
    };
    // A suggestion while typing: when the store cannot be read it is made from the built-in
    // rules, model and policy (and the cause logged) rather than not at all.
    let t = match kesu_app::triage::suggest(&state.store, text, who, state.clock.now()).await {
        Ok(t) => t,
        Err(e) => {
            tracing::warn!(error = ?e, "triage suggestion from the built-in model and rules");
            kesu_domain::triage_model::suggest_builtin(
                &kesu_domain::triage::TriageRules::builtin(),
                &kesu_domain::Policy::default(),
                text,
            )
        }
    };
    let high = t.urgency == kesu_domain::triage::Urgency::High;
    let library = match state.store.reply_templates().await {
        Ok(l) => l.templates,
        Err(e) => {
            tracing::warn!(error = %e, "triage suggestion without the reply scripts");
            Vec::new()
        }
    };
    let opening = kesu_domain::scripts::first_reply_for(&library, t.category, lang.scripts());
    html! {
        p.triage {
            (lang.t("triage_suggests")) " "
            strong { (lang.label(t.category)) }
            @if high { " · " span.badge.red { (lang.t("triage_urgent")) } }
            @if !t.signals.is_empty() { " " span.muted { "（" (t.signals.join("、")) "）" } }
            " "
            button.link.use-triage type="button" data-category=(t.category.code())
                data-priority=(if high { "high" } else { "normal" }) { (lang.t("triage_use")) }
        }
        @if let Some(o) = opening {
            p.muted.triage-script { (lang.t("triage_first_reply")) ": " (o.title) }
        }
    }
    .into_response()
}

/// The form's fields, as typed.
const FIELDS: &[&str] = &[
    "channel",
    "name",
    "phone",
    "email",
    "order_no",
    "tracking_no",
    "category",
    "demand",
    "description",
    "received_at",
    "tags",
    "priority",
    "referral_body",
    "referral_jurisdiction",
    "referral_reference",
    "referral_filed_on",
];

/// A blank form; from an order's page (`?order_no=`) already filled from that order.
async fn new_case(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    if !s.session.user.role.registers_cases() {
        return error_page(s.lang, StatusCode::FORBIDDEN, s.lang.t("forbidden"));
    }
    let form_id = format!("{:032x}", rand::random::<u128>());
    let mut blank = Form(vec![("form_id".into(), form_id)]);
    if let Some((_, no)) = q
        .into_iter()
        .find(|(k, v)| k == "order_no" && !v.trim().is_empty())
    {
        blank.0.push(("order_no".into(), no));
        return prefill(&state, &s, blank).await;
    }
    layout(&s, s.lang.t("register"), form_page(&s, &blank, &[])).into_response()
}

fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a FieldError> {
    errors.iter().find(|e| e.field == field)
}

fn form_page(s: &PageSession, f: &Form, errors: &[FieldError]) -> Markup {
    form_page_with(s, f, errors, None)
}

fn form_page_with(
    s: &PageSession,
    f: &Form,
    errors: &[FieldError],
    notice: Option<&str>,
) -> Markup {
    let lang = s.lang;
    let v = |k: &str| f.get(k).unwrap_or("").to_owned();
    let req = html! { abbr.req title=(lang.t("required")) { "*" } };
    let err = |field: &str| {
        let msg = error_for(errors, field).map(|e| kesu_i18n::problem_only(lang, e));
        html! { @if let Some(m) = msg { span.field-error id={ (field) "-error" } { (m) } } }
    };
    html! {
        h1 { (lang.t("register")) }
        @if !errors.is_empty() {
            div.error role="alert" { ul { @for e in errors { li { (kesu_i18n::problem(lang, e)) } } } }
        }
        div.register {
            form #register method="post" action="/cases/new" novalidate {
                (csrf_field(s))
                input type="hidden" name="form_id" value=(v("form_id"));
                input type="hidden" name="step" value="review";
                // The order number first: it fills the customer and the parcel.
                fieldset.order-first {
                    label for="order_no" { (lang.t("order_no")) }
                    div.with-button {
                        input #order_no name="order_no" value=(v("order_no")) autofocus[v("order_no").is_empty()];
                        button #prefill type="submit" name="prefill" value="1" formnovalidate { (lang.t("prefill")) }
                    }
                    @if let Some(n) = notice { p.notice role="status" { (n) } }
                    (err("order_no"))
                }
                fieldset {
                    legend { (lang.t("customer")) }
                    // One click each: the channel and the demand as chips, not drop-downs.
                    fieldset.chips #channel {
                        legend { (lang.t("channel")) " " (req) }
                        @for c in Channel::ALL {
                            label.chip data-value=(c.code()) { input type="radio" name="channel" value=(c.code()) required data-check="channel" checked[v("channel") == c.code()]; span { (lang.label(c)) } }
                        }
                    }
                    (err("channel"))
                    label for="name" { (lang.t("complainant_name")) " " (req) }
                    input #name name="name" value=(v("name")) required data-check="name" maxlength="50";
                    (err("complainant.name"))
                    label for="phone" { (lang.t("phone")) }
                    input #phone name="phone" type="tel" value=(v("phone")) data-check="contact" placeholder="13812345678";
                    (err("complainant.phone"))
                    label for="email" { (lang.t("email")) }
                    input #email name="email" type="email" value=(v("email")) data-check="contact";
                    (err("complainant.email"))
                }
                fieldset {
                    legend { (lang.t("description")) }
                    label for="tracking_no" { (lang.t("tracking_no")) }
                    input #tracking_no name="tracking_no" value=(v("tracking_no"));
                    (err("tracking_no"))
                    label for="category" { (lang.t("category")) " " (req) }
                    select #category name="category" required data-check="category" {
                        option value="" { "—" }
                        @for c in Category::ALL { option value=(c.code()) selected[v("category") == c.code()] { (lang.label(c)) } }
                    }
                    fieldset.chips #demand {
                        legend { (lang.t("demand")) " " (req) }
                        @for d in Demand::ALL {
                            label.chip data-value=(d.code()) { input type="radio" name="demand" value=(d.code()) required data-check="demand" checked[v("demand") == d.code()]; span { (lang.label(d)) } }
                        }
                    }
                    label for="description" { (lang.t("description")) " " (req) }
                    textarea #description name="description" rows="5" required data-check="description" maxlength="5000"
                        hx-post="/cases/new/triage" hx-trigger="input changed delay:600ms" hx-target="#triage" hx-include="[name=_csrf],[name=phone],[name=order_no]" { (v("description")) }
                    div #triage aria-live="polite" {}
                    (err("description"))
                    label for="received_at" { (lang.t("received_at")) }
                    (super::datetime_input(lang, "received_at", &v("received_at")))
                    (err("received_at"))
                    label for="tags" { (lang.t("tags")) }
                    input #tags name="tags" value=(v("tags"));
                    label for="priority" { (lang.t("priority")) }
                    select #priority name="priority" {
                        @for p in Priority::ALL { option value=(p.code()) selected[v("priority") == p.code()] { (lang.label(p)) } }
                    }
                    fieldset #referral {
                        legend { (lang.t("referral_legend")) }
                        label for="referral_body" { (lang.t("referral_body")) }
                        input #referral_body name="referral_body" value=(v("referral_body")) placeholder="杭州市西湖区消费者权益保护委员会";
                        label for="referral_jurisdiction" { (lang.t("jurisdiction")) }
                        select #referral_jurisdiction name="referral_jurisdiction" {
                            @for j in Jurisdiction::ALL { option value=(j.code()) selected[v("referral_jurisdiction") == j.code()] { (lang.label(j)) } }
                        }
                        label for="referral_reference" { (lang.t("referral_reference")) }
                        input #referral_reference name="referral_reference" value=(v("referral_reference"));
                        label { (lang.t("filed_on")) (super::date_input(lang, "referral_filed_on", &v("referral_filed_on"))) }
                        (err("referral"))
                    }
                }
                button.primary #to-review type="submit" { (lang.t("continue")) }
            }
            aside.checklist aria-live="polite" {
                h2 { (lang.t("checklist")) }
                ul {
                    li data-item="channel" { (lang.t("channel")) }
                    li data-item="name" { (lang.t("complainant_name")) }
                    li data-item="contact" { (lang.t("contact_needed")) }
                    li data-item="category" { (lang.t("category")) }
                    li data-item="demand" { (lang.t("demand")) }
                    li data-item="description" { (lang.t("description")) }
                }
                p.muted { (lang.t("checklist_hint")) }
            }
        }
        (script_file("/assets/kesu-register.js"))
    }
}

/// The typed fields as the API's registration JSON; times typed in the shop's zone.
fn to_registration(f: &Form, zone: chrono_tz::Tz) -> Result<RegistrationForm, Vec<FieldError>> {
    let opt = |k: &str| f.text(k);
    let mut errors = Vec::new();
    let received_at = match opt("received_at") {
        None => None,
        Some(t) => match parse_local_time("received_at", &t, zone) {
            Ok(at) => Some(at.to_rfc3339()),
            Err(e) => {
                errors.push(e);
                None
            }
        },
    };
    if opt("phone").is_none() && opt("email").is_none() {
        errors.push(FieldError::new(
            "complainant.phone",
            Problem::Explain(Ask::Contact),
        ));
    }
    for field in ["channel", "category", "demand"] {
        if opt(field).is_none() {
            errors.push(FieldError::new(field, Problem::Required));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let tags: Vec<String> = opt("tags")
        .map(|t| {
            t.split([',', '，'])
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    // The referral block counts only for complaints forwarded by a consumer association.
    let referral = match (opt("channel").as_deref(), opt("referral_body")) {
        (Some("consumer_association"), Some(body)) => {
            let filed_at = match opt("referral_filed_on") {
                None => None,
                Some(d) => match parse_local_time("referral_filed_on", &d, zone) {
                    Ok(t) => Some(t.to_rfc3339()),
                    Err(e) => return Err(vec![e]),
                },
            };
            json!({"body": body, "jurisdiction": opt("referral_jurisdiction"),
                   "reference": f.get("referral_reference").unwrap_or(""), "filed_at": filed_at})
        }
        _ => serde_json::Value::Null,
    };
    let value = json!({
        "priority": opt("priority"), "referral": referral,
        "channel": opt("channel"), "category": opt("category"), "demand": opt("demand"),
        "complainant": {"name": f.get("name").unwrap_or(""), "phone": opt("phone"), "email": opt("email")},
        "order_no": opt("order_no"), "tracking_no": opt("tracking_no"),
        "description": f.get("description").unwrap_or(""), "received_at": received_at, "tags": tags,
    });
    serde_path_to_error::deserialize(value).map_err(|e| {
        let field = e.path().to_string();
        vec![FieldError::explained(
            &field,
            Problem::Format,
            e.into_inner().to_string(),
        )]
    })
}

async fn submit(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let lang = s.lang;
    let user = s.session.user.clone();
    let actor = user.actor();
    if Registration::check_actor(&actor).is_err() {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    if f.get("prefill") == Some("1") {
        return prefill(&state, &s, f).await;
    }
    let policy = match state.store.policy().await {
        Ok(p) => p,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let now = state.clock.now();
    let invalid = |errors: Vec<FieldError>| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            layout(&s, lang.t("register"), form_page(&s, &f, &errors)),
        )
            .into_response()
    };
    let form = match to_registration(&f, policy.zone()) {
        Ok(form) => form,
        Err(errors) => return invalid(errors),
    };
    let registration = match form.clone().parse(now) {
        Ok(r) => r,
        Err(Rejection::Invalid(errors)) => return invalid(errors),
        Err(other) => {
            return invalid(vec![FieldError::explained(
                "",
                Problem::Invalid,
                other.to_string(),
            )])
        }
    };
    match f.get("step") {
        Some("confirm") if f.get("readback") == Some("1") => {}
        Some("confirm") => {
            let errors = vec![FieldError::new("readback", Problem::Explain(Ask::Readback))];
            return (
                StatusCode::UNPROCESSABLE_ENTITY,
                layout(
                    &s,
                    lang.t("review"),
                    review_page(&s, &f, &registration, &errors),
                ),
            )
                .into_response();
        }
        Some("edit") => {
            return layout(&s, lang.t("register"), form_page(&s, &f, &[])).into_response()
        }
        _ => {
            return layout(
                &s,
                lang.t("review"),
                review_page(&s, &f, &registration, &[]),
            )
            .into_response()
        }
    }
    // The form's id makes a double click create one case, not two.
    let key = f.text("form_id").map(|id| format!("form:{id}"));
    let registered =
        kesu_app::register::register(&state.store, &user, form, key.as_deref(), now).await;
    match registered {
        Ok(r) => {
            let id = r.record.case.id;
            // The agent who typed the customer in is talking to them: the case opens with
            // the contact shown, and the trail says so like any other reveal.
            let contact = kesu_domain::reveal::RevealReason::Contact;
            if let Err(e) =
                kesu_app::personal_data::reveal(&state.store, &user, id, contact, now).await
            {
                tracing::warn!(error = ?e, case = id, "the new case's contact could not be revealed");
            }
            Redirect::to(&format!("/cases/{id}")).into_response()
        }
        Err(e) => {
            let (status, message) = super::posted::explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}

fn review_page(s: &PageSession, f: &Form, r: &Registration, errors: &[FieldError]) -> Markup {
    let lang: Lang = s.lang;
    let row = |label: &'static str, value: String| html! { tr { th scope="row" { (lang.t(label)) } td { (value) } } };
    html! {
        h1 { (lang.t("review")) }
        p.hint { (lang.t("readback_hint")) }
        @if !errors.is_empty() { p.error role="alert" { (lang.t("readback_hint")) } }
        table.summary {
            (row("channel", lang.label(r.channel).to_owned()))
            (row("complainant_name", r.complainant.name.as_str().to_owned()))
            (row("phone", r.complainant.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default()))
            (row("email", r.complainant.email.as_ref().map(|e| e.as_str().to_owned()).unwrap_or_default()))
            (row("order_no", r.order_no.as_ref().map(|o| o.to_string()).unwrap_or_default()))
            (row("tracking_no", r.tracking_no.clone().unwrap_or_default()))
            (row("category", lang.label(r.category).to_owned()))
            (row("demand", lang.label(r.demand).to_owned()))
            (row("description", r.description.clone()))
            (row("tags", r.tags.join("，")))
            (row("priority", lang.label(r.priority).to_owned()))
            @if let Some(rf) = &r.referral {
                (row("referral", format!("{} · {} · {}", rf.body, lang.label(rf.jurisdiction), rf.reference)))
            }
        }
        form #confirm method="post" action="/cases/new" {
            (csrf_field(s))
            input type="hidden" name="form_id" value=(f.get("form_id").unwrap_or(""));
            @for k in FIELDS { input type="hidden" name=(k) value=(f.get(k).unwrap_or("")); }
            label.check { input #readback type="checkbox" name="readback" value="1" required; (lang.t("readback_confirmed")) }
            div.buttons {
                button type="submit" name="step" value="edit" formnovalidate { (lang.t("edit")) }
                button.primary #save type="submit" name="step" value="confirm" { (lang.t("save_case")) }
            }
        }
    }
}

/// Fills the customer's name, phone and tracking number from the order, where still empty.
async fn prefill(state: &AppState, s: &PageSession, mut f: Form) -> Response {
    let lang = s.lang;
    let order = match f.text("order_no") {
        Some(no) => state.store.order(&no).await.ok().flatten(),
        None => None,
    };
    let Some(order) = order else {
        return layout(
            s,
            lang.t("register"),
            form_page_with(s, &f, &[], Some(lang.t("no_order"))),
        )
        .into_response();
    };
    let mut set = |key: &str, value: Option<String>| {
        if let (None, Some(v)) = (f.text(key), value) {
            f.0.retain(|(k, _)| k != key);
            f.0.push((key.to_owned(), v));
        }
    };
    set("name", Some(order.buyer.name.as_str().to_owned()));
    set(
        "phone",
        order.buyer.phone.as_ref().map(|p| p.as_str().to_owned()),
    );
    set(
        "tracking_no",
        order
            .shipments
            .iter()
            .find(|s| s.kind == kesu_domain::order::ShipmentKind::Original)
            .map(|s| s.tracking_no.clone()),
    );
    layout(
        s,
        lang.t("register"),
        form_page_with(s, &f, &[], Some(lang.t("prefilled"))),
    )
    .into_response()
}
