//! Quality checks (质检; seed 000: regular audits, staff training, satisfaction norms): each
//! week a random sample of every agent's closed cases, stratified by category, reproducible
//! from its seed; a supervisor scores each against the admin's checklist; the agent sees the
//! scores and may answer once.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use crate::codes::Category;
use crate::error::{FieldError, Problem};
use crate::records_audit::draw;

/// The most cases drawn per agent and week.
pub const MAX_PER_AGENT: u32 = 50;
/// The most points one checklist item may carry.
pub const MAX_POINTS: u32 = 100;

/// One item of the checklist and the most points it gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChecklistItem {
    /// A short code (`greeting`, `read_back`…), kept with every score.
    pub code: String,
    /// What the supervisor checks, as they read it.
    pub label: String,
    pub points: u32,
}

/// The admin's settings: how many cases per agent a week, and the checklist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QualitySettings {
    pub per_agent: u32,
    pub checklist: Vec<ChecklistItem>,
}

impl Default for QualitySettings {
    fn default() -> Self {
        let item = |code: &str, label: &str, points| ChecklistItem {
            code: code.into(),
            label: label.into(),
            points,
        };
        QualitySettings {
            per_agent: 5,
            checklist: vec![
                item("greeting", "问候与语气：礼貌、共情、不推诿", 15),
                item(
                    "record_accuracy",
                    "记录准确：事实、订单、诉求与处理过程记录无误",
                    20,
                ),
                item("read_back", "复述确认：向顾客复述问题与方案并得到确认", 15),
                item("timeliness", "处理及时：首次响应与各环节在时限内", 20),
                item(
                    "fairness",
                    "方案公平：依据规则与责任，既不亏待顾客也不越权",
                    20,
                ),
                item("follow_up", "回访完成：执行后回访并记录顾客评价", 10),
            ],
        }
    }
}

