//! A platform's after-sales request in a real browser (Debian's headless Chromium over
//! WebDriver): the shop's site pushes a request and then the platform stepping in; the agent
//! finds the case first in the queue with the platform's countdown and sees on its page, in
//! words, what the platform asks for and by when. Skipped, saying so, without Chromium;
//! `.ci/run` requires it. Screenshots go to `target/browser-screenshots/`.

#[path = "browser_kit/mod.rs"]
#[allow(dead_code)]
mod browser_kit;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use browser_kit::Browser;
use helpers::TestApp;
use serde_json::{json, Value};

const SECRET: &str = "site-secret-0123456789";
const SHOP_PATH: &str = "%E6%97%97%E8%88%B0%E5%BA%97"; // 旗舰店

async fn push(app: &TestApp, body: &Value) {
    let body = body.to_string();
    let signature = helpers::signature(SECRET, 1_790_000_000, body.as_bytes());
    let r = app
        .client
        .post(app.url(&format!("/api/v1/platforms/site/{SHOP_PATH}/events")))
        .header("x-kesu-signature", signature)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_agent_sees_the_platforms_request_and_countdown_first() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    app.user("amy", "agent", None).await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/site/{SHOP_PATH}")))
        .bearer_auth(&admin)
        .json(&json!({"secret": SECRET, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let order = json!({"shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678"},
        "placed_at": "2026-11-20T10:00:00+08:00",
        "lines": [{"line_id": "A", "sku": "CUP", "name": "玻璃杯", "unit_price_cents": 5900, "quantity": 1}]});
    assert!(app
        .put_order(&admin, "SO-1001", &order)
        .await
        .status()
        .is_success());
    // A complaint from another channel, due sooner, to show the platform's badge comes first.
    app.register(&admin, &helpers::complaint()).await;
    let request = json!({
        "request_id": "RS-1001", "order_no": "SO-1001", "kind": "return_refund",
        "status": "waiting_seller", "reason": "玻璃杯到货就碎了一只", "message": "外箱有压痕，要求退货退款",
        "amount_cents": 5900, "buyer": {"name": "王小明", "phone": "13812345678"},
        "deadline": "2026-11-24T10:00:00+08:00", "updated_at": "2026-11-23T09:00:00+08:00"
    });
    push(&app, &request).await;
    let mut stepped_in = request.clone();
    stepped_in["status"] = json!("intervened");
    stepped_in["updated_at"] = json!("2026-11-23T09:30:00+08:00");
    stepped_in["evidence_asked"] = json!("开箱视频和外箱照片");
    stepped_in["evidence_by"] = json!("2026-11-23T18:00:00+08:00");
    push(&app, &stepped_in).await;

    b.sign_in(&app, "amy").await;
    let queue = b.text("main").await;
    assert!(queue.contains("平台时限"), "{queue}");
    b.shots("40-queue-platform").await;
    b.click_and_load("a[href^='/cases/']:not([href='/cases/new'])")
        .await;
    let panel = b.text("#platform").await;
    for words in [
        "平台售后单",
        "自有站点",
        "退货退款",
        "平台已介入",
        "开箱视频和外箱照片",
        "平台处理时限",
    ] {
        assert!(panel.contains(words), "{words} missing from: {panel}");
    }
    b.shots("41-case-platform").await;

    // The agent answers the platform: with the shop's switch off, a dry run shown as such.
    let answers = b.text("#platform-answers").await;
    assert!(
        answers.contains("答复平台") && answers.contains("留言"),
        "{answers}"
    );
    assert!(
        !answers.contains("拒绝退款"),
        "refusing is a supervisor's: {answers}"
    );
    b.click("#platform-answers details.answer summary").await;
    b.fill(
        "#platform-answers textarea[name=text]",
        "亲，开箱视频已收到，我们马上为您处理",
    )
    .await;
    b.click_and_load("#platform-answers button[type=submit]")
        .await;
    let answers = b.text("#platform-answers").await;
    assert!(answers.contains("演练，未发送"), "{answers}");
    let timeline = b.text("ol.timeline").await;
    assert!(
        timeline.contains("答复平台售后单") && timeline.contains("开箱视频已收到"),
        "{timeline}"
    );
    b.scroll_to("#platform-answers").await;
    b.shots("43-case-platform-answer").await;
    // On a phone the panel is further down: looked at there too.
    b.client.set_window_size(390, 844).await.unwrap();
    b.scroll_to("#platform-answers").await;
    b.shot("43-case-platform-answer-phone-panel").await;
    b.client.set_window_size(1280, 800).await.unwrap();

    // The admin's sources page: the site, and a Pinduoduo account whose gateway cannot be
    // reached, read at once: the failure is told in words on its card.
    b.sign_out().await;
    app.user("boss", "admin", None).await;
    b.sign_in(&app, "boss").await;
    b.client.goto(&app.url("/admin/platforms")).await.unwrap();
    b.wait_for("#platform-sources").await;
    b.fill(
        "form[action='/admin/platforms/api'] input[name=shop]",
        "拼多多旗舰店",
    )
    .await;
    b.fill("input[name=client_id]", "pdd-client-1").await;
    b.fill("input[name=client_secret]", "pdd-secret-0123456789")
        .await;
    b.fill("input[name=access_token]", "pdd-token").await;
    b.fill("input[name=endpoint]", "http://127.0.0.1:9/api/router")
        .await;
    b.click_and_load("form[action='/admin/platforms/api'] button[type=submit]")
        .await;
    b.click_and_load("form[action$='/sync'] button").await;
    let sources = b.text("#platform-sources").await;
    for words in [
        "自有站点",
        "旗舰店",
        "拼多多",
        "拼多多旗舰店",
        "上次同步中途停止",
        "立即同步",
    ] {
        assert!(sources.contains(words), "{words} missing from: {sources}");
    }
    assert!(!sources.contains("pdd-secret") && !sources.contains(SECRET));
    b.shots("42-admin-platforms").await;
}
