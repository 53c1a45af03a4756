//! Signing in and out of the workbench, and switching its language.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::SameSite;
use maud::{html, DOCTYPE};
use serde::Deserialize;

use super::i18n::Lang;
use super::posted::{PageError, SignedForm};
use super::session::COOKIE;
use super::Form;
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/lang", post(set_lang))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

/// Only our own paths: never send a user off-site after signing in.
pub(super) fn safe_next(next: Option<&str>) -> String {
    match next {
        // A line break would split the Location header: only plain paths come back.
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.chars().any(char::is_control) =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Why the last attempt failed, shown above the form.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Refused {
    No,
    Wrong,
    TooMany,
}

fn login_form(next: &str, error: Refused, sso: bool) -> maud::Markup {
    let lang = Lang::Zh;
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (lang.t("sign_in")) " · " (lang.t("app")) }
                link rel="stylesheet" href="/assets/kesu.css";
            }
            body.login {
                main.narrow {
                    h1 { "客诉 kesu" }
                    p.muted { "售后投诉与纠纷处理台 · Complaint desk" }
                    @if error == Refused::Wrong { p.error role="alert" { (lang.t("wrong_login")) " / " (Lang::En.t("wrong_login")) } }
                    @if error == Refused::TooMany { p.error role="alert" { (lang.t("too_many_logins")) " / " (Lang::En.t("too_many_logins")) } }
                    form method="post" action="/login" {
                        input type="hidden" name="next" value=(next);
                        label for="username" { "用户名 Username" }
                        input #username name="username" autocomplete="username" required autofocus;
                        label for="password" { "密码 Password" }
                        input #password type="password" name="password" autocomplete="current-password" required;
                        button.primary type="submit" { "登录 Sign in" }
                    }
                    @if sso {
                        p { a.button href=(format!("/login/oidc?next={}", super::session::urlencode(next))) { (lang.t("sso_sign_in")) } }
                    }
                }
            }
        }
    }
}

async fn login_page(State(state): State<AppState>, Query(q): Query<Next>) -> maud::Markup {
    login_form(
        &safe_next(q.next.as_deref()),
        Refused::No,
        state.sso.is_some(),
    )
}

async fn login(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    body: Bytes,
) -> Response {
    let form = Form::parse(&body);
    let next = safe_next(form.get("next"));
    let (Some(username), Some(password)) = (form.text("username"), form.get("password")) else {
        return (
            StatusCode::UNAUTHORIZED,
            login_form(&next, Refused::Wrong, state.sso.is_some()),
        )
            .into_response();
    };
    let address = crate::sign_in::client_address(&extensions);
    let user = match crate::sign_in::sign_in(&state, &username, password, address).await {
        Ok(u) => u,
        Err(ApiError::Unauthorized(_)) => {
            return (
                StatusCode::UNAUTHORIZED,
                login_form(&next, Refused::Wrong, state.sso.is_some()),
            )
                .into_response()
        }
        Err(ApiError::TooManyRequests {
            retry_after_secs, ..
        }) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, retry_after_secs.to_string())],
                login_form(&next, Refused::TooMany, state.sso.is_some()),
            )
                .into_response();
        }
        Err(e) => return PageError::of(Lang::Zh, e).into_response(),
    };
    let has_two_factor = match kesu_app::two_factor::is_on(&state.store, &user).await {
        Ok(on) => on,
        Err(e) => return PageError::of(Lang::Zh, e).into_response(),
    };
    // With a second factor, the session opens only the page that asks for the code.
    let next = if has_two_factor {
        format!(
            "/login/two-factor?next={}",
            super::session::urlencode(&next)
        )
    } else {
        next
    };
    start(&state, &headers, &extensions, &user, false, &next).await
}

/// Starts a session for `user` and sends the browser on to `next` with its cookie.
pub(super) async fn start(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    user: &kesu_store::User,
    second_factor: bool,
    next: &str,
) -> Response {
    let meta = kesu_store::SessionMeta {
        address: crate::sign_in::client_address(extensions).map(|a| a.to_string()),
        agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        second_factor,
    };
    match state
        .store
        .start_session(user, state.clock.now(), &meta)
        .await
    {
        Ok(token) => {
            tracing::info!(user = %user.username, second_factor, "signed in to the workbench");
            let mut r = Redirect::to(next).into_response();
            let secure = state.over_https(headers);
            let hours = state
                .store
                .policy()
                .await
                .map(|p| p.access.session_hours)
                .unwrap_or(kesu_store::SESSION_HOURS);
            super::cookies::set(
                &mut r,
                COOKIE,
                token,
                SameSite::Lax,
                Some(hours * 3600),
                secure,
            );
            r
        }
        Err(e) => PageError::of(Lang::Zh, e).into_response(),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    SignedForm(s, _): SignedForm,
) -> Response {
    if let Err(e) = state.store.end_session(&s.token).await {
        // The cookie goes anyway; the session ends when it expires.
        tracing::warn!(error = %e, "a session could not be ended");
    }
    let mut r = Redirect::to("/login").into_response();
    let secure = state.over_https(&headers);
    super::cookies::set(
        &mut r,
        COOKIE,
        String::new(),
        SameSite::Lax,
        Some(0),
        secure,
    );
    r
}

async fn set_lang(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    SignedForm(s, form): SignedForm,
) -> Response {
    let lang = Lang::from_code(form.get("lang").unwrap_or("zh-CN"));
    if let Err(e) = state
        .store
        .set_user_lang(s.session.user.id, lang.code())
        .await
    {
        return PageError::of(s.lang, e).into_response();
    }
    // Back to the page the switch was pressed on, if it was one of ours.
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.find("://").map(|i| &r[i + 3..]))
        .and_then(|r| r.find('/').map(|i| r[i..].to_owned()));
    Redirect::to(&safe_next(back.as_deref())).into_response()
}
