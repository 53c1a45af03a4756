//! 显示联系方式: the customer's name, phone, e-mail and address are masked on the case page
//! for everyone; staff whose role may see them reveal them for one of a few reasons, for
//! half an hour, and the audit trail keeps who, when, which case and why.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kesu_domain::reveal::RevealReason;
use maud::{html, Markup};

use super::super::posted::{explain, SignedForm};
use super::super::session::PageSession;
use super::super::{csrf_field, error_page};
use crate::AppState;

fn reason_label(s: &PageSession, reason: RevealReason) -> &'static str {
    let lang = s.lang;
    match reason {
        RevealReason::Contact => lang.t("reveal_contact"),
        RevealReason::VerifyIdentity => lang.t("reveal_verify_identity"),
        RevealReason::Shipping => lang.t("reveal_shipping"),
        RevealReason::ThirdParty => lang.t("reveal_third_party"),
    }
}

pub(super) fn reveal_form(s: &PageSession, case_id: i64) -> Markup {
    let lang = s.lang;
    html! {
        form.reveal method="post" action={ "/cases/" (case_id) "/reveal" } {
            (csrf_field(s))
            label { (lang.t("reveal_reason"))
                select name="reason" required {
                    @for r in RevealReason::ALL {
                        option value=(r.code()) { (reason_label(s, r)) }
                    }
                }
            }
            button type="submit" { (lang.t("reveal")) }
        }
    }
}

pub(super) async fn reveal(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let record = match state.visible_case(&s.session.user, &id).await {
        Ok(r) => r,
        Err(_) => return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found")),
    };
    let reason = match RevealReason::parse("reason", f.get("reason")) {
        Ok(r) => r,
        Err(e) => {
            let (status, message) = explain(lang, e);
            return error_page(lang, status, &message);
        }
    };
    let case_id = record.case.id;
    let now = state.clock.now();
    match kesu_app::personal_data::reveal(&state.store, &s.session.user, case_id, reason, now).await
    {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}")).into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}
