//! The logistics monitor: parcels in trouble open or flag a case before the customer
//! complains. Events are judged as they arrive ([`raise`] from the tracking endpoint);
//! silence (not picked up, no tracking, stalled) and "delivered, yet the customer says it
//! never came" are found by the worker's [`scan`].

use chrono::{DateTime, Utc};
use kesu_domain::logistics::{assess_silence, silence_episode, ExceptionKind, Level};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::{Actor, ActorKind, Role};
use kesu_store::NewException;
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::from_value;
use crate::AppState;

/// What raising an exception did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raised {
    /// Known already: nothing new.
    Known,
    /// A warning, shown on the board only.
    Warned,
    /// Noted on the open case with this number.
    Flagged(String),
    /// A case was opened with this number.
    Opened(String),
}

/// The monitor acts as a supervisor would, and is recorded as the system.
pub const MONITOR: &str = kesu_domain::role::LOGISTICS_MONITOR;

fn monitor() -> Actor {
    Actor::System {
        name: MONITOR,
        acts_as: Role::Supervisor,
    }
}

/// The finding in words, for the case's description and history.
pub fn describe(e: &NewException) -> String {
    let detail = e
        .detail
        .as_deref()
        .map(|d| format!("：{d}"))
        .unwrap_or_default();
    format!(
        "物流异常 {} {} {}{detail}",
        e.carrier,
        e.tracking_no,
        e.kind.label_zh()
    )
}

/// Records a finding once; an exception (not a warning) flags the parcel's open case, or
/// `case_id`'s, or opens one (channel `platform`, the kind's category, the parcel linked).
pub async fn raise(state: &AppState, e: &NewException, case_id: Option<i64>) -> ApiResult<Raised> {
    let Some(id) = state.store.record_exception(e).await? else {
        return Ok(Raised::Known);
    };
    if e.level == Level::Warning {
        return Ok(Raised::Warned);
    }
    let now = state.clock.now();
    let open = match (case_id, &e.order_no) {
        (Some(case_id), _) => state.store.case(case_id).await?,
        (None, Some(order_no)) => {
            state
                .store
                .open_case_for_parcel(order_no, &e.tracking_no)
                .await?
        }
        (None, None) => None,
    };
    if let Some(record) = open.filter(|r| r.case.status.is_open()) {
        let data = json!({
            "kind": e.kind.code(), "level": e.level.code(), "carrier": e.carrier,
            "tracking_no": e.tracking_no, "text": describe(e), "playbook": e.kind.playbook_zh(),
        });
        state
            .store
            .append_note(
                record.case.id,
                now,
                (MONITOR, ActorKind::System),
                "logistics_exception",
                &data,
            )
            .await?;
        state.store.link_exception(id, record.case.id).await?;
        return Ok(Raised::Flagged(record.case.number));
    }
    let Some(order_no) = &e.order_no else {
        return Ok(Raised::Warned);
    };
    let order = state
        .store
        .order(order_no)
        .await?
        .ok_or_else(|| ApiError::Internal(format!("order {order_no} vanished")))?;
    let form: RegistrationForm = from_value(json!({
        "channel": "platform",
        "complainant": {"name": order.buyer.name.as_str(), "phone": order.buyer.phone.as_ref().map(|p| p.as_str())},
        "order_no": order_no, "tracking_no": e.tracking_no,
        "category": e.kind.category(), "demand": "explanation",
        "description": format!("{}\n处理建议：{}", describe(e), e.kind.playbook_zh()),
        "tags": ["物流预警", e.kind.label_zh()],
    }))?;
    let registration = form.parse(now)?;
    let policy = state.store.policy().await?;
    let key = format!("logistics:{id}");
    let (record, _) = state
        .store
        .create_case(
            &registration,
            &monitor(),
            0,
            Some((key.as_str(), key.as_str())),
            now,
            &policy,
        )
        .await?;
    state.store.link_exception(id, record.case.id).await?;
    tracing::info!(case = %record.case.number, tracking = %e.tracking_no, kind = e.kind.code(), "case opened for a parcel in trouble");
    Ok(Raised::Opened(record.case.number))
}

