//! Each refund flow of DOMAIN.md walked over HTTP, guarded by the order's real state and
//! recorded on the order exactly once.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    refund_before_shipping_confirms_cancels_and_refunds_once,
    refund_after_shipping_follows_the_parcel,
    the_warehouse_or_a_supervisor_vouches_for_goods_tracking_does_not_show,
    return_and_refund_with_a_failed_then_a_partial_inspection,
    exchange_and_reship_create_new_shipments,
    amount_refunds_are_capped_by_what_is_left,
    a_parcel_that_left_after_the_choice_stops_the_not_shipped_flow,
);

/// A: 12900×2, B: 5000×1; coupon 2000 on both, points 300, shipping 1000.
/// Coupon over 25800:5000 → 1675.3 / 324.7: 1675 + the cent to B (325).
/// Net 24125, 4675 (28800); points 300 → 251.3 / 48.7: 251, 49. Paid 23874, 4626.
fn order(shipped: bool) -> Value {
    let mut o = json!({
        "shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678"},
        "placed_at": "2026-11-11T00:05:00+08:00", "payment_method": "alipay",
        "lines": [{"line_id": "A", "name": "纯棉T恤", "unit_price_cents": 12900, "quantity": 2},
                  {"line_id": "B", "name": "马克杯", "unit_price_cents": 5000, "quantity": 1}],
        "discounts": [{"id": "c1", "kind": "shop_coupon", "amount_cents": 2000}],
        "points_cents": 300, "shipping_cents": 1000
    });
    if shipped {
        o["shipments"] = json!([{"carrier": "yto", "tracking_no": "YT1234567890", "shipped_at": "2026-11-11T18:00:00+08:00",
                                 "lines": [{"line_id": "A", "quantity": 2}, {"line_id": "B", "quantity": 1}]}]);
    }
    o
}

struct Desk {
    agent: String,
    supervisor: String,
    warehouse: String,
}

