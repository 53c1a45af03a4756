//! Why the domain refuses something. The web layer maps each variant to an HTTP status;
//! each carries a stable code (and arguments) besides its English text.

use serde::ser::SerializeMap;
use serde::Serialize;

use crate::case::CaseStatus;
use crate::lifecycle::ActionName;
pub use crate::problem::{Arg, Ask, Problem, Thing};

/// One invalid field, named the way the API names it (e.g. `complainant.phone`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    /// What is wrong, as a code with its arguments.
    pub problem: Problem,
    /// The same in English, sometimes with a hint more specific than the code's.
    pub message: String,
}

impl FieldError {
    /// `field` has `problem`, worded the problem's way.
    pub fn new(field: &str, problem: Problem) -> FieldError {
        let message = problem.english();
        FieldError::explained(field, problem, message)
    }

    /// `field` has `problem`, with a more specific English message.
    pub fn explained(field: &str, problem: Problem, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            problem,
            message: message.into(),
        }
    }

    pub fn code(&self) -> &'static str {
        self.problem.code()
    }
}

/// `{"field", "message", "code", "args"}`: the API's problem body lists these.
impl Serialize for FieldError {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let args = self.problem.args();
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("field", &self.field)?;
        map.serialize_entry("message", &self.message)?;
        map.serialize_entry("code", self.code())?;
        if !args.is_empty() {
            map.serialize_entry("args", &ArgMap(&args))?;
        }
        map.end()
    }
}

/// A problem's arguments as a JSON object.
pub struct ArgMap<'a>(pub &'a [(&'static str, Arg)]);

impl Serialize for ArgMap<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
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
    #[error(
        "`{action}` is not allowed while the case is {status}; allowed now: {}",
        ActionName::join(allowed)
    )]
    NotAllowedNow {
        action: &'static str,
        status: CaseStatus,
        allowed: Vec<ActionName>,
    },
    /// The caller acted on an older version of the case (HTTP 409).
    #[error("the case has changed since version {expected}: it is now at version {actual}; reload it and try again")]
    StaleVersion { expected: i64, actual: i64 },
}

impl Rejection {
    pub fn invalid(field: &str, problem: Problem) -> Rejection {
        Rejection::Invalid(vec![FieldError::new(field, problem)])
    }

    /// The stable code: `invalid`, `forbidden`, `not_allowed_now` or `stale_version`.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::Invalid(_) => "invalid",
            Rejection::Forbidden { .. } => "forbidden",
            Rejection::NotAllowedNow { .. } => "not_allowed_now",
            Rejection::StaleVersion { .. } => "stale_version",
        }
    }

    /// The arguments of the code's message.
    pub fn args(&self) -> Vec<(&'static str, Arg)> {
        match self {
            Rejection::Invalid(_) => Vec::new(),
            Rejection::Forbidden { action, .. } => vec![("action", Arg::Text((*action).into()))],
            Rejection::NotAllowedNow {
                action,
                status,
                allowed,
            } => vec![
                ("action", Arg::Text((*action).into())),
                ("status", Arg::Text(status.code().into())),
                ("allowed", Arg::Text(ActionName::join(allowed))),
            ],
            Rejection::StaleVersion { expected, actual } => vec![
                ("expected", Arg::Int(*expected)),
                ("actual", Arg::Int(*actual)),
            ],
        }
    }
}

impl From<FieldError> for Rejection {
    fn from(e: FieldError) -> Self {
        Rejection::Invalid(vec![e])
    }
}
