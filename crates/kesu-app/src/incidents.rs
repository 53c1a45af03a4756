//! Problem management (seed 001; help desks' linking and merging): merge a customer's
//! duplicate complaint, link related cases, group cases into an incident by hand or from a
//! spike kesu found, reply to or propose to all its customers at once (each case through its
//! own checked action), tie it to an improvement, escalate it when its impact is wide.

use chrono::{DateTime, Duration, Utc};
use kesu_domain::incident::{self, IncidentSettings, IncidentStatus};
use kesu_domain::spikes::{self, Dimension};
use kesu_domain::{ActionName, FieldError, Permission, Problem};
use kesu_store::{By, CaseRecord, Incident, NewIncident, Store, StoreError, User};
use serde_json::{Map, Value};

use crate::cases::{act, visible_case, ActionRequest};
use crate::error::{AppError, AppResult};

/// The most cases one incident action reaches.
pub const MAX_CASES: usize = 500;

/// A case named by its number (KS-…) or its id.
pub async fn case_by_ref(
    store: &Store,
    caller: &User,
    field: &str,
    r: &str,
) -> AppResult<CaseRecord> {
    let r = r.trim();
    let unknown = || {
        AppError::Invalid(vec![FieldError::new(
            field,
            Problem::Unknown {
                thing: kesu_domain::error::Thing::Case,
                value: r.to_owned(),
            },
        )])
    };
    let id = match r.parse::<i64>() {
        Ok(id) => id,
        Err(_) => store
            .case_ids_by_numbers(&[r.to_uppercase()])
            .await?
            .first()
            .map(|(_, id)| *id)
            .ok_or_else(unknown)?,
    };
    visible_case(store, &caller.actor(), id)
        .await
        .map_err(|_| unknown())
}

fn same_customer(a: &CaseRecord, b: &CaseRecord) -> bool {
    let same = |x: Option<&str>, y: Option<&str>| matches!((x, y), (Some(x), Some(y)) if x == y);
    same(a.case.order_no.as_deref(), b.case.order_no.as_deref())
        || same(
            a.complainant.phone.as_ref().map(|p| p.as_str()),
            b.complainant.phone.as_ref().map(|p| p.as_str()),
        )
        || same(
            a.complainant.email.as_ref().map(|e| e.as_str()),
            b.complainant.email.as_ref().map(|e| e.as_str()),
        )
}

/// Merges case `id`, a duplicate, into the case `into` names: the duplicate closes, both
/// histories say so, and the duplicate's customer link opens the survivor.
pub async fn merge(
    store: &Store,
    caller: &User,
    id: i64,
    into: &str,
    now: DateTime<Utc>,
) -> AppResult<(CaseRecord, CaseRecord)> {
    crate::require(caller, Permission::WorkCases, "merge cases")?;
    let dup = visible_case(store, &caller.actor(), id).await?;
    let survivor = case_by_ref(store, caller, "into", into).await?;
    let policy = store.policy().await?;
    let m = incident::merge(
        &dup.case,
        &survivor.case,
        same_customer(&dup, &survivor),
        caller.actor().author(),
        &policy,
        now,
    )
    .map_err(|e| AppError::Invalid(vec![e]))?;
    store.merge_cases(&m).await?;
    let reread = |id| async move {
        store
            .case(id)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("no case with id `{id}`")))
    };
    Ok((reread(dup.case.id).await?, reread(survivor.case.id).await?))
}

/// Links case `id` to the case `other` names; `false` when they were linked already.
pub async fn link(
    store: &Store,
    caller: &User,
    id: i64,
    other: &str,
    now: DateTime<Utc>,
) -> AppResult<bool> {
    crate::require(caller, Permission::WorkCases, "link cases")?;
    let a = visible_case(store, &caller.actor(), id).await?;
    let b = case_by_ref(store, caller, "case", other).await?;
    if a.case.id == b.case.id {
        return Err(AppError::explained(
            "case",
            Problem::NotApplicable,
            "a case cannot be linked to itself",
        ));
    }
    Ok(store
        .link_cases(
            (a.case.id, &a.case.number),
            (b.case.id, &b.case.number),
            &caller.username,
            now,
        )
        .await?)
}

async fn resolve_cases(store: &Store, caller: &User, refs: &[String]) -> AppResult<Vec<i64>> {
    if refs.len() > MAX_CASES {
        return Err(AppError::invalid(
            "cases",
            Problem::TooMany {
                max: MAX_CASES as i64,
            },
        ));
    }
    let mut ids = Vec::with_capacity(refs.len());
    for (i, r) in refs.iter().enumerate() {
        ids.push(
            case_by_ref(store, caller, &format!("cases[{i}]"), r)
                .await?
                .case
                .id,
        );
    }
    Ok(ids)
}