/// Stores the order and brings a complaint about it to `analysed`.
async fn analysed_case(app: &TestApp, shipped: bool) -> (Desk, i64) {
    let desk = Desk {
        agent: app.user("amy", "agent", None).await,
        supervisor: app.user("sam", "supervisor", None).await,
        warehouse: app.user("wu", "department", Some("logistics")).await,
    };
    let r = app
        .put_order(&desk.agent, "TB20261111001", &order(shipped))
        .await;
    assert!(r.status().is_success());
    let id = app.register(&desk.agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(&desk.agent, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &desk.agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    app.act_ok(&desk.warehouse, id, json!({"action": "analyse", "liability": "merchant", "root_cause": "process", "findings": "仓库漏检"})).await;
    (desk, id)
}

async fn order_now(app: &TestApp, token: &str) -> Value {
    app.get(token, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap()
}

fn allowed(case: &Value) -> Vec<&str> {
    case["allowed_actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect()
}

async fn refund_before_shipping_confirms_cancels_and_refunds_once(app: TestApp) {
    let (d, id) = analysed_case(&app, false).await;
    let r = app.act(&d.agent, id, json!({"action": "propose", "options": [{"kind": "refund", "include_shipping": true, "amount_cents": 100}]})).await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        fields(&p),
        ["options[0].amount_cents"],
        "an amount that is not the quote is refused"
    );
    let c = app
        .act_ok(
            &d.agent,
            id,
            json!({"action": "propose", "options": [{"kind": "refund", "include_shipping": true}]}),
        )
        .await;
    assert_eq!(
        c["options"][0]["amount_cents"],
        23874 + 4626 + 1000,
        "filled from the quote"
    );
    let c = app
        .act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(
        c["status"], "awaiting_approval",
        "¥295 is above the approval limit"
    );
    assert_eq!(c["chosen"]["flow"], "refund_not_shipped");
    let c = app
        .act_ok(&d.supervisor, id, json!({"action": "approve"}))
        .await;
    assert_eq!(
        allowed(&c),
        [
            "confirm_not_shipped",
            "wait_customer",
            "record_appraisal",
            "recategorise",
            "assign",
            "comment"
        ]
    );
    let r = app
        .act(&d.agent, id, json!({"action": "execute", "note": "退了"}))
        .await;
    let p = problem(r, StatusCode::CONFLICT).await;
    assert_eq!(p["allowed_actions"][0], "confirm_not_shipped");
    app.act_ok(
        &d.warehouse,
        id,
        json!({"action": "confirm_not_shipped", "note": "未拣货未出库"}),
    )
    .await;
    let c = app
        .act_ok(
            &d.agent,
            id,
            json!({"action": "cancel_order", "note": "已在后台取消"}),
        )
        .await;
    assert_eq!(allowed(&c)[0], "refund");
    let version = c["version"].as_i64().unwrap();
    let body = json!({"action": "refund", "version": version, "method": "alipay"});
    let path = format!("/api/v1/cases/{id}/actions");
    let (first, retry) = tokio::join!(
        app.post(&d.agent, &path, &body),
        app.post(&d.agent, &path, &body)
    );
    let mut statuses = [first.status(), retry.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::OK, StatusCode::CONFLICT],
        "a retried refund is refused"
    );
    let again = app.post(&d.agent, &path, &body).await;
    problem(again, StatusCode::CONFLICT).await;
    let o = order_now(&app, &d.agent).await;
    let refunds = o["refunds"].as_array().unwrap();
    assert_eq!(refunds.len(), 1, "refunded exactly once");
    assert_eq!(refunds[0]["cash_cents"], 29500);
    assert_eq!(refunds[0]["points_cents"], 300);
    assert_eq!(refunds[0]["source"], "case");
    assert_eq!(refunds[0]["method"], "alipay");
    assert_eq!(o["refundable"]["cash_cents"], 0);
    let c = app.case(&d.agent, id).await;
    assert_eq!(c["status"], "executed");
    let history: Vec<Value> = app.history(&d.agent, id).await;
    let names: Vec<&str> = history
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        &names[names.len() - 4..],
        ["approve", "confirm_not_shipped", "cancel_order", "refund"]
    );
    assert_eq!(history.last().unwrap()["data"]["cash_cents"], 29500);

    // Storing the order again (a platform re-export) keeps the refund kesu made…
    let put = |body: Value| {
        app.client
            .put(app.url("/api/v1/orders/TB20261111001"))
            .bearer_auth(&d.agent)
            .json(&body)
            .send()
    };
    let r = put(order(false)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.json::<Value>().await.unwrap()["refunds"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // …and refuses a version that cannot account for it.
    let mut cheaper = order(false);
    cheaper["lines"][0]["unit_price_cents"] = json!(100);
    problem(put(cheaper).await.unwrap(), StatusCode::CONFLICT).await;
}

async fn a_parcel_that_left_after_the_choice_stops_the_not_shipped_flow(app: TestApp) {
    let (d, id) = analysed_case(&app, false).await;
    app.act_ok(&d.agent, id, json!({"action": "propose", "options": [{"kind": "refund", "lines": [{"line_id": "B", "quantity": 1}]}]})).await;
    let c = app
        .act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(c["chosen"]["flow"], "refund_not_shipped");
    // The warehouse shipped before anyone stopped it.
    let r = app.put_order(&d.agent, "TB20261111001", &order(true)).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .act(&d.warehouse, id, json!({"action": "confirm_not_shipped"}))
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        p["detail"].as_str().unwrap().contains("already shipped"),
        "{p}"
    );
}

async fn refund_after_shipping_follows_the_parcel(app: TestApp) {
    let (d, id) = analysed_case(&app, true).await;
    let c = app
        .act_ok(&d.agent, id, json!({"action": "propose", "options": [{"kind": "refund", "lines": [{"line_id": "B", "quantity": 1}]}]}))
        .await;
    assert_eq!(c["options"][0]["amount_cents"], 4626);
    let c = app
        .act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(c["status"], "approved");
    assert_eq!(c["chosen"]["flow"], "refund_shipped");
    assert_eq!(
        allowed(&c)[0],
        "track_parcel",
        "the parcel left: no confirming it did not"
    );
    let r = app
        .act(&d.agent, id, json!({"action": "track_parcel"}))
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["status"]
    );
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "track_parcel", "status": "in_transit", "note": "杭州转运中心"}),
    )
    .await;
    let r = app
        .act(
            &d.agent,
            id,
            json!({"action": "parcel_back", "outcome": "lost"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["outcome"]
    );
    // The agent says the parcel was intercepted, but the carrier still shows it travelling:
    // the money stays in (seed 003: the parcel back first, then the refund).
    let back = json!({"action": "parcel_back", "outcome": "intercepted", "note": "快递已拦截"});
    let r = app.act(&d.agent, id, back.clone()).await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["code"], "goods_not_back", "{p}");
    assert!(
        p["detail"].as_str().unwrap().contains("YT1234567890"),
        "names the parcel: {p}"
    );
    let r = app.act(&d.agent, id, json!({"action": "refund"})).await;
    problem(r, StatusCode::CONFLICT).await;
    assert!(order_now(&app, &d.agent).await["refunds"]
        .as_array()
        .is_none_or(|r| r.is_empty()));
    // An agent cannot override; the carrier's word lets it pass.
    let r = app
        .act(
            &d.agent,
            id,
            json!({"action": "parcel_back", "outcome": "intercepted", "override_reason": "我确定"}),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
    for (at, status) in [
        ("2026-11-12T08:00:00+08:00", "in_transit"),
        ("2026-11-12T15:00:00+08:00", "returned"),
    ] {
        let r = app
            .post(&d.agent, "/api/v1/tracking/events", &json!({"carrier": "yto",
                "tracking_no": "YT1234567890", "at": at, "status": status, "text": "拦截成功，退回寄件人"}))
            .await;
        assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    }
    let c = app.act_ok(&d.agent, id, back).await;
    let step = c["steps_done"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(step["step"], "parcel_back");
    assert_eq!(
        step["data"]["evidence"],
        json!({"kind": "tracking", "parcels": [{"carrier": "yto", "tracking_no": "YT1234567890", "status": "returned"}]}),
        "{step}"
    );
    let c = app.act_ok(&d.agent, id, json!({"action": "refund"})).await;
    assert_eq!(c["status"], "executed");
    let o = order_now(&app, &d.agent).await;
    assert_eq!(
        o["refunds"][0]["lines"],
        json!([{"line_id": "B", "quantity": 1, "cash_cents": 4626, "points_cents": 49}])
    );
    assert_eq!(o["refundable"]["lines"][1]["quantity"], 0);
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "follow_up", "satisfied": true, "rating": 4}),
    )
    .await;
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "close", "summary": "拦截后退款"}),
    )
    .await;
}

