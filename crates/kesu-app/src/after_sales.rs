//! The shop's published after-sales policy: read by anyone (the customer's pages show it),
//! written by those who configure the desk, and always shown with the times the deadline
//! policy enforces.

use chrono::{DateTime, Utc};
use kesu_domain::after_sales_policy::{time_promises, AfterSalesPolicy, TimePromise};
use kesu_domain::Permission;
use kesu_store::{By, Store, User};

use crate::error::{AppError, AppResult};

/// The policy as published: the admins' words and kesu's time promises.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Published {
    #[serde(flatten)]
    pub policy: AfterSalesPolicy,
    /// From the deadline policy: what the clocks hold the shop to.
    pub times: Vec<TimePromise>,
}

pub async fn published(store: &Store) -> AppResult<Published> {
    let policy = store.after_sales_policy().await?;
    let times = time_promises(&store.policy().await?.deadlines);
    Ok(Published { policy, times })
}

/// Replaces the published policy; checked whole, recorded in the audit trail.
pub async fn publish(
    store: &Store,
    caller: &User,
    policy: &AfterSalesPolicy,
    now: DateTime<Utc>,
) -> AppResult<Published> {
    crate::require(
        caller,
        Permission::ConfigureDesk,
        "change the after-sales policy",
    )?;
    policy.validate().map_err(AppError::Invalid)?;
    store
        .set_after_sales_policy(policy, By::new(&caller.username, now))
        .await?;
    published(store).await
}
