//! The reports themselves: one pass over the fact table per period, gathering counts,
//! durations and money of the cases received in it (a cohort: a case counts in the period
//! it came in, with everything that happened to it since).

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, TimeZone, Utc};

use super::query::{bucket_start, ReportFilter, ReportQuery};
use super::stats::{share, Spread};
use super::table::{index_of, time, FactTable, Row, NONE, NO_CODE, NO_SYM};
use super::views::{
    Count, ParetoItem, Repeat, Report, Satisfaction, Summary, TimelinePoint, Workload,
};
use crate::codes::{Category, Channel, Liability, RootCause};

/// How many orders were placed in a period (from the store), for the complaint rate.
pub type OrdersIn = dyn Fn(NaiveDate, NaiveDate) -> Option<i64>;

/// A wanted name and where a row keeps it.
type NameFilter = (Option<u32>, fn(&Row) -> u32);

/// What one desk had: cases, open cases, hours to resolve each resolved one.
type Desk = (u64, u64, Vec<f64>);

/// Filters turned into symbols once; a name nobody has matches no case.
pub(super) struct Matcher {
    channel: Option<u8>,
    category: Option<u8>,
    names: [NameFilter; 5],
    none_match: bool,
}

impl Matcher {
    pub(super) fn new(table: &FactTable, f: &ReportFilter) -> Matcher {
        let mut none_match = false;
        let mut sym = |name: &Option<String>| match name {
            None => None,
            Some(n) => match table.symbols.lookup(n) {
                Some(id) => Some(id),
                None => {
                    none_match = true;
                    None
                }
            },
        };
        let names: [NameFilter; 5] = [
            (sym(&f.department), |r| r.department),
            (sym(&f.carrier), |r| r.carrier),
            (sym(&f.product), |r| r.product),
            (sym(&f.shop), |r| r.shop),
            (sym(&f.assignee), |r| r.assignee),
        ];
        Matcher {
            channel: f.channel.map(|c| index_of(Channel::ALL, c)),
            category: f.category.map(|c| index_of(Category::ALL, c)),
            names,
            none_match,
        }
    }

    pub(super) fn matches(&self, r: &Row) -> bool {
        !self.none_match
            && self.channel.is_none_or(|c| c == r.channel)
            && self.category.is_none_or(|c| c == r.category)
            && self
                .names
                .iter()
                .all(|(want, get)| want.is_none_or(|w| w == get(r)))
    }
}

/// Running totals of one period.
#[derive(Default)]
struct Acc {
    cases: u64,
    open: u64,
    closed: u64,
    invalid: u64,
    by_category: [u64; 16],
    by_channel: [u64; 16],
    first_response: Vec<f64>,
    resolution: Vec<f64>,
    sla_cases: u64,
    sla_met: u64,
    rated: u64,
    rating_sum: u64,
    ratings: [u64; 5],
    followed_up: u64,
    satisfied: u64,
    reopened: u64,
    refunds: i64,
    compensation: i64,
    recovered: i64,
    /// Every case's complainant key; sorted once at the end (a year of a big shop is a
    /// million keys, which a hash map counts several times slower).
    complainants: Vec<i64>,
}

impl Acc {
    fn add(&mut self, r: &Row, now_ms: i64) {
        self.cases += 1;
        if r.is_open() {
            self.open += 1;
        } else {
            self.closed += 1;
        }
        if r.outcome == 1 {
            self.invalid += 1;
        }
        self.by_category[usize::from(r.category) & 15] += 1;
        self.by_channel[usize::from(r.channel) & 15] += 1;
        if r.first_response != NONE {
            self.first_response
                .push((r.first_response - r.received) as f64 / 60_000.0);
        }
        if r.resolved != NONE {
            self.resolution
                .push((r.resolved - r.received) as f64 / 3_600_000.0);
        }
        let clocks = [
            first_response_met(r.first_response, r.first_response_due, r.is_open(), now_ms),
            clock_met(r.resolved, r.resolve_due, r.is_open(), now_ms),
        ];
        if clocks.iter().any(Option::is_some) {
            self.sla_cases += 1;
            if clocks.iter().all(|c| *c != Some(false)) {
                self.sla_met += 1;
            }
        }
        if r.rating > 0 {
            self.rated += 1;
            self.rating_sum += u64::from(r.rating);
            self.ratings[usize::from(r.rating.min(5)) - 1] += 1;
        }
        if r.satisfied > 0 {
            self.followed_up += 1;
            if r.satisfied == 2 {
                self.satisfied += 1;
            }
        }
        if r.renegotiations > 0 {
            self.reopened += 1;
        }
        self.refunds += r.refunds;
        self.compensation += r.compensation;
        self.recovered += r.recovered;
        if r.complainant != 0 {
            self.complainants.push(r.complainant);
        }
    }

