use serde_json::json;

use super::*;

#[test]
fn statuses_and_expectations_map_to_kesus_words() {
    assert_eq!(stage(10001), Stage::AwaitingSeller);
    assert_eq!(stage(10005), Stage::AwaitingReturn);
    assert_eq!(stage(10006), Stage::Returned);
    assert_eq!(stage(10004), Stage::Refused);
    assert_eq!(stage(10012), Stage::Intervened);
    assert_eq!(stage(10010), Stage::Done);
    assert_eq!(stage(10009), Stage::Closed);
    assert_eq!(stage(1), Stage::Other);
    assert_eq!(kind(10), Some(AfterSaleKind::ReturnRefund));
    assert_eq!(kind(90), Some(AfterSaleKind::RefundOnly));
    assert_eq!(kind(40), None);
}

#[test]
fn jos_answers_and_errors_are_told_apart() {
    let ok = br#"{"jingdong_asc_query_list_responce":{"code":"0","result":{"success":true,"totalCount":2,"data":[{"serviceId":1},{"serviceId":"2"}]}}}"#;
    assert_eq!(
        parse_list(ok).unwrap(),
        (2, vec!["1".to_owned(), "2".to_owned()])
    );
    let token = br#"{"error_response":{"code":"19","zh_desc":"token expired"}}"#;
    assert!(matches!(parse_list(token), Err(ApiError::TokenExpired(_))));
    let limited = br#"{"error_response":{"code":"67","zh_desc":"limited"}}"#;
    assert!(matches!(parse_list(limited), Err(ApiError::RateLimited(_))));
    let refused = br#"{"jingdong_asc_query_view_responce":{"result":{"success":false,"errorCode":404,"errorMsg":"none"}}}"#;
    assert!(matches!(
        parse_view(refused),
        Err(ApiError::Platform { code: 404, .. })
    ));
    assert!(matches!(parse_list(b"<html>"), Err(ApiError::Garbage(_))));
    assert!(matches!(
        parse_view(br#"{"x":1}"#),
        Err(ApiError::Garbage(_))
    ));
}

#[test]
fn a_service_reads_into_a_request() {
    let s = json!({"serviceId": 81, "orderId": 25, "customerExpect": 10, "serviceStatus": 10001,
        "questionTypeName": "质量问题", "questionDesc": "坏点", "questionPic": "https://i/a.jpg, javascript:x",
        "refundAmount": "99.50", "updateTime": 1_790_000_000_000_i64, "approveDeadline": "2026-11-25 10:00:00",
        "sysVersion": 7, "jdInterveneFlag": 1});
    let r = request(&s, "店").unwrap();
    assert_eq!(r.request_id, "81");
    assert_eq!(r.order_no.unwrap().as_str(), "25");
    assert_eq!(r.stage, Stage::Intervened, "JD stepping in comes first");
    assert_eq!(r.amount.unwrap().get(), 9950);
    assert_eq!(r.images, vec!["https://i/a.jpg".to_owned()]);
    assert_eq!(
        r.deadline.unwrap().to_rfc3339(),
        "2026-11-25T02:00:00+00:00"
    );
    assert_eq!(r.updated_at.timestamp(), 1_790_000_000);
    assert_eq!(r.revision.as_deref(), Some("7"));
    assert!(request(&json!({"serviceId": 1}), "店").is_err());
}
