//! Checking a proposed option against the order.

use super::requested_lines;
use crate::case::ResolutionOption;
use crate::codes::ResolutionKind;
use crate::error::{FieldError, Problem, Thing};
use crate::money::Cents;
use crate::order::Order;

/// get their amount from the quote; amounts may not exceed what is left to refund.
/// Checks and completes an option against the order when it is proposed: refunds of units
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
                            quote_cents: q.cash_cents.get(),
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
            if option.amount_cents.map_or(0, Cents::get) > left {
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
