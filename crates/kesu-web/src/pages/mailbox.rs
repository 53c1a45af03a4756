//! The admin's mailbox page: where kesu reads customers' e-mail (IMAP over TLS), the kesu
//! account the complaints are registered as, how the last rounds went in plain words, and a
//! button to read the mailbox now.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use kesu_app::mailbox::{MailboxForm, MailboxSettings, MailboxStatus};
use kesu_domain::{Permission, Role};
use maud::{html, Markup};

use super::i18n::Lang;
use super::posted::{explain, AdminForm, PageError};
use super::session::PageSession;
use super::{csrf_field, error_page, layout, local_time};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/mailbox", get(page).post(save))
        .route("/admin/mailbox/poll", post(poll))
}

/// The locale key that says what a failure code means to an admin.
fn error_words(code: &str) -> &'static str {
    match code {
        "connect" => "mailbox_error_connect",
        "tls" => "mailbox_error_tls",
        "login" => "mailbox_error_login",
        "folder" => "mailbox_error_folder",
        "account" => "mailbox_error_account",
        "store" => "mailbox_error_store",
        _ => "mailbox_error_protocol",
    }
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
        Ok::<_, kesu_app::AppError>((
            kesu_app::mailbox::settings(&state.store).await?,
            kesu_app::mailbox::status(&state.store).await?,
            state.store.users().await?,
        ))
    }
    .await;
    let (settings, status, users) = match loaded {
        Ok(x) => x,
        Err(e) => return PageError::of(lang, e).into_response(),
    };
    let zone = state.zone().await;
    let accounts: Vec<&kesu_store::User> = users
        .iter()
        .filter(|u| !u.disabled && u.role.may(Permission::RegisterCases))
        .collect();
    let v = |f: fn(&MailboxSettings) -> String| settings.as_ref().map(f).unwrap_or_default();
    let code = said.as_ref().map_or(StatusCode::OK, |(c, _)| *c);
    let body = html! {
        h1 { (lang.t("mailbox")) }
        p.muted { (lang.t("mailbox_intro")) }
        @if let Some((c, m)) = &said {
            @if c.is_success() { div.notice role="status" { (m) } } @else { div.error role="alert" { (m) } }
        }
        (status_panel(lang, s, settings.is_some(), &status, zone))
        section.panel {
            h2 { (lang.t("mailbox_settings")) }
            form.mailbox method="post" action="/admin/mailbox" {
                (csrf_field(s))
                label.check { input type="checkbox" name="enabled" value="1" checked[settings.as_ref().is_none_or(|x| x.enabled)]; (lang.t("mailbox_enabled")) }
                label { (lang.t("mailbox_host")) input name="host" required value=(v(|x| x.host.clone())) placeholder="imap.example.com"; }
                label { (lang.t("mailbox_port")) input name="port" inputmode="numeric" value=(settings.as_ref().map_or(993, |x| x.port)); }
                label { (lang.t("mailbox_username")) input name="username" required autocomplete="off" value=(v(|x| x.username.clone())); }
                label { (lang.t("mailbox_password"))
                    input name="password" type="password" autocomplete="new-password"
                        placeholder=(if settings.is_some() { lang.t("mailbox_password_kept") } else { "" });
                }
                label { (lang.t("mailbox_folder")) input name="folder" value=(settings.as_ref().map_or("INBOX".to_owned(), |x| x.folder.clone())); }
                label { (lang.t("mailbox_account"))
                    select name="account" required {
                        @for u in &accounts {
                            option value=(u.username) selected[settings.as_ref().is_some_and(|x| x.account == u.username)] { (u.username) " (" (lang.label(u.role)) ")" }
                        }
                    }
                }
                button.primary type="submit" { (lang.t("save")) }
            }
        }
    };
    (code, layout(s, lang.t("mailbox"), body)).into_response()
}

fn status_panel(
    lang: Lang,
    s: &PageSession,
    configured: bool,
    status: &MailboxStatus,
    zone: chrono_tz::Tz,
) -> Markup {
    let when = |t: Option<chrono::DateTime<chrono::Utc>>| {
        t.map_or("—".to_owned(), |t| local_time(t, zone))
    };
    html! {
        section.panel #mailbox-status {
            h2 { (lang.t("mailbox_status")) }
            @if !configured { p.muted { (lang.t("mailbox_not_set")) } }
            @if let Some(e) = &status.error {
                div.error role="alert" {
                    strong { (lang.t(error_words(&e.code))) } " "
                    span.muted { (e.detail) } " " (lang.t("mailbox_retry"))
                }
            }
            dl.facts {
                dt { (lang.t("mailbox_last_attempt")) } dd { (when(status.last_attempt_at)) }
                dt { (lang.t("mailbox_last_success")) } dd { (when(status.last_success_at)) }
                dt { (lang.t("mailbox_opened")) } dd #mailbox-opened { (status.opened) }
                dt { (lang.t("mailbox_threaded")) } dd { (status.threaded) }
                dt { (lang.t("mailbox_ignored")) } dd { (status.ignored) }
            }
            @if !status.notes.is_empty() {
                h3 { (lang.t("mailbox_notes")) }
                ul { @for n in status.notes.iter().rev() { li { (n) } } }
            }
            @if configured {
                form method="post" action="/admin/mailbox/poll" {
                    (csrf_field(s))
                    button type="submit" { (lang.t("mailbox_poll_now")) }
                }
            }
        }
    }
}

async fn save(State(state): State<AppState>, AdminForm(s, f): AdminForm) -> Response {
    let lang = s.lang;
    let port = match f.text("port").map(|p| p.parse::<u16>()) {
        None => None,
        Some(Ok(p)) => Some(p),
        Some(Err(_)) => {
            let said = lang.t("mailbox_port_invalid").to_owned();
            return render(&state, &s, Some((StatusCode::UNPROCESSABLE_ENTITY, said))).await;
        }
    };
    let form = MailboxForm {
        enabled: f.get("enabled") == Some("1"),
        host: f.get("host").unwrap_or("").to_owned(),
        port,
        username: f.get("username").unwrap_or("").to_owned(),
        password: f.get("password").map(str::to_owned),
        folder: f.text("folder"),
        account: f.get("account").unwrap_or("").to_owned(),
    };
    match kesu_app::mailbox::save_settings(&state.store, &s.session.user, form).await {
        Ok(_) => Redirect::to("/admin/mailbox").into_response(),
        Err(e) => {
            let said = explain(lang, e);
            render(&state, &s, Some(said)).await
        }
    }
}

async fn poll(State(state): State<AppState>, AdminForm(s, _): AdminForm) -> Response {
    let lang = s.lang;
    match crate::api::mailbox::poll_now(&state).await {
        Ok(status) if status.error.is_none() => {
            let said = lang.t("mailbox_polled").to_owned();
            render(&state, &s, Some((StatusCode::OK, said))).await
        }
        // The failure is in the status panel.
        Ok(_) => render(&state, &s, None).await,
        Err(e) => PageError::of(lang, e).into_response(),
    }
}
