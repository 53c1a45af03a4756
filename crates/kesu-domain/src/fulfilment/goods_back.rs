//! The refund after shipping waits for the goods. Seed 003 (退款处理流程) orders the work as
//! 跟踪包裹 → 拦截/拒收/退回 → 收货 → 验货 → 入库 → 退款: money that goes out while the parcel is
//! still travelling to the customer is money paid for goods the customer may keep. So the
//! `parcel_back` step of "refund only, shipped" needs proof, one of:
//! - the carrier's tracking of every parcel carrying the refunded lines shows it refused or
//!   returned (an intercepted parcel is reported as returned, or redirected back);
//! - the warehouse confirms it received the parcel and states the inspection's result (a
//!   department user, on a case routed to their department, or a supervisor);
//! - a supervisor overrides with a written reason, kept in the step's record.
//!
//! The same proof is asked of `receive_return` in the return flows when an agent, not the
//! warehouse, takes it: the return parcel's tracking must show it delivered.

use serde::{Deserialize, Serialize};

use super::{Inspection, ParcelOutcome, StepFields};
use crate::error::{Ask, FieldError, Problem, Rejection};
use crate::order::{Order, ShipmentKind};
use crate::refund::RequestedLine;
use crate::role::{Actor, Role};
use crate::text;

/// Why kesu believes the goods are back, as kept on the step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum GoodsEvidence {
    /// The carrier's tracking: each parcel with its last status.
    Tracking { parcels: Vec<ParcelStatus> },
    /// The warehouse (or a supervisor) received the goods and inspected them.
    Warehouse { result: Inspection },
    /// A supervisor let the step pass without proof, and said why.
    Override { reason: String },
}

/// One parcel and the status its tracking last showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParcelStatus {
    pub carrier: String,
    pub tracking_no: String,
    pub status: String,
}

/// The statuses that show an outgoing parcel on its way back to the shop.
fn shows_back(status: &str, outcome: ParcelOutcome) -> bool {
    match outcome {
        ParcelOutcome::Refused => matches!(status, "refused" | "returned"),
        ParcelOutcome::Returned => status == "returned",
        ParcelOutcome::Intercepted => matches!(status, "returned" | "redirected" | "refused"),
    }
}

/// The proof `parcel_back` records, or the refusal naming the parcel still out.
pub fn parcel_back_evidence(
    order: &Order,
    lines: &[RequestedLine],
    outcome: ParcelOutcome,
    fields: &StepFields,
    actor: &Actor,
) -> Result<GoodsEvidence, Rejection> {
    if let Some(e) = confirmed_or_overridden(fields, actor)? {
        return Ok(e);
    }
    let parcels: Vec<_> = order
        .shipments
        .iter()
        .filter(|s| s.kind != ShipmentKind::Return)
        .filter(|s| {
            s.lines
                .iter()
                .any(|l| lines.iter().any(|r| r.line_id == l.line_id))
        })
        .collect();
    let still_out = parcels.iter().find(|s| {
        !s.status
            .as_deref()
            .is_some_and(|status| shows_back(status, outcome))
    });
    match (parcels.first(), still_out) {
        (Some(_), None) => Ok(GoodsEvidence::Tracking {
            parcels: parcels
                .iter()
                .map(|s| ParcelStatus {
                    carrier: s.carrier.clone(),
                    tracking_no: s.tracking_no.clone(),
                    status: s.status.clone().unwrap_or_default(),
                })
                .collect(),
        }),
        (None, _) => Err(not_back("no parcel of these lines is on the order")),
        (_, Some(s)) => Err(not_back(&format!(
            "parcel {} {} last showed `{}`",
            s.carrier,
            s.tracking_no,
            s.status.as_deref().unwrap_or("no tracking yet")
        ))),
    }
}

/// The proof `receive_return` records when an agent takes it: the return parcel delivered.
/// The warehouse's own word needs none.
pub fn return_received_evidence(
    order: &Order,
    fields: &StepFields,
    actor: &Actor,
) -> Result<Option<GoodsEvidence>, Rejection> {
    if matches!(actor.role(), Some(Role::Department)) {
        return Ok(None);
    }
    if let Some(e) = confirmed_or_overridden(fields, actor)? {
        return Ok(Some(e));
    }
    let parcel = order
        .shipments
        .iter()
        .rev()
        .find(|s| s.kind == ShipmentKind::Return);
    match parcel {
        Some(s) if s.status.as_deref() == Some("delivered") => Ok(Some(GoodsEvidence::Tracking {
            parcels: vec![ParcelStatus {
                carrier: s.carrier.clone(),
                tracking_no: s.tracking_no.clone(),
                status: "delivered".into(),
            }],
        })),
        Some(s) => Err(not_back(&format!(
            "the return parcel {} {} last showed `{}`",
            s.carrier,
            s.tracking_no,
            s.status.as_deref().unwrap_or("no tracking yet")
        ))),
        None => Err(not_back("no return parcel is on the order")),
    }
}

/// The warehouse's confirmation or a supervisor's override, if the step carries one.
fn confirmed_or_overridden(
    fields: &StepFields,
    actor: &Actor,
) -> Result<Option<GoodsEvidence>, Rejection> {
    let role = actor.role();
    if let Some(reason) = fields.override_reason.as_deref() {
        if role != Some(Role::Supervisor) {
            return Err(Rejection::Forbidden {
                action: "override",
                actor: actor.kind().to_owned(),
                reason: Some("only a supervisor may let goods pass without proof".into()),
            });
        }
        let reason = text::required("override_reason", reason)
            .map_err(|_| FieldError::new("override_reason", Problem::Explain(Ask::WhyOverride)))?;
        return Ok(Some(GoodsEvidence::Override { reason }));
    }
    if fields.received == Some(true) {
        if !matches!(role, Some(Role::Department | Role::Supervisor)) {
            return Err(Rejection::from(FieldError::explained(
                "received",
                Problem::NotApplicable,
                "only the warehouse (a department user) or a supervisor confirms receipt",
            )));
        }
        let result = fields.result.ok_or_else(|| {
            Rejection::from(FieldError::explained(
                "result",
                Problem::NotOneOf {
                    allowed: "pass, partial, fail".into(),
                },
                "state what the inspection found: pass, partial or fail",
            ))
        })?;
        if result != Inspection::Pass && fields.note.as_deref().is_none_or(|n| n.trim().is_empty())
        {
            return Err(Rejection::invalid(
                "note",
                Problem::Explain(Ask::WhatWasWrong),
            ));
        }
        return Ok(Some(GoodsEvidence::Warehouse { result }));
    }
    Ok(None)
}

fn not_back(why: &str) -> Rejection {
    Rejection::from(FieldError::explained(
        "outcome",
        Problem::GoodsNotBack {
            why: why.to_owned(),
        },
        format!(
            "the goods are not back: {why}. The refund waits until tracking shows the parcel \
             refused or returned, or the warehouse confirms receipt (received: true and the \
             inspection's result), or a supervisor overrides (override_reason)"
        ),
    ))
}

#[cfg(test)]
#[path = "goods_back_tests.rs"]
mod tests;
