//! Commands parsed from their fields: what is refused, and how it is named.

use super::*;
use serde_json::json;

fn field_of(r: Result<Command, Rejection>) -> String {
    match r {
        Err(Rejection::Invalid(e)) => e[0].field.clone(),
        other => panic!("expected invalid, got {other:?}"),
    }
}

#[test]
fn unknown_fields_and_wrong_types_name_the_field() {
    let r = Command::parse(ActionName::Judge, json!({"valid": true, "reasn": "x"}));
    assert!(matches!(r, Err(Rejection::Invalid(_))));
    assert_eq!(
        field_of(Command::parse(ActionName::Judge, json!({"valid": "yes"}))),
        "valid"
    );
    assert_eq!(
        field_of(Command::parse(
            ActionName::Propose,
            json!({"options": [{"kind": "refund"}, {"kind": "bribe"}]})
        )),
        "options[1].kind"
    );
}

#[test]
fn invalid_judgement_needs_a_reason() {
    assert_eq!(
        field_of(Command::parse(ActionName::Judge, json!({"valid": false}))),
        "reason"
    );
    assert!(Command::parse(ActionName::Judge, json!({"valid": true})).is_ok());
}

#[test]
fn money_options_need_a_sane_amount() {
    let p = |v| Command::parse(ActionName::Propose, v);
    assert_eq!(
        field_of(p(json!({"options": [{"kind": "compensation"}]}))),
        "options[0].amount_cents"
    );
    assert_eq!(
        field_of(p(
            json!({"options": [{"kind": "refund", "amount_cents": -1}]})
        )),
        "options[0].amount_cents"
    );
    assert_eq!(
        field_of(p(
            json!({"options": [{"kind": "refund", "amount_cents": 100000001}]})
        )),
        "options[0].amount_cents"
    );
    assert_eq!(field_of(p(json!({"options": []}))), "options");
    assert!(p(
        json!({"options": [{"kind": "apology"}, {"kind": "partial_refund", "amount_cents": 500}]})
    )
    .is_ok());
}

#[test]
fn follow_up_rating_is_one_to_five() {
    assert_eq!(
        field_of(Command::parse(
            ActionName::FollowUp,
            json!({"satisfied": true, "rating": 6})
        )),
        "rating"
    );
}
