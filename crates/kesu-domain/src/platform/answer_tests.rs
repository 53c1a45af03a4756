use chrono::{TimeZone, Utc};
use serde_json::json;

use super::*;
use crate::platform::{Platform, PlatformLink};

fn link(kind: AfterSaleKind, stage: Stage) -> PlatformLink {
    PlatformLink {
        platform: Platform::Pinduoduo,
        shop: "旗舰店".into(),
        request_id: "9001".into(),
        kind,
        status: "2".into(),
        stage,
        amount_cents: None,
        amount_over_paid: false,
        order_missing: false,
        deadline: None,
        return_tracking_no: None,
        intervention: None,
        revision: None,
        updated_at: Utc.with_ymd_and_hms(2026, 11, 23, 2, 0, 0).unwrap(),
    }
}

fn refuse() -> Answer {
    Answer::Refuse {
        reason: "已超过七天".into(),
        evidence: None,
    }
}

fn agree_return() -> Answer {
    Answer::AgreeReturn {
        address: "A1".into(),
        note: None,
    }
}

#[test]
fn a_request_over_on_the_platform_takes_no_answer() {
    for stage in [Stage::Refunded, Stage::Done, Stage::Closed] {
        let l = link(AfterSaleKind::RefundOnly, stage);
        for a in [
            Answer::AgreeRefund { note: None },
            refuse(),
            Answer::Message { text: "x".into() },
        ] {
            assert!(a.allowed(&l).is_err(), "{stage:?} {a:?}");
        }
    }
}

#[test]
fn each_answer_fits_the_requests_kind_and_stage() {
    let waiting = link(AfterSaleKind::ReturnRefund, Stage::AwaitingSeller);
    assert!(agree_return().allowed(&waiting).is_ok());
    assert!(refuse().allowed(&waiting).is_ok());
    // Nothing to send back on a refund only.
    assert!(agree_return()
        .allowed(&link(AfterSaleKind::RefundOnly, Stage::AwaitingSeller))
        .is_err());
    // The goods are on their way back: not the time to agree a return or to refuse,
    // though a message is always possible.
    let sending = link(AfterSaleKind::ReturnRefund, Stage::AwaitingReturn);
    assert!(agree_return().allowed(&sending).is_err());
    assert!(refuse().allowed(&sending).is_err());
    assert!(Answer::Message { text: "x".into() }
        .allowed(&sending)
        .is_ok());
    // The goods came back: agree the refund, or refuse it.
    let returned = link(AfterSaleKind::ReturnRefund, Stage::Returned);
    assert!(Answer::AgreeRefund { note: None }
        .allowed(&returned)
        .is_ok());
    assert!(refuse().allowed(&returned).is_ok());
    // An exchange is not agreed as a refund.
    assert!(Answer::AgreeRefund { note: None }
        .allowed(&link(AfterSaleKind::Exchange, Stage::AwaitingSeller))
        .is_err());
}

#[test]
fn only_money_answers_decide_money() {
    assert!(Answer::AgreeRefund { note: None }.decides_money());
    assert!(refuse().decides_money());
    assert!(!agree_return().decides_money());
    assert!(!Answer::Message { text: "x".into() }.decides_money());
}

#[test]
fn words_are_checked_and_trimmed_naming_the_field() {
    let blank = Answer::Refuse {
        reason: "  ".into(),
        evidence: Some(" ".into()),
    };
    let errors = blank.checked().unwrap_err();
    assert_eq!(errors[0].field, "reason");
    let long = Answer::Message {
        text: "好".repeat(501),
    };
    assert_eq!(long.checked().unwrap_err()[0].field, "text");
    let ok = Answer::AgreeRefund {
        note: Some("  ".into()),
    }
    .checked()
    .unwrap();
    assert_eq!(ok, Answer::AgreeRefund { note: None });
}

#[test]
fn answers_read_from_json_by_their_name_and_refuse_strange_fields() {
    let a: Answer = serde_json::from_value(json!({"answer": "refuse", "reason": "r"})).unwrap();
    assert_eq!(a.code(), "refuse");
    assert!(
        serde_json::from_value::<Answer>(json!({"answer": "refuse", "reason": "r", "x": 1}))
            .is_err()
    );
    assert!(serde_json::from_value::<Answer>(json!({"answer": "pay_double"})).is_err());
}

#[test]
fn pinduoduo_calls_carry_the_request_and_order_and_refusals_are_unsupported() {
    let l = link(AfterSaleKind::ReturnRefund, Stage::AwaitingSeller);
    let c = call(&l, Some("PDD-1"), &agree_return(), "KS-1-2").unwrap();
    assert_eq!(c.method, "pdd.refund.returngoods.agree");
    assert_eq!(c.fields["return_address_id"], "A1");
    assert_eq!(c.fields["after_sales_id"], "9001");
    assert_eq!(c.fields["order_sn"], "PDD-1");
    assert!(call(&l, Some("PDD-1"), &refuse(), "k").is_err());
    assert!(call(&l, None, &Answer::AgreeRefund { note: None }, "k").is_err());
}

#[test]
fn site_calls_carry_the_answer_and_its_key() {
    let mut l = link(AfterSaleKind::RefundOnly, Stage::AwaitingSeller);
    l.platform = Platform::Site;
    let c = call(&l, None, &refuse(), "KS-1-2").unwrap();
    assert_eq!(c.method, "kesu.answer.refuse");
    assert_eq!(c.fields["answer"], "refuse");
    assert_eq!(c.fields["reason"], "已超过七天");
    assert_eq!(c.fields["answer_key"], "KS-1-2");
    assert_eq!(c.fields["request_id"], "9001");
}
