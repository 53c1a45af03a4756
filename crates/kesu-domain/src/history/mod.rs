//! The case history as one typed list: every entry kesu appends (the registration, the
//! lifecycle's changes and its flows' steps, the deadline timers, the logistics monitor,
//! carrier claims) and who wrote it. Stored as an action name and its data, the shape
//! docs/interface.md §4 shows, and read back into the same types.

mod author;
mod notes;

use serde_json::{json, Value};

pub use author::{Author, SystemActor};
pub use notes::{Attached, ClaimNote, ExceptionFound, Registered, TimerFired};

use crate::case::CaseStatus;
use crate::event::Change;
use crate::fulfilment::{Step, StepData};
use crate::sla::TimerKind;

/// A move of the case's status that an entry made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Move {
    pub from: CaseStatus,
    pub to: CaseStatus,
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// The complaint was registered.
    Registered(Registered),
    /// A lifecycle action other than a flow's step (never [`Change::Step`]).
    Changed { change: Change, moved: Option<Move> },
    /// A step of the chosen resolution's flow.
    Stepped {
        step: Step,
        note: Option<String>,
        data: StepData,
        moved: Option<Move>,
    },
    /// A deadline timer fired.
    Timer { kind: TimerKind, fired: TimerFired },
    /// The logistics monitor found something wrong with the case's parcel.
    LogisticsException(ExceptionFound),
    /// A claim against the carrier was filed or moved on.
    Claim(ClaimNote),
    /// A file was attached as evidence.
    Attached(Attached),
    /// Written by another version of kesu in a shape this one does not read; kept as it is.
    Other { action: String, data: Value },
}

impl Entry {
    /// The stored action name.
    pub fn action(&self) -> &str {
        match self {
            Entry::Registered(_) => "register",
            Entry::Changed { change, .. } => change.action(),
            Entry::Stepped { step, .. } => step.code(),
            Entry::Timer { kind, .. } => kind.action(),
            Entry::LogisticsException(_) => "logistics_exception",
            Entry::Claim(_) => "claim",
            Entry::Attached(_) => "attach",
            Entry::Other { action, .. } => action,
        }
    }

    /// The stored data: the entry's fields, plus `from`/`to` when the status moved.
    pub fn data(&self) -> Value {
        let (mut data, moved) = match self {
            Entry::Registered(r) => {
                let mut data = to_value(r);
                insert(&mut data, "to", json!(CaseStatus::Registered));
                (data, None)
            }
            Entry::Changed { change, moved } => (change.data(), *moved),
            Entry::Stepped {
                note, data, moved, ..
            } => {
                let mut data = to_value(data);
                if let Some(note) = note {
                    insert(&mut data, "note", json!(note));
                }
                (data, *moved)
            }
            Entry::Timer { fired, .. } => (to_value(fired), None),
            Entry::LogisticsException(e) => (to_value(e), None),
            Entry::Claim(c) => (to_value(c), None),
            Entry::Attached(a) => (to_value(a), None),
            Entry::Other { data, .. } => (data.clone(), None),
        };
        if let Some(m) = moved {
            insert(&mut data, "from", json!(m.from));
            insert(&mut data, "to", json!(m.to));
        }
        data
    }

    /// Reads a stored entry. What does not read back exactly as it was stored stays
    /// [`Entry::Other`], so that reading never loses a field.
    pub fn read(action: &str, data: Value) -> Entry {
        match typed(action, &data) {
            Some(entry) if entry.data() == data => entry,
            _ => Entry::Other {
                action: action.to_owned(),
                data,
            },
        }
    }

    /// The move the entry made (a registration "moves" into `registered`).
    pub fn moved(&self) -> Option<Move> {
        match self {
            Entry::Registered(_) => Some(Move {
                from: CaseStatus::Registered,
                to: CaseStatus::Registered,
            }),
            Entry::Changed { moved, .. } | Entry::Stepped { moved, .. } => *moved,
            _ => None,
        }
    }

    /// The status the entry moved the case to, if it moved it.
    pub fn moved_to(&self) -> Option<CaseStatus> {
        match self {
            Entry::Registered(_) => Some(CaseStatus::Registered),
            Entry::Changed { moved, .. } | Entry::Stepped { moved, .. } => moved.map(|m| m.to),
            _ => None,
        }
    }

    /// The words a person (or the monitor) wrote with the entry: a reply, a reason, findings,
    /// a note, a summary.
    pub fn text(&self) -> Option<&str> {
        match self {
            Entry::Changed { change, .. } => change.text(),
            Entry::Stepped { note, .. } => note.as_deref(),
            Entry::LogisticsException(e) => Some(&e.text),
            Entry::Claim(ClaimNote::Moved { note, .. }) => note.as_deref(),
            _ => None,
        }
    }
}

fn of<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
    serde_json::from_value(v.clone()).ok()
}

fn typed(action: &str, data: &Value) -> Option<Entry> {
    match action {
        "register" => of(data).map(Entry::Registered),
        "logistics_exception" => of(data).map(Entry::LogisticsException),
        "claim" => of(data).map(Entry::Claim),
        "attach" => of(data).map(Entry::Attached),
        _ => {
            if let Some(kind) = TimerKind::from_action(action) {
                return of(data).map(|fired| Entry::Timer { kind, fired });
            }
            let moved = read_move(data);
            if let Some(step) = Step::ALL.iter().copied().find(|s| s.code() == action) {
                let mut rest = data.as_object()?.clone();
                let note = match rest.remove("note") {
                    Some(Value::String(n)) => Some(n),
                    None => None,
                    Some(_) => return None,
                };
                if moved.is_some() {
                    rest.remove("from");
                    rest.remove("to");
                }
                let data = StepData::read(step, Value::Object(rest));
                return Some(Entry::Stepped {
                    step,
                    note,
                    data,
                    moved,
                });
            }
            let change: Change = of(&json!({"action": action, "data": data}))?;
            (!matches!(change, Change::Step { .. })).then_some(Entry::Changed { change, moved })
        }
    }
}

fn read_move(data: &Value) -> Option<Move> {
    let status = |k: &str| {
        data.get(k)
            .and_then(Value::as_str)
            .and_then(CaseStatus::parse)
    };
    Some(Move {
        from: status("from")?,
        to: status("to")?,
    })
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("history entries serialise")
}

fn insert(data: &mut Value, key: &str, value: Value) {
    if let Some(obj) = data.as_object_mut() {
        obj.insert(key.into(), value);
    }
}

#[cfg(test)]
mod tests;
