//! Orders over HTTP: create or replace, masking, checks, and the case that shows its order.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    orders_are_stored_replaced_and_shown_with_their_case,
    bad_orders_are_refused_and_store_nothing
);

pub fn contract_order() -> Value {
    json!({
        "shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678", "address": "浙江省杭州市西湖区文三路100号"},
        "placed_at": "2026-11-11T00:05:00+08:00", "paid_at": "2026-11-11T00:06:00+08:00",
        "payment_method": "alipay",
        "lines": [{"line_id": "A", "sku": "TSHIRT-L-BLUE", "name": "纯棉T恤", "spec": "蓝色 L",
                   "unit_price_cents": 12900, "quantity": 2}],
        "discounts": [{"id": "c1", "kind": "shop_coupon", "amount_cents": 2000, "applies_to": ["A"]}],
        "points_cents": 300, "shipping_cents": 1000,
        "shipments": [{"carrier": "yto", "tracking_no": "YT1234567890",
                       "shipped_at": "2026-11-11T18:00:00+08:00",
                       "lines": [{"line_id": "A", "quantity": 2}]}]
    })
}

async fn put(app: &TestApp, token: &str, order_no: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(&format!("/api/v1/orders/{order_no}")))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn orders_are_stored_replaced_and_shown_with_their_case(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let warehouse = app.user("wu", "department", Some("logistics")).await;
    let r = put(&app, &agent, "TB20261111001", &contract_order()).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let first: Value = r.json().await.unwrap();
    assert_eq!(first["allocation"][0]["paid_cents"], 23500);
    assert_eq!(first["refundable"]["cash_cents"], 23500 + 1000);
    assert_eq!(first["shipments"][0]["tracking_no"], "YT1234567890");
    assert_eq!(first["buyer"]["phone"], "13812345678");

    let r = put(&app, &agent, "TB20261111001", &contract_order()).await;
    assert_eq!(r.status(), StatusCode::OK, "a repeat replaces");
    let again: Value = r.json().await.unwrap();
    assert_eq!(again, first, "the same request leaves the same order");

    let mut with_refund = contract_order();
    with_refund["refunds"] = json!([{"lines": [{"line_id": "A", "quantity": 1, "cash_cents": 11750, "points_cents": 150}],
                                     "method": "alipay", "at": "2026-11-12T10:00:00+08:00"}]);
    let r: Value = put(&app, &agent, "TB20261111001", &with_refund)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        r["refundable"]["lines"][0],
        json!({"line_id": "A", "quantity": 1, "cash_cents": 11750, "points_cents": 150})
    );
    assert_eq!(
        r["shipments"].as_array().unwrap().len(),
        1,
        "replaced, not added"
    );

    let masked: Value = app
        .get(&warehouse, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        masked["buyer"],
        json!({"name": "王**", "phone": "138****5678", "address": "浙江省杭州市****", "masked": true})
    );
    problem(
        put(&app, &warehouse, "TB20261111001", &contract_order()).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.get(&agent, "/api/v1/orders/NOPE").await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let case = app.register(&agent, &complaint()).await;
    let shown = app.case(&agent, case["id"].as_i64().unwrap()).await;
    assert_eq!(shown["order"]["order_no"], "TB20261111001");
    assert_eq!(shown["order"]["lines"][0]["name"], "纯棉T恤");
}

async fn bad_orders_are_refused_and_store_nothing(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"lines": [{"line_id": "A", "unit_price_cents": -1, "quantity": 2}]}),
            "TB1",
            "lines[0].unit_price_cents",
        ),
        (
            json!({"discounts": [{"id": "c1", "kind": "shop_coupon", "amount_cents": 99999, "applies_to": ["A"]}]}),
            "TB1",
            "discounts[0].amount_cents",
        ),
        (
            json!({"discounts": [{"id": "c1", "kind": "coupon", "amount_cents": 1}]}),
            "TB1",
            "discounts[0].kind",
        ),
        (
            json!({"shipments": [{"carrier": "yto", "tracking_no": "YT1", "lines": [{"line_id": "B", "quantity": 1}]}]}),
            "TB1",
            "shipments[0].lines[0].line_id",
        ),
        (json!({"points_cents": 10_000_000}), "TB1", "points_cents"),
        (json!({"colour": "red"}), "TB1", "colour"),
        (json!({}), "订单1", "order_no"),
    ];
    for (patch, no, field) in cases {
        let mut body = contract_order();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = put(&app, &agent, no, &body).await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), [field], "{patch}: {p}");
    }
    problem(
        app.get(&agent, "/api/v1/orders/TB1").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
