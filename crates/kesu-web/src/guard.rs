//! Refuses control characters (NUL and the like) at the edge, whatever the way in: in the
//! path, the query, a form or a JSON body. SQLite would store them and PostgreSQL refuses
//! them with an error, so the two backends behave the same only if neither sees them.

use axum::body::Body;
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use kesu_domain::text::{is_refused_control, CONTROL_CHARACTER};
use serde_json::Value;

use crate::error::ApiError;
use crate::extract::MAX_BODY_BYTES;
use kesu_domain::error::Problem;

/// The middleware: 400 for a path or query holding a control character, 422 naming the
/// field for a form or JSON body.
pub async fn refuse_control_characters(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    if let Some(problem) = address_problem(request.uri()) {
        return refuse(is_api, problem);
    }
    let kind = body_kind(&request);
    if kind == BodyKind::Other {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => return refuse(is_api, ApiError::PayloadTooLarge(MAX_BODY_BYTES)),
    };
    let found = match kind {
        BodyKind::Json => json_field(&bytes),
        BodyKind::Form => form_field(&bytes),
        BodyKind::Other => None,
    };
    if let Some(field) = found {
        return refuse(is_api, ApiError::invalid(&field, Problem::ControlCharacter));
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

fn refuse(is_api: bool, problem: ApiError) -> Response {
    if is_api {
        return problem.into_response();
    }
    let (status, p) = problem.into_problem();
    let message = match p.errors.as_deref() {
        Some([first, ..]) => format!("{}: {}", first.field, first.message),
        _ => p.detail,
    };
    crate::pages::error_page(crate::pages::i18n::Lang::Zh, status, &message)
}

fn address_problem(uri: &axum::http::Uri) -> Option<ApiError> {
    let decoded = |s: &str| percent_decoded_has_control(s.as_bytes());
    if decoded(uri.path()) {
        return Some(ApiError::BadRequest(format!(
            "the address {CONTROL_CHARACTER}"
        )));
    }
    let query = uri.query()?;
    let field = form_field(query.as_bytes())?;
    Some(ApiError::invalid(&field, Problem::ControlCharacter))
}

fn percent_decoded_has_control(raw: &[u8]) -> bool {
    let decoded: Vec<u8> = percent_decode(raw);
    String::from_utf8_lossy(&decoded)
        .chars()
        .any(is_refused_control)
}

fn percent_decode(raw: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(raw.len());
    let mut i = 0;
    while i < raw.len() {
        match (
            raw[i],
            raw.get(i + 1).copied().and_then(hex),
            raw.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push(h * 16 + l);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[derive(PartialEq, Eq)]
enum BodyKind {
    Json,
    Form,
    Other,
}

fn body_kind(request: &Request) -> BodyKind {
    let mime = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .unwrap_or_default();
    if mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json")) {
        BodyKind::Json
    } else if mime == "application/x-www-form-urlencoded" {
        BodyKind::Form
    } else {
        BodyKind::Other
    }
}

/// The first form field (or query parameter) whose name or value holds a control character.
fn form_field(raw: &[u8]) -> Option<String> {
    form_urlencoded::parse(raw)
        .find(|(k, v)| k.chars().chain(v.chars()).any(is_refused_control))
        .map(|(k, _)| k.chars().filter(|c| !is_refused_control(*c)).collect())
}

/// The JSON path (`complainant.name`, `[2].text`) of the first string holding a control
/// character. Raw control bytes are not valid JSON, so only escapes need a closer look.
fn json_field(raw: &[u8]) -> Option<String> {
    let suspicious = raw
        .windows(2)
        .any(|w| w == b"\\u" || w == b"\\b" || w == b"\\f");
    if !suspicious {
        return None;
    }
    let value: Value = serde_json::from_slice(raw).ok()?;
    find_in(&value, String::new())
}

fn find_in(value: &Value, path: String) -> Option<String> {
    let join = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}.{key}")
        }
    };
    match value {
        Value::String(s) if s.chars().any(is_refused_control) => {
            Some(if path.is_empty() { ".".into() } else { path })
        }
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| find_in(v, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if k.chars().any(is_refused_control) {
                Some(join(
                    &k.chars()
                        .filter(|c| !is_refused_control(*c))
                        .collect::<String>(),
                ))
            } else {
                find_in(v, join(k))
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_control_characters_are_found_with_their_field() {
        let raw = br#"{"complainant": {"name": "adm\u0000in"}, "x": 1}"#;
        assert_eq!(json_field(raw).as_deref(), Some("complainant.name"));
        let raw = br#"[{"text": "ok"}, {"text": "\u001b[31m"}]"#;
        assert_eq!(json_field(raw).as_deref(), Some("[1].text"));
        assert_eq!(json_field(br#"{"text": "\u4e2d\n\t"}"#), None);
        assert_eq!(
            json_field(br#"{"text": "a\\u0000"}"#),
            None,
            "an escaped backslash"
        );
    }

    #[test]
    fn form_and_address_control_characters_are_found() {
        assert_eq!(
            form_field(b"username=adm%00in&password=x").as_deref(),
            Some("username")
        );
        assert_eq!(form_field(b"text=%E4%B8%AD%0A"), None);
        assert!(percent_decoded_has_control(b"/api/v1/orders/AB%00C"));
        assert!(!percent_decoded_has_control(b"/api/v1/orders/AB%2DC"));
    }
}
