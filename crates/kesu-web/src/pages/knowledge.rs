//! 知识库: search the articles, read one with its versions, add or edit (the roles the admin
//! allows), import a product sheet with a progress bar; and the panel a case shows for its
//! order's SKUs.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_domain::codes::Category;
use kesu_domain::knowledge::{ArticleForm, ArticleKind};
use kesu_store::Article;
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{explain, PageError, SignedForm};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time, Form};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/knowledge", get(page).post(create))
        .route(
            "/knowledge/import",
            post(import).layer(axum::extract::DefaultBodyLimit::max(
                crate::api::knowledge::MAX_SHEET_BYTES as usize + 64 * 1024,
            )),
        )
        .route("/knowledge/editors", post(set_editors))
        .route("/knowledge/{id}", get(show).post(edit))
}

fn kind_label(lang: Lang, kind: ArticleKind) -> &'static str {
    lang.t(match kind {
        ArticleKind::Sku => "kb_kind_sku",
        ArticleKind::Product => "kb_kind_product",
        ArticleKind::Policy => "kb_kind_policy",
        ArticleKind::Scenario => "kb_kind_scenario",
    })
}

/// The articles for a case, beside its order: each folded, the SKU articles open.
pub fn case_panel(lang: Lang, articles: &[Article]) -> Markup {
    html! {
        @if !articles.is_empty() {
            section.panel #knowledge {
                h2 { (lang.t("kb_for_case")) }
                @for a in articles {
                    details.kb-article open[a.kind == ArticleKind::Sku] {
                        summary { span.tag { (kind_label(lang, a.kind)) } " " (a.title) }
                        p.kb-body { (a.body) }
                        p.muted { a href={ "/knowledge/" (a.id) } { (lang.t("kb_open")) } }
                    }
                }
            }
        }
    }
}

fn article_form(s: &PageSession, action: &str, a: Option<&Article>) -> Markup {
    let lang = s.lang;
    html! {
        form.kb-form method="post" action=(action) {
            (csrf_field(s))
            @if let Some(a) = a { input type="hidden" name="version" value=(a.version); }
            label { (lang.t("kb_kind")) select name="kind" {
                @for k in ArticleKind::ALL { option value=(k.code()) selected[a.is_some_and(|a| a.kind == k)] { (kind_label(lang, k)) } }
            } }
            label { (lang.t("kb_title")) input type="text" name="title" required maxlength="200" value=[a.map(|a| a.title.as_str())]; }
            label { (lang.t("kb_body")) textarea name="body" rows="8" required placeholder=(lang.t("kb_body_hint")) { @if let Some(a) = a { (a.body) } } }
            label { (lang.t("kb_skus")) input type="text" name="skus" value=[a.map(|a| a.skus.join(" "))] placeholder="TEE-L-BLUE TEE-M-BLUE"; }
            fieldset { legend { (lang.t("kb_categories")) }
                @for c in Category::ALL { label.check { input type="checkbox" name="categories" value=(c.code()) checked[a.is_some_and(|a| a.categories.contains(c))]; (lang.label(*c)) } }
            }
            button.primary type="submit" { (lang.t("save")) }
        }
    }
}

async fn may_edit(state: &AppState, s: &PageSession) -> bool {
    kesu_app::knowledge::editors(&state.store)
        .await
        .map(|e| kesu_domain::knowledge::may_edit(s.session.user.role, &e))
        .unwrap_or(false)
}

