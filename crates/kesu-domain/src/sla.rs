//! Service levels: which targets apply to a case (by channel, category and priority), when
//! each of its clocks runs out, and the timers that warn, escalate and remind.
//!
//! A case has three clocks: the first response (from receipt until a member of staff first
//! answers), the current step (from entering its status until it moves on) and the
//! resolution (from receipt until the customer confirms). The step and resolution clocks
//! stop while the case waits on the customer; the first response never waits. A
//! consumer-association case is resolved within calendar days of filing, which no pause
//! stops: the law counts them.
//!
//! Timers are not stored ahead: what is still to fire follows from the case and from what
//! has fired ([`pending`]); the store keeps only the fired ones, and the case row keeps the
//! time it next needs the worker ([`next_due`]).

use crate::error::{Ask, FieldError, Problem};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::calendar::{deadline, Pause};
use crate::case::{Case, CaseStatus, Deadlines};
use crate::codes::{Category, Channel, Priority};
use crate::history::{Entry, TimerFired};
use crate::policy::Policy;
use crate::role::Role;

/// One of a case's clocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SlaClock {
    FirstResponse,
    Step,
    Resolution,
    /// A platform's countdown on its after-sales request; kesu's deadline comes ahead of it.
    Platform,
    /// The money owed once a refund is agreed: within the shop's hours before shipping, and
    /// within 7 days of the goods coming back (消费者权益保护法 Art. 25; Order 90 Art. 13).
    Refund,
}

impl SlaClock {
    pub const ALL: &'static [SlaClock] = &[
        SlaClock::FirstResponse,
        SlaClock::Step,
        SlaClock::Resolution,
        SlaClock::Platform,
        SlaClock::Refund,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SlaClock::FirstResponse => "first_response",
            SlaClock::Step => "step",
            SlaClock::Resolution => "resolution",
            SlaClock::Platform => "platform",
            SlaClock::Refund => "refund",
        }
    }

    pub fn parse(code: &str) -> Option<SlaClock> {
        SlaClock::ALL.iter().copied().find(|c| c.code() == code)
    }
}

/// What a timer does when it fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// Part of the budget is used (75 % by default): the assignee is warned.
    Warning,
    /// The deadline passed: recorded as a breach and escalated to the supervisor.
    Breach,
    /// Still not done after the breach: a reminder (催办), repeated until it is.
    Reminder,
}

impl TimerKind {
    pub fn code(self) -> &'static str {
        match self {
            TimerKind::Warning => "warning",
            TimerKind::Breach => "breach",
            TimerKind::Reminder => "reminder",
        }
    }

    pub fn parse(code: &str) -> Option<TimerKind> {
        [TimerKind::Warning, TimerKind::Breach, TimerKind::Reminder]
            .into_iter()
            .find(|k| k.code() == code)
    }

    /// The history's action for a fired timer.
    pub fn action(self) -> &'static str {
        match self {
            TimerKind::Warning => "sla_warning",
            TimerKind::Breach => "sla_breach",
            TimerKind::Reminder => "sla_reminder",
        }
    }

    /// The kind whose fired timers the history names `action`.
    pub fn from_action(action: &str) -> Option<TimerKind> {
        [TimerKind::Warning, TimerKind::Breach, TimerKind::Reminder]
            .into_iter()
            .find(|k| k.action() == action)
    }
}

/// Targets of one rule; a rule sets only the targets it names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SlaRule {
    /// The rule applies to cases of this channel (any when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_response_minutes: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_hours: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolve_hours: Option<i64>,
}

impl SlaRule {
    fn matches(&self, channel: Channel, category: Category, priority: Priority) -> bool {
        self.channel.is_none_or(|c| c == channel)
            && self.category.is_none_or(|c| c == category)
            && self.priority.is_none_or(|p| p == priority)
    }

    /// More conditions: more specific. Priority weighs most, then category, then channel.
    fn specificity(&self) -> u8 {
        u8::from(self.channel.is_some())
            + 2 * u8::from(self.category.is_some())
            + 4 * u8::from(self.priority.is_some())
    }

