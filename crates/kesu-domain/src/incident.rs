//! Problem management: complaints that are one problem. Duplicates of one customer's
//! complaint are merged (the duplicate closes, its history says where it went, the customer's
//! link follows); related cases are linked; cases hitting many customers at once are grouped
//! into an incident (one SKU or batch, one carrier, one shop, one promotion), found by hand
//! or by the spike rule (`spikes`), and escalated to the admin when its impact is wide (seed
//! 001: 涉及面广).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::Case;
use crate::error::{FieldError, Problem};
use crate::event::{Change, Event};
use crate::history::Author;
use crate::policy::Policy;

/// The duplicate and the case it is merged into, each after its event, with the events.
pub struct Merge {
    pub duplicate: (Case, Event),
    pub survivor: (Case, Event),
}

/// Merges `duplicate` into `survivor`: both open, not the same case, not merged before, and
/// the same customer's (`same_customer`: the same order, phone or e-mail), since the
/// duplicate's customer will follow the survivor through their link.
pub fn merge(
    duplicate: &Case,
    survivor: &Case,
    same_customer: bool,
    author: Author,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Result<Merge, FieldError> {
    let refuse = |message: &str| {
        Err(FieldError::explained(
            "into",
            Problem::NotApplicable,
            message.to_owned(),
        ))
    };
    if duplicate.id == survivor.id {
        return refuse("a case cannot be merged into itself");
    }
    if !duplicate.status.is_open() || duplicate.merged_into.is_some() {
        return refuse("the duplicate is closed already: only open cases are merged");
    }
    if !survivor.status.is_open() {
        return refuse("the case to merge into is closed: merge into an open case");
    }
    if !same_customer {
        return refuse(
            "the cases are not the same customer's (no common order, phone or e-mail): link them instead",
        );
    }
    let closed = crate::CaseStatus::Closed;
    let change = Change::MergedInto {
        into: survivor.id,
        number: survivor.number.clone(),
    };
    let mut after = duplicate.clone();
    after.status = closed;
    let dup_event = Event {
        at: now,
        author: author.clone(),
        from: duplicate.status,
        to: closed,
        change,
        effects: Vec::new(),
        responds: false,
        deadlines: crate::sla::deadlines(&after, policy),
    };
    let surv_event = Event {
        at: now,
        author,
        from: survivor.status,
        to: survivor.status,
        change: Change::Merged {
            from: duplicate.id,
            number: duplicate.number.clone(),
        },
        effects: Vec::new(),
        responds: false,
        deadlines: survivor.deadlines.clone(),
    };
    Ok(Merge {
        duplicate: (crate::lifecycle::evolve(duplicate, &dup_event), dup_event),
        survivor: (crate::lifecycle::evolve(survivor, &surv_event), surv_event),
    })
}

/// Where an incident stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Resolved,
}

impl IncidentStatus {
    pub fn code(self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Resolved => "resolved",
        }
    }

    pub fn parse(code: &str) -> Option<IncidentStatus> {
        match code {
            "open" => Some(IncidentStatus::Open),
            "resolved" => Some(IncidentStatus::Resolved),
            _ => None,
        }
    }
}

/// When an incident's impact is wide enough for the admin (seed 001: 涉及面广).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct WideImpact {
    /// At least this many cases (default 20).
    pub cases: u32,
    /// Or cases from at least this many shops (default 3).
    pub shops: u32,
}

impl Default for WideImpact {
    fn default() -> Self {
        WideImpact {
            cases: 20,
            shops: 3,
        }
    }
}

impl WideImpact {
    /// Whether `cases` cases from `shops` distinct shops are a wide impact.
    pub fn reached(&self, cases: usize, shops: usize) -> bool {
        cases >= self.cases as usize || shops >= self.shops as usize
    }
}

/// How kesu finds incidents and when it escalates them: the admin's settings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct IncidentSettings {
    #[serde(default)]
    pub rule: crate::spikes::SpikeRule,
    #[serde(default)]
    pub wide: WideImpact,
}

impl IncidentSettings {
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = self.rule.check().err().unwrap_or_default();
        if !(2..=10_000).contains(&self.wide.cases) {
            errors.push(FieldError::new(
                "wide.cases",
                Problem::Range {
                    min: 2,
                    max: 10_000,
                },
            ));
        }
        if !(2..=1000).contains(&self.wide.shops) {
            errors.push(FieldError::new(
                "wide.shops",
                Problem::Range { min: 2, max: 1000 },
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// An incident's title as kesu writes it for a spike it found; `label` names the key as
/// people read it (圆通速递, not `yto`).
pub fn spike_title(dimension: crate::spikes::Dimension, label: &str, recent: u32) -> String {
    use crate::spikes::Dimension::*;
    let what = match dimension {
        Sku => "商品",
        Batch => "批次",
        Carrier => "承运商",
        Shop => "店铺",
    };
    format!("{what} {label} 投诉激增（{recent} 件）")
}

#[cfg(test)]
#[path = "incident_tests.rs"]
mod tests;
