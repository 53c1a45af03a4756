//! The workbench's and the customer pages' cookies, through axum-extra's cookie jar: read
//! from the request, written `HttpOnly` with a `SameSite` rule, and — whenever the browser
//! reached kesu over HTTPS (`--secure-cookies`, or a proxy declared with `--https-proxy`
//! saying `X-Forwarded-Proto: https`) — `Secure` and named with the `__Host-` prefix, which
//! browsers keep to this host and path `/` (no other subdomain can set or shadow them).

use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

/// The name cookie `name` goes by: `__Host-name` over HTTPS.
fn full_name(name: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{name}")
    } else {
        name.to_owned()
    }
}

/// The value of cookie `name` in a request's headers (over HTTPS only its `__Host-` form).
pub fn read(headers: &HeaderMap, name: &str, secure: bool) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(&full_name(name, secure))
        .map(|c| c.value().to_owned())
}

/// Whether the browser reached kesu over HTTPS: always (`--secure-cookies`), or when a
/// declared proxy (`--https-proxy`) says so. An undeclared proxy's header is not believed.
pub fn reached_over_https(headers: &HeaderMap, always: bool, https_proxy: bool) -> bool {
    always
        || (https_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https")))
}

/// Sets cookie `name` on `response`; `max_age_secs` of `None` lasts the browser session,
/// `Some(0)` removes it.
pub fn set(
    response: &mut Response,
    name: &'static str,
    value: String,
    same_site: SameSite,
    max_age_secs: Option<i64>,
    secure: bool,
) {
    let mut cookie = Cookie::build((full_name(name, secure), value))
        .path("/")
        .http_only(true)
        .same_site(same_site)
        .secure(secure);
    if let Some(secs) = max_age_secs {
        cookie = cookie.max_age(cookie::time::Duration::seconds(secs));
    }
    if let Ok(v) = HeaderValue::from_str(&cookie.build().encoded().to_string()) {
        response.headers_mut().append(header::SET_COOKIE, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::response::IntoResponse;

    #[test]
    fn cookies_are_read_and_written_with_their_rules() {
        let mut headers = HeaderMap::new();
        headers.insert(header::COOKIE, "a=1; kesu_session=abc".parse().unwrap());
        assert_eq!(
            read(&headers, "kesu_session", false).as_deref(),
            Some("abc")
        );
        assert_eq!(
            read(&headers, "kesu_session", true),
            None,
            "over HTTPS only __Host-"
        );
        assert_eq!(read(&headers, "missing", false), None);
        assert!(!reached_over_https(&headers, false, true));
        headers.insert("x-forwarded-proto", "HTTPS".parse().unwrap());
        assert!(reached_over_https(&headers, false, true));
        assert!(
            !reached_over_https(&headers, false, false),
            "undeclared proxy"
        );
        assert!(reached_over_https(&headers, true, false));

        let mut r = ().into_response();
        set(
            &mut r,
            "kesu_session",
            "t".into(),
            SameSite::Lax,
            Some(60),
            true,
        );
        let set_cookie = r.headers()[header::SET_COOKIE].to_str().unwrap();
        for part in [
            "__Host-kesu_session=t",
            "HttpOnly",
            "SameSite=Lax",
            "Secure",
            "Path=/",
            "Max-Age=60",
        ] {
            assert!(set_cookie.contains(part), "{set_cookie}");
        }
        let mut r = ().into_response();
        set(
            &mut r,
            "kesu_public",
            "p".into(),
            SameSite::Strict,
            None,
            false,
        );
        let set_cookie = r.headers()[header::SET_COOKIE].to_str().unwrap();
        assert!(!set_cookie.contains("Secure") && set_cookie.contains("SameSite=Strict"));
    }
}
