//! The quote request (docs/interface.md §5) and its checks.

use crate::error::{FieldError, Problem, Thing};
use serde::{Deserialize, Serialize};

use super::LineAllocation;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub order: OrderAmounts,
    #[serde(default)]
    pub refunded: Option<Refunded>,
    pub request: RefundRequest,
    /// When the refund is made (whether a coupon is still valid); default now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// The money side of an order: what a stored order's lines, discounts, points and
/// shipping are, so an order's JSON can be passed as it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderAmounts {
    pub lines: Vec<OrderLine>,
    #[serde(default)]
    pub discounts: Vec<Discount>,
    #[serde(default)]
    pub points_cents: i64,
    #[serde(default)]
    pub shipping_cents: i64,
    /// How the buyer paid, in the order the methods were used (Alipay, then 花呗, then
    /// balance…); they add up to what was paid: lines' cash plus shipping.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<Payment>,
    /// Free shipping from a threshold (包邮): what shipping would have cost below it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_shipping: Option<FreeShipping>,
}

/// One payment of an order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// `alipay`, `huabei`, `wechat_pay`, `balance`, `credit_card`…
    pub method: String,
    pub amount_cents: i64,
}

/// 满N包邮: orders whose goods (after discounts) reach `threshold_cents` ship free; below
/// it shipping costs `shipping_cents`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct FreeShipping {
    pub threshold_cents: i64,
    pub shipping_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderLine {
    pub line_id: String,
    pub unit_price_cents: i64,
    pub quantity: i64,
    /// Descriptive fields of a stored order line; they do not affect the money.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec: Option<String>,
    /// The production batch (批次) the goods came from, when the shop knows it: complaints
    /// bursting about one batch are found like those about one SKU.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<String>,
    /// What the product is where the law treats it apart: goods excluded from seven-day
    /// no-reason returns, or confirmed non-returnable at purchase (`seven_day_return`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<crate::seven_day_return::ProductFlag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DiscountKind {
    Item,
    ShopCoupon,
    PlatformCoupon,
    Promotion,
}

impl DiscountKind {
    pub const ALL: &'static [DiscountKind] = &[
        DiscountKind::Item,
        DiscountKind::ShopCoupon,
        DiscountKind::PlatformCoupon,
        DiscountKind::Promotion,
    ];

    /// The code used in the API.
    pub fn code(self) -> &'static str {
        match self {
            DiscountKind::Item => "item",
            DiscountKind::ShopCoupon => "shop_coupon",
            DiscountKind::PlatformCoupon => "platform_coupon",
            DiscountKind::Promotion => "promotion",
        }
    }

    pub fn parse(code: &str) -> Option<DiscountKind> {
        Self::ALL.iter().copied().find(|k| k.code() == code)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Discount {
    pub id: String,
    pub kind: DiscountKind,
    pub amount_cents: i64,
    /// Lines the discount applies to; missing or empty means every line.
    #[serde(default)]
    pub applies_to: Vec<String>,
    /// 满减: the promotion holds only while its lines' gross reaches this; a return below
    /// it settles the kept goods at their price without it (多退少补).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold_cents: Option<i64>,
    /// A coupon's validity: returned whole before then, it is reinstated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<chrono::DateTime<chrono::FixedOffset>>,
}

/// What earlier refunds returned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Refunded {
    #[serde(default)]
    pub lines: Vec<RefundedLine>,
    #[serde(default)]
    pub shipping_cents: i64,
    /// Coupons already reinstated (each at most once).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coupons: Vec<String>,
}

/// An earlier refund on a line; `quantity` 0 records an amount-only refund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundedLine {
    pub line_id: String,
    #[serde(default)]
    pub quantity: i64,
    #[serde(default)]
    pub cash_cents: i64,
    #[serde(default)]
    pub points_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    #[serde(default)]
    pub lines: Vec<RequestedLine>,
    #[serde(default)]
    pub include_shipping: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RequestedLine {
    pub line_id: String,
    pub quantity: i64,
}

