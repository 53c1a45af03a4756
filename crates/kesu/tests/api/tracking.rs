//! Tracking events: stored once, the shipment following the newest news, and parcels in
//! trouble opening or flagging a case before the customer complains.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    parcels_in_trouble_open_a_case_once_and_flag_it_after,
    bad_events_store_nothing,
    kuaidi100_pushes_are_received_with_the_secret_only,
);

fn event(status: &str, at: &str) -> Value {
    json!({"carrier": "yto", "tracking_no": "YT1234567890", "at": at, "status": status,
           "location": "杭州转运中心", "text": "快件已到达"})
}

async fn post(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.post(token, "/api/v1/tracking/events", body).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn parcels_in_trouble_open_a_case_once_and_flag_it_after(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());

    let r = post(
        &app,
        &agent,
        &json!([
            event("picked_up", "2026-11-11T20:00:00+08:00"),
            event("in_transit", "2026-11-12T08:00:00+08:00")
        ]),
    )
    .await;
    assert_eq!(
        (r["received"].as_u64(), r["duplicates"].as_u64()),
        (Some(2), Some(0))
    );
    assert!(
        r["opened"].as_array().unwrap().is_empty(),
        "nothing wrong yet"
    );
    let o: Value = app
        .get(&agent, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(o["shipments"][0]["status"], "in_transit");

    // An older event arriving late changes nothing; a repeat is counted and ignored.
    let r = post(
        &app,
        &agent,
        &json!([
            event("info_received", "2026-11-11T18:00:00+08:00"),
            event("in_transit", "2026-11-12T08:00:00+08:00")
        ]),
    )
    .await;
    assert_eq!(r["duplicates"], 1);
    let o: Value = app
        .get(&agent, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(o["shipments"][0]["status"], "in_transit");

    let r = post(&app, &agent, &event("refused", "2026-11-13T15:00:00+08:00")).await;
    let opened = r["opened"].as_array().unwrap().clone();
    assert_eq!(
        opened.len(),
        1,
        "a case opened before the customer complains: {r}"
    );
    let list: Value = app
        .get(&agent, "/api/v1/cases?channel=platform&category=logistics")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let case = &list["items"][0];
    assert_eq!(case["tracking_no"], "YT1234567890");
    assert_eq!(case["order_no"], "TB20261111001");
    assert_eq!(
        case["complainant"]["name"], "王小明",
        "the buyer, from the order"
    );
    assert!(case["description"].as_str().unwrap().contains("拒签"));
    let id = case["id"].as_i64().unwrap();
    assert_eq!(
        app.history(&agent, id).await[0]["actor"],
        "logistics-monitor"
    );

    // The same event again opens nothing; a new exception flags the open case.
    let r = post(&app, &agent, &event("refused", "2026-11-13T15:00:00+08:00")).await;
    assert_eq!(
        (
            r["duplicates"].as_u64(),
            r["opened"].as_array().unwrap().len()
        ),
        (Some(1), 0)
    );
    let r = post(
        &app,
        &agent,
        &event("returned", "2026-11-15T09:00:00+08:00"),
    )
    .await;
    assert_eq!(r["flagged"], json!([opened[0]]));
    let history = app.history(&agent, id).await;
    let note = history.last().unwrap();
    assert_eq!(note["action"], "logistics_exception");
    assert_eq!(note["data"]["kind"], "returned");
    assert!(note["data"]["text"].as_str().unwrap().contains("退回"));
    assert!(note["data"]["playbook"]
        .as_str()
        .unwrap()
        .contains("重新发货"));
    let list: Value = app.get(&agent, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["total"], 1, "still one case");

    // Parcels kesu knows nothing about are kept, and open nothing.
    let mut stranger = event("exception", "2026-11-15T09:00:00+08:00");
    stranger["tracking_no"] = json!("SF0000000001");
    stranger["carrier"] = json!("sf");
    let r = post(&app, &agent, &stranger).await;
    assert_eq!(
        (
            r["opened"].as_array().unwrap().len(),
            r["flagged"].as_array().unwrap().len()
        ),
        (0, 0)
    );
}

async fn bad_events_store_nothing(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let auditor = app.user("al", "auditor", None).await;
    let r = app
        .post(
            &agent,
            "/api/v1/tracking/events",
            &json!([event("in_transit", "2026-11-12T08:00:00+08:00"),
        {"carrier": "yto", "tracking_no": "YT1", "at": "yesterday", "status": "lost"}]),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["[1].at"]);
    let r = app.post(&agent, "/api/v1/tracking/events", &json!({"carrier": "圆通", "tracking_no": "YT1", "at": "2026-11-12T08:00:00+08:00", "status": "in_transit"})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["carrier"]
    );
    problem(
        app.post(
            &auditor,
            "/api/v1/tracking/events",
            &event("in_transit", "2026-11-12T08:00:00+08:00"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    // Nothing of the bad batch was kept: posting its good half now is not a duplicate.
    let r = post(
        &app,
        &agent,
        &event("in_transit", "2026-11-12T08:00:00+08:00"),
    )
    .await;
    assert_eq!(r["duplicates"], 0);
}

async fn kuaidi100_pushes_are_received_with_the_secret_only(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());
    let set = |token: &str, secret: &str| {
        app.client
            .put(app.url("/api/v1/integrations/kuaidi100"))
            .bearer_auth(token)
            .json(&json!({"secret": secret}))
            .send()
    };
    assert_eq!(
        set(&agent, "a1b2c3d4e5f6g7h8i9").await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        set(&admin, "short").await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        set(&admin, "a1b2c3d4e5f6g7h8i9").await.unwrap().status(),
        StatusCode::NO_CONTENT
    );

    // state 4 = 退签 (refused), scans newest first.
    let param = json!({"status": "polling", "billstatus": "check", "message": "", "lastResult": {
        "message": "ok", "state": "4", "status": "200", "ischeck": "0", "com": "yuantong", "nu": "YT1234567890",
        "data": [
            {"context": "客户拒签，快件退回", "time": "2026-11-13 15:00:00", "location": "杭州"},
            {"context": "快件已到达杭州转运中心", "time": "2026-11-12 08:00:00"}
        ]}}).to_string();
    let push = |secret: &str| {
        app.client
            .post(app.url(&format!("/api/v1/integrations/kuaidi100/{secret}")))
            .form(&[("param", param.as_str())])
            .send()
    };
    assert_eq!(
        push("wrong-secret-000000").await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let r: Value = push("a1b2c3d4e5f6g7h8i9")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"result": true, "returnCode": "200", "message": "成功"})
    );
    let again: Value = push("a1b2c3d4e5f6g7h8i9")
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["result"], true, "a repeated push is harmless");
    let list: Value = app
        .get(&agent, "/api/v1/cases?category=logistics")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "one case for the refused parcel");
    assert!(list["items"][0]["description"]
        .as_str()
        .unwrap()
        .contains("拒签"));
    let o: Value = app
        .get(&agent, "/api/v1/orders/TB20261111001")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(o["shipments"][0]["status"], "refused");
}
