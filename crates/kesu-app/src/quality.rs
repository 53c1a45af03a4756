//! Quality checks (质检): each week a sample of every agent's closed cases (stratified by
//! category, reproducible from its seed), scored by supervisors against the admin's
//! checklist with the reply checker's findings beside; agents see their scores and may answer
//! once; reports per agent and per item over time.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kesu_domain::quality::{weekly_sample, Closed, QualitySettings, Week};
use kesu_domain::reply_check::{check, Finding, Purpose, Reply};
use kesu_domain::{Permission, Problem};
use kesu_store::{By, QcReview, QcSample, Store, StoreError, User};

use crate::error::{AppError, AppResult};

/// The longest comment or answer kept.
pub const MAX_TEXT: usize = 2000;

/// Who drew a sample the worker drew.
pub const WORKER: &str = "kesu";

/// The sample `week` (the last complete one when absent) would hold with `seed`, without
/// storing it: anyone may redraw a stored sample from its seed and compare.
pub async fn preview(
    store: &Store,
    caller: &User,
    week: Option<&str>,
    seed: i64,
    now: DateTime<Utc>,
) -> AppResult<(Week, BTreeMap<String, Vec<i64>>)> {
    crate::require(caller, Permission::SuperviseDesk, "draw quality samples")?;
    let zone = store.policy().await?.zone();
    let week = match week {
        Some(w) => Week::parse(w, zone).map_err(|e| AppError::Invalid(vec![e]))?,
        None => Week::last_complete(now, zone),
    };
    let settings = store.quality_settings().await?;
    let closed = store.closed_in(&week).await?;
    Ok((
        week,
        weekly_sample(&closed, settings.per_agent, seed as u64),
    ))
}

