//! How the money of a refund goes back, beyond what each unit was paid (rules 1–5): the
//! settlement of 网络购买商品七日无理由退货暂行办法 (SAMR Order 90, revised 2020):
//! - Art. 14: the refund goes back the way it was paid: over the order's payments in the
//!   order they were used (Alipay, then 花呗, then balance…), each up to what it paid less
//!   what earlier refunds already returned to it;
//! - Art. 15: what was paid in points or coupons goes back in kind: points by rule 2, a coupon
//!   by reinstating it once every unit it applied to is back, if it is still valid (an
//!   expired one is not paid out in cash);
//! - Art. 17: goods bought under a promotion (满减) and returned in part are settled at the
//!   purchase prices: if the goods kept no longer reach the promotion's threshold, the
//!   discount they enjoyed is deducted from the refund (多退少补: if it is more than the
//!   refund, the customer owes the difference); returning the rest later gives it back;
//! - Art. 18: shipping the order got free by reaching a threshold (满N包邮) is charged at its
//!   normal price when the goods kept fall below the threshold.
//!
//! Each adjustment is computed from the state of the order before and after this refund, so
//! any sequence of partial returns ends where returning everything at once would.

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use super::{DiscountKind, LineAllocation, OrderAmounts, Refunded};
use crate::error::{FieldError, Problem};

/// What goes back to one of the order's payments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentRefund {
    pub method: String,
    pub cash_cents: i64,
}

/// The settlement of one refund.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settlement {
    pub payments: Vec<PaymentRefund>,
    pub coupons_reinstated: Vec<String>,
    pub coupons_expired: Vec<String>,
    /// Deducted for a promotion the goods kept no longer reach (negative: given back).
    pub promotion_adjustment_cents: i64,
    /// Deducted for free shipping the goods kept no longer reach (negative: given back).
    pub shipping_deducted_cents: i64,
}

/// The payments add up to what was paid: the lines' cash plus shipping.
pub fn check_payments(
    order: &OrderAmounts,
    allocation: &[LineAllocation],
) -> Result<(), Vec<FieldError>> {
    if order.payments.is_empty() {
        return Ok(());
    }
    let paid: i64 = allocation.iter().map(|a| a.paid_cents).sum::<i64>() + order.shipping_cents;
    let given: i64 = order.payments.iter().map(|p| p.amount_cents).sum();
    if given == paid {
        Ok(())
    } else {
        Err(vec![FieldError::explained(
            "order.payments",
            Problem::OrderInconsistent,
            format!(
                "the payments add up to {given} cents, but {paid} cents were paid (the lines' cash plus shipping)"
            ),
        )])
    }
}

/// The units of each line kept by the customer: ordered less refunded.
fn kept(order: &OrderAmounts, refunded_units: &[i64]) -> Vec<i64> {
    order
        .lines
        .iter()
        .zip(refunded_units)
        .map(|(l, r)| l.quantity - r)
        .collect()
}

/// The share of a line's amount `v` that stays with the `n - r` units kept (rule 3's floors).
fn kept_share(v: i64, r: i64, n: i64) -> i64 {
    v - (i128::from(v) * i128::from(r) / i128::from(n)) as i64
}

/// The promotion discounts the goods kept enjoy without reaching their thresholds.
fn clawback(order: &OrderAmounts, shares: &[Vec<i64>], refunded_units: &[i64]) -> i64 {
    let kept = kept(order, refunded_units);
    order
        .discounts
        .iter()
        .zip(shares)
        .filter_map(|(d, per_line)| {
            let threshold = d.threshold_cents?;
            let targets = order.discount_targets(d);
            let kept_gross: i64 = targets
                .iter()
                .map(|&i| order.lines[i].unit_price_cents * kept[i])
                .sum();
            (kept_gross > 0 && kept_gross < threshold).then(|| {
                targets
                    .iter()
                    .map(|&i| kept_share(per_line[i], refunded_units[i], order.lines[i].quantity))
                    .sum::<i64>()
            })
        })
        .sum()
}

/// The shipping the goods kept would now cost, if the order shipped free by a threshold.
fn shipping_due(
    order: &OrderAmounts,
    allocation: &[LineAllocation],
    refunded_units: &[i64],
) -> i64 {
    let Some(fs) = &order.free_shipping else {
        return 0;
    };
    let net = |a: &LineAllocation| a.gross_cents - a.discount_cents;
    let bought: i64 = allocation.iter().map(net).sum();
    if order.shipping_cents > 0 || bought < fs.threshold_cents {
        return 0;
    }
    let kept_net: i64 = allocation
        .iter()
        .zip(order.lines.iter().zip(refunded_units))
        .map(|(a, (l, r))| kept_share(net(a), *r, l.quantity))
        .sum();
    if kept_net > 0 && kept_net < fs.threshold_cents {
        fs.shipping_cents
    } else {
        0
    }
}

