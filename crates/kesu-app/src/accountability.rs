//! Accountability use cases (issue 21; seed 001 step 7): supervisors and admins record who
//! was responsible for a case; they and auditors read it with the missed deadlines laid on
//! whoever held the case, and a report per person and department over a period. Nobody
//! else sees any of it.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use kesu_domain::accountability::{
    add_delays, add_recorded, delays, AccountabilityRequest, Delay, Known, PartyTotals,
};
use kesu_domain::codes::DepartmentCode;
use kesu_domain::Permission;
use kesu_store::{By, RecordedAccountability, Store, User};

use crate::error::{AppError, AppResult};
use crate::require;

struct Staff {
    users: HashSet<String>,
    departments: HashSet<String>,
}

impl Known for Staff {
    fn staff_exists(&self, username: &str) -> bool {
        self.users.contains(username)
    }
    fn department_exists(&self, code: &DepartmentCode) -> bool {
        self.departments.contains(code.as_str())
    }
}

/// A case's accountability as recorded (if it is) and its missed deadlines.
#[derive(Debug, Clone)]
pub struct CaseAccountability {
    pub recorded: Option<RecordedAccountability>,
    pub delays: Vec<Delay>,
}

async fn case_delays(store: &Store, case_id: i64) -> AppResult<Vec<Delay>> {
    let history: Vec<_> = store
        .history(case_id)
        .await?
        .into_iter()
        .map(|h| (h.at, h.entry))
        .collect();
    Ok(delays(&history))
}

async fn existing_case(store: &Store, case_id: i64) -> AppResult<()> {
    match store.case(case_id).await? {
        Some(_) => Ok(()),
        None => Err(AppError::NotFound(format!("no case {case_id}"))),
    }
}

pub async fn record(
    store: &Store,
    caller: &User,
    case_id: i64,
    request: AccountabilityRequest,
    now: DateTime<Utc>,
) -> AppResult<CaseAccountability> {
    require(
        caller,
        Permission::RecordAccountability,
        "record accountability",
    )?;
    existing_case(store, case_id).await?;
    let known = Staff {
        users: store
            .users()
            .await?
            .into_iter()
            .map(|u| u.username)
            .collect(),
        departments: store
            .departments()
            .await?
            .into_iter()
            .map(|d| d.code.as_str().to_owned())
            .collect(),
    };
    let accountability = request.check(&known).map_err(AppError::Invalid)?;
    let recorded = store
        .record_accountability(case_id, &accountability, By::new(&caller.username, now))
        .await?;
    Ok(CaseAccountability {
        recorded: Some(recorded),
        delays: case_delays(store, case_id).await?,
    })
}

pub async fn show(store: &Store, caller: &User, case_id: i64) -> AppResult<CaseAccountability> {
    require(caller, Permission::SeeAccountability, "see accountability")?;
    existing_case(store, case_id).await?;
    Ok(CaseAccountability {
        recorded: store.accountability(case_id).await?,
        delays: case_delays(store, case_id).await?,
    })
}

/// Per person and department (`staff:amy`, `department:logistics`, `desk`), over
/// `[from, to)`: the accountability recorded then, and the deadlines missed then.
pub async fn report(
    store: &Store,
    caller: &User,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<BTreeMap<String, PartyTotals>> {
    require(caller, Permission::SeeAccountability, "see accountability")?;
    let mut totals = BTreeMap::new();
    for r in store.accountability_between(from, to).await? {
        add_recorded(&mut totals, &r.accountability);
    }
    for case_id in store.cases_breached_between(from, to).await? {
        let missed: Vec<Delay> = case_delays(store, case_id)
            .await?
            .into_iter()
            .filter(|d| d.deadline >= from && d.deadline < to)
            .collect();
        add_delays(&mut totals, &missed);
    }
    Ok(totals)
}