/// Largest amount kept anywhere in an order: ¥100,000,000, far above any real order.
pub const MAX_ORDER_CENTS: i64 = 10_000_000_000;
/// Most units on one line.
pub const MAX_QUANTITY: i64 = 1_000_000;

impl OrderAmounts {
    pub fn line_index(&self, line_id: &str) -> Option<usize> {
        self.lines.iter().position(|l| l.line_id == line_id)
    }

    /// Indexes of the lines a discount applies to (all when its list is empty).
    pub(super) fn discount_targets(&self, d: &Discount) -> Vec<usize> {
        if d.applies_to.is_empty() {
            (0..self.lines.len()).collect()
        } else {
            d.applies_to
                .iter()
                .filter_map(|id| self.line_index(id))
                .collect()
        }
    }

    /// The order's own consistency: ids, signs and sizes.
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if self.lines.is_empty() {
            errors.push(FieldError::explained(
                "order.lines",
                Problem::AtLeast { min: 1 },
                "an order has at least one line",
            ));
        }
        for (i, line) in self.lines.iter().enumerate() {
            let f = |name: &str| format!("order.lines[{i}].{name}");
            if line.line_id.trim().is_empty() {
                errors.push(FieldError::new(&f("line_id"), Problem::Empty));
            } else if self.lines[..i].iter().any(|l| l.line_id == line.line_id) {
                errors.push(FieldError::new(
                    &f("line_id"),
                    Problem::Twice {
                        value: line.line_id.to_string(),
                    },
                ));
            }
            if !(0..=MAX_ORDER_CENTS).contains(&line.unit_price_cents) {
                errors.push(FieldError::new(
                    &f("unit_price_cents"),
                    Problem::Range {
                        min: 0,
                        max: 10_000_000_000,
                    },
                ));
            }
            if !(1..=MAX_QUANTITY).contains(&line.quantity) {
                errors.push(FieldError::new(
                    &f("quantity"),
                    Problem::Range {
                        min: 1,
                        max: MAX_QUANTITY,
                    },
                ));
            } else if line.unit_price_cents.saturating_mul(line.quantity) > MAX_ORDER_CENTS {
                errors.push(FieldError::explained(
                    &f("quantity"),
                    Problem::OrderInconsistent,
                    "the line's total is absurdly large",
                ));
            }
        }
        for (k, d) in self.discounts.iter().enumerate() {
            let f = |name: &str| format!("order.discounts[{k}].{name}");
            if d.id.trim().is_empty() {
                errors.push(FieldError::new(&f("id"), Problem::Empty));
            } else if self.discounts[..k].iter().any(|x| x.id == d.id) {
                errors.push(FieldError::new(
                    &f("id"),
                    Problem::Twice {
                        value: d.id.to_string(),
                    },
                ));
            }
            if !(0..=MAX_ORDER_CENTS).contains(&d.amount_cents) {
                errors.push(FieldError::new(
                    &f("amount_cents"),
                    Problem::Range {
                        min: 0,
                        max: 10_000_000_000,
                    },
                ));
            }
            for (j, id) in d.applies_to.iter().enumerate() {
                if self.line_index(id).is_none() {
                    errors.push(FieldError::new(
                        &format!("order.discounts[{k}].applies_to[{j}]"),
                        Problem::Unknown {
                            thing: Thing::Line,
                            value: id.to_string(),
                        },
                    ));
                }
            }
        }
        for (k, p) in self.payments.iter().enumerate() {
            if crate::order::code(&format!("order.payments[{k}].method"), &p.method).is_err() {
                errors.push(FieldError::new(
                    &format!("order.payments[{k}].method"),
                    Problem::Characters,
                ));
            }
            if !(0..=MAX_ORDER_CENTS).contains(&p.amount_cents) {
                errors.push(FieldError::new(
                    &format!("order.payments[{k}].amount_cents"),
                    Problem::Range {
                        min: 0,
                        max: MAX_ORDER_CENTS,
                    },
                ));
            }
        }
        for (k, d) in self.discounts.iter().enumerate() {
            if d.threshold_cents
                .is_some_and(|t| !(0..=MAX_ORDER_CENTS).contains(&t))
            {
                errors.push(FieldError::new(
                    &format!("order.discounts[{k}].threshold_cents"),
                    Problem::Range {
                        min: 0,
                        max: MAX_ORDER_CENTS,
                    },
                ));
            }
        }
        if let Some(fs) = &self.free_shipping {
            for (name, v) in [
                ("threshold_cents", fs.threshold_cents),
                ("shipping_cents", fs.shipping_cents),
            ] {
                if !(0..=MAX_ORDER_CENTS).contains(&v) {
                    errors.push(FieldError::new(
                        &format!("order.free_shipping.{name}"),
                        Problem::Range {
                            min: 0,
                            max: MAX_ORDER_CENTS,
                        },
                    ));
                }
            }
        }
        if !(0..=MAX_ORDER_CENTS).contains(&self.points_cents) {
            errors.push(FieldError::new(
                "order.points_cents",
                Problem::Range {
                    min: 0,
                    max: 10_000_000_000,
                },
            ));
        }
        if !(0..=MAX_ORDER_CENTS).contains(&self.shipping_cents) {
            errors.push(FieldError::new(
                "order.shipping_cents",
                Problem::Range {
                    min: 0,
                    max: 10_000_000_000,
                },
            ));
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

impl Refunded {
    /// Per order line: (units refunded, cash refunded, points refunded) before now.
    pub fn per_line(
        &self,
        order: &OrderAmounts,
        allocation: &[LineAllocation],
    ) -> Result<Vec<(i64, i64, i64)>, Vec<FieldError>> {
        let mut totals = vec![(0i64, 0i64, 0i64); order.lines.len()];
        let mut errors = Vec::new();
        for (k, r) in self.lines.iter().enumerate() {
            let f = |name: &str| format!("refunded.lines[{k}].{name}");
            let Some(i) = order.line_index(&r.line_id) else {
                errors.push(FieldError::new(
                    &f("line_id"),
                    Problem::Unknown {
                        thing: Thing::Line,
                        value: r.line_id.to_string(),
                    },
                ));
                continue;
            };
            for (name, v) in [
                ("quantity", r.quantity),
                ("cash_cents", r.cash_cents),
                ("points_cents", r.points_cents),
            ] {
                if v < 0 {
                    errors.push(FieldError::new(&f(name), Problem::Negative));
                }
            }
            let t = &mut totals[i];
            t.0 = t.0.saturating_add(r.quantity.max(0));
            t.1 = t.1.saturating_add(r.cash_cents.max(0));
            t.2 = t.2.saturating_add(r.points_cents.max(0));
        }
        for (i, (units, cash, points)) in totals.iter().enumerate() {
            let id = &order.lines[i].line_id;
            if *units > order.lines[i].quantity {
                errors.push(FieldError::explained(
                    "refunded.lines",
                    Problem::OrderInconsistent,
                    format!(
                        "{units} units of line `{id}` were refunded, but it has only {}",
                        order.lines[i].quantity
                    ),
                ));
            }
            if *cash > allocation[i].paid_cents || *points > allocation[i].points_cents {
                errors.push(FieldError::explained(
                    "refunded.lines",
                    Problem::OrderInconsistent,
                    format!("more was refunded on line `{id}` than was paid for it"),
                ));
            }
        }
        if self.shipping_cents < 0 {
            errors.push(FieldError::new(
                "refunded.shipping_cents",
                Problem::Negative,
            ));
        } else if self.shipping_cents > order.shipping_cents {
            errors.push(FieldError::explained(
                "refunded.shipping_cents",
                Problem::OrderInconsistent,
                "more than the order's shipping was refunded",
            ));
        }
        if errors.is_empty() {
            Ok(totals)
        } else {
            Err(errors)
        }
    }
}
