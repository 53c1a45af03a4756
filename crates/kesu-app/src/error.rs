//! The application layer's one error: what a use case refuses, and why. Each way in renders
//! it its own way (problem+json, a page in the agent's language, a CLI message).

use kesu_domain::error::{Problem, Thing};
use kesu_domain::{FieldError, Rejection};
use kesu_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Values that cannot be accepted, each naming its field.
    #[error("invalid values")]
    Invalid(Vec<FieldError>),
    /// The caller may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// No such thing, or not visible to the caller.
    #[error("{0}")]
    NotFound(String),
    /// Stale version, an action not allowed now, or a duplicate.
    #[error("{detail}")]
    Conflict {
        /// `stale_version`, `not_allowed_now`, `duplicate` or `conflict`.
        code: &'static str,
        detail: String,
        allowed_actions: Option<Vec<&'static str>>,
        current_version: Option<i64>,
    },
    /// The storage failed (a full disk, an unavailable database, anything else): nothing
    /// was stored. Callers log the cause and never show its text.
    #[error(transparent)]
    Store(StoreError),
    /// An upload over a limit (a file's size, the number of files); the detail names it.
    #[error("{0}")]
    TooLarge(String),
    /// A file of a kind kesu does not take (markup, scripts, archives…); the detail says
    /// what its bytes are.
    #[error("{0}")]
    UnsupportedType(String),
    /// Not ready yet (the reports just after a start): try again shortly.
    #[error("{0}")]
    Unavailable(String),
    /// What was sent is not JSON (or not the JSON an endpoint takes at all).
    #[error("{0}")]
    Malformed(String),
    /// The sender could not be recognised (a missing or wrong signature).
    #[error("{0}")]
    Unauthenticated(String),
    /// A broken invariant; logged, never shown.
    #[error("{0}")]
    Internal(String),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn invalid(field: &str, problem: Problem) -> AppError {
        AppError::Invalid(vec![FieldError::new(field, problem)])
    }

    /// `field` has `problem`, with a more specific English message.
    pub fn explained(field: &str, problem: Problem, message: impl Into<String>) -> AppError {
        AppError::Invalid(vec![FieldError::explained(field, problem, message)])
    }

    pub fn conflict(detail: impl Into<String>) -> AppError {
        AppError::Conflict {
            code: "conflict",
            detail: detail.into(),
            allowed_actions: None,
            current_version: None,
        }
    }
}

impl From<Rejection> for AppError {
    fn from(r: Rejection) -> Self {
        let detail = r.to_string();
        match r {
            Rejection::Invalid(fields) => AppError::Invalid(fields),
            Rejection::Forbidden { .. } => AppError::Forbidden(detail),
            Rejection::NotAllowedNow { allowed, .. } => AppError::Conflict {
                code: "not_allowed_now",
                detail,
                allowed_actions: Some(allowed.iter().map(|a| a.code()).collect()),
                current_version: None,
            },
            Rejection::StaleVersion { actual, .. } => AppError::Conflict {
                code: "stale_version",
                detail,
                allowed_actions: None,
                current_version: Some(actual),
            },
        }
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        AppError::Invalid(vec![e])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::StaleVersion => AppError::Conflict {
                code: "stale_version",
                detail: e.to_string(),
                allowed_actions: None,
                current_version: None,
            },
            StoreError::Duplicate(_) | StoreError::IdempotencyMismatch => AppError::Conflict {
                code: "duplicate",
                detail: e.to_string(),
                allowed_actions: None,
                current_version: None,
            },
            StoreError::NotFound(d) => AppError::NotFound(d),
            StoreError::Invalid(fields) => AppError::Invalid(fields),
            StoreError::Conflict(d) => AppError::conflict(d),
            other => AppError::Store(other),
        }
    }
}

/// Parses JSON into a domain form, naming the field that does not fit.
pub fn from_value<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> AppResult<T> {
    serde_path_to_error::deserialize(value)
        .map_err(|e| AppError::Invalid(vec![json_field_error(&e.path().to_string(), e.inner())]))
}

/// Turns serde's message about the value at `path` into a field name and a message a
/// person can act on.
pub fn json_field_error(path: &str, err: &serde_json::Error) -> FieldError {
    let base = if path == "." { "" } else { path };
    let msg = err.to_string();
    // serde reports a missing field at the enclosing object: name the field itself.
    // (serde_path_to_error already ends the path with an unknown field's name.)
    let named = |prefix: &str| {
        msg.strip_prefix(prefix)
            .and_then(|rest| rest.split('`').next())
            .map(|name| {
                if base.is_empty() {
                    name.to_owned()
                } else if base == name || base.ends_with(&format!(".{name}")) {
                    base.to_owned()
                } else {
                    format!("{base}.{name}")
                }
            })
    };
    let message = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
    if let Some(field) = named("missing field `") {
        return FieldError::new(&field, Problem::Required);
    }
    if let Some(field) = named("unknown field `") {
        let expected = message
            .split_once(", expected ")
            .map(|(_, e)| format!("; expected {e}"))
            .unwrap_or_default();
        let name = field.rsplit('.').next().unwrap_or(&field).to_owned();
        return FieldError::explained(
            &field,
            Problem::Unknown {
                thing: Thing::Field,
                value: name,
            },
            format!("is not a known field{expected}"),
        );
    }
    FieldError::explained(base, Problem::Format, message)
}