    pub fn validate(&self, field: &str) -> Vec<FieldError> {
        let mut errors = Vec::new();
        let year_minutes = 60 * 24 * 365;
        for (name, value, max) in [
            (
                "first_response_minutes",
                self.first_response_minutes,
                year_minutes,
            ),
            ("step_hours", self.step_hours, 24 * 365),
            ("resolve_hours", self.resolve_hours, 24 * 365),
        ] {
            if value.is_some_and(|v| !(1..=max).contains(&v)) {
                errors.push(FieldError::explained(
                    &format!("{field}.{name}"),
                    Problem::Format,
                    "must be a positive duration within a year",
                ));
            }
        }
        if self.first_response_minutes.is_none()
            && self.step_hours.is_none()
            && self.resolve_hours.is_none()
        {
            errors.push(FieldError::new(field, Problem::Explain(Ask::Target)));
        }
        errors
    }
}

/// The budgets that apply to one case, in working time of the policy's calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub first_response: Duration,
    pub step: Duration,
    /// `None` for consumer-association cases: they have calendar days instead.
    pub resolve: Option<Duration>,
    pub resolve_days: Option<i64>,
}

/// The targets for a case: the base of the policy, overlaid by every matching rule from the
/// least to the most specific (listed order breaks ties).
pub fn targets(
    policy: &Policy,
    channel: Channel,
    category: Category,
    priority: Priority,
) -> Targets {
    let d = &policy.deadlines;
    let mut first = d.first_response_minutes;
    let mut step = d.step_hours;
    let mut resolve = d.resolve_hours;
    let mut rules: Vec<&SlaRule> = d
        .rules
        .iter()
        .filter(|r| r.matches(channel, category, priority))
        .collect();
    rules.sort_by_key(|r| r.specificity());
    for r in rules {
        first = r.first_response_minutes.unwrap_or(first);
        step = r.step_hours.unwrap_or(step);
        resolve = r.resolve_hours.unwrap_or(resolve);
    }
    let consumer_association = channel == Channel::ConsumerAssociation;
    Targets {
        first_response: Duration::minutes(first),
        step: Duration::hours(step),
        resolve: (!consumer_association).then(|| Duration::hours(resolve)),
        resolve_days: consumer_association.then_some(d.consumer_association_days),
    }
}

/// Whether the case has had its first response from staff.
fn responded(case: &Case) -> bool {
    case.responded_at.is_some()
}

/// Whether the resolution clock still runs: until the customer confirms the resolution.
fn resolving(case: &Case) -> bool {
    !matches!(case.status, CaseStatus::Resolved | CaseStatus::Closed)
}

/// When the current status began (older cases recorded only their last change).
pub fn status_since(case: &Case) -> DateTime<Utc> {
    case.status_since.unwrap_or(case.updated_at)
}

/// The start of the resolution clock: for a consumer-association case, its filing date.
fn resolution_start(case: &Case) -> DateTime<Utc> {
    case.referral
        .as_ref()
        .and_then(|r| r.filed_at)
        .unwrap_or(case.received_at)
}

/// The case's deadlines as its clocks stand; `None` while a clock is stopped.
pub fn deadlines(case: &Case, policy: &Policy) -> Deadlines {
    let t = targets(policy, case.channel, case.category, case.priority);
    let zone = policy.zone();
    let cal = &policy.calendar;
    let first_response_by = deadline(cal, &zone, case.received_at, t.first_response, &[]);
    let step_by = case
        .status
        .is_open()
        .then(|| deadline(cal, &zone, status_since(case), t.step, &case.pauses))
        .flatten();
    let resolve_by = match (t.resolve, t.resolve_days) {
        (_, Some(days)) => Some(resolution_start(case) + Duration::days(days)),
        (Some(budget), None) => deadline(cal, &zone, case.received_at, budget, &case.pauses),
        (None, None) => None,
    };
    let platform_by = case
        .status
        .is_open()
        .then(|| case.platform.as_ref().and_then(|p| p.running_deadline()))
        .flatten();
    Deadlines {
        first_response_by,
        step_by,
        resolve_by,
        platform_by,
        refund_by: refund_clock(case, policy).map(|(start, budget)| start + budget),
    }
}

/// When money became owed and whether the goods had to come back first: from the approval
/// of a refund before shipping (or of an amount), from the goods being back for a refund
/// after shipping or a return (the `parcel_back` or `receive_return` step). `None` while
/// nothing is owed.
pub fn refund_owed_since(case: &Case) -> Option<(DateTime<Utc>, bool)> {
    use crate::fulfilment::{Flow, Step};
    if case.status != CaseStatus::Approved {
        return None;
    }
    let chosen = case.chosen.as_ref()?;
    let step_at = |step: Step| {
        case.steps_done
            .iter()
            .find(|s| s.step == step)
            .map(|s| (s.at, true))
    };
    match chosen.flow {
        Flow::RefundNotShipped | Flow::AmountRefund => {
            Some((case.decision.as_ref().map_or(chosen.at, |d| d.at), false))
        }
        Flow::RefundShipped => step_at(Step::ParcelBack),
        Flow::ReturnRefund => step_at(Step::ReceiveReturn),
        Flow::Exchange | Flow::Reship | Flow::Simple => None,
    }
}

