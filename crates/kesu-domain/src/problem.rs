//! What is wrong with a value, as a stable machine code and its arguments. The API sends the
//! code beside the English text; the pages say it in the reader's language from the locale
//! files (crate `kesu-i18n`, key `problem-<code>`), never by reading the English.

use std::fmt;

/// One argument of a problem: a number or a text (a code, a line id, a list of codes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Int(i64),
    Text(String),
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Int(n) => write!(f, "{n}"),
            Arg::Text(t) => f.write_str(t),
        }
    }
}

impl serde::Serialize for Arg {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Arg::Int(n) => s.serialize_i64(*n),
            Arg::Text(t) => s.serialize_str(t),
        }
    }
}

/// What a person is asked to write down or explain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// A complaint judged invalid: a tactful explanation for the customer.
    WhyInvalid,
    /// A rejected proposal: the reason.
    WhyRejected,
    /// An executed resolution: what was done.
    WhatWasDone,
    /// Closing: the case's summary.
    Summary,
    /// A partial acceptance of returned goods: which units.
    AcceptableUnits,
    /// A parcel's status: where it is.
    WhereTheParcelIs,
    /// Waiting for the customer: what they are asked for.
    WhatTheCustomerIsAsked,
    /// A carrier claim paid: how much.
    WhatTheCarrierPaid,
    /// An inspection failed: what was wrong with the returned goods.
    WhatWasWrong,
    /// Evidence: a file, link or record.
    Evidence,
    /// A proposal: at least one option.
    AnOption,
    /// A way to reach the customer: a phone or an e-mail address.
    Contact,
    /// An option or a claim: its amount.
    Amount,
    /// An appraisal before liability is known: who pays for it.
    AppraisalPayer,
    /// A deadline policy: at least one target.
    Target,
    /// A registration by phone: the record read back to the customer and confirmed.
    Readback,
    /// A supervisor setting a rule aside: why.
    WhyOverride,
}

impl Ask {
    pub fn code(self) -> &'static str {
        match self {
            Ask::WhyInvalid => "why_invalid",
            Ask::WhyRejected => "why_rejected",
            Ask::WhatWasDone => "what_was_done",
            Ask::Summary => "summary",
            Ask::AcceptableUnits => "acceptable_units",
            Ask::WhereTheParcelIs => "where_the_parcel_is",
            Ask::WhatTheCustomerIsAsked => "what_the_customer_is_asked",
            Ask::WhatTheCarrierPaid => "what_the_carrier_paid",
            Ask::WhatWasWrong => "what_was_wrong",
            Ask::Evidence => "evidence",
            Ask::AnOption => "an_option",
            Ask::Contact => "contact",
            Ask::Amount => "amount",
            Ask::AppraisalPayer => "appraisal_payer",
            Ask::Target => "target",
            Ask::Readback => "readback",
            Ask::WhyOverride => "why_override",
        }
    }

    fn english(self) -> &'static str {
        match self {
            Ask::WhyInvalid => "explain to the customer why the complaint does not stand",
            Ask::WhyRejected => "say why the proposal is rejected",
            Ask::WhatWasDone => "record what was done",
            Ask::Summary => "summarise the case before closing it",
            Ask::AcceptableUnits => "say which units are acceptable",
            Ask::WhereTheParcelIs => "say where the parcel is (e.g. in_transit, delivered)",
            Ask::WhatTheCustomerIsAsked => "say what the customer is asked for",
            Ask::WhatTheCarrierPaid => "say how much the carrier paid",
            Ask::WhatWasWrong => "record what was wrong with the returned goods",
            Ask::Evidence => "name the file, link or record (1–500 characters)",
            Ask::AnOption => "offer at least one option",
            Ask::Contact => "give a phone number or an e-mail address",
            Ask::Amount => "must state its amount",
            Ask::AppraisalPayer => {
                "no liability has been found yet: say which party pays for the appraisal"
            }
            Ask::Target => {
                "name at least one target: first_response_minutes, step_hours or resolve_hours"
            }
            Ask::Readback => {
                "read the record back to the customer and confirm it is complete and accurate"
            }
            Ask::WhyOverride => "say why the rule is set aside here",
        }
    }
}

/// The kind of thing a value failed to name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thing {
    Line,
    Department,
    User,
    Case,
    Field,
    Category,
    /// A file attached to the case.
    Attachment,
}

