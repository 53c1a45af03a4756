//! Each request's id: taken from `X-Request-Id` when a proxy in front set a sensible one, made
//! up otherwise, answered in `X-Request-Id`, carried by every log line of the request, and
//! shown with a failure on our side so that the person who saw it can quote it and the log
//! line with its cause can be found.

use axum::extract::Request;
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being answered, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(String::clone).ok()
}

/// An id given by a proxy is kept only when it is short and plain (it goes into logs).
fn given(request: &Request) -> Option<String> {
    let id = request.headers().get("x-request-id")?.to_str().ok()?;
    let plain = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    plain.then(|| id.to_owned())
}

/// Gives the request its id for everything that happens while it is answered.
pub async fn assign(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    request: Request,
    next: Next,
) -> Response {
    let id = given(&request).unwrap_or_else(|| format!("{:016x}", rand::random::<u64>()));
    let https = state.over_https(request.headers());
    // The request's log span (made inside, by the trace layer) reads the id from here.
    let mut response = REQUEST_ID.scope(id.clone(), next.run(request)).await;
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    // One layer for both: every layer costs every request.
    crate::browser_headers::add_to(&mut response, https);
    response
}
