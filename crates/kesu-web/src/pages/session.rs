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
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The gatekeeper signed the browser in for every route whose gate asks for staff; a
        // route without it has no session to offer.
        parts
            .extensions
            .remove::<PageSession>()
            .ok_or_else(|| Redirect::to("/login").into_response())
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
