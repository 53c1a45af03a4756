//! Learning from complaints: each case's facts, held in a compact table, and the reports
//! computed from it (volumes, durations, satisfaction, money, causes, workload).

mod compute;
mod facts;
mod query;
mod stats;
mod table;
#[cfg(test)]
mod tests;

pub use compute::{
    Count, OrdersIn, ParetoItem, Repeat, Report, Satisfaction, Summary, TimelinePoint, Workload,
};
pub use facts::{CaseFacts, FactContext};
pub use query::{local_midnight, Bucket, Period, ReportFilter, ReportQuery, MAX_DAYS};
pub use stats::{percentile, Spread};
pub use table::FactTable;
