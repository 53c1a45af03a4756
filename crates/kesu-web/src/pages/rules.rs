//! The admins' editors of the reply checker's and triage's words: each list a column of
//! words with add and remove, the tone rules as rows, triage's keywords per category with
//! its tie-break order as numbers. What is saved is checked word by word as the API does.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use kesu_domain::codes::Category;
use kesu_domain::reply_check::{ReplyRules, ToneRule};
use kesu_domain::triage::TriageRules;
use maud::{html, Markup};
use std::collections::BTreeMap;

use super::i18n::Lang;
use super::posted::{explain, AdminForm};
use super::session::PageSession;
use super::{csrf_field, error_page, Form};
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/admin/rules/{which}", post(save))
}

/// The reply checker's word lists: form field and label key.
const REPLY_LISTS: [(&str, &str); 16] = [
    ("contact_words", "rule_contact_words"),
    ("contact_apps", "rule_contact_apps"),
    ("contact_cues", "rule_contact_cues"),
    ("add_verbs", "rule_add_verbs"),
    ("add_objects", "rule_add_objects"),
    ("allowed_phrases", "rule_allowed_phrases"),
    ("own_domains", "rule_own_domains"),
    ("greetings", "rule_greetings"),
    ("apologies", "rule_apologies"),
    ("thanks", "rule_thanks"),
    ("paid_review_phrases", "rule_paid_review_phrases"),
    ("review_words", "rule_review_words"),
    ("review_changes", "rule_review_changes"),
    ("review_rewards", "rule_review_rewards"),
    ("review_compensation", "rule_review_compensation"),
    ("off_platform_payments", "rule_off_platform_payments"),
];

fn reply_list<'a>(r: &'a ReplyRules, field: &str) -> &'a [String] {
    match field {
        "contact_words" => &r.contact_words,
        "contact_apps" => &r.contact_apps,
        "contact_cues" => &r.contact_cues,
        "add_verbs" => &r.add_verbs,
        "add_objects" => &r.add_objects,
        "allowed_phrases" => &r.allowed_phrases,
        "own_domains" => &r.own_domains,
        "greetings" => &r.greetings,
        "apologies" => &r.apologies,
        "paid_review_phrases" => &r.paid_review_phrases,
        "review_words" => &r.review_words,
        "review_changes" => &r.review_changes,
        "review_rewards" => &r.review_rewards,
        "review_compensation" => &r.review_compensation,
        "off_platform_payments" => &r.off_platform_payments,
        _ => &r.thanks,
    }
}

/// The words typed under `field`, trimmed, empty rows and repeats left out.
fn words(f: &Form, field: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for w in f
        .all(field)
        .into_iter()
        .map(str::trim)
        .filter(|w| !w.is_empty())
    {
        if !out.iter().any(|o| o == w) {
            out.push(w.to_owned());
        }
    }
    out
}

