//! Why the domain refuses something. The web layer maps each variant to an HTTP status.

use serde::Serialize;

use crate::case::CaseStatus;

/// One invalid field, named the way the API names it (e.g. `complainant.phone`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Keeps a parsed value, or records its error and yields `None`: for reporting every
/// invalid field of a form at once.
pub(crate) fn keep<T>(errors: &mut Vec<FieldError>, r: Result<T, FieldError>) -> Option<T> {
    r.map_err(|e| errors.push(e)).ok()
}

/// A refused command. Each says why, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    /// Values that can never be accepted (HTTP 422).
    #[error("invalid values")]
    Invalid(Vec<FieldError>),
    /// The actor's role may not perform this action (HTTP 403).
    #[error("{actor} may not {action}{}", reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default())]
    Forbidden {
        action: &'static str,
        actor: String,
        reason: Option<String>,
    },
    /// The action does not fit the case's current status (HTTP 409).
    #[error("`{action}` is not allowed while the case is {status}; allowed now: {}", allowed.join(", "))]
    NotAllowedNow {
        action: &'static str,
        status: CaseStatus,
        allowed: Vec<&'static str>,
    },
    /// The caller acted on an older version of the case (HTTP 409).
    #[error("the case has changed since version {expected}: it is now at version {actual}; reload it and try again")]
    StaleVersion { expected: i64, actual: i64 },
}

impl Rejection {
    pub fn invalid(field: &str, message: impl Into<String>) -> Rejection {
        Rejection::Invalid(vec![FieldError::new(field, message)])
    }
}

impl From<FieldError> for Rejection {
    fn from(e: FieldError) -> Self {
        Rejection::Invalid(vec![e])
    }
}
