//! Accountability (seed 001, step 7: 處罰直接責任者): on a case, supervisors record who was
//! responsible — staff members and departments — the loss the complaint caused, and the
//! penalty decided for each (a warning, a share of performance pay, or an amount); and every
//! missed deadline is laid at the door of whoever held the case when it passed (對不及時處理
//! 問題而造成延誤的責任人也要追究相關責任). Pure: the shell parses, stores and shows.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::DepartmentCode;
use crate::error::FieldError;
use crate::event::Change;
use crate::history::Entry;
use crate::problem::{Problem, Thing};
use crate::sla::{SlaClock, TimerKind};

/// The most parties one case names.
pub const MAX_PARTIES: usize = 20;
/// The largest loss or amount, in cents (¥1,000,000,000).
pub const MAX_CENTS: i64 = 100_000_000_000;

/// Who was responsible.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Staff(String),
    Department(DepartmentCode),
}

/// What was decided for a party.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Penalty {
    /// A recorded warning, nothing deducted.
    Warning,
    /// This percentage of the period's performance pay (绩效工资) is deducted.
    PayShare { percent: u32 },
    /// This amount is deducted (扣罚资金).
    Amount { cents: i64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Responsible {
    pub party: Party,
    pub penalty: Penalty,
    /// Why: what they did or failed to do.
    pub reason: String,
}

/// The accountability recorded on a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accountability {
    /// What the complaint cost the shop (refunds, compensation, reshipping, goodwill).
    pub loss_cents: i64,
    pub parties: Vec<Responsible>,
    pub note: Option<String>,
}

/// One party as a request names it: exactly one of `staff` and `department`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartyRequest {
    pub staff: Option<String>,
    pub department: Option<String>,
    pub penalty: Penalty,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountabilityRequest {
    pub loss_cents: i64,
    pub parties: Vec<PartyRequest>,
    pub note: Option<String>,
}

/// What the shell knows of the names a request gives.
pub trait Known {
    fn staff_exists(&self, username: &str) -> bool;
    fn department_exists(&self, code: &DepartmentCode) -> bool;
}

impl AccountabilityRequest {
    /// The accountability this request records, or every field that is wrong.
    pub fn check(self, known: &impl Known) -> Result<Accountability, Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(0..=MAX_CENTS).contains(&self.loss_cents) {
            errors.push(FieldError::new(
                "loss_cents",
                Problem::Range {
                    min: 0,
                    max: MAX_CENTS,
                },
            ));
        }
        if self.parties.is_empty() {
            errors.push(FieldError::explained(
                "parties",
                Problem::Required,
                "name at least one staff member or department who was responsible",
            ));
        }
        if self.parties.len() > MAX_PARTIES {
            errors.push(FieldError::new(
                "parties",
                Problem::TooMany {
                    max: MAX_PARTIES as i64,
                },
            ));
        }
        let note = crate::text::optional("note", self.note.as_deref())
            .map_err(|e| errors.push(e))
            .ok()
            .flatten();
        let mut parties: Vec<Responsible> = Vec::new();
        for (i, p) in self.parties.into_iter().enumerate() {
            let at = |f: &str| format!("parties[{i}].{f}");
            let party = match (
                p.staff.as_deref().map(str::trim),
                p.department.as_deref().map(str::trim),
            ) {
                (Some(s), None) if !s.is_empty() => {
                    if known.staff_exists(s) {
                        Some(Party::Staff(s.to_owned()))
                    } else {
                        errors.push(FieldError::new(
                            &at("staff"),
                            Problem::Unknown {
                                thing: Thing::User,
                                value: s.to_owned(),
                            },
                        ));
                        None
                    }
                }
                (None, Some(d)) if !d.is_empty() => match DepartmentCode::parse(d) {
                    Ok(code) if known.department_exists(&code) => Some(Party::Department(code)),
                    _ => {
                        errors.push(FieldError::new(
                            &at("department"),
                            Problem::Unknown {
                                thing: Thing::Department,
                                value: d.to_owned(),
                            },
                        ));
                        None
                    }
                },
                _ => {
                    errors.push(FieldError::explained(
                        &at("staff"),
                        Problem::Required,
                        "give exactly one of staff (a username) and department (a code)",
                    ));
                    None
                }
            };
            match p.penalty {
                Penalty::PayShare { percent } if !(1..=100).contains(&percent) => errors.push(
                    FieldError::new(&at("penalty.percent"), Problem::Range { min: 1, max: 100 }),
                ),
                Penalty::Amount { cents } if !(1..=MAX_CENTS).contains(&cents) => {
                    errors.push(FieldError::new(
                        &at("penalty.cents"),
                        Problem::Range {
                            min: 1,
                            max: MAX_CENTS,
                        },
                    ))
                }
                _ => {}
            }
            let reason = match crate::text::optional(&at("reason"), p.reason.as_deref()) {
                Ok(Some(r)) => Some(r),
                Ok(None) => {
                    errors.push(FieldError::explained(
                        &at("reason"),
                        Problem::Required,
                        "say what they did or failed to do",
                    ));
                    None
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            };
            if let (Some(party), Some(reason)) = (party, reason) {
                if parties.iter().any(|q| q.party == party) {
                    let value = match &party {
                        Party::Staff(s) => s.clone(),
                        Party::Department(d) => d.as_str().to_owned(),
                    };
                    errors.push(FieldError::new(&at("staff"), Problem::Twice { value }));
                } else {
                    parties.push(Responsible {
                        party,
                        penalty: p.penalty,
                        reason,
                    });
                }
            }
        }
        if errors.is_empty() {
            Ok(Accountability {
                loss_cents: self.loss_cents,
                parties,
                note,
            })
        } else {
            Err(errors)
        }
    }
}

