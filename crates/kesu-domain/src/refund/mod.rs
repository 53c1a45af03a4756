//! Refund quotes to the cent (docs/interface.md §5): discounts and points apportioned over the
//! order's lines by largest remainder, units refunded so that every unit, in any number of
//! steps, returns exactly what was paid, never more.

mod apportion;
mod request;
mod settle;

pub use apportion::spread;
pub use request::{
    Discount, DiscountKind, FreeShipping, OrderAmounts, OrderLine, Payment, QuoteRequest,
    RefundRequest, Refunded, RefundedLine, RequestedLine,
};
pub use settle::{check_payments, PaymentRefund};

use crate::error::{FieldError, Problem, Thing};
use crate::money::Cents;
use serde::Serialize;

/// What each line of the order was paid with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineAllocation {
    pub line_id: String,
    /// Unit price × quantity.
    pub gross_cents: i64,
    /// The discounts spread onto this line.
    pub discount_cents: i64,
    /// The points (cash value) spread onto this line.
    pub points_cents: i64,
    /// Cash paid for the line: gross − discounts − points.
    pub paid_cents: i64,
}

/// What to return for one requested line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineRefund {
    pub line_id: String,
    pub quantity: i64,
    pub cash_cents: Cents,
    pub points_cents: Cents,
}

/// The quote: the allocation of the whole order and what to return now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Quote {
    pub allocation: Vec<LineAllocation>,
    pub lines: Vec<LineRefund>,
    pub shipping_cents: Cents,
    /// Total cash to return, shipping included.
    pub cash_cents: Cents,
    /// Total value of points to return.
    pub points_cents: Cents,
    /// The cash split over the order's payments, in the order they were used (when the
    /// order lists its payments).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<PaymentRefund>,
    /// Coupons given back to the customer, every unit they applied to being returned.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coupons_reinstated: Vec<String>,
    /// Coupons whose goods all came back after they expired: not reinstated, not paid.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub coupons_expired: Vec<String>,
    /// Deducted because the goods kept no longer reach a promotion's threshold (满减);
    /// negative when a later return gives it back.
    #[serde(skip_serializing_if = "is_zero")]
    pub promotion_adjustment_cents: i64,
    /// Deducted because the goods kept no longer reach the free-shipping threshold.
    #[serde(skip_serializing_if = "is_zero")]
    pub shipping_deducted_cents: i64,
    /// `cash_cents` less the adjustments: what actually goes back (present when any
    /// adjustment applies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub net_cash_cents: Option<i64>,
    /// When the adjustments exceed the refund: what the customer pays (多退少补).
    #[serde(skip_serializing_if = "is_zero")]
    pub customer_owes_cents: i64,
}

fn is_zero(v: &i64) -> bool {
    *v == 0
}

/// How the order's money is spread over its lines (rules 1 and 2).
pub fn allocate(order: &OrderAmounts) -> Result<Vec<LineAllocation>, Vec<FieldError>> {
    allocate_with_shares(order).map(|(allocation, _)| allocation)
}

/// [`allocate`], with each discount's share of each line (the settlement needs them).
fn allocate_with_shares(order: &OrderAmounts) -> Result<Allocated, Vec<FieldError>> {
    order.check()?;
    let gross: Vec<i64> = order
        .lines
        .iter()
        .map(|l| l.unit_price_cents * l.quantity)
        .collect();
    let shares = discount_shares(order, &gross)?;
    let mut left = gross.clone();
    for per_line in &shares {
        for (i, share) in per_line.iter().enumerate() {
            left[i] -= share;
        }
    }
    let points = spread(order.points_cents, &left).ok_or_else(|| {
        vec![FieldError::explained(
            "order.points_cents",
            Problem::OrderInconsistent,
            format!(
                "points worth {} cents are more than the order's net value of {} cents",
                order.points_cents,
                left.iter().sum::<i64>()
            ),
        )]
    })?;
    let allocation = order
        .lines
        .iter()
        .enumerate()
        .map(|(i, line)| LineAllocation {
            line_id: line.line_id.clone(),
            gross_cents: gross[i],
            discount_cents: gross[i] - left[i],
            points_cents: points[i],
            paid_cents: left[i] - points[i],
        })
        .collect();
    Ok((allocation, shares))
}

/// An allocation and the discounts' shares per line, discount by discount.
type Allocated = (Vec<LineAllocation>, Vec<Vec<i64>>);

