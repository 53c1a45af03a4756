//! The admin's platform sources page (平台售后单来源): each shop's site or account on a platform,
//! whether it is on, how its syncs go in plain words (last read, how far behind, what it took,
//! the error that stopped it), a button to read a polled platform now, and the forms to set them up.
//! Secrets are taken, never shown.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{DateTime, Utc};
use kesu_app::platforms::status::SyncReport;
use kesu_domain::platform::Platform;
use kesu_domain::Role;
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{explain, AdminForm, PageError};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/platforms", get(page))
        .route("/admin/platforms/site", post(save_site))
        .route("/admin/platforms/api", post(save_api))
        .route("/admin/platforms/{platform}/{shop}/sync", post(sync_now))
        .route(
            "/admin/platforms/{platform}/{shop}/answers",
            post(switch_answers),
        )
}

async fn page(State(state): State<AppState>, s: PageSession) -> Response {
    render(&state, &s, None).await
}

async fn render(state: &AppState, s: &PageSession, said: Option<(StatusCode, String)>) -> Response {
    let lang = s.lang;
    if s.session.user.role != Role::Admin {
        return error_page(lang, StatusCode::FORBIDDEN, lang.t("forbidden"));
    }
    let loaded = async {
        let sources =
            kesu_app::platforms::sources(&state.store, &s.session.user, state.clock.now()).await?;
        let mut rows = Vec::with_capacity(sources.len());
        for (source, last_hour) in sources {
            let report = match source.platform != Platform::Site {
                true => Some(
                    kesu_app::platforms::status::load(&state.store, source.platform, &source.shop)
                        .await?,
                ),
                false => None,
            };
            rows.push((source, last_hour, report));
        }
        Ok::<_, kesu_app::AppError>(rows)
    }
    .await;
    let rows = match loaded {
        Ok(rows) => rows,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let zone = state.zone().await;
    let now = state.clock.now();
    let code = said.as_ref().map_or(StatusCode::OK, |(c, _)| *c);
    let body = html! {
        h1 { (lang.t("platforms")) }
        p.muted { (lang.t("platforms_intro")) }
        @if let Some((c, m)) = &said {
            @if c.is_success() { div.notice role="status" { (m) } } @else { div.error role="alert" { (m) } }
        }
        section.panel #platform-sources {
            h2 { (lang.t("platform_sources")) }
            @if rows.is_empty() { p.muted { (lang.t("platform_sources_none")) } }
            @for (source, last_hour, report) in &rows {
                article.source {
                    h3 { (lang.label(source.platform)) " · " (source.shop) " "
                        @if source.enabled { span.badge.green { (lang.t("platform_on")) } }
                        @else { span.badge.grey { (lang.t("platform_off")) } } }
                    p { (lang.t("platform_last_hour")) " " strong { (last_hour) } }
                    (answers_switch(lang, s, source))
                    @if let Some(r) = report { (sync_facts(lang, s, source, r, now, zone)) }
                    @else { p.muted { (lang.t("platform_site_pushes")) " " code { "POST /api/v1/platforms/site/" (source.shop) "/events" } } }
                }
            }
        }
        section.panel {
            h2 { (lang.t("platform_site_setup")) }
            form method="post" action="/admin/platforms/site" {
                (csrf_field(s))
                label { (lang.t("platform_shop")) input name="shop" required placeholder="旗舰店"; }
                label { (lang.t("platform_secret")) input name="secret" type="password" required minlength="16" autocomplete="new-password"; }
                label { (lang.t("platform_answer_url")) input name="answer_url" type="url" placeholder="https://shop.example/kesu/answers"; }
                label.check { input type="checkbox" name="enabled" value="1" checked; (lang.t("platform_enabled")) }
                button.primary type="submit" { (lang.t("save")) }
            }
        }
        section.panel {
            h2 { (lang.t("platform_api_setup")) }
            form method="post" action="/admin/platforms/api" {
                (csrf_field(s))
                label { (lang.t("platform_platform"))
                    select name="platform" {
                        @for p in [Platform::Pinduoduo, Platform::Taobao, Platform::Jd, Platform::Douyin] {
                            option value=(p.code()) { (lang.label(p)) }
                        }
                    }
                }
                label { (lang.t("platform_shop")) input name="shop" required; }
                label { "client_id" input name="client_id" required autocomplete="off"; }
                label { "client_secret" input name="client_secret" type="password" required autocomplete="new-password"; }
                label { "access_token" input name="access_token" type="password" required autocomplete="new-password"; }
                label { (lang.t("platform_endpoint")) input name="endpoint"; }
                label { (lang.t("platform_seller_id")) input name="seller_id" autocomplete="off"; }
                label { (lang.t("platform_operator")) input name="operator" autocomplete="off"; }
                label.check { input type="checkbox" name="enabled" value="1" checked; (lang.t("platform_enabled")) }
                button.primary type="submit" { (lang.t("save")) }
            }
        }
    };
    (code, layout(s, lang.t("platforms"), body)).into_response()
}

/// Whether kesu's answers go to the platform, and the button that changes it.
fn answers_switch(
    lang: Lang,
    s: &PageSession,
    source: &kesu_app::platforms::site::SourceView,
) -> Markup {
    let action = format!(
        "/admin/platforms/{}/{}/answers",
        source.platform.code(),
        super::session::urlencode(&source.shop)
    );
    html! {
        form.answers-switch method="post" action=(action) {
            (csrf_field(s))
            @if source.send_answers {
                span.badge.green { (lang.t("platform_answers_sent")) } " "
                input type="hidden" name="send" value="0";
                button type="submit" { (lang.t("platform_answers_stop")) }
            } @else {
                span.badge.grey { (lang.t("platform_answers_dry_run")) } " "
                input type="hidden" name="send" value="1";
                button type="submit" { (lang.t("platform_answers_start")) }
            }
        }
    }
}

