//! The query string of every report and export (`from`, `to` and the filters), parsed into
//! a domain query.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use kesu_domain::codes::{Category, Channel};
use kesu_domain::report::{Period, ReportFilter, ReportQuery};
use kesu_domain::FieldError;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// `?from=2026-11-01&to=2026-11-30&channel=chat…`: days in the shop's zone, both included.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// First day, e.g. 2026-11-01 (the shop's zone).
    pub from: Option<String>,
    /// Last day, included.
    pub to: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
    pub department: Option<String>,
    pub carrier: Option<String>,
    pub product: Option<String>,
    pub shop: Option<String>,
    pub assignee: Option<String>,
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

impl ReportParams {
    /// The last 30 days up to today, unless the caller chose.
    pub fn or_last_30_days(mut self, now: DateTime<Utc>, zone: Tz) -> ReportParams {
        let today = now.with_timezone(&zone).date_naive();
        if blank_to_none(&self.to).is_none() {
            self.to = Some(today.to_string());
        }
        if blank_to_none(&self.from).is_none() {
            self.from = Some((today - Duration::days(29)).to_string());
        }
        self
    }

    /// The query these parameters ask for; who may run it is the application layer's to say.
    pub fn query(&self, zone: Tz, now: DateTime<Utc>) -> Result<ReportQuery, ApiError> {
        let mut errors = Vec::new();
        let period = Period::parse(self.from.as_deref(), self.to.as_deref(), zone)
            .map_err(|e| errors.extend(e))
            .ok();
        let channel = blank_to_none(&self.channel).and_then(|c| {
            Channel::parse(&c).or_else(|| {
                errors.push(FieldError::explained(
                    "channel",
                    kesu_domain::Problem::Format,
                    format!("`{c}` is not a channel code"),
                ));
                None
            })
        });
        let category = blank_to_none(&self.category).and_then(|c| {
            Category::parse(&c).or_else(|| {
                errors.push(FieldError::explained(
                    "category",
                    kesu_domain::Problem::Format,
                    format!("`{c}` is not a category code"),
                ));
                None
            })
        });
        let department = blank_to_none(&self.department);
        let Some(period) = period.filter(|_| errors.is_empty()) else {
            return Err(ApiError::Invalid(errors));
        };
        Ok(ReportQuery {
            period,
            filter: ReportFilter {
                channel,
                category,
                department,
                carrier: blank_to_none(&self.carrier),
                product: blank_to_none(&self.product),
                shop: blank_to_none(&self.shop),
                assignee: blank_to_none(&self.assignee),
            },
            now,
        })
    }

    /// The same filters as a query string, for links (exports, the previous period).
    pub fn to_query_string(&self) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in [
            ("from", &self.from),
            ("to", &self.to),
            ("channel", &self.channel),
            ("category", &self.category),
            ("department", &self.department),
            ("carrier", &self.carrier),
            ("product", &self.product),
            ("shop", &self.shop),
            ("assignee", &self.assignee),
        ] {
            if let Some(v) = blank_to_none(v) {
                s.append_pair(k, &v);
            }
        }
        s.finish()
    }
}
