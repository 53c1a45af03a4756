//! The logistics board (open exceptions by carrier and age, claims in progress) and the
//! carrier-claim forms of the case page.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use kesu_domain::case::Case;
use kesu_domain::claims::{
    ClaimForm, ClaimReason, ClaimStatus, ClaimUpdate, Evidence, EvidenceKind,
};
use kesu_domain::logistics::Level;
use kesu_domain::money::parse_yuan;
use kesu_domain::order::Order;
use kesu_domain::shipping_promise::ShipRisk;
use kesu_store::{Claim, LogisticsException};
use maud::{html, Markup};

use super::carriers::carrier_name;
use super::case::render;
use super::i18n::Lang;
use super::posted::{explain, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time, yuan, Form};
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/logistics", get(board))
        .route("/logistics/exceptions/{id}/resolve", post(resolve))
        .route("/cases/{id}/claims", post(file_claim))
        .route("/claims/{id}/status", post(set_claim_status))
        .route("/claims/{id}/evidence-pack", get(evidence_pack))
}

/// How long ago, in hours or days: `5 小时` / `3 天`.
fn age(lang: Lang, since: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let hours = (now - since).num_hours().max(0);
    if hours < 48 {
        format!("{hours} {}", lang.t("hours"))
    } else {
        format!("{} {}", hours / 24, lang.t("days"))
    }
}

