use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::*;
use crate::platform::ApiError;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn item(extra: serde_json::Value) -> PddRefund {
    let mut v = json!({
        "id": 8_811_223_344_i64, "order_sn": "261206-123456789", "after_sales_type": 3,
        "after_sales_status": 3, "after_sale_reason": "质量问题", "refund_amount": "59.00",
        "tracking_number": "", "good_image": "https://img.pddpic.com/a.jpg",
        "updated_time": "2026-12-06 10:05:00"
    });
    for (k, x) in extra.as_object().unwrap() {
        v[k] = x.clone();
    }
    serde_json::from_value(v).unwrap()
}

#[test]
fn an_item_reads_into_a_request_in_kesus_words() {
    let r = item(json!({})).request("拼多多旗舰店").unwrap();
    assert_eq!(r.platform, Platform::Pinduoduo);
    assert_eq!(r.request_id, "8811223344");
    assert_eq!(
        r.order_no.as_ref().map(|o| o.as_str()),
        Some("261206-123456789")
    );
    assert_eq!(r.kind, AfterSaleKind::ReturnRefund);
    assert_eq!(r.stage, Stage::AwaitingSeller);
    assert_eq!(r.status, "3");
    assert_eq!(r.amount, Some(crate::money::Cents::new(5900)));
    assert_eq!(r.updated_at, t("2026-12-06T02:05:00Z"));
    assert_eq!(r.return_tracking_no, None);
    assert_eq!(r.images, vec!["https://img.pddpic.com/a.jpg".to_owned()]);
    // Amounts come as strings or numbers; an expiry in unix seconds is the deadline.
    let r = item(
        json!({"refund_amount": 12.5, "expire_time": 1_765_000_000_i64,
        "tracking_number": "YT123", "after_sales_status": 8}),
    )
    .request("拼多多旗舰店")
    .unwrap();
    assert_eq!(r.amount, Some(crate::money::Cents::new(1250)));
    assert_eq!(r.deadline.map(|d| d.timestamp()), Some(1_765_000_000));
    assert_eq!(r.stage, Stage::Intervened);
    assert_eq!(r.return_tracking_no.as_deref(), Some("YT123"));
}

#[test]
fn items_kesu_cannot_take_say_why() {
    assert!(item(json!({"after_sales_type": 1})).request("s").is_err());
    assert!(item(json!({"updated_time": "yesterday"}))
        .request("s")
        .is_err());
    assert!(item(json!({"id": null})).request("s").is_err());
}

#[test]
fn every_documented_status_has_a_stage() {
    for (status, stage_) in [
        (2, Stage::AwaitingSeller),
        (4, Stage::Refunding),
        (6, Stage::Refused),
        (7, Stage::AwaitingReturn),
        (8, Stage::Intervened),
        (10, Stage::Refunded),
        (11, Stage::Closed),
        (16, Stage::Done),
        (99, Stage::Other),
    ] {
        assert_eq!(stage(status), stage_, "status {status}");
    }
}

#[test]
fn pages_errors_and_garbage_are_told_apart() {
    let page = parse_page(
        json!({"refund_increment_get_response": {"total_count": 250,
            "refund_list": [serde_json::to_value(json!({
                "id": 1, "after_sales_type": 2, "after_sales_status": 2,
                "updated_time": "2026-12-06 10:05:00"})).unwrap()]}})
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    assert_eq!((page.total_count, page.items.len()), (250, 1));
    let limited = json!({"error_response": {"error_code": 70031, "error_msg": "调用已被限流"}});
    assert!(matches!(
        parse_page(limited.to_string().as_bytes()),
        Err(ApiError::RateLimited(_))
    ));
    let token = json!({"error_response": {"error_code": 10019, "error_msg": "access_token已过期"}});
    assert!(matches!(
        parse_page(token.to_string().as_bytes()),
        Err(ApiError::TokenExpired(_))
    ));
    assert!(matches!(
        parse_page(b"<html>502</html>"),
        Err(ApiError::Garbage(_))
    ));
    assert!(matches!(parse_page(b"{}"), Err(ApiError::Garbage(_))));
}

#[test]
fn windows_cover_the_gap_in_steps_of_at_most_30_minutes_from_before_the_cursor() {
    let cursor = t("2026-12-06T00:00:00Z");
    let now = cursor + Duration::minutes(70);
    let w = windows(cursor, now);
    assert_eq!(
        w.first().unwrap().0,
        cursor - Duration::minutes(OVERLAP_MINUTES)
    );
    assert_eq!(w.last().unwrap().1, now);
    assert!(w
        .iter()
        .all(|(a, b)| *b - *a <= Duration::minutes(MAX_WINDOW_MINUTES) && a < b));
    assert!(
        w.windows(2).all(|p| p[0].1 == p[1].0),
        "no gap between windows"
    );
    assert_eq!(w.len(), 3);
    assert!(windows(now + Duration::minutes(10), now).is_empty());
}
