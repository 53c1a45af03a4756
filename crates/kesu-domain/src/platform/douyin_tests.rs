use serde_json::json;

use super::*;

fn data(status: i64, arbitrate: serde_json::Value) -> serde_json::Value {
    json!({"process_info": {
        "after_sale_info": {"after_sale_id": 61, "after_sale_type": 0, "after_sale_status": status,
            "refund_amount": 2590, "reason": "质量问题", "reason_remark": " 坏了 ",
            "update_time": 1_790_000_000, "status_deadline": 1_790_172_800,
            "evidence": ["https://img/a.jpg", "ftp://x"]},
        "arbitrate_info": arbitrate},
        "order_info": {"shop_order_id": "4900001"}})
}

#[test]
fn statuses_and_types_map_to_kesus_words() {
    assert_eq!(stage(6), Stage::AwaitingSeller);
    assert_eq!(stage(7), Stage::AwaitingReturn);
    assert_eq!(stage(11), Stage::Returned);
    assert_eq!(stage(27), Stage::Refused);
    assert_eq!(stage(12), Stage::Refunded);
    assert_eq!(stage(28), Stage::Closed);
    assert_eq!(stage(999), Stage::Other);
    assert_eq!(kind(0), Some(AfterSaleKind::ReturnRefund));
    assert_eq!(kind(2), Some(AfterSaleKind::RefundOnly));
    assert_eq!(kind(3), Some(AfterSaleKind::Exchange));
    assert_eq!(kind(6), None, "price protection is not a complaint");
}

#[test]
fn only_after_sales_tags_name_an_after_sale() {
    let m = |tag: &str| json!({"tag": tag, "data": json!({"aftersale_id": 61}).to_string()});
    assert_eq!(pushed_after_sale(&m("200")), Some("61".into()));
    assert_eq!(pushed_after_sale(&m("213")), Some("61".into()));
    assert_eq!(pushed_after_sale(&m("100")), None);
    assert_eq!(
        pushed_after_sale(&json!({"tag": "201", "data": "not json"})),
        None
    );
}

#[test]
fn a_detail_reads_into_a_request_and_arbitration_steps_in() {
    let r = request(&data(6, json!({"arbitrate_status": 0})), "店").unwrap();
    assert_eq!(r.request_id, "61");
    assert_eq!(r.order_no.unwrap().as_str(), "4900001");
    assert_eq!(r.stage, Stage::AwaitingSeller);
    assert_eq!(r.amount.unwrap().get(), 2590);
    assert_eq!(r.words.as_deref(), Some("坏了"));
    assert_eq!(r.images, vec!["https://img/a.jpg".to_owned()]);
    assert_eq!(r.deadline.unwrap().timestamp(), 1_790_172_800);
    let arbitrated = json!({"arbitrate_status": 2,
        "arbitrate_evidence_tmpl": {"describe": "上传视频", "dead_line": 1_790_050_000}});
    let r = request(&data(6, arbitrated.clone()), "店").unwrap();
    assert_eq!(r.stage, Stage::Intervened);
    let i = r.intervention.unwrap();
    assert_eq!(i.asked.as_deref(), Some("上传视频"));
    assert_eq!(i.by.unwrap().timestamp(), 1_790_050_000);
    // Over is over, arbitration or not.
    assert_eq!(
        request(&data(12, arbitrated), "店").unwrap().stage,
        Stage::Refunded
    );
    assert!(request(&json!({"process_info": {}}), "店").is_err());
}

#[test]
fn gateway_errors_are_told_apart() {
    assert!(parse_data(br#"{"err_no":0,"data":{"a":1}}"#).is_ok());
    assert!(parse_data(br#"{"code":10000,"data":{}}"#).is_ok());
    assert!(matches!(
        parse_data(br#"{"err_no":30002,"message":"x"}"#),
        Err(ApiError::TokenExpired(_))
    ));
    assert!(matches!(
        parse_data(br#"{"code":90000,"msg":"x"}"#),
        Err(ApiError::RateLimited(_))
    ));
    assert!(matches!(
        parse_data(br#"{"code":50002,"msg":"x"}"#),
        Err(ApiError::Platform { code: 50002, .. })
    ));
    assert!(matches!(
        parse_data(br#"{"html":1}"#),
        Err(ApiError::Garbage(_))
    ));
    assert!(matches!(parse_data(b"<html>"), Err(ApiError::Garbage(_))));
}