async fn board(State(state): State<AppState>, s: PageSession) -> Response {
    let lang = s.lang;
    let now = state.clock.now();
    let loaded = async {
        let user = &s.session.user;
        let open = kesu_app::claims::visible_exceptions(&state.store, user, true, None).await?;
        let claims = kesu_app::claims::visible_claims(&state.store, user).await?;
        let zone = state.store.policy().await?.zone();
        let carriers = state.store.carriers().await?;
        let unshipped = if user.role.handles_cases() {
            kesu_app::shipping::at_risk(&state.store, user, now).await?
        } else {
            Vec::new()
        };
        Ok::<_, ApiError>((open, claims, zone, carriers, unshipped))
    }
    .await;
    let (open, claims, zone, names, unshipped) = match loaded {
        Ok(x) => x,
        Err(e) => {
            let (status, message) = explain(lang, e);
            return error_page(lang, status, &message);
        }
    };
    let mut by_carrier: BTreeMap<&str, Vec<&LogisticsException>> = BTreeMap::new();
    for e in &open {
        by_carrier.entry(e.carrier.as_str()).or_default().push(e);
    }
    // Carriers with the most trouble first; within a carrier the oldest first.
    let mut carriers: Vec<(&str, Vec<&LogisticsException>)> = by_carrier.into_iter().collect();
    carriers.sort_by_key(|(c, list)| (std::cmp::Reverse(list.len()), *c));
    for (_, list) in &mut carriers {
        list.sort_by_key(|e| e.detected_at);
    }
    let can_act = s.session.user.role.handles_cases();
    let open_claims: Vec<&Claim> = claims.iter().filter(|c| c.status.is_open()).collect();
    let claimed: i64 = claims.iter().map(|c| c.amount_claimed_cents).sum();
    let recovered: i64 = claims.iter().filter_map(|c| c.amount_recovered_cents).sum();
    let body = html! {
        h1 { (lang.t("logistics_board")) }
        p.summary #board-summary {
            (lang.t("open_exceptions")) " " strong { (open.iter().filter(|e| e.level == Level::Exception).count()) }
            " · " (lang.t("open_warnings")) " " strong { (open.iter().filter(|e| e.level == Level::Warning).count()) }
            " · " (lang.t("open_claims")) " " strong { (open_claims.len()) }
            " · " (lang.t("claimed_total")) " " (yuan(claimed)) " · " (lang.t("recovered_total")) " " (yuan(recovered))
        }
        @if !unshipped.is_empty() {
            section.panel #unshipped {
                h2 { (lang.t("unshipped_orders")) " " span.count { "(" (unshipped.len()) ")" } }
                p.muted { (lang.t("unshipped_hint")) }
                table.board {
                    thead { tr { th { (lang.t("order")) } th { (lang.t("shop")) } th { (lang.t("paid_at")) } th { (lang.t("ship_by")) } th {} } }
                    tbody {
                        @for o in &unshipped {
                            tr data-order=(o.order_no) {
                                td { a href=(super::orders::order_url(&o.order_no)) { (o.order_no) } }
                                td { (o.shop) }
                                td { (local_time(o.paid_at, zone)) }
                                td { (local_time(o.due, zone)) }
                                td { @if o.risk == ShipRisk::Late {
                                        span.badge.red { (lang.t("ship_late")) " " (age(lang, o.due, now)) }
                                    } @else {
                                        span.badge.amber { (lang.t("ship_at_risk")) " " (age(lang, now, o.due)) }
                                    } }
                            }
                        }
                    }
                }
            }
        }
        @if carriers.is_empty() { p.empty { (lang.t("no_exceptions")) } }
        @for (carrier, list) in &carriers {
            section.panel.carrier data-carrier=(carrier) {
                h2 { (carrier_name(&names, lang, carrier)) " " span.count { "(" (list.len()) ")" } }
                table.board {
                    thead { tr {
                        th { (lang.t("tracking_no")) } th { (lang.t("exception_kind")) } th { (lang.t("age")) }
                        th { (lang.t("detail")) } th { (lang.t("case")) } th {}
                    } }
                    tbody {
                        @for e in list {
                            tr data-tracking=(e.tracking_no) {
                                td { (e.tracking_no) @if let Some(o) = &e.order_no { br; span.muted { (o) } } }
                                td {
                                    span class={ "badge " (if e.level == Level::Exception { "red" } else { "amber" }) } {
                                        (lang.label(e.kind))
                                    }
                                    @if e.level == Level::Warning { " " span.muted { (lang.t("warning")) } }
                                }
                                td title=(local_time(e.detected_at, zone)) { (age(lang, e.detected_at, now)) }
                                td { (e.detail.as_deref().unwrap_or("")) p.playbook { (lang.playbook(e.kind)) } }
                                td { @if let (Some(id), Some(n)) = (e.case_id, &e.case_number) { a href={ "/cases/" (id) } { (n) } } @else { "—" } }
                                td { @if can_act {
                                    form method="post" action={ "/logistics/exceptions/" (e.id) "/resolve" } {
                                        (csrf_field(&s))
                                        button.link type="submit" { (lang.t("mark_resolved")) }
                                    }
                                } }
                            }
                        }
                    }
                }
            }
        }
        section.panel #claims {
            h2 { (lang.t("carrier_claims")) }
            @if claims.is_empty() { p.empty { (lang.t("no_claims")) } } @else {
                table.board {
                    thead { tr {
                        th { (lang.t("case")) } th { (lang.t("carrier")) } th { (lang.t("claim_reason")) }
                        th { (lang.t("amount_claimed")) } th { (lang.t("amount_recovered")) }
                        th { (lang.t("status")) } th { (lang.t("claim_deadline")) }
                    } }
                    tbody {
                        @for c in &claims {
                            tr data-claim=(c.id) {
                                td { a href={ "/cases/" (c.case_id) } { (c.case_number) } }
                                td { (carrier_name(&names, lang, &c.carrier)) " " (c.tracking_no) }
                                td { (lang.label(c.reason)) }
                                td { (yuan(c.amount_claimed_cents)) }
                                td { (c.amount_recovered_cents.map(yuan).unwrap_or_else(|| "—".into())) }
                                td { (lang.label(c.status)) }
                                td class=(if c.status.is_open() && c.deadline < now { "overdue" } else { "" }) { (local_time(c.deadline, zone)) }
                            }
                        }
                    }
                }
            }
        }
    };
    layout(&s, lang.t("logistics_board"), body).into_response()
}

async fn resolve(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, _f): SignedForm,
) -> Response {
    let Ok(id) = id.parse::<i64>() else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    let now = state.clock.now();
    match kesu_app::claims::resolve_exception(&state.store, &s.session.user, id, now).await {
        // Resolved meanwhile (a double click, a colleague): the board is what they want.
        Ok(()) | Err(kesu_app::AppError::NotFound(_)) => Redirect::to("/logistics").into_response(),
        Err(e) => {
            let (status, message) = explain(s.lang, e);
            error_page(s.lang, status, &message)
        }
    }
}

