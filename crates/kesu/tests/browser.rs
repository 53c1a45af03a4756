//! The workbench in a real browser: Debian's headless Chromium driven over WebDriver
//! (chromedriver). Skipped, saying so, when Chromium is not installed; `.ci/run` installs
//! it and sets KESU_REQUIRE_BROWSER=1 so that a skip fails the run. Screenshots go to
//! `target/browser-screenshots/`.

#[path = "browser_kit/mod.rs"]
#[allow(dead_code)]
mod browser_kit;
#[path = "api/helpers.rs"]
#[allow(dead_code)]
mod helpers;

use browser_kit::Browser;
use fantoccini::Locator;
use helpers::TestApp;
use kesu_web::Clock;
use std::process::Command;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agent_registers_a_complaint_with_read_back_and_judges_it() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    app.user("amy", "agent", None).await;

    b.client.goto(&app.url("/")).await.unwrap();
    b.wait_for("#username").await;
    b.shot("00-sign-in").await;
    b.fill("#username", "amy").await;
    b.fill("#password", "pass-word-1").await;
    b.click_and_load("button[type=submit]").await;
    b.wait_for("table.queue, p.empty").await;
    b.shot("01-queue").await;

    b.click_and_load("header nav a[href='/cases/new']").await;
    let button = b.wait_for("#to-review").await;
    assert_eq!(
        button.prop("disabled").await.unwrap().as_deref(),
        Some("true"),
        "blocked until the checklist is complete"
    );
    b.click("#channel label[data-value=phone]").await;
    b.fill("#name", "王小明").await;
    b.fill("#phone", "13812345678").await;
    b.click("#category option[value=damaged]").await;
    b.click("#demand label[data-value=reship]").await;
    b.fill("#order_no", "TB20261111001").await;
    b.fill("#description", "收到的玻璃杯碎了两个，外箱有明显压痕")
        .await;
    // Triage reads the description and suggests its category.
    let suggestion = b.text("#triage .triage").await;
    assert!(suggestion.contains("破损"), "{suggestion}");
    let done = b
        .client
        .find_all(Locator::Css(".checklist li.done"))
        .await
        .unwrap();
    assert_eq!(done.len(), 6, "every checklist item ticked");
    assert_eq!(
        button.prop("disabled").await.unwrap().as_deref(),
        Some("false")
    );
    b.shot("02-register").await;
    b.click_and_load("#to-review").await;

    b.wait_for("#readback").await;
    let summary = b.text("table.summary").await;
    assert!(
        summary.contains("王小明") && summary.contains("13812345678"),
        "{summary}"
    );
    b.shot("03-read-back").await;
    b.click("#readback").await;
    b.click_and_load("#save").await;

    b.wait_for("ol.steps").await;
    let head = b.text(".case-head h1").await;
    assert!(head.starts_with("KS-20261123-0001"), "{head}");
    assert_eq!(b.text("ol.steps li.current").await, "判定");
    b.shot("04-case").await;
    b.fill(
        "form[data-action=judge] textarea[name=reason]",
        "有开箱照片",
    )
    .await;
    b.click_and_load("form[data-action=judge] button[type=submit]")
        .await;
    b.wait_for("form[data-action=route]").await;
    assert!(b.text(".case-head .status").await.contains("待分派"));
    assert!(b.text("ol.timeline").await.contains("有开箱照片"));
    b.shot("05-judged").await;

    // The queue follows the search box as it is typed in (htmx), no button needed.
    b.client.goto(&app.url("/")).await.unwrap();
    b.wait_for("table.queue").await;
    b.fill("input[type=search]", "玻璃杯").await;
    for _ in 0..100 {
        if b.client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("q=")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        b.client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .contains("q="),
        "the URL follows the search"
    );
    b.wait_for("table.queue").await;
    assert!(b.text("table.queue").await.contains("KS-20261123-0001"));
    b.fill("input[type=search]", "不存在的内容").await;
    b.wait_for("p.empty").await;
    b.shot("06-queue-search").await;
    b.client.clone().close().await.ok();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_complaint_goes_through_all_eight_steps_with_the_customer_choosing_and_rating() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    for (u, role, dept) in [
        ("amy", "agent", None),
        ("sam", "supervisor", None),
        ("wu", "department", Some("logistics")),
    ] {
        app.user(u, role, dept).await;
    }

    // The customer files the complaint on the public form.
    b.client.goto(&app.url("/complain")).await.unwrap();
    b.fill("#name", "王小明").await;
    b.fill("#phone", "13812345678").await;
    b.click("#category option[value=damaged]").await;
    b.click("#demand option[value=compensation]").await;
    b.fill("#description", "杯子碎了，外箱完好").await;
    b.shot("10-public-form").await;
    b.click_and_load("button[type=submit]").await;
    let link = b
        .wait_for("#status-link")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let number = b.text("#case-number").await;
    b.shot("11-public-thanks").await;

    // 2–3: the agent judges and routes.
    b.sign_in(&app, "amy").await;
    b.click_and_load("table.queue a").await;
    b.wait_for("ol.steps").await;
    let case_url = b.client.current_url().await.unwrap().to_string();
    assert!(b.text(".case-head h1").await.contains(&number));
    b.fill(
        "form[data-action=judge] textarea[name=reason]",
        "照片显示破损",
    )
    .await;
    b.act("judge").await;
    b.act("route").await;
    assert!(
        b.text(".case-head .meta").await.contains("储运部"),
        "routed as suggested"
    );
    b.sign_out().await;

    // 4: the warehouse analyses; its queue is its department's inbox.
    b.sign_in(&app, "wu").await;
    assert!(b.text("table.queue").await.contains(&number));
    b.client.goto(&case_url).await.unwrap();
    b.wait_for("form[data-action=analyse]").await;
    assert!(
        b.text("aside.side-col section.panel")
            .await
            .contains("王**"),
        "personal data masked for departments"
    );
    b.click("form[data-action=analyse] select[name=liability] option[value=carrier]")
        .await;
    b.click("form[data-action=analyse] select[name=root_cause] option[value=carrier]")
        .await;
    b.fill(
        "form[data-action=analyse] textarea[name=findings]",
        "中转挤压",
    )
    .await;
    b.act("analyse").await;
    b.sign_out().await;

    // 5: the agent offers two options.
    b.sign_in(&app, "amy").await;
    b.client.goto(&case_url).await.unwrap();
    b.wait_for("form[data-action=propose]").await;
    let kinds = b
        .client
        .find_all(Locator::Css(
            "form[data-action=propose] select[name=opt_kind]",
        ))
        .await
        .unwrap();
    kinds[0]
        .find(Locator::Css("option[value=compensation]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    kinds[1]
        .find(Locator::Css("option[value=apology]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let amounts = b
        .client
        .find_all(Locator::Css(
            "form[data-action=propose] input[name=opt_amount]",
        ))
        .await
        .unwrap();
    amounts[0].send_keys("30").await.unwrap();
    b.act("propose").await;
    b.sign_out().await;

    // The customer chooses on the status page.
    b.client.goto(&app.url(&link)).await.unwrap();
    b.wait_for("#choose").await;
    assert_eq!(b.text("#customer-status").await, "请选择您希望的处理方案");
    b.shot("12-customer-choose").await;
    // Nothing is chosen for the customer.
    assert_eq!(
        b.client
            .find_all(Locator::Css("input[name=option]:checked"))
            .await
            .unwrap()
            .len(),
        0
    );
    b.click("input[name=option][value='0']").await;
    b.click_and_load("#choose").await;
    b.wait_for("#customer-status").await;
    assert_eq!(b.text("#customer-status").await, "正在为您处理");

    // 6: compensation always needs the supervisor, whose inbox lists it.
    b.sign_in(&app, "sam").await;
    b.client.goto(&app.url("/approvals")).await.unwrap();
    b.wait_for("section.approval").await;
    b.shot("13-approvals-inbox").await;
    b.client.goto(&case_url).await.unwrap();
    b.wait_for("form[data-action=approve]").await;
    b.shot("13-approve").await;
    b.act("approve").await;
    b.sign_out().await;

    // 7: the agent pays it out.
    b.sign_in(&app, "amy").await;
    b.client.goto(&case_url).await.unwrap();
    b.wait_for("form[data-action=execute]").await;
    b.fill(
        "form[data-action=execute] textarea[name=note]",
        "已通过支付宝补偿30元",
    )
    .await;
    b.act("execute").await;

    // 8: the customer confirms and rates.
    b.client.goto(&app.url(&link)).await.unwrap();
    b.wait_for("#confirm").await;
    assert_eq!(
        b.client
            .find_all(Locator::Css("input[name=satisfied]:checked"))
            .await
            .unwrap()
            .len(),
        0,
        "neither answer is chosen for the customer"
    );
    b.click("input[name=satisfied][value=true]").await;
    b.click("#rating label[data-value='5']").await;
    b.fill("#fu-comment", "处理很快，谢谢").await;
    b.shot("14-customer-rate").await;
    b.click_and_load("#confirm").await;
    b.wait_for("#customer-status").await;
    assert_eq!(b.text("#customer-status").await, "已完结");

    // The agent closes with a summary.
    b.client.goto(&case_url).await.unwrap();
    b.wait_for("form[data-action=close]").await;
    b.fill(
        "form[data-action=close] textarea[name=summary]",
        "承运商挤压破损，补偿30元，顾客满意",
    )
    .await;
    b.act("close").await;
    assert!(b.text(".case-head .status").await.contains("已结案"));
    assert_eq!(
        b.client
            .find_all(Locator::Css("ol.steps li.done"))
            .await
            .unwrap()
            .len(),
        8
    );
    b.shot("15-closed").await;

    // A case left open past its deadline shows the red badge in the queue.
    let token = app.token("amy", "pass-word-1").await;
    app.register(&token, &helpers::complaint()).await;
    app.clock.advance(chrono::Duration::days(3));
    // Three days on, the session has expired too: sign in again.
    b.sign_in(&app, "amy").await;
    b.client.goto(&app.url("/?overdue=1")).await.unwrap();
    // The badge names the nearest clock that ran out: nobody answered the customer.
    let badge = b
        .wait_for("table.queue .badge.red")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        badge.starts_with("首次响应") && badge.contains("超时"),
        "{badge}"
    );
    b.shot("16-queue-overdue").await;
    b.sign_out().await;

    // The admin pages. Admins must use two-factor sign-in: the first sign-in opens only its
    // set-up (QR code, the app's code, recovery codes shown once).
    let admin_signs_in = || async {
        b.client.goto(&app.url("/login")).await.unwrap();
        b.fill("#username", "admin").await;
        b.fill("#password", helpers::ADMIN_PASSWORD).await;
        b.click_and_load("button[type=submit]").await;
    };
    admin_signs_in().await;
    b.client.goto(&app.url("/admin")).await.unwrap();
    b.wait_for("button[value=begin]").await;
    assert_eq!(
        b.client.current_url().await.unwrap().path(),
        "/account/two-factor"
    );
    b.click_and_load("button[value=begin]").await;
    b.wait_for("img.qr").await;
    b.shots("17a-two-factor-qr").await;
    let secret = b.text("#totp-secret").await;
    b.fill("#code", &helpers::totp_code(&secret, app.clock.now()))
        .await;
    b.click_and_load("button[value=confirm]").await;
    assert_eq!(
        b.client
            .find_all(Locator::Css("#recovery-codes code"))
            .await
            .unwrap()
            .len(),
        10
    );
    b.shots("17b-recovery-codes").await;
    b.click_and_load("a.button[href='/']").await;
    b.sign_out().await;
    // The next sign-in asks for the code the app shows then.
    app.clock.advance(chrono::Duration::seconds(30));
    admin_signs_in().await;
    b.wait_for("#code").await;
    b.shots("17c-two-factor-code").await;
    b.fill("#code", &helpers::totp_code(&secret, app.clock.now()))
        .await;
    b.click_and_load("form[action='/login/two-factor'] button[type=submit]")
        .await;
    b.wait_for("header .me").await;
    b.client.goto(&app.url("/admin")).await.unwrap();
    b.wait_for("form[action='/admin/policy']").await;
    b.shot("17-admin").await;
    // The reply-script library: a script with an unknown variable is refused, then saved.
    b.click_and_load("a[href='/admin/templates']").await;
    let new = "section.panel form.template-form:not(:has(input[name=original_id]))";
    b.fill(&format!("{new} input[name=id]"), "chased-again")
        .await;
    b.click(&format!(
        "{new} select[name=scenario] option[value=progress]"
    ))
    .await;
    b.fill(&format!("{new} input[name=title]"), "再次催件")
        .await;
    b.fill(
        &format!("{new} textarea[name=body]"),
        "{customer_name}您好，{order_number} 已再次催件",
    )
    .await;
    b.click_and_load(&format!("{new} button[type=submit]"))
        .await;
    let error = b.text("div.error").await;
    assert!(
        error.contains("order_number") && error.contains("order_no"),
        "{error}"
    );
    b.fill(&format!("{new} input[name=id]"), "chased-again")
        .await;
    b.click(&format!(
        "{new} select[name=scenario] option[value=progress]"
    ))
    .await;
    b.fill(&format!("{new} input[name=title]"), "再次催件")
        .await;
    b.fill(
        &format!("{new} textarea[name=body]"),
        "{customer_name}您好，订单 {order_no} 已再次催件",
    )
    .await;
    b.click_and_load(&format!("{new} button[type=submit]"))
        .await;
    assert!(b
        .text("details.template[data-id=chased-again] summary")
        .await
        .contains("再次催件"));
    b.scroll_to("details.template[data-id=chased-again]").await;
    b.shot("17b-admin-templates").await;
    b.client.goto(&app.url("/admin")).await.unwrap();
    b.wait_for("form[action='/admin/policy']").await;
    b.click_and_load("header form[action='/lang'] button").await;
    assert!(
        b.text("header nav").await.contains("Queue"),
        "English on request"
    );
    b.shot("18-admin-english").await;
    b.client.clone().close().await.ok();
}

/// An order whose one parcel was shipped at `shipped_at`.
fn order_shipped(tracking_no: &str, shipped_at: &str) -> serde_json::Value {
    serde_json::json!({
        "shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678", "address": "浙江省杭州市西湖区文三路100号"},
        "placed_at": "2026-11-20T10:00:00+08:00", "payment_method": "alipay",
        "lines": [{"line_id": "A", "sku": "MUG", "name": "陶瓷马克杯", "spec": "白色", "unit_price_cents": 12900, "quantity": 1}],
        "discounts": [], "points_cents": 0, "shipping_cents": 0,
        "shipments": [{"carrier": "yto", "tracking_no": tracking_no, "shipped_at": shipped_at,
                       "lines": [{"line_id": "A", "quantity": 1}]}]
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_logistics_board_lists_exceptions_and_a_claim_is_filed_and_paid() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let token = app.user("amy", "agent", None).await;
    // One parcel never scanned (49 h), one not picked up (30 h), one damaged in transit.
    for (order, tracking, shipped) in [
        ("TB1001", "YT1000000001", "2026-11-21T09:00:00+08:00"),
        ("TB1002", "YT1000000002", "2026-11-22T04:00:00+08:00"),
        ("TB1003", "YT1000000003", "2026-11-21T20:00:00+08:00"),
    ] {
        let r = app
            .put_order(&token, order, &order_shipped(tracking, shipped))
            .await;
        assert!(r.status().is_success());
    }
    let r = app
        .post(&token, "/api/v1/tracking/events", &serde_json::json!([
            {"carrier": "yto", "tracking_no": "YT1000000002", "at": "2026-11-22T05:00:00+08:00", "status": "info_received"},
            {"carrier": "yto", "tracking_no": "YT1000000003", "at": "2026-11-22T08:00:00+08:00", "status": "picked_up"},
            {"carrier": "yto", "tracking_no": "YT1000000003", "at": "2026-11-23T06:00:00+08:00", "status": "in_transit",
             "location": "杭州转运中心", "text": "快件外包装破损，已拍照留存"}
        ]))
        .await;
    assert!(r.status().is_success());
    let state = kesu_web::AppState::new(app.store.clone(), app.clock.clone(), app.search.clone());
    kesu_app::worker::round(&state.store, state.clock.now(), "browser-test")
        .await
        .unwrap();

    b.sign_in(&app, "amy").await;
    b.click_and_load("header nav a[href='/logistics']").await;
    b.wait_for("section.carrier[data-carrier=yto]").await;
    let summary = b.text("#board-summary").await;
    assert!(
        summary.contains("未处理异常 2") && summary.contains("预警 1"),
        "{summary}"
    );
    let rows = b
        .client
        .find_all(Locator::Css("section.carrier tr[data-tracking]"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    assert!(b
        .text("tr[data-tracking=YT1000000003]")
        .await
        .contains("包裹破损"));
    b.shot("10-logistics-board").await;

    // The damaged parcel's case: file a claim with photos and the tracking record.
    b.click_and_load("tr[data-tracking=YT1000000003] a").await;
    b.wait_for("ol.steps").await;
    // Photos of the damage first: the claim form offers them, ticked.
    let dir = tempfile::tempdir().unwrap();
    let photos: Vec<String> = ["IMG_0412.jpg", "IMG_0413.jpg"]
        .iter()
        .map(|name| {
            let path = dir.path().join(name);
            image::RgbImage::from_pixel(640, 480, image::Rgb([180, 120, 60]))
                .save(&path)
                .unwrap();
            path.display().to_string()
        })
        .collect();
    b.wait_for("form.upload input[type=file]")
        .await
        .send_keys(&photos.join("\n"))
        .await
        .unwrap();
    b.click("form.upload button[type=submit]").await;
    for _ in 0..200 {
        let shown = b
            .client
            .find_all(Locator::Css("#evidence li.file img"))
            .await
            .unwrap();
        if shown.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    b.click("#file-claim summary").await;
    b.fill("#file-claim input[name=amount]", "129.00").await;
    b.fill("#file-claim input[name=delivery_proof]", "签收底单照片")
        .await;
    b.click_and_load("#file-claim button[type=submit]").await;
    let claim = b.text("div.claim").await;
    assert!(
        claim.contains("已提交") && claim.contains("¥129.00"),
        "{claim}"
    );
    assert_eq!(
        b.client
            .find_all(Locator::Css("div.claim ul.evidence li"))
            .await
            .unwrap()
            .len(),
        4,
        "two photos, the delivery proof and the tracking record"
    );
    b.scroll_to("div.claim").await;
    b.shot("11-claim-filed").await;

    // A reply to the customer is checked while it is typed, and refused if it must be.
    b.replace(
        "form[data-action=comment] textarea[name=text]",
        "亲，加我微信详细说，电话 138 1234 5678",
    )
    .await;
    let finding = b
        .text("form[data-action=comment] .reply-findings li.blocking")
        .await;
    assert!(finding.contains("加我微信"), "{finding}");
    b.scroll_to("form[data-action=comment]").await;
    b.shot("14-reply-checker").await;
    b.click_and_load("form[data-action=comment] button[type=submit]")
        .await;
    let error = b.text("div.error").await;
    assert!(error.contains("不能发送"), "{error}");
    b.wait_for("ol.steps").await;

    // A script instead: the damaged-goods first reply, filled with the case's order, passes.
    b.click("form[data-action=comment] select.script-pick option[data-id=first-damaged]")
        .await;
    let reply = b
        .wait_for("form[data-action=comment] textarea[name=text]")
        .await
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(
        reply.contains("破损") && reply.contains("照片") && !reply.contains('{'),
        "{reply}"
    );
    let ok = b
        .text("form[data-action=comment] .reply-findings p.ok")
        .await;
    assert!(ok.contains("回复检查通过"), "{ok}");
    b.scroll_to("form[data-action=comment]").await;
    b.shot("14b-reply-script").await;
    b.act("comment").await;
    let history = b.text("ol.timeline").await;
    assert!(history.contains("拍一下外包装"), "{history}");

    // The carrier accepts, then pays ¥100 of it.
    b.click("div.claim select[name=status] option[value=accepted]")
        .await;
    b.click_and_load("div.claim button[type=submit]").await;
    assert!(b.text("div.claim").await.contains("承运商已受理"));
    b.click("div.claim select[name=status] option[value=paid]")
        .await;
    b.fill("div.claim input[name=recovered]", "100").await;
    b.click_and_load("div.claim button[type=submit]").await;
    let claim = b.text("div.claim").await;
    assert!(
        claim.contains("已赔付") && claim.contains("¥100.00"),
        "{claim}"
    );
    b.scroll_to("div.claim").await;
    b.shot("12-claim-paid").await;

    // Back on the board: the claim is counted; handling the warning clears it.
    b.click_and_load("header nav a[href='/logistics']").await;
    let summary = b.text("#board-summary").await;
    assert!(
        summary.contains("¥129.00") && summary.contains("¥100.00"),
        "{summary}"
    );
    b.click_and_load("tr[data-tracking=YT1000000002] form button")
        .await;
    b.wait_for("#board-summary").await;
    assert!(b.text("#board-summary").await.contains("预警 0"));
    assert!(b
        .client
        .find_all(Locator::Css("tr[data-tracking=YT1000000002]"))
        .await
        .unwrap()
        .is_empty());
    b.shot("13-logistics-board-after").await;
}

/// Fetches `href` with the page's session, as clicking a download link would: its status,
/// content type and the first bytes of the file.
async fn download(b: &Browser, href: &str) -> (u64, String, Vec<u8>) {
    let v = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then(r => r.arrayBuffer().then(buf =>
               done([r.status, r.headers.get('content-type'), Array.from(new Uint8Array(buf).slice(0, 64))])))",
            vec![serde_json::json!(href)],
        )
        .await
        .unwrap();
    let status = v[0].as_u64().unwrap();
    let ct = v[1].as_str().unwrap_or_default().to_owned();
    let bytes = v[2]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as u8)
        .collect();
    (status, ct, bytes)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_reads_the_dashboard_of_a_demo_year_and_exports_it() {
    let Some(b) = Browser::start().await else {
        return;
    };
    // A year of generated work, made by the real command, ending at the test clock's moment.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kesu"))
        .args([
            "demo",
            "--cases",
            "3000",
            "--now",
            "2026-11-23T10:00:00+08:00",
            "--data",
        ])
        .arg(dir.path())
        .env("KESU_ADMIN_PASSWORD", helpers::ADMIN_PASSWORD)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Generated 3000 cases"));
    let app = TestApp::sqlite_in(dir).await;
    app.user("sam", "supervisor", None).await;

    b.sign_in(&app, "sam").await;
    b.click_and_load("header nav a[href='/reports']").await;
    b.wait_for("#chart-timeline[data-drawn='1'] svg").await;
    // The last 30 days by default: the 11.11 sale's complaints are in them.
    let cases: u64 = b.text(".kpi:first-child .value").await.parse().unwrap();
    assert!(cases > 200, "{cases} complaints in the last 30 days");
    assert!(b.text(".kpis").await.contains("每千单投诉"));
    for chart in [
        "#chart-category",
        "#chart-causes",
        "#chart-liability",
        "#chart-carriers",
        "#chart-products",
        "#chart-ratings",
        "#chart-departments",
    ] {
        b.wait_for(&format!("{chart}[data-drawn='1'] svg")).await;
    }
    assert!(
        b.text("#chart-causes").await.contains("承运商"),
        "the Pareto names causes in Chinese"
    );
    b.shot("20-dashboard").await;
    b.scroll_to("#chart-causes").await;
    b.shot("21-dashboard-causes").await;

    // A whole year, quality complaints only.
    b.client
        .goto(&app.url("/reports?from=2025-11-24&to=2026-11-23"))
        .await
        .unwrap();
    b.click("form.filters select[name=category] option[value=quality]")
        .await;
    b.click_and_load("form.filters button[type=submit]").await;
    b.wait_for("#chart-timeline[data-drawn='1'] svg").await;
    let quality: u64 = b.text(".kpi:first-child .value").await.parse().unwrap();
    assert!(
        quality > 300 && quality < 1000,
        "{quality} of 3000 are quality complaints"
    );
    assert!(b
        .client
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("category=quality"));
    b.shot("22-dashboard-year-quality").await;

    // The exports of what is on screen.
    let csv = b
        .wait_for("p.exports a[href^='/reports/export?format=csv']")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(csv.contains("category=quality"), "{csv}");
    let (status, ct, bytes) = download(&b, &csv).await;
    assert_eq!((status, ct.as_str()), (200, "text/csv; charset=utf-8"));
    assert!(String::from_utf8_lossy(&bytes).contains("汇总"));
    let xlsx = b
        .wait_for("p.exports a[href^='/reports/register?format=xlsx']")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    let (status, ct, bytes) = download(&b, &xlsx).await;
    assert_eq!(status, 200);
    assert_eq!(
        ct,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    assert!(bytes.starts_with(b"PK"));

    // A lesson becomes an improvement action, listed with the carrier complaints per week
    // before it.
    b.click("#new-improvement summary").await;
    b.fill(
        "#new-improvement input[name=title]",
        "大促前与承运商确认揽收能力",
    )
    .await;
    b.click("#new-improvement select[name=root_cause] option[value=carrier]")
        .await;
    b.fill("#new-improvement input[name=owner]", "储运部").await;
    b.client
        .execute(
            "document.querySelector('#new-improvement input[name=due_on]').value = '2026-12-20'",
            vec![],
        )
        .await
        .unwrap();
    b.click_and_load("#new-improvement button[type=submit]")
        .await;
    let row = b.text("#improvements tr[data-improvement]").await;
    assert!(
        row.contains("大促前与承运商确认揽收能力")
            && row.contains("计划中")
            && row.contains("承运商"),
        "{row}"
    );
    b.scroll_to("#improvements").await;
    b.shot("23-improvement-actions").await;
}

/// An auditor opens the audit trail from the menu, narrows it to sign-ins, and sees the
/// failed one in words; at a phone's width nothing scrolls sideways.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_reads_the_audit_trail() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    app.user("audrey", "auditor", None).await;
    app.register(&agent, &helpers::complaint()).await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({"username": "amy", "password": "not-hers"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    app.store.seal_pending(|_| {}).await.unwrap();

    b.sign_in(&app, "audrey").await;
    b.click_and_load("header nav a[href='/audit']").await;
    let all = b.text("table.audit").await;
    assert!(
        all.contains("登记投诉") && all.contains("新建账号"),
        "{all}"
    );
    b.click("form.filters select[name=kind] option[value='sign_in.']")
        .await;
    b.click_and_load("form.filters button[type=submit]").await;
    let rows = b.text("table.audit").await;
    assert!(rows.contains("登录失败") && rows.contains("amy"), "{rows}");
    assert!(!rows.contains("登记投诉"), "only sign-ins: {rows}");
    let head = b.text(".audit-head").await;
    assert!(
        head.contains("记录链当前共")
            && head
                .split_whitespace()
                .any(|w| w.len() == 64 && w.chars().all(|c| c.is_ascii_hexdigit())),
        "the head to write down: {head}"
    );
    b.shots("24-audit-trail").await;
}

/// A supervisor records on the case page who was responsible for a late case: the missed
/// deadline already names who held it; the form takes a pay share and a department's
/// amount; the agent's page shows none of it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_supervisor_records_accountability_on_the_case_page() {
    let Some(b) = Browser::start().await else {
        return;
    };
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let sam = app.user("sam", "supervisor", None).await;
    let mut body = helpers::complaint();
    body["channel"] = serde_json::json!("platform");
    body.as_object_mut().unwrap().remove("received_at");
    let id = app.register(&agent, &body).await["id"].as_i64().unwrap();
    app.act_ok(
        &sam,
        id,
        serde_json::json!({"action": "assign", "user": "amy"}),
    )
    .await;
    app.clock.advance(chrono::Duration::minutes(61));
    for _ in 0..2 {
        kesu_app::worker::round(&app.store, app.clock.now(), "test-worker")
            .await
            .unwrap();
    }

    b.sign_in(&app, "sam").await;
    b.client
        .goto(&app.url(&format!("/cases/{id}")))
        .await
        .unwrap();
    let panel = b.text("#accountability").await;
    assert!(
        panel.contains("超时记录") && panel.contains("amy"),
        "{panel}"
    );
    b.click("#accountability details summary").await;
    b.fill("#accountability input[name=loss]", "129.00").await;
    b.click("#accountability select[name=party0] option[value='staff:amy']")
        .await;
    b.click("#accountability select[name=penalty0] option[value=pay_share]")
        .await;
    b.fill("#accountability input[name=value0]", "5").await;
    b.fill("#accountability input[name=reason0]", "超时未首次回复")
        .await;
    b.click("#accountability select[name=party1] option[value='department:logistics']")
        .await;
    b.click("#accountability select[name=penalty1] option[value=amount]")
        .await;
    b.fill("#accountability input[name=value1]", "50").await;
    b.fill("#accountability input[name=reason1]", "打包漏发")
        .await;
    b.click_and_load("#accountability form button[type=submit]")
        .await;
    let panel = b.text("#accountability").await;
    assert!(
        panel.contains("¥129.00")
            && panel.contains("扣绩效工资 5%")
            && panel.contains("扣罚金额 ¥50.00"),
        "{panel}"
    );
    b.scroll_to("#accountability").await;
    b.shots("25-accountability").await;

    let (client, _) = helpers::browser(&app, "amy", "pass-word-1").await;
    let page = helpers::page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(
        !page.contains("责任追究") && !page.contains("超时未首次回复"),
        "hidden from the agent"
    );
}
