//! Notices to the desk on a real server: who may post, who sees what (in force, and on a
//! case only those about its shop, SKUs or category), reading and acknowledging, who read.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, fields, page_text, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    who_may_post_and_bad_notices_are_refused_whole,
    a_case_shows_the_notices_about_its_shop_and_skus_only_while_they_hold,
    important_notices_wait_for_each_agents_acknowledgement_and_who_read_is_kept,
);

async fn post(app: &TestApp, token: &str, body: Value) -> Value {
    let r = app.post(token, "/api/v1/notices", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    r.json().await.unwrap()
}

async fn titles(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let list: Vec<Value> = app.get(token, path).await.json().await.unwrap();
    list.iter()
        .map(|n| n["title"].as_str().unwrap().to_owned())
        .collect()
}

async fn who_may_post_and_bad_notices_are_refused_whole(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let pricing = app.user("pat", "department", Some("operations")).await;
    let r = app
        .post(
            &agent,
            "/api/v1/notices",
            &json!({"title": "调价", "text": "…"}),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
    let r = app
        .post(
            &pricing,
            "/api/v1/notices",
            &json!({"title": " ", "text": "满300减40", "skus": ["TEE L"],
                    "valid_from": "2026-11-24T00:00:00+08:00", "valid_to": "2026-11-23T00:00:00+08:00"}),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["title", "valid_to", "skus"], "{p}");
    assert!(titles(&app, &agent, "/api/v1/notices").await.is_empty());
    let n = post(
        &app,
        &pricing,
        json!({"title": "双十一价保", "text": "11月11日至11月20日下单的商品降价可申请价保差额"}),
    )
    .await;
    assert_eq!(n["posted_by"], "pat");
    assert_eq!(n["importance"], "normal");
    assert_eq!(
        titles(&app, &agent, "/api/v1/notices").await,
        ["双十一价保"]
    );
    // Only its author (or an admin) may end it; the agent may not even try.
    let other = app.user("ops", "department", Some("logistics")).await;
    let end = format!("/api/v1/notices/{}/end", n["id"]);
    problem(
        app.post(&other, &end, &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post(&agent, &end, &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.post(&pricing, &end, &json!({})).await.status(),
        StatusCode::OK
    );
    assert!(titles(&app, &agent, "/api/v1/notices").await.is_empty());
    problem(
        app.post(&pricing, &end, &json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
}

fn order() -> Value {
    json!({
        "shop": "tmall-main", "buyer": {"name": "王小明"},
        "placed_at": "2026-11-18T09:00:00+08:00", "paid_at": "2026-11-18T09:01:00+08:00",
        "lines": [{"line_id": "A", "sku": "TEE-L-BLUE", "name": "纯棉T恤", "unit_price_cents": 12900, "quantity": 1}]
    })
}

async fn a_case_shows_the_notices_about_its_shop_and_skus_only_while_they_hold(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let sup = app.user("sue", "supervisor", None).await;
    assert!(app
        .put_order(&agent, "TB20261111001", &order())
        .await
        .status()
        .is_success());
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    post(
        &app,
        &sup,
        json!({"title": "T恤换新面料", "text": "TEE-L-BLUE 自11月起换新面料，手感略硬属正常",
                            "skus": ["TEE-L-BLUE"]}),
    )
    .await;
    post(
        &app,
        &sup,
        json!({"title": "京东店缺货", "text": "…", "shops": ["jd-store"]}),
    )
    .await;
    post(
        &app,
        &sup,
        json!({"title": "天猫店其他SKU", "text": "…", "shops": ["tmall-main"], "skus": ["MUG-1"]}),
    )
    .await;
    post(
        &app,
        &sup,
        json!({"title": "破损件处理", "text": "破损请先拍照", "categories": ["damaged"]}),
    )
    .await;
    post(
        &app,
        &sup,
        json!({"title": "全员：系统升级", "text": "今晚22点升级"}),
    )
    .await;
    post(
        &app,
        &sup,
        json!({"title": "下周的促销", "text": "…", "skus": ["TEE-L-BLUE"],
                            "valid_from": "2026-11-30T00:00:00+08:00"}),
    )
    .await;
    post(
        &app,
        &sup,
        json!({"title": "今天下午有效", "text": "…", "skus": ["TEE-L-BLUE"],
                            "valid_to": "2026-11-23T12:00:00+08:00"}),
    )
    .await;
    let path = format!("/api/v1/cases/{id}/notices");
    let mut on_case = titles(&app, &agent, &path).await;
    on_case.sort();
    assert_eq!(on_case, ["T恤换新面料", "今天下午有效", "破损件处理"]);
    // Everyone sees every notice in force on the workbench (the general one too).
    assert_eq!(titles(&app, &agent, "/api/v1/notices").await.len(), 6);
    // The page shows them beside the order.
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(
        page.contains("与本案相关的通知") && page.contains("手感略硬属正常"),
        "{page}"
    );
    assert!(!page.contains("京东店缺货"));
    // At 12:00 the afternoon notice ended; next week the promotion starts.
    app.clock.advance(chrono::Duration::hours(2));
    let mut on_case = titles(&app, &agent, &path).await;
    on_case.sort();
    assert_eq!(on_case, ["T恤换新面料", "破损件处理"]);
    app.clock.advance(chrono::Duration::days(7));
    assert!(titles(&app, &agent, &path)
        .await
        .contains(&"下周的促销".to_owned()));
}

async fn important_notices_wait_for_each_agents_acknowledgement_and_who_read_is_kept(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let bob = app.user("bob", "agent", None).await;
    let ops = app.user("ops", "department", Some("logistics")).await;
    let n = post(
        &app,
        &ops,
        json!({"title": "仓库盘点停发", "text": "11月24日全天停止发货",
                                    "importance": "important"}),
    )
    .await;
    let id = n["id"].as_i64().unwrap();
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let queue = page_text(&client, &app.url("/")).await;
    assert!(
        queue.contains("待确认的重要通知") && queue.contains("仓库盘点停发"),
        "{queue}"
    );
    // Amy acknowledges; the first read's time stays when she reads again later.
    let read = format!("/api/v1/notices/{id}/read");
    let r: Value = app
        .post(&amy, &read, &json!({"acknowledge": true}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["username"], "amy");
    let first = r["read_at"].clone();
    assert!(r["acknowledged_at"].is_string());
    app.clock.advance(chrono::Duration::minutes(5));
    let again: Value = app
        .post(&amy, &read, &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["read_at"], first);
    assert_eq!(
        again["acknowledged_at"], r["acknowledged_at"],
        "never taken back"
    );
    let queue = page_text(&client, &app.url("/")).await;
    assert!(!queue.contains("待确认的重要通知"), "{queue}");
    // Bob has only read it: still waiting for him.
    app.post(&bob, &read, &json!({})).await;
    let list: Vec<Value> = app.get(&bob, "/api/v1/notices").await.json().await.unwrap();
    assert!(list[0]["read_at"].is_string() && list[0].get("acknowledged_at").is_none());
    // The warehouse sees who read and who acknowledged; agents may not look.
    let reads: Vec<Value> = app
        .get(&ops, &format!("/api/v1/notices/{id}/reads"))
        .await
        .json()
        .await
        .unwrap();
    let who: Vec<(&str, bool)> = reads
        .iter()
        .map(|r| {
            (
                r["username"].as_str().unwrap(),
                r["acknowledged_at"].is_string(),
            )
        })
        .collect();
    assert_eq!(who, [("amy", true), ("bob", false)]);
    let posted: Vec<Value> = app
        .get(&ops, "/api/v1/notices/posted")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (
            posted[0]["readers"].as_i64(),
            posted[0]["acknowledged"].as_i64()
        ),
        (Some(2), Some(1))
    );
    problem(
        app.get(&amy, &format!("/api/v1/notices/{id}/reads")).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    problem(
        app.post(&amy, "/api/v1/notices/9999/read", &json!({}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