/// When the refund clock started and how long it runs, while a refund is owed (see
/// [`refund_owed_since`]). In calendar time: the law counts days, not working hours.
pub fn refund_clock(case: &Case, policy: &Policy) -> Option<(DateTime<Utc>, Duration)> {
    let d = &policy.deadlines;
    refund_owed_since(case).map(|(start, goods_back)| {
        let budget = if goods_back {
            Duration::days(d.refund_after_return_days)
        } else {
            Duration::hours(d.refund_before_shipping_hours)
        };
        (start, budget)
    })
}

/// kesu's deadline for a platform's countdown ending at `platform_by`: the policy's margin
/// ahead of it, or a quarter of the time left at receipt if the countdown is shorter.
pub fn platform_due(case: &Case, policy: &Policy, platform_by: DateTime<Utc>) -> DateTime<Utc> {
    let margin = Duration::minutes(policy.deadlines.platform_margin_minutes);
    let window = platform_by - case.received_at;
    platform_by - margin.min(window / 4).max(Duration::zero())
}

/// A moment at which something must happen to a case, unless its clock is met first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timer {
    /// Unique within the case: `{clock_key}:{kind}`.
    pub key: String,
    /// Identifies the clock run: `first_response`, `resolution`, `step:routed@1763868000000`.
    pub clock_key: String,
    pub clock: SlaClock,
    pub kind: TimerKind,
    pub due: DateTime<Utc>,
    /// The clock's deadline (for a warning, the breach it warns of).
    pub deadline: DateTime<Utc>,
}

/// A clock that runs now.
struct Running {
    clock: SlaClock,
    key: String,
    start: DateTime<Utc>,
    budget: Duration,
    due: DateTime<Utc>,
    /// Counted in working time, stopped by pauses (not the legal calendar-day deadline).
    working: bool,
}

/// The running clocks of a case, each with its deadline and budget.
fn running_clocks(case: &Case, policy: &Policy) -> Vec<Running> {
    let mut clocks = Vec::new();
    if !case.status.is_open() {
        return clocks;
    }
    let t = targets(policy, case.channel, case.category, case.priority);
    let d = deadlines(case, policy);
    if let (false, Some(due)) = (responded(case), d.first_response_by) {
        clocks.push(Running {
            clock: SlaClock::FirstResponse,
            key: "first_response".to_owned(),
            start: case.received_at,
            budget: t.first_response,
            due,
            working: true,
        });
    }
    if let Some(due) = d.step_by {
        let since = status_since(case);
        clocks.push(Running {
            clock: SlaClock::Step,
            key: format!("step:{}@{}", case.status.code(), since.timestamp_millis()),
            start: since,
            budget: t.step,
            due,
            working: true,
        });
    }
    if let (true, Some(due)) = (resolving(case), d.resolve_by) {
        let (start, budget, working) = match (t.resolve_days, t.resolve) {
            (Some(days), _) => (resolution_start(case), Duration::days(days), false),
            (None, budget) => (case.received_at, budget.unwrap_or_default(), true),
        };
        clocks.push(Running {
            clock: SlaClock::Resolution,
            key: "resolution".to_owned(),
            start,
            budget,
            due,
            working,
        });
    }
    if let Some((start, budget)) = refund_clock(case, policy) {
        clocks.push(Running {
            clock: SlaClock::Refund,
            key: format!("refund@{}", start.timestamp_millis()),
            start,
            budget,
            due: start + budget,
            working: false,
        });
    }
    if let Some(platform_by) = d.platform_by {
        // A new countdown from the platform is a new run of the clock, with timers of its own.
        clocks.push(Running {
            clock: SlaClock::Platform,
            key: format!("platform@{}", platform_by.timestamp_millis()),
            start: case.received_at,
            budget: platform_due(case, policy, platform_by) - case.received_at,
            due: platform_due(case, policy, platform_by),
            working: false,
        });
    }
    clocks
}

/// The keys of the clocks that run now; reminders of any other clock are void.
pub fn running_clock_keys(case: &Case, policy: &Policy) -> Vec<String> {
    running_clocks(case, policy)
        .into_iter()
        .map(|r| r.key)
        .collect()
}

