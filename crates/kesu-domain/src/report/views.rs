//! What a report says: the figures, timelines, rankings and workloads the dashboard and the
//! API show.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use super::query::Bucket;
use super::stats::Spread;

/// docs/interface.md §7's summary, with a few more figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub cases: u64,
    pub open: u64,
    pub closed: u64,
    /// Closed as not valid.
    pub invalid: u64,
    pub by_category: BTreeMap<String, u64>,
    pub by_channel: BTreeMap<String, u64>,
    /// From receipt to the first answer to the customer.
    pub first_response_minutes: Spread,
    /// From receipt to the customer confirming the resolution.
    pub resolution_hours: Spread,
    /// Share of cases whose clocks were all met, of those with a clock met or missed.
    pub sla_compliance: Option<f64>,
    pub sla_cases: u64,
    pub satisfaction: Satisfaction,
    /// Cases that went back to negotiation at least once, and their share.
    pub reopened: u64,
    pub reopen_rate: Option<f64>,
    pub refunds_cents: i64,
    pub compensation_cents: i64,
    pub claims_recovered_cents: i64,
    /// Orders placed in the period, and complaints per 1,000 of them (when known).
    pub orders: Option<i64>,
    pub complaints_per_1000_orders: Option<f64>,
    pub repeat: Repeat,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Satisfaction {
    /// Cases with a rating, and the average of the ratings.
    pub rated: u64,
    pub average: Option<f64>,
    /// Of the cases followed up, the share whose latest follow-up found the customer satisfied.
    pub followed_up: u64,
    pub satisfied_share: Option<f64>,
    /// How many gave 1, 2, 3, 4 and 5 stars.
    pub ratings: [u64; 5],
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Repeat {
    /// Different complainants in the period.
    pub complainants: u64,
    /// Those who complained more than once, and how many cases they opened.
    pub repeat_complainants: u64,
    pub repeat_cases: u64,
    pub repeat_share: Option<f64>,
}

/// One step of the timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimelinePoint {
    /// The bucket's first day.
    pub start: NaiveDate,
    pub cases: u64,
    pub by_channel: BTreeMap<String, u64>,
    pub by_category: BTreeMap<String, u64>,
}

/// A count under a name (a department, a carrier, a product).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub key: String,
    pub cases: u64,
}

/// One bar of a Pareto chart: biggest first, with the running share.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ParetoItem {
    pub key: String,
    /// The code's Chinese label; the domain leaves it empty (it holds no words) and the way
    /// out fills it from the locale files.
    pub label_zh: String,
    pub cases: u64,
    pub share: f64,
    pub cumulative_share: f64,
}

/// What one person or department had on their desk.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Workload {
    pub key: String,
    pub cases: u64,
    pub open: u64,
    pub closed: u64,
    pub resolution_hours: Spread,
}

/// The dashboard's data.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Report {
    pub bucket: Bucket,
    pub summary: Summary,
    /// The same figures for the same number of days just before.
    pub previous: Summary,
    pub timeline: Vec<TimelinePoint>,
    pub by_department: Vec<Count>,
    pub by_carrier: Vec<Count>,
    pub by_product: Vec<Count>,
    pub by_shop: Vec<Count>,
    pub root_causes: Vec<ParetoItem>,
    pub liability: Vec<ParetoItem>,
    pub agents: Vec<Workload>,
    pub departments: Vec<Workload>,
}
