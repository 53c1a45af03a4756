//! Reports and exports as use cases: the query a caller may run (department users are held
//! to their own department), the summary, the dashboard, and the complaint register for an
//! export. Each way in parses the query and renders what comes back (JSON, a page, a file).

pub mod agents;
mod table;

use kesu_domain::error::Problem;
use kesu_domain::report::{Period, Report, ReportQuery, Summary};
use kesu_domain::{FieldError, Scope};
use kesu_store::{CaseRecord, Store, User};

pub use table::Reports;

use crate::error::{AppError, AppResult};

/// Most rows of one register export (a spreadsheet holds about a million).
pub const MAX_REGISTER_ROWS: usize = 200_000;

/// The complaint register a caller may export, and whether they see it unmasked.
pub struct Register {
    pub records: Vec<CaseRecord>,
    /// Whether names and phones are shown in full (roles that need them).
    pub unmasked: bool,
}

/// `q` as `caller` may run it: everybody on staff reads reports, a department user only
/// their own department's (the filter is set to it; asking for another is refused).
pub fn scoped(caller: &User, mut q: ReportQuery) -> AppResult<ReportQuery> {
    match caller.actor().scope() {
        Scope::All => Ok(q),
        Scope::Department(own) => match &q.filter.department {
            Some(asked) if asked != own.as_str() => Err(AppError::Forbidden(
                "department users see only their own department's reports".into(),
            )),
            _ => {
                q.filter.department = Some(own.as_str().to_owned());
                Ok(q)
            }
        },
        Scope::Nothing => Err(AppError::Forbidden(
            "department users see their department's reports, and you have none".into(),
        )),
    }
}

/// Orders placed in `period` (in the query's shop), for the complaint rate; none if unknown.
async fn orders(store: &Store, q: &ReportQuery, period: Period) -> AppResult<Option<i64>> {
    let shop = q.filter.shop.as_deref();
    let n = store
        .orders_placed(period.from, period.to, period.zone, shop)
        .await?;
    Ok(Some(n).filter(|n| *n > 0))
}

/// docs/interface.md §7's summary of the cases `q` selects.
pub async fn summary(
    store: &Store,
    reports: &Reports,
    caller: &User,
    q: ReportQuery,
) -> AppResult<Summary> {
    let q = scoped(caller, q)?;
    let placed = orders(store, &q, q.period).await?;
    reports.summary(q, placed).await
}

/// Everything the dashboard shows, with the previous period's figures beside.
pub async fn dashboard(
    store: &Store,
    reports: &Reports,
    caller: &User,
    q: ReportQuery,
) -> AppResult<Report> {
    let q = scoped(caller, q)?;
    let placed = (
        orders(store, &q, q.period).await?,
        orders(store, &q, q.period.previous()).await?,
    );
    reports.report(q, placed).await
}

/// The cases `q` selects, loaded whole, oldest first, for an export; logged, since it may
/// carry customers' personal data out of kesu.
pub async fn register(
    store: &Store,
    reports: &Reports,
    caller: &User,
    q: ReportQuery,
) -> AppResult<Register> {
    let q = scoped(caller, q)?;
    let ids = reports.with_table(move |t| t.matching_ids(&q)).await?;
    if ids.len() > MAX_REGISTER_ROWS {
        return Err(AppError::Invalid(vec![FieldError::explained(
            "from",
            Problem::TooMany {
                max: MAX_REGISTER_ROWS as i64,
            },
            format!(
                "{} cases match; an export holds at most {MAX_REGISTER_ROWS}: choose a shorter period or a filter",
                ids.len()
            ),
        )]));
    }
    let records = store.cases_by_ids(&ids).await?;
    let unmasked = caller.role.sees_personal_data();
    tracing::info!(by = %caller.username, rows = records.len(), unmasked, "complaint register exported");
    Ok(Register { records, unmasked })
}
