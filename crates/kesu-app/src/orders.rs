//! Orders: stored by integrations, imports and agents correcting one by hand, read beside the
//! case. The API and the workbench's order pages both come through here.

use chrono::{DateTime, Utc};
use kesu_domain::order::{Order, OrderForm};
use kesu_domain::{Permission, Role};
use kesu_store::Store;

use crate::error::{AppError, AppResult};

/// Whether an order was new or replaced an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stored {
    Created,
    Replaced,
}

/// Checks `form` and stores it as order `order_no` (create or replace; the same form twice
/// leaves the same order). Shipments and refunds kesu itself made for cases are kept.
/// Returns the order as stored, those kept ones included.
pub async fn store_order(
    store: &Store,
    role: Role,
    order_no: &str,
    form: OrderForm,
    now: DateTime<Utc>,
) -> AppResult<(Order, Stored)> {
    if !role.may(Permission::StoreOrders) {
        return Err(AppError::Forbidden(format!(
            "{role} users cannot store orders"
        )));
    }
    let order = form.parse(order_no).map_err(AppError::Invalid)?;
    let created = store.put_order(&order, now).await?;
    let stored = store
        .order(&order.order_no)
        .await?
        .ok_or_else(|| AppError::Internal("order vanished after storing".into()))?;
    let how = if created {
        Stored::Created
    } else {
        Stored::Replaced
    };
    Ok((stored, how))
}

/// The order `order_no`; every staff role may read orders (the buyer's personal data is
/// masked by whoever shows it, by the reader's role).
pub async fn order(store: &Store, order_no: &str) -> AppResult<Order> {
    store
        .order(order_no.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no order `{}`", order_no.trim())))
}
