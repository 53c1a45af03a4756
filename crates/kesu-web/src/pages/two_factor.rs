//! Two-factor sign-in in the workbench: the second step of signing in (a code from the app,
//! or a recovery code), and 两步验证 on one's own account (set up with a QR code, confirmed
//! with a code, recovery codes shown once, turned off with a code). A session that passes
//! is replaced by a fresh one, so the cookie from before the second factor is worth nothing.

use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, DOCTYPE};

use super::layout;
use super::posted::{PageError, SignedForm};
use super::session::PageSession;
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/two-factor", get(code_page).post(check_code))
        .route("/account/two-factor", get(setup_page).post(setup_step))
}

#[derive(serde::Deserialize)]
struct Next {
    next: Option<String>,
}

fn code_form(s: &PageSession, next: &str, error: Option<&str>) -> Markup {
    let lang = s.lang;
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (lang.t("two_factor")) " · " (lang.t("app")) }
                link rel="stylesheet" href="/assets/kesu.css";
            }
            body.login { main.narrow {
                h1 { (lang.t("two_factor")) }
                p.muted { (s.session.user.username) " · " (lang.t("two_factor_enter")) }
                @if let Some(e) = error { p.error role="alert" { (e) } }
                form method="post" action="/login/two-factor" {
                    input type="hidden" name="_csrf" value=(s.session.csrf);
                    input type="hidden" name="next" value=(next);
                    label for="code" { (lang.t("two_factor_code")) }
                    input #code name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9 ]{6,7}" autofocus;
                    details {
                        summary { (lang.t("two_factor_lost_phone")) }
                        label for="recovery_code" { (lang.t("recovery_code")) }
                        input #recovery_code name="recovery_code" autocomplete="off";
                    }
                    button.primary type="submit" { (lang.t("sign_in")) }
                }
                form method="post" action="/logout" {
                    input type="hidden" name="_csrf" value=(s.session.csrf);
                    button type="submit" { (lang.t("sign_out")) }
                }
            } }
        }
    }
}

/// Whether the session still owes its second factor (else the code page has nothing to do).
fn owes_code(s: &PageSession) -> bool {
    s.session.has_two_factor && !s.session.second_factor
}

async fn code_page(s: PageSession, Query(q): Query<Next>) -> Response {
    let next = super::login::safe_next(q.next.as_deref());
    if !owes_code(&s) {
        return axum::response::Redirect::to(&next).into_response();
    }
    code_form(&s, &next, None).into_response()
}

async fn check_code(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    SignedForm(s, f): SignedForm,
) -> Response {
    let next = super::login::safe_next(f.get("next"));
    if !owes_code(&s) {
        return axum::response::Redirect::to(&next).into_response();
    }
    let address = crate::sign_in::client_address(&extensions);
    let user = &s.session.user;
    let checked = crate::sign_in::second_factor(
        &state,
        user,
        f.text("code").as_deref(),
        f.text("recovery_code").as_deref(),
        address,
    )
    .await;
    match checked {
        Ok(()) => {
            if let Err(e) = state.store.end_session(&s.token).await {
                return PageError::of(s.lang, e).into_response();
            }
            super::login::start(&state, &headers, &extensions, user, true, &next).await
        }
        Err(ApiError::TooManyRequests {
            retry_after_secs, ..
        }) => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, retry_after_secs.to_string())],
            code_form(&s, &next, Some(s.lang.t("too_many_logins"))),
        )
            .into_response(),
        Err(ApiError::Unauthorized(_)) => (
            StatusCode::UNAUTHORIZED,
            code_form(&s, &next, Some(s.lang.t("two_factor_wrong"))),
        )
            .into_response(),
        Err(e) => PageError::of(s.lang, e).into_response(),
    }
}

/// What the set-up page shows below its heading.
enum Step {
    /// Not on: a button to begin.
    Off,
    /// Begun: the QR code and the secret, and the field for the first code.
    Scan(kesu_app::two_factor::Setup),
    /// Just confirmed: the recovery codes, this once.
    Codes(Vec<String>),
    /// On: how many recovery codes are left, and how to turn it off.
    On { codes_left: i64 },
}

