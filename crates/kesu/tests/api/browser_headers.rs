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

on_both_backends!(pages_and_answers_carry_the_browser_protections);
