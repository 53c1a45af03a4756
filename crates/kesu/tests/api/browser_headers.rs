//! What every answer tells the browser (issue 20's browser protections): no script but kesu's
//! own files, no framing, no type sniffing, no referrer; and no page carries inline script, so
//! the policy breaks nothing.

use reqwest::StatusCode;

use crate::helpers::{browser, TestApp};
use crate::on_both_backends;

fn assert_protected(r: &reqwest::Response, what: &str) {
    let h = |n: &str| {
        r.headers()
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    let csp = h("content-security-policy");
    assert!(csp.contains("script-src 'self'"), "{what}: {csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-eval"), "{what}: {csp}");
    assert_eq!(h("x-frame-options"), "DENY", "{what}");
    assert_eq!(h("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(h("referrer-policy"), "no-referrer", "{what}");
}

/// Every `<script …>` of a page: each must load a file (or be data, not code).
fn inline_scripts(page: &str) -> Vec<String> {
    page.match_indices("<script")
        .map(|(i, _)| page[i..].split('>').next().unwrap_or("").to_owned())
        .filter(|tag| !tag.contains("src=") && !tag.contains("application/json"))
        .collect()
}

async fn pages_and_answers_carry_the_browser_protections(app: TestApp) {
    let admin = app.admin().await;
    app.user("amy", "agent", None).await;
    let case = app.register(&admin, &crate::helpers::complaint()).await;
    let id = case["id"].as_i64().unwrap();

    let login = app.client.get(app.url("/login")).send().await.unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert_protected(&login, "the sign-in page");
    let api = app.get(&admin, "/api/v1/cases").await;
    assert_protected(&api, "the API");
    let missing = app
        .client
        .get(app.url("/no-such-page"))
        .send()
        .await
        .unwrap();
    assert_protected(&missing, "a 404");

    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let (boss, _) = browser(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    for (who, path) in [
        (&client, "/".to_owned()),
        (&client, format!("/cases/{id}")),
        (&client, "/cases/new".to_owned()),
        (&client, "/reports".to_owned()),
        (&boss, "/admin".to_owned()),
        (&boss, "/admin/platforms".to_owned()),
    ] {
        let r = who.get(app.url(&path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_protected(&r, &path);
        let page = r.text().await.unwrap();
        assert!(
            inline_scripts(&page).is_empty(),
            "{path} has inline script: {:?}",
            inline_scripts(&page)
        );
    }
}

/// A failure on our side says nothing of its cause, and gives the request's id to quote.
async fn a_failure_on_our_side_tells_its_request_id_and_nothing_internal(app: TestApp) {
    let admin = app.admin().await;
    let r = app
        .client
        .put(app.url("/api/v1/platforms/site/idshop"))
        .bearer_auth(&admin)
        .json(&serde_json::json!({"secret": "a-secret-of-enough-length", "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // A pulled Pinduoduo source whose stored report is broken: reading it fails on our side.
    let r = app
        .client
        .put(app.url("/api/v1/platforms/pinduoduo/idshop"))
        .bearer_auth(&admin)
        .json(
            &serde_json::json!({"client_id": "c", "client_secret": "s", "access_token": "t",
            "endpoint": "http://127.0.0.1:9/api/router", "enabled": false}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.store
        .set_setting("platform_status:pinduoduo:idshop", "{not json")
        .await
        .unwrap();

    let r = app.get(&admin, "/api/v1/platforms").await;
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let header = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["request_id"], header.as_str());
    assert!(body["detail"].as_str().unwrap().contains(&header), "{body}");
    assert!(!body.to_string().contains("unreadable"), "no cause: {body}");

    // A proxy's plain id is kept; anything else is replaced.
    let r = app
        .client
        .get(app.url("/api/v1/platforms"))
        .bearer_auth(&admin)
        .header("x-request-id", "proxy-id-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "proxy-id-42");
    let r = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "<script>")
        .send()
        .await
        .unwrap();
    assert_ne!(r.headers()["x-request-id"], "<script>");

    // The page says the same in words, with the id, and nothing internal.
    let (boss, _) = browser(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let r = boss.get(app.url("/admin/platforms")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let page = r.text().await.unwrap();
    assert!(page.contains("请求编号") && page.contains(&id), "{page}");
    assert!(!page.contains("unreadable"), "{page}");
}

on_both_backends!(
    pages_and_answers_carry_the_browser_protections,
    a_failure_on_our_side_tells_its_request_id_and_nothing_internal
);
