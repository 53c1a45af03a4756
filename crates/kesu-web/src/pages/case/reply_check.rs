//! The reply checker under the reply box, as the agent types.

use super::*;

/// The reply checker's findings for the reply being typed, as a fragment under the box.
pub(super) async fn check_reply(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let Ok(record) = state.visible_case(&s.session.user, &id).await else {
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

pub(super) fn finding_label(
    lang: Lang,
    kind: kesu_domain::reply_check::FindingKind,
) -> &'static str {
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
        K::PaidReview => "finding_paid_review",
        K::OffPlatformPayment => "finding_off_platform_payment",
    })
}
