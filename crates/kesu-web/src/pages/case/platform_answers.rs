//! Answering the platform from the case page: the answers the request takes where it stands
//! (agree, refuse, agree the return, a message), each a small form, and the answers given so
//! far with what was sent (or, in a dry run, what would have been) and how the sending went.

use kesu_app::platforms::answers::AnswerView;
use kesu_domain::platform::Answer;

use super::*;

/// One of each answer, to ask the request which it takes.
fn every_answer() -> [Answer; 4] {
    [
        Answer::AgreeRefund { note: None },
        Answer::Refuse {
            reason: String::new(),
            evidence: None,
        },
        Answer::AgreeReturn {
            address: String::new(),
            note: None,
        },
        Answer::Message {
            text: String::new(),
        },
    ]
}

pub(super) fn answers_panel(
    s: &PageSession,
    c: &Case,
    answers: &[kesu_store::PlatformAnswer],
    zone: chrono_tz::Tz,
) -> Markup {
    let Some(link) = &c.platform else {
        return html! {};
    };
    let lang = s.lang;
    let role = s.session.user.role;
    let approved = c.decision.as_ref().is_some_and(|d| d.approved);
    let offered: Vec<Answer> = every_answer()
        .into_iter()
        .filter(|a| a.allowed(link).is_ok())
        .filter(|a| {
            role.may(kesu_domain::Permission::WorkCases)
                && (!a.decides_money()
                    || approved
                    || role.may(kesu_domain::Permission::SuperviseDesk))
        })
        .collect();
    let shown: Vec<AnswerView> = answers
        .iter()
        .cloned()
        .filter_map(|a| AnswerView::of(a).ok())
        .collect();
    if offered.is_empty() && shown.is_empty() {
        return html! {};
    }
    html! {
        section.panel.platform-answers #platform-answers {
            h2 { (lang.t("platform_answers")) }
            @for a in &offered {
                details.answer {
                    summary { (lang.t(answer_label(a))) }
                    form method="post" action={ "/cases/" (c.id) "/platform-answer" } data-answer=(a.code()) {
                        (csrf_field(s))
                        input type="hidden" name="version" value=(c.version);
                        input type="hidden" name="answer" value=(a.code());
                        (answer_fields(lang, a))
                        button.primary type="submit" { (lang.t("platform_answer_send")) }
                    }
                }
            }
            @if !shown.is_empty() {
                ol.answers {
                    @for a in shown.iter().rev() {
                        li {
                            strong { (lang.t(answer_label(&a.answer))) } " · "
                            span class=(status_class(&a.status)) { (lang.t(status_label(&a.status))) }
                            " · " (local_time(a.created_at, zone)) " · " (a.created_by)
                            @if a.attempts > 0 { " · " (a.attempts) " " (lang.t("platform_answer_attempts")) }
                            @if let Some(words) = answer_words(&a.answer) { br; q { (words) } }
                            @if let Some(e) = &a.last_error { br; span.muted { (e) } }
                            details.call {
                                summary.muted { (lang.t(if a.status == "dry_run" { "platform_answer_would_send" } else { "platform_answer_sent_call" })) }
                                pre { (a.call.method) "\n" (serde_json::to_string_pretty(&a.call.fields).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// What the agent wrote in an answer, to recognise it in the list.
fn answer_words(a: &Answer) -> Option<String> {
    match a {
        Answer::AgreeRefund { note } => note.clone(),
        Answer::Refuse { reason, evidence } => Some(match evidence {
            Some(e) => format!("{reason}；{e}"),
            None => reason.clone(),
        }),
        Answer::AgreeReturn { address, note } => Some(match note {
            Some(n) => format!("{address}；{n}"),
            None => address.clone(),
        }),
        Answer::Message { text } => Some(text.clone()),
    }
}

fn answer_fields(lang: Lang, a: &Answer) -> Markup {
    match a {
        Answer::AgreeRefund { .. } => html! {
            label { (lang.t("platform_answer_note")) input name="note" maxlength="200"; }
        },
        Answer::Refuse { .. } => html! {
            label { (lang.t("platform_answer_reason")) input name="reason" required maxlength="200"; }
            label { (lang.t("platform_answer_evidence")) textarea name="evidence" rows="2" maxlength="500" {} }
        },
        Answer::AgreeReturn { .. } => html! {
            label { (lang.t("platform_answer_address")) input name="address" required maxlength="200"; }
            label { (lang.t("platform_answer_note")) input name="note" maxlength="200"; }
        },
        Answer::Message { .. } => html! {
            label { (lang.t("platform_answer_text")) textarea name="text" rows="2" required maxlength="500" {} }
        },
    }
}

fn answer_label(a: &Answer) -> &'static str {
    match a {
        Answer::AgreeRefund { .. } => "platform_answer_agree_refund",
        Answer::Refuse { .. } => "platform_answer_refuse",
        Answer::AgreeReturn { .. } => "platform_answer_agree_return",
        Answer::Message { .. } => "platform_answer_message",
    }
}

pub(super) fn status_label(status: &str) -> &'static str {
    match status {
        "sent" => "platform_answer_status_sent",
        "failed" => "platform_answer_status_failed",
        "dry_run" => "platform_answer_status_dry_run",
        _ => "platform_answer_status_queued",
    }
}

fn status_class(status: &str) -> &'static str {
    match status {
        "sent" => "badge green",
        "failed" => "badge red",
        "dry_run" => "badge grey",
        _ => "badge amber",
    }
}

/// The answer form, read into an answer and given through the application layer.
pub(super) async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let case_id = match kesu_app::cases::case_id(&id) {
        Ok(id) => id,
        Err(_) => return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found")),
    };
    let text = |k: &str| f.text(k).unwrap_or_default();
    let answer = match f.get("answer").unwrap_or("") {
        "agree_refund" => Answer::AgreeRefund {
            note: f.text("note"),
        },
        "refuse" => Answer::Refuse {
            reason: text("reason"),
            evidence: f.text("evidence"),
        },
        "agree_return" => Answer::AgreeReturn {
            address: text("address"),
            note: f.text("note"),
        },
        _ => Answer::Message { text: text("text") },
    };
    let version = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(-1);
    let now = state.clock.now();
    match kesu_app::platforms::answers::give(
        &state.store,
        &s.session.user,
        case_id,
        version,
        answer,
        now,
    )
    .await
    {
        Ok(_) => Redirect::to(&format!("/cases/{case_id}#platform-answers")).into_response(),
        Err(e) => {
            let said = crate::pages::posted::explain(lang, e);
            render(&state, &s, &id, Some(said)).await
        }
    }
}
