//! kesu tried as an attacker would: replayed and guessed second-factor codes, a disabled
//! user's live session and token, forged and stale form tokens, another user's cookie,
//! department parameters tampered with in every list, search, export and report, customer
//! links guessed, and pages framed. (Credential stuffing from one address is in sign_in.rs.)

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, problem, totp_code, TestApp};
use crate::on_both_backends;
use kesu_web::Clock;

on_both_backends!(
    second_factor_codes_are_taken_once_and_guessing_them_locks_the_account,
    a_disabled_users_session_and_token_stop_at_once,
    forged_stale_and_borrowed_form_tokens_are_refused,
    department_users_reach_no_other_departments_case_by_any_parameter,
    customer_links_cannot_be_found_by_guessing,
);

async fn token_with(app: &TestApp, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/token"))
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn second_factor_codes_are_taken_once_and_guessing_them_locks_the_account(app: TestApp) {
    let sam = app.user("sam", "supervisor", None).await;
    let r = app.post(&sam, "/api/v1/me/two-factor", &json!({})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let setup: Value = r.json().await.unwrap();
    let secret = setup["secret"].as_str().unwrap().to_owned();
    assert!(setup["otpauth_url"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/kesu:sam"));
    assert!(!setup["qr_png_base64"].as_str().unwrap().is_empty());
    let code = |app: &TestApp| totp_code(&secret, app.clock.now());
    let r = app
        .post(
            &sam,
            "/api/v1/me/two-factor/confirm",
            &json!({"code": "000000"}),
        )
        .await;
    assert_eq!(
        problem(r, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "code"
    );
    let r = app
        .post(
            &sam,
            "/api/v1/me/two-factor/confirm",
            &json!({"code": code(&app)}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let recovery: Vec<String> =
        serde_json::from_value(r.json::<Value>().await.unwrap()["recovery_codes"].clone()).unwrap();
    assert_eq!(recovery.len(), 10);

    let password = json!({"username": "sam", "password": "pass-word-1"});
    // The password alone no longer gets a token.
    let p = problem(
        token_with(&app, password.clone()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("totp"), "{p}");
    // The code that confirmed the set-up is spent: replaying it fails.
    let with = |extra: Value| {
        let mut body = password.clone();
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let r = token_with(&app, with(json!({"totp": code(&app)}))).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "replayed code");
    app.clock.advance(Duration::seconds(30));
    let fresh = code(&app);
    assert_eq!(
        token_with(&app, with(json!({"totp": fresh})))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        token_with(&app, with(json!({"totp": fresh})))
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "the same code twice"
    );
    // A recovery code works once.
    let one = recovery[0].to_uppercase();
    assert_eq!(
        token_with(&app, with(json!({"recovery_code": one})))
            .await
            .status(),
        StatusCode::OK
    );
    assert_eq!(
        token_with(&app, with(json!({"recovery_code": one})))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // Guessing codes locks the account like guessing passwords: then even the right code
    // waits.
    let mut locked = false;
    for guess in 0..12 {
        let r = token_with(
            &app,
            with(json!({"totp": format!("{:06}", 111_111 + guess)})),
        )
        .await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            locked = true;
            break;
        }
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    assert!(locked, "twelve wrong codes did not lock the account");
    app.clock.advance(Duration::seconds(30));
    let r = token_with(&app, with(json!({"totp": code(&app)}))).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}

async fn a_disabled_users_session_and_token_stop_at_once(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let (page, _) = browser(&app, "amy", "pass-word-1").await;
    assert_eq!(app.get(&amy, "/api/v1/me").await.status(), StatusCode::OK);
    let admin = app.admin().await;
    let r = app
        .post(&admin, "/api/v1/users/amy/disable", &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get(&amy, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = page.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    // Enabled again, the old credentials stay dead.
    app.post(&admin, "/api/v1/users/amy/enable", &json!({}))
        .await;
    assert_eq!(
        app.get(&amy, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        page.get(app.url("/")).send().await.unwrap().status(),
        StatusCode::SEE_OTHER
    );
}

async fn forged_stale_and_borrowed_form_tokens_are_refused(app: TestApp) {
    app.user("amy", "agent", None).await;
    app.user("bob", "agent", None).await;
    let save_view = |client: &reqwest::Client, csrf: Option<&str>| {
        let mut form = vec![("name", "我的视图"), ("query", "status=open")];
        if let Some(c) = csrf {
            form.push(("_csrf", c));
        }
        client.post(app.url("/queue/views")).form(&form).send()
    };
    let (amy, amy_csrf) = browser(&app, "amy", "pass-word-1").await;
    let (bob, bob_csrf) = browser(&app, "bob", "pass-word-1").await;
    // No token, and another user's token, are refused.
    assert_eq!(
        save_view(&amy, None).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        save_view(&amy, Some(&bob_csrf)).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_ne!(
        save_view(&bob, Some(&bob_csrf)).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // A token of a session that ended is worth nothing in the next one.
    let r = amy
        .post(app.url("/logout"))
        .form(&[("_csrf", amy_csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = amy
        .post(app.url("/login"))
        .form(&[
            ("username", "amy"),
            ("password", "pass-word-1"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        save_view(&amy, Some(&amy_csrf)).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    // A made-up session cookie opens nothing.
    let forged = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = forged
        .get(app.url("/"))
        .header("cookie", format!("kesu_session={}", "ab".repeat(32)))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// Every way a department user could name another department's case.
async fn department_users_reach_no_other_departments_case_by_any_parameter(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let wu = app.user("wu", "department", Some("logistics")).await;
    let mut cases = Vec::new();
    for dept in ["logistics", "quality"] {
        let case = app.register(&agent, &crate::helpers::complaint()).await;
        let id = case["id"].as_i64().unwrap();
        app.act_ok(
            &agent,
            id,
            json!({"action": "judge", "valid": true, "reason": "属实"}),
        )
        .await;
        app.act_ok(&agent, id, json!({"action": "route", "department": dept}))
            .await;
        cases.push((id, case["number"].as_str().unwrap().to_owned()));
    }
    let (own_id, own_number) = cases[0].clone();
    let (other_id, other_number) = cases[1].clone();
    let own: Value = app.get(&wu, "/api/v1/cases").await.json().await.unwrap();
    assert!(own.to_string().contains(&own_number), "{own}");
    assert_eq!(
        app.get(&wu, &format!("/api/v1/cases/{own_id}"))
            .await
            .status(),
        StatusCode::OK
    );
    let tampered = [
        "/api/v1/cases?department=quality".to_owned(),
        format!("/api/v1/cases?q={other_number}"),
        format!("/api/v1/cases?q={other_number}&department=quality"),
        format!("/api/v1/cases/{other_id}"),
        format!("/api/v1/cases/{other_id}/events"),
        format!("/api/v1/cases/{other_id}/attachments"),
        format!("/api/v1/cases/{other_id}/notifications"),
        format!("/api/v1/cases/{other_id}/templates"),
        format!("/api/v1/cases/{other_id}/claims"),
        format!("/api/v1/cases/{other_id}/platform/answers"),
        "/api/v1/reports/register?department=quality".to_owned(),
        "/api/v1/reports/register?format=csv&department=quality".to_owned(),
        "/api/v1/reports/export?department=quality".to_owned(),
        "/api/v1/reports/summary?department=quality".to_owned(),
        "/api/v1/reports/dashboard?department=quality".to_owned(),
        "/api/v1/claims?department=quality".to_owned(),
        "/api/v1/logistics/exceptions?department=quality".to_owned(),
    ];
    for path in &tampered {
        let r = app.get(&wu, path).await;
        let status = r.status();
        assert!(status.as_u16() < 500, "{path}: {status}");
        let body = String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned();
        assert!(
            !body.contains(&other_number),
            "{path} showed the quality department's case {other_number} to a logistics user"
        );
    }
    // Acting on it is refused as if it did not exist.
    let r = app
        .act(
            &wu,
            other_id,
            json!({"action": "comment", "text": "看看", "internal": true}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // The workbench the same: its pages and exports never show it.
    let (page, _) = browser(&app, "wu", "pass-word-1").await;
    let queue = page
        .get(app.url(&format!("/?q={own_number}")))
        .send()
        .await
        .unwrap();
    let queue = queue.text().await.unwrap();
    assert!(
        queue.contains(&format!("/cases/{own_id}\"")),
        "the own case is listed and linked"
    );
    for path in [
        format!("/cases/{other_id}"),
        format!("/?q={other_number}"),
        "/?department=quality".to_owned(),
        "/reports/register?department=quality".to_owned(),
        "/reports/export?department=quality".to_owned(),
        "/reports?department=quality".to_owned(),
        "/logistics".to_owned(),
    ] {
        let r = page.get(app.url(&path)).send().await.unwrap();
        let status = r.status();
        assert!(status.as_u16() < 500, "{path}: {status}");
        let body = String::from_utf8_lossy(&r.bytes().await.unwrap()).into_owned();
        // The search box echoes what was typed: look for the case itself, its link and row.
        let link = format!("/cases/{other_id}\"");
        assert!(!body.contains(&link), "{path} showed {other_number}");
    }
}

async fn customer_links_cannot_be_found_by_guessing(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let case = app.register(&agent, &crate::helpers::complaint()).await;
    let link = app
        .store
        .new_customer_link(case["id"].as_i64().unwrap(), app.clock.now())
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let status = |token: String| {
        let url = app.url(&format!("/s/{token}"));
        let client = client.clone();
        async move { client.get(url).send().await.unwrap() }
    };
    let first = status(link.clone()).await;
    assert_eq!(first.status(), StatusCode::OK);
    // Framed by another site: refused by header.
    assert_eq!(first.headers()["x-frame-options"], "DENY");
    let csp = first.headers()["content-security-policy"].to_str().unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(first.headers()["referrer-policy"], "no-referrer");
    let mut refused = None;
    for i in 0..(kesu_web::LINK_MISS_BURST + 5) {
        let guess = format!("{:048x}", u128::from(i) * 7_919 + 1);
        let r = status(guess).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, r));
            break;
        }
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "guess {i}");
    }
    let (after, r) = refused.expect("guessing links was never throttled");
    // The burst of misses is answered as usual (the last one spends it); then 429.
    assert_eq!(after, kesu_web::LINK_MISS_BURST + 1);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.unwrap().contains("访问过于频繁"));
    // Now even the real link waits, from that address.
    assert_eq!(status(link).await.status(), StatusCode::TOO_MANY_REQUESTS);
}