    fn summary(mut self, from: NaiveDate, to: NaiveDate, orders: Option<i64>) -> Summary {
        let counts = |arr: &[u64; 16], codes: Vec<&'static str>| {
            codes
                .into_iter()
                .enumerate()
                .map(|(i, code)| (code.to_owned(), arr[i]))
                .collect::<BTreeMap<_, _>>()
        };
        self.complainants.sort_unstable();
        let per_complainant: Vec<u64> = self
            .complainants
            .chunk_by(|a, b| a == b)
            .map(|run| run.len() as u64)
            .collect();
        let repeaters: Vec<u64> = per_complainant.iter().copied().filter(|n| *n > 1).collect();
        let repeat_cases: u64 = repeaters.iter().sum();
        Summary {
            from,
            to,
            cases: self.cases,
            open: self.open,
            closed: self.closed,
            invalid: self.invalid,
            by_category: counts(
                &self.by_category,
                Category::ALL.iter().map(|c| c.code()).collect(),
            ),
            by_channel: counts(
                &self.by_channel,
                Channel::ALL.iter().map(|c| c.code()).collect(),
            ),
            first_response_minutes: Spread::of(&mut self.first_response),
            resolution_hours: Spread::of(&mut self.resolution),
            sla_compliance: share(self.sla_met, self.sla_cases),
            sla_cases: self.sla_cases,
            satisfaction: Satisfaction {
                rated: self.rated,
                average: (self.rated > 0).then(|| {
                    ((self.rating_sum as f64 / self.rated as f64) * 100.0).round() / 100.0
                }),
                followed_up: self.followed_up,
                satisfied_share: share(self.satisfied, self.followed_up),
                ratings: self.ratings,
            },
            reopened: self.reopened,
            reopen_rate: share(self.reopened, self.cases),
            refunds_cents: self.refunds,
            compensation_cents: self.compensation,
            claims_recovered_cents: self.recovered,
            orders,
            complaints_per_1000_orders: orders
                .filter(|o| *o > 0)
                .map(|o| (self.cases as f64 * 100_000.0 / o as f64).round() / 100.0),
            repeat: Repeat {
                complainants: per_complainant.len() as u64,
                repeat_complainants: repeaters.len() as u64,
                repeat_cases,
                repeat_share: share(repeat_cases, self.cases),
            },
        }
    }
}

/// Whether a clock was met (`Some(true)`), missed (`Some(false)`) or is still running or
/// never ran (`None`). An open case past its deadline has missed it.
/// The first-response clock: like [`clock_met`], and a case closed without the customer
/// ever hearing from staff missed it.
pub(super) fn first_response_met(done: i64, due: i64, open: bool, now: i64) -> Option<bool> {
    if done == NONE && !open && due != NONE {
        Some(false)
    } else {
        clock_met(done, due, open, now)
    }
}

pub(super) fn clock_met(done: i64, due: i64, open: bool, now: i64) -> Option<bool> {
    if done != NONE {
        Some(due == NONE || done <= due)
    } else if open && due != NONE && due < now {
        Some(false)
    } else {
        None
    }
}

impl FactTable {
    /// The summary of docs/interface.md §7 for one period.
    pub fn summary(&self, q: &ReportQuery, orders: &OrdersIn) -> Summary {
        let m = Matcher::new(self, &q.filter);
        let (start, end) = q.period.bounds();
        let (start, end) = (start.timestamp_millis(), end.timestamp_millis());
        let now = q.now.timestamp_millis();
        let mut acc = Acc::default();
        for r in self
            .rows
            .iter()
            .filter(|r| r.received >= start && r.received < end)
        {
            if m.matches(r) {
                acc.add(r, now);
            }
        }
        acc.summary(
            q.period.from,
            q.period.to,
            orders(q.period.from, q.period.to),
        )
    }

