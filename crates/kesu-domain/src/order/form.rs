//! The order as a shop sends it (`PUT /api/v1/orders/{order_no}`), checked field by field
//! into an [`Order`].

use chrono::{DateTime, FixedOffset, Utc};
use serde::{Deserialize, Serialize};

use super::{
    code, Buyer, Order, OrderNo, RefundRecord, RefundSource, Shipment, ShipmentKind, ShipmentLine,
    TRACKING_STATUSES,
};
use crate::error::{keep, FieldError, Problem, Thing};
use crate::personal::{Address, PersonName, Phone};
use crate::refund::{
    allocate, Discount, FreeShipping, OrderAmounts, OrderLine, Payment, Refunded, RefundedLine,
};
use crate::text;

/// `PUT /api/v1/orders/{order_no}` (docs/interface.md §5).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OrderForm {
    pub shop: String,
    pub buyer: BuyerForm,
    pub placed_at: DateTime<FixedOffset>,
    #[serde(default)]
    pub paid_at: Option<DateTime<FixedOffset>>,
    #[serde(default)]
    pub payment_method: Option<String>,
    pub lines: Vec<OrderLine>,
    #[serde(default)]
    pub discounts: Vec<Discount>,
    #[serde(default)]
    pub points_cents: i64,
    #[serde(default)]
    pub shipping_cents: i64,
    /// How it was paid, in the order the methods were used; they add up to what was paid.
    #[serde(default)]
    pub payments: Vec<Payment>,
    #[serde(default)]
    pub free_shipping: Option<FreeShipping>,
    /// Return-shipping insurance (运费险) bought with the order.
    #[serde(default)]
    pub freight_insurance: Option<crate::return_freight::FreightInsurance>,
    #[serde(default)]
    pub shipments: Vec<ShipmentForm>,
    /// Refunds already made (e.g. by the platform before the order reached kesu).
    #[serde(default)]
    pub refunds: Vec<RefundForm>,
}

#[derive(Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BuyerForm {
    pub name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

