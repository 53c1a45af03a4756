use serde_json::json;

use super::*;

#[test]
fn statuses_map_to_stages_and_the_platform_stepping_in_comes_first() {
    assert_eq!(stage("WAIT_SELLER_AGREE", Some(1)), Stage::AwaitingSeller);
    assert_eq!(
        stage("WAIT_BUYER_RETURN_GOODS", None),
        Stage::AwaitingReturn
    );
    assert_eq!(stage("WAIT_SELLER_CONFIRM_GOODS", Some(1)), Stage::Returned);
    assert_eq!(stage("SELLER_REFUSE_BUYER", Some(1)), Stage::Refused);
    assert_eq!(stage("SUCCESS", Some(1)), Stage::Refunded);
    assert_eq!(stage("CLOSED", None), Stage::Closed);
    assert_eq!(stage("SOMETHING_NEW", None), Stage::Other);
    for cs in 2..=5 {
        assert_eq!(stage("SELLER_REFUSE_BUYER", Some(cs)), Stage::Intervened);
    }
    // Over is over, whatever the arbiter's status.
    assert_eq!(stage("SUCCESS", Some(3)), Stage::Refunded);
    assert_eq!(stage("WAIT_SELLER_AGREE", Some(6)), Stage::AwaitingSeller);
}

#[test]
fn top_errors_are_told_apart() {
    let limited = br#"{"error_response":{"code":7,"msg":"App Call Limited","sub_code":"accesscontrol.limited-by-app-access-count"}}"#;
    assert!(matches!(
        parse_consumed(limited),
        Err(ApiError::RateLimited(_))
    ));
    let session = br#"{"error_response":{"code":27,"msg":"Invalid session","sub_code":"invalid-sessionkey"}}"#;
    assert!(matches!(
        parse_refund(session),
        Err(ApiError::TokenExpired(_))
    ));
    let other = br#"{"error_response":{"code":15,"msg":"Remote service error","sub_code":"isv.refund-not-exist"}}"#;
    assert!(matches!(
        parse_refund(other),
        Err(ApiError::Platform { code: 15, .. })
    ));
    assert!(matches!(
        parse_consumed(b"<html>"),
        Err(ApiError::Garbage(_))
    ));
    assert!(matches!(parse_refund(b"{}"), Err(ApiError::Garbage(_))));
    let empty = br#"{"tmc_messages_consume_response":{}}"#;
    assert!(parse_consumed(empty).unwrap().is_empty());
    let refused = br#"{"refund_refuse_response":{"is_success":false,"msg":"already closed"}}"#;
    assert!(parse_done(refused, "refund_refuse_response").is_err());
}

#[test]
fn only_refund_topics_name_a_refund() {
    let message = |topic: &str, content: serde_json::Value| TmcMessage {
        id: json!(1),
        topic: topic.into(),
        content: Some(content.to_string()),
        pub_time: Some("2026-11-23 10:00:00".into()),
    };
    assert_eq!(
        message("taobao_refund_RefundCreated", json!({"refund_id": 123})).refund_id(),
        Some("123".into())
    );
    assert_eq!(
        message("taobao_trade_TradeCreate", json!({"refund_id": 1})).refund_id(),
        None
    );
    assert_eq!(
        message("taobao_refund_RefundCreated", json!({"tid": 1})).refund_id(),
        None
    );
    let m = message("taobao_refund_RefundSuccess", json!({"refund_id": "9"}));
    assert_eq!(
        m.published_at().unwrap().to_rfc3339(),
        "2026-11-23T02:00:00+00:00"
    );
}

#[test]
fn a_refund_reads_into_a_request_with_its_deadline_and_revision() {
    let refund: TaobaoRefund = serde_json::from_value(json!({
        "refund_id": "2001", "tid": 3001, "status": "WAIT_SELLER_AGREE", "cs_status": 2,
        "has_good_return": true, "refund_fee": "59.90", "reason": "质量问题", "desc": "",
        "modified": "2026-11-23 10:00:00",
        "refund_remind_timeout": {"remind_type": 1, "exist_timeout": true, "timeout": "2026-11-25 10:00:00"},
        "refund_phase": "aftersale", "refund_version": 1700000000000_i64
    }))
    .unwrap();
    let r = refund.request("店", Some("坏了".into()), vec![]).unwrap();
    assert_eq!(r.request_id, "2001");
    assert_eq!(r.order_no.unwrap().as_str(), "3001");
    assert_eq!(r.kind, AfterSaleKind::ReturnRefund);
    assert_eq!(r.stage, Stage::Intervened);
    assert!(r.intervention.unwrap().asked.unwrap().contains("介入"));
    assert_eq!(r.amount.unwrap().get(), 5990);
    assert_eq!(
        r.deadline.unwrap().to_rfc3339(),
        "2026-11-25T02:00:00+00:00"
    );
    assert_eq!(r.revision.as_deref(), Some("aftersale|1700000000000"));
    assert_eq!(r.words.as_deref(), Some("坏了"));
    // No timeout running: no deadline.
    let mut quiet = refund.clone();
    quiet.refund_remind_timeout = Some(RemindTimeout {
        exist_timeout: false,
        timeout: Some("2026-11-25 10:00:00".into()),
    });
    assert_eq!(quiet.request("店", None, vec![]).unwrap().deadline, None);
    let mut broken = refund;
    broken.modified = "yesterday".into();
    assert!(broken.request("店", None, vec![]).is_err());
}

#[test]
fn only_the_buyers_messages_are_the_complaint() {
    let body = json!({"refund_messages_get_response": {"refund_messages": {"refund_message": [
        {"owner_role": 1, "content": "裂了", "pic_urls": {"pic_url": [{"url": "https://img/a.jpg"}, {"url": "javascript:x"}]}},
        {"owner_role": 2, "content": "亲，我们看看", "pic_urls": {"pic_url": [{"url": "https://img/seller.jpg"}]}},
        {"owner_role": 3, "content": "小二留言"}
    ]}}});
    let (words, images) = parse_buyer_messages(body.to_string().as_bytes()).unwrap();
    assert_eq!(words.as_deref(), Some("裂了"));
    assert_eq!(images, vec!["https://img/a.jpg".to_owned()]);
}
