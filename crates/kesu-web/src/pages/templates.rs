//! The reply-script library (话术库) for admins: every script, editable in place, and a form
//! for a new one. The reply box on the case page offers them.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::codes::Category;
use kesu_domain::scripts::{Language, ReplyTemplate, Scenario, VARIABLES};
use kesu_domain::Role;
use maud::{html, Markup};
use serde_json::json;

use super::i18n::Lang;
use super::posted::{AdminForm, PageError};
use super::session::PageSession;
use super::{csrf_field, error_page, layout};
use crate::api::templates::{edit, parse_template};
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/templates", get(page).post(save))
        .route("/admin/templates/{id}/delete", post(delete))
}

async fn page(State(state): State<AppState>, s: PageSession) -> Response {
    if s.session.user.role != Role::Admin {
        return error_page(s.lang, StatusCode::FORBIDDEN, s.lang.t("forbidden"));
    }
    render(&state, &s, None).await
}

pub(super) async fn render(state: &AppState, s: &PageSession, error: Option<String>) -> Response {
    let lang = s.lang;
    let loaded = async {
        Ok::<_, kesu_store::StoreError>((
            state.store.reply_templates().await?.templates,
            state.store.reply_rules().await?,
            state.store.triage_rules().await?,
        ))
    }
    .await;
    let (library, reply_rules, triage_rules) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    // Chinese first, then by the order of the process, category and title.
    let mut library = library;
    library.sort_by(|a, b| {
        (a.language, a.scenario, a.category, &a.title)
            .cmp(&(b.language, b.scenario, b.category, &b.title))
    });
    let body = html! {
        h1 { (lang.t("templates")) }
        @if let Some(m) = &error { div.error role="alert" { (m) } }
        p.muted { (lang.t("template_variables")) ": "
            @for (i, (v, zh, en)) in VARIABLES.iter().enumerate() {
                @if i > 0 { "、" }
                code { "{" (v) "}" } " " (if lang == Lang::En { *en } else { *zh })
            }
        }
        section.panel {
            h2 { (lang.t("template_new")) }
            (template_form(s, None))
        }
        section.panel {
            @for t in &library {
                details.template data-id=(t.id) {
                    summary {
                        (lang.label(t.scenario)) " · "
                        (t.category.map(|c| lang.label(c)).unwrap_or_else(|| lang.t("template_any_category")))
                        " · " (language_label(t.language)) " · " strong { (t.title) }
                    }
                    (template_form(s, Some(t)))
                    form method="post" action={ "/admin/templates/" (t.id) "/delete" } {
                        (csrf_field(s))
                        button.link type="submit" { (lang.t("template_delete")) }
                    }
                }
            }
        }
        (super::rules::editors(s, &reply_rules, &triage_rules))
        (super::triage_model::panel(state, s).await)
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    (status, layout(s, lang.t("templates"), body)).into_response()
}

fn language_label(l: Language) -> &'static str {
    match l {
        Language::Zh => "中文",
        Language::En => "English",
    }
}

fn template_form(s: &PageSession, t: Option<&ReplyTemplate>) -> Markup {
    let lang = s.lang;
    html! {
        form.template-form method="post" action="/admin/templates" {
            (csrf_field(s))
            @if let Some(t) = t { input type="hidden" name="original_id" value=(t.id); }
            label { (lang.t("template_id"))
                input name="id" required pattern="[a-z0-9_\\-]{1,64}" value=[t.map(|t| t.id.as_str())] readonly[t.is_some()]; }
            label { (lang.t("template_scenario"))
                select name="scenario" {
                    @for sc in Scenario::ALL {
                        option value=(sc.code()) selected[t.is_some_and(|t| t.scenario == sc)] { (lang.label(sc)) }
                    }
                }
            }
            label { (lang.t("category"))
                select name="category" {
                    option value="" { (lang.t("template_any_category")) }
                    @for c in Category::ALL {
                        option value=(c.code()) selected[t.is_some_and(|t| t.category == Some(*c))] { (lang.label(c)) }
                    }
                }
            }
            label { (lang.t("template_language"))
                select name="language" {
                    option value="zh-CN" selected[t.is_some_and(|t| t.language == Language::Zh)] { "中文" }
                    option value="en" selected[t.is_some_and(|t| t.language == Language::En)] { "English" }
                }
            }
            label { (lang.t("template_title")) input name="title" required value=[t.map(|t| t.title.as_str())]; }
            label { (lang.t("template_body")) textarea name="body" rows="4" required { (t.map(|t| t.body.as_str()).unwrap_or("")) } }
            button.primary type="submit" { (lang.t("template_save")) }
        }
    }
}

/// What went wrong, in the admin's words (never a store error's text).
fn problem(lang: Lang, e: ApiError) -> String {
    super::posted::explain(lang, e).1
}

/// Adds a script, or replaces the one named by `original_id`.
async fn save(State(state): State<AppState>, AdminForm(s, f): AdminForm) -> Response {
    let category = f.get("category").filter(|c| !c.is_empty());
    let value = json!({
        "id": f.get("id").unwrap_or("").trim(),
        "scenario": f.get("scenario").unwrap_or(""),
        "category": category,
        "language": f.get("language").unwrap_or(""),
        "title": f.get("title").unwrap_or(""),
        "body": f.get("body").unwrap_or(""),
    });
    let template = match parse_template(value) {
        Ok(t) => t,
        Err(e) => return render(&state, &s, Some(problem(s.lang, e))).await,
    };
    let original = f.get("original_id").map(str::to_owned);
    let saved = edit(&state, &s.session.user.username, |list| {
        match &original {
            Some(id) => {
                let slot = list
                    .iter_mut()
                    .find(|t| &t.id == id)
                    .ok_or_else(|| ApiError::NotFound(format!("no reply template `{id}`")))?;
                *slot = template.clone();
            }
            None => {
                if list.iter().any(|t| t.id == template.id) {
                    return Err(ApiError::conflict(format!(
                        "a reply template `{}` exists already",
                        template.id
                    )));
                }
                list.push(template.clone());
            }
        }
        Ok(())
    })
    .await;
    match saved {
        Ok(()) => Redirect::to("/admin/templates").into_response(),
        Err(e) => render(&state, &s, Some(problem(s.lang, e))).await,
    }
}

async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    AdminForm(s, _): AdminForm,
) -> Response {
    let removed = edit(&state, &s.session.user.username, |list| {
        let before = list.len();
        list.retain(|t| t.id != id);
        if list.len() == before {
            return Err(ApiError::NotFound(format!("no reply template `{id}`")));
        }
        Ok(())
    })
    .await;
    match removed {
        Ok(()) => Redirect::to("/admin/templates").into_response(),
        Err(e) => render(&state, &s, Some(problem(s.lang, e))).await,
    }
}
