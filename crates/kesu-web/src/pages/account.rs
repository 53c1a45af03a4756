//! 我的账号 (my account): a signed-in user changes their own password; every other sign-in
//! of theirs ends, and they sign in again with the new one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use maud::html;

use super::layout;
use super::posted::SignedForm;
use super::session::PageSession;
use crate::error::ApiError;
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/account", get(show).post(change))
        .route("/account/sessions/{id}/end", post(end_session))
}

fn form(
    s: &PageSession,
    sessions: &[kesu_store::SessionInfo],
    zone: chrono_tz::Tz,
    error: Option<&str>,
) -> maud::Markup {
    let lang = s.lang;
    let when =
        |t: chrono::DateTime<chrono::Utc>| t.with_timezone(&zone).format("%m-%d %H:%M").to_string();
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
            section.panel {
                h2 { (lang.t("two_factor")) }
                a.button href="/account/two-factor" { (lang.t("two_factor")) }
            }
            section.panel #sessions {
                h2 { (lang.t("my_sessions")) }
                table.rows {
                    thead { tr {
                        th { (lang.t("session_started")) } th { (lang.t("session_last_seen")) }
                        th { (lang.t("session_expires")) } th { (lang.t("session_address")) } th {}
                    } }
                    tbody {
                        @for x in sessions {
                            tr {
                                td data-label=(lang.t("session_started")) { (when(x.started_at)) }
                                td data-label=(lang.t("session_last_seen")) { (when(x.last_seen_at)) }
                                td data-label=(lang.t("session_expires")) { (when(x.expires_at)) }
                                td data-label=(lang.t("session_address")) {
                                    (x.address.as_deref().unwrap_or("—"))
                                    @if let Some(a) = &x.agent { br; small.muted { (a) } }
                                }
                                td {
                                    @if x.id == s.session.id {
                                        strong { (lang.t("session_this")) }
                                    } @else {
                                        form method="post" action=(format!("/account/sessions/{}/end", x.id)) {
                                            input type="hidden" name="_csrf" value=(s.session.csrf);
                                            button type="submit" { (lang.t("session_end")) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// The page with the user's sessions listed (an error above the form when given).
async fn page(
    state: &AppState,
    s: &PageSession,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    match state
        .store
        .sessions_of(&s.session.user, state.clock.now())
        .await
    {
        Ok(sessions) => (status, form(s, &sessions, state.zone().await, error)).into_response(),
        Err(e) => super::posted::PageError::of(s.lang, e).into_response(),
    }
}

async fn show(State(state): State<AppState>, s: PageSession) -> Response {
    page(&state, &s, StatusCode::OK, None).await
}

async fn end_session(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<String>,
    SignedForm(s, _): SignedForm,
) -> Response {
    match state.store.end_session_by_id(&s.session.user, &id).await {
        Ok(()) | Err(kesu_store::StoreError::NotFound(_)) => {
            Redirect::to("/account#sessions").into_response()
        }
        Err(e) => super::posted::PageError::of(s.lang, e).into_response(),
    }
}

async fn change(State(state): State<AppState>, SignedForm(s, f): SignedForm) -> Response {
    let (current, new) = (
        f.get("current_password").unwrap_or(""),
        f.get("new_password").unwrap_or(""),
    );
    if f.get("repeat_password") != Some(new) {
        let message = s.lang.t("passwords_differ");
        return page(&state, &s, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await;
    }
    match crate::sign_in::change_own_password(&state, &s.session.user, current, new).await {
        Ok(()) => Redirect::to("/login").into_response(),
        Err(ApiError::Invalid(fields)) => {
            let message = match fields.first().map(|f| f.field.as_str()) {
                Some("current_password") => s.lang.t("wrong_current_password"),
                _ => s.lang.t("password_too_short"),
            };
            page(&state, &s, StatusCode::UNPROCESSABLE_ENTITY, Some(message)).await
        }
        Err(e) => {
            let (status, problem) = e.into_problem();
            super::error_page(s.lang, status, &problem.detail)
        }
    }
}
