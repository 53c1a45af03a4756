//! 企业账号登录 (single sign-on): off to the shop's identity provider and back. What the
//! browser must remember meanwhile (state, nonce, PKCE verifier, where to go next) travels in
//! a short-lived cookie sealed with the server's key, so any server of several can finish
//! the sign-in. The provider's own sign-in stands for the second factor.

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::SameSite;
use serde::Deserialize;

use super::i18n::Lang;
use super::posted::PageError;
use crate::AppState;

const COOKIE: &str = "kesu_oidc";
/// Minutes a sign-in at the provider may take.
const PENDING_MINUTES: i64 = 10;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login/oidc", get(start))
        .route("/login/oidc/callback", get(callback))
}

#[derive(Deserialize)]
struct Next {
    next: Option<String>,
}

fn refused(status: StatusCode, message: &str) -> Response {
    super::error_page(Lang::Zh, status, message)
}

async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<Next>,
) -> Response {
    let Some(sso) = state.sso.clone() else {
        return refused(StatusCode::NOT_FOUND, Lang::Zh.t("sso_off"));
    };
    let next = super::login::safe_next(q.next.as_deref());
    match sso.start(&next).await {
        Ok((url, pending)) => {
            let sealed = match serde_json::to_string(&pending) {
                Ok(json) => state.vault.seal(&json),
                Err(e) => {
                    return PageError::of(Lang::Zh, kesu_app::AppError::Internal(e.to_string()))
                        .into_response()
                }
            };
            let mut r = Redirect::to(&url).into_response();
            let secure = state.over_https(&headers);
            // Lax: the provider sends the browser back with a top-level GET.
            super::cookies::set(
                &mut r,
                COOKIE,
                sealed,
                SameSite::Lax,
                Some(PENDING_MINUTES * 60),
                secure,
            );
            r
        }
        Err(e) => PageError::of(Lang::Zh, e).into_response(),
    }
}

#[derive(Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    Query(q): Query<Callback>,
) -> Response {
    let Some(sso) = state.sso.clone() else {
        return refused(StatusCode::NOT_FOUND, Lang::Zh.t("sso_off"));
    };
    let secure = state.over_https(&headers);
    let pending: Option<kesu_app::sso::Pending> = super::cookies::read(&headers, COOKIE, secure)
        .and_then(|sealed| state.vault.open_sealed(&sealed).ok())
        .and_then(|json| serde_json::from_str(&json).ok());
    let (Some(pending), Some(code), Some(sent_state)) = (pending, q.code, q.state) else {
        if let Some(e) = q.error {
            tracing::info!(error = %e, "single sign-on: the provider answered with an error");
        }
        return refused(StatusCode::UNAUTHORIZED, Lang::Zh.t("sso_failed"));
    };
    if !crate::same_secret(&sent_state, &pending.state) {
        tracing::warn!("single sign-on: the state did not match (a forged or stale callback)");
        return refused(StatusCode::UNAUTHORIZED, Lang::Zh.t("sso_failed"));
    }
    let now = state.clock.now();
    let signed_in = async {
        let identity = sso.finish(&code, &pending, now).await?;
        kesu_app::sso::account_for(&state.store, &identity, now).await
    };
    match signed_in.await {
        Ok(user) => {
            let address = crate::sign_in::client_address(&extensions).map(|a| a.to_string());
            if let Err(e) = state
                .store
                .record_sign_in_success(&user, address.as_deref(), now)
                .await
            {
                tracing::error!(error = %e, "could not record a single sign-on");
                return refused(StatusCode::SERVICE_UNAVAILABLE, Lang::Zh.t("sso_failed"));
            }
            let mut r =
                super::login::start(&state, &headers, &extensions, &user, true, &pending.next)
                    .await;
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
        Err(kesu_app::AppError::Forbidden(why)) => refused(
            StatusCode::FORBIDDEN,
            &format!("{} ({why})", Lang::Zh.t("sso_no_role")),
        ),
        Err(kesu_app::AppError::Unauthenticated(_)) => {
            refused(StatusCode::UNAUTHORIZED, Lang::Zh.t("sso_failed"))
        }
        Err(e) => PageError::of(Lang::Zh, e).into_response(),
    }
}
