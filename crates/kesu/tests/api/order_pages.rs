//! Orders in the workbench: looked up by number, entered and corrected by hand, and the
//! registration form filled from one.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{browser, page_text, TestApp};

fn order() -> serde_json::Value {
    json!({"shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678", "address": "浙江省杭州市西湖区文三路 90 号"},
        "placed_at": "2026-11-11T00:05:00+08:00", "paid_at": "2026-11-11T00:06:00+08:00", "payment_method": "alipay",
        "lines": [{"line_id": "L7", "name": "玻璃杯", "spec": "350ml", "unit_price_cents": 5900, "quantity": 2},
                  {"line_id": "L8", "name": "杯垫", "unit_price_cents": 1000, "quantity": 1}],
        "shipping_cents": 800,
        "shipments": [{"carrier": "yto", "tracking_no": "YT1234567890", "status": "delivered",
                       "shipped_at": "2026-11-11T18:00:00+08:00", "lines": [{"line_id": "L7", "quantity": 2}]}],
        "refunds": [{"lines": [{"line_id": "L8", "quantity": 1, "cash_cents": 1000, "points_cents": 0}], "method": "wechat_pay",
                     "reference": "WX-889"}]})
}

#[tokio::test]
async fn an_order_is_looked_up_by_number_and_read_in_words() {
    let app = TestApp::sqlite().await;
    let amy = app.user("amy", "agent", None).await;
    app.user("wu", "department", Some("logistics")).await;
    assert!(app
        .put_order(&amy, "TB-20261111", &order())
        .await
        .status()
        .is_success());
    let (agent, _) = browser(&app, "amy", "pass-word-1").await;

    // The box takes the number as typed, spaces around it too.
    let r = agent
        .get(app.url("/orders?no=%20TB-20261111%20"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = r.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(to, "/orders/TB-20261111");
    let page = page_text(&agent, &app.url(&to)).await;
    for words in [
        "玻璃杯",
        "350ml",
        "L7",
        "L8",
        "¥118.00",
        "圆通速递",
        "YT1234567890",
        "已签收",
        "支付宝",
        "微信支付",
        "WX-889",
        "平台/导入",
        "2026-11-11 00:05",
        // The buyer is masked: revealed only on one of the order's cases, with a reason.
        "138****5678",
        "为此订单登记投诉",
        "修改订单",
    ] {
        assert!(page.contains(words), "{words} missing from the order page");
    }
    assert!(!page.contains("13812345678") && !page.contains("文三路"));
    for code in [">yto<", "alipay", "wechat_pay", ">delivered<"] {
        assert!(!page.contains(code), "raw code {code} on the order page");
    }
    // What is left: the cups and the shipping (the coaster was refunded).
    assert!(page.contains("¥126.00"), "refundable = 118 + 8");

    // A department user reads it masked and may not correct it.
    let (dept, _) = browser(&app, "wu", "pass-word-1").await;
    let page = page_text(&dept, &app.url(&to)).await;
    assert!(page.contains("玻璃杯") && !page.contains("13812345678") && !page.contains("文三路"));
    assert!(!page.contains("修改订单"));
    let r = dept
        .get(app.url(&format!("{to}/edit")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);

    // An unknown number says so and offers to enter it.
    let r = agent
        .get(app.url("/orders?no=NOPE-1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("没有这个订单") && page.contains("手工录入订单"),
        "{page}"
    );
}

#[tokio::test]
async fn an_order_entered_by_hand_is_stored_as_the_api_would_store_it() {
    let app = TestApp::sqlite().await;
    let amy = app.user("amy", "agent", None).await;
    let (agent, csrf) = browser(&app, "amy", "pass-word-1").await;
    let r = agent
        .get(app.url("/orders?no=PDD-77&enter=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/orders/PDD-77/edit");
    let form = page_text(&agent, &app.url("/orders/PDD-77/edit")).await;
    assert!(
        form.contains("name=\"line_price\"") && !form.contains("type=\"date"),
        "{form}"
    );

    let post = |fields: Vec<(&'static str, &'static str)>| {
        let mut all = vec![("_csrf", csrf.clone())];
        all.extend(fields.into_iter().map(|(k, v)| (k, v.to_owned())));
        agent.post(app.url("/orders/PDD-77/edit")).form(&all).send()
    };
    let typed = vec![
        ("shop", "拼多多店"),
        ("buyer_name", "李雷"),
        ("buyer_phone", "13900001111"),
        ("buyer_address", ""),
        ("placed_at", "2026/11/20 09:15"),
        ("paid_at", ""),
        ("payment_method", "wechat_pay"),
        ("shipping", "6"),
        ("points", ""),
        // Two lines, the second without a number; an empty row is ignored.
        ("line_id", "A"),
        ("line_name", "保温杯"),
        ("line_spec", ""),
        ("line_sku", ""),
        ("line_price", "¥89.90"),
        ("line_qty", "1"),
        ("line_id", ""),
        ("line_name", "杯刷"),
        ("line_spec", ""),
        ("line_sku", ""),
        ("line_price", "5"),
        ("line_qty", "2"),
        ("line_id", ""),
        ("line_name", ""),
        ("line_spec", ""),
        ("line_sku", ""),
        ("line_price", ""),
        ("line_qty", ""),
        ("discount_id", ""),
        ("discount_kind", "shop_coupon"),
        ("discount_amount", "10"),
        ("discount_lines", ""),
        ("ship_kind", "original"),
        ("ship_carrier", "zto"),
        ("ship_tracking", "ZT5550001"),
        ("ship_at", "2026-11-20 18:00"),
        ("ship_lines", "A:1, L2:2"),
        ("ship_status", "in_transit"),
        ("ship_kind", "original"),
        ("ship_carrier", "yto"),
        ("ship_tracking", ""),
        ("ship_at", ""),
        ("ship_lines", ""),
        ("ship_status", ""),
    ];
    let mut bad = typed.clone();
    for (k, v) in bad.iter_mut() {
        if *k == "line_price" && *v == "5" {
            *v = "五元";
        }
        if *k == "placed_at" {
            *v = "11/20/2026";
        }
    }
    let r = post(bad).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("五元") && page.contains("2026-12-01"),
        "the typed values kept, the date format named: {page}"
    );
    assert_eq!(
        app.get(&amy, "/api/v1/orders/PDD-77").await.status(),
        StatusCode::NOT_FOUND,
        "nothing half-stored"
    );

    let r = post(typed.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let stored: serde_json::Value = app
        .get(&amy, "/api/v1/orders/PDD-77")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        stored["placed_at"], "2026-11-20T01:15:00Z",
        "typed in the shop's zone"
    );
    assert_eq!(stored["payment_method"], "wechat_pay");
    let lines: Vec<_> = stored["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["line_id"].clone(), l["unit_price_cents"].clone()))
        .collect();
    assert_eq!(
        lines,
        vec![(json!("A"), json!(8990)), (json!("L2"), json!(500))]
    );
    assert_eq!(stored["discounts"][0]["amount_cents"], 1000);
    assert_eq!(stored["shipping_cents"], 600);
    let ships = stored["shipments"].as_array().unwrap();
    assert_eq!(
        ships.len(),
        1,
        "the row without a tracking number is not a parcel"
    );
    assert_eq!(ships[0]["carrier"], "zto");
    assert_eq!(
        ships[0]["lines"],
        json!([{"line_id": "A", "quantity": 1}, {"line_id": "L2", "quantity": 2}])
    );

    // Correcting it: the form starts from the order, and a refund recorded with it stays.
    let mut with_refund = order();
    with_refund["lines"] =
        json!([{"line_id": "A", "name": "保温杯", "unit_price_cents": 8990, "quantity": 1}]);
    with_refund["shipments"] = json!([]);
    with_refund["refunds"] = json!([{"lines": [], "shipping_cents": 800, "method": "alipay"}]);
    assert!(app
        .put_order(&amy, "PDD-78", &with_refund)
        .await
        .status()
        .is_success());
    let form = page_text(&agent, &app.url("/orders/PDD-78/edit")).await;
    assert!(
        form.contains("value=\"89.90\"") && form.contains("value=\"2026-11-11 00:05\""),
        "{form}"
    );
    let r = agent
        .post(app.url("/orders/PDD-78/edit"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("shop", "旗舰店"),
            ("buyer_name", "王小明"),
            ("placed_at", "2026-11-11 00:05"),
            ("shipping", "8"),
            ("line_id", "A"),
            ("line_name", "保温杯（黑）"),
            ("line_price", "89.90"),
            ("line_qty", "1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let stored: serde_json::Value = app
        .get(&amy, "/api/v1/orders/PDD-78")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stored["lines"][0]["name"], "保温杯（黑）");
    assert_eq!(
        stored["refunds"].as_array().unwrap().len(),
        1,
        "the recorded refund is kept"
    );
    assert_eq!(stored["refunds"][0]["shipping_cents"], 800);
}

#[tokio::test]
async fn the_registration_form_starts_from_the_order_number() {
    let app = TestApp::sqlite().await;
    let amy = app.user("amy", "agent", None).await;
    assert!(app
        .put_order(&amy, "TB20261111001", &order())
        .await
        .status()
        .is_success());
    let (agent, _) = browser(&app, "amy", "pass-word-1").await;
    let blank = page_text(&agent, &app.url("/cases/new")).await;
    let first_field = blank.find("name=\"order_no\"").unwrap();
    assert!(
        first_field < blank.find("name=\"channel\"").unwrap(),
        "the order number comes first"
    );
    assert!(!blank.contains("datetime-local") && !blank.contains("type=\"date\""));

    // From the order's page: the customer and the parcel are filled in.
    let page = page_text(&agent, &app.url("/orders/TB20261111001")).await;
    assert!(page.contains("/cases/new?order_no=TB20261111001"));
    let form = page_text(&agent, &app.url("/cases/new?order_no=TB20261111001")).await;
    assert!(
        form.contains("value=\"王小明\"") && form.contains("value=\"YT1234567890\""),
        "{form}"
    );
}
