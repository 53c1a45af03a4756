//! Bad reviews on a case and their recovery (seed 002): recorded, the customer contacted,
//! the problem resolved, a public explanation posted within the platform's 30 days. The
//! explanation is checked as a public reply on the platform: an offer of money or gifts for
//! changing the review, or money moved off the platform, blocks it, and no supervisor can
//! let it through.

use chrono::{DateTime, Utc};
use kesu_domain::bad_review::{explain_by, may_move, ReviewForm, ReviewStage, MAX_TEXT};
use kesu_domain::codes::Channel;
use kesu_domain::{FieldError, Permission, Problem};
use kesu_store::{BadReview, Store, User};

use crate::cases::{check_public_reply, visible_case};
use crate::error::{AppError, AppResult};

fn may_work(caller: &User) -> AppResult<()> {
    crate::require(caller, Permission::WorkCases, "work on reviews")
}

/// Records a review on case `case_id`.
pub async fn record(
    store: &Store,
    caller: &User,
    case_id: i64,
    form: ReviewForm,
    now: DateTime<Utc>,
) -> AppResult<BadReview> {
    may_work(caller)?;
    let record = visible_case(store, &caller.actor(), case_id).await?;
    let order = match &record.case.order_no {
        Some(no) => store.order(no).await?,
        None => None,
    };
    let review = form
        .parse(now, order.as_ref().map(|o| o.placed_at))
        .map_err(AppError::Invalid)?;
    Ok(store
        .record_bad_review(
            case_id,
            record.case.order_no.as_deref(),
            &review,
            &caller.username,
            now,
        )
        .await?)
}

/// Moves review `id` on to `stage`; an explanation needs its `text`, checked, within the
/// platform's window.
pub async fn advance(
    store: &Store,
    caller: &User,
    id: i64,
    stage: ReviewStage,
    text: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<BadReview> {
    may_work(caller)?;
    let not_found = || AppError::NotFound(format!("no review with id `{id}`"));
    let review = store.bad_review(id).await?.ok_or_else(not_found)?;
    let record = visible_case(store, &caller.actor(), review.case_id).await?;
    if !may_move(review.stage, stage) {
        return Err(AppError::conflict(format!(
            "the review is {}: it cannot go back or stay at {}",
            review.stage.code(),
            stage.code()
        )));
    }
    let text = text.map(str::trim).filter(|t| !t.is_empty());
    if stage == ReviewStage::Explained {
        let Some(t) = text else {
            return Err(AppError::invalid("text", Problem::Empty));
        };
        if t.chars().count() > MAX_TEXT {
            return Err(AppError::invalid(
                "text",
                Problem::TooLong {
                    max: MAX_TEXT as i64,
                },
            ));
        }
        let window = explain_by(review.posted_at);
        if now > window {
            return Err(AppError::Invalid(vec![FieldError::explained(
                "text",
                Problem::NotApplicable,
                format!(
                    "the platform's {} days to explain this review ended at {window}",
                    kesu_domain::bad_review::EXPLAIN_WINDOW_DAYS
                ),
            )]));
        }
        let rules = store.reply_rules().await?;
        // A public reply on the platform; no supervisor may let paid-review words through.
        check_public_reply(&rules, &record, Channel::Platform, t, false)?;
    }
    store
        .move_bad_review(id, review.stage, stage, text, &caller.username, now)
        .await?
        .ok_or_else(|| AppError::conflict("the review changed meanwhile: reload it"))
}

/// The reviews on case `case_id`.
pub async fn on_case(store: &Store, caller: &User, case_id: i64) -> AppResult<Vec<BadReview>> {
    visible_case(store, &caller.actor(), case_id).await?;
    Ok(store.case_bad_reviews(case_id).await?)
}
