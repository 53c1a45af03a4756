//! 责任追究 on the case page, for supervisors, admins and auditors only: what was recorded
//! (the loss, who was responsible and the penalty for each) and the deadlines the case
//! missed with whoever held it then; supervisors and admins record it with a form.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kesu_app::accountability::CaseAccountability;
use kesu_domain::accountability::{AccountabilityRequest, Holder, Party, Penalty};
use kesu_domain::Permission;
use kesu_store::User;
use maud::{html, Markup};
use serde_json::{json, Value};

use super::super::posted::{explain, SignedForm};
use super::super::session::PageSession;
use super::super::{csrf_field, local_time, yuan, Form};
use super::{render_with, Flash};
use crate::AppState;

/// Rows of parties the form offers (more are recorded through the API).
const FORM_ROWS: usize = 3;

fn party_label(lang: super::Lang, p: &Party, departments: &[kesu_store::Department]) -> String {
    match p {
        Party::Staff(s) => s.clone(),
        Party::Department(d) => {
            departments
                .iter()
                .find(|x| &x.code == d)
                .map_or_else(|| d.as_str().to_owned(), |x| x.name.clone())
                + &format!("（{}）", lang.t("party_department"))
        }
    }
}

fn penalty_label(lang: super::Lang, p: &Penalty) -> String {
    match p {
        Penalty::Warning => lang.t("penalty_warning").to_owned(),
        Penalty::PayShare { percent } => format!("{} {percent}%", lang.t("penalty_pay_share")),
        Penalty::Amount { cents } => format!("{} {}", lang.t("penalty_amount"), yuan(*cents)),
    }
}

pub(super) fn panel(
    s: &PageSession,
    case_id: i64,
    a: &CaseAccountability,
    users: &[User],
    departments: &[kesu_store::Department],
    zone: chrono_tz::Tz,
) -> Markup {
    let lang = s.lang;
    let may_record = s.session.user.role.may(Permission::RecordAccountability);
    html! {
        section.panel #accountability {
            h2 { (lang.t("accountability")) }
            @match &a.recorded {
                Some(r) => {
                    p { (lang.t("loss")) ": " strong { (yuan(r.accountability.loss_cents)) } }
                    table.cards {
                        thead { tr { th { (lang.t("responsible")) } th { (lang.t("penalty")) } th { (lang.t("accountability_reason")) } } }
                        tbody { @for p in &r.accountability.parties {
                            tr {
                                td data-label=(lang.t("responsible")) { (party_label(lang, &p.party, departments)) }
                                td data-label=(lang.t("penalty")) { (penalty_label(lang, &p.penalty)) }
                                td data-label=(lang.t("accountability_reason")) { (p.reason) }
                            }
                        } }
                    }
                    @if let Some(n) = &r.accountability.note { p { (n) } }
                    p.muted { (r.recorded_by) " · " (local_time(r.recorded_at, zone)) " · " (lang.t("version")) " " (r.version) }
                }
                None => p.muted { (lang.t("accountability_none")) },
            }
            h3 { (lang.t("missed_deadlines")) }
            @if a.delays.is_empty() {
                p.muted { (lang.t("no_missed_deadlines")) }
            } @else {
                ul { @for d in &a.delays {
                    li {
                        (lang.label(d.clock)) " · " (lang.t("deadline")) " " (local_time(d.deadline, zone)) " · "
                        (lang.t("held_by")) " "
                        @match &d.holder {
                            Holder::Staff(u) => strong { (u) },
                            Holder::Department(dep) => strong { (party_label(lang, &Party::Department(dep.clone()), departments)) },
                            Holder::Desk => strong { (lang.t("service_desk")) },
                        }
                    }
                } }
            }
            @if may_record {
                details {
                    summary { (lang.t("record_accountability")) }
                    form.accountability method="post" action={ "/cases/" (case_id) "/accountability" } {
                        (csrf_field(s))
                        label { (lang.t("loss")) " (¥)" input type="text" inputmode="decimal" name="loss" required; }
                        @for i in 0..FORM_ROWS {
                            fieldset {
                                legend { (lang.t("responsible")) " " (i + 1) }
                                label { (lang.t("responsible"))
                                    select name={ "party" (i) } {
                                        option value="" { "—" }
                                        @for u in users.iter().filter(|u| !u.disabled) {
                                            option value={ "staff:" (u.username) } { (u.username) " (" (lang.label(u.role)) ")" }
                                        }
                                        @for d in departments {
                                            option value={ "department:" (d.code.as_str()) } { (d.name) }
                                        }
                                    }
                                }
                                label { (lang.t("penalty"))
                                    select name={ "penalty" (i) } {
                                        option value="warning" { (lang.t("penalty_warning")) }
                                        option value="pay_share" { (lang.t("penalty_pay_share")) }
                                        option value="amount" { (lang.t("penalty_amount")) }
                                    }
                                }
                                label { (lang.t("penalty_value")) input type="text" inputmode="decimal" name={ "value" (i) }; }
                                label { (lang.t("accountability_reason")) input type="text" name={ "reason" (i) }; }
                            }
                        }
                        label { (lang.t("note")) textarea name="note" rows="2" {} }
                        button type="submit" { (lang.t("save")) }
                    }
                }
            }
        }
    }
}

