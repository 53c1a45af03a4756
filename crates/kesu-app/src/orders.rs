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

/// One line's product flags, as asked for.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineFlags {
    pub line_id: String,
    pub flags: Vec<kesu_domain::seven_day_return::ProductFlag>,
}

/// Sets the product flags of lines of order `order_no` (seven-day returns: what the product
/// is, or what the customer confirmed at purchase). Every line named must exist, once; an
/// empty list clears a line's flags. Nothing is stored if anything is wrong.
pub async fn set_product_flags(
    store: &Store,
    role: Role,
    order_no: &str,
    lines: &[LineFlags],
    now: DateTime<Utc>,
) -> AppResult<Order> {
    if !role.may(Permission::StoreOrders) {
        return Err(AppError::Forbidden(format!(
            "{role} users cannot change orders"
        )));
    }
    let current = order(store, order_no).await?;
    let mut errors = Vec::new();
    if lines.is_empty() {
        errors.push(kesu_domain::FieldError::new(
            "lines",
            kesu_domain::Problem::AtLeast { min: 1 },
        ));
    }
    for (i, l) in lines.iter().enumerate() {
        if current.amounts.line_index(&l.line_id).is_none() {
            errors.push(kesu_domain::FieldError::new(
                &format!("lines[{i}].line_id"),
                kesu_domain::Problem::Unknown {
                    thing: kesu_domain::error::Thing::Line,
                    value: l.line_id.clone(),
                },
            ));
        } else if lines[..i].iter().any(|o| o.line_id == l.line_id) {
            errors.push(kesu_domain::FieldError::new(
                &format!("lines[{i}].line_id"),
                kesu_domain::Problem::Twice {
                    value: l.line_id.clone(),
                },
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let changes: Vec<_> = lines
        .iter()
        .map(|l| {
            let mut flags = l.flags.clone();
            flags.dedup();
            (l.line_id.clone(), flags)
        })
        .collect();
    store
        .set_line_flags(&current.order_no, &changes, now)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no order `{order_no}`")))?;
    order(store, order_no).await
}
