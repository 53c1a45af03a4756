//! Orders as kesu keeps them: lines, discounts, points, shipping, shipments and every refund
//! already made; the buyer's personal data apart, masked like a complainant's.

use crate::error::{FieldError, Problem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::personal::{Address, PersonName, Phone};
use crate::refund::{allocate, OrderAmounts, Refunded, RefundedLine};
mod form;

pub use form::{BuyerForm, OrderForm, RefundForm, ShipmentForm};

/// Why a parcel left the warehouse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShipmentKind {
    /// The order's own delivery.
    #[default]
    Original,
    /// A replacement sent for missing or damaged goods (补发).
    Reship,
    /// The new item of an exchange (换货).
    Exchange,
    /// Goods coming back from the customer.
    Return,
}

impl ShipmentKind {
    pub const ALL: &'static [ShipmentKind] = &[
        ShipmentKind::Original,
        ShipmentKind::Reship,
        ShipmentKind::Exchange,
        ShipmentKind::Return,
    ];

    /// The code used in the API and the database.
    pub fn code(self) -> &'static str {
        match self {
            ShipmentKind::Original => "original",
            ShipmentKind::Reship => "reship",
            ShipmentKind::Exchange => "exchange",
            ShipmentKind::Return => "return",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShipmentLine {
    pub line_id: String,
    pub quantity: i64,
}

/// The tracking statuses of docs/interface.md §6.
pub const TRACKING_STATUSES: &[&str] = &[
    "info_received",
    "picked_up",
    "in_transit",
    "out_for_delivery",
    "delivered",
    "failed_attempt",
    "exception",
    "refused",
    "returned",
    "redirected",
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Buyer {
    pub name: PersonName,
    pub phone: Option<Phone>,
    pub address: Option<Address>,
}

/// The buyer as a given reader may see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BuyerView {
    pub name: String,
    pub phone: Option<String>,
    pub address: Option<String>,
    pub masked: bool,
}

impl Buyer {
    pub fn view(&self, unmasked: bool) -> BuyerView {
        if unmasked {
            BuyerView {
                name: self.name.as_str().to_owned(),
                phone: self.phone.as_ref().map(|p| p.as_str().to_owned()),
                address: self.address.as_ref().map(|a| a.as_str().to_owned()),
                masked: false,
            }
        } else {
            BuyerView {
                name: self.name.masked(),
                phone: self.phone.as_ref().map(Phone::masked),
                address: self.address.as_ref().map(Address::masked),
                masked: true,
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Shipment {
    pub carrier: String,
    pub tracking_no: String,
    pub shipped_at: Option<DateTime<Utc>>,
    pub lines: Vec<ShipmentLine>,
    pub kind: ShipmentKind,
    pub status: Option<String>,
    /// When the customer signed for it: from the shop or platform, or the tracking's first
    /// delivered event. Seven-day returns count from the day after.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_at: Option<DateTime<Utc>>,
    /// The case whose resolution sent this parcel; none for the order's own shipments as
    /// the shop sent them (kept when the order is replaced).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<i64>,
}

/// Where a refund came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefundSource {
    /// Recorded with the order when it was stored or imported.
    Import,
    /// Executed by kesu as a case's resolution.
    Case,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundRecord {
    pub lines: Vec<RefundedLine>,
    pub shipping_cents: i64,
    pub cash_cents: i64,
    pub points_cents: i64,
    pub method: Option<String>,
    pub at: Option<DateTime<Utc>>,
    pub reference: Option<String>,
    pub source: RefundSource,
    pub case_id: Option<i64>,
}

/// What can still be refunded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refundable {
    pub lines: Vec<RefundableLine>,
    pub shipping_cents: i64,
    /// Cash left in all, shipping included.
    pub cash_cents: i64,
    pub points_cents: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RefundableLine {
    pub line_id: String,
    /// Units not yet refunded.
    pub quantity: i64,
    pub cash_cents: i64,
    pub points_cents: i64,
}

/// A shop's order number as kesu keeps it: trimmed, 1–64 characters, no control characters.
/// Read as `&str` wherever a string is wanted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct OrderNo(String);

impl OrderNo {
    /// Checks an order number typed or sent as `field`.
    pub fn parse(field: &str, raw: &str) -> Result<OrderNo, FieldError> {
        crate::text::identifier(field, raw, 64).map(OrderNo)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::ops::Deref for OrderNo {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OrderNo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An order whose every field is valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    pub order_no: OrderNo,
    pub shop: String,
    pub buyer: Buyer,
    pub placed_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub payment_method: Option<String>,
    /// Return-shipping insurance (运费险) bought with the order.
    pub freight_insurance: Option<crate::return_freight::FreightInsurance>,
    pub amounts: OrderAmounts,
    pub shipments: Vec<Shipment>,
    pub refunds: Vec<RefundRecord>,
}

/// The payment methods the workbench offers (any code is accepted from integrations).
pub const PAYMENT_METHODS: &[&str] = &[
    "alipay",
    "wechat_pay",
    "unionpay",
    "credit_card",
    "bank_transfer",
    "balance",
    "cod",
];

/// How a refund may go back: the way it was paid (the default), or one of the methods.
pub const REFUND_METHODS: &[&str] = &[
    "original",
    "alipay",
    "wechat_pay",
    "unionpay",
    "bank_transfer",
    "balance",
];

/// A short lowercase code (carriers, payment methods): `yto`, `alipay`, `wechat_pay`.
pub fn code(field: &str, raw: &str) -> Result<String, FieldError> {
    let v = raw.trim().to_ascii_lowercase();
    if !v.is_empty()
        && v.len() <= 32
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        Ok(v)
    } else {
        Err(FieldError::explained(
            field,
            Problem::Characters,
            "must be a code of 1–32 letters, digits or _ (e.g. yto, alipay)",
        ))
    }
}

impl Order {
    /// The SKUs of its lines, in line order (lines without one left out).
    pub fn skus(&self) -> Vec<&str> {
        self.amounts
            .lines
            .iter()
            .filter_map(|l| l.sku.as_deref())
            .collect()
    }

    /// Everything refunded so far, as a refund quote's `refunded`.
    pub fn refunded(&self) -> Refunded {
        Refunded {
            lines: self.refunds.iter().flat_map(|r| r.lines.clone()).collect(),
            shipping_cents: self.refunds.iter().map(|r| r.shipping_cents).sum(),
            coupons: Vec::new(),
        }
    }

    /// The refund quote for `lines` (and shipping) given everything refunded so far.
    pub fn quote(
        &self,
        lines: Vec<crate::refund::RequestedLine>,
        include_shipping: bool,
    ) -> Result<crate::refund::Quote, Vec<FieldError>> {
        crate::refund::quote(&crate::refund::QuoteRequest {
            order: self.amounts.clone(),
            refunded: Some(self.refunded()),
            request: crate::refund::RefundRequest {
                lines,
                include_shipping,
            },
            at: None,
        })
    }

    /// What is left to refund, line by line and in all.
    pub fn refundable(&self) -> Result<Refundable, Vec<FieldError>> {
        let allocation = allocate(&self.amounts)?;
        let before = self.refunded().per_line(&self.amounts, &allocation)?;
        let lines: Vec<RefundableLine> = allocation
            .iter()
            .zip(&before)
            .zip(&self.amounts.lines)
            .map(|((a, (units, cash, points)), line)| RefundableLine {
                line_id: a.line_id.clone(),
                quantity: line.quantity - units,
                cash_cents: a.paid_cents - cash,
                points_cents: a.points_cents - points,
            })
            .collect();
        let shipping_cents = self.amounts.shipping_cents - self.refunded().shipping_cents;
        Ok(Refundable {
            cash_cents: lines.iter().map(|l| l.cash_cents).sum::<i64>() + shipping_cents,
            points_cents: lines.iter().map(|l| l.points_cents).sum(),
            shipping_cents,
            lines,
        })
    }

    /// Units of each line that left in the order's own shipments.
    /// When the customer last signed for a parcel of the order's own delivery carrying
    /// `line_id`: the seven-day return period starts the day after.
    pub fn signed_at(&self, line_id: &str) -> Option<DateTime<Utc>> {
        self.shipments
            .iter()
            .filter(|s| s.kind == ShipmentKind::Original)
            .filter(|s| s.lines.iter().any(|l| l.line_id == line_id))
            .filter_map(|s| s.signed_at)
            .max()
    }

    pub fn shipped_units(&self, line_id: &str) -> i64 {
        self.shipments
            .iter()
            .filter(|s| s.kind == ShipmentKind::Original)
            .flat_map(|s| &s.lines)
            .filter(|l| l.line_id == line_id)
            .map(|l| l.quantity)
            .sum()
    }
}

#[cfg(test)]
mod tests;
