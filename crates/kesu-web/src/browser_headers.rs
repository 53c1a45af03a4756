//! What every answer tells the browser, so that a page of kesu cannot be turned against its
//! reader: scripts only from kesu's own files (no inline script, so injected markup cannot
//! run), no framing by another site, no sniffing of a file's type, and no referrer sent on
//! (a customer's page address is the key to their case and must not reach another site).
//! Over HTTPS, HSTS keeps the browser on HTTPS. Inline styles stay allowed: the charts set them, and a style cannot run code.

use axum::http::header::{
    CONTENT_SECURITY_POLICY, REFERRER_POLICY, STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::response::Response;

/// The Content-Security-Policy of every answer.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// HSTS over HTTPS: browsers come back over HTTPS only, for a year.
pub const STRICT_TRANSPORT_SECURITY_VALUE: &str = "max-age=31536000";

/// Adds the headers to an answer (those a handler set itself are kept); `https` when the
/// browser reached kesu over HTTPS (HSTS is sent then only: over plain HTTP it means nothing).
pub fn add_to(response: &mut Response, https: bool) {
    let headers = response.headers_mut();
    if https {
        headers
            .entry(STRICT_TRANSPORT_SECURITY)
            .or_insert(HeaderValue::from_static(STRICT_TRANSPORT_SECURITY_VALUE));
    }
    let defaults = [
        (CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE),
        (X_FRAME_OPTIONS, "DENY"),
        (X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (REFERRER_POLICY, "no-referrer"),
    ];
    for (name, value) in defaults {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
}
