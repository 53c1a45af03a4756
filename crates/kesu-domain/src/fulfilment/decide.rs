//! Deciding one step of a flow: what it records, whether it ends or fails the flow, and
//! what it changes on the order.

use chrono::{DateTime, Utc};

use super::goods_back::{parcel_back_evidence, return_received_evidence};
use super::{
    requested_lines, Inspection, OrderEffect, Step, StepData, StepFields, StepOutcome, StepRecord,
};
use crate::case::{Case, ResolutionOption};
use crate::codes::ResolutionKind;
use crate::error::{Ask, FieldError, Problem, Rejection, Thing};
use crate::money::Cents;
use crate::order::{code, Order, RefundRecord, RefundSource, Shipment, ShipmentKind, ShipmentLine};
use crate::refund::RequestedLine;
use crate::role::Actor;
use crate::text;

fn require_order<'a>(order: Option<&'a Order>, case: &Case) -> Result<&'a Order, Rejection> {
    order.ok_or_else(|| {
        let message = match &case.order_no {
            Some(no) => {
                format!("order {no} is not in kesu: store it first (PUT /api/v1/orders/{no})")
            }
            None => "the case has no order: this resolution needs one".to_owned(),
        };
        FieldError::explained("order_no", Problem::NoOrder, message).into()
    })
}