/// The settlement of refunding `asked` units (per line) on top of `before`, paying back
/// `cash_cents` (rules 1–5) at `at`; `shares` are the discounts' shares per line (rule 1).
#[allow(clippy::too_many_arguments)]
pub(super) fn settle(
    order: &OrderAmounts,
    allocation: &[LineAllocation],
    shares: &[Vec<i64>],
    refunded: &Refunded,
    before: &[i64],
    asked: &[i64],
    cash_cents: i64,
    at: Option<DateTime<FixedOffset>>,
) -> Result<Settlement, Vec<FieldError>> {
    let after: Vec<i64> = before.iter().zip(asked).map(|(b, a)| b + a).collect();
    check_coupons(order, refunded, before)?;
    let promotion_adjustment_cents =
        clawback(order, shares, &after) - clawback(order, shares, before);
    let shipping_deducted_cents =
        shipping_due(order, allocation, &after) - shipping_due(order, allocation, before);
    let mut s = Settlement {
        promotion_adjustment_cents,
        shipping_deducted_cents,
        ..Settlement::default()
    };
    // Coupons whose every unit is back with this refund.
    let kept_before = kept(order, before);
    let kept_after = kept(order, &after);
    for d in &order.discounts {
        if !matches!(
            d.kind,
            DiscountKind::ShopCoupon | DiscountKind::PlatformCoupon
        ) || refunded.coupons.contains(&d.id)
        {
            continue;
        }
        let targets = order.discount_targets(d);
        let all_back = |kept: &[i64]| targets.iter().all(|&i| kept[i] == 0);
        if all_back(&kept_after) && !all_back(&kept_before) {
            let valid = match (d.valid_until, at) {
                (Some(until), Some(at)) => at < until,
                _ => true,
            };
            if valid {
                s.coupons_reinstated.push(d.id.clone());
            } else {
                s.coupons_expired.push(d.id.clone());
            }
        }
    }
    // Back the way it was paid: each payment in turn, after what earlier refunds returned.
    if !order.payments.is_empty() {
        let net = cash_cents - promotion_adjustment_cents - shipping_deducted_cents;
        let mut already: i64 =
            refunded.lines.iter().map(|l| l.cash_cents).sum::<i64>() + refunded.shipping_cents;
        let mut left = net.max(0);
        for p in &order.payments {
            let room = (p.amount_cents - already).max(0);
            already = (already - p.amount_cents).max(0);
            let take = room.min(left);
            if take > 0 {
                s.payments.push(PaymentRefund {
                    method: p.method.clone(),
                    cash_cents: take,
                });
            }
            left -= take;
        }
    }
    Ok(s)
}

/// Coupons named as reinstated before: on the order, coupons, once each, their goods back.
fn check_coupons(
    order: &OrderAmounts,
    refunded: &Refunded,
    before: &[i64],
) -> Result<(), Vec<FieldError>> {
    let kept = kept(order, before);
    let mut errors = Vec::new();
    for (k, id) in refunded.coupons.iter().enumerate() {
        let field = format!("refunded.coupons[{k}]");
        let Some(d) = order.discounts.iter().find(|d| &d.id == id) else {
            errors.push(FieldError::explained(
                &field,
                Problem::Invalid,
                format!("the order has no coupon `{id}`"),
            ));
            continue;
        };
        if refunded.coupons[..k].contains(id) {
            errors.push(FieldError::new(
                &field,
                Problem::Twice { value: id.clone() },
            ));
        } else if !matches!(
            d.kind,
            DiscountKind::ShopCoupon | DiscountKind::PlatformCoupon
        ) {
            errors.push(FieldError::explained(
                &field,
                Problem::Invalid,
                format!("`{id}` is a {}, not a coupon", d.kind.code()),
            ));
        } else if order.discount_targets(d).iter().any(|&i| kept[i] > 0) {
            errors.push(FieldError::explained(
                &field,
                Problem::OrderInconsistent,
                format!("coupon `{id}` cannot have been reinstated: not all of its goods are back"),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[cfg(test)]
#[path = "settle_tests.rs"]
mod tests;
