//! 我的账号 (my account): a signed-in user changes their own password; every other sign-in
//! of theirs ends, and they sign in again with the new one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use maud::html;

use super::layout;
use super::posted::SignedForm;
use super::session::PageSession;
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/account", get(show).post(change))
}

fn form(s: &PageSession, error: Option<&str>) -> maud::Markup {
    let lang = s.lang;
    layout(
        s,
        lang.t("my_account"),
        html! {
            h1 { (lang.t("my_account")) }
            p.muted { (s.session.user.username) " · " (s.lang.label(s.session.user.role)) }
            @if let Some(e) = error { p.error role="alert" { (e) } }
            section.panel {
                h2 { (lang.t("change_password")) }
                form method="post" action="/account" {
                    input type="hidden" name="_csrf" value=(s.session.csrf);
                    label for="current_password" { (lang.t("current_password")) }
                    input #current_password type="password" name="current_password" autocomplete="current-password" required;
                    label for="new_password" { (lang.t("new_password")) }
                    input #new_password type="password" name="new_password" autocomplete="new-password" minlength="8" required;
                    label for="repeat_password" { (lang.t("repeat_password")) }
                    input #repeat_password type="password" name="repeat_password" autocomplete="new-password" minlength="8" required;
                    p.muted { (lang.t("password_change_signs_out")) }
                    button.primary type="submit" { (lang.t("change_password")) }
                }
            }
        },
    )
}

async fn show(s: PageSession) -> Response {
    form(&s, None).into_response()
}

async fn change(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let (current, new) = (
        f.get("current_password").unwrap_or(""),
        f.get("new_password").unwrap_or(""),
    );
    if f.get("repeat_password") != Some(new) {
        let message = s.lang.t("passwords_differ");
        return (StatusCode::UNPROCESSABLE_ENTITY, form(&s, Some(message))).into_response();
    }
    match crate::sign_in::change_own_password(&state, &s.session.user, current, new).await {
        Ok(()) => Redirect::to("/login").into_response(),
        Err(ApiError::Invalid(fields)) => {
            let message = match fields.first().map(|f| f.field.as_str()) {
                Some("current_password") => s.lang.t("wrong_current_password"),
                _ => s.lang.t("password_too_short"),
            };
            (StatusCode::UNPROCESSABLE_ENTITY, form(&s, Some(message))).into_response()
        }
        Err(e) => {
            let (status, problem) = e.into_problem();
            super::error_page(s.lang, status, &problem.detail)
        }
    }
}