impl Thing {
    pub fn code(self) -> &'static str {
        match self {
            Thing::Line => "line",
            Thing::Department => "department",
            Thing::User => "user",
            Thing::Case => "case",
            Thing::Field => "field",
            Thing::Category => "category",
            Thing::Attachment => "attachment",
        }
    }
}

/// What is wrong with one value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Blank where a value is needed.
    Empty,
    /// Missing altogether.
    Required,
    TooLong {
        max: i64,
    },
    /// A text's length outside `min..=max` characters.
    Length {
        min: i64,
        max: i64,
    },
    /// A number outside `min..=max`.
    Range {
        min: i64,
        max: i64,
    },
    Negative,
    AtLeast {
        min: i64,
    },
    TooMany {
        max: i64,
    },
    NotAPhone,
    NotAnEmail,
    ControlCharacter,
    /// A time that lies in the future.
    InFuture,
    /// A time that should lie in the future but does not.
    NotInFuture,
    /// A time too far back.
    TooOld {
        years: i64,
    },
    /// Not a date (2026-12-01) or a time (2026-12-01 14:30) as forms take them.
    NotADate,
    /// Characters other than letters, digits, `-` and `_`.
    Characters,
    /// Not in the expected form (the English message says which).
    Format,
    /// Not one of the codes allowed.
    NotOneOf {
        allowed: String,
    },
    /// Names something that does not exist.
    Unknown {
        thing: Thing,
        value: String,
    },
    /// A reply script names a variable kesu does not fill (`known` lists those it does).
    UnknownVariable {
        name: String,
        known: String,
    },
    /// Named twice.
    Twice {
        value: String,
    },
    /// Must not come before another value (`other` is that value's field).
    Before {
        other: String,
    },
    /// Given where it does not belong (the English message says why).
    NotApplicable,
    /// Something a person must write down.
    Explain(Ask),
    /// More than is left to refund.
    OverRefundable {
        left_cents: i64,
    },
    /// Nothing is left to refund.
    NothingLeft,
    /// An amount that differs from the refund quote for the same units.
    QuoteMismatch {
        quote_cents: i64,
    },
    /// A line already shipped, for a flow that needs it unshipped.
    AlreadyShipped {
        line: String,
    },
    /// The refund waits for goods still on their way (`why` names the parcel).
    GoodsNotBack {
        why: String,
    },
    /// Already refunded (the order's shipping).
    AlreadyRefunded,
    /// The order's own figures do not add up.
    OrderInconsistent,
    /// The case has no order in kesu, so the amount must be given.
    NoOrder,
    /// No resolution has been chosen yet.
    NoChoice,
    /// The reply checker blocks the reply; `findings` are in Chinese already.
    ReplyBlocked {
        findings: String,
    },
    /// Anything else; the English message says what.
    Invalid,
}