/// Each discount's share of each line (rule 1), discount by discount.
fn discount_shares(order: &OrderAmounts, gross: &[i64]) -> Result<Vec<Vec<i64>>, Vec<FieldError>> {
    let mut left = gross.to_vec();
    let mut out = Vec::with_capacity(order.discounts.len());
    for (d_index, discount) in order.discounts.iter().enumerate() {
        let targets = order.discount_targets(discount);
        let weights: Vec<i64> = targets.iter().map(|&i| left[i]).collect();
        let shares = spread(discount.amount_cents, &weights).ok_or_else(|| {
            vec![FieldError::explained(
                &format!("order.discounts[{d_index}].amount_cents"),
                Problem::OrderInconsistent,
                format!(
                    "discount `{}` ({} cents) is larger than what is left of its lines ({} cents)",
                    discount.id,
                    discount.amount_cents,
                    weights.iter().sum::<i64>()
                ),
            )]
        })?;
        let mut per_line = vec![0i64; gross.len()];
        for (&i, share) in targets.iter().zip(shares) {
            left[i] -= share;
            per_line[i] = share;
        }
        out.push(per_line);
    }
    Ok(out)
}

/// Quotes a refund (rules 1–5).
pub fn quote(req: &QuoteRequest) -> Result<Quote, Vec<FieldError>> {
    let (allocation, shares) = allocate_with_shares(&req.order)?;
    let earlier = req.refunded.clone().unwrap_or_default();
    let before = earlier.per_line(&req.order, &allocation)?;
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    let mut seen = Vec::new();
    for (k, asked) in req.request.lines.iter().enumerate() {
        let field = |name: &str| format!("request.lines[{k}].{name}");
        let Some(i) = req.order.line_index(&asked.line_id) else {
            errors.push(FieldError::new(
                &field("line_id"),
                Problem::Unknown {
                    thing: Thing::Line,
                    value: asked.line_id.to_string(),
                },
            ));
            continue;
        };
        if seen.contains(&i) {
            errors.push(FieldError::new(
                &field("line_id"),
                Problem::Twice {
                    value: asked.line_id.to_string(),
                },
            ));
            continue;
        }
        seen.push(i);
        let n = req.order.lines[i].quantity;
        let (r, cash_before, points_before) = before[i];
        if asked.quantity <= 0 {
            errors.push(FieldError::new(
                &field("quantity"),
                Problem::AtLeast { min: 1 },
            ));
            continue;
        }
        if asked.quantity > n - r {
            errors.push(FieldError::explained(
                &field("quantity"),
                Problem::Range { min: 1, max: n - r },
                format!(
                    "only {} of {} units of line `{}` are left to refund",
                    n - r,
                    n,
                    asked.line_id
                ),
            ));
            continue;
        }
        let a = &allocation[i];
        let cash = units_share(a.paid_cents, r, asked.quantity, n).min(a.paid_cents - cash_before);
        let points =
            units_share(a.points_cents, r, asked.quantity, n).min(a.points_cents - points_before);
        lines.push(LineRefund {
            line_id: asked.line_id.clone(),
            quantity: asked.quantity,
            cash_cents: Cents::new(cash.max(0)),
            points_cents: Cents::new(points.max(0)),
        });
    }
    let shipping_cents = if req.request.include_shipping {
        if earlier.shipping_cents > 0 {
            errors.push(FieldError::explained(
                "request.include_shipping",
                Problem::AlreadyRefunded,
                "shipping has already been refunded",
            ));
        }
        req.order.shipping_cents
    } else {
        0
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let shipping_cents = Cents::new(shipping_cents);
    let cash_cents = lines.iter().map(|l| l.cash_cents).sum::<Cents>() + shipping_cents;
    let points_cents = lines.iter().map(|l| l.points_cents).sum();
    check_payments(&req.order, &allocation)?;
    let units_before: Vec<i64> = before.iter().map(|b| b.0).collect();
    let mut asked = vec![0i64; req.order.lines.len()];
    for l in &lines {
        if let Some(i) = req.order.line_index(&l.line_id) {
            asked[i] += l.quantity;
        }
    }
    let s = settle::settle(
        &req.order,
        &allocation,
        &shares,
        &earlier,
        &units_before,
        &asked,
        cash_cents.get(),
        req.at,
    )?;
    let adjustments = s.promotion_adjustment_cents + s.shipping_deducted_cents;
    let net = cash_cents.get() - adjustments;
    Ok(Quote {
        allocation,
        lines,
        shipping_cents,
        cash_cents,
        points_cents,
        payments: s.payments,
        coupons_reinstated: s.coupons_reinstated,
        coupons_expired: s.coupons_expired,
        promotion_adjustment_cents: s.promotion_adjustment_cents,
        shipping_deducted_cents: s.shipping_deducted_cents,
        net_cash_cents: (adjustments != 0).then_some(net.max(0)),
        customer_owes_cents: (-net).max(0),
    })
}

/// ⌊V·(r+k)/n⌋ − ⌊V·r/n⌋: the share of `k` more units of a line worth `v` over `n` units,
/// `r` of them refunded before. Summed over any split of all `n` units it is exactly `v`.
fn units_share(v: i64, r: i64, k: i64, n: i64) -> i64 {
    let v = i128::from(v);
    let n = i128::from(n);
    let upto = |u: i64| v * i128::from(u) / n;
    (upto(r + k) - upto(r)) as i64
}

#[cfg(test)]
mod tests;