/// Decides one step for `case` (status approved, `step` its next step).
pub fn decide_step(
    case: &Case,
    step: Step,
    fields: &StepFields,
    order: Option<&Order>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<StepOutcome, Rejection> {
    let chosen = case
        .chosen
        .as_ref()
        .ok_or_else(|| Rejection::invalid("action", Problem::NoChoice))?;
    let note = text::optional("note", fields.note.as_deref())?;
    let order = require_order(order, case)?;
    let option = &chosen.option;
    let mut data = StepData::Done {};
    let mut effects = Vec::new();
    let mut completes = false;
    let mut fails = false;
    match step {
        Step::ConfirmNotShipped => {
            let lines = requested_lines(option, order);
            if let Some(l) = lines.iter().find(|l| order.shipped_units(&l.line_id) > 0) {
                return Err(Rejection::invalid(
                    "action",
                    Problem::AlreadyShipped {
                        line: l.line_id.to_string(),
                    },
                ));
            }
            data = StepData::NotShipped {
                checked_lines: lines,
            };
        }
        Step::CancelOrder | Step::Restock => {}
        Step::ReceiveReturn => {
            if let Some(evidence) = return_received_evidence(order, fields, actor)? {
                data = StepData::Received { evidence };
            }
        }
        Step::TrackParcel => {
            let status = text::required("status", fields.status.as_deref().unwrap_or(""))
                .map_err(|_| FieldError::new("status", Problem::Explain(Ask::WhereTheParcelIs)))?;
            data = StepData::Tracked { status };
        }
        Step::ParcelBack => {
            let outcome = fields.outcome.ok_or_else(|| {
                Rejection::from(FieldError::explained(
                    "outcome",
                    Problem::NotOneOf {
                        allowed: "intercepted, refused, returned".into(),
                    },
                    "is required: intercepted, refused or returned",
                ))
            })?;
            let lines = requested_lines(option, order);
            let evidence = parcel_back_evidence(order, &lines, outcome, fields, actor)?;
            data = StepData::Back {
                outcome,
                evidence: Some(evidence),
            };
        }
        Step::ReturnShipped => {
            let (carrier, tracking_no) = parcel(fields)?;
            let lines = requested_lines(option, order);
            effects.push(shipment_effect(
                order,
                &carrier,
                &tracking_no,
                &lines,
                ShipmentKind::Return,
                now,
            ));
            let freight = match fields.freight_cents {
                None => None,
                Some(c) if !(0..=100_000).contains(&c) => {
                    return Err(Rejection::from(FieldError::explained(
                        "freight_cents",
                        Problem::Range {
                            min: 0,
                            max: 100_000,
                        },
                        "what the customer paid to send the goods back, in cents (at most ¥1,000)",
                    )))
                }
                Some(c) => Some(crate::return_freight::settle(
                    c,
                    case.analysis.as_ref().map(|a| a.liability),
                    order.freight_insurance.as_ref(),
                )),
            };
            data = StepData::ReturnShipped {
                carrier,
                tracking_no,
                freight,
            };
        }
        Step::Inspect => {
            let result = fields.result.ok_or_else(|| {
                Rejection::from(FieldError::explained(
                    "result",
                    Problem::NotOneOf {
                        allowed: "pass, partial, fail".into(),
                    },
                    "is required: pass, partial or fail",
                ))
            })?;
            let requested = requested_lines(option, order);
            let accepted = match result {
                Inspection::Pass => requested.clone(),
                Inspection::Fail => Vec::new(),
                Inspection::Partial => {
                    let lines = fields.lines.clone().unwrap_or_default();
                    if lines.is_empty() {
                        return Err(Rejection::invalid(
                            "lines",
                            Problem::Explain(Ask::AcceptableUnits),
                        ));
                    }
                    for (i, l) in lines.iter().enumerate() {
                        let asked = requested
                            .iter()
                            .find(|r| r.line_id == l.line_id)
                            .map(|r| r.quantity)
                            .unwrap_or(0);
                        if l.quantity <= 0 || l.quantity > asked {
                            return Err(Rejection::from(FieldError::explained(
                                &format!("lines[{i}].quantity"),
                                Problem::Range { min: 1, max: asked },
                                format!(
                                    "between 1 and the {asked} unit(s) returned of line `{}`",
                                    l.line_id
                                ),
                            )));
                        }
                    }
                    lines
                }
            };
            if result != Inspection::Fail && note.is_none() && fields.spec_matches == Some(false) {
                return Err(Rejection::from(FieldError::explained(
                    "note",
                    Problem::Explain(Ask::WhatWasWrong),
                    "explain why goods whose spec does not match are accepted",
                )));
            }
            for (i, p) in fields.photos.iter().enumerate() {
                if p.trim().is_empty() || p.len() > 500 {
                    return Err(Rejection::Invalid(vec![FieldError::explained(
                        &format!("photos[{i}]"),
                        Problem::Length { min: 1, max: 500 },
                        "must be a link of 1–500 characters",
                    )]));
                }
            }
            fails = result == Inspection::Fail;
            if fails && note.is_none() {
                return Err(Rejection::invalid(
                    "note",
                    Problem::Explain(Ask::WhatWasWrong),
                ));
            }
            data = StepData::Inspected {
                result,
                accepted,
                spec_matches: fields.spec_matches,
                photos: fields.photos.clone(),
            };
        }
        Step::Refund => {
            let method = match fields.method.as_deref() {
                None => "original".to_owned(),
                Some(m) => code("method", m)?,
            };
            let refund = refund_for(case, option, order, &method, now)?;
            data = StepData::Refunded {
                cash_cents: refund.cash_cents,
                points_cents: refund.points_cents,
                shipping_cents: refund.shipping_cents,
                lines: refund.lines.clone(),
                method,
                freight_cents: shop_pays_freight(case),
            };
            effects.push(OrderEffect::Refund {
                order_no: order.order_no.clone(),
                refund,
            });
            completes = true;
        }
        Step::ShipReplacement => {
            let (carrier, tracking_no) = parcel(fields)?;
            let lines = match &fields.lines {
                Some(l) if !l.is_empty() => l.clone(),
                _ => accepted_or_requested(case, option, order),
            };
            for (i, l) in lines.iter().enumerate() {
                let Some(idx) = order.amounts.line_index(&l.line_id) else {
                    return Err(Rejection::invalid(
                        &format!("lines[{i}].line_id"),
                        Problem::Unknown {
                            thing: Thing::Line,
                            value: l.line_id.to_string(),
                        },
                    ));
                };
                if l.quantity <= 0 || l.quantity > order.amounts.lines[idx].quantity {
                    return Err(Rejection::from(FieldError::explained(
                        &format!("lines[{i}].quantity"),
                        Problem::Range {
                            min: 1,
                            max: order.amounts.lines[idx].quantity,
                        },
                        "between 1 and the units ordered",
                    )));
                }
            }
            let kind = if option.kind == ResolutionKind::Exchange {
                ShipmentKind::Exchange
            } else {
                ShipmentKind::Reship
            };
            effects.push(shipment_effect(
                order,
                &carrier,
                &tracking_no,
                &lines,
                kind,
                now,
            ));
            data = StepData::Replaced {
                carrier,
                tracking_no,
                lines,
            };
            completes = true;
        }
    }
    Ok(StepOutcome {
        record: StepRecord {
            step,
            by: actor.name().to_owned(),
            at: now,
            note,
            data,
        },
        completes,
        fails,
        effects,
    })
}

/// The return freight the shop reimburses with the refund (its fault, 谁过错谁承担).
fn shop_pays_freight(case: &Case) -> Option<i64> {
    case.steps_done.iter().find_map(|s| match &s.data {
        StepData::ReturnShipped {
            freight: Some(f), ..
        } if f.payer == crate::return_freight::FreightPayer::Shop && f.covered_cents > 0 => {
            Some(f.covered_cents)
        }
        _ => None,
    })
}

/// The carrier and tracking number a step names.
fn parcel(fields: &StepFields) -> Result<(String, String), Rejection> {
    let carrier = code("carrier", fields.carrier.as_deref().unwrap_or(""))?;
    let tracking_no = text::identifier(
        "tracking_no",
        fields.tracking_no.as_deref().unwrap_or(""),
        40,
    )?;
    Ok((carrier, tracking_no))
}

/// A parcel recorded on the order: the return coming back, or a new item going out.
fn shipment_effect(
    order: &Order,
    carrier: &str,
    tracking_no: &str,
    lines: &[RequestedLine],
    kind: ShipmentKind,
    now: DateTime<Utc>,
) -> OrderEffect {
    OrderEffect::Shipment {
        order_no: order.order_no.clone(),
        shipment: Shipment {
            carrier: carrier.to_owned(),
            tracking_no: tracking_no.to_owned(),
            shipped_at: Some(now),
            lines: lines
                .iter()
                .map(|l| ShipmentLine {
                    line_id: l.line_id.clone(),
                    quantity: l.quantity,
                })
                .collect(),
            kind,
            status: None,
            signed_at: None,
            // The store records the case that sent it.
            case_id: None,
        },
    }
}

/// The units to refund or replace: what inspection accepted, else what was requested.
fn accepted_or_requested(
    case: &Case,
    option: &ResolutionOption,
    order: &Order,
) -> Vec<RequestedLine> {
    case.steps_done
        .iter()
        .find(|s| s.step == Step::Inspect)
        .and_then(|s| s.data.accepted().map(<[RequestedLine]>::to_vec))
        .unwrap_or_else(|| requested_lines(option, order))
}

/// The refund the flow ends with, computed from the order as it stands now.
fn refund_for(
    case: &Case,
    option: &ResolutionOption,
    order: &Order,
    method: &str,
    now: DateTime<Utc>,
) -> Result<RefundRecord, Rejection> {
    let refundable = order
        .refundable()
        .map_err(|_| Rejection::invalid("order_no", Problem::OrderInconsistent))?;
    let record = |lines, shipping_cents, cash_cents, points_cents| RefundRecord {
        lines,
        shipping_cents,
        cash_cents,
        points_cents,
        method: Some(method.to_owned()),
        at: Some(now),
        reference: Some(case.number.clone()),
        source: RefundSource::Case,
        case_id: Some(case.id),
    };
    if matches!(
        option.kind,
        ResolutionKind::PartialRefund | ResolutionKind::Compensation
    ) {
        let amount = option.amount_cents.map_or(0, Cents::get);
        let lines_cash: i64 = refundable.lines.iter().map(|l| l.cash_cents).sum();
        if amount > lines_cash {
            return Err(Rejection::invalid(
                "amount_cents",
                Problem::OverRefundable {
                    left_cents: lines_cash,
                },
            ));
        }
        // Spread over the named lines (else all) in proportion to what is left of each.
        let targets: Vec<_> = refundable
            .lines
            .iter()
            .filter(|l| {
                option.lines.is_empty() || option.lines.iter().any(|o| o.line_id == l.line_id)
            })
            .collect();
        let weights: Vec<i64> = targets.iter().map(|l| l.cash_cents).collect();
        let shares = crate::refund::spread(amount, &weights).ok_or_else(|| {
            Rejection::from(FieldError::explained(
                "amount_cents",
                Problem::OverRefundable {
                    left_cents: weights.iter().sum(),
                },
                "more than is left to refund on the chosen lines",
            ))
        })?;
        let lines = targets
            .iter()
            .zip(shares)
            .filter(|(_, s)| *s > 0)
            .map(|(l, s)| crate::refund::RefundedLine {
                line_id: l.line_id.clone(),
                quantity: 0,
                cash_cents: s,
                points_cents: 0,
            })
            .collect();
        return Ok(record(lines, 0, amount, 0));
    }
    let lines = accepted_or_requested(case, option, order);
    let include_shipping = option.include_shipping && refundable.shipping_cents > 0;
    let q = order
        .quote(lines, include_shipping)
        .map_err(Rejection::Invalid)?;
    let lines = q
        .lines
        .iter()
        .map(|l| crate::refund::RefundedLine {
            line_id: l.line_id.clone(),
            quantity: l.quantity,
            cash_cents: l.cash_cents.get(),
            points_cents: l.points_cents.get(),
        })
        .collect();
    Ok(record(
        lines,
        q.shipping_cents.get(),
        q.cash_cents.get(),
        q.points_cents.get(),
    ))
}
