//! The logistics monitor: parcels in trouble open or flag a case before the customer
//! complains. Events are judged as they arrive ([`raise`] from the tracking endpoints);
//! silence (not picked up, no tracking, stalled) and "delivered, yet the customer says it
//! never came" are found by the worker's [`scan`].

use chrono::{DateTime, Utc};
use kesu_domain::history::{Entry, ExceptionFound, SystemActor};
use kesu_domain::logistics::{assess_silence, silence_episode, ExceptionKind, Level};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::{Actor, Role};
use kesu_store::{CaseRecord, NewException, Store};
use serde_json::json;

use crate::error::{from_value, AppError, AppResult};

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
pub fn monitor() -> Actor {
    Actor::System {
        who: SystemActor::LogisticsMonitor,
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
        kesu_i18n::Lang::Zh.carrier(&e.carrier),
        e.tracking_no,
        kesu_i18n::Lang::Zh.label(e.kind)
    )
}

/// Records a finding once; an exception (not a warning) flags the parcel's open case, or
/// `case_id`'s, or opens one (channel `platform`, the kind's category, the parcel linked).
/// Each outcome is one transaction with the finding.
pub async fn raise(
    store: &Store,
    e: &NewException,
    case_id: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<Raised> {
    if e.level == Level::Warning {
        return Ok(recorded_only(store, e).await?);
    }
    let open = match (case_id, &e.order_no) {
        (Some(case_id), _) => store.case(case_id).await?,
        (None, Some(order_no)) => store.open_case_for_parcel(order_no, &e.tracking_no).await?,
        (None, None) => None,
    };
    if let Some(record) = open.filter(|r| r.case.status.is_open()) {
        let entry = Entry::LogisticsException(ExceptionFound {
            kind: e.kind,
            level: e.level,
            carrier: e.carrier.clone(),
            tracking_no: e.tracking_no.clone(),
            text: describe(e),
            playbook: kesu_i18n::Lang::Zh.playbook(e.kind).to_owned(),
        });
        let flagged = store
            .flag_case_for_exception(e, record.case.id, &monitor(), &entry, now)
            .await?;
        return Ok(match flagged {
            Some(_) => Raised::Flagged(record.case.number),
            None => Raised::Known,
        });
    }
    let Some(order_no) = &e.order_no else {
        return Ok(recorded_only(store, e).await?);
    };
    let order = store
        .order(order_no)
        .await?
        .ok_or_else(|| AppError::Internal(format!("order {order_no} vanished")))?;
    let form: RegistrationForm = from_value(json!({
        "channel": "platform",
        "complainant": {"name": order.buyer.name.as_str(), "phone": order.buyer.phone.as_ref().map(|p| p.as_str())},
        "order_no": order_no, "tracking_no": e.tracking_no,
        "category": e.kind.category(), "demand": "explanation",
        "description": format!("{}\n处理建议：{}", describe(e), kesu_i18n::Lang::Zh.playbook(e.kind)),
        "tags": ["物流预警", kesu_i18n::Lang::Zh.label(e.kind)],
    }))?;
    let registration = form.parse(now)?;
    let policy = store.policy().await?;
    let opened = store
        .open_case_for_exception(e, &registration, &monitor(), now, &policy)
        .await?;
    Ok(match opened {
        Some(CaseRecord { case, .. }) => {
            tracing::info!(case = %case.number, tracking = %e.tracking_no, kind = e.kind.code(), "case opened for a parcel in trouble");
            Raised::Opened(case.number)
        }
        None => Raised::Known,
    })
}

async fn recorded_only(store: &Store, e: &NewException) -> Result<Raised, kesu_store::StoreError> {
    Ok(match store.record_exception(e).await? {
        Some(_) => Raised::Warned,
        None => Raised::Known,
    })
}

/// One pass over the watched parcels and the delivered-but-complained cases. Returns how many
/// new findings were recorded.
pub async fn scan(store: &Store, now: DateTime<Utc>) -> AppResult<usize> {
    let policy = store.policy().await?;
    let mut found = 0;
    for w in store.watched_parcels(&policy.logistics, now).await? {
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
        if raise(store, &e, None, now).await? != Raised::Known {
            found += 1;
        }
    }
    for d in store.delivered_but_complained().await? {
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
        if raise(store, &e, Some(d.case_id), now).await? != Raised::Known {
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
