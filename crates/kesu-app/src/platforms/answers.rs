//! kesu's answers back to the platforms: an agent's answer (agree, refuse, agree the return,
//! a message) is recorded on the case and queued in one transaction, then sent by the
//! answer sender from that durable queue, retried with backoff when the platform fails, and
//! each attempt shown on the case. While a shop's switch is off (the default) nothing is
//! sent: the answer is kept as a dry run with exactly the call it would have made.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kesu_domain::event::{Change, Event};
use kesu_domain::platform::{answer_call, Answer, Call, Platform};
use kesu_domain::Permission;
use kesu_store::{NewAnswer, PlatformAnswer, Store, StoreError, User};
use serde::Serialize;
use tokio::sync::watch;

use crate::error::{AppError, AppResult};
use crate::vault::Vault;
use crate::Clock;

/// Answers sent in one round.
const BATCH: i64 = 20;
/// How long a sender holds a claimed answer before another may take it: longer than a
/// call can take, so that no answer is sent by two senders.
const LEASE_SECS: i64 = 120;

/// An answer as kesu shows it.
#[derive(Debug, Clone, Serialize)]
pub struct AnswerView {
    pub id: i64,
    pub answer: Answer,
    pub call: Call,
    /// `queued`, `sent`, `failed` (given up) or `dry_run` (the shop's switch was off).
    pub status: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub done_at: Option<DateTime<Utc>>,
}

impl AnswerView {
    pub fn of(row: PlatformAnswer) -> AppResult<AnswerView> {
        let unreadable =
            |e: serde_json::Error| AppError::Internal(format!("answer {}: {e}", row.id));
        Ok(AnswerView {
            id: row.id,
            answer: serde_json::from_str(&row.answer).map_err(unreadable)?,
            call: serde_json::from_str(&row.call).map_err(unreadable)?,
            status: row.status,
            attempts: row.attempts,
            last_error: row.last_error,
            created_by: row.created_by,
            created_at: row.created_at,
            done_at: row.done_at,
        })
    }
}

/// A case's answers to its platform, oldest first.
pub async fn list(store: &Store, caller: &User, case_id: i64) -> AppResult<Vec<AnswerView>> {
    crate::cases::visible_case(store, &caller.actor(), case_id).await?;
    store
        .platform_answers(case_id)
        .await?
        .into_iter()
        .map(AnswerView::of)
        .collect()
}

/// An agent answers the case's platform request. `version`: the case version the agent saw
/// (an answer given twice is refused as stale, not sent twice).
pub async fn give(
    store: &Store,
    caller: &User,
    case_id: i64,
    version: i64,
    answer: Answer,
    now: DateTime<Utc>,
) -> AppResult<AnswerView> {
    let record = crate::cases::visible_case(store, &caller.actor(), case_id).await?;
    let case = &record.case;
    if !caller.role.may(Permission::WorkCases) {
        return Err(AppError::Forbidden(format!(
            "{} users do not answer platform requests",
            caller.role
        )));
    }
    let answer = answer.checked().map_err(AppError::Invalid)?;
    let approved = case.decision.as_ref().is_some_and(|d| d.approved);
    if answer.decides_money() && !approved && !caller.role.may(Permission::SuperviseDesk) {
        return Err(AppError::Forbidden(
            "agreeing or refusing a refund on the platform takes a supervisor, or an approved decision on the case".into(),
        ));
    }
    let link = case.platform.as_ref().ok_or_else(|| {
        AppError::conflict(format!("case {} did not come from a platform", case.number))
    })?;
    if version != case.version {
        return Err(StoreError::StaleVersion.into());
    }
    answer.allowed(link).map_err(AppError::conflict)?;
    let source = store
        .platform_source(link.platform, &link.shop)
        .await?
        .ok_or_else(|| {
            AppError::conflict(format!(
                "no {} source is set up for shop {}",
                link.platform.code(),
                link.shop
            ))
        })?;
    let key = format!("{}-{}", case.number, case.version + 1);
    let call = answer_call(
        link,
        case.order_no.as_ref().map(|o| o.as_str()),
        &answer,
        &key,
    )
    .map_err(|u| AppError::conflict(u.0))?;
    let dry_run = !source.send_answers;
    let event = Event {
        at: now,
        author: caller.actor().author(),
        from: case.status,
        to: case.status,
        change: Change::PlatformAnswer {
            answer: answer.clone(),
            call: call.clone(),
            dry_run,
        },
        effects: Vec::new(),
        responds: false,
        deadlines: case.deadlines.clone(),
    };
    let after = kesu_domain::lifecycle::evolve(case, &event);
    let stored = store
        .queue_platform_answer(
            &after,
            &event,
            &NewAnswer {
                platform: link.platform.code().to_owned(),
                shop: link.shop.clone(),
                request_id: link.request_id.clone(),
                answer: json(&answer),
                call: json(&call),
                dry_run,
                created_by: caller.username.clone(),
            },
        )
        .await?;
    tracing::info!(case = %case.number, platform = link.platform.code(), answer = answer.code(), dry_run, "platform answer queued");
    AnswerView::of(stored)
}