/// The claims of a case, with forms to file one and to move each on.
pub fn claims_panel(
    s: &PageSession,
    c: &Case,
    order: Option<&Order>,
    claims: &[Claim],
    files: &[kesu_store::Attachment],
    carriers: &kesu_domain::carriers::Carriers,
    zone: chrono_tz::Tz,
) -> Markup {
    let lang = s.lang;
    let can_act = s.session.user.role.handles_cases();
    let parcel = order.and_then(|o| {
        o.shipments
            .iter()
            .find(|sh| c.tracking_no.as_deref().is_none_or(|t| t == sh.tracking_no))
    });
    let carrier = parcel.map(|p| p.carrier.as_str());
    let tracking = c
        .tracking_no
        .as_deref()
        .or(parcel.map(|p| p.tracking_no.as_str()))
        .unwrap_or("");
    let logistics_case = matches!(
        c.category,
        kesu_domain::codes::Category::Logistics | kesu_domain::codes::Category::Damaged
    );
    html! {
        @if !claims.is_empty() || (can_act && c.status.is_open() && logistics_case) {
            h2 { (lang.t("carrier_claims")) }
        }
        @for k in claims {
            div.claim data-claim=(k.id) {
                p {
                    strong { (carrier_name(carriers, lang, &k.carrier)) " " (k.tracking_no) } " · " (lang.label(k.reason))
                    " · " (lang.t("amount_claimed")) " " (yuan(k.amount_claimed_cents))
                    @if let Some(r) = k.amount_recovered_cents { " · " (lang.t("amount_recovered")) " " (yuan(r)) }
                    " · " span.status { (lang.label(k.status)) }
                    " · " (lang.t("claim_deadline")) " " (local_time(k.deadline, zone))
                }
                @if !k.evidence.is_empty() {
                    ul.evidence { @for e in &k.evidence { li {
                        (evidence_label(lang, e.kind)) ": "
                        @if let Some(id) = e.attachment_id { a href={ "/files/" (id) } target="_blank" rel="noopener" { (e.reference) } }
                        @else { (e.reference) }
                        @if let Some(n) = &e.note { " — " (n) }
                    } } }
                }
                p { a.button href={ "/claims/" (k.id) "/evidence-pack" } download { (lang.t("evidence_pack")) } }
                @if can_act && k.status.is_open() {
                    form.inline method="post" action={ "/claims/" (k.id) "/status" } data-claim-form=(k.id) {
                        (csrf_field(s))
                        input type="hidden" name="version" value=(k.version);
                        label { (lang.t("status"))
                            select name="status" { @for st in k.status.next() { option value=(st.code()) { (lang.label(st)) } } }
                        }
                        label { (lang.t("amount_recovered_yuan")) input name="recovered" inputmode="decimal"; }
                        label { (lang.t("note")) input name="note"; }
                        button type="submit" { (lang.t("update_claim")) }
                    }
                }
            }
        }
        @if can_act && c.status.is_open() && logistics_case {
            details #file-claim {
                summary { (lang.t("file_claim")) }
                form method="post" action={ "/cases/" (c.id) "/claims" } {
                    (csrf_field(s))
                    label { (lang.t("carrier")) (super::carriers::carrier_select(lang, "carrier", carriers, carrier)) }
                    label { (lang.t("tracking_no")) input name="tracking_no" required value=(tracking); }
                    label { (lang.t("claim_reason"))
                        select name="reason" {
                            @for r in [ClaimReason::Damaged, ClaimReason::Lost] {
                                option value=(r.code()) selected[(r == ClaimReason::Damaged) == (c.category == kesu_domain::codes::Category::Damaged)] { (lang.label(r)) }
                            }
                        }
                    }
                    label { (lang.t("amount_claimed_yuan")) input name="amount" inputmode="decimal" required; }
                    fieldset.claim-files {
                        legend { (lang.t("evidence_files")) }
                        @if files.is_empty() { p.muted { (lang.t("evidence_files_none")) } }
                        @for f in files {
                            label.check { input type="checkbox" name="file" value=(f.id) checked[f.thumb_sha256.is_some()]; (f.name) }
                        }
                    }
                    label { (lang.t("evidence_delivery"))
                        select name="delivery_file" {
                            option value="" { "—" }
                            @for f in files { option value=(f.id) { (f.name) } }
                        }
                    }
                    label { (lang.t("evidence_delivery_record")) input name="delivery_proof"; }
                    label.check { input type="checkbox" name="attach_tracking" value="1" checked; (lang.t("evidence_tracking")) }
                    label { (lang.t("claim_deadline")) (super::date_input(lang, "deadline", "")) }
                    label { (lang.t("note")) input name="note"; }
                    button.primary type="submit" { (lang.t("file_claim")) }
                }
            }
        }
    }
}

fn evidence_label(lang: Lang, kind: EvidenceKind) -> &'static str {
    lang.t(match kind {
        EvidenceKind::Photo => "evidence_kind_photo",
        EvidenceKind::Tracking => "evidence_kind_tracking",
        EvidenceKind::DeliveryProof => "evidence_kind_delivery",
        EvidenceKind::Invoice => "evidence_kind_invoice",
        EvidenceKind::Other => "evidence_kind_other",
    })
}

