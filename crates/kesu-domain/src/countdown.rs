//! The countdown an agent sees on a case: the nearest deadline of any clock that still runs
//! (the first response until the customer is answered, the current step, the resolution),
//! and how urgent it is.

use chrono::{DateTime, Duration, Utc};

use crate::case::Case;
use crate::sla::{status_since, SlaClock};

/// How urgent a deadline is, for the badge's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    Ok,
    /// Less than a quarter of the clock's time is left: the SLA engine warns at 75 %.
    Soon,
    Overdue,
}

/// The nearest deadline of a running clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Countdown {
    pub clock: SlaClock,
    pub due: DateTime<Utc>,
    /// When the clock started (its whole window is `due - start`).
    pub start: DateTime<Utc>,
}

impl Countdown {
    /// Time left until the deadline; negative once it has passed.
    pub fn left(&self, now: DateTime<Utc>) -> Duration {
        self.due - now
    }

    pub fn urgency(&self, now: DateTime<Utc>) -> Urgency {
        let left = self.left(now);
        if left < Duration::zero() {
            Urgency::Overdue
        } else if left * 4 < self.due - self.start {
            Urgency::Soon
        } else {
            Urgency::Ok
        }
    }
}

/// The clocks still running on `case` with their stored deadlines, nearest first.
pub fn running(case: &Case) -> Vec<Countdown> {
    if !case.status.is_open() {
        return Vec::new();
    }
    let d = &case.deadlines;
    let mut clocks: Vec<Countdown> = [
        case.responded_at
            .is_none()
            .then_some(d.first_response_by)
            .flatten()
            .map(|due| Countdown {
                clock: SlaClock::FirstResponse,
                due,
                start: case.received_at,
            }),
        d.step_by.map(|due| Countdown {
            clock: SlaClock::Step,
            due,
            start: status_since(case),
        }),
        d.resolve_by.map(|due| Countdown {
            clock: SlaClock::Resolution,
            due,
            start: case.received_at,
        }),
        // The platform's own countdown: it agrees the refund or steps in when it runs out.
        d.platform_by.map(|due| Countdown {
            clock: SlaClock::Platform,
            due,
            start: case.received_at,
        }),
        // The money owed: its window is short, so its start is the approval or the goods' return.
        d.refund_by.map(|due| Countdown {
            clock: SlaClock::Refund,
            due,
            start: crate::sla::refund_owed_since(case).map_or(case.received_at, |(s, _)| s),
        }),
    ]
    .into_iter()
    .flatten()
    .collect();
    // On equal deadlines the earlier clock in the list (first response) is the one named.
    clocks.sort_by_key(|c| c.due);
    clocks
}

/// The nearest deadline of any running clock: what the queue sorts by and the badge shows.
pub fn nearest(case: &Case) -> Option<Countdown> {
    running(case).into_iter().next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::CaseStatus;
    use chrono::TimeZone;

    fn case() -> Case {
        crate::registration::sample_case()
    }

    #[test]
    fn an_unanswered_case_counts_down_to_its_first_response() {
        let c = case();
        let n = nearest(&c).unwrap();
        assert_eq!(n.clock, SlaClock::FirstResponse);
        assert_eq!(Some(n.due), c.deadlines.first_response_by);
        assert!(running(&c).windows(2).all(|w| w[0].due <= w[1].due));
    }

    #[test]
    fn once_answered_the_next_clock_is_named() {
        let mut c = case();
        c.responded_at = Some(c.received_at);
        let n = nearest(&c).unwrap();
        assert_ne!(n.clock, SlaClock::FirstResponse);
        assert!(running(&c)
            .iter()
            .all(|x| x.clock != SlaClock::FirstResponse));
    }

    #[test]
    fn a_closed_case_has_no_countdown() {
        let mut c = case();
        c.status = CaseStatus::Closed;
        assert_eq!(nearest(&c), None);
    }

    #[test]
    fn urgency_turns_amber_in_the_last_quarter_and_red_once_past() {
        let start = Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap();
        let c = Countdown {
            clock: SlaClock::Step,
            start,
            due: start + Duration::hours(8),
        };
        assert_eq!(c.urgency(start + Duration::hours(5)), Urgency::Ok);
        assert_eq!(c.urgency(start + Duration::hours(7)), Urgency::Soon);
        assert_eq!(c.urgency(start + Duration::hours(9)), Urgency::Overdue);
        assert_eq!(c.left(start + Duration::hours(9)), Duration::hours(-1));
    }
}
