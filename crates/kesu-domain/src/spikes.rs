//! Complaints that hit many customers at once (seed 001: 涉及面广): a burst of complaints about
//! one SKU, batch, carrier or shop is seen as one problem. A key spikes when its complaints in
//! the last window reach both a floor (default 5) and a multiple (default 3×) of its usual rate
//! over the trailing days (default 28) before the window. Issue 23 builds incidents on this;
//! the rule is pure and counts in integers (no floating point).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What complaints are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Sku,
    Batch,
    Carrier,
    Shop,
}

/// When a burst counts as a spike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SpikeRule {
    /// The recent window, in hours (default 6).
    pub window_hours: i64,
    /// At least this many complaints in the window (default 5).
    pub min_count: u32,
    /// And at least this many times the usual rate (default 3).
    pub factor: u32,
    /// The usual rate is measured over this many days before the window (default 28).
    pub trailing_days: i64,
}

impl Default for SpikeRule {
    fn default() -> Self {
        SpikeRule {
            window_hours: 6,
            min_count: 5,
            factor: 3,
            trailing_days: 28,
        }
    }
}

impl SpikeRule {
    /// Checks an admin's rule: a window of 1–72 hours, a floor of 2–1000 complaints, a
    /// factor of 1–100, 7–90 trailing days.
    pub fn check(&self) -> Result<(), Vec<crate::error::FieldError>> {
        use crate::error::{FieldError, Problem};
        let mut errors = Vec::new();
        let mut within = |field: &str, v: i64, min: i64, max: i64| {
            if !(min..=max).contains(&v) {
                errors.push(FieldError::new(field, Problem::Range { min, max }));
            }
        };
        within("rule.window_hours", self.window_hours, 1, 72);
        within("rule.min_count", i64::from(self.min_count), 2, 1000);
        within("rule.factor", i64::from(self.factor), 1, 100);
        within("rule.trailing_days", self.trailing_days, 7, 90);
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// One complaint, as seen along one dimension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observation {
    pub dimension: Dimension,
    pub key: String,
    pub at: DateTime<Utc>,
}

/// A key whose complaints spiked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spike {
    pub dimension: Dimension,
    pub key: String,
    /// Complaints in the window.
    pub recent: u32,
    /// Complaints over the trailing days before it.
    pub trailing: u32,
    /// How many windows the trailing days hold (the usual rate is `trailing / windows`).
    pub windows: i64,
}

/// The keys that spike at `now`, the largest bursts first.
pub fn spikes(observations: &[Observation], now: DateTime<Utc>, rule: &SpikeRule) -> Vec<Spike> {
    let window = Duration::hours(rule.window_hours.max(1));
    let window_start = now - window;
    let trailing_start = window_start - Duration::days(rule.trailing_days.max(1));
    let windows = (rule.trailing_days.max(1) * 24 / rule.window_hours.max(1)).max(1);
    let mut counts: std::collections::BTreeMap<(Dimension, &str), (u32, u32)> =
        std::collections::BTreeMap::new();
    for o in observations.iter().filter(|o| o.at <= now) {
        let slot = counts.entry((o.dimension, o.key.as_str())).or_default();
        if o.at > window_start {
            slot.0 += 1;
        } else if o.at > trailing_start {
            slot.1 += 1;
        }
    }
    let mut found: Vec<Spike> = counts
        .into_iter()
        .filter(|(_, (recent, trailing))| {
            // recent ≥ factor × trailing / windows, kept in integers.
            *recent >= rule.min_count
                && i64::from(*recent) * windows >= i64::from(rule.factor) * i64::from(*trailing)
        })
        .map(|((dimension, key), (recent, trailing))| Spike {
            dimension,
            key: key.to_owned(),
            recent,
            trailing,
            windows,
        })
        .collect();
    found.sort_by(|a, b| b.recent.cmp(&a.recent).then(a.key.cmp(&b.key)));
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn sku(key: &str, when: DateTime<Utc>) -> Observation {
        Observation {
            dimension: Dimension::Sku,
            key: key.into(),
            at: when,
        }
    }

    /// Generated data: SKU A at its usual two a day for 28 days; SKU B quiet, then eight in
    /// the last three hours; SKU C busy every day (twelve a day, three per six hours), six
    /// in the window: busy, but not unusual.
    #[test]
    fn a_burst_of_one_sku_is_found_and_the_normal_daily_rate_is_not() {
        let now = at("2026-11-23T12:00:00+08:00");
        let mut seen = Vec::new();
        for day in 0..28 {
            let base = now - Duration::days(day) - Duration::hours(7);
            seen.push(sku("A", base));
            seen.push(sku("A", base - Duration::hours(5)));
            for k in 0..12 {
                seen.push(sku("C", base - Duration::hours(2 * k)));
            }
        }
        seen.push(sku("B", now - Duration::days(10)));
        for m in 0..8 {
            seen.push(sku("B", now - Duration::minutes(20 * m)));
        }
        for m in 0..6 {
            seen.push(sku("C", now - Duration::minutes(50 * m)));
        }
        let found = spikes(&seen, now, &SpikeRule::default());
        assert_eq!(
            found
                .iter()
                .map(|s| (s.key.as_str(), s.recent))
                .collect::<Vec<_>>(),
            [("B", 8)]
        );
        assert_eq!(found[0].windows, 112, "28 days of 6-hour windows");
    }

    #[test]
    fn below_the_floor_is_no_spike_and_the_future_is_ignored() {
        let now = at("2026-11-23T12:00:00+08:00");
        let four: Vec<_> = (0..4)
            .map(|m| sku("D", now - Duration::minutes(m)))
            .collect();
        assert!(spikes(&four, now, &SpikeRule::default()).is_empty());
        let mut later = four.clone();
        later.push(sku("D", now + Duration::hours(1)));
        assert!(spikes(&later, now, &SpikeRule::default()).is_empty());
        later.push(sku("D", now));
        assert_eq!(spikes(&later, now, &SpikeRule::default())[0].recent, 5);
    }
}