impl Problem {
    /// The stable code, as sent by the API and keyed in the locale files.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Empty => "empty",
            Problem::Required => "required",
            Problem::TooLong { .. } => "too_long",
            Problem::Length { .. } => "length",
            Problem::Range { .. } => "range",
            Problem::Negative => "negative",
            Problem::AtLeast { .. } => "at_least",
            Problem::TooMany { .. } => "too_many",
            Problem::NotAPhone => "not_a_phone",
            Problem::NotAnEmail => "not_an_email",
            Problem::ControlCharacter => "control_character",
            Problem::InFuture => "in_future",
            Problem::NotInFuture => "not_in_future",
            Problem::TooOld { .. } => "too_old",
            Problem::NotADate => "not_a_date",
            Problem::Characters => "characters",
            Problem::Format => "format",
            Problem::NotOneOf { .. } => "not_one_of",
            Problem::Unknown { .. } => "unknown",
            Problem::UnknownVariable { .. } => "unknown_variable",
            Problem::Twice { .. } => "twice",
            Problem::Before { .. } => "before",
            Problem::NotApplicable => "not_applicable",
            Problem::Explain(_) => "explain",
            Problem::OverRefundable { .. } => "over_refundable",
            Problem::NothingLeft => "nothing_left",
            Problem::QuoteMismatch { .. } => "quote_mismatch",
            Problem::AlreadyShipped { .. } => "already_shipped",
            Problem::GoodsNotBack { .. } => "goods_not_back",
            Problem::AlreadyRefunded => "already_refunded",
            Problem::OrderInconsistent => "order_inconsistent",
            Problem::NoOrder => "no_order",
            Problem::NoChoice => "no_choice",
            Problem::ReplyBlocked { .. } => "reply_blocked",
            Problem::Invalid => "invalid",
        }
    }

    /// The arguments the message needs, by name.
    pub fn args(&self) -> Vec<(&'static str, Arg)> {
        let int = |n: &i64| Arg::Int(*n);
        let text = |t: &str| Arg::Text(t.to_owned());
        match self {
            Problem::TooLong { max } | Problem::TooMany { max } => vec![("max", int(max))],
            Problem::Length { min, max } | Problem::Range { min, max } => {
                vec![("min", int(min)), ("max", int(max))]
            }
            Problem::AtLeast { min } => vec![("min", int(min))],
            Problem::TooOld { years } => vec![("years", int(years))],
            Problem::NotOneOf { allowed } => vec![("allowed", text(allowed))],
            Problem::Unknown { thing, value } => {
                vec![("thing", text(thing.code())), ("value", text(value))]
            }
            Problem::UnknownVariable { name, known } => {
                vec![("name", text(name)), ("known", text(known))]
            }
            Problem::Twice { value } => vec![("value", text(value))],
            Problem::Before { other } => vec![("other", text(other))],
            Problem::Explain(ask) => vec![("what", text(ask.code()))],
            Problem::OverRefundable { left_cents } => vec![("left_cents", int(left_cents))],
            Problem::QuoteMismatch { quote_cents } => vec![("quote_cents", int(quote_cents))],
            Problem::AlreadyShipped { line } => vec![("line", text(line))],
            Problem::GoodsNotBack { why } => vec![("why", text(why))],
            Problem::ReplyBlocked { findings } => vec![("findings", text(findings))],
            _ => Vec::new(),
        }
    }

    /// The English message when the caller gives no more specific one.
    pub fn english(&self) -> String {
        match self {
            Problem::Empty => "must not be empty".into(),
            Problem::Required => "is required".into(),
            Problem::TooLong { max } => format!("is too long: at most {max} characters"),
            Problem::Length { min, max } => format!("must be {min}–{max} characters long"),
            Problem::Range { min, max } => format!("must be from {min} to {max}"),
            Problem::Negative => "must not be negative".into(),
            Problem::AtLeast { min } => format!("must be at least {min}"),
            Problem::TooMany { max } => format!("at most {max}"),
            Problem::NotAPhone => "is not a phone number: give an 11-digit mobile (13812345678) or a landline with area code (0571-88886666)".into(),
            Problem::NotAnEmail => "is not an e-mail address (name@example.com)".into(),
            Problem::ControlCharacter => crate::text::CONTROL_CHARACTER.into(),
            Problem::InFuture => "lies in the future".into(),
            Problem::NotInFuture => "must lie in the future".into(),
            Problem::TooOld { years } => format!("lies more than {years} years back"),
            Problem::NotADate => "write the date as 2026-12-01 (or 2026-12-01 14:30)".into(),
            Problem::Characters => "may contain only letters, digits, - and _".into(),
            Problem::Format => "is not in the expected form".into(),
            Problem::NotOneOf { allowed } => format!("use one of {allowed}"),
            Problem::Unknown { thing, value } => format!("there is no {} `{value}`", thing.code()),
            Problem::UnknownVariable { name, known } => {
                format!("unknown variable {{{name}}}; known: {known}")
            }
            Problem::Twice { value } => format!("`{value}` appears twice"),
            Problem::Before { other } => format!("must not be before `{other}`"),
            Problem::NotApplicable => "does not apply here".into(),
            Problem::Explain(ask) => ask.english().into(),
            Problem::OverRefundable { left_cents } => {
                format!("only {left_cents} cents are left to refund on this order")
            }
            Problem::NothingLeft => "nothing is left to refund on this order".into(),
            Problem::QuoteMismatch { quote_cents } => format!(
                "the refund of these units comes to {quote_cents} cents (quote); for another amount offer a partial_refund"
            ),
            Problem::AlreadyShipped { line } => format!(
                "line `{line}` has already shipped: follow the parcel instead (refund after shipping)"
            ),
            Problem::GoodsNotBack { why } => format!("the goods are not back yet: {why}"),
            Problem::AlreadyRefunded => "has already been refunded".into(),
            Problem::OrderInconsistent => {
                "the order's refunds do not add up; fix the order first".into()
            }
            Problem::NoOrder => "the case has no order in kesu: state the amount".into(),
            Problem::NoChoice => "no resolution has been chosen".into(),
            Problem::ReplyBlocked { findings } => format!(
                "the reply checker blocks this reply (a supervisor may override): {findings}"
            ),
            Problem::Invalid => "is not valid".into(),
        }
    }
}
