//! Triage that learns from the shop (docs/interface.md §12), over HTTP and on the command line:
//! agents correct categories, closed cases train the shop's model, `kesu triage --data` and
//! `POST /api/v1/triage` use it, repeat complainants are urgent.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, csrf_in, page_text, problem, TestApp, ADMIN_PASSWORD};
use crate::on_both_backends;

on_both_backends!(
    agents_correct_a_category_at_any_open_step,
    the_shops_closed_cases_train_the_model_triage_then_uses,
    a_repeat_complainant_is_urgent,
);

async fn agents_correct_a_category_at_any_open_step(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let auditor = app.user("al", "auditor", None).await;
    let id = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(&agent, id, json!({"action": "judge", "valid": true}))
        .await;
    let after = app
        .act_ok(
            &agent,
            id,
            json!({"action": "recategorise", "category": "wrong_item", "reason": "顾客说收到的是别的款"}),
        )
        .await;
    assert_eq!(after["category"], "wrong_item");
    assert_eq!(after["status"], "validated", "a correction moves no step");
    let last = app.history(&agent, id).await.pop().unwrap();
    assert_eq!(last["action"], "recategorise");
    assert_eq!(last["data"]["from"], "damaged");
    assert_eq!(last["data"]["to"], "wrong_item");
    // The list filters by the corrected category.
    let listed: Value = app
        .get(&agent, "/api/v1/cases?category=wrong_item")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed["total"], 1);
    // The same category again is named as the field at fault; an unknown one too.
    let same = app
        .act(
            &agent,
            id,
            json!({"action": "recategorise", "category": "wrong_item"}),
        )
        .await;
    let p = problem(same, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(p["errors"][0]["field"], "category", "{p}");
    let unknown = app
        .act(
            &agent,
            id,
            json!({"action": "recategorise", "category": "weather"}),
        )
        .await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = app
        .act(
            &auditor,
            id,
            json!({"action": "recategorise", "category": "quality"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // Closed, the final category stays.
    let closed = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &agent,
        closed,
        json!({"action": "judge", "valid": false, "reason": "重复登记"}),
    )
    .await;
    let r = app
        .act(
            &agent,
            closed,
            json!({"action": "recategorise", "category": "quality"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
}

/// A pet shop's complaints: words neither the built-in rules nor its examples know.
const PET_SHOP: [(&str, &str); 3] = [
    ("猫砂结块效果差，倒出来全是粉尘", "quality"),
    ("冻干罐子里的鸡胸肉块发软有股怪味", "not_as_described"),
    ("会员日领的满199减30的券没抵扣上", "price"),
];

async fn the_shops_closed_cases_train_the_model_triage_then_uses(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let text = "这次的猫砂还是结块差，粉尘太大";
    let model: Value = app
        .get(&agent, "/api/v1/triage/model")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(model["in_use"], "built-in");
    let before = triage(&app, &agent, &json!({"text": text})).await;
    assert_ne!(
        before["category"], "quality",
        "the built-in model does not know 猫砂"
    );
    let few: Value = app
        .post(&admin, "/api/v1/triage/train", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(few["trained"], false);
    assert_eq!(few["needed"], 50);

    for i in 0..90 {
        let (words, category) = PET_SHOP[i % 3];
        let mut form = complaint();
        form["category"] = json!("other");
        form["description"] = json!(format!("{words}（第{i}单）"));
        form["complainant"]["phone"] = json!(format!("139{i:08}"));
        form["order_no"] = json!(format!("TB2026{i:08}"));
        let id = app.register(&agent, &form).await["id"].as_i64().unwrap();
        app.act_ok(
            &agent,
            id,
            json!({"action": "recategorise", "category": category}),
        )
        .await;
        app.act_ok(
            &agent,
            id,
            json!({"action": "judge", "valid": false, "reason": "平台已处理"}),
        )
        .await;
    }
    // A duplicate merged into the customer's other case is closed, but no second example.
    let first = app.register(&agent, &complaint()).await;
    let second = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            &agent,
            &format!("/api/v1/cases/{second}/merge"),
            &json!({"into": first["number"]}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.post(&agent, "/api/v1/triage/train", &json!({})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let trained: Value = app
        .post(&admin, "/api/v1/triage/train", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(trained["trained"], true, "{trained}");
    assert_eq!(trained["replaced"], true, "{trained}");
    assert_eq!(trained["compared_with"], "built-in");
    assert!(
        trained["new_accuracy"].as_f64() > trained["old_accuracy"].as_f64(),
        "{trained}"
    );
    assert_eq!(
        trained["learned_from"].as_u64().unwrap() + trained["held_out"].as_u64().unwrap(),
        90
    );
    let model: Value = app
        .get(&agent, "/api/v1/triage/model")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(model["in_use"], "shop");
    assert_eq!(model["training_id"], trained["training_id"]);
    let after = triage(&app, &agent, &json!({"text": text})).await;
    assert_eq!(after["category"], "quality", "{after}");
    // The replacement is in the audit trail.
    let auditor = app.user("al", "auditor", None).await;
    let trail = app.trail(&auditor, "kind=policy.", 1).await;
    assert!(trail.to_string().contains("triage_model"), "{trail}");

    // The command line: with the shop's database its model, without it the built-in one.
    assert_eq!(kesu_triage(&app.cli_place, text)["category"], "quality");
    assert_ne!(kesu_triage(&[], text)["category"], "quality");
    let out = Command::new(env!("CARGO_BIN_EXE_kesu"))
        .args(["triage", "train"])
        .args(&app.cli_place)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = String::from_utf8(out.stdout).unwrap();
    assert!(report.contains("model in use (shop)"), "{report}");
    assert!(report.contains("held out"), "{report}");
}

fn kesu_triage(place: &[String], text: &str) -> Value {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kesu"))
        .arg("triage")
        .args(place)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{text}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

async fn a_repeat_complainant_is_urgent(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let ask = json!({"text": "杯子碎了", "phone": "13812345678", "order_no": "TB20261111001"});
    let first = triage(&app, &agent, &ask).await;
    assert_eq!(first["urgency"], "normal", "{first}");
    app.register(&agent, &complaint()).await;
    let again = triage(&app, &agent, &ask).await;
    assert_eq!(again["urgency"], "high", "{again}");
    assert!(
        again["signals"]
            .as_array()
            .unwrap()
            .contains(&json!("repeat:1")),
        "{again}"
    );
    // By the order alone, too; a phone nobody complained from is no repeat.
    let by_order = triage(
        &app,
        &agent,
        &json!({"text": "杯子碎了", "order_no": "TB20261111001"}),
    )
    .await;
    assert_eq!(by_order["urgency"], "high");
    let stranger = triage(
        &app,
        &agent,
        &json!({"text": "杯子碎了", "phone": "13900000000"}),
    )
    .await;
    assert_eq!(stranger["urgency"], "normal");
    for (field, bad) in [
        ("phone", "138\u{0}1234"),
        ("order_no", "x".repeat(65).as_str()),
    ] {
        let r = app
            .post(
                &agent,
                "/api/v1/triage",
                &json!({"text": "杯子碎了", field: bad}),
            )
            .await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(p["errors"][0]["field"], field, "{p}");
    }
}

/// `POST /api/v1/triage` with `body`, which must answer 200; its JSON.
async fn triage(app: &TestApp, token: &str, body: &Value) -> Value {
    let r = app.post(token, "/api/v1/triage", body).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

/// The admins' page shows the model in use and its trainings, and trains at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admins_see_the_model_in_use_and_train_it_from_the_workbench() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let (admin, _) = browser(&app, "admin", ADMIN_PASSWORD).await;
    let page = page_text(&admin, &app.url("/admin/templates")).await;
    assert!(
        page.contains("分诊模型") && page.contains("内置模型"),
        "{page}"
    );
    let train = |csrf: String| {
        admin
            .post(app.url("/admin/triage/train"))
            .form(&[("_csrf", csrf)])
            .send()
    };
    let r = train(csrf_in(&page)).await.unwrap();
    let text = r.text().await.unwrap();
    assert!(
        text.contains("已结案件太少") && text.contains("0 / 50"),
        "{text}"
    );

    for i in 0..60 {
        let (words, category) = PET_SHOP[i % 3];
        let mut form = complaint();
        form["category"] = json!(category);
        form["description"] = json!(format!("{words}（第{i}单）"));
        let id = app.register(&agent, &form).await["id"].as_i64().unwrap();
        // Straight to the endpoint: the helpers would sign the admin in again.
        let judge =
            json!({"action": "judge", "version": 1, "valid": false, "reason": "平台已处理"});
        let r = app
            .post(&agent, &format!("/api/v1/cases/{id}/actions"), &judge)
            .await;
        assert_eq!(r.status(), StatusCode::OK);
    }
    let r = train(csrf_in(&page)).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = page_text(&admin, &app.url("/admin/templates")).await;
    assert!(
        page.contains("本店模型") && page.contains("已替换"),
        "{page}"
    );
}