impl std::fmt::Debug for BuyerForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BuyerForm(<personal data>)")
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShipmentForm {
    pub carrier: String,
    pub tracking_no: String,
    #[serde(default)]
    pub shipped_at: Option<DateTime<FixedOffset>>,
    pub lines: Vec<ShipmentLine>,
    #[serde(default)]
    pub kind: ShipmentKind,
    /// The last tracking status known (docs/interface.md §6 codes), if any.
    #[serde(default)]
    pub status: Option<String>,
    /// When the customer signed for it, if known.
    #[serde(default)]
    pub signed_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RefundForm {
    #[serde(default)]
    pub lines: Vec<RefundedLine>,
    #[serde(default)]
    pub shipping_cents: i64,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub at: Option<DateTime<FixedOffset>>,
    /// The platform's or payment provider's reference.
    #[serde(default)]
    pub reference: Option<String>,
}

impl OrderForm {
    /// Checks everything and reports every problem, named as the API names it.
    pub fn parse(self, order_no: &str) -> Result<Order, Vec<FieldError>> {
        let mut errors = Vec::new();
        let order_no = keep(&mut errors, OrderNo::parse("order_no", order_no));
        let shop = keep(
            &mut errors,
            text::required("shop", &self.shop).and_then(|s| {
                if s.chars().count() > 64 {
                    Err(FieldError::new("shop", Problem::TooLong { max: 64 }))
                } else {
                    Ok(s)
                }
            }),
        );
        let name = keep(
            &mut errors,
            PersonName::parse("buyer.name", &self.buyer.name),
        );
        let phone = optional(&mut errors, self.buyer.phone.as_deref(), |v| {
            Phone::parse("buyer.phone", v)
        });
        let address = optional(&mut errors, self.buyer.address.as_deref(), |v| {
            Address::parse("buyer.address", v)
        });
        let payment_method = optional(&mut errors, self.payment_method.as_deref(), |v| {
            code("payment_method", v)
        });
        if let Some(i) = &self.freight_insurance {
            if !(1..=100_000).contains(&i.max_cents) {
                errors.push(FieldError::new(
                    "freight_insurance.max_cents",
                    Problem::Range {
                        min: 1,
                        max: 100_000,
                    },
                ));
            }
        }
        if let Some(paid) = self.paid_at {
            if paid < self.placed_at {
                errors.push(FieldError::explained(
                    "paid_at",
                    Problem::Before {
                        other: "placed_at".into(),
                    },
                    "is before placed_at",
                ));
            }
        }
        let amounts = OrderAmounts {
            lines: self.lines,
            discounts: self.discounts,
            points_cents: self.points_cents,
            shipping_cents: self.shipping_cents,
            payments: self.payments,
            free_shipping: self.free_shipping,
        };
        let allocation = match allocate(&amounts).and_then(|a| {
            crate::refund::check_payments(&amounts, &a)?;
            Ok(a)
        }) {
            Ok(a) => Some(a),
            Err(mut e) => {
                // The order's own fields are top-level here, not under `order.`.
                for f in &mut e {
                    f.field = f.field.trim_start_matches("order.").to_owned();
                }
                errors.append(&mut e);
                None
            }
        };
        let shipments = parse_shipments(&self.shipments, &amounts, self.paid_at, &mut errors);
        let before = errors.len();
        let refunds = parse_refunds(&self.refunds, &amounts, &mut errors);
        let refunds_ok = errors.len() == before;
        if let (Some(allocation), true) = (&allocation, refunds_ok) {
            let refunded = Refunded {
                lines: refunds.iter().flat_map(|r| r.lines.clone()).collect(),
                shipping_cents: refunds.iter().map(|r| r.shipping_cents).sum(),
                coupons: Vec::new(),
            };
            if let Err(mut e) = refunded.per_line(&amounts, allocation) {
                for f in &mut e {
                    f.field = f.field.replacen("refunded", "refunds", 1);
                }
                errors.append(&mut e);
            }
        }
        match (order_no, shop, name, errors.is_empty()) {
            (Some(order_no), Some(shop), Some(name), true) => Ok(Order {
                order_no,
                shop,
                buyer: Buyer {
                    name,
                    phone,
                    address,
                },
                placed_at: self.placed_at.with_timezone(&Utc),
                paid_at: self.paid_at.map(|t| t.with_timezone(&Utc)),
                payment_method,
                freight_insurance: self.freight_insurance,
                amounts,
                shipments,
                refunds,
            }),
            _ => Err(errors),
        }
    }
}

fn optional<T>(
    errors: &mut Vec<FieldError>,
    raw: Option<&str>,
    parse: impl FnOnce(&str) -> Result<T, FieldError>,
) -> Option<T> {
    match raw.map(str::trim) {
        None | Some("") => None,
        Some(v) => parse(v).map_err(|e| errors.push(e)).ok(),
    }
}

fn parse_shipments(
    forms: &[ShipmentForm],
    amounts: &OrderAmounts,
    paid_at: Option<DateTime<FixedOffset>>,
    errors: &mut Vec<FieldError>,
) -> Vec<Shipment> {
    let mut shipped = vec![0i64; amounts.lines.len()];
    let mut out = Vec::new();
    for (k, s) in forms.iter().enumerate() {
        let f = |name: &str| format!("shipments[{k}].{name}");
        let carrier = code(&f("carrier"), &s.carrier)
            .map_err(|e| errors.push(e))
            .ok();
        let tracking = text::identifier(&f("tracking_no"), &s.tracking_no, 40)
            .map_err(|e| errors.push(e))
            .ok();
        if let Some(status) = &s.status {
            if !TRACKING_STATUSES.contains(&status.as_str()) {
                errors.push(FieldError::new(
                    &f("status"),
                    Problem::NotOneOf {
                        allowed: TRACKING_STATUSES.join(", "),
                    },
                ));
            }
        }
        // Goods are signed for after they leave, and after they are paid for.
        let not_before = [(s.shipped_at, "shipped_at"), (paid_at, "paid_at")];
        for (earlier, name) in not_before {
            if let (Some(signed), Some(earlier)) = (s.signed_at, earlier) {
                if signed < earlier {
                    errors.push(FieldError::explained(
                        &f("signed_at"),
                        Problem::Before { other: name.into() },
                        format!("is before {name}: goods are signed for after that"),
                    ));
                    break;
                }
            }
        }
        if s.lines.is_empty() {
            errors.push(FieldError::explained(
                &f("lines"),
                Problem::AtLeast { min: 1 },
                "a shipment carries at least one line",
            ));
        }
        for (j, l) in s.lines.iter().enumerate() {
            let lf = format!("shipments[{k}].lines[{j}]");
            match amounts.line_index(&l.line_id) {
                None => errors.push(FieldError::new(
                    &format!("{lf}.line_id"),
                    Problem::Unknown {
                        thing: Thing::Line,
                        value: l.line_id.to_string(),
                    },
                )),
                Some(_) if l.quantity <= 0 => errors.push(FieldError::new(
                    &format!("{lf}.quantity"),
                    Problem::AtLeast { min: 1 },
                )),
                Some(i) if s.kind == ShipmentKind::Original => {
                    shipped[i] += l.quantity;
                    if shipped[i] > amounts.lines[i].quantity {
                        errors.push(FieldError::explained(
                            &format!("{lf}.quantity"),
                            Problem::Range {
                                min: 1,
                                max: amounts.lines[i].quantity,
                            },
                            format!(
                                "more units of line `{}` shipped than were ordered",
                                l.line_id
                            ),
                        ));
                    }
                }
                Some(_) => {}
            }
        }
        if let (Some(carrier), Some(tracking_no)) = (carrier, tracking) {
            out.push(Shipment {
                carrier,
                tracking_no,
                shipped_at: s.shipped_at.map(|t| t.with_timezone(&Utc)),
                lines: s.lines.clone(),
                kind: s.kind,
                status: s.status.clone(),
                signed_at: s.signed_at.map(|t| t.with_timezone(&Utc)),
                case_id: None,
            });
        }
    }
    out
}

fn parse_refunds(
    forms: &[RefundForm],
    amounts: &OrderAmounts,
    errors: &mut Vec<FieldError>,
) -> Vec<RefundRecord> {
    let mut out = Vec::new();
    for (k, r) in forms.iter().enumerate() {
        for (j, l) in r.lines.iter().enumerate() {
            let f = |name: &str| format!("refunds[{k}].lines[{j}].{name}");
            if amounts.line_index(&l.line_id).is_none() {
                errors.push(FieldError::new(
                    &f("line_id"),
                    Problem::Unknown {
                        thing: Thing::Line,
                        value: l.line_id.to_string(),
                    },
                ));
            }
            for (name, v) in [
                ("quantity", l.quantity),
                ("cash_cents", l.cash_cents),
                ("points_cents", l.points_cents),
            ] {
                if v < 0 {
                    errors.push(FieldError::new(&f(name), Problem::Negative));
                }
            }
        }
        let method = match r.method.as_deref() {
            None => None,
            Some(m) => code(&format!("refunds[{k}].method"), m)
                .map_err(|e| errors.push(e))
                .ok(),
        };
        if r.shipping_cents < 0 {
            errors.push(FieldError::new(
                &format!("refunds[{k}].shipping_cents"),
                Problem::Negative,
            ));
        }
        out.push(RefundRecord {
            cash_cents: r.lines.iter().map(|l| l.cash_cents).sum::<i64>() + r.shipping_cents,
            points_cents: r.lines.iter().map(|l| l.points_cents).sum(),
            lines: r.lines.clone(),
            shipping_cents: r.shipping_cents,
            method,
            at: r.at.map(|t| t.with_timezone(&Utc)),
            reference: r.reference.clone(),
            source: RefundSource::Import,
            case_id: None,
        });
    }
    out
}
