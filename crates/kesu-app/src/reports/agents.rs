//! Per-agent figures: each agent's workload, satisfaction, deadlines met, quality score and
//! reopen rate over a period, with the desk as a whole beside, and the cases behind any of
//! them. Supervisors, admins and auditors see everyone; anyone else only themselves.

use std::collections::BTreeMap;

use kesu_domain::report::{Figure, ReportQuery, Summary};
use kesu_domain::Permission;
use kesu_store::{CaseRecord, Store, User};

use super::{scoped, Reports};
use crate::error::{AppError, AppResult};

/// Most cases one drill-down lists (the export has them all).
pub const MAX_DRILL_ROWS: usize = 500;

/// One agent's figures (or the desk's, as `agent` "").
#[derive(Debug, Clone, serde::Serialize)]
pub struct AgentFigures {
    pub agent: String,
    pub cases: u64,
    pub open: u64,
    pub closed: u64,
    /// Of the cases followed up, the share satisfied (0–1).
    pub satisfied_share: Option<f64>,
    pub followed_up: u64,
    pub average_rating: Option<f64>,
    /// Of the cases with a deadline met or missed, the share with all met (0–1).
    pub deadlines_met: Option<f64>,
    pub with_deadline: u64,
    /// Average quality-check score (0–100) of the checks of weeks starting in the period.
    pub quality_score: Option<u32>,
    pub quality_checks: u32,
    pub reopen_rate: Option<f64>,
    pub reopened: u64,
}

impl AgentFigures {
    fn of(agent: &str, s: &Summary, quality: Option<(u32, u32)>) -> AgentFigures {
        AgentFigures {
            agent: agent.to_owned(),
            cases: s.cases,
            open: s.open,
            closed: s.closed,
            satisfied_share: s.satisfaction.satisfied_share,
            followed_up: s.satisfaction.followed_up,
            average_rating: s.satisfaction.average,
            deadlines_met: s.sla_compliance,
            with_deadline: s.sla_cases,
            quality_score: quality.map(|q| q.0),
            quality_checks: quality.map_or(0, |q| q.1),
            reopen_rate: s.reopen_rate,
            reopened: s.reopened,
        }
    }
}

fn sees_everyone(caller: &User) -> bool {
    caller.role.may(Permission::SuperviseDesk) || caller.role.may(Permission::SeeAccountability)
}

/// The figures of every agent who handles cases (only the caller's own for those who do not
/// see the team), and the desk's.
pub async fn agents(
    store: &Store,
    reports: &Reports,
    caller: &User,
    q: ReportQuery,
) -> AppResult<(Vec<AgentFigures>, AgentFigures)> {
    let q = scoped(caller, q)?;
    let everyone = sees_everyone(caller);
    let names: Vec<String> = store
        .users()
        .await?
        .into_iter()
        .filter(|u| u.role.handles_cases())
        .filter(|u| everyone || u.username == caller.username)
        .map(|u| u.username)
        .collect();
    let (from, to) = q.period.bounds();
    // Quality: the average of each agent's scored checks (rounded half up).
    let mut quality: BTreeMap<String, (u64, u32)> = BTreeMap::new();
    for (_, r) in store.qc_scored(from, to).await? {
        let slot = quality.entry(r.agent.clone()).or_default();
        slot.0 += r.score.unwrap_or(0).max(0) as u64;
        slot.1 += 1;
    }
    let average =
        |(sum, n): (u64, u32)| (kesu_domain::quality::percent(sum, 100 * u64::from(n)), n);
    let mut rows = Vec::with_capacity(names.len());
    for name in names {
        let mut mine = q.clone();
        mine.filter.assignee = Some(name.clone());
        let s = reports.summary(mine, None).await?;
        rows.push(AgentFigures::of(
            &name,
            &s,
            quality.get(&name).copied().map(average),
        ));
    }
    let desk = reports.summary(q, None).await?;
    let all_quality = quality
        .values()
        .fold((0u64, 0u32), |acc, q| (acc.0 + q.0, acc.1 + q.1));
    let team = AgentFigures::of("", &desk, (all_quality.1 > 0).then(|| average(all_quality)));
    Ok((rows, team))
}

/// The cases behind `figure` for the cases `q` selects (at most [`MAX_DRILL_ROWS`], oldest
/// first), and how many there are in all. Someone who does not see the team may only drill
/// into their own cases.
pub async fn drill(
    store: &Store,
    reports: &Reports,
    caller: &User,
    q: ReportQuery,
    figure: Figure,
) -> AppResult<(Vec<CaseRecord>, usize)> {
    let q = scoped(caller, q)?;
    if !sees_everyone(caller) && q.filter.assignee.as_deref() != Some(caller.username.as_str()) {
        return Err(AppError::Forbidden(
            "you may list the cases behind your own figures only (assignee = you)".into(),
        ));
    }
    let ids = reports.with_table(move |t| t.drill(&q, figure)).await?;
    let total = ids.len();
    let shown: Vec<i64> = ids.into_iter().take(MAX_DRILL_ROWS).collect();
    let mut records = store.cases_by_ids(&shown).await?;
    records.sort_by_key(|r| (r.case.received_at, r.case.id));
    Ok((records, total))
}
