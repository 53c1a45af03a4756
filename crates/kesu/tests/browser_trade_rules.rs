//! The rules of the trade in a real browser (Debian's headless Chromium over WebDriver): an
//! admin publishes the after-sales policy; a customer reads it on the complaint form and
//! files a complaint, and their status page says when they will hear back; an agent sees
//! on the case page, line by line, until when the goods may go back without a reason, or why
//! not. Skipped, saying so, without Chromium; `.ci/run` requires it. Screenshots go to
//! `target/browser-screenshots/`.

#[path = "browser_kit/mod.rs"]
#[allow(dead_code)]
mod browser_kit;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use browser_kit::Browser;
use helpers::TestApp;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_published_policy_the_expected_time_and_the_seven_days_are_shown() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    app.user("boss", "admin", None).await;
    let agent = app.user("amy", "agent", None).await;

    // The admin writes the shop's policy.
    b.sign_in(&app, "boss").await;
    b.client
        .goto(&app.url("/admin/after-sales-policy"))
        .await
        .unwrap();
    b.replace(
        "textarea[name=warranty]",
        "家电整机保修一年，主要部件保修三年。",
    )
    .await;
    b.replace("textarea[name=times_note]", "法定节假日顺延一天。")
        .await;
    b.shots("29-after-sales-policy-editor").await;
    b.click_and_load("form.panel button.primary").await;
    let saved = b.text("main").await;
    assert!(saved.contains("收到退回商品后7天内退款"), "{saved}");
    b.sign_out().await;

    // The customer reads it where they complain, and in full.
    b.client.goto(&app.url("/complain")).await.unwrap();
    b.click("#policy-summary summary").await;
    let summary = b.text("#policy-summary").await;
    assert!(
        summary.contains("1小时内首次答复") && summary.contains("查看完整售后政策"),
        "{summary}"
    );
    b.shots("29-complain-policy").await;
    b.client.goto(&app.url("/policy")).await.unwrap();
    let policy = b.text("main").await;
    assert!(
        policy.contains("主要部件保修三年")
            && policy.contains("七天无理由")
            && policy.contains("法定节假日顺延一天"),
        "{policy}"
    );
    b.shots("29-policy").await;

    // A complaint filed: the status page says by when the shop answers, from the case's clock.
    let (_, _, link) = helpers::file_public_complaint(
        &app.url(""),
        &[
            ("name", "王小明"),
            ("phone", "13812345678"),
            ("category", "quality"),
            ("demand", "return_refund"),
            ("description", "毛衣洗了一次就严重起球"),
        ],
    )
    .await;
    b.client
        .goto(&app.url(&format!("/s/{link}")))
        .await
        .unwrap();
    // Received at 10:00 on 23 November (Shanghai): the first answer is due within an hour.
    let next = b.text("#next-word").await;
    assert_eq!(next, "我们会在 11月23日 11:00 前给您新的答复");
    assert!(b.text("#policy-link").await.contains("售后政策"));
    b.shots("29-status-expected-time").await;

    // The agent's case page: the sweater may go back until 28 November; the fruit may not.
    let order = json!({
        "shop": "旗舰店", "buyer": {"name": "王小明"},
        "placed_at": "2026-11-18T09:00:00+08:00", "paid_at": "2026-11-18T09:01:00+08:00",
        "lines": [{"line_id": "A", "name": "羊毛衫", "unit_price_cents": 5000, "quantity": 1},
                  {"line_id": "B", "name": "车厘子", "unit_price_cents": 3000, "quantity": 1, "flags": ["perishable"]}],
        "shipments": [{"carrier": "sf", "tracking_no": "SF7001", "shipped_at": "2026-11-18T18:00:00+08:00",
                       "signed_at": "2026-11-20T10:00:00+08:00",
                       "lines": [{"line_id": "A", "quantity": 1}, {"line_id": "B", "quantity": 1}]}]
    });
    assert!(app
        .put_order(&agent, "TB20261111001", &order)
        .await
        .status()
        .is_success());
    let id = app.register(&agent, &helpers::complaint()).await["id"]
        .as_i64()
        .unwrap();
    b.sign_in(&app, "amy").await;
    b.client
        .goto(&app.url(&format!("/cases/{id}")))
        .await
        .unwrap();
    b.scroll_to("section.return-rights").await;
    let rights = b.text("section.return-rights").await;
    assert!(
        rights.contains("羊毛衫") && rights.contains("可无理由退货，截至 2026-11-28 00:00"),
        "{rights}"
    );
    assert!(
        rights.contains("不适用七天无理由：鲜活易腐") && rights.contains("第二十五条"),
        "{rights}"
    );
    b.shots("29-case-seven-days").await;

    // A bad review on the case: recorded, then explained from the drafted words.
    b.click("details.review-new summary").await;
    b.choose("details.review-new select[name=rating]", "1")
        .await;
    b.choose("details.review-new select[name=platform]", "taobao")
        .await;
    b.fill(
        "details.review-new input[name=posted_at]",
        "2026-11-22 20:00",
    )
    .await;
    b.fill(
        "details.review-new textarea[name=text]",
        "毛衣起球，客服回复慢",
    )
    .await;
    b.click_and_load("details.review-new button[type=submit]")
        .await;
    let reviews = b.text("#bad-reviews").await;
    assert!(
        reviews.contains("毛衣起球") && reviews.contains("已登记"),
        "{reviews}"
    );
    b.scroll_to("#bad-reviews").await;
    b.shots("29-bad-review").await;
    b.click_and_load("form.review-explain button[type=submit]")
        .await;
    let reviews = b.text("#bad-reviews").await;
    assert!(
        reviews.contains("已公开解释") && reviews.contains("感谢您的监督"),
        "{reviews}"
    );
}