impl QualitySettings {
    pub fn check(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !(1..=MAX_PER_AGENT).contains(&self.per_agent) {
            errors.push(FieldError::new(
                "per_agent",
                Problem::Range {
                    min: 1,
                    max: MAX_PER_AGENT as i64,
                },
            ));
        }
        if self.checklist.is_empty() || self.checklist.len() > 20 {
            errors.push(FieldError::new(
                "checklist",
                Problem::Length { min: 1, max: 20 },
            ));
        }
        for (i, item) in self.checklist.iter().enumerate() {
            if let Err(e) = crate::text::identifier(&format!("checklist[{i}].code"), &item.code, 40)
            {
                errors.push(e);
            }
            if self.checklist[..i].iter().any(|o| o.code == item.code) {
                errors.push(FieldError::new(
                    &format!("checklist[{i}].code"),
                    Problem::Twice {
                        value: item.code.clone(),
                    },
                ));
            }
            if item.label.trim().is_empty() || item.label.chars().count() > 200 {
                errors.push(FieldError::new(
                    &format!("checklist[{i}].label"),
                    Problem::Length { min: 1, max: 200 },
                ));
            }
            if !(1..=MAX_POINTS).contains(&item.points) {
                errors.push(FieldError::new(
                    &format!("checklist[{i}].points"),
                    Problem::Range {
                        min: 1,
                        max: MAX_POINTS as i64,
                    },
                ));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// The score of `given` points per item as a share of the most points, 0–100, rounded
    /// half up; every item must be scored within its points.
    pub fn score(&self, given: &BTreeMap<String, u32>) -> Result<u32, Vec<FieldError>> {
        let mut errors = Vec::new();
        for code in given.keys() {
            if !self.checklist.iter().any(|i| &i.code == code) {
                errors.push(FieldError::new(
                    &format!("scores.{code}"),
                    Problem::Unknown {
                        thing: crate::error::Thing::Field,
                        value: code.clone(),
                    },
                ));
            }
        }
        let (mut got, mut most) = (0u64, 0u64);
        for item in &self.checklist {
            match given.get(&item.code) {
                None => errors.push(FieldError::new(
                    &format!("scores.{}", item.code),
                    Problem::Required,
                )),
                Some(p) if *p > item.points => errors.push(FieldError::new(
                    &format!("scores.{}", item.code),
                    Problem::Range {
                        min: 0,
                        max: i64::from(item.points),
                    },
                )),
                Some(p) => got += u64::from(*p),
            }
            most += u64::from(item.points);
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(percent(got, most))
    }
}

/// `part` of `whole` in whole percent, rounded half up (0 for nothing of nothing): a score,
/// an item's share of its points, an average of scores (`sum` over `n` × 100).
pub fn percent(part: u64, whole: u64) -> u32 {
    ((part * 200 + whole) / (2 * whole.max(1))) as u32
}

/// An ISO week in the shop's zone: its name (`2026-W48`) and its UTC bounds (Monday 00:00
/// to the next Monday 00:00).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Week {
    pub name: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Week {
    /// The week holding `at` in `zone`.
    pub fn of(at: DateTime<Utc>, zone: chrono_tz::Tz) -> Week {
        let day = at.with_timezone(&zone).date_naive();
        Week::starting(
            day - Duration::days(i64::from(day.weekday().num_days_from_monday())),
            zone,
        )
    }

    /// The week before the one holding `at`: the last complete week.
    pub fn last_complete(at: DateTime<Utc>, zone: chrono_tz::Tz) -> Week {
        let this = Week::of(at, zone);
        Week::of(this.from - Duration::days(1), zone)
    }

    /// A week written `2026-W48`.
    pub fn parse(name: &str, zone: chrono_tz::Tz) -> Result<Week, FieldError> {
        let bad = || FieldError::explained("week", Problem::Format, "write the week as 2026-W48");
        let (y, w) = name.trim().split_once("-W").ok_or_else(bad)?;
        let (y, w): (i32, u32) = (y.parse().map_err(|_| bad())?, w.parse().map_err(|_| bad())?);
        let monday = NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon).ok_or_else(bad)?;
        Ok(Week::starting(monday, zone))
    }

    fn starting(monday: NaiveDate, zone: chrono_tz::Tz) -> Week {
        let start = |d: NaiveDate| {
            zone.from_local_datetime(&d.and_hms_opt(0, 0, 0).expect("midnight exists"))
                .earliest()
                .expect("midnight is a time in the zone")
                .with_timezone(&Utc)
        };
        let iso = monday.iso_week();
        Week {
            name: format!("{}-W{:02}", iso.year(), iso.week()),
            from: start(monday),
            to: start(monday + Duration::days(7)),
        }
    }
}

/// A closed case a sample may draw: who handled it and under which category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    pub case_id: i64,
    pub agent: String,
    pub category: Category,
}

/// Each agent's sample: `per_agent` of their cases (all, if they closed fewer), spread over
/// categories in proportion to how many each holds (largest remainders, ties to the bigger
/// category then the code), each category's share drawn by `seed`. The same cases and seed
/// draw the same sample, whatever order the cases come in.
pub fn weekly_sample(cases: &[Closed], per_agent: u32, seed: u64) -> BTreeMap<String, Vec<i64>> {
    let mut by_agent: BTreeMap<&str, BTreeMap<Category, Vec<i64>>> = BTreeMap::new();
    for c in cases {
        by_agent
            .entry(&c.agent)
            .or_default()
            .entry(c.category)
            .or_default()
            .push(c.case_id);
    }
    let mut out = BTreeMap::new();
    for (agent, strata) in by_agent {
        let total: usize = strata.values().map(Vec::len).sum();
        let want = (per_agent as usize).min(total);
        // Whole shares first, then one more to the largest remainders.
        let mut shares: Vec<(Category, usize, usize, usize)> = strata
            .iter()
            .map(|(cat, ids)| {
                let exact = ids.len() * want;
                (*cat, exact / total, exact % total, ids.len())
            })
            .collect();
        let mut left = want - shares.iter().map(|s| s.1).sum::<usize>();
        let mut order: Vec<usize> = (0..shares.len()).collect();
        order.sort_by(|&a, &b| {
            shares[b]
                .2
                .cmp(&shares[a].2)
                .then(shares[b].3.cmp(&shares[a].3))
                .then(shares[a].0.cmp(&shares[b].0))
        });
        for i in order {
            if left == 0 {
                break;
            }
            shares[i].1 += 1;
            left -= 1;
        }
        let mut drawn = Vec::with_capacity(want);
        for (cat, n, _, _) in shares {
            let stratum_seed = seed ^ stratum_key(agent, cat);
            drawn.extend(draw(&strata[&cat], n, stratum_seed));
        }
        drawn.sort_unstable();
        out.insert(agent.to_owned(), drawn);
    }
    out
}

/// A stable number for an agent's category (FNV-1a), so each stratum draws on its own.
fn stratum_key(agent: &str, category: Category) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in agent.bytes().chain([0]).chain(category.code().bytes()) {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
#[path = "quality_tests.rs"]
mod tests;
