//! Learning from complaints: each case's facts, held in a compact table, and the reports
//! computed from it (volumes, durations, satisfaction, money, causes, workload).

mod compute;
mod drill;
mod facts;
mod query;
mod stats;
mod table;
#[cfg(test)]
mod tests;
mod views;

pub use compute::OrdersIn;
pub use drill::Figure;
pub use facts::{CaseFacts, FactContext};
pub use views::{
    Count, ParetoItem, Repeat, Report, Satisfaction, Summary, TimelinePoint, Workload,
};

/// Most orders one shop may report for one day (the biggest shops take a few million on
/// 11.11); bounded so that sums over years of days and many shops cannot overflow.
pub const MAX_DAILY_ORDERS: i64 = 100_000_000;
pub use query::{local_midnight, Bucket, Period, ReportFilter, ReportQuery, MAX_DAYS};
pub use stats::{percentile, Spread};
pub use table::FactTable;