/// Who held a case at some moment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Holder {
    /// Its assignee.
    Staff(String),
    /// Routed to a department, nobody assigned.
    Department(DepartmentCode),
    /// The service desk's queue: registered, not yet routed or assigned.
    Desk,
}

/// A deadline that passed, and who held the case then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Delay {
    pub clock: SlaClock,
    pub deadline: DateTime<Utc>,
    pub holder: Holder,
}

/// The deadlines the case's history records as breached, each with whoever held the case at
/// the deadline. `history` is in the order it was written.
pub fn delays(history: &[(DateTime<Utc>, Entry)]) -> Vec<Delay> {
    // Who held it from when: the assignee if any, else the department routed to, else the desk.
    let mut changes: Vec<(DateTime<Utc>, Holder)> = Vec::new();
    let (mut assignee, mut department): (Option<String>, Option<DepartmentCode>) = (None, None);
    let holder = |a: &Option<String>, d: &Option<DepartmentCode>| match (a, d) {
        (Some(a), _) => Holder::Staff(a.clone()),
        (None, Some(d)) => Holder::Department(d.clone()),
        (None, None) => Holder::Desk,
    };
    for (at, entry) in history {
        if let Entry::Changed { change, .. } = entry {
            match change {
                Change::Assign { user, .. } => {
                    assignee = Some(user.trim().to_owned()).filter(|u| !u.is_empty());
                }
                Change::Route { department: d, .. } => department = Some(d.clone()),
                _ => continue,
            }
            changes.push((*at, holder(&assignee, &department)));
        }
    }
    history
        .iter()
        .filter_map(|(_, entry)| match entry {
            Entry::Timer {
                kind: TimerKind::Breach,
                fired,
            } => Some(Delay {
                clock: fired.clock,
                deadline: fired.deadline,
                holder: changes
                    .iter()
                    .rev()
                    .find(|(at, _)| *at <= fired.deadline)
                    .map_or(Holder::Desk, |(_, h)| h.clone()),
            }),
            _ => None,
        })
        .collect()
}

/// One row of the accountability report: a party over a period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartyTotals {
    /// Cases where they were recorded responsible.
    pub cases: u32,
    /// The losses of those cases, in cents.
    pub loss_cents: i64,
    pub warnings: u32,
    /// Percentages of performance pay deducted, added up over the cases.
    pub pay_share_percent: u32,
    pub amount_cents: i64,
    /// Deadlines missed while they held a case.
    pub delays: u32,
}

/// Adds a case's recorded accountability to the totals (by party).
pub fn add_recorded(
    totals: &mut std::collections::BTreeMap<String, PartyTotals>,
    a: &Accountability,
) {
    for r in &a.parties {
        let t = totals.entry(party_key(&r.party)).or_default();
        t.cases += 1;
        t.loss_cents += a.loss_cents;
        match r.penalty {
            Penalty::Warning => t.warnings += 1,
            Penalty::PayShare { percent } => t.pay_share_percent += percent,
            Penalty::Amount { cents } => t.amount_cents += cents,
        }
    }
}

/// Adds missed deadlines to the totals of whoever held the case.
pub fn add_delays(totals: &mut std::collections::BTreeMap<String, PartyTotals>, delays: &[Delay]) {
    for d in delays {
        let key = match &d.holder {
            Holder::Staff(s) => party_key(&Party::Staff(s.clone())),
            Holder::Department(dep) => party_key(&Party::Department(dep.clone())),
            Holder::Desk => "desk".to_owned(),
        };
        totals.entry(key).or_default().delays += 1;
    }
}

/// `staff:amy`, `department:logistics`: how the report names a party.
pub fn party_key(p: &Party) -> String {
    match p {
        Party::Staff(s) => format!("staff:{s}"),
        Party::Department(d) => format!("department:{}", d.as_str()),
    }
}

#[cfg(test)]
#[path = "accountability_tests.rs"]
mod tests;