async fn the_warehouse_or_a_supervisor_vouches_for_goods_tracking_does_not_show(app: TestApp) {
    let (d, first) = analysed_case(&app, true).await;
    let second = app.register(&d.agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(&d.agent, second, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &d.agent,
        second,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    app.act_ok(&d.warehouse, second, json!({"action": "analyse", "liability": "merchant", "root_cause": "process", "findings": "仓库漏检"})).await;
    let rounds = [
        (
            first,
            "A",
            &d.warehouse,
            "warehouse",
            json!({"action": "parcel_back", "outcome": "returned", "received": true, "result": "pass"}),
        ),
        (
            second,
            "B",
            &d.supervisor,
            "override",
            json!({"action": "parcel_back", "outcome": "refused", "override_reason": "顾客到店退回，仓库已签收"}),
        ),
    ];
    for (id, line, token, kind, back) in rounds {
        app.act_ok(&d.agent, id, json!({"action": "propose", "options": [{"kind": "refund", "lines": [{"line_id": line, "quantity": 1}]}]})).await;
        app.act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
            .await;
        app.act_ok(
            &d.agent,
            id,
            json!({"action": "track_parcel", "status": "delivered"}),
        )
        .await;
        // The agent cannot speak for the warehouse, nor set the rule aside.
        let r = app
            .act(&d.agent, id, json!({"action": "parcel_back", "outcome": "returned", "received": true, "result": "pass"}))
            .await;
        assert_eq!(
            fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
            ["received"]
        );
        let c = app.act_ok(token, id, back).await;
        let evidence = c["steps_done"][1]["data"]["evidence"].clone();
        assert_eq!(evidence["kind"], kind, "{c}");
        let c = app.act_ok(&d.agent, id, json!({"action": "refund"})).await;
        assert_eq!(c["status"], "executed");
        // The history keeps who vouched, and how.
        let events: Value = app
            .get(&d.agent, &format!("/api/v1/cases/{id}/events"))
            .await
            .json()
            .await
            .unwrap();
        let step = events
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == "parcel_back")
            .unwrap();
        assert_eq!(step["data"]["evidence"], evidence, "{step}");
    }
    assert_eq!(
        order_now(&app, &d.agent).await["refunds"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

async fn return_and_refund_with_a_failed_then_a_partial_inspection(app: TestApp) {
    let (d, id) = analysed_case(&app, true).await;
    let propose = json!({"action": "propose", "options": [{"kind": "return_refund", "lines": [{"line_id": "A", "quantity": 2}]}]});
    let c = app.act_ok(&d.agent, id, propose.clone()).await;
    assert_eq!(c["options"][0]["amount_cents"], 23874);
    app.act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    app.act_ok(&d.supervisor, id, json!({"action": "approve"}))
        .await;
    let r = app
        .act(
            &d.agent,
            id,
            json!({"action": "return_shipped", "carrier": "sf"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["tracking_no"]
    );
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "return_shipped", "carrier": "sf", "tracking_no": "SF100200300"}),
    )
    .await;
    app.act_ok(&d.warehouse, id, json!({"action": "receive_return"}))
        .await;
    let r = app
        .act(
            &d.warehouse,
            id,
            json!({"action": "inspect", "result": "fail"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["note"]
    );
    // The warehouse photographs what came back; the inspection names the photo.
    let photo = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(crate::attachments::photo_with_location(64, 48))
            .file_name("退回商品.jpg"),
    );
    let r = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/attachments")))
        .bearer_auth(&d.warehouse)
        .multipart(photo)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let photo_id = r.json::<serde_json::Value>().await.unwrap()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let c = app
        .act_ok(&d.warehouse, id, json!({"action": "inspect", "result": "fail", "note": "寄回的是旧款，吊牌已拆",
                                         "photos": ["退回商品.jpg", "https://img.example.com/1.jpg"], "spec_matches": false}))
        .await;
    // On the case page the photo that is a file of the case opens; the other is named.
    let (browser, _) = crate::helpers::browser(&app, "amy", "pass-word-1").await;
    let page = crate::helpers::page_text(&browser, &app.url(&format!("/cases/{id}"))).await;
    assert!(
        page.contains(&format!(
            "<a href=\"/files/{photo_id}\" target=\"_blank\" rel=\"noopener\">退回商品.jpg</a>"
        )),
        "the inspection's photo links to the file"
    );
    assert!(page.contains("https://img.example.com/1.jpg"));
    assert_eq!(
        c["status"], "analysed",
        "a failed inspection reopens negotiation"
    );
    assert_eq!(c["renegotiations"], 1);
    let o = order_now(&app, &d.agent).await;
    assert!(
        o["refunds"].as_array().unwrap().is_empty(),
        "nothing refunded"
    );
    assert_eq!(
        o["shipments"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["kind"] == "return")
            .count(),
        1
    );

    // Second round: one of the two shirts is acceptable.
    app.act_ok(&d.agent, id, propose).await;
    app.act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    app.act_ok(&d.supervisor, id, json!({"action": "approve"}))
        .await;
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "return_shipped", "carrier": "sf", "tracking_no": "SF100200301"}),
    )
    .await;
    app.act_ok(&d.warehouse, id, json!({"action": "receive_return"}))
        .await;
    let r = app.act(&d.warehouse, id, json!({"action": "inspect", "result": "partial", "lines": [{"line_id": "A", "quantity": 3}]})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["lines[0].quantity"]
    );
    app.act_ok(&d.warehouse, id, json!({"action": "inspect", "result": "partial", "lines": [{"line_id": "A", "quantity": 1}], "note": "一件有污渍"})).await;
    let c = app
        .act_ok(
            &d.warehouse,
            id,
            json!({"action": "restock", "note": "1件入良品库"}),
        )
        .await;
    assert_eq!(allowed(&c)[0], "refund");
    app.act_ok(&d.agent, id, json!({"action": "refund"})).await;
    let o = order_now(&app, &d.agent).await;
    assert_eq!(
        o["refunds"][0]["lines"],
        json!([{"line_id": "A", "quantity": 1, "cash_cents": 11937, "points_cents": 125}])
    );
}

async fn exchange_and_reship_create_new_shipments(app: TestApp) {
    let (d, id) = analysed_case(&app, true).await;
    app.act_ok(&d.agent, id, json!({"action": "propose", "options": [{"kind": "exchange", "lines": [{"line_id": "A", "quantity": 1}], "note": "换 XL"}]})).await;
    let c = app
        .act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(c["chosen"]["flow"], "exchange");
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "return_shipped", "carrier": "zto", "tracking_no": "ZT5550001"}),
    )
    .await;
    app.act_ok(&d.warehouse, id, json!({"action": "receive_return"}))
        .await;
    app.act_ok(
        &d.warehouse,
        id,
        json!({"action": "inspect", "result": "pass"}),
    )
    .await;
    let c = app
        .act_ok(
            &d.warehouse,
            id,
            json!({"action": "ship_replacement", "carrier": "yto", "tracking_no": "YT9990001"}),
        )
        .await;
    assert_eq!(c["status"], "executed");
    let o = order_now(&app, &d.agent).await;
    let kinds: Vec<&str> = o["shipments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["original", "return", "exchange"]);
    assert_eq!(
        o["shipments"][2]["lines"],
        json!([{"line_id": "A", "quantity": 1}])
    );
    assert!(o["refunds"].as_array().unwrap().is_empty());

    app.act_ok(
        &d.agent,
        id,
        json!({"action": "follow_up", "satisfied": false, "comment": "换的杯子也碎了"}),
    )
    .await;
    app.act_ok(&d.agent, id, json!({"action": "propose", "options": [{"kind": "reship", "lines": [{"line_id": "B", "quantity": 1}]}]})).await;
    let c = app
        .act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(allowed(&c)[0], "ship_replacement");
    app.act_ok(
        &d.warehouse,
        id,
        json!({"action": "ship_replacement", "carrier": "sf", "tracking_no": "SF777"}),
    )
    .await;
    let o = order_now(&app, &d.agent).await;
    assert_eq!(o["shipments"][3]["kind"], "reship");
    assert_eq!(
        o["shipments"][3]["lines"],
        json!([{"line_id": "B", "quantity": 1}])
    );
}