fn setup_markup(s: &PageSession, required: bool, step: &Step, error: Option<&str>) -> Markup {
    let lang = s.lang;
    let csrf = &s.session.csrf;
    layout(
        s,
        lang.t("two_factor"),
        html! {
            h1 { (lang.t("two_factor")) }
            @if required && !matches!(step, Step::On { .. } | Step::Codes(_)) {
                p.warning role="status" { (lang.t("two_factor_required")) }
            }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            section.panel {
                @match step {
                    Step::Off => {
                        p { (lang.t("two_factor_explain")) }
                        form method="post" action="/account/two-factor" {
                            input type="hidden" name="_csrf" value=(csrf);
                            button.primary type="submit" name="step" value="begin" { (lang.t("two_factor_begin")) }
                        }
                    }
                    Step::Scan(setup) => {
                        p { (lang.t("two_factor_scan")) }
                        img.qr src=(format!("data:image/png;base64,{}", setup.qr_png_base64)) alt=(lang.t("two_factor_qr")) width="200" height="200";
                        p.muted { (lang.t("two_factor_secret")) " " code #totp-secret { (setup.secret) } }
                        form method="post" action="/account/two-factor" {
                            input type="hidden" name="_csrf" value=(csrf);
                            label for="code" { (lang.t("two_factor_code")) }
                            input #code name="code" inputmode="numeric" autocomplete="one-time-code" required autofocus;
                            button.primary type="submit" name="step" value="confirm" { (lang.t("two_factor_confirm")) }
                        }
                    }
                    Step::Codes(codes) => {
                        p.ok role="status" { (lang.t("two_factor_on")) }
                        p { (lang.t("recovery_codes_keep")) }
                        ul.recovery-codes #recovery-codes { @for c in codes { li { code { (c) } } } }
                        a.button href="/" { (lang.t("two_factor_done")) }
                    }
                    Step::On { codes_left } => {
                        p.ok { (lang.t("two_factor_on")) }
                        p.muted { (lang.t("recovery_codes_left")) " " (codes_left) }
                        form method="post" action="/account/two-factor" {
                            input type="hidden" name="_csrf" value=(csrf);
                            label for="off_code" { (lang.t("two_factor_off_code")) }
                            input #off_code name="code" autocomplete="off" required;
                            button.danger type="submit" name="step" value="off" { (lang.t("two_factor_off")) }
                        }
                    }
                }
            }
        },
    )
}

async fn current_step(state: &AppState, s: &PageSession) -> Result<Step, kesu_app::AppError> {
    if kesu_app::two_factor::is_on(&state.store, &s.session.user).await? {
        let codes_left = state.store.recovery_codes_left(s.session.user.id).await?;
        return Ok(Step::On { codes_left });
    }
    Ok(Step::Off)
}

async fn required(state: &AppState, s: &PageSession) -> bool {
    state
        .store
        .policy()
        .await
        .map(|p| p.access.requires_second_factor(s.session.user.role))
        .unwrap_or(true)
}

async fn setup_page(State(state): State<AppState>, s: PageSession) -> Response {
    match current_step(&state, &s).await {
        Ok(step) => setup_markup(&s, required(&state, &s).await, &step, None).into_response(),
        Err(e) => PageError::of(s.lang, e).into_response(),
    }
}

async fn setup_step(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    extensions: axum::http::Extensions,
    SignedForm(s, f): SignedForm,
) -> Response {
    let (store, vault, user, now) = (
        &state.store,
        &state.vault,
        &s.session.user,
        state.clock.now(),
    );
    let required = required(&state, &s).await;
    let done = match f.get("step") {
        Some("begin") => kesu_app::two_factor::begin(store, vault, user)
            .await
            .map(Step::Scan),
        Some("confirm") => {
            let code = f.get("code").unwrap_or("");
            match kesu_app::two_factor::confirm(store, vault, user, code, now).await {
                Ok(codes) => {
                    return confirmed(&state, &headers, &extensions, &s, required, codes).await
                }
                Err(e) => Err(e),
            }
        }
        Some("off") => {
            let code = f.get("code").unwrap_or("");
            match kesu_app::two_factor::turn_off(store, vault, user, code, now).await {
                // Every session ended with it, this one too.
                Ok(()) => return axum::response::Redirect::to("/login").into_response(),
                Err(e) => Err(e),
            }
        }
        _ => current_step(&state, &s).await,
    };
    match done {
        Ok(step) => setup_markup(&s, required, &step, None).into_response(),
        Err(kesu_app::AppError::Invalid(_)) => {
            let step = match current_step(&state, &s).await {
                Ok(Step::Off) => match kesu_app::two_factor::begin(store, vault, user).await {
                    // A wrong first code: a fresh secret to scan again is simpler than
                    // keeping the old one on the page.
                    Ok(setup) => Step::Scan(setup),
                    Err(e) => return PageError::of(s.lang, e).into_response(),
                },
                Ok(step) => step,
                Err(e) => return PageError::of(s.lang, e).into_response(),
            };
            let message = s.lang.t("two_factor_wrong");
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                setup_markup(&s, required, &step, Some(message)),
            )
                .into_response()
        }
        Err(e) => PageError::of(s.lang, e).into_response(),
    }
}

/// Set up: this browser's session is replaced by one that passed the second factor, and the
/// recovery codes are shown on the new session's page.
async fn confirmed(
    state: &AppState,
    headers: &axum::http::HeaderMap,
    extensions: &axum::http::Extensions,
    s: &PageSession,
    required: bool,
    codes: Vec<String>,
) -> Response {
    if let Err(e) = state.store.end_session(&s.token).await {
        return PageError::of(s.lang, e).into_response();
    }
    let started = super::login::start(state, headers, extensions, &s.session.user, true, "/").await;
    // Keep the cookie the new session set, but show the codes instead of redirecting.
    let mut page = setup_markup(s, required, &Step::Codes(codes), None).into_response();
    for cookie in started.headers().get_all(header::SET_COOKIE) {
        page.headers_mut()
            .append(header::SET_COOKIE, cookie.clone());
    }
    page
}
