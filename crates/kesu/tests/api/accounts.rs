//! Accounts over the API: creation rules, roles, disabling, the OpenAPI document.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    admins_manage_users_and_disabling_revokes_tokens,
    settings_are_admin_only_and_checked,
    the_customer_and_kesus_workers_are_nobodys_account_and_the_history_says_who_is_who,
);

async fn the_customer_and_kesus_workers_are_nobodys_account_and_the_history_says_who_is_who(
    app: TestApp,
) {
    let admin = app.admin().await;
    for name in ["customer", "sla-timer", "logistics-monitor", "system"] {
        let r = app
            .post(
                &admin,
                "/api/v1/users",
                &json!({"username": name, "password": "pass-word-1", "role": "agent"}),
            )
            .await;
        let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(fields(&p), ["username"], "{name}");
        assert!(p["detail"].as_str().unwrap().contains("reserved"), "{p}");
    }
    // Each entry carries its kind: the agent's registration is staff's, the deadline
    // timers' warnings the system's.
    let agent = app.user("amy", "agent", None).await;
    let case = app.register(&agent, &crate::helpers::complaint()).await;
    let id = case["id"].as_i64().unwrap();
    app.clock.advance(chrono::Duration::days(3));
    let state = kesu_web::AppState::new(app.store.clone(), app.clock.clone(), app.search.clone());
    kesu_app::worker::round(&state.store, state.clock.now(), "test")
        .await
        .unwrap();
    let history = app.history(&agent, id).await;
    assert_eq!(history[0]["actor"], "amy");
    assert_eq!(history[0]["actor_kind"], "staff");
    let timer = history
        .iter()
        .find(|e| e["actor"] == "sla-timer")
        .expect("a late case hears from the deadline timers");
    assert_eq!(timer["actor_kind"], "system");
}

async fn admins_manage_users_and_disabling_revokes_tokens(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let me: Value = app.get(&agent, "/api/v1/me").await.json().await.unwrap();
    assert_eq!(me["role"], "agent");

    let r = app
        .post(
            &agent,
            "/api/v1/users",
            &json!({"username": "eve", "password": "pass-word-1", "role": "admin"}),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
    let r = app
        .post(
            &admin,
            "/api/v1/users",
            &json!({"username": "amy", "password": "pass-word-1", "role": "agent"}),
        )
        .await;
    problem(r, StatusCode::CONFLICT).await;
    let r = app
        .post(
            &admin,
            "/api/v1/users",
            &json!({"username": "X", "password": "short", "role": "boss"}),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["username", "password", "role"]);
    let r = app
        .post(
            &admin,
            "/api/v1/users",
            &json!({"username": "wu", "password": "pass-word-1", "role": "department"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["department"]
    );
    let r = app.post(&admin, "/api/v1/users", &json!({"username": "wu", "password": "pass-word-1", "role": "department", "department": "finance"})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["department"]
    );

    let users: Value = app.get(&admin, "/api/v1/users").await.json().await.unwrap();
    assert_eq!(users.as_array().unwrap().len(), 2);
    assert!(
        !users.to_string().contains("argon2"),
        "no password hashes leave the server"
    );

    let r = app
        .post(&admin, "/api/v1/users/amy/disable", &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        app.get(&agent, "/api/v1/me").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "amy", "password": "pass-word-1"}))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED).await;
    app.post(&admin, "/api/v1/users/amy/enable", &json!({}))
        .await;
    app.token("amy", "pass-word-1").await;
    problem(
        app.post(&admin, "/api/v1/users/ghost/disable", &json!({}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn settings_are_admin_only_and_checked(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let mut policy: Value = app
        .get(&agent, "/api/v1/policy")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(policy["approval"]["amount_above_cents"], 20000);
    assert_eq!(policy["routing"]["quality"], "quality");
    policy["approval"]["amount_above_cents"] = json!(1000);
    let put = |token: &str, body: &Value| {
        app.client
            .put(app.url("/api/v1/policy"))
            .bearer_auth(token)
            .json(body)
            .send()
    };
    problem(put(&agent, &policy).await.unwrap(), StatusCode::FORBIDDEN).await;
    let mut bad = policy.clone();
    bad["routing"]["quality"] = json!("finance");
    bad["time_zone"] = json!("Mars/Base");
    let p = problem(
        put(&admin, &bad).await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["routing.quality", "time_zone"]);
    assert_eq!(put(&admin, &policy).await.unwrap().status(), StatusCode::OK);
    let r = app
        .post(
            &admin,
            "/api/v1/departments",
            &json!({"code": "finance", "name": "财务部"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    bad["time_zone"] = json!("Asia/Shanghai");
    assert_eq!(
        put(&admin, &bad).await.unwrap().status(),
        StatusCode::OK,
        "finance exists now"
    );

    // The new limit applies: ¥15 now needs a supervisor.
    let id = app.register(&agent, &crate::helpers::complaint()).await["id"]
        .as_i64()
        .unwrap();
    let sup = app.user("sam", "supervisor", None).await;
    app.act_ok(&agent, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    app.act_ok(&sup, id, json!({"action": "analyse", "liability": "carrier", "root_cause": "carrier", "findings": "f"})).await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "propose", "options": [{"kind": "partial_refund", "amount_cents": 1500}]}),
    )
    .await;
    let c = app
        .act_ok(&agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(c["status"], "awaiting_approval");

    let doc: Value = app
        .client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for path in [
        "/api/v1/auth/token",
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/events",
        "/api/v1/cases/{id}/actions",
        "/api/v1/users",
        "/api/v1/policy",
        "/api/v1/departments",
        "/api/v1/reports/summary",
        "/api/v1/reports/dashboard",
        "/api/v1/reports/export",
        "/api/v1/reports/register",
        "/api/v1/improvements",
        "/api/v1/improvements/{id}/status",
        "/api/v1/shops/{shop}/order-counts",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} is documented");
    }
    let statuses = doc["components"]["schemas"]["CaseStatus"].to_string();
    for s in ["registered", "awaiting_approval", "closed"] {
        assert!(statuses.contains(s), "{statuses}");
    }
}