/// Opens an incident by hand with the cases named.
pub async fn open(
    store: &Store,
    caller: &User,
    title: &str,
    cases: &[String],
    note: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Incident> {
    crate::require(caller, Permission::SuperviseDesk, "open incidents")?;
    let title =
        kesu_domain::text::required("title", title).map_err(|e| AppError::Invalid(vec![e]))?;
    if title.chars().count() > 200 {
        return Err(AppError::invalid("title", Problem::TooLong { max: 200 }));
    }
    let ids = resolve_cases(store, caller, cases).await?;
    let new = NewIncident {
        title: &title,
        dimension: None,
        key: None,
        detected: false,
        note,
    };
    let opened = store
        .open_incident(&new, &ids, &caller.username, now)
        .await?;
    escalate_if_wide(store, opened, now).await
}

/// Adds the cases named to incident `id`.
pub async fn add_cases(
    store: &Store,
    caller: &User,
    id: i64,
    cases: &[String],
    now: DateTime<Utc>,
) -> AppResult<Incident> {
    crate::require(caller, Permission::SuperviseDesk, "change incidents")?;
    existing(store, id).await?;
    let ids = resolve_cases(store, caller, cases).await?;
    store
        .add_to_incident(id, &ids, &caller.username, now)
        .await?;
    escalate_if_wide(store, existing(store, id).await?, now).await
}

async fn existing(store: &Store, id: i64) -> AppResult<Incident> {
    store
        .incident(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no incident with id `{id}`")))
}

/// Incident `id` (its cases as the caller may see them).
pub async fn show(store: &Store, caller: &User, id: i64) -> AppResult<(Incident, Vec<CaseRecord>)> {
    let i = existing(store, id).await?;
    let actor = caller.actor();
    let mut cases = Vec::new();
    for case_id in &i.case_ids {
        if let Some(r) = store.case(*case_id).await? {
            if actor.may_see(&r.case) {
                cases.push(r);
            }
        }
    }
    Ok((i, cases))
}

/// Marks incident `id` resolved or open again, ties it to an improvement action, notes it.
pub async fn update(
    store: &Store,
    caller: &User,
    id: i64,
    status: Option<IncidentStatus>,
    improvement_id: Option<i64>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<Incident> {
    crate::require(caller, Permission::SuperviseDesk, "change incidents")?;
    existing(store, id).await?;
    if let Some(imp) = improvement_id {
        if store.improvement(imp).await?.is_none() {
            return Err(AppError::explained(
                "improvement_id",
                Problem::NotApplicable,
                format!("there is no improvement action {imp}"),
            ));
        }
    }
    let note = kesu_domain::text::optional("note", note).map_err(|e| AppError::Invalid(vec![e]))?;
    store
        .update_incident(id, status, improvement_id, note.as_deref(), None, now)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(_) => {
                AppError::conflict("another open incident has the same key")
            }
            other => other.into(),
        })?
        .ok_or_else(|| AppError::NotFound(format!("no incident with id `{id}`")))
}

/// What one case of a bulk action came to.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CaseOutcome {
    pub case_id: i64,
    pub number: String,
    pub done: bool,
    /// Why not, when not (the reply checker's finding, the step it is at…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Takes `action` with `fields` on every open case of incident `id`, each through its own
/// action (the reply checker runs on each reply; a case not at the right step says so).
pub async fn act_on_all(
    store: &Store,
    caller: &User,
    id: i64,
    action: ActionName,
    fields: Map<String, Value>,
    now: DateTime<Utc>,
) -> AppResult<Vec<CaseOutcome>> {
    crate::require(caller, Permission::SuperviseDesk, "act on a whole incident")?;
    let (_, cases) = show(store, caller, id).await?;
    let actor = caller.actor();
    let mut out = Vec::new();
    for r in cases.into_iter().filter(|r| r.case.status.is_open()) {
        let request = ActionRequest {
            action,
            version: r.case.version,
            fields: fields.clone(),
        };
        let (case_id, number) = (r.case.id, r.case.number.clone());
        // `show` read each case the caller may see: acted on as read, not read again.
        let result = act(store, &actor, r, request, now).await;
        out.push(CaseOutcome {
            case_id,
            number,
            done: result.is_ok(),
            error: result.err().map(|e| describe(&e)),
        });
    }
    Ok(out)
}

/// What went wrong with one case of a bulk action, as its row says it (storage failures are
/// logged, not shown).
fn describe(e: &AppError) -> String {
    match e {
        AppError::Invalid(fields) => fields
            .iter()
            .map(|f| format!("{}: {}", f.field, f.message))
            .collect::<Vec<_>>()
            .join("; "),
        AppError::Store(cause) => {
            tracing::warn!(error = ?cause, "a case of a bulk action could not be stored");
            "the change could not be stored; try this case again".to_owned()
        }
        other => other.to_string(),
    }
}

/// Counts an incident's shops and escalates it to the admin once its impact is wide.
async fn escalate_if_wide(store: &Store, i: Incident, now: DateTime<Utc>) -> AppResult<Incident> {
    if i.escalated_at.is_some() {
        return Ok(i);
    }
    let settings = store.incident_settings().await?;
    let shops = store.shops_of_cases(&i.case_ids).await?;
    if !settings.wide.reached(i.case_ids.len(), shops) {
        return Ok(i);
    }
    tracing::warn!(
        incident = i.id,
        cases = i.case_ids.len(),
        shops,
        "incident of wide impact escalated to the admin"
    );
    Ok(store
        .update_incident(i.id, None, None, None, Some(now), now)
        .await?
        .unwrap_or(i))
}

/// One detection round: the spikes now, each opened as an incident (or added to the open one
/// for its key) with the cases of its window. Returns the incidents touched.
pub async fn detect(store: &Store, now: DateTime<Utc>) -> AppResult<Vec<Incident>> {
    let IncidentSettings { rule, .. } = store.incident_settings().await?;
    let since = now - Duration::hours(rule.window_hours) - Duration::days(rule.trailing_days);
    let seen = store.spike_observations(since).await?;
    let observations: Vec<spikes::Observation> = seen.iter().map(|(_, o)| o.clone()).collect();
    let window_start = now - Duration::hours(rule.window_hours);
    let carriers = store.carriers().await?;
    let mut touched = Vec::new();
    for spike in spikes::spikes(&observations, now, &rule) {
        let ids: Vec<i64> = seen
            .iter()
            .filter(|(_, o)| {
                o.dimension == spike.dimension
                    && o.key == spike.key
                    && o.at > window_start
                    && o.at <= now
            })
            .map(|(id, _)| *id)
            .collect();
        let incident = match store.open_incident_for(spike.dimension, &spike.key).await? {
            Some(open) => {
                store.add_to_incident(open, &ids, "kesu", now).await?;
                existing(store, open).await?
            }
            None => {
                let label = match spike.dimension {
                    Dimension::Carrier => {
                        carriers.name(&spike.key).unwrap_or(&spike.key).to_owned()
                    }
                    _ => spike.key.clone(),
                };
                let title = incident::spike_title(spike.dimension, &label, spike.recent);
                let note = format!(
                    "{} complaints in the last {} hours; {} in the {} days before ({} windows)",
                    spike.recent,
                    rule.window_hours,
                    spike.trailing,
                    rule.trailing_days,
                    spike.windows
                );
                let new = NewIncident {
                    title: &title,
                    dimension: Some(spike.dimension),
                    key: Some(&spike.key),
                    detected: true,
                    note: Some(&note),
                };
                match store.open_incident(&new, &ids, "kesu", now).await {
                    Ok(i) => {
                        tracing::warn!(incident = i.id, title = %i.title, "complaint spike: incident opened");
                        i
                    }
                    // Another server opened it a moment ago: the next round adds to it.
                    Err(StoreError::Duplicate(_)) => continue,
                    Err(e) => return Err(e.into()),
                }
            }
        };
        touched.push(escalate_if_wide(store, incident, now).await?);
    }
    Ok(touched)
}

/// The incident settings (anyone on staff may read them).
pub async fn settings(store: &Store) -> AppResult<IncidentSettings> {
    Ok(store.incident_settings().await?)
}

/// Changes the incident settings (admins).
pub async fn set_settings(
    store: &Store,
    caller: &User,
    s: IncidentSettings,
    now: DateTime<Utc>,
) -> AppResult<IncidentSettings> {
    crate::require(
        caller,
        Permission::ConfigureDesk,
        "change how incidents are found",
    )?;
    s.check().map_err(AppError::Invalid)?;
    store
        .set_incident_settings(&s, By::new(&caller.username, now))
        .await?;
    Ok(s)
}