/// A polled source's last sync, in words.
fn sync_facts(
    lang: Lang,
    s: &PageSession,
    source: &kesu_app::platforms::site::SourceView,
    r: &SyncReport,
    now: DateTime<Utc>,
    zone: chrono_tz::Tz,
) -> Markup {
    let when = |t: Option<DateTime<Utc>>| t.map_or("—".to_owned(), |t| local_time(t, zone));
    let behind = r.cursor.map(|c| super::queue::badge::span(lang, now - c));
    html! {
        @if let Some(e) = &r.error {
            div.error role="alert" { strong { (lang.t("platform_sync_stopped")) } " " span.muted { (e) } " " (lang.t("mailbox_retry")) }
        }
        dl.facts {
            dt { (lang.t("platform_last_sync")) } dd { (when(r.last_started_at)) }
            dt { (lang.t("platform_last_success")) } dd { (when(r.last_success_at)) }
            dt { (lang.t("platform_behind")) } dd { (behind.unwrap_or_else(|| "—".to_owned())) }
            dt { (lang.t("platform_last_round")) } dd { (lang.t("platform_opened")) " " (r.last_opened) " · " (lang.t("platform_changed")) " " (r.last_changed) " · " (lang.t("platform_unchanged")) " " (r.last_unchanged) }
            dt { (lang.t("platform_totals")) } dd { (lang.t("platform_opened")) " " (r.opened_total) " · " (lang.t("platform_changed")) " " (r.changed_total) " · " (lang.t("platform_skipped")) " " (r.skipped_total) }
        }
        @if !r.notes.is_empty() {
            ul.notes { @for n in r.notes.iter().rev() { li { (n) } } }
        }
        @if kesu_app::platforms::poller::polled(source.platform) {
            form method="post" action={ "/admin/platforms/" (source.platform.code()) "/" (super::session::urlencode(&source.shop)) "/sync" } {
                (csrf_field(s))
                button type="submit" { (lang.t("platform_sync_now")) }
            }
        } @else {
            p.muted { (lang.t("platform_pushes_to")) " " code { "POST /api/v1/platforms/" (source.platform.code()) "/" (source.shop) "/events" } }
        }
    }
}

async fn save_site(State(state): State<AppState>, AdminForm(s, f): AdminForm) -> Response {
    let form = kesu_app::platforms::site::SiteForm {
        secret: f.get("secret").unwrap_or("").to_owned(),
        enabled: f.get("enabled") == Some("1"),
        answer_url: f.text("answer_url"),
    };
    let shop = f.get("shop").unwrap_or("").to_owned();
    let now = state.clock.now();
    let done = kesu_app::platforms::site::set_up(
        &state.store,
        &state.vault,
        &s.session.user,
        &shop,
        form,
        now,
    )
    .await;
    saved(&state, &s, done.map(|_| ())).await
}

async fn save_api(State(state): State<AppState>, AdminForm(s, f): AdminForm) -> Response {
    let form = kesu_app::platforms::credentials::ApiForm {
        client_id: f.get("client_id").unwrap_or("").to_owned(),
        client_secret: f.get("client_secret").unwrap_or("").to_owned(),
        access_token: f.get("access_token").unwrap_or("").to_owned(),
        endpoint: f.text("endpoint"),
        seller_id: f.text("seller_id"),
        operator: f.text("operator"),
        enabled: f.get("enabled") == Some("1"),
    };
    let shop = f.get("shop").unwrap_or("").to_owned();
    let now = state.clock.now();
    let done = kesu_app::platforms::credentials::set_up_named(
        &state.store,
        &state.vault,
        &s.session.user,
        f.get("platform").unwrap_or(""),
        &shop,
        form,
        now,
    )
    .await;
    saved(&state, &s, done.map(|_| ())).await
}

async fn saved(state: &AppState, s: &PageSession, done: kesu_app::AppResult<()>) -> Response {
    match done {
        Ok(()) => Redirect::to("/admin/platforms").into_response(),
        Err(e) => {
            let said = explain(s.lang, e);
            render(state, s, Some(said)).await
        }
    }
}

async fn switch_answers(
    State(state): State<AppState>,
    Path((platform, shop)): Path<(String, String)>,
    AdminForm(s, f): AdminForm,
) -> Response {
    let now = state.clock.now();
    let done = kesu_app::platforms::answers::switch(
        &state.store,
        &s.session.user,
        &platform,
        &shop,
        f.get("send") == Some("1"),
        now,
    )
    .await;
    saved(&state, &s, done).await
}

async fn sync_now(
    State(state): State<AppState>,
    Path((platform, shop)): Path<(String, String)>,
    AdminForm(s, _): AdminForm,
) -> Response {
    let lang = s.lang;
    let Some(platform) = Platform::parse(&platform) else {
        return PageError::not_found(lang).into_response();
    };
    let source = match state.store.platform_source(platform, &shop).await {
        Ok(Some(source)) => source,
        Ok(None) => return PageError::not_found(lang).into_response(),
        Err(e) => return PageError::of(lang, kesu_app::AppError::from(e)).into_response(),
    };
    let client = kesu_app::platforms::images::client();
    let now = state.clock.now();
    match kesu_app::platforms::poller::sync(&state.store, &state.vault, &client, &source, now).await
    {
        Ok(r) if r.error.is_none() => {
            let said = format!(
                "{} {}",
                lang.t("platform_synced"),
                r.last_opened + r.last_changed
            );
            render(&state, &s, Some((StatusCode::OK, said))).await
        }
        // The failure is on the source's card.
        Ok(_) => render(&state, &s, None).await,
        Err(e) => PageError::of(lang, e).into_response(),
    }
}