/// The warning and breach timers of every running clock. Reminders follow the breach
/// (see [`pending`]).
pub fn timers(case: &Case, policy: &Policy) -> Vec<Timer> {
    let zone = policy.zone();
    let share = i64::from(policy.deadlines.warn_at_percent);
    let mut out = Vec::new();
    for r in running_clocks(case, policy) {
        let warn_budget = Duration::seconds(r.budget.num_seconds() * share / 100);
        let warn_at = if r.working {
            // The first response never pauses; the others skip the customer's time.
            let pauses: &[Pause] = match r.clock {
                SlaClock::FirstResponse => &[],
                _ => &case.pauses,
            };
            deadline(&policy.calendar, &zone, r.start, warn_budget, pauses)
        } else {
            Some(r.start + warn_budget)
        };
        let (clock, clock_key, due) = (r.clock, r.key, r.due);
        if let Some(at) = warn_at.filter(|w| *w < due) {
            out.push(Timer {
                key: format!("{clock_key}:warning"),
                clock_key: clock_key.clone(),
                clock,
                kind: TimerKind::Warning,
                due: at,
                deadline: due,
            });
        }
        out.push(Timer {
            key: format!("{clock_key}:breach"),
            clock_key,
            clock,
            kind: TimerKind::Breach,
            due,
            deadline: due,
        });
    }
    out
}

/// A timer that has fired, as recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fired {
    pub timer: Timer,
    /// The reminder's number; 0 for warnings and breaches.
    pub number: u32,
    pub fired_at: DateTime<Utc>,
}

/// After a breach or reminder fired, the next reminder: `remind_every_minutes` of working
/// time after it was due, or after it fired if it fired late (a worker that was down catches
/// up with one reminder, not a burst).
pub fn next_reminder(policy: &Policy, last: &Fired, deadline: DateTime<Utc>) -> Option<Timer> {
    let zone = policy.zone();
    let from = last.timer.due.max(last.fired_at);
    let every = Duration::minutes(policy.deadlines.remind_every_minutes);
    let due = policy.calendar.add_working(&zone, from, every)?;
    let number = last.number + 1;
    Some(Timer {
        key: format!("{}:reminder:{number}", last.timer.clock_key),
        clock_key: last.timer.clock_key.clone(),
        clock: last.timer.clock,
        kind: TimerKind::Reminder,
        due,
        deadline,
    })
}

/// Every timer of the case still to fire, given those that fired: the warnings and breaches
/// of its running clocks, and for each running clock whose breach fired, its next reminder
/// (with its number).
pub fn pending(case: &Case, policy: &Policy, fired: &[Fired]) -> Vec<(Timer, u32)> {
    let done = |key: &str| fired.iter().any(|f| f.timer.key == key);
    let mut out: Vec<(Timer, u32)> = Vec::new();
    for t in timers(case, policy) {
        if t.kind == TimerKind::Breach {
            let last = fired
                .iter()
                .filter(|f| f.timer.clock_key == t.clock_key && f.timer.kind != TimerKind::Warning)
                .max_by_key(|f| f.number);
            if let Some(reminder) = last.and_then(|l| next_reminder(policy, l, t.deadline)) {
                let number = last.map_or(1, |l| l.number + 1);
                out.push((reminder, number));
            }
        }
        if !done(&t.key) {
            out.push((t, 0));
        }
    }
    out.sort_by_key(|(t, _)| t.due);
    out
}

/// When the case next needs the worker, if ever.
pub fn next_due(case: &Case, policy: &Policy, fired: &[Fired]) -> Option<DateTime<Utc>> {
    pending(case, policy, fired).first().map(|(t, _)| t.due)
}

/// The history entry of the `number`th firing of a timer: which clock, its deadline, for
/// breaches who it is escalated to, and for reminders which one it is.
pub fn fired_entry(timer: &Timer, number: u32, now: DateTime<Utc>) -> Entry {
    let reminder = timer.kind == TimerKind::Reminder;
    Entry::Timer {
        kind: timer.kind,
        fired: TimerFired {
            clock: timer.clock,
            deadline: timer.deadline,
            escalated_to: (timer.kind == TimerKind::Breach).then_some(Role::Supervisor),
            reminder: reminder.then_some(number),
            overdue_minutes: reminder.then(|| (now - timer.deadline).num_minutes().max(0)),
        },
    }
}

#[cfg(test)]
#[path = "sla_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "sla_refund_tests.rs"]
mod refund_tests;
