//! Triage that learns, in a real browser (Debian's headless Chromium over WebDriver): an agent
//! corrects a case's category from the case page; an admin sees which model files complaints
//! and trains the shop's own from the closed cases. Skipped, saying so, without Chromium;
//! `.ci/run` requires it. Screenshots go to `target/browser-screenshots/` (45-*, 46-*).

#[path = "browser_kit/mod.rs"]
#[allow(dead_code)]
mod browser_kit;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use browser_kit::Browser;
use helpers::{complaint, TestApp};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_corrects_a_category_and_an_admin_trains_the_shops_model() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let amy = app.user("amy", "agent", None).await;
    app.user("ada", "admin", None).await;
    let id = app.register(&amy, &complaint()).await["id"]
        .as_i64()
        .unwrap();

    // The agent files the case under another category from 其他操作.
    b.sign_in(&app, "amy").await;
    b.client
        .goto(&app.url(&format!("/cases/{id}")))
        .await
        .unwrap();
    b.wait_for("ol.steps").await;
    b.click("details.more-actions > summary").await;
    b.click("details:has(> form[data-action=recategorise]) > summary")
        .await;
    b.choose(
        "form[data-action=recategorise] select[name=category]",
        "wrong_item",
    )
    .await;
    b.fill(
        "form[data-action=recategorise] textarea[name=reason]",
        "顾客补充：收到的是别的款式",
    )
    .await;
    b.act("recategorise").await;
    let timeline = b.text("ol.timeline").await;
    assert!(
        timeline.contains("更正类别") && timeline.contains("错发漏发"),
        "{timeline}"
    );
    b.scroll_to("ol.timeline").await;
    b.shots("45-recategorised").await;
    b.sign_out().await;

    // Enough closed cases of a pet shop for a model of its own.
    let kinds = [
        ("猫砂结块效果差，倒出来全是粉尘", "quality"),
        ("冻干罐子里的鸡胸肉块发软有股怪味", "not_as_described"),
        ("会员日领的满199减30的券没抵扣上", "price"),
    ];
    for i in 0..60 {
        let (words, category) = kinds[i % 3];
        let mut form = complaint();
        form["category"] = json!(category);
        form["description"] = json!(format!("{words}（第{i}单）"));
        let case = app.register(&amy, &form).await["id"].as_i64().unwrap();
        let judge =
            json!({"action": "judge", "version": 1, "valid": false, "reason": "平台已处理"});
        let r = app
            .post(&amy, &format!("/api/v1/cases/{case}/actions"), &judge)
            .await;
        assert!(r.status().is_success());
    }

    // The admin sees the built-in model in use, trains, and the shop's model takes over.
    b.sign_in(&app, "ada").await;
    b.client.goto(&app.url("/admin/templates")).await.unwrap();
    b.wait_for("#triage-model").await;
    assert!(b.text("#triage-model").await.contains("内置模型"));
    b.click_and_load("form[action='/admin/triage/train'] button[type=submit]")
        .await;
    b.wait_for("#triage-model table").await;
    let panel = b.text("#triage-model").await;
    assert!(
        panel.contains("本店模型") && panel.contains("已替换"),
        "{panel}"
    );
    b.shots_of("#triage-model", "46-triage-model").await;
    b.client.clone().close().await.ok();
}
