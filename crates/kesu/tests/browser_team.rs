//! The team around the desk in a real browser (Debian's headless Chromium over WebDriver):
//! operations posts an important notice and an agent acknowledges it from the queue; the case
//! page shows the notice and the product knowledge for the order's SKU; a supervisor answers
//! every customer of an incident at once; a supervisor scores a quality check. Skipped,
//! saying so, without Chromium; `.ci/run` requires it. Screenshots go to
//! `target/browser-screenshots/` (30-*).

#[path = "browser_kit/mod.rs"]
#[allow(dead_code)]
mod browser_kit;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use browser_kit::Browser;
use helpers::TestApp;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notices_knowledge_incidents_and_quality_checks_in_the_workbench() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let ops = app.user("ops", "department", Some("operations")).await;
    let amy = app.user("amy", "agent", None).await;
    let sue = app.user("sue", "supervisor", None).await;

    // Operations posts an important notice about one SKU.
    b.sign_in(&app, "ops").await;
    b.client.goto(&app.url("/notices")).await.unwrap();
    b.fill("#new-notice input[name=title]", "蓝色T恤换新面料")
        .await;
    b.fill(
        "#new-notice textarea[name=text]",
        "TEE-L-BLUE 自11月20日起换用新面料，手感略硬属正常，不算质量问题。顾客问起请如实说明。",
    )
    .await;
    b.fill("#new-notice input[name=skus]", "TEE-L-BLUE").await;
    b.click("#new-notice input[name=importance]").await;
    b.shots("30-notice-post").await;
    b.click_and_load("#new-notice button.primary").await;
    assert!(b.text("main").await.contains("蓝色T恤换新面料"));
    b.sign_out().await;

    // The knowledge for that SKU, and a case about it.
    let r = app
        .post(
            &ops,
            "/api/v1/knowledge",
            &json!({"kind": "sku", "title": "纯棉T恤 蓝色 L", "skus": ["TEE-L-BLUE"],
                    "body": "尺码：L 胸围108cm 衣长72cm\n材质：精梳棉 100%\n洗护与使用：30°C以下水洗，不可漂白\n已知问题：首次洗涤轻微缩水（约2%）"}),
        )
        .await;
    assert_eq!(r.status(), 201);
    let order = json!({
        "shop": "tmall-main", "buyer": {"name": "王小明"},
        "placed_at": "2026-11-18T09:00:00+08:00", "paid_at": "2026-11-18T09:01:00+08:00",
        "lines": [{"line_id": "A", "sku": "TEE-L-BLUE", "name": "纯棉T恤", "unit_price_cents": 12900, "quantity": 1}]
    });
    assert!(app
        .put_order(&amy, "TB20261111001", &order)
        .await
        .status()
        .is_success());
    let mut c = helpers::complaint();
    c["category"] = json!("quality");
    c["description"] = json!("T恤摸起来很硬，是不是假货");
    let id = app.register(&amy, &c).await["id"].as_i64().unwrap();

    // Amy's queue asks her to acknowledge the notice; then it is gone.
    b.sign_in(&app, "amy").await;
    let banner = b.text("#notices").await;
    assert!(
        banner.contains("待确认的重要通知") && banner.contains("蓝色T恤换新面料"),
        "{banner}"
    );
    b.shots("30-queue-notice").await;
    b.click_and_load("#notices button.primary").await;
    assert!(!b.text("main").await.contains("待确认的重要通知"));
    // The case page: the notice and the SKU's knowledge beside the order.
    b.client
        .goto(&app.url(&format!("/cases/{id}")))
        .await
        .unwrap();
    assert!(b.text("#case-notices").await.contains("手感略硬属正常"));
    b.scroll_to("#knowledge").await;
    let knowledge = b.text("#knowledge").await;
    assert!(
        knowledge.contains("首次洗涤轻微缩水") && knowledge.contains("胸围108cm"),
        "{knowledge}"
    );
    b.shots("30-case-knowledge").await;
    b.sign_out().await;

    // An incident of three customers, answered at once by a supervisor.
    let mut numbers = vec![app.case(&amy, id).await["number"]
        .as_str()
        .unwrap()
        .to_owned()];
    let mut ids = vec![id];
    for (i, phone) in ["13900000001", "13900000002"].iter().enumerate() {
        let mut more = c.clone();
        more["complainant"] = json!({"name": format!("顾客{i}"), "phone": phone});
        let made = app.register(&amy, &more).await;
        numbers.push(made["number"].as_str().unwrap().to_owned());
        ids.push(made["id"].as_i64().unwrap());
    }
    let incident: Value = app
        .post(
            &sue,
            "/api/v1/incidents",
            &json!({"title": "蓝色T恤新面料被误认为假货", "cases": numbers}),
        )
        .await
        .json()
        .await
        .unwrap();
    b.sign_in(&app, "sue").await;
    b.client
        .goto(&app.url(&format!("/incidents/{}", incident["id"])))
        .await
        .unwrap();
    b.fill(
        "#bulk-reply textarea[name=text]",
        "您好，这批T恤换用了新的精梳棉面料，初穿手感略硬，洗涤后会变软，并非质量问题。给您带来困扰非常抱歉，如仍不满意可为您办理退换。",
    )
    .await;
    b.click_and_load("#bulk-reply button.primary").await;
    let results = b.text(".bulk-results").await;
    assert_eq!(results.matches("已发送").count(), 3, "{results}");
    b.shots("30-incident").await;
    b.sign_out().await;

    // A week later: the supervisor draws last week's sample and scores Amy's case. Amy's
    // cases were closed as not valid in week 48.
    for case_id in ids {
        app.act_ok(
            &amy,
            case_id,
            json!({"action": "judge", "valid": false, "reason": "面料变化不属于质量问题"}),
        )
        .await;
    }
    app.clock.advance(chrono::Duration::days(8));
    b.sign_in(&app, "sue").await;
    b.client.goto(&app.url("/quality")).await.unwrap();
    b.fill("input[name=seed]", "42").await;
    b.click_and_load("form.panel button.primary").await;
    b.click_and_load("table.list td a").await;
    b.wait_for(".qc-form").await;
    b.replace("input[name='score.read_back']", "5").await;
    b.fill("textarea[name=comment]", "回复及时，但没有复述处理方案。")
        .await;
    assert!(b.text(".qc-replies").await.contains("精梳棉面料"));
    b.shots("30-qc-form").await;
    b.click_and_load(".qc-form button.primary").await;
    assert!(b.text("main").await.contains("90"), "scored 90");

    // The figures per agent, each bar and number opening the cases behind it.
    b.client
        .goto(&app.url("/reports/agents?from=2026-11-01&to=2026-11-30"))
        .await
        .unwrap();
    b.wait_for("#chart-workload[data-drawn]").await;
    let table = b.text("#agent-figures").await;
    assert!(table.contains("amy") && table.contains("90"), "{table}");
    b.shots("30-agent-figures").await;
    b.click_and_load("#agent-figures tr[data-agent=amy] td.num a")
        .await;
    let cases = b.text("main").await;
    assert!(
        cases.contains("共 3") && cases.contains("KS-20261123-0001"),
        "{cases}"
    );
}
