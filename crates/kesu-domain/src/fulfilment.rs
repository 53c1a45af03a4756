//! Step 7 for resolutions that move goods or money: each refund flow of DOMAIN.md
//! ("Refunds") as a fixed sequence of steps, guarded by the order's real state. The last
//! step carries the resolution out: it records the refund or the new shipment on the order.

use crate::error::{Ask, FieldError, Problem, Rejection, Thing};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Case, ResolutionOption};
use crate::codes::ResolutionKind;
use crate::order::{code, Order, RefundRecord, RefundSource, Shipment, ShipmentKind, ShipmentLine};
use crate::refund::RequestedLine;
use crate::text;

/// How a chosen resolution is carried out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Flow {
    /// 仅退款-未发货: confirm nothing left the warehouse, cancel, refund.
    RefundNotShipped,
    /// 仅退款-已发货: follow the parcel, get it intercepted, refused or returned, refund.
    RefundShipped,
    /// 退货退款: return parcel, receipt, inspection, restock, refund.
    ReturnRefund,
    /// 换货: return parcel, receipt, inspection, the new item shipped.
    Exchange,
    /// 补发: the replacement shipped.
    Reship,
    /// Partial refund or compensation by amount.
    AmountRefund,
    /// Nothing to move: carried out with a note (`execute`).
    Simple,
}

/// One step of a flow; each is an action of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Step {
    ConfirmNotShipped,
    CancelOrder,
    TrackParcel,
    ParcelBack,
    ReturnShipped,
    ReceiveReturn,
    Inspect,
    Restock,
    Refund,
    ShipReplacement,
}

impl Step {
    pub const ALL: &'static [Step] = &[
        Step::ConfirmNotShipped,
        Step::CancelOrder,
        Step::TrackParcel,
        Step::ParcelBack,
        Step::ReturnShipped,
        Step::ReceiveReturn,
        Step::Inspect,
        Step::Restock,
        Step::Refund,
        Step::ShipReplacement,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Step::ConfirmNotShipped => "confirm_not_shipped",
            Step::CancelOrder => "cancel_order",
            Step::TrackParcel => "track_parcel",
            Step::ParcelBack => "parcel_back",
            Step::ReturnShipped => "return_shipped",
            Step::ReceiveReturn => "receive_return",
            Step::Inspect => "inspect",
            Step::Restock => "restock",
            Step::Refund => "refund",
            Step::ShipReplacement => "ship_replacement",
        }
    }
}

impl Flow {
    /// The flow for `option`, given what has shipped on the order.
    pub fn for_option(option: &ResolutionOption, order: Option<&Order>) -> Flow {
        match option.kind {
            ResolutionKind::Refund => {
                let shipped = order.is_some_and(|o| {
                    requested_lines(option, o)
                        .iter()
                        .any(|l| o.shipped_units(&l.line_id) > 0)
                });
                if shipped {
                    Flow::RefundShipped
                } else {
                    Flow::RefundNotShipped
                }
            }
            ResolutionKind::ReturnRefund => Flow::ReturnRefund,
            ResolutionKind::Exchange => Flow::Exchange,
            ResolutionKind::Reship => Flow::Reship,
            ResolutionKind::PartialRefund | ResolutionKind::Compensation => Flow::AmountRefund,
            _ => Flow::Simple,
        }
    }

    pub fn steps(self) -> &'static [Step] {
        use Step::*;
        match self {
            Flow::RefundNotShipped => &[ConfirmNotShipped, CancelOrder, Refund],
            Flow::RefundShipped => &[TrackParcel, ParcelBack, Refund],
            Flow::ReturnRefund => &[ReturnShipped, ReceiveReturn, Inspect, Restock, Refund],
            Flow::Exchange => &[ReturnShipped, ReceiveReturn, Inspect, ShipReplacement],
            Flow::Reship => &[ShipReplacement],
            Flow::AmountRefund => &[Refund],
            Flow::Simple => &[],
        }
    }
}

