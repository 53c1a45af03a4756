//! Sessions and tokens under control: a workbench session ends after two idle hours and twelve
//! in all; each user sees and ends their own; named tokens may only read or may expire; over
//! HTTPS (a declared proxy) cookies are `Secure` and `__Host-` and HSTS is sent.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, TestApp};
use crate::on_both_backends;

on_both_backends!(
    sessions_end_when_idle_or_old_and_their_user_ends_them,
    named_tokens_read_only_or_expire,
    the_admin_decides_which_roles_must_use_a_second_factor,
    a_sign_in_waits_ten_minutes_for_its_code,
);

async fn signed_in(client: &reqwest::Client, app: &TestApp) -> bool {
    let r = client.get(app.url("/")).send().await.unwrap();
    r.status() == StatusCode::OK
}

async fn sessions_end_when_idle_or_old_and_their_user_ends_them(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let (laptop, _) = browser(&app, "amy", "pass-word-1").await;
    let (phone, _) = browser(&app, "amy", "pass-word-1").await;
    // Used every 1 h 50 min, a session lives on; at twelve hours it ends all the same.
    for _ in 0..6 {
        app.clock.advance(Duration::minutes(110));
        assert!(signed_in(&laptop, &app).await, "used within the idle limit");
    }
    assert!(
        !signed_in(&phone, &app).await,
        "the phone was idle for hours"
    );
    app.clock.advance(Duration::minutes(60));
    assert!(
        !signed_in(&laptop, &app).await,
        "twelve hours after signing in"
    );

    // Two new sessions: the list shows both, ending one signs that browser out only.
    let (laptop, _) = browser(&app, "amy", "pass-word-1").await;
    let (phone, _) = browser(&app, "amy", "pass-word-1").await;
    let list: Vec<Value> = app
        .get(&amy, "/api/v1/me/sessions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(list[0]["address"].as_str().unwrap().contains("127.0.0.1"));
    let id = list[0]["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&amy, &format!("/api/v1/me/sessions/{id}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let still = [
        signed_in(&laptop, &app).await,
        signed_in(&phone, &app).await,
    ];
    assert_eq!(still.iter().filter(|s| **s).count(), 1, "{still:?}");
    // Another user cannot end it.
    let bob = app.user("bob", "agent", None).await;
    let other = list[1]["id"].as_str().unwrap();
    assert_eq!(
        app.delete(&bob, &format!("/api/v1/me/sessions/{other}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // The account page lists the devices, with a button for the other one.
    let page = laptop
        .get(app.url("/account"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let page = if page.contains("登录设备") {
        page
    } else {
        phone
            .get(app.url("/account"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    };
    assert!(
        page.contains("登录设备") && page.contains("当前设备"),
        "{page}"
    );
}

async fn named_tokens_read_only_or_expire(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let r = app
        .post(
            &amy,
            "/api/v1/me/tokens",
            &json!({"name": "BI 报表", "read_only": true, "expires_in_days": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let made: Value = r.json().await.unwrap();
    let reader = made["token"].as_str().unwrap().to_owned();
    assert_eq!(made["name"], "BI 报表");
    assert_eq!(
        app.get(&reader, "/api/v1/cases").await.status(),
        StatusCode::OK
    );
    let r = app
        .post(&reader, "/api/v1/cases", &crate::helpers::complaint())
        .await;
    let p = crate::helpers::problem(r, StatusCode::FORBIDDEN).await;
    assert!(p["detail"].as_str().unwrap().contains("only reads"), "{p}");
    let listed: Vec<Value> = app
        .get(&amy, "/api/v1/me/tokens")
        .await
        .json()
        .await
        .unwrap();
    let entry = listed.iter().find(|t| t["name"] == "BI 报表").unwrap();
    assert_eq!(entry["read_only"], true);
    assert!(entry["expires_at"].is_string());
    // A token without an expiry lists none, and works until revoked.
    let r = app
        .post(&amy, "/api/v1/me/tokens", &json!({"name": "库存脚本"}))
        .await;
    let forever: Value = r.json().await.unwrap();
    assert!(forever["expires_at"].is_null());
    let bad = app
        .post(
            &amy,
            "/api/v1/me/tokens",
            &json!({"name": "", "expires_in_days": 0}),
        )
        .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.clock.advance(Duration::hours(25));
    assert_eq!(
        app.get(&reader, "/api/v1/cases").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let forever = forever["token"].as_str().unwrap();
    assert_eq!(
        app.get(forever, "/api/v1/cases").await.status(),
        StatusCode::OK
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_https_cookies_are_host_only_and_secure_and_hsts_is_sent() {
    let app = TestApp::sqlite_with(|s, _| s.https_proxy = true).await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let login = |proto: Option<&'static str>| {
        let mut r = client.post(app.url("/login")).form(&[
            ("username", "admin"),
            ("password", crate::helpers::ADMIN_PASSWORD),
            ("next", "/"),
        ]);
        if let Some(p) = proto {
            r = r.header("x-forwarded-proto", p);
        }
        r.send()
    };
    let r = login(Some("https")).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("__Host-kesu_session="), "{cookie}");
    assert!(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("Path=/"));
    assert!(!cookie.contains("Domain"), "{cookie}");
    assert_eq!(r.headers()["strict-transport-security"], "max-age=31536000");
    // The plain cookie name is not read over HTTPS.
    let value = cookie.split(';').next().unwrap().split('=').nth(1).unwrap();
    let r = client
        .get(app.url("/account/two-factor"))
        .header("x-forwarded-proto", "https")
        .header("cookie", format!("kesu_session={value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    let r = client
        .get(app.url("/account/two-factor"))
        .header("x-forwarded-proto", "https")
        .header("cookie", format!("__Host-kesu_session={value}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "the admin is asked to set up two-factor sign-in"
    );
    // Over plain HTTP: no HSTS, the plain cookie.
    let r = login(None).await.unwrap();
    assert!(!r.headers().contains_key("strict-transport-security"));
    assert!(r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .starts_with("kesu_session="));

    // Without --https-proxy a client's own X-Forwarded-Proto is not believed.
    let plain = TestApp::sqlite().await;
    let r = client
        .get(plain.url("/login"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    assert!(!r.headers().contains_key("strict-transport-security"));
}

async fn the_admin_decides_which_roles_must_use_a_second_factor(app: TestApp) {
    app.user("amy", "agent", None).await;
    let (amy, _) = browser(&app, "amy", "pass-word-1").await;
    assert!(
        signed_in(&amy, &app).await,
        "agents need no second factor by default"
    );
    let admin = app.admin().await;
    let mut policy: Value = app
        .get(&admin, "/api/v1/policy")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        policy["access"]["two_factor_roles"],
        json!(["admin", "supervisor"])
    );
    policy["access"]["two_factor_roles"] = json!(["admin", "supervisor", "agent"]);
    let r = app.put(&admin, "/api/v1/policy", &policy).await;
    assert_eq!(r.status(), StatusCode::OK);
    // The policy is cached for a moment on each server.
    let mut sent_to_set_up = false;
    for _ in 0..50 {
        let r = amy.get(app.url("/")).send().await.unwrap();
        if r.headers()
            .get("location")
            .is_some_and(|l| l.to_str().unwrap().starts_with("/account/two-factor"))
        {
            sent_to_set_up = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert!(
        sent_to_set_up,
        "the agent's workbench now opens only the set-up"
    );
    // Her API token still works (the contract's sign-in), and the set-up page does.
    let page = amy
        .get(app.url("/account/two-factor"))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("您的角色必须开启两步验证"));
    // A bad setting names its field.
    policy["access"]["session_idle_minutes"] = json!(1);
    let r = app.put(&admin, "/api/v1/policy", &policy).await;
    let p = crate::helpers::problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p.to_string().contains("access.session_idle_minutes"), "{p}");
}

async fn a_sign_in_waits_ten_minutes_for_its_code(app: TestApp) {
    app.user("sam", "supervisor", None).await;
    // The first sign-in sets two-factor sign-in up (supervisors must have it).
    browser(&app, "sam", "pass-word-1").await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", "sam"),
            ("password", "pass-word-1"),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login/two-factor"));
    // Only the code page opens meanwhile.
    let r = client.get(app.url("/approvals")).send().await.unwrap();
    assert!(r.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login/two-factor"));
    app.clock.advance(Duration::minutes(10));
    let r = client
        .get(app.url("/login/two-factor"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/login?"),
        "after ten minutes the password is asked again"
    );
}
