//! Shipping promises: a paid order must leave the warehouse within the time the shop
//! promised on its platform (Taobao and Pinduoduo default to 48 hours; a shop may promise
//! less). Seed 004 asks the shop to keep its service promises; seed 002 to know which orders
//! are about to miss their pick-up. A late shipment is a platform penalty (延迟发货赔付), so
//! kesu warns while there is still time to ship.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{FieldError, Problem};

/// One shop's promise, overriding the default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShopPromise {
    pub shop: String,
    pub hours: i64,
}

/// The promises: the default, per shop, and how early to warn.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ShippingPromises {
    /// Ship within this many hours of payment (default 48).
    #[serde(default = "default_hours")]
    pub hours: i64,
    /// Shops that promise otherwise.
    #[serde(default)]
    pub by_shop: Vec<ShopPromise>,
    /// Warn this many hours before the promise runs out (default 12).
    #[serde(default = "default_warn_hours")]
    pub warn_hours: i64,
}

fn default_hours() -> i64 {
    48
}

fn default_warn_hours() -> i64 {
    12
}

impl Default for ShippingPromises {
    fn default() -> Self {
        ShippingPromises {
            hours: default_hours(),
            by_shop: Vec::new(),
            warn_hours: default_warn_hours(),
        }
    }
}

/// Where a paid, unshipped order stands against its promise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ShipRisk {
    /// Time enough.
    OnTime,
    /// Within the warning window: ship now.
    AtRisk,
    /// The promise has run out.
    Late,
}

impl ShipRisk {
    pub fn code(self) -> &'static str {
        match self {
            ShipRisk::OnTime => "on_time",
            ShipRisk::AtRisk => "at_risk",
            ShipRisk::Late => "late",
        }
    }
}

impl ShippingPromises {
    /// The hours `shop` promised.
    pub fn hours_for(&self, shop: &str) -> i64 {
        self.by_shop
            .iter()
            .find(|p| p.shop == shop)
            .map_or(self.hours, |p| p.hours)
    }

    /// When an order of `shop` paid at `paid_at` must have shipped, and how it stands at `now`.
    pub fn risk(
        &self,
        shop: &str,
        paid_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> (DateTime<Utc>, ShipRisk) {
        let due = paid_at + Duration::hours(self.hours_for(shop));
        let risk = if now >= due {
            ShipRisk::Late
        } else if now >= due - Duration::hours(self.warn_hours) {
            ShipRisk::AtRisk
        } else {
            ShipRisk::OnTime
        };
        (due, risk)
    }

    pub fn validate(&self, field: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let hours = |name: String, v: i64, errors: &mut Vec<FieldError>| {
            if !(1..=24 * 30).contains(&v) {
                errors.push(FieldError::new(&name, Problem::Range { min: 1, max: 720 }));
            }
        };
        hours(format!("{field}.hours"), self.hours, &mut errors);
        hours(format!("{field}.warn_hours"), self.warn_hours, &mut errors);
        for (i, p) in self.by_shop.iter().enumerate() {
            if p.shop.trim().is_empty() {
                errors.push(FieldError::new(
                    &format!("{field}.by_shop[{i}].shop"),
                    Problem::Empty,
                ));
            }
            hours(format!("{field}.by_shop[{i}].hours"), p.hours, &mut errors);
        }
        errors
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// Paid at 20:00 on 11 November: due 48 hours later; warned from 12 hours before.
    #[test]
    fn an_order_paid_goes_at_risk_twelve_hours_before_its_promise_and_late_after() {
        let p = ShippingPromises::default();
        let paid = at("2026-11-11T20:00:00+08:00");
        let due = at("2026-11-13T20:00:00+08:00");
        assert_eq!(
            p.risk("旗舰店", paid, at("2026-11-13T07:59:00+08:00")),
            (due, ShipRisk::OnTime)
        );
        assert_eq!(
            p.risk("旗舰店", paid, at("2026-11-13T08:00:00+08:00")),
            (due, ShipRisk::AtRisk)
        );
        assert_eq!(
            p.risk("旗舰店", paid, at("2026-11-13T20:00:00+08:00")),
            (due, ShipRisk::Late)
        );
    }

    #[test]
    fn a_shop_that_promises_24_hours_is_held_to_it() {
        let p = ShippingPromises {
            by_shop: vec![ShopPromise {
                shop: "拼多多店".into(),
                hours: 24,
            }],
            ..ShippingPromises::default()
        };
        let paid = at("2026-11-11T20:00:00+08:00");
        assert_eq!(
            p.risk("拼多多店", paid, at("2026-11-12T09:00:00+08:00")).1,
            ShipRisk::AtRisk
        );
        assert_eq!(
            p.risk("旗舰店", paid, at("2026-11-12T09:00:00+08:00")).1,
            ShipRisk::OnTime
        );
        let bad = ShippingPromises {
            hours: 0,
            by_shop: vec![ShopPromise {
                shop: " ".into(),
                hours: 24,
            }],
            ..ShippingPromises::default()
        };
        let fields: Vec<String> = bad
            .validate("logistics.shipping")
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "logistics.shipping.hours",
                "logistics.shipping.by_shop[0].shop"
            ]
        );
    }
}
