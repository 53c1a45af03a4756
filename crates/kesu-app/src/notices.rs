//! Notices to the desk (seed 002): operations, pricing or the warehouse post what changed;
//! every member of staff sees the notices in force, reads them, and acknowledges the
//! important ones; a case shows the notices that concern its shop, SKUs or category.

use chrono::{DateTime, Utc};
use kesu_domain::notice::{Importance, NoticeForm};
use kesu_domain::order::Order;
use kesu_domain::Permission;
use kesu_store::{CaseRecord, Notice, NoticeRead, ReaderNotice, Store, User};

use crate::error::{AppError, AppResult};

/// The most notices the list of posted ones shows.
pub const POSTED_SHOWN: i64 = 200;

/// Posts a notice.
pub async fn post(
    store: &Store,
    caller: &User,
    form: NoticeForm,
    now: DateTime<Utc>,
) -> AppResult<Notice> {
    crate::require(caller, Permission::PostNotices, "post notices")?;
    let notice = form.parse(now).map_err(AppError::Invalid)?;
    Ok(store.post_notice(&notice, &caller.username, now).await?)
}

/// The notices in force for `caller`, with what they have read and acknowledged.
pub async fn in_force(
    store: &Store,
    caller: &User,
    now: DateTime<Utc>,
) -> AppResult<Vec<ReaderNotice>> {
    Ok(store.notices_in_force(&caller.username, now).await?)
}

/// How many notices in force `caller` has not read, and how many important ones they have
/// not acknowledged: what the workbench's header counts.
pub fn unread(notices: &[ReaderNotice]) -> (usize, usize) {
    let unread = notices.iter().filter(|n| n.read_at.is_none()).count();
    let unacknowledged = notices
        .iter()
        .filter(|n| n.notice.importance == Importance::Important && n.acknowledged_at.is_none())
        .count();
    (unread, unacknowledged)
}

async fn existing(store: &Store, id: i64) -> AppResult<Notice> {
    store
        .notice(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no notice with id `{id}`")))
}

/// Records that `caller` read notice `id`, and acknowledged it when `acknowledge`.
pub async fn mark(
    store: &Store,
    caller: &User,
    id: i64,
    acknowledge: bool,
    now: DateTime<Utc>,
) -> AppResult<NoticeRead> {
    existing(store, id).await?;
    Ok(store
        .mark_notice(id, &caller.username, acknowledge, now)
        .await?)
}

/// Who read notice `id`: for those who post notices.
pub async fn reads(store: &Store, caller: &User, id: i64) -> AppResult<(Notice, Vec<NoticeRead>)> {
    crate::require(caller, Permission::PostNotices, "see who read notices")?;
    let notice = existing(store, id).await?;
    Ok((notice, store.notice_reads(id).await?))
}

/// The notices posted, with how many read and acknowledged each.
pub async fn posted(store: &Store, caller: &User) -> AppResult<Vec<(Notice, i64, i64)>> {
    crate::require(caller, Permission::PostNotices, "list posted notices")?;
    Ok(store.notices_posted(POSTED_SHOWN).await?)
}

/// Ends notice `id` now: its author or an admin may.
pub async fn end(store: &Store, caller: &User, id: i64, now: DateTime<Utc>) -> AppResult<Notice> {
    crate::require(caller, Permission::PostNotices, "end notices")?;
    let notice = existing(store, id).await?;
    if notice.posted_by != caller.username && caller.role != kesu_domain::Role::Admin {
        return Err(AppError::Forbidden(
            "only its author or an admin may end a notice".into(),
        ));
    }
    store
        .end_notice(id, now)
        .await?
        .ok_or_else(|| AppError::conflict("the notice has already ended"))
}

/// The notices in force that concern case `record` in particular (its order's shop and
/// SKUs, its category), with where `caller` stands with each. Notices to everyone are on
/// the workbench, not repeated on every case.
pub async fn for_case(
    store: &Store,
    caller: &User,
    record: &CaseRecord,
    order: Option<&Order>,
    now: DateTime<Utc>,
) -> AppResult<Vec<ReaderNotice>> {
    let shop = order.map(|o| o.shop.as_str());
    let skus = order.map(Order::skus).unwrap_or_default();
    Ok(in_force(store, caller, now)
        .await?
        .into_iter()
        .filter(|n| {
            let t = &n.notice.targets;
            !t.is_general() && t.concern(shop, &skus, record.case.category)
        })
        .collect())
}

/// The notices that concern case `id`, for a caller who may see it.
pub async fn on_case(
    store: &Store,
    caller: &User,
    id: i64,
    now: DateTime<Utc>,
) -> AppResult<Vec<ReaderNotice>> {
    let record = crate::cases::visible_case(store, &caller.actor(), id).await?;
    let order = match &record.case.order_no {
        Some(no) => store.order(no).await?,
        None => None,
    };
    for_case(store, caller, &record, order.as_ref(), now).await
}