    /// The whole dashboard: the summary, the previous period's, and the breakdowns.
    pub fn report(&self, q: &ReportQuery, orders: &OrdersIn) -> Report {
        let previous = ReportQuery {
            period: q.period.previous(),
            ..q.clone()
        };
        let m = Matcher::new(self, &q.filter);
        let (start, end) = q.period.bounds();
        let (start, end) = (start.timestamp_millis(), end.timestamp_millis());
        let now = q.now.timestamp_millis();
        let zone = q.period.zone;
        let bucket = q.period.bucket();
        let starts = q.period.bucket_starts();

        let mut acc = Acc::default();
        let mut timeline = vec![([0u64; 16], [0u64; 16]); starts.len()];
        let mut names: [HashMap<u32, u64>; 4] = Default::default();
        let mut causes = [0u64; 16];
        let mut liability = [0u64; 16];
        let mut desks: [HashMap<u32, Desk>; 2] = Default::default();
        for r in self
            .rows
            .iter()
            .filter(|r| r.received >= start && r.received < end)
        {
            if !m.matches(r) {
                continue;
            }
            acc.add(r, now);
            let day = Utc
                .timestamp_millis_opt(r.received)
                .single()
                .map(|t| t.with_timezone(&zone).date_naive())
                .unwrap_or(q.period.from);
            let b = bucket_start(bucket, day).max(q.period.from);
            if let Ok(i) = starts.binary_search(&b) {
                timeline[i].0[usize::from(r.channel) & 15] += 1;
                timeline[i].1[usize::from(r.category) & 15] += 1;
            }
            for (k, sym) in [r.department, r.carrier, r.product, r.shop]
                .into_iter()
                .enumerate()
            {
                if sym != NO_SYM {
                    *names[k].entry(sym).or_default() += 1;
                }
            }
            if r.root_cause != NO_CODE {
                causes[usize::from(r.root_cause) & 15] += 1;
            }
            if r.liability != NO_CODE {
                liability[usize::from(r.liability) & 15] += 1;
            }
            for (k, sym) in [r.assignee, r.department].into_iter().enumerate() {
                if sym != NO_SYM {
                    let d = desks[k].entry(sym).or_default();
                    d.0 += 1;
                    if r.is_open() {
                        d.1 += 1;
                    }
                    if r.resolved != NONE {
                        d.2.push((r.resolved - r.received) as f64 / 3_600_000.0);
                    }
                }
            }
        }
        let by_channel_codes: Vec<&str> = Channel::ALL.iter().map(|c| c.code()).collect();
        let by_category_codes: Vec<&str> = Category::ALL.iter().map(|c| c.code()).collect();
        let counted = |arr: &[u64; 16], codes: &[&str]| {
            codes
                .iter()
                .enumerate()
                .map(|(i, c)| ((*c).to_owned(), arr[i]))
                .collect::<BTreeMap<_, _>>()
        };
        let timeline = starts
            .iter()
            .zip(&timeline)
            .map(|(start, (ch, cat))| TimelinePoint {
                start: *start,
                cases: ch.iter().sum(),
                by_channel: counted(ch, &by_channel_codes),
                by_category: counted(cat, &by_category_codes),
            })
            .collect();
        let [departments, carriers, products, shops] = names.map(|n| self.ranked(n));
        let [agent_desks, department_desks] = desks.map(|d| self.workloads(d));
        Report {
            bucket,
            previous: self.summary(&previous, orders),
            summary: acc.summary(
                q.period.from,
                q.period.to,
                orders(q.period.from, q.period.to),
            ),
            timeline,
            by_department: departments,
            by_carrier: carriers,
            by_product: products,
            by_shop: shops,
            root_causes: pareto(&causes, RootCause::ALL.iter().map(|c| c.code())),
            liability: pareto(&liability, Liability::ALL.iter().map(|c| c.code())),
            agents: agent_desks,
            departments: department_desks,
        }
    }

    /// How many cases with `root_cause` (and `category`, when given) came in between two
    /// instants: what an improvement action aims to lower.
    pub fn count_cause(
        &self,
        root_cause: RootCause,
        category: Option<Category>,
        from: chrono::DateTime<Utc>,
        until: chrono::DateTime<Utc>,
    ) -> u64 {
        let cause = index_of(RootCause::ALL, root_cause);
        let category = category.map(|c| index_of(Category::ALL, c));
        let (from, until) = (from.timestamp_millis(), until.timestamp_millis());
        self.rows
            .iter()
            .filter(|r| {
                r.received >= from
                    && r.received < until
                    && r.root_cause == cause
                    && category.is_none_or(|c| c == r.category)
            })
            .count() as u64
    }

    /// The oldest case's arrival, for choosing a default period.
    pub fn first_received(&self) -> Option<chrono::DateTime<Utc>> {
        self.rows.iter().map(|r| r.received).min().and_then(time)
    }

    fn ranked(&self, counts: HashMap<u32, u64>) -> Vec<Count> {
        let mut list: Vec<Count> = counts
            .into_iter()
            .filter_map(|(sym, cases)| {
                self.symbols.name(sym).map(|key| Count {
                    key: key.to_owned(),
                    cases,
                })
            })
            .collect();
        list.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.key.cmp(&b.key)));
        list
    }

    fn workloads(&self, desks: HashMap<u32, Desk>) -> Vec<Workload> {
        let mut list: Vec<Workload> = desks
            .into_iter()
            .filter_map(|(sym, (cases, open, mut hours))| {
                self.symbols.name(sym).map(|key| Workload {
                    key: key.to_owned(),
                    cases,
                    open,
                    closed: cases - open,
                    resolution_hours: Spread::of(&mut hours),
                })
            })
            .collect();
        list.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.key.cmp(&b.key)));
        list
    }
}

/// Biggest first, with running shares; codes without cases are left out.
fn pareto<'a>(counts: &[u64; 16], codes: impl Iterator<Item = &'a str>) -> Vec<ParetoItem> {
    let mut items: Vec<(usize, &str, u64)> = codes
        .enumerate()
        .map(|(i, code)| (i, code, counts[i]))
        .filter(|x| x.2 > 0)
        .collect();
    items.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    let total: u64 = items.iter().map(|x| x.2).sum();
    let mut running = 0;
    items
        .into_iter()
        .map(|(_, code, n)| {
            running += n;
            ParetoItem {
                key: code.to_owned(),
                label_zh: String::new(),
                cases: n,
                share: share(n, total).unwrap_or(0.0),
                cumulative_share: share(running, total).unwrap_or(0.0),
            }
        })
        .collect()
}

impl FactTable {
    /// The ids of the cases a query selects, oldest first: what an export lists.
    pub fn matching_ids(&self, q: &ReportQuery) -> Vec<i64> {
        self.drill(q, super::Figure::Cases)
    }
}
