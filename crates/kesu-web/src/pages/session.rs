//! The signed-in browser: the session cookie, its CSRF token and the page language.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use kesu_store::Session;

use super::i18n::Lang;
use super::{error_page, Form};
use crate::AppState;

pub const COOKIE: &str = "kesu_session";

/// A page request from a signed-in user (found by the gatekeeper, which leaves it in the
/// request).
#[derive(Clone)]
pub struct PageSession {
    pub session: Session,
    pub token: String,
    pub lang: Lang,
}

/// The session cookie's value, if the request carries one.
pub fn cookie_token(state: &AppState, parts: &Parts) -> Option<String> {
    super::cookies::read(&parts.headers, COOKIE, state.over_https(&parts.headers))
}

impl FromRequestParts<AppState> for PageSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(session) = parts.extensions.remove::<PageSession>() {
            return Ok(session);
        }
        let to_login = || {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = if next.starts_with('/') && !next.starts_with("//") {
                next
            } else {
                "/"
            };
            Redirect::to(&format!("/login?next={}", urlencode(next))).into_response()
        };
        let Some(token) = cookie_token(state, parts) else {
            return Err(to_login());
        };
        match state.store.session(&token, state.clock.now()).await {
            Ok(Some(session)) => Ok(PageSession {
                lang: Lang::from_code(&session.lang),
                session,
                token,
            }),
            Ok(None) => Err(to_login()),
            Err(e) => Err(super::posted::PageError::of(Lang::Zh, e).into_response()),
        }
    }
}

impl PageSession {
    /// Whether a form carries this session's CSRF token (compared in constant time).
    pub fn csrf_ok(&self, form: &Form) -> bool {
        form.get("_csrf")
            .is_some_and(|sent| crate::same_secret(sent, &self.session.csrf))
    }

    /// The answer to a form without it.
    pub fn csrf_refused(&self) -> Response {
        error_page(self.lang, StatusCode::FORBIDDEN, self.lang.t("csrf"))
    }
}

/// What a query-string value may hold unencoded: letters, digits, `-_.~` and `/`.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// Percent-encodes a value for a query string.
pub fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}