/// One pass over the watched parcels and the delivered-but-complained cases. Returns how many
/// new findings were recorded.
pub async fn scan(state: &AppState) -> ApiResult<usize> {
    let now = state.clock.now();
    let policy = state.store.policy().await?;
    let mut found = 0;
    for w in state.store.watched_parcels(&policy.logistics, now).await? {
        let Some((kind, level)) = assess_silence(&w.parcel, &policy.logistics, now) else {
            continue;
        };
        let e = NewException {
            carrier: w.carrier,
            tracking_no: w.tracking_no,
            order_no: Some(w.order_no),
            kind,
            level,
            detected_at: now,
            detail: Some(silence_detail(kind, &w.parcel, now)),
            episode: silence_episode(kind, &w.parcel),
        };
        if raise(state, &e, None).await? != Raised::Known {
            found += 1;
        }
    }
    for d in state.store.delivered_but_complained().await? {
        let e = NewException {
            carrier: d.carrier,
            tracking_no: d.tracking_no,
            order_no: Some(d.order_no),
            kind: ExceptionKind::SignedNotReceived,
            level: Level::Exception,
            detected_at: now,
            detail: Some("承运商显示已签收，顾客投诉未收到".into()),
            episode: d.case_id.to_string(),
        };
        if raise(state, &e, Some(d.case_id)).await? != Raised::Known {
            found += 1;
        }
    }
    Ok(found)
}

fn silence_detail(
    kind: ExceptionKind,
    p: &kesu_domain::logistics::Parcel,
    now: DateTime<Utc>,
) -> String {
    let hours = |from: DateTime<Utc>| (now - from).num_hours();
    match kind {
        ExceptionKind::Stalled => format!(
            "{} 小时无物流更新",
            hours(p.last_event_at.unwrap_or(p.shipped_at))
        ),
        _ => format!("发货后 {} 小时仍未揽收", hours(p.shipped_at)),
    }
}

/// Who may file and move claims: the people handling cases (departments on their own).
fn check_claim_role(caller: &kesu_store::User) -> ApiResult<()> {
    if caller.role.handles_cases() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(format!(
            "{} users cannot file or change carrier claims",
            caller.role
        )))
    }
}

/// Files a claim against a carrier on a case the caller may see.
pub async fn file_claim(
    state: &AppState,
    caller: &kesu_store::User,
    case_id: &str,
    form: kesu_domain::claims::ClaimForm,
) -> ApiResult<kesu_store::Claim> {
    let record = crate::actions::visible_case(state, caller, case_id).await?;
    check_claim_role(caller)?;
    if !record.case.status.is_open() {
        return Err(ApiError::conflict(
            "the case is closed: claims are filed on open cases",
        ));
    }
    let now = state.clock.now();
    let claim = form.parse(now)?;
    Ok(state
        .store
        .create_claim(record.case.id, &claim, &caller.username, now)
        .await?)
}

/// Loads a claim whose case the caller may see.
pub async fn visible_claim(
    state: &AppState,
    caller: &kesu_store::User,
    raw_id: &str,
) -> ApiResult<kesu_store::Claim> {
    let not_found = || ApiError::NotFound(format!("no claim with id `{raw_id}`"));
    let id: i64 = raw_id.parse().map_err(|_| not_found())?;
    let claim = state.store.claim(id).await?.ok_or_else(not_found)?;
    crate::actions::visible_case(state, caller, &claim.case_id.to_string())
        .await
        .map_err(|_| not_found())?;
    Ok(claim)
}

/// Moves a claim on (accepted, rejected, paid with the amount recovered).
pub async fn update_claim(
    state: &AppState,
    caller: &kesu_store::User,
    raw_id: &str,
    update: kesu_domain::claims::ClaimUpdate,
) -> ApiResult<kesu_store::Claim> {
    let claim = visible_claim(state, caller, raw_id).await?;
    check_claim_role(caller)?;
    if update.version != claim.version {
        return Err(ApiError::Conflict {
            detail: format!(
                "the claim was changed by someone else (now version {}); reload it and try again",
                claim.version
            ),
            allowed_actions: None,
            current_version: Some(claim.version),
        });
    }
    let recovered =
        kesu_domain::claims::check_update(claim.status, claim.amount_claimed_cents, &update)?;
    let note = kesu_domain::text::optional("note", update.note.as_deref())
        .map_err(|e| ApiError::Invalid(vec![e]))?;
    state
        .store
        .update_claim(
            &claim,
            update.version,
            update.status,
            recovered,
            note.as_deref(),
            &caller.username,
            state.clock.now(),
        )
        .await?;
    visible_claim(state, caller, raw_id).await
}
