use super::*;
use crate::case::ResolutionOption;
use crate::codes::ResolutionKind;
use crate::history::Move;

fn words() -> (
    impl Fn(&ResolutionOption) -> String,
    impl Fn(&str) -> String,
) {
    (
        |o: &ResolutionOption| format!("{:?}", o.kind),
        |c: &str| {
            if c == "yto" {
                "圆通速递".to_owned()
            } else {
                c.to_owned()
            }
        },
    )
}

fn comment(internal: bool) -> Entry {
    Entry::Changed {
        change: Change::Comment {
            text: "请问外箱是否有破损？".into(),
            internal,
            override_check: false,
        },
        moved: None,
    }
}

#[test]
fn customers_hear_public_messages_never_internal_notes() {
    assert_eq!(
        customer_event(&comment(false)),
        Some(CustomerEvent::Message)
    );
    assert_eq!(customer_event(&comment(true)), None);
}

#[test]
fn a_replacement_notice_names_the_carrier_and_the_number() {
    let entry = Entry::Stepped {
        step: Step::ShipReplacement,
        note: None,
        data: StepData::Replaced {
            carrier: "yto".into(),
            tracking_no: "YT9988".into(),
            lines: vec![],
        },
        moved: None,
    };
    assert_eq!(customer_event(&entry), Some(CustomerEvent::Reshipped));
    let mut case = crate::registration::sample_case();
    case.number = "KS-20261123-0001".into();
    let (option, carrier) = words();
    let n = notice(
        CustomerEvent::Reshipped,
        &case,
        &entry,
        None,
        &Words {
            option: &option,
            carrier: &carrier,
        },
    );
    assert!(n.subject.contains("KS-20261123-0001"));
    assert!(
        n.body.contains("圆通速递") && n.body.contains("YT9988"),
        "{}",
        n.body
    );
    assert!(!n.subject.contains('\n'));
}

#[test]
fn options_are_listed_with_their_amounts() {
    let entry = Entry::Changed {
        change: Change::Propose {
            options: vec![ResolutionOption {
                kind: ResolutionKind::PartialRefund,
                amount_cents: Some(1234.into()),
                note: None,
                lines: vec![],
                include_shipping: false,
                goodwill: Vec::new(),
            }],
            round: 1,
        },
        moved: None,
    };
    let case = crate::registration::sample_case();
    let (option, carrier) = words();
    let n = notice(
        CustomerEvent::OptionsOffered,
        &case,
        &entry,
        None,
        &Words {
            option: &option,
            carrier: &carrier,
        },
    );
    assert!(
        n.body.contains("1. PartialRefund（12.34 元）"),
        "{}",
        n.body
    );
}

#[test]
fn webhooks_hear_status_changes_and_the_events_asked_for() {
    let moved = Entry::Changed {
        change: Change::Approve {
            comment: None,
            goodwill: false,
        },
        moved: Some(Move {
            from: CaseStatus::AwaitingApproval,
            to: CaseStatus::Approved,
        }),
    };
    assert_eq!(webhook_events(&moved), vec!["case.status_changed"]);
    assert!(webhook_events(&comment(false)).is_empty());
    for e in WEBHOOK_EVENTS {
        assert!(e.contains('.'));
    }
}