/// The reply checker's rules as typed.
pub fn reply_rules_of(f: &Form) -> ReplyRules {
    let list = |field: &str| words(f, field);
    let (phrases, suggestions, after) = (
        f.all("tone_phrase"),
        f.all("tone_suggestion"),
        f.all("tone_after"),
    );
    let tone = phrases
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.trim().is_empty())
        .map(|(i, p)| ToneRule {
            phrase: p.trim().to_owned(),
            suggestion: suggestions
                .get(i)
                .map(|s| s.trim().to_owned())
                .unwrap_or_default(),
            after_any: after
                .get(i)
                .map(|a| {
                    a.split([',', '，', '、', ' '])
                        .map(str::trim)
                        .filter(|w| !w.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    ReplyRules {
        contact_words: list("contact_words"),
        contact_apps: list("contact_apps"),
        contact_cues: list("contact_cues"),
        add_verbs: list("add_verbs"),
        add_objects: list("add_objects"),
        allowed_phrases: list("allowed_phrases"),
        own_domains: list("own_domains"),
        tone,
        greetings: list("greetings"),
        apologies: list("apologies"),
        thanks: list("thanks"),
        paid_review_phrases: list("paid_review_phrases"),
        review_words: list("review_words"),
        review_changes: list("review_changes"),
        review_rewards: list("review_rewards"),
        review_compensation: list("review_compensation"),
        off_platform_payments: list("off_platform_payments"),
    }
}

/// Triage's rules as typed: keywords per category, urgent words, and the tie-break order
/// from the numbers given (a category without a number keeps its place after those with one).
pub fn triage_rules_of(f: &Form) -> TriageRules {
    let mut categories = BTreeMap::new();
    let mut ranked: Vec<(i64, usize, String)> = Vec::new();
    for (i, c) in Category::ALL.iter().enumerate() {
        let code = c.code();
        let kw = words(f, &format!("cat_{code}"));
        if !kw.is_empty() {
            categories.insert(code.to_owned(), kw);
        }
        if let Some(rank) = f
            .text(&format!("rank_{code}"))
            .and_then(|r| r.parse::<i64>().ok())
        {
            ranked.push((rank, i, code.to_owned()));
        }
    }
    ranked.sort();
    TriageRules {
        categories,
        urgency: words(f, "urgency"),
        order: ranked.into_iter().map(|(_, _, c)| c).collect(),
    }
}

/// One list of words: a row per word with its remove button, an empty row, and 添加.
fn word_list(lang: Lang, field: &str, label: &str, list: &[String]) -> Markup {
    html! {
        fieldset.words data-field=(field) {
            legend { (label) }
            @for w in list.iter().map(String::as_str).chain([""]) {
                div.word {
                    input name=(field) value=(w) maxlength="30" aria-label=(label);
                    button.link.remove-word type="button" { (lang.t("words_remove")) }
                }
            }
            button.link.add-word type="button" { (lang.t("words_add")) }
        }
    }
}

/// Both editors, as the templates page shows them.
pub fn editors(s: &PageSession, reply: &ReplyRules, triage: &TriageRules) -> Markup {
    let lang = s.lang;
    let rank = |code: &str| triage.order.iter().position(|c| c == code).map(|p| p + 1);
    html! {
        section.panel #rules {
            h2 { (lang.t("rules")) }
            p.muted { (lang.t("rules_hint")) " " (lang.t("rules_words_hint")) }
            form.rules-form #reply-rules method="post" action="/admin/rules/reply" {
                (csrf_field(s))
                h3 { (lang.t("reply_rules")) }
                div.word-lists {
                    @for (field, key) in REPLY_LISTS { (word_list(lang, field, lang.t(key), reply_list(reply, field))) }
                }
                fieldset.rows #tone-rules {
                    legend { (lang.t("rule_tone")) }
                    @for t in reply.tone.iter().map(Some).chain([None]) {
                        div.row {
                            label { (lang.t("tone_phrase")) input name="tone_phrase" value=[t.map(|t| t.phrase.as_str())]; }
                            label { (lang.t("tone_suggestion")) input name="tone_suggestion" value=[t.map(|t| t.suggestion.as_str())]; }
                            label { (lang.t("tone_after_any")) input name="tone_after" value=[t.map(|t| t.after_any.join("，"))]; }
                        }
                    }
                    button.link.add-row type="button" { (lang.t("add_row")) }
                }
                button.primary type="submit" { (lang.t("save")) }
            }
            form.rules-form #triage-rules method="post" action="/admin/rules/triage" {
                (csrf_field(s))
                h3 { (lang.t("triage_rules")) }
                p.muted { (lang.t("triage_category_words")) }
                div.word-lists {
                    @for c in Category::ALL {
                        div.category-words {
                            (word_list(lang, &format!("cat_{}", c.code()), lang.label(c),
                                triage.categories.get(c.code()).map(Vec::as_slice).unwrap_or(&[])))
                            label.rank { (lang.t("triage_order")) input name={ "rank_" (c.code()) } value=[rank(c.code())] inputmode="numeric" size="3"; }
                        }
                    }
                    (word_list(lang, "urgency", lang.t("rule_urgency"), &triage.urgency))
                }
                button.primary type="submit" { (lang.t("save")) }
            }
        }
        (super::script_file("/assets/kesu-rows.js"))
    }
}

/// Replaces the reply checker's (`reply`) or triage's (`triage`) words, checked word by word.
async fn save(
    State(state): State<AppState>,
    Path(which): Path<String>,
    AdminForm(s, f): AdminForm,
) -> Response {
    let saved = match which.as_str() {
        "reply" => {
            let rules = reply_rules_of(&f);
            match rules.validate() {
                Err(e) => Err(ApiError::Invalid(e)),
                Ok(()) => state
                    .store
                    .set_reply_rules(
                        &rules,
                        kesu_store::By::new(&s.session.user.username, state.clock.now()),
                    )
                    .await
                    .map_err(ApiError::from),
            }
        }
        "triage" => {
            let rules = triage_rules_of(&f);
            match rules.validate() {
                Err(e) => Err(ApiError::Invalid(e)),
                Ok(()) => state
                    .store
                    .set_triage_rules(
                        &rules,
                        kesu_store::By::new(&s.session.user.username, state.clock.now()),
                    )
                    .await
                    .map_err(ApiError::from),
            }
        }
        _ => return error_page(s.lang, StatusCode::NOT_FOUND, s.lang.t("not_found")),
    };
    match saved {
        Ok(()) => Redirect::to("/admin/templates#rules").into_response(),
        Err(e) => {
            if !matches!(e, ApiError::Invalid(_)) {
                tracing::error!(error = ?e, "saving the rules failed");
            }
            super::templates::render(&state, &s, Some(explain(s.lang, e).1)).await
        }
    }
}
