//! The shipping-promise board: paid orders that have not shipped, against the time their shop
//! promised (`logistics.shipping` of the policy), the late and those about to be first.

use chrono::{DateTime, Duration, Utc};
use kesu_domain::shipping_promise::ShipRisk;
use kesu_domain::Permission;
use kesu_store::{Store, User};
use serde::Serialize;

use crate::error::AppResult;

/// Orders looked at: paid within the last 30 days, at most this many.
const LOOKED_AT: i64 = 2000;

/// A paid order not shipped yet, due or nearly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnshippedOrder {
    pub order_no: String,
    pub shop: String,
    pub paid_at: DateTime<Utc>,
    /// When it must have shipped.
    pub due: DateTime<Utc>,
    pub risk: ShipRisk,
}

/// The orders at risk or late, the most urgent first.
pub async fn at_risk(
    store: &Store,
    caller: &User,
    now: DateTime<Utc>,
) -> AppResult<Vec<UnshippedOrder>> {
    crate::require(caller, Permission::WorkCases, "see the orders due to ship")?;
    let promises = store.policy().await?.logistics.shipping;
    let since = now - Duration::days(30);
    let mut out: Vec<UnshippedOrder> = store
        .unshipped_paid_orders(since, LOOKED_AT)
        .await?
        .into_iter()
        .filter_map(|(order_no, shop, paid_at)| {
            let (due, risk) = promises.risk(&shop, paid_at, now);
            (risk != ShipRisk::OnTime).then_some(UnshippedOrder {
                order_no,
                shop,
                paid_at,
                due,
                risk,
            })
        })
        .collect();
    out.sort_by_key(|o| (o.due, o.order_no.clone()));
    Ok(out)
}