async fn page(
    State(state): State<AppState>,
    s: PageSession,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let lang = s.lang;
    let get = |k: &str| q.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let query = get("q").unwrap_or("").trim().to_owned();
    let found = match kesu_app::knowledge::find(&state.store, &state.knowledge, &query).await {
        Ok(f) => f,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let editors = kesu_app::knowledge::editors(&state.store)
        .await
        .unwrap_or_default();
    let editor = kesu_domain::knowledge::may_edit(s.session.user.role, &editors);
    let zone = state.zone().await;
    let imported = get("imported").map(|v| v.split(',').map(str::to_owned).collect::<Vec<_>>());
    let body = html! {
        h1 { (lang.t("knowledge")) }
        @if let Some(n) = &imported { @if n.len() == 3 {
            p.notice role="status" { (lang.t("kb_imported")) " " (lang.t("kb_added")) " " (n[0]) " · "
                (lang.t("kb_updated")) " " (n[1]) " · " (lang.t("kb_unchanged")) " " (n[2]) }
        } }
        form.filters method="get" action="/knowledge" role="search" {
            label { span.sr { (lang.t("search")) } input type="search" name="q" value=(query) placeholder=(lang.t("kb_search_hint")); }
            button type="submit" { (lang.t("search")) }
        }
        p.muted { (lang.t("total")) " " (found.len()) }
        table.list.kb-list {
            thead { tr { th { (lang.t("kb_title")) } th { (lang.t("kb_kind")) } th { "SKU" } th { (lang.t("kb_updated_at")) } } }
            tbody { @for a in &found { tr {
                td { a href={ "/knowledge/" (a.id) } { (a.title) } }
                td { (kind_label(lang, a.kind)) }
                td { @for sku in a.skus.iter().take(3) { span.tag { (sku) } " " } @if a.skus.len() > 3 { "…" } }
                td { (local_time(a.updated_at, zone)) " · " (a.updated_by) " · v" (a.version) }
            } } }
        }
        @if editor {
            details.panel #new-article {
                summary { (lang.t("kb_new")) }
                (article_form(&s, "/knowledge", None))
            }
            section.panel #import {
                h2 { (lang.t("kb_import")) }
                p.muted { (lang.t("kb_import_hint")) }
                form.upload method="post" action="/knowledge/import" enctype="multipart/form-data" data-follow
                    data-back="/knowledge" data-label=(lang.t("kb_import")) data-sending=(lang.t("upload_sending"))
                    data-processing=(lang.t("kb_import_working"))
                    data-failed=(lang.t("upload_failed")) data-none=(lang.t("upload_none"))
                    data-too-many=(lang.t("upload_none")) data-too-large=(lang.t("upload_too_large"))
                    data-max-files="1" data-max-bytes=(crate::api::knowledge::MAX_SHEET_BYTES) {
                    input type="hidden" name="_csrf" value=(s.session.csrf);
                    label { (lang.t("upload_pick")) " " input type="file" name="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"; }
                    progress hidden max="100" value="0" {}
                    p.upload-error role="alert" hidden {}
                    button.primary type="submit" { (lang.t("kb_import")) }
                }
                (super::script_file("/assets/kesu-upload.js"))
            }
        }
        @if s.session.user.role.may(kesu_domain::Permission::ConfigureDesk) {
            details.panel #kb-editors {
                summary { (lang.t("kb_editors")) }
                form method="post" action="/knowledge/editors" {
                    (csrf_field(&s))
                    @for role in kesu_domain::Role::ALL.iter().filter(|r| **r != kesu_domain::Role::Admin) {
                        label.check { input type="checkbox" name="roles" value=(role.code()) checked[editors.contains(role)]; (lang.label(*role)) }
                    }
                    p.muted { (lang.t("kb_editors_hint")) }
                    button.primary type="submit" { (lang.t("save")) }
                }
            }
        }
    };
    layout(&s, lang.t("knowledge"), body).into_response()
}

fn form_of(f: &Form) -> ArticleForm {
    ArticleForm {
        kind: f
            .get("kind")
            .and_then(ArticleKind::parse)
            .unwrap_or(ArticleKind::Product),
        title: f.get("title").unwrap_or("").to_owned(),
        body: f.get("body").unwrap_or("").to_owned(),
        skus: f
            .get("skus")
            .unwrap_or("")
            .split(|c: char| c.is_whitespace() || c == ',' || c == '，')
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect(),
        categories: f
            .all("categories")
            .into_iter()
            .filter_map(Category::parse)
            .collect(),
    }
}

async fn create(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    match kesu_app::knowledge::add(
        &state.store,
        &s.session.user,
        form_of(&f),
        state.clock.now(),
    )
    .await
    {
        Ok(a) => Redirect::to(&format!("/knowledge/{}", a.id)).into_response(),
        Err(e) => {
            let (status, message) = explain(s.lang, e);
            error_page(s.lang, status, &message)
        }
    }
}

