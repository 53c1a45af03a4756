//! Request extractors that turn every bad input into a problem naming what to fix.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;
use crate::AppState;
use kesu_store::User;

/// Largest JSON body the API accepts.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// A JSON body: 415 unless declared JSON, 413 when too large, 400 when not JSON at all,
/// 422 naming the field when the JSON does not fit (unknown field, wrong type, missing).
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|ct| {
                let mime = ct
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                mime == "application/json"
                    || (mime.starts_with("application/") && mime.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| match e {
            BytesRejection::FailedToBufferBody(_) => ApiError::PayloadTooLarge(MAX_BODY_BYTES),
            other => ApiError::BadRequest(other.body_text()),
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Parses JSON, naming the offending field as the API names it (`complainant.phone`).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let value = match result {
        Ok(v) => v,
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            return Err(match inner.classify() {
                serde_json::error::Category::Data => json_data_error(&path, &inner),
                _ => ApiError::BadRequest(format!("the body is not valid JSON: {inner}")),
            });
        }
    };
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
    Ok(value)
}

/// Deserialises an already-parsed JSON value, naming the offending field on failure.
pub fn from_value<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        json_data_error(&path, &e.into_inner())
    })
}

fn json_data_error(path: &str, err: &serde_json::Error) -> ApiError {
    ApiError::Invalid(vec![kesu_app::json_field_error(path, err)])
}

/// The signed-in user, from `Authorization: Bearer <token>` (found by the gatekeeper, which
/// leaves it in the request).
#[derive(Clone)]
pub struct Caller(pub User);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The gatekeeper signed the caller in for every route whose gate asks for staff.
        parts.extensions.remove::<Caller>().ok_or_else(|| {
            ApiError::Unauthorized(
                "sign in first: POST /api/v1/auth/token, then send Authorization: Bearer <token>"
                    .into(),
            )
        })
    }
}

/// The bearer token of a request, if it carries one.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        inner: Inner,
    }

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        n: u32,
    }

    fn field(r: Result<Outer, ApiError>) -> String {
        match r {
            Err(ApiError::Invalid(f)) => f[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_problems_name_their_field() {
        assert_eq!(field(parse_json(br#"{"inner": {}}"#)), "inner.n");
        assert_eq!(
            field(parse_json(br#"{"inner": {"n": 1, "m": 2}}"#)),
            "inner.m"
        );
        assert_eq!(field(parse_json(br#"{"inner": {"n": "x"}}"#)), "inner.n");
        assert_eq!(field(parse_json(br#"{}"#)), "inner");
        assert!(matches!(
            parse_json::<Outer>(b"{"),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Outer>(br#"{"inner": {"n": 1}} x"#),
            Err(ApiError::BadRequest(_))
        ));
    }
}
