//! The web layer's one error type, rendered as RFC 9457 `application/problem+json`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use kesu_domain::{FieldError, Rejection};
use kesu_store::StoreError;
use serde::Serialize;

#[derive(Debug)]
pub enum ApiError {
    /// 400: the body is not JSON, or a header is malformed.
    BadRequest(String),
    /// 401: no valid bearer token.
    Unauthorized(String),
    /// 403: the caller's role may not do this.
    Forbidden(String),
    /// 404: no such resource (or not visible to the caller).
    NotFound(String),
    /// 405: the path exists but not with this method.
    MethodNotAllowed,
    /// 409: stale version, action not allowed now, or a duplicate.
    Conflict {
        /// `stale_version`, `not_allowed_now`, `duplicate` or `conflict`.
        code: &'static str,
        detail: String,
        allowed_actions: Option<Vec<&'static str>>,
        current_version: Option<i64>,
    },
    /// 413: the body is larger than the limit.
    PayloadTooLarge(usize),
    /// 415: the body is not declared as JSON.
    UnsupportedMediaType,
    /// 413: an uploaded file, or the number of files, over its limit (the detail names it).
    FileTooLarge(String),
    /// 415: a file whose bytes are of a kind kesu does not take (the detail says which).
    FileRefused(String),
    /// 429: too many attempts (sign-in); try again after `retry_after_secs`.
    TooManyRequests {
        detail: String,
        retry_after_secs: u64,
    },
    /// 422: values that cannot be accepted, each naming its field.
    Invalid(Vec<FieldError>),
    /// 500: logged with its cause; the client learns nothing internal.
    Internal(String),
    /// 503: not ready yet (e.g. the reports still loading at start); try again shortly.
    Unavailable(String),
    /// 507: the disk holding the database is full; nothing was stored.
    StorageFull,
}

/// What a caller hears while the disk is full (also `/healthz`).
pub const DISK_FULL: &str =
    "the server's disk is full: nothing was stored; try again once space has been freed";

impl ApiError {
    pub fn conflict(detail: impl Into<String>) -> ApiError {
        ApiError::Conflict {
            code: "conflict",
            detail: detail.into(),
            allowed_actions: None,
            current_version: None,
        }
    }

    pub fn invalid(field: &str, problem: kesu_domain::Problem) -> ApiError {
        ApiError::Invalid(vec![FieldError::new(field, problem)])
    }

    /// `field` has `problem`, with a more specific English message.
    pub fn explained(
        field: &str,
        problem: kesu_domain::Problem,
        message: impl Into<String>,
    ) -> ApiError {
        ApiError::Invalid(vec![FieldError::explained(field, problem, message)])
    }
}

/// The problem document (RFC 9457) with kesu's extension members.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// A stable machine code for the kind of problem (`invalid`, `not_found`,
    /// `stale_version`, `not_allowed_now`, `disk_full` …); the words may change, the code not.
    pub code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<&'static str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_version: Option<i64>,
    /// For a failure on our side: the request's id, to quote when reporting it (the log line
    /// with the cause carries the same id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ProblemField {
    pub field: String,
    pub message: String,
    /// What is wrong, as a stable code (`empty`, `too_long`, `not_a_phone` …).
    pub code: &'static str,
    /// The code's arguments by name (e.g. `{"max": 2000}` for `too_long`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub args: Option<serde_json::Value>,
}

