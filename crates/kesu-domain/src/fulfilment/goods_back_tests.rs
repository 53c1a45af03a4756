//! The refund after shipping waits for the goods (seed 003: 跟踪包裹 → 收货 → 验货 → 入库 → 退款).

use serde_json::json;

use super::*;
use crate::order::OrderForm;

fn order(statuses: &[Option<&str>]) -> Order {
    let shipments: Vec<_> = statuses
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({"carrier": "sf", "tracking_no": format!("SF{i}"), "status": s,
                   "shipped_at": "2026-11-11T18:00:00+08:00",
                   "lines": [{"line_id": "A", "quantity": 1}]})
        })
        .collect();
    let v = json!({
        "shop": "旗舰店", "buyer": {"name": "王小明"},
        "placed_at": "2026-11-11T00:05:00+08:00", "paid_at": "2026-11-11T00:06:00+08:00",
        "lines": [{"line_id": "A", "sku": "T", "unit_price_cents": 12900, "quantity": statuses.len().max(1)},
                  {"line_id": "B", "sku": "U", "unit_price_cents": 500, "quantity": 1}],
        "shipments": shipments,
    });
    serde_json::from_value::<OrderForm>(v)
        .unwrap()
        .parse("TB1")
        .unwrap()
}

fn line_a() -> Vec<RequestedLine> {
    vec![RequestedLine {
        line_id: "A".into(),
        quantity: 1,
    }]
}

fn staff(role: Role) -> Actor {
    Actor::staff("someone", role, None)
}

