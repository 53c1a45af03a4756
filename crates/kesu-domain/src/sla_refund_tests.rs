//! The refund clock: money owed is owed by a date. 消费者权益保护法 Art. 25 and 网络购买商品七日
//! 无理由退货暂行办法 Art. 13: within seven days of receiving the returned goods; before
//! shipping, the shop's own promise (24 hours by default).

use chrono::{DateTime, Utc};

use super::*;
use crate::case::{CaseStatus, ChosenResolution, Decision, ResolutionOption};
use crate::codes::ResolutionKind;
use crate::fulfilment::{Flow, Step, StepData, StepRecord};

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

/// An approved case carrying `flow`, approved at 10:00 on 23 November (Shanghai).
fn approved(flow: Flow, kind: ResolutionKind) -> Case {
    let mut c = crate::registration::sample_case();
    c.status = CaseStatus::Approved;
    c.chosen = Some(ChosenResolution {
        index: 0,
        option: ResolutionOption {
            kind,
            amount_cents: None,
            note: None,
            lines: Vec::new(),
            include_shipping: false,
            goodwill: Vec::new(),
        },
        needs_approval: true,
        flow,
        chosen_by: "顾客".into(),
        at: at("2026-11-23T09:00:00+08:00"),
    });
    c.decision = Some(Decision {
        approved: true,
        automatic: false,
        comment: None,
        by: "sam".into(),
        at: at("2026-11-23T10:00:00+08:00"),
    });
    c
}

fn step(c: &mut Case, step: Step, when: &str) {
    c.steps_done.push(StepRecord {
        step,
        by: "wu".into(),
        at: at(when),
        note: None,
        data: StepData::Done {},
    });
}

#[test]
fn a_refund_before_shipping_is_due_within_the_shops_hours_of_the_approval() {
    let p = Policy::default();
    let c = approved(Flow::RefundNotShipped, ResolutionKind::Refund);
    assert_eq!(
        deadlines(&c, &p).refund_by,
        Some(at("2026-11-24T10:00:00+08:00"))
    );
    // Warned at three quarters (18 hours), breached at 24: calendar time, not working time.
    let refund: Vec<_> = timers(&c, &p)
        .into_iter()
        .filter(|t| t.clock == SlaClock::Refund)
        .map(|t| (t.kind, t.due))
        .collect();
    assert_eq!(
        refund,
        [
            (TimerKind::Warning, at("2026-11-24T04:00:00+08:00")),
            (TimerKind::Breach, at("2026-11-24T10:00:00+08:00")),
        ]
    );
}

/// Order 90 Art. 13: seven days from receiving the goods back, not from the approval.
#[test]
fn a_refund_after_a_return_is_due_seven_days_after_the_goods_came_back() {
    let p = Policy::default();
    let mut c = approved(Flow::ReturnRefund, ResolutionKind::ReturnRefund);
    assert_eq!(
        deadlines(&c, &p).refund_by,
        None,
        "nothing owed before the goods are back"
    );
    step(&mut c, Step::ReturnShipped, "2026-11-24T12:00:00+08:00");
    assert_eq!(deadlines(&c, &p).refund_by, None);
    step(&mut c, Step::ReceiveReturn, "2026-11-27T15:30:00+08:00");
    assert_eq!(
        deadlines(&c, &p).refund_by,
        Some(at("2026-12-04T15:30:00+08:00"))
    );
    // Refunded: the case is executed and the clock stops.
    c.status = CaseStatus::Executed;
    assert_eq!(deadlines(&c, &p).refund_by, None);
    assert!(timers(&c, &p).iter().all(|t| t.clock != SlaClock::Refund));
}

#[test]
fn a_refund_after_shipping_counts_from_the_parcel_back_and_a_shorter_promise_holds() {
    let mut p = Policy::default();
    p.deadlines.refund_after_return_days = 3;
    let mut c = approved(Flow::RefundShipped, ResolutionKind::Refund);
    step(&mut c, Step::TrackParcel, "2026-11-23T11:00:00+08:00");
    assert_eq!(deadlines(&c, &p).refund_by, None);
    step(&mut c, Step::ParcelBack, "2026-11-25T09:00:00+08:00");
    assert_eq!(
        deadlines(&c, &p).refund_by,
        Some(at("2026-11-28T09:00:00+08:00"))
    );
    assert!(crate::countdown::running(&{
        let mut c = c.clone();
        c.deadlines = deadlines(&c, &p);
        c
    })
    .iter()
    .any(|r| r.clock == SlaClock::Refund && r.start == at("2026-11-25T09:00:00+08:00")));
    // An exchange owes goods, not money.
    let exchange = approved(Flow::Exchange, ResolutionKind::Exchange);
    assert_eq!(deadlines(&exchange, &p).refund_by, None);
}