impl ApiError {
    /// The problem's stable code (the `code` member of the problem document).
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not_found",
            ApiError::MethodNotAllowed => "method_not_allowed",
            ApiError::Conflict { code, .. } => code,
            ApiError::PayloadTooLarge(_) => "too_large",
            ApiError::UnsupportedMediaType | ApiError::FileRefused(_) => "unsupported_media_type",
            ApiError::FileTooLarge(_) => "too_large",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            ApiError::Invalid(_) => "invalid",
            ApiError::Internal(_) => "internal",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::StorageFull => "disk_full",
        }
    }

    /// The problem document and its status; also what command-line tools print.
    pub fn into_problem(self) -> (StatusCode, Problem) {
        let code = self.code();
        let (status, detail, errors, allowed_actions, current_version) = match self {
            ApiError::BadRequest(d) => (StatusCode::BAD_REQUEST, d, None, None, None),
            ApiError::Unauthorized(d) => (StatusCode::UNAUTHORIZED, d, None, None, None),
            ApiError::Forbidden(d) => (StatusCode::FORBIDDEN, d, None, None, None),
            ApiError::NotFound(d) => (StatusCode::NOT_FOUND, d, None, None, None),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "this path does not accept that method; see /api/v1/openapi.json".into(),
                None,
                None,
                None,
            ),
            ApiError::Conflict {
                detail,
                allowed_actions,
                current_version,
                ..
            } => (
                StatusCode::CONFLICT,
                detail,
                None,
                allowed_actions,
                current_version,
            ),
            ApiError::PayloadTooLarge(limit) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("the body is larger than {limit} bytes"),
                None,
                None,
                None,
            ),
            ApiError::FileTooLarge(d) => (StatusCode::PAYLOAD_TOO_LARGE, d, None, None, None),
            ApiError::FileRefused(d) => (StatusCode::UNSUPPORTED_MEDIA_TYPE, d, None, None, None),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "send the body as JSON with the header Content-Type: application/json".into(),
                None,
                None,
                None,
            ),
            ApiError::Invalid(fields) => {
                let detail = fields
                    .iter()
                    .map(|f| {
                        if f.field.is_empty() {
                            f.message.clone()
                        } else {
                            format!("{} {}", f.field, f.message)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("; ");
                let errors = fields
                    .into_iter()
                    .map(|f| {
                        let args = f.problem.args();
                        ProblemField {
                            code: f.code(),
                            args: (!args.is_empty()).then(|| {
                                serde_json::to_value(kesu_domain::error::ArgMap(&args))
                                    .unwrap_or_default()
                            }),
                            field: f.field,
                            message: f.message,
                        }
                    })
                    .collect();
                (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    detail,
                    Some(errors),
                    None,
                    None,
                )
            }
            ApiError::Unavailable(d) => (StatusCode::SERVICE_UNAVAILABLE, d, None, None, None),
            ApiError::TooManyRequests { detail, .. } => {
                (StatusCode::TOO_MANY_REQUESTS, detail, None, None, None)
            }
            ApiError::StorageFull => (
                StatusCode::INSUFFICIENT_STORAGE,
                DISK_FULL.into(),
                None,
                None,
                None,
            ),
            ApiError::Internal(cause) => {
                tracing::error!(%cause, "internal error");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    match crate::request_id::current() {
                        Some(id) => format!(
                            "something went wrong on our side; it has been logged (request {id})"
                        ),
                        None => "something went wrong on our side; it has been logged".into(),
                    },
                    None,
                    None,
                    None,
                )
            }
        };
        let problem = Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail,
            code,
            errors,
            allowed_actions,
            current_version,
            request_id: status
                .is_server_error()
                .then(crate::request_id::current)
                .flatten(),
        };
        (status, problem)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            ApiError::TooManyRequests {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        let (status, problem) = self.into_problem();
        let mut response = (status, axum::Json(problem)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::INSUFFICIENT_STORAGE {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("10"));
        }
        if let Some(secs) = retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        if status == StatusCode::UNAUTHORIZED {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

impl From<Rejection> for ApiError {
    fn from(r: Rejection) -> Self {
        kesu_app::AppError::from(r).into()
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        ApiError::Invalid(vec![e])
    }
}

/// The store's refusals read as the application layer reads them (a conflict, a missing row,
/// invalid values); its failures as 507, 503 or a logged 500.
impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        kesu_app::AppError::from(e).into()
    }
}

fn storage_failure(e: StoreError) -> ApiError {
    match e {
        StoreError::StorageFull(cause) => {
            tracing::error!(%cause, "a write was refused: the disk is full");
            ApiError::StorageFull
        }
        StoreError::Unavailable(cause) => {
            tracing::error!(%cause, "the database is unavailable");
            ApiError::Unavailable(
                "the database is unavailable right now: nothing was stored; try again shortly"
                    .into(),
            )
        }
        other => ApiError::Internal(other.to_string()),
    }
}

impl From<kesu_app::AppError> for ApiError {
    fn from(e: kesu_app::AppError) -> Self {
        use kesu_app::AppError as A;
        match e {
            A::Invalid(fields) => ApiError::Invalid(fields),
            A::Forbidden(d) => ApiError::Forbidden(d),
            A::NotFound(d) => ApiError::NotFound(d),
            A::Conflict {
                code,
                detail,
                allowed_actions,
                current_version,
            } => ApiError::Conflict {
                code,
                detail,
                allowed_actions,
                current_version,
            },
            A::Store(e) => storage_failure(e),
            A::Unavailable(d) => ApiError::Unavailable(d),
            A::TooLarge(d) => ApiError::FileTooLarge(d),
            A::UnsupportedType(d) => ApiError::FileRefused(d),
            A::Malformed(d) => ApiError::BadRequest(d),
            A::Unauthenticated(d) => ApiError::Unauthorized(d),
            A::Internal(cause) => ApiError::Internal(cause),
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