/// What kesu built itself, as JSON (never fails).
fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("kesu's own values serialise")
}

/// Sends due answers every `every` until `stop`.
pub async fn run(
    store: Store,
    vault: Vault,
    clock: Arc<dyn Clock>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let client = super::images::client();
    loop {
        if let Err(e) = send_due(&store, &vault, &client, clock.now()).await {
            tracing::warn!(error = %e, "sending platform answers failed; retrying");
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

/// One round: sends the answers due now. Returns how many went.
pub async fn send_due(
    store: &Store,
    vault: &Vault,
    client: &reqwest::Client,
    now: DateTime<Utc>,
) -> AppResult<usize> {
    let due = store
        .claim_platform_answers(now, chrono::Duration::seconds(LEASE_SECS), BATCH)
        .await?;
    let mut sent = 0;
    for row in due {
        let outcome = send_one(store, vault, client, &row, now).await;
        if let Err(e) = &outcome {
            tracing::warn!(answer = row.id, platform = %row.platform, error = %e, "a platform answer failed");
        } else {
            sent += 1;
        }
        store
            .record_answer_attempt(&row, outcome.err().as_deref(), now)
            .await?;
    }
    Ok(sent)
}

async fn send_one(
    store: &Store,
    vault: &Vault,
    client: &reqwest::Client,
    row: &PlatformAnswer,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let platform = Platform::parse(&row.platform).ok_or("an unknown platform")?;
    let source = store
        .platform_source(platform, &row.shop)
        .await
        .map_err(|e| e.to_string())?
        .ok_or("the shop's source was removed")?;
    if !source.send_answers {
        return Err("the shop's switch was turned off before it was sent".into());
    }
    let call: Call = serde_json::from_str(&row.call).map_err(|e| e.to_string())?;
    match platform {
        Platform::Site => super::site::send_answer(client, vault, &source, &call, now).await,
        Platform::Pinduoduo => {
            super::pinduoduo::send_answer(client, vault, &source, &call, now).await
        }
        Platform::Taobao => super::taobao::send_answer(client, vault, &source, &call, now).await,
        Platform::Douyin => super::douyin::send_answer(client, vault, &source, &call, now).await,
        Platform::Jd => super::jd::send_answer(client, vault, &source, &call, now).await,
    }
}

/// An admin switches sending a source's answers to its platform on or off (off: each answer
/// is recorded as a dry run).
pub async fn switch(
    store: &Store,
    caller: &User,
    platform: &str,
    shop: &str,
    send: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    super::may_configure(caller)?;
    let platform = Platform::parse(platform)
        .ok_or_else(|| AppError::NotFound(format!("no platform `{platform}`")))?;
    let shop = super::site::shop_name(shop)?;
    if !store
        .set_platform_answers(
            platform.code(),
            &shop,
            send,
            kesu_store::By::new(&caller.username, now),
        )
        .await?
    {
        return Err(AppError::NotFound(format!(
            "no {} source is set up for shop {shop}",
            platform.code()
        )));
    }
    tracing::info!(platform = platform.code(), shop = %shop, send, by = %caller.username, "platform answers switched");
    Ok(())
}
