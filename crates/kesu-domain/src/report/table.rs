//! Every case's facts, held compactly in memory so a report over a year of a big shop (a
//! million cases) is one pass over plain numbers: codes as small integers, names interned.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use super::facts::CaseFacts;
use crate::case::Outcome;
use crate::codes::{Category, Channel, Liability, RootCause};
use crate::CaseStatus;

/// "No value" for a time or a name.
pub(super) const NONE: i64 = i64::MIN;
pub(super) const NO_SYM: u32 = 0;
pub(super) const NO_CODE: u8 = u8::MAX;

/// One case's facts: times in UTC milliseconds, names as symbols, codes as indexes.
#[derive(Debug, Clone)]
pub(super) struct Row {
    pub case_id: i64,
    pub received: i64,
    pub first_response: i64,
    pub first_response_due: i64,
    pub resolved: i64,
    pub resolve_due: i64,
    pub complainant: i64,
    pub refunds: i64,
    pub compensation: i64,
    pub recovered: i64,
    pub department: u32,
    pub assignee: u32,
    pub shop: u32,
    pub carrier: u32,
    pub product: u32,
    pub renegotiations: u32,
    pub channel: u8,
    pub category: u8,
    pub status: u8,
    pub root_cause: u8,
    pub liability: u8,
    /// 0 none, 1 invalid, 2 resolved.
    pub outcome: u8,
    /// 0 no follow-up, 1 unsatisfied, 2 satisfied.
    pub satisfied: u8,
    /// 0 none, else 1–5.
    pub rating: u8,
}

impl Row {
    pub fn is_open(&self) -> bool {
        self.status != index_of(CaseStatus::ALL, CaseStatus::Closed)
    }
}

pub(super) fn index_of<T: PartialEq>(all: &[T], value: T) -> u8 {
    all.iter()
        .position(|v| *v == value)
        .map_or(NO_CODE, |i| i as u8)
}

fn opt_index<T: PartialEq + Copy>(all: &[T], value: Option<T>) -> u8 {
    value.map_or(NO_CODE, |v| index_of(all, v))
}

fn ms(t: Option<DateTime<Utc>>) -> i64 {
    t.map_or(NONE, |t| t.timestamp_millis())
}

pub(super) fn time(ms: i64) -> Option<DateTime<Utc>> {
    (ms != NONE)
        .then(|| Utc.timestamp_millis_opt(ms).single())
        .flatten()
}

/// Interned names: department codes, user names, shops, carriers, products.
#[derive(Debug, Default)]
pub(super) struct Symbols {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl Symbols {
    fn intern(&mut self, name: Option<&str>) -> u32 {
        let Some(name) = name else { return NO_SYM };
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        self.names.push(name.to_owned());
        let id = self.names.len() as u32; // 0 is "none"
        self.ids.insert(name.to_owned(), id);
        id
    }

    pub fn lookup(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn name(&self, id: u32) -> Option<&str> {
        (id != NO_SYM)
            .then(|| self.names.get(id as usize - 1).map(String::as_str))
            .flatten()
    }
}

/// The facts of every case, kept current by [`FactTable::upsert`] as cases change.
#[derive(Debug, Default)]
pub struct FactTable {
    pub(super) rows: Vec<Row>,
    index: HashMap<i64, usize>,
    pub(super) symbols: Symbols,
}

impl FactTable {
    pub fn new() -> FactTable {
        FactTable::default()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds a case's facts, or replaces those it had.
    pub fn upsert(&mut self, f: &CaseFacts) {
        let s = &mut self.symbols;
        let row = Row {
            case_id: f.case_id,
            received: f.received_at.timestamp_millis(),
            first_response: ms(f.first_response_at),
            first_response_due: ms(f.first_response_due),
            resolved: ms(f.resolved_at),
            resolve_due: ms(f.resolve_due),
            complainant: f.complainant_key,
            refunds: f.refunds_cents,
            compensation: f.compensation_cents,
            recovered: f.claims_recovered_cents,
            department: s.intern(f.department.as_deref()),
            assignee: s.intern(f.assignee.as_deref()),
            shop: s.intern(f.shop.as_deref()),
            carrier: s.intern(f.carrier.as_deref()),
            product: s.intern(f.product.as_deref()),
            renegotiations: f.renegotiations,
            channel: index_of(Channel::ALL, f.channel),
            category: index_of(Category::ALL, f.category),
            status: index_of(CaseStatus::ALL, f.status),
            root_cause: opt_index(RootCause::ALL, f.root_cause),
            liability: opt_index(Liability::ALL, f.liability),
            outcome: match f.outcome {
                None => 0,
                Some(Outcome::Invalid) => 1,
                Some(Outcome::Resolved) => 2,
                Some(Outcome::Merged) => 3,
            },
            satisfied: match f.satisfied {
                None => 0,
                Some(false) => 1,
                Some(true) => 2,
            },
            rating: f.rating.unwrap_or(0),
        };
        match self.index.get(&f.case_id) {
            Some(&i) => self.rows[i] = row,
            None => {
                self.index.insert(f.case_id, self.rows.len());
                self.rows.push(row);
            }
        }
    }

    /// Forgets a case (deleted from the database).
    pub fn remove(&mut self, case_id: i64) {
        if let Some(i) = self.index.remove(&case_id) {
            self.rows.swap_remove(i);
            if let Some(moved) = self.rows.get(i) {
                self.index.insert(moved.case_id, i);
            }
        }
    }

    pub fn contains(&self, case_id: i64) -> bool {
        self.index.contains_key(&case_id)
    }
}