/// The lines an option is about: those it names, else every line with units left.
pub fn requested_lines(option: &ResolutionOption, order: &Order) -> Vec<RequestedLine> {
    if !option.lines.is_empty() {
        return option.lines.clone();
    }
    match order.refundable() {
        Ok(r) => r
            .lines
            .into_iter()
            .filter(|l| l.quantity > 0)
            .map(|l| RequestedLine {
                line_id: l.line_id,
                quantity: l.quantity,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

/// Inspection of returned goods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Inspection {
    /// Quantity and spec match the request.
    Pass,
    /// Only some units are acceptable (`lines` says which).
    Partial,
    /// Nothing acceptable: the case goes back to negotiation.
    Fail,
}

/// What a parcel on its way to the customer became.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ParcelOutcome {
    Intercepted,
    Refused,
    Returned,
}

/// A step's fields, as sent with its action.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepFields {
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub outcome: Option<ParcelOutcome>,
    #[serde(default)]
    pub carrier: Option<String>,
    #[serde(default)]
    pub tracking_no: Option<String>,
    #[serde(default)]
    pub result: Option<Inspection>,
    #[serde(default)]
    pub lines: Option<Vec<RequestedLine>>,
    #[serde(default)]
    pub spec_matches: Option<bool>,
    #[serde(default)]
    pub photos: Vec<String>,
    #[serde(default)]
    pub method: Option<String>,
}

/// A step taken, kept on the case and in its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StepRecord {
    pub step: Step,
    pub by: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The step's own facts: parcel status, outcome, return tracking, inspection, refund…
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// A change the step makes to the order, written in the same transaction as the event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderEffect {
    Refund {
        order_no: String,
        refund: RefundRecord,
    },
    Shipment {
        order_no: String,
        shipment: Shipment,
    },
}

/// What a step decided: its record, whether it ends the flow (or fails it), and its effects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepOutcome {
    pub record: StepRecord,
    pub completes: bool,
    pub fails: bool,
    pub effects: Vec<OrderEffect>,
}

/// The next step of the case's flow, if it is carrying one out.
pub fn next_step(case: &Case) -> Option<Step> {
    let chosen = case.chosen.as_ref()?;
    chosen.flow.steps().get(case.steps_done.len()).copied()
}

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
    actor: &str,
    now: DateTime<Utc>,
) -> Result<StepOutcome, Rejection> {
    let chosen = case
        .chosen
        .as_ref()
        .ok_or_else(|| Rejection::invalid("action", Problem::NoChoice))?;
    let note = text::optional("note", fields.note.as_deref())?;
    let order = require_order(order, case)?;
    let option = &chosen.option;
    let mut data = serde_json::json!({});
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
            data = serde_json::json!({"checked_lines": lines});
        }
        Step::CancelOrder | Step::ReceiveReturn | Step::Restock => {}
        Step::TrackParcel => {
            let status = text::required("status", fields.status.as_deref().unwrap_or(""))
                .map_err(|_| FieldError::new("status", Problem::Explain(Ask::WhereTheParcelIs)))?;
            data = serde_json::json!({"status": status});
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
            data = serde_json::json!({"outcome": outcome});
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
            data = serde_json::json!({"carrier": carrier, "tracking_no": tracking_no});
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
            data = serde_json::json!({"result": result, "accepted": accepted, "spec_matches": fields.spec_matches, "photos": fields.photos});
        }
        Step::Refund => {
            let method = match fields.method.as_deref() {
                None => "original".to_owned(),
                Some(m) => code("method", m)?,
            };
            let refund = refund_for(case, option, order, &method, now)?;
            data = serde_json::json!({"cash_cents": refund.cash_cents, "points_cents": refund.points_cents,
                                      "shipping_cents": refund.shipping_cents, "lines": refund.lines, "method": method});
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
            data =
                serde_json::json!({"carrier": carrier, "tracking_no": tracking_no, "lines": lines});
            completes = true;
        }
    }
    Ok(StepOutcome {
        record: StepRecord {
            step,
            by: actor.to_owned(),
            at: now,
            note,
            data,
        },
        completes,
        fails,
        effects,
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
        .and_then(|s| serde_json::from_value(s.data["accepted"].clone()).ok())
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
        let amount = option.amount_cents.unwrap_or(0);
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
            cash_cents: l.cash_cents,
            points_cents: l.points_cents,
        })
        .collect();
    Ok(record(
        lines,
        q.shipping_cents,
        q.cash_cents,
        q.points_cents,
    ))
}