fn problem_code(r: Rejection) -> String {
    match r {
        Rejection::Invalid(f) => f[0].problem.code().to_owned(),
        Rejection::Forbidden { action, .. } => format!("forbidden:{action}"),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_parcel_still_travelling_keeps_the_money_in() {
    let o = order(&[Some("in_transit")]);
    let r = parcel_back_evidence(
        &o,
        &line_a(),
        ParcelOutcome::Intercepted,
        &StepFields::default(),
        &staff(Role::Agent),
    )
    .unwrap_err();
    let Rejection::Invalid(f) = &r else {
        panic!("{r:?}")
    };
    assert_eq!(f[0].field, "outcome");
    assert!(f[0].message.contains("SF0") && f[0].message.contains("in_transit"));
    assert_eq!(problem_code(r), "goods_not_back");
}

#[test]
fn tracking_that_shows_the_parcel_back_is_proof() {
    for (status, outcome) in [
        ("refused", ParcelOutcome::Refused),
        ("returned", ParcelOutcome::Returned),
        ("returned", ParcelOutcome::Intercepted),
        ("redirected", ParcelOutcome::Intercepted),
    ] {
        let o = order(&[Some(status)]);
        let e = parcel_back_evidence(
            &o,
            &line_a(),
            outcome,
            &StepFields::default(),
            &staff(Role::Agent),
        )
        .unwrap();
        assert_eq!(
            e,
            GoodsEvidence::Tracking {
                parcels: vec![ParcelStatus {
                    carrier: "sf".into(),
                    tracking_no: "SF0".into(),
                    status: status.into()
                }]
            }
        );
    }
    // Delivered is the opposite of back; redirected is not what "returned" claims.
    for (status, outcome) in [
        ("delivered", ParcelOutcome::Refused),
        ("redirected", ParcelOutcome::Returned),
    ] {
        let o = order(&[Some(status)]);
        assert!(parcel_back_evidence(
            &o,
            &line_a(),
            outcome,
            &StepFields::default(),
            &staff(Role::Agent)
        )
        .is_err());
    }
}

#[test]
fn every_parcel_of_the_lines_must_be_back() {
    let o = order(&[Some("returned"), Some("delivered"), None]);
    let r = parcel_back_evidence(
        &o,
        &line_a(),
        ParcelOutcome::Returned,
        &StepFields::default(),
        &staff(Role::Agent),
    )
    .unwrap_err();
    let Rejection::Invalid(f) = r else { panic!() };
    assert!(f[0].message.contains("SF1"), "{}", f[0].message);
    // A line with no parcel at all cannot be proven back by tracking.
    let lines = vec![RequestedLine {
        line_id: "B".into(),
        quantity: 1,
    }];
    assert!(parcel_back_evidence(
        &o,
        &lines,
        ParcelOutcome::Returned,
        &StepFields::default(),
        &staff(Role::Agent)
    )
    .is_err());
}

#[test]
fn the_warehouse_confirms_receipt_with_the_inspection() {
    let o = order(&[Some("in_transit")]);
    let mut fields = StepFields {
        received: Some(true),
        ..StepFields::default()
    };
    // An agent cannot speak for the warehouse.
    assert_eq!(
        problem_code(
            parcel_back_evidence(
                &o,
                &line_a(),
                ParcelOutcome::Returned,
                &fields,
                &staff(Role::Agent)
            )
            .unwrap_err()
        ),
        "not_applicable"
    );
    let warehouse = Actor::staff(
        "wh",
        Role::Department,
        Some(crate::codes::DepartmentCode::parse("warehouse").unwrap()),
    );
    // Receipt without the inspection's result is not enough.
    assert!(
        parcel_back_evidence(&o, &line_a(), ParcelOutcome::Returned, &fields, &warehouse).is_err()
    );
    fields.result = Some(Inspection::Partial);
    // A result other than pass says what was wrong.
    assert_eq!(
        problem_code(
            parcel_back_evidence(&o, &line_a(), ParcelOutcome::Returned, &fields, &warehouse)
                .unwrap_err()
        ),
        "explain"
    );
    fields.note = Some("外包装破损".into());
    assert_eq!(
        parcel_back_evidence(&o, &line_a(), ParcelOutcome::Returned, &fields, &warehouse).unwrap(),
        GoodsEvidence::Warehouse {
            result: Inspection::Partial
        }
    );
}

#[test]
fn only_a_supervisor_overrides_and_says_why() {
    let o = order(&[Some("in_transit")]);
    let fields = StepFields {
        override_reason: Some("顾客已当面退回商品".into()),
        ..StepFields::default()
    };
    assert_eq!(
        problem_code(
            parcel_back_evidence(
                &o,
                &line_a(),
                ParcelOutcome::Returned,
                &fields,
                &staff(Role::Agent)
            )
            .unwrap_err()
        ),
        "forbidden:override"
    );
    assert_eq!(
        parcel_back_evidence(
            &o,
            &line_a(),
            ParcelOutcome::Returned,
            &fields,
            &staff(Role::Supervisor)
        )
        .unwrap(),
        GoodsEvidence::Override {
            reason: "顾客已当面退回商品".into()
        }
    );
    let blank = StepFields {
        override_reason: Some("  ".into()),
        ..StepFields::default()
    };
    assert_eq!(
        problem_code(
            parcel_back_evidence(
                &o,
                &line_a(),
                ParcelOutcome::Returned,
                &blank,
                &staff(Role::Supervisor)
            )
            .unwrap_err()
        ),
        "explain"
    );
}

#[test]
fn an_agent_receives_a_return_only_once_tracking_shows_it_delivered() {
    let mut o = order(&[Some("delivered")]);
    assert!(
        return_received_evidence(&o, &StepFields::default(), &staff(Role::Agent)).is_err(),
        "no return parcel yet"
    );
    o.shipments.push(crate::order::Shipment {
        carrier: "yto".into(),
        tracking_no: "YT9".into(),
        shipped_at: None,
        lines: vec![],
        kind: ShipmentKind::Return,
        status: Some("in_transit".into()),
        signed_at: None,
        case_id: None,
    });
    assert!(return_received_evidence(&o, &StepFields::default(), &staff(Role::Agent)).is_err());
    let warehouse = staff(Role::Department);
    assert_eq!(
        return_received_evidence(&o, &StepFields::default(), &warehouse).unwrap(),
        None,
        "the warehouse's own word"
    );
    o.shipments[1].status = Some("delivered".into());
    assert!(matches!(
        return_received_evidence(&o, &StepFields::default(), &staff(Role::Agent)).unwrap(),
        Some(GoodsEvidence::Tracking { .. })
    ));
}