/// The claim form as the API's claim.
fn claim_form(f: &Form, zone: chrono_tz::Tz) -> Result<ClaimForm, String> {
    // Files of the case are named by their ids; the use case checks them and names them.
    let attachment = |v: &str| v.trim().parse::<i64>().map_err(|_| "file".to_owned());
    let mut evidence = Vec::new();
    for v in f.all("file") {
        evidence.push(Evidence {
            kind: EvidenceKind::Photo,
            reference: String::new(),
            note: None,
            attachment_id: Some(attachment(v)?),
        });
    }
    if let Some(v) = f.text("delivery_file") {
        evidence.push(Evidence {
            kind: EvidenceKind::DeliveryProof,
            reference: String::new(),
            note: None,
            attachment_id: Some(attachment(&v)?),
        });
    }
    if let Some(d) = f.text("delivery_proof") {
        evidence.push(Evidence {
            kind: EvidenceKind::DeliveryProof,
            reference: d,
            note: None,
            attachment_id: None,
        });
    }
    let tracking_no = f.get("tracking_no").unwrap_or("").trim().to_owned();
    if f.get("attach_tracking") == Some("1") && !tracking_no.is_empty() {
        evidence.push(Evidence {
            kind: EvidenceKind::Tracking,
            reference: tracking_no.clone(),
            note: None,
            attachment_id: None,
        });
    }
    let deadline = match f.text("deadline") {
        None => None,
        Some(d) => {
            let date = kesu_domain::dates::parse_date("deadline", &d).map_err(|_| "deadline")?;
            let end = date
                .and_hms_opt(23, 59, 0)
                .and_then(|t| t.and_local_timezone(zone).earliest())
                .ok_or("deadline")?;
            Some(end.fixed_offset())
        }
    };
    Ok(ClaimForm {
        carrier: f.get("carrier").unwrap_or("").to_owned(),
        tracking_no,
        reason: ClaimReason::parse(f.get("reason").unwrap_or("")).ok_or("reason")?,
        amount_claimed_cents: parse_yuan(f.get("amount").unwrap_or(""))
            .map_err(|e| e.to_string())?
            .get(),
        evidence,
        deadline,
        note: f.text("note"),
    })
}

async fn file_claim(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let zone = state.zone().await;
    let form = match claim_form(&f, zone) {
        Ok(form) => form,
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
    let filed = async {
        let case_id = kesu_app::cases::case_id(&id)?;
        let now = state.clock.now();
        kesu_app::claims::file_claim(&state.store, &s.session.user, case_id, form, now).await
    };
    match filed.await {
        Ok(claim) => Redirect::to(&format!("/cases/{}", claim.case_id)).into_response(),
        Err(e) => render(&state, &s, &id, Some(explain(s.lang, e))).await,
    }
}

async fn set_claim_status(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let Ok(claim_id) = kesu_app::id_in_path(&id, "claim") else {
        return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found"));
    };
    let claim = match kesu_app::claims::visible_claim(&state.store, &s.session.user, claim_id).await
    {
        Ok(c) => c,
        Err(_) => return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found")),
    };
    let case_id = claim.case_id.to_string();
    let recovered = match f.text("recovered").map(|r| parse_yuan(&r)) {
        None => None,
        Some(Ok(cents)) => Some(cents),
        Some(Err(e)) => {
            return render(
                &state,
                &s,
                &case_id,
                Some((StatusCode::UNPROCESSABLE_ENTITY, e.to_string())),
            )
            .await
        }
    };
    let update = ClaimUpdate {
        status: ClaimStatus::parse(f.get("status").unwrap_or("")).unwrap_or(claim.status),
        amount_recovered_cents: recovered.map(|c| c.get()),
        note: f.text("note"),
        version: f.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1),
    };
    let now = state.clock.now();
    match kesu_app::claims::update_claim(&state.store, &s.session.user, claim_id, update, now).await
    {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}")).into_response(),
        Err(e) => render(&state, &s, &case_id, Some(explain(s.lang, e))).await,
    }
}

/// `GET /claims/{id}/evidence-pack`: the claim's ZIP for the signed-in user.
async fn evidence_pack(
    State(state): State<AppState>,
    s: PageSession,
    Path(id): Path<String>,
) -> Response {
    match crate::evidence_pack::download(&state, &s.session.user, &id).await {
        Ok(r) => r,
        Err(e) => super::posted::PageError::of(s.lang, e).into_response(),
    }
}
