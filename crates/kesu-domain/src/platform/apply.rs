//! A later change of a platform request, applied to its case: the link takes the platform's
//! new state, the case's deadlines follow the platform's countdown, an intervention makes the
//! case urgent, and the history says what the platform reported. Changes apply in the
//! platform's own order: one no newer than the state the case holds changes nothing, so the
//! same push twice, or an old one late, is harmless.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::{over_paid, Intervention, Request, Stage};
use crate::case::Case;
use crate::codes::Priority;
use crate::event::{Change, Event};
use crate::history::{Author, SystemActor};
use crate::money::Cents;
use crate::policy::Policy;

/// What the history records of a platform change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlatformChange {
    /// The platform's own status code.
    pub status: String,
    pub stage: Stage,
    pub previous: Stage,
    pub kind: super::AfterSaleKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<Cents>,
    /// The amount asked is more than is left to refund on the order.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub amount_over_paid: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_tracking_no: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intervention: Option<Intervention>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The platform's time of this state.
    pub updated_at: DateTime<Utc>,
}

/// The case after the platform's change and the event that records it, or `None` when the
/// change is no newer than what the case holds (or the case came from elsewhere).
/// `left_to_refund`: the cash still refundable on the order, if kesu knows the order.
pub fn apply(
    case: &Case,
    request: &Request,
    left_to_refund: Option<Cents>,
    policy: &Policy,
    now: DateTime<Utc>,
) -> Option<(Case, Event)> {
    let link = case.platform.as_ref()?;
    if request.updated_at <= link.updated_at {
        return None;
    }
    let change = PlatformChange {
        status: request.status.clone(),
        stage: request.stage,
        previous: link.stage,
        kind: request.kind,
        deadline: request.deadline,
        amount_cents: request.amount,
        amount_over_paid: over_paid(request.amount, left_to_refund),
        return_tracking_no: request.return_tracking_no.clone(),
        intervention: request.intervention.clone(),
        revision: request.revision.clone(),
        updated_at: request.updated_at,
    };
    // The deadlines follow from the case as the change leaves it.
    let mut next = case.clone();
    follow(&mut next, &change);
    let event = Event {
        at: now,
        author: Author::System(SystemActor::PlatformConnector),
        from: case.status,
        to: case.status,
        change: Change::Platform { change },
        effects: Vec::new(),
        responds: false,
        deadlines: crate::sla::deadlines(&next, policy),
    };
    Some((crate::lifecycle::evolve(case, &event), event))
}

/// The case's link and priority after a platform change (the rest is the lifecycle's).
pub fn follow(case: &mut Case, change: &PlatformChange) {
    let Some(link) = case.platform.as_mut() else {
        return;
    };
    link.kind = change.kind;
    link.status = change.status.clone();
    link.stage = change.stage;
    link.deadline = change.deadline;
    if change.amount_cents.is_some() {
        link.amount_cents = change.amount_cents;
        link.amount_over_paid = change.amount_over_paid;
    }
    if change.return_tracking_no.is_some() {
        link.return_tracking_no = change.return_tracking_no.clone();
    }
    if change.intervention.is_some() {
        link.intervention = change.intervention.clone();
    }
    if change.revision.is_some() {
        link.revision = change.revision.clone();
    }
    link.updated_at = change.updated_at;
    // The platform stepping in puts the shop's rating at stake: first in the queue.
    if change.stage == Stage::Intervened {
        case.priority = Priority::Urgent;
    }
}
