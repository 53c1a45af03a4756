//! The actions people take on a case (docs/interface.md §4), parsed from their fields.

use crate::call_plan::FollowUpWay;
use crate::error::{Ask, FieldError, Problem, Rejection};
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::case::{Referral, ResolutionOption};
use crate::codes::{DepartmentCode, Liability, ResolutionKind, RootCause};
use crate::fulfilment::{Step, StepFields};
use crate::lifecycle::ActionName;
use crate::money::Cents;
use crate::refund::RequestedLine;
use crate::role::Role;
use crate::text;

/// Most options one proposal may offer.
pub const MAX_OPTIONS: usize = 10;
/// An amount above this (¥1,000,000) is a typing error, not a settlement.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000;

/// A parsed action, ready for [`crate::decide`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Judge {
        valid: bool,
        reason: Option<String>,
    },
    Route {
        department: DepartmentCode,
    },
    Analyse {
        liability: Liability,
        root_cause: RootCause,
        findings: String,
    },
    Propose {
        options: Vec<ResolutionOption>,
    },
    Choose {
        option: usize,
    },
    Approve {
        comment: Option<String>,
    },
    Reject {
        comment: String,
    },
    Execute {
        note: String,
    },
    FollowUp {
        satisfied: bool,
        rating: Option<u8>,
        comment: Option<String>,
        /// How the answer was got (a phone call, a message, the status page).
        way: Option<FollowUpWay>,
    },
    Close {
        summary: String,
        lessons: Option<String>,
    },
    /// The actor takes the unowned case.
    Take,
    /// `user_role` is filled in by the caller after looking the user up; `None` means
    /// no such active user.
    Assign {
        user: String,
        /// The user's role, filled in from the accounts (`None`: no such active user).
        user_role: Option<Role>,
        /// A department user's department, filled in likewise.
        user_department: Option<DepartmentCode>,
    },
    Comment {
        text: String,
        internal: bool,
        /// A supervisor sends a public reply the reply checker would block (recorded).
        override_check: bool,
    },
    /// A step of the chosen resolution's flow.
    Step {
        step: Step,
        fields: StepFields,
    },
    /// The case waits on the customer (photos, an answer): its clocks stop.
    WaitCustomer {
        reason: String,
    },
    /// The customer answered: the clocks run again.
    Resume {
        note: Option<String>,
    },
    /// Records or corrects how a consumer association forwarded the complaint.
    RecordReferral {
        referral: Referral,
    },
    /// Records a technical appraisal; `payer` defaults to the party found liable.
    RecordAppraisal {
        appraiser: String,
        cost_cents: i64,
        payer: Option<Liability>,
        conclusion: Option<String>,
    },
    /// Files the case under another category.
    Recategorise {
        category: crate::codes::Category,
        reason: Option<String>,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecategoriseFields {
    category: crate::codes::Category,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WaitFields {
    reason: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AppraisalFields {
    appraiser: String,
    cost_cents: i64,
    #[serde(default)]
    payer: Option<Liability>,
    #[serde(default)]
    conclusion: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JudgeFields {
    valid: bool,
    #[serde(default)]
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFields {
    department: DepartmentCode,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AnalyseFields {
    liability: Liability,
    root_cause: RootCause,
    findings: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProposeFields {
    options: Vec<OptionFields>,
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct OptionFields {
    kind: ResolutionKind,
    #[serde(default)]
    amount_cents: Option<i64>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    lines: Vec<RequestedLine>,
    #[serde(default)]
    include_shipping: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ChooseFields {
    option: usize,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentOnly {
    #[serde(default)]
    comment: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteFields {
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FollowUpFields {
    satisfied: bool,
    #[serde(default)]
    rating: Option<u8>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    way: Option<FollowUpWay>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseFields {
    #[serde(default)]
    summary: Option<String>,
    #[serde(default)]
    lessons: Option<String>,
}

/// An action without fields: anything sent with it is a mistake worth naming.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoFields {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssignFields {
    user: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommentFields {
    text: String,
    #[serde(default)]
    internal: bool,
    #[serde(default)]
    override_check: bool,
}

/// Deserialises `fields`, naming the offending field on failure (`options[1].kind`).
fn fields<T: DeserializeOwned>(value: serde_json::Value) -> Result<T, Rejection> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let field = if path == "." { String::new() } else { path };
        Rejection::from(FieldError::explained(
            &field,
            Problem::Format,
            e.into_inner().to_string(),
        ))
    })
}

impl Command {
    /// Parses an action's fields (the request body without `action` and `version`).
    pub fn parse(action: ActionName, value: serde_json::Value) -> Result<Command, Rejection> {
        let cmd = match action {
            ActionName::Judge => {
                let f: JudgeFields = fields(value)?;
                let reason = text::optional("reason", f.reason.as_deref())?;
                if !f.valid && reason.is_none() {
                    return Err(Rejection::invalid(
                        "reason",
                        Problem::Explain(Ask::WhyInvalid),
                    ));
                }
                Command::Judge {
                    valid: f.valid,
                    reason,
                }
            }
            ActionName::Route => {
                let f: RouteFields = fields(value)?;
                Command::Route {
                    department: f.department,
                }
            }
            ActionName::Analyse => {
                let f: AnalyseFields = fields(value)?;
                Command::Analyse {
                    liability: f.liability,
                    root_cause: f.root_cause,
                    findings: text::required("findings", &f.findings)?,
                }
            }
            ActionName::Propose => {
                let f: ProposeFields = fields(value)?;
                Command::Propose {
                    options: parse_options(f.options)?,
                }
            }
            ActionName::Choose => {
                let f: ChooseFields = fields(value)?;
                Command::Choose { option: f.option }
            }
            ActionName::Approve => {
                let f: CommentOnly = fields(value)?;
                Command::Approve {
                    comment: text::optional("comment", f.comment.as_deref())?,
                }
            }
            ActionName::Reject => {
                let f: CommentOnly = fields(value)?;
                Command::Reject {
                    comment: text::required("comment", f.comment.as_deref().unwrap_or(""))
                        .map_err(|_| {
                            FieldError::new("comment", Problem::Explain(Ask::WhyRejected))
                        })?,
                }
            }
            ActionName::Execute => {
                let f: NoteFields = fields(value)?;
                Command::Execute {
                    note: text::required("note", f.note.as_deref().unwrap_or(""))
                        .map_err(|_| FieldError::new("note", Problem::Explain(Ask::WhatWasDone)))?,
                }
            }
            ActionName::FollowUp => {
                let f: FollowUpFields = fields(value)?;
                if let Some(r) = f.rating {
                    if !(1..=5).contains(&r) {
                        return Err(Rejection::invalid(
                            "rating",
                            Problem::Range { min: 1, max: 5 },
                        ));
                    }
                }
                Command::FollowUp {
                    satisfied: f.satisfied,
                    rating: f.rating,
                    comment: text::optional("comment", f.comment.as_deref())?,
                    way: f.way,
                }
            }
            ActionName::Close => {
                let f: CloseFields = fields(value)?;
                Command::Close {
                    summary: text::required("summary", f.summary.as_deref().unwrap_or(""))
                        .map_err(|_| FieldError::new("summary", Problem::Explain(Ask::Summary)))?,
                    lessons: text::optional("lessons", f.lessons.as_deref())?,
                }
            }
            ActionName::Take => {
                let NoFields {} = fields(value)?;
                Command::Take
            }
            ActionName::Assign => {
                let f: AssignFields = fields(value)?;
                Command::Assign {
                    user: text::required("user", &f.user)?,
                    user_role: None,
                    user_department: None,
                }
            }
            ActionName::Comment => {
                let f: CommentFields = fields(value)?;
                Command::Comment {
                    text: text::required("text", &f.text)?,
                    internal: f.internal,
                    override_check: f.override_check,
                }
            }
            ActionName::Step(step) => Command::Step {
                step,
                fields: fields(value)?,
            },
            ActionName::WaitCustomer => {
                let f: WaitFields = fields(value)?;
                Command::WaitCustomer {
                    reason: text::required("reason", &f.reason).map_err(|_| {
                        FieldError::new("reason", Problem::Explain(Ask::WhatTheCustomerIsAsked))
                    })?,
                }
            }
            ActionName::Resume => {
                let f: NoteFields = fields(value)?;
                Command::Resume {
                    note: text::optional("note", f.note.as_deref())?,
                }
            }
            ActionName::RecordReferral => {
                let f: crate::registration::ReferralForm = fields(value)?;
                // The filing date is checked against the clock in `decide`.
                let referral = f
                    .parse("", chrono::DateTime::<chrono::Utc>::MAX_UTC)
                    .map_err(Rejection::Invalid)?;
                Command::RecordReferral { referral }
            }
            ActionName::RecordAppraisal => {
                let f: AppraisalFields = fields(value)?;
                if !(0..=MAX_AMOUNT_CENTS).contains(&f.cost_cents) {
                    return Err(Rejection::Invalid(vec![FieldError::explained(
                        "cost_cents",
                        Problem::Range {
                            min: 0,
                            max: 100_000_000,
                        },
                        "must be an amount in cents from 0 to 100000000",
                    )]));
                }
                Command::RecordAppraisal {
                    appraiser: text::required("appraiser", &f.appraiser)?,
                    cost_cents: f.cost_cents,
                    payer: f.payer,
                    conclusion: text::optional("conclusion", f.conclusion.as_deref())?,
                }
            }
            ActionName::Recategorise => {
                let f: RecategoriseFields = fields(value)?;
                Command::Recategorise {
                    category: f.category,
                    reason: text::optional("reason", f.reason.as_deref())?,
                }
            }
        };
        Ok(cmd)
    }

    pub fn action(&self) -> ActionName {
        match self {
            Command::Judge { .. } => ActionName::Judge,
            Command::Route { .. } => ActionName::Route,
            Command::Analyse { .. } => ActionName::Analyse,
            Command::Propose { .. } => ActionName::Propose,
            Command::Choose { .. } => ActionName::Choose,
            Command::Approve { .. } => ActionName::Approve,
            Command::Reject { .. } => ActionName::Reject,
            Command::Execute { .. } => ActionName::Execute,
            Command::FollowUp { .. } => ActionName::FollowUp,
            Command::Close { .. } => ActionName::Close,
            Command::Take => ActionName::Take,
            Command::Assign { .. } => ActionName::Assign,
            Command::Comment { .. } => ActionName::Comment,
            Command::Step { step, .. } => ActionName::Step(*step),
            Command::WaitCustomer { .. } => ActionName::WaitCustomer,
            Command::Resume { .. } => ActionName::Resume,
            Command::RecordReferral { .. } => ActionName::RecordReferral,
            Command::RecordAppraisal { .. } => ActionName::RecordAppraisal,
            Command::Recategorise { .. } => ActionName::Recategorise,
        }
    }
}

fn parse_options(raw: Vec<OptionFields>) -> Result<Vec<ResolutionOption>, Rejection> {
    if raw.is_empty() {
        return Err(Rejection::invalid(
            "options",
            Problem::Explain(Ask::AnOption),
        ));
    }
    if raw.len() > MAX_OPTIONS {
        return Err(Rejection::invalid(
            "options",
            Problem::TooMany {
                max: MAX_OPTIONS as i64,
            },
        ));
    }
    let mut errors = Vec::new();
    let mut options = Vec::new();
    for (i, o) in raw.into_iter().enumerate() {
        let field = format!("options[{i}].amount_cents");
        match o.amount_cents {
            Some(a) if a < 0 => errors.push(FieldError::new(&field, Problem::Negative)),
            Some(a) if a > MAX_AMOUNT_CENTS => errors.push(FieldError::explained(
                &field,
                Problem::Range {
                    min: 0,
                    max: MAX_AMOUNT_CENTS,
                },
                "is larger than ¥1,000,000: check the amount (it is in cents)",
            )),
            Some(0) if o.kind.requires_amount() => errors.push(FieldError::explained(
                &field,
                Problem::AtLeast { min: 1 },
                "must be more than 0",
            )),
            None if o.kind.requires_amount() => errors.push(FieldError::explained(
                &field,
                Problem::Explain(Ask::Amount),
                format!("a `{}` option must state its amount", o.kind),
            )),
            _ => {}
        }
        match text::optional(&format!("options[{i}].note"), o.note.as_deref()) {
            Ok(note) => options.push(ResolutionOption {
                kind: o.kind,
                amount_cents: o.amount_cents.map(Cents::new),
                note,
                lines: o.lines,
                include_shipping: o.include_shipping,
                goodwill: Vec::new(),
            }),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(options)
    } else {
        Err(Rejection::Invalid(errors))
    }
}

#[cfg(test)]
#[path = "command_tests.rs"]
mod tests;