/// The form as the API's request: rows without a party are left out; the penalty's value
/// is a percentage or an amount in yuan as the penalty says.
fn request_of(f: &Form) -> Result<Value, (String, String)> {
    let cents = |field: &str, raw: &str| {
        kesu_domain::money::parse_yuan(raw.trim())
            .map(kesu_domain::money::Cents::get)
            .map_err(|m| (field.to_owned(), m))
    };
    let loss = cents("loss", f.get("loss").unwrap_or("0"))?;
    let mut parties = Vec::new();
    for i in 0..FORM_ROWS {
        let Some(party) = f.get(&format!("party{i}")).filter(|p| !p.is_empty()) else {
            continue;
        };
        let (kind, name) = party.split_once(':').unwrap_or(("staff", party));
        let value = f.get(&format!("value{i}")).unwrap_or("").trim();
        let penalty = match f.get(&format!("penalty{i}")).unwrap_or("warning") {
            "pay_share" => {
                json!({"kind": "pay_share", "percent": value.parse::<u32>().unwrap_or(0)})
            }
            "amount" => {
                json!({"kind": "amount", "cents": cents(&format!("parties[{i}].penalty.cents"), if value.is_empty() { "0" } else { value })?})
            }
            _ => json!({"kind": "warning"}),
        };
        let mut p =
            json!({"penalty": penalty, "reason": f.get(&format!("reason{i}")).unwrap_or("")});
        p[if kind == "department" {
            "department"
        } else {
            "staff"
        }] = json!(name);
        parties.push(p);
    }
    Ok(json!({"loss_cents": loss, "parties": parties, "note": f.get("note")}))
}

pub(super) async fn record(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    if !s.session.user.role.may(Permission::RecordAccountability) {
        return super::error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let record = match state.visible_case(&s.session.user, &id).await {
        Ok(r) => r,
        Err(_) => return super::error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found")),
    };
    let request = request_of(&f).map_err(|(field, m)| {
        crate::error::ApiError::from(kesu_domain::FieldError::explained(
            &field,
            kesu_domain::Problem::Format,
            m,
        ))
    });
    let outcome = match request.and_then(|v| {
        serde_json::from_value::<AccountabilityRequest>(v)
            .map_err(|e| crate::error::ApiError::BadRequest(e.to_string()))
    }) {
        Ok(req) => kesu_app::accountability::record(
            &state.store,
            &s.session.user,
            record.case.id,
            req,
            state.clock.now(),
        )
        .await
        .map_err(crate::error::ApiError::from),
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => Redirect::to(&format!("/cases/{}#accountability", record.case.id)).into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            render_with(&state, &s, &id, Some(Flash::Error(status, message))).await
        }
    }
}