/// Checks and completes an option against the order when it is proposed: refunds of units
/// get their amount from the quote; amounts may not exceed what is left to refund.
pub fn check_option(
    index: usize,
    option: &mut ResolutionOption,
    order: Option<&Order>,
) -> Result<(), FieldError> {
    let field = |name: &str| format!("options[{index}].{name}");
    let Some(order) = order else {
        if matches!(
            option.kind,
            ResolutionKind::Refund | ResolutionKind::ReturnRefund
        ) && option.amount_cents.is_none()
        {
            return Err(FieldError::new(&field("amount_cents"), Problem::NoOrder));
        }
        return Ok(());
    };
    let refundable = order
        .refundable()
        .map_err(|_| FieldError::new(&field("kind"), Problem::OrderInconsistent))?;
    for (i, l) in option.lines.iter().enumerate() {
        let Some(left) = refundable.lines.iter().find(|r| r.line_id == l.line_id) else {
            return Err(FieldError::new(
                &format!("options[{index}].lines[{i}].line_id"),
                Problem::Unknown {
                    thing: Thing::Line,
                    value: l.line_id.to_string(),
                },
            ));
        };
        let limit =
            if option.kind == ResolutionKind::Reship || option.kind == ResolutionKind::Exchange {
                order
                    .amounts
                    .lines
                    .iter()
                    .find(|x| x.line_id == l.line_id)
                    .map(|x| x.quantity)
                    .unwrap_or(0)
            } else {
                left.quantity
            };
        if l.quantity <= 0 || l.quantity > limit {
            return Err(FieldError::explained(
                &format!("options[{index}].lines[{i}].quantity"),
                Problem::Range { min: 1, max: limit },
                format!("between 1 and {limit} for line `{}`", l.line_id),
            ));
        }
    }
    match option.kind {
        ResolutionKind::Refund | ResolutionKind::ReturnRefund => {
            let lines = requested_lines(option, order);
            if lines.is_empty() {
                return Err(FieldError::new(&field("lines"), Problem::NothingLeft));
            }
            let q = order
                .quote(
                    lines,
                    option.include_shipping && refundable.shipping_cents > 0,
                )
                .map_err(|e| {
                    FieldError::explained(
                        &field("lines"),
                        Problem::OrderInconsistent,
                        e.into_iter()
                            .map(|e| e.message)
                            .collect::<Vec<_>>()
                            .join("; "),
                    )
                })?;
            match option.amount_cents {
                Some(a) if a != q.cash_cents => {
                    return Err(FieldError::new(
                        &field("amount_cents"),
                        Problem::QuoteMismatch {
                            quote_cents: q.cash_cents,
                        },
                    ))
                }
                _ => option.amount_cents = Some(q.cash_cents),
            }
        }
        ResolutionKind::PartialRefund | ResolutionKind::Compensation => {
            let left: i64 = refundable
                .lines
                .iter()
                .filter(|l| {
                    option.lines.is_empty() || option.lines.iter().any(|o| o.line_id == l.line_id)
                })
                .map(|l| l.cash_cents)
                .sum();
            if option.amount_cents.unwrap_or(0) > left {
                return Err(FieldError::explained(
                    &field("amount_cents"),
                    Problem::OverRefundable { left_cents: left },
                    format!(
                        "only {left} cents are left to refund on {}",
                        if option.lines.is_empty() {
                            "this order"
                        } else {
                            "these lines"
                        }
                    ),
                ));
            }
        }
        _ => {}
    }
    Ok(())
}
