//! The platforms' after-sales requests, one path for every connector: a request read from a
//! platform (or pushed by the shop's site) opens its case once, and each later state of it
//! changes that case, in the platform's order ([`take`]). The connectors only read their
//! platform's protocol into a [`Request`].

pub mod answers;
pub mod credentials;
pub mod douyin;
pub mod images;
pub mod jd;
pub mod pinduoduo;
pub mod poller;
pub mod site;
pub mod status;
pub mod taobao;

use chrono::{DateTime, Utc};
use kesu_domain::history::SystemActor;
use kesu_domain::money::Cents;
use kesu_domain::platform::{self, Request};
use kesu_domain::{Actor, Role};
use kesu_store::{CaseRecord, Store, StoreError};

use crate::error::{AppError, AppResult};

/// What one request did.
#[derive(Debug, Clone)]
pub struct Taken {
    /// The request's case as it now stands.
    pub record: CaseRecord,
    /// Whether this request opened it.
    pub created: bool,
    /// Whether the case changed (a new case, or a newer state of the request).
    pub changed: bool,
}

/// Who writes platform cases and changes in the history.
fn connector() -> Actor {
    Actor::System {
        who: SystemActor::PlatformConnector,
        acts_as: Role::Agent,
    }
}

/// How often a change that lost a race with another change of the same case is tried again.
const RETRIES: usize = 20;

/// Takes one request: opens its case if it has none, else applies it if it is newer than
/// what the case holds. The same request twice changes nothing.
pub async fn take(store: &Store, request: &Request, now: DateTime<Utc>) -> AppResult<Taken> {
    let left = left_to_refund(store, request).await?;
    let existing = store
        .platform_request_case(request.platform, &request.shop, &request.request_id)
        .await?;
    if existing.is_none() {
        let policy = store.policy().await?;
        let text = format!(
            "{}\n{}",
            request.reason,
            request.words.as_deref().unwrap_or("")
        );
        let who = crate::triage::Complainant {
            phone: request.buyer_phone.as_deref(),
            order_no: request.order_no.as_deref(),
        };
        let triage = crate::triage::suggest(store, &text, who, now).await?;
        let mut registration = request.registration(triage.category, left, now)?;
        // Threats, strong anger, a buyer complaining again: urgent before anyone reads it.
        if triage.urgency == kesu_domain::triage::Urgency::High
            && registration.priority == kesu_domain::codes::Priority::Normal
        {
            registration.priority = kesu_domain::codes::Priority::High;
        }
        if let Some(record) = store
            .open_case_for_platform_request(
                &registration,
                &request.images,
                &connector(),
                now,
                &policy,
            )
            .await?
        {
            tracing::info!(
                case = %record.case.number,
                platform = request.platform.code(),
                request = %request.request_id,
                "platform request opened a case"
            );
            return Ok(Taken {
                record,
                created: true,
                changed: true,
            });
        }
    }
    // The request's case never changes once it has one: looked up again only when another
    // push opened it while this one tried to.
    let case_id = match existing {
        Some(id) => id,
        None => store
            .platform_request_case(request.platform, &request.shop, &request.request_id)
            .await?
            .ok_or_else(|| AppError::Internal("a platform request lost its case".into()))?,
    };
    for _ in 0..RETRIES {
        let record = store
            .case(case_id)
            .await?
            .ok_or_else(|| AppError::Internal(format!("case {case_id} vanished")))?;
        let policy = store.policy().await?;
        let Some((after, event)) = platform::apply(&record.case, request, left, &policy, now)
        else {
            return Ok(Taken {
                record,
                created: false,
                changed: false,
            });
        };
        match store.append_event(&after, &event).await {
            Ok(()) => {
                tracing::info!(
                    case = %after.number,
                    platform = request.platform.code(),
                    stage = request.stage.code(),
                    "platform request changed"
                );
                return Ok(Taken {
                    record: CaseRecord {
                        case: after,
                        complainant: record.complainant,
                    },
                    created: false,
                    changed: true,
                });
            }
            // Another change of this case came first: read it again and decide again.
            Err(StoreError::StaleVersion) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::conflict(
        "the case kept changing while this request was applied; send it again",
    ))
}

/// Only those who configure the desk (admins) see and set up platform sources.
pub(crate) fn may_configure(caller: &kesu_store::User) -> AppResult<()> {
    if caller.role.may(kesu_domain::Permission::ConfigureDesk) {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!(
            "{} users cannot see or set up platform sources",
            caller.role
        )))
    }
}

/// Every source set up, for admins (never their credentials), with the new requests each
/// took in the hour before `now`.
pub async fn sources(
    store: &Store,
    caller: &kesu_store::User,
    now: DateTime<Utc>,
) -> AppResult<Vec<(site::SourceView, i64)>> {
    may_configure(caller)?;
    let recent = store
        .platform_requests_since(now - chrono::Duration::hours(1))
        .await?;
    Ok(store
        .platform_sources()
        .await?
        .into_iter()
        .map(|s| {
            let last_hour = recent
                .iter()
                .find(|(p, shop, _)| *p == s.platform && *shop == s.shop)
                .map_or(0, |r| r.2);
            let view = site::SourceView {
                platform: s.platform,
                shop: s.shop,
                enabled: s.enabled,
                send_answers: s.send_answers,
                updated_at: s.updated_at,
            };
            (view, last_hour)
        })
        .collect())
}

/// The cash still refundable on the request's order, `None` if kesu has no such order. An
/// order of another shop is refused: one shop's credentials never reach another's orders.
async fn left_to_refund(store: &Store, request: &Request) -> AppResult<Option<Cents>> {
    let Some(order_no) = &request.order_no else {
        return Ok(None);
    };
    let Some(order) = store.order(order_no.as_str()).await? else {
        return Ok(None);
    };
    if order.shop != request.shop {
        return Err(AppError::Forbidden(format!(
            "order {} belongs to another shop",
            order_no.as_str()
        )));
    }
    Ok(order.refundable().ok().map(|r| Cents::new(r.cash_cents)))
}