/// Draws and stores the sample of `week` (the last complete one when absent) with `seed` (a
/// random one when absent). `409` when the week has its sample.
pub async fn draw(
    store: &Store,
    by: &str,
    week: Option<&str>,
    seed: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<QcSample> {
    let zone = store.policy().await?.zone();
    let week = match week {
        Some(w) => Week::parse(w, zone).map_err(|e| AppError::Invalid(vec![e]))?,
        None => Week::last_complete(now, zone),
    };
    if week.to > now {
        return Err(AppError::explained(
            "week",
            Problem::NotApplicable,
            format!("week {} has not ended yet", week.name),
        ));
    }
    let seed = seed.unwrap_or_else(|| rand::random::<i64>() & i64::MAX);
    let settings = store.quality_settings().await?;
    let closed = store.closed_in(&week).await?;
    let drawn = weekly_sample(&closed, settings.per_agent, seed as u64);
    let chosen: Vec<Closed> = closed
        .into_iter()
        .filter(|c| {
            drawn
                .get(&c.agent)
                .is_some_and(|ids| ids.contains(&c.case_id))
        })
        .collect();
    store
        .save_qc_sample(&week, seed, settings.per_agent, &chosen, by, now)
        .await
        .map_err(|e| match e {
            StoreError::Duplicate(d) => AppError::conflict(d),
            other => other.into(),
        })
}

/// Draws as a supervisor.
pub async fn draw_as(
    store: &Store,
    caller: &User,
    week: Option<&str>,
    seed: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<QcSample> {
    crate::require(caller, Permission::SuperviseDesk, "draw quality samples")?;
    draw(store, &caller.username, week, seed, now).await
}

/// The worker's weekly draw: the last complete week, once (whichever server gets there).
pub async fn weekly_draw(store: &Store, now: DateTime<Utc>) -> AppResult<Option<QcSample>> {
    let zone = store.policy().await?.zone();
    let week = Week::last_complete(now, zone);
    if store.qc_sample_of_week(&week.name).await?.is_some() {
        return Ok(None);
    }
    match draw(store, WORKER, Some(&week.name), None, now).await {
        Ok(s) => Ok(Some(s)),
        Err(AppError::Conflict { .. }) => Ok(None),
        Err(e) => Err(e),
    }
}

/// A sample with its reviews: all of them for supervisors, only their own for agents.
pub async fn sample(store: &Store, caller: &User, id: i64) -> AppResult<(QcSample, Vec<QcReview>)> {
    let sample = store
        .qc_sample(id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no quality sample with id `{id}`")))?;
    let only = (!caller.role.may(Permission::SuperviseDesk)).then_some(caller.username.as_str());
    Ok((sample, store.qc_reviews(id, only).await?))
}

/// One sampled case with the reply checker's findings on each public reply it sent.
pub async fn review(
    store: &Store,
    caller: &User,
    sample: i64,
    case_id: i64,
) -> AppResult<(QcReview, Vec<(String, Vec<Finding>)>)> {
    let r = store
        .qc_review(sample, case_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("case {case_id} is not in sample {sample}")))?;
    if !caller.role.may(Permission::SuperviseDesk) && r.agent != caller.username {
        return Err(AppError::NotFound(format!(
            "case {case_id} is not in sample {sample}"
        )));
    }
    let record = store
        .case(case_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no case with id `{case_id}`")))?;
    let rules = store.reply_rules().await?;
    let mut replies = Vec::new();
    for h in store.history(case_id).await? {
        if let kesu_domain::history::Entry::Changed {
            change:
                kesu_domain::event::Change::Comment {
                    text,
                    internal: false,
                    ..
                },
            ..
        } = &h.entry
        {
            if matches!(h.author, kesu_domain::history::Author::Staff(_)) {
                let findings = check(
                    &rules,
                    &Reply {
                        text,
                        channel: Some(record.case.channel),
                        purpose: Purpose::Reply,
                        personal: record.complainant.contact_details(),
                    },
                );
                replies.push((text.clone(), findings));
            }
        }
    }
    Ok((r, replies))
}

fn bounded(field: &str, text: Option<&str>) -> AppResult<Option<String>> {
    let t = text.map(str::trim).filter(|t| !t.is_empty());
    if t.is_some_and(|t| t.chars().count() > MAX_TEXT) {
        return Err(AppError::invalid(
            field,
            Problem::TooLong {
                max: MAX_TEXT as i64,
            },
        ));
    }
    Ok(t.map(str::to_owned))
}

/// A supervisor scores a sampled case (again, until the agent answers). Returns the score.
pub async fn score(
    store: &Store,
    caller: &User,
    sample: i64,
    case_id: i64,
    scores: BTreeMap<String, u32>,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> AppResult<u32> {
    crate::require(caller, Permission::SuperviseDesk, "score quality checks")?;
    let r = store
        .qc_review(sample, case_id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("case {case_id} is not in sample {sample}")))?;
    if r.agent == caller.username {
        return Err(AppError::Forbidden("nobody scores their own cases".into()));
    }
    let settings = store.quality_settings().await?;
    let total = settings.score(&scores).map_err(AppError::Invalid)?;
    let comment = bounded("comment", comment)?;
    if !store
        .score_qc(
            sample,
            case_id,
            &scores,
            total,
            comment.as_deref(),
            &caller.username,
            now,
        )
        .await?
    {
        return Err(AppError::conflict(
            "the agent has answered this check: it stands as scored",
        ));
    }
    Ok(total)
}

/// The agent answers a scored check of their own case, once.
pub async fn answer(
    store: &Store,
    caller: &User,
    sample: i64,
    case_id: i64,
    text: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let text =
        bounded("text", Some(text))?.ok_or_else(|| AppError::invalid("text", Problem::Empty))?;
    let r = store
        .qc_review(sample, case_id)
        .await?
        .filter(|r| r.agent == caller.username)
        .ok_or_else(|| AppError::NotFound(format!("case {case_id} is not among your checks")))?;
    if r.score.is_none() {
        return Err(AppError::conflict("the check has not been scored yet"));
    }
    if !store
        .answer_qc(sample, case_id, &caller.username, &text, now)
        .await?
    {
        return Err(AppError::conflict("you have answered this check already"));
    }
    Ok(())
}

/// The settings (anyone on staff may read them).
pub async fn settings(store: &Store) -> AppResult<QualitySettings> {
    Ok(store.quality_settings().await?)
}

/// Changes the sample size and checklist (admins).
pub async fn set_settings(
    store: &Store,
    caller: &User,
    s: QualitySettings,
    now: DateTime<Utc>,
) -> AppResult<QualitySettings> {
    crate::require(
        caller,
        Permission::ConfigureDesk,
        "change the quality checklist",
    )?;
    s.check().map_err(AppError::Invalid)?;
    store
        .set_quality_settings(&s, By::new(&caller.username, now))
        .await?;
    Ok(s)
}

/// Average scores per agent and week, and per checklist item and week, over the samples of
/// weeks starting in `[from, to)`: `(agent or item, week) → (sum, count)`.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct QualityReport {
    /// agent → week → average score (0–100), with how many checks.
    pub agents: BTreeMap<String, BTreeMap<String, (u32, u32)>>,
    /// item code → week → average share of its points (0–100), with how many checks.
    pub items: BTreeMap<String, BTreeMap<String, (u32, u32)>>,
}

pub async fn report(
    store: &Store,
    caller: &User,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<QualityReport> {
    if !caller.role.may(Permission::SuperviseDesk)
        && !caller.role.may(Permission::SeeAccountability)
    {
        return Err(AppError::Forbidden(format!(
            "{} may not see the team's quality scores",
            caller.role.code()
        )));
    }
    let settings = store.quality_settings().await?;
    let scored = store.qc_scored(from, to).await?;
    let mut agents: BTreeMap<String, BTreeMap<String, (u64, u32)>> = BTreeMap::new();
    let mut items: BTreeMap<String, BTreeMap<String, (u64, u32)>> = BTreeMap::new();
    for (week, r) in &scored {
        let slot = agents
            .entry(r.agent.clone())
            .or_default()
            .entry(week.clone())
            .or_default();
        slot.0 += r.score.unwrap_or(0) as u64;
        slot.1 += 1;
        for item in &settings.checklist {
            if let Some(p) = r.scores.as_ref().and_then(|s| s.get(&item.code)) {
                let slot = items
                    .entry(item.code.clone())
                    .or_default()
                    .entry(week.clone())
                    .or_default();
                slot.0 += u64::from(*p) * 100 / u64::from(item.points.max(1));
                slot.1 += 1;
            }
        }
    }
    let average = |m: BTreeMap<String, BTreeMap<String, (u64, u32)>>| {
        m.into_iter()
            .map(|(k, weeks)| {
                let weeks = weeks
                    .into_iter()
                    .map(|(w, (sum, n))| {
                        (
                            w,
                            (kesu_domain::quality::percent(sum, 100 * u64::from(n)), n),
                        )
                    })
                    .collect();
                (k, weeks)
            })
            .collect()
    };
    Ok(QualityReport {
        agents: average(agents),
        items: average(items),
    })
}
