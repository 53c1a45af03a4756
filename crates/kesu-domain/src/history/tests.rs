//! The history's entries read back as they were written, and what cannot be read is kept.

use chrono::{DateTime, Utc};
use serde_json::json;

use super::*;
use crate::claims::{ClaimReason, ClaimStatus};
use crate::logistics::{ExceptionKind, Level};
use crate::refund::RequestedLine;
use crate::registration::RegistrationForm;
use crate::role::{ActorKind, RESERVED_ACTOR_NAMES};
use crate::sla::{SlaClock, Timer};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn reads_back(entry: Entry) {
    let read = Entry::read(entry.action(), entry.data());
    assert!(
        !matches!(read, Entry::Other { .. }),
        "{entry:?} read as {read:?}"
    );
    assert_eq!(read, entry);
}

#[test]
fn every_kind_kesu_writes_reads_back_typed() {
    let form: RegistrationForm = serde_json::from_value(json!({
        "channel": "phone", "complainant": {"name": "张三", "phone": "13800138000"},
        "order_no": "TB1", "category": "logistics", "demand": "refund",
        "description": "快递显示已签收但没收到",
    }))
    .unwrap();
    let registration = form.parse(t0()).unwrap();
    let actor = crate::role::Actor::staff("li", crate::role::Role::Agent, None);
    let case = registration.into_case(1, 1, &actor, t0(), &crate::Policy::default());
    let registered = registration.history_entry(&case);
    assert_eq!(registered.moved_to(), Some(CaseStatus::Registered));
    assert_eq!(registered.data()["number"], json!(case.number));
    reads_back(registered);

    for kind in [TimerKind::Warning, TimerKind::Breach, TimerKind::Reminder] {
        let timer = Timer {
            key: "resolution:breach".into(),
            clock_key: "resolution".into(),
            clock: SlaClock::Resolution,
            kind,
            due: t0(),
            deadline: t0(),
        };
        reads_back(crate::sla::fired_entry(&timer, 2, t0()));
    }
    reads_back(Entry::LogisticsException(ExceptionFound {
        kind: ExceptionKind::Stalled,
        level: Level::Exception,
        carrier: "yto".into(),
        tracking_no: "YT1".into(),
        text: "48 小时无物流更新".into(),
        playbook: "联系快递网点".into(),
    }));
    reads_back(Entry::Claim(ClaimNote::Filed {
        claim: 3,
        status: ClaimStatus::Filed,
        carrier: "yto".into(),
        tracking_no: "YT1".into(),
        reason: ClaimReason::Lost,
        amount_claimed_cents: 12_900,
        evidence: 2,
        deadline: t0(),
    }));
    reads_back(Entry::Attached(crate::history::Attached {
        attachment: 7,
        name: "破损.jpg".into(),
        content_type: "image/jpeg".into(),
        size: 123_456,
        sha256: "ab".repeat(32),
    }));
    reads_back(Entry::Claim(ClaimNote::Moved {
        claim: 3,
        status: ClaimStatus::Paid,
        from: ClaimStatus::Accepted,
        amount_recovered_cents: Some(12_900),
        note: None,
    }));
    reads_back(Entry::Stepped {
        step: Step::Inspect,
        note: Some("外箱破损".into()),
        data: StepData::Inspected {
            result: crate::fulfilment::Inspection::Partial,
            accepted: vec![RequestedLine {
                line_id: "A".into(),
                quantity: 1,
            }],
            spec_matches: Some(true),
            photos: vec![],
        },
        moved: None,
    });
    reads_back(Entry::Stepped {
        step: Step::Refund,
        note: None,
        data: StepData::Refunded {
            cash_cents: 100,
            points_cents: 0,
            shipping_cents: 0,
            lines: vec![],
            method: "original".into(),
            freight_cents: None,
        },
        moved: Some(Move {
            from: CaseStatus::Approved,
            to: CaseStatus::Executed,
        }),
    });
}

#[test]
fn an_entry_this_kesu_cannot_read_is_kept_as_stored() {
    for (action, data) in [
        ("judge", json!({"valid": "perhaps"})),
        ("judge", json!({"valid": true, "reason": null, "extra": 1})),
        ("sla_breach", json!({"clock": "resolution"})),
        ("merged_into", json!({"case": 7})),
        (
            "inspect",
            json!({"result": "pass", "accepted": [], "note": 5}),
        ),
    ] {
        let entry = Entry::read(action, data.clone());
        assert_eq!(
            entry,
            Entry::Other {
                action: action.into(),
                data: data.clone()
            }
        );
        assert_eq!((entry.action(), entry.data()), (action, data));
    }
}

#[test]
fn the_words_of_an_entry_are_its_text() {
    let comment = Entry::read(
        "comment",
        json!({"text": "亲，已为您加急", "internal": false}),
    );
    assert_eq!(comment.text(), Some("亲，已为您加急"));
    let step = Entry::read(
        "track_parcel",
        json!({"status": "派送中", "note": "已催派"}),
    );
    assert_eq!(step.text(), Some("已催派"));
    assert_eq!(step.moved_to(), None);
}

#[test]
fn authors_read_back_by_kind_and_system_names_are_reserved() {
    for author in [
        Author::Staff("li".into()),
        Author::Customer,
        Author::System(SystemActor::SlaTimer),
        Author::System(SystemActor::LogisticsMonitor),
        Author::System(SystemActor::Kesu),
    ] {
        assert_eq!(Author::read(author.name(), author.kind()), author);
        if author.kind() != ActorKind::Staff {
            assert!(RESERVED_ACTOR_NAMES.contains(&author.name()), "{author:?}");
        }
    }
    // A staff account that an older kesu let call itself `customer` stays staff.
    assert_eq!(
        Author::read("customer", ActorKind::Staff),
        Author::Staff("customer".into())
    );
}
