//! Accounts kept clean: users change their own password, see and revoke their tokens,
//! disabling takes credentials away for good; odd sign-in redirects and impossible dates
//! are refused with a clear answer.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    users_manage_their_own_password_and_tokens,
    a_disabled_user_enabled_again_has_no_old_token,
    a_complaint_dated_in_year_one_is_refused_naming_the_field,
);

async fn users_manage_their_own_password_and_tokens(app: TestApp) {
    // `user` signs in once itself: three tokens in all.
    app.user("amy", "agent", None).await;
    let first = app.token("amy", "pass-word-1").await;
    let second = app.token("amy", "pass-word-1").await;
    let tokens: Vec<Value> = app
        .get(&first, "/api/v1/me/tokens")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(tokens.len(), 3, "{tokens:?}");
    let ids: Vec<&str> = tokens.iter().map(|t| t["id"].as_str().unwrap()).collect();
    assert!(
        ids.iter()
            .all(|id| !first.contains(id) && !second.contains(id)),
        "an id is not the secret"
    );
    let current: Vec<&Value> = tokens.iter().filter(|t| t["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["id"], kesu_store::token_id(&first));
    // Revoke the second: it stops working at once, this one goes on.
    let other = kesu_store::token_id(&second);
    let r = app
        .delete(&first, &format!("/api/v1/me/tokens/{other}"))
        .await;
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(&second, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get(&first, "/api/v1/me").await.status(), StatusCode::OK);
    let r = app
        .delete(&first, &format!("/api/v1/me/tokens/{other}"))
        .await;
    problem(r, StatusCode::NOT_FOUND).await;

    // A new password: the old one and every old token stop working.
    let r = app
        .post(
            &first,
            "/api/v1/me/password",
            &json!({"current_password": "wrong-one-1", "new_password": "new-pass-word-2"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["current_password"]
    );
    let r = app
        .post(
            &first,
            "/api/v1/me/password",
            &json!({"current_password": "pass-word-1", "new_password": "short"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["new_password"]
    );
    let r = app
        .post(
            &first,
            "/api/v1/me/password",
            &json!({"current_password": "pass-word-1", "new_password": "new-pass-word-2"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let fresh = r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.get(&first, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get(&fresh, "/api/v1/me").await.status(), StatusCode::OK);
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "amy", "password": "pass-word-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    app.token("amy", "new-pass-word-2").await;
}

async fn a_disabled_user_enabled_again_has_no_old_token(app: TestApp) {
    let admin = app.admin().await;
    let old = app.user("amy", "agent", None).await;
    let r = app
        .post(&admin, "/api/v1/users/amy/disable", &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(&admin, "/api/v1/users/amy/enable", &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        app.get(&old, "/api/v1/me").await.status(),
        StatusCode::UNAUTHORIZED,
        "the token issued before the account was disabled stays dead"
    );
    let new = app.token("amy", "pass-word-1").await;
    assert_eq!(app.get(&new, "/api/v1/me").await.status(), StatusCode::OK);

    // A line break in the sign-in redirect is not a header injection, nor a 500.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .get(app.url("/login?next=/%0D%0AX"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", "amy"),
            ("password", "pass-word-1"),
            ("next", "/\r\nSet-Cookie: x=1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
}

async fn a_complaint_dated_in_year_one_is_refused_naming_the_field(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    for when in ["0001-01-01T00:00:00+08:00", "2062-11-23T09:30:00+08:00"] {
        let mut body = complaint();
        body["received_at"] = json!(when);
        let r = app.post(&agent, "/api/v1/cases", &body).await;
        assert_eq!(
            fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
            ["received_at"],
            "{when}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workbench_changes_a_users_own_password() {
    let app = TestApp::sqlite().await;
    app.user("amy", "agent", None).await;
    let (client, csrf) = crate::helpers::browser(&app, "amy", "pass-word-1").await;
    let page = crate::helpers::page_text(&client, &app.url("/account")).await;
    assert!(page.contains("修改密码") && page.contains("name=\"current_password\""));
    let change = |current: &str, new: &str, repeat: &str| {
        client
            .post(app.url("/account"))
            .form(&[
                ("_csrf", csrf.as_str()),
                ("current_password", current),
                ("new_password", new),
                ("repeat_password", repeat),
            ])
            .send()
    };
    let r = change("wrong-one-1", "new-pass-word-2", "new-pass-word-2")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("当前密码不正确"));
    let r = change("pass-word-1", "new-pass-word-2", "new-pass-word-3")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("不一致"));
    let r = change("pass-word-1", "new-pass-word-2", "new-pass-word-2")
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
    // The session ended with the old password; the new one signs in.
    let r = client.get(app.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the old session is gone");
    crate::helpers::browser(&app, "amy", "new-pass-word-2").await;
}
