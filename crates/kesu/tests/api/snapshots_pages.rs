//! HTML snapshots of the main pages (tokens masked), so that changes to what people see
//! are reviewed on purpose.

use serde_json::json;

use crate::helpers::TestApp;

/// One tag per line, random tokens masked.
fn readable(html: &str) -> String {
    html.replace("><", ">\n<")
}

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> String {
    let r = client.get(app.url(path)).send().await.unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    readable(&r.text().await.unwrap())
}

#[tokio::test]
async fn the_main_pages_render_as_reviewed() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    app.user("sam", "supervisor", None).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());
    let id = app.register(&agent, &crate::helpers::complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &agent,
        id,
        json!({"action": "judge", "valid": true, "reason": "有照片"}),
    )
    .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "comment", "text": "亲，已为您登记，请稍候", "internal": false}),
    )
    .await;

    let anonymous = reqwest::Client::new();
    let login = readable(
        &anonymous
            .get(app.url("/login"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
    );
    let (client, _) = crate::helpers::browser(&app, "amy", "pass-word-1").await;
    let queue = page(&client, &app, "/").await;
    let register = page(&client, &app, "/cases/new").await;
    let case = page(&client, &app, &format!("/cases/{id}")).await;
    let (sup, _) = crate::helpers::browser(&app, "sam", "pass-word-1").await;
    let approvals = page(&sup, &app, "/approvals").await;
    let (admin, _) = crate::helpers::browser(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let admin_page = page(&admin, &app, "/admin").await;
    let complain = page(&anonymous, &app, "/complain").await;

    insta::with_settings!({filters => vec![
        (r"[0-9a-f]{32,}", "[token]"),
        (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z", "[time]"),
    ]}, {
        insta::assert_snapshot!("login", login);
        insta::assert_snapshot!("queue", queue);
        insta::assert_snapshot!("register", register);
        insta::assert_snapshot!("case", case);
        insta::assert_snapshot!("approvals", approvals);
        insta::assert_snapshot!("admin", admin_page);
        insta::assert_snapshot!("complain", complain);
    });
}