async fn amount_refunds_are_capped_by_what_is_left(app: TestApp) {
    let (d, id) = analysed_case(&app, true).await;
    let r = app
        .act(&d.agent, id, json!({"action": "propose", "options": [{"kind": "partial_refund", "amount_cents": 4627, "lines": [{"line_id": "B", "quantity": 1}]}]}))
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        fields(&p),
        ["options[0].amount_cents"],
        "B has only 4626 left: {p}"
    );
    let r = app.act(&d.agent, id, json!({"action": "propose", "options": [{"kind": "compensation", "amount_cents": 28501}]})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["options[0].amount_cents"]
    );
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "propose", "options": [{"kind": "partial_refund", "amount_cents": 1500}]}),
    )
    .await;
    let c = app
        .act_ok(&d.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(c["chosen"]["flow"], "amount_refund");
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "refund", "method": "alipay"}),
    )
    .await;
    let o = order_now(&app, &d.agent).await;
    // 1500 over what is left of A and B (23874 : 4626) → 1256.5 / 243.5: 1256, and the cent
    // to the first of two equal fractions (A) → 1257, 243.
    assert_eq!(
        o["refunds"][0]["lines"],
        json!([
        {"line_id": "A", "quantity": 0, "cash_cents": 1257, "points_cents": 0},
        {"line_id": "B", "quantity": 0, "cash_cents": 243, "points_cents": 0}])
    );
    assert_eq!(o["refundable"]["cash_cents"], 23874 + 4626 + 1000 - 1500);
    // A later unit refund counts the amount already returned.
    app.act_ok(
        &d.agent,
        id,
        json!({"action": "follow_up", "satisfied": false}),
    )
    .await;
    let c = app.act_ok(&d.agent, id, json!({"action": "propose", "options": [{"kind": "refund", "lines": [{"line_id": "B", "quantity": 1}]}]})).await;
    assert_eq!(c["options"][0]["amount_cents"], 4626 - 243);
}
