//! Records you can prove, in a real browser (Debian's headless Chromium over WebDriver): an
//! agent finds the customer masked on the case page and reveals them with a reason; an admin
//! serves the customer's request on 个人信息请求, finds the case by phone and erases it; an
//! auditor draws a sample on 记录审核 and records a finding.
//! Skipped, saying so, without Chromium; `.ci/run` requires it. Screenshots go to
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
async fn an_agent_reveals_a_contact_and_an_admin_erases_a_customer() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    app.user("boss", "admin", None).await;
    let mut body = helpers::complaint();
    body["complainant"] =
        json!({"name": "欧阳娜娜", "phone": "13987654321", "email": "nana@example.com"});
    body["description"] = json!("欧阳娜娜说收到的玻璃杯碎了两个，外箱有明显压痕");
    let id = app.register(&agent, &body).await["id"].as_i64().unwrap();

    b.sign_in(&app, "amy").await;
    b.client
        .goto(&app.url(&format!("/cases/{id}")))
        .await
        .unwrap();
    let side = b.text("aside.side-col").await;
    assert!(
        side.contains("欧**") && !side.contains("13987654321"),
        "{side}"
    );
    b.scroll_to("form.reveal").await;
    b.shots("26-reveal-masked").await;
    b.choose("form.reveal select[name=reason]", "contact").await;
    b.click_and_load("form.reveal button[type=submit]").await;
    let side = b.text("aside.side-col").await;
    assert!(
        side.contains("13987654321") && side.contains("欧阳娜娜"),
        "{side}"
    );
    b.scroll_to("aside.side-col").await;
    b.shots("26-reveal-shown").await;
    b.sign_out().await;

    b.sign_in(&app, "boss").await;
    b.click_and_load("header nav a[href='/personal-data']")
        .await;
    b.fill("form.filters input[name=phone]", "139 8765 4321")
        .await;
    b.click_and_load("form.filters button[type=submit]").await;
    let found = b.text("main").await;
    assert!(found.contains("KS-20261123-0001"), "{found}");
    b.shots("27-personal-data").await;
    b.fill("section.danger-zone input[name=reason]", "顾客来电要求删除")
        .await;
    b.click("section.danger-zone input[name=confirm]").await;
    b.click_and_load("section.danger-zone button.danger").await;
    let done = b.text("main").await;
    assert!(
        done.contains("已删除个人信息的案件") && done.contains("KS-20261123-0001"),
        "{done}"
    );
    b.shots("27-personal-data-erased").await;
    b.client
        .goto(&app.url(&format!("/cases/{id}")))
        .await
        .unwrap();
    let page = b.text("main").await;
    assert!(
        !page.contains("欧阳") && !page.contains("13987654321"),
        "{page}"
    );
    assert!(
        page.contains("玻璃杯碎了两个"),
        "the case itself stays: {page}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_draws_a_sample_and_records_a_finding() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    app.user("audrey", "auditor", None).await;
    for i in 0..3 {
        let id = app.register(&agent, &helpers::complaint()).await["id"]
            .as_i64()
            .unwrap();
        let reason = format!("第{i}件：已超过七天无理由退货期限");
        app.act_ok(
            &agent,
            id,
            json!({"action": "judge", "valid": false, "reason": reason}),
        )
        .await;
    }

    b.sign_in(&app, "audrey").await;
    b.click_and_load("header nav a[href='/records-audits']")
        .await;
    b.client
        .execute(
            "document.querySelector('input[name=from]').value = '2026-11-01';\
             document.querySelector('input[name=to]').value = '2026-11-30';",
            vec![],
        )
        .await
        .unwrap();
    b.replace("input[name=size]", "2").await;
    b.fill("input[name=seed]", "7").await;
    b.click_and_load("form.filters button[type=submit]").await;
    let sections = b
        .client
        .find_all(fantoccini::Locator::Css("section.audited"))
        .await
        .unwrap();
    assert_eq!(sections.len(), 2, "two cases drawn");
    let checks = b.text("section.audited ul.audit-checks").await;
    assert!(
        checks.contains("记录完整") && checks.contains("按时结案"),
        "{checks}"
    );
    b.click("section.audited input[value=fail]").await;
    b.fill(
        "section.audited textarea[name=findings]",
        "结案总结照抄了判定理由",
    )
    .await;
    b.fill(
        "section.audited textarea[name=correction]",
        "请 amy 补写结案总结",
    )
    .await;
    b.click_and_load("section.audited form.verdict button[type=submit]")
        .await;
    let first = b.text("section.audited").await;
    assert!(
        first.contains("不合格") && first.contains("审核人 audrey"),
        "{first}"
    );
    b.shots("28-records-audit").await;
    b.click_and_load("header nav a[href='/records-audits']")
        .await;
    let list = b.text("table.cards").await;
    assert!(
        list.contains("1 / 2") && list.contains("不合格 1"),
        "{list}"
    );
    b.shots("28-records-audits").await;
}