async fn edit(
    State(state): State<AppState>,
    Path(id): Path<String>,
    SignedForm(s, f): SignedForm,
) -> Response {
    let lang = s.lang;
    let Ok(id) = kesu_app::id_in_path(&id, "article") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let version = f.get("version").and_then(|v| v.parse().ok()).unwrap_or(0);
    let form = form_of(&f);
    match kesu_app::knowledge::edit(
        &state.store,
        &s.session.user,
        id,
        version,
        form,
        state.clock.now(),
    )
    .await
    {
        Ok(a) => Redirect::to(&format!("/knowledge/{}", a.id)).into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}

async fn show(State(state): State<AppState>, s: PageSession, Path(id): Path<String>) -> Response {
    let lang = s.lang;
    let Ok(id) = kesu_app::id_in_path(&id, "article") else {
        return error_page(lang, StatusCode::NOT_FOUND, lang.t("not_found"));
    };
    let (a, versions) = match kesu_app::knowledge::article(&state.store, id).await {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let editor = may_edit(&state, &s).await;
    let zone = state.zone().await;
    let body = html! {
        p { a href="/knowledge" { "← " (lang.t("knowledge")) } }
        h1 { (a.title) }
        p.muted { span.tag { (kind_label(lang, a.kind)) } " "
            @for sku in &a.skus { span.tag { (sku) } " " }
            @for c in &a.categories { span.tag { (lang.label(*c)) } " " }
            " v" (a.version) " · " (a.updated_by) " · " (local_time(a.updated_at, zone)) }
        div.panel { p.kb-body { (a.body) } }
        @if editor {
            details.panel #edit-article {
                summary { (lang.t("kb_edit")) }
                (article_form(&s, &format!("/knowledge/{}", a.id), Some(&a)))
            }
        }
        h2 { (lang.t("kb_versions")) }
        @for v in &versions {
            details.kb-version {
                summary { "v" (v.version) " · " (v.edited_by) " · " (local_time(v.edited_at, zone)) " · " (v.title) }
                p.kb-body { (v.body) }
            }
        }
    };
    layout(&s, &a.title, body).into_response()
}

async fn import(
    State(state): State<AppState>,
    s: PageSession,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let lang = s.lang;
    if let Err(e) = kesu_app::knowledge::require_editor(&state.store, &s.session.user).await {
        return PageError::of(lang, e).into_response();
    }
    let Ok(multipart) = multipart else {
        return PageError::new(lang, StatusCode::BAD_REQUEST, lang.t("bad_form")).into_response();
    };
    let limits = kesu_domain::attachment::Limits {
        max_files: 1,
        max_bytes: crate::api::knowledge::MAX_SHEET_BYTES,
        ..Default::default()
    };
    let sent = match crate::uploads::read_parts(multipart, &limits).await {
        Ok(p) => p,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    if !s.csrf_ok(&Form(sent.fields)) {
        return s.csrf_refused();
    }
    if let Some(e) = sent.refused {
        return PageError::of(lang, e).into_response();
    }
    let Some(file) = sent.files.into_iter().next() else {
        return error_page(
            lang,
            StatusCode::UNPROCESSABLE_ENTITY,
            lang.t("upload_none"),
        );
    };
    match kesu_app::knowledge::import_sheet(
        &state.store,
        &s.session.user,
        &file.name,
        file.bytes,
        state.clock.now(),
    )
    .await
    {
        Ok(done) => Redirect::to(&format!(
            "/knowledge?imported={},{},{}",
            done.added, done.updated, done.unchanged
        ))
        .into_response(),
        Err(e) => {
            let (status, message) = explain(lang, e);
            error_page(lang, status, &message)
        }
    }
}

async fn set_editors(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let roles = f
        .all("roles")
        .into_iter()
        .filter_map(kesu_domain::Role::parse)
        .collect();
    match kesu_app::knowledge::set_editors(&state.store, &s.session.user, roles, state.clock.now())
        .await
    {
        Ok(_) => Redirect::to("/knowledge").into_response(),
        Err(e) => {
            let (status, message) = explain(s.lang, e);
            error_page(s.lang, status, &message)
        }
    }
}
