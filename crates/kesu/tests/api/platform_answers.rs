//! kesu's answers back to a platform, through the shop's own site (CONTRACT §10): with the
//! shop's switch off an answer is recorded as a dry run with the call it would have made and
//! nothing is sent; with it on, the answer reaches the site once, signed, and a failed call
//! is retried from the queue and shown on the case.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::routing::post;
use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{problem, TestApp};
use crate::on_both_backends;
use kesu_web::Clock;

const SECRET: &str = "site-secret-answers-0123";
const SHOP: &str = "answers-shop";

/// The site's side: each answer it received (body, signature, idempotency key), and how many
/// of the next calls to fail.
#[derive(Default)]
struct Site {
    received: Vec<(Value, String, String)>,
    fail_next: usize,
}

type Shared = Arc<Mutex<Site>>;

async fn receive(State(site): State<Shared>, headers: HeaderMap, body: String) -> AxumStatus {
    let mut site = site.lock().unwrap();
    if site.fail_next > 0 {
        site.fail_next -= 1;
        return AxumStatus::SERVICE_UNAVAILABLE;
    }
    let header = |n: &str| {
        headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    site.received.push((
        serde_json::from_str(&body).unwrap(),
        header("x-kesu-signature"),
        header("idempotency-key"),
    ));
    AxumStatus::NO_CONTENT
}

async fn start_site(site: Shared) -> String {
    let app = axum::Router::new()
        .route("/answers", post(receive))
        .with_state(site);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/answers", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    url
}

/// Whether `header` signs `body` with the shop's secret (the site's own check).
fn signed(header: &str, body: &Value) -> bool {
    let t: i64 = header
        .split(',')
        .find_map(|p| p.strip_prefix("t="))
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    crate::helpers::signature(SECRET, t, body.to_string().as_bytes()) == header
}

async fn push(app: &TestApp, request_id: &str, kind: &str) -> i64 {
    let body = json!({"request_id": request_id, "kind": kind, "status": "waiting_seller",
        "reason": "尺码不合适", "amount_cents": 8800,
        "deadline": "2026-11-25T10:00:00+08:00", "updated_at": "2026-11-23T09:00:00+08:00"})
    .to_string();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/platforms/site/{SHOP}/events")))
        .header("content-type", "application/json")
        .header(
            "x-kesu-signature",
            crate::helpers::signature(SECRET, 1_790_000_000, body.as_bytes()),
        )
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let got: Value = r.json().await.unwrap();
    got["case"]["id"].as_i64().unwrap()
}

async fn give(app: &TestApp, token: &str, case: i64, answer: Value) -> reqwest::Response {
    let version = app.case(token, case).await["version"].as_i64().unwrap();
    let mut body = answer;
    body["version"] = json!(version);
    app.post(
        token,
        &format!("/api/v1/cases/{case}/platform/answers"),
        &body,
    )
    .await
}

async fn send_due(app: &TestApp, at: chrono::DateTime<chrono::Utc>) -> usize {
    let client = kesu_app::platforms::images::client();
    kesu_app::platforms::answers::send_due(&app.store, &app.vault, &client, at)
        .await
        .unwrap()
}

async fn answers(app: &TestApp, token: &str, case: i64) -> Vec<Value> {
    let r = app
        .get(token, &format!("/api/v1/cases/{case}/platform/answers"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn switch(app: &TestApp, admin: &str, on: bool) -> StatusCode {
    app.client
        .put(app.url(&format!("/api/v1/platforms/site/{SHOP}/answers")))
        .bearer_auth(admin)
        .json(&json!({ "send_answers": on }))
        .send()
        .await
        .unwrap()
        .status()
}

async fn answers_reach_the_site_once_signed_and_only_with_the_switch_on(app: TestApp) {
    let admin = app.admin().await;
    let site: Shared = Arc::default();
    let answer_url = start_site(site.clone()).await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/site/{SHOP}")))
        .bearer_auth(&admin)
        .json(&json!({"secret": SECRET, "enabled": true, "answer_url": answer_url}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let supervisor = app.user("sup", "supervisor", None).await;
    let agent = app.user("agent", "agent", None).await;
    let refund = push(&app, "RA-1", "refund_only").await;
    let ret = push(&app, "RA-2", "return_refund").await;

    // Off by default: a dry run, with the call it would have made, and nothing sent.
    let r = give(
        &app,
        &supervisor,
        refund,
        json!({"answer": "agree_refund", "note": "同意，抱歉给您添麻烦了"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let dry: Value = r.json().await.unwrap();
    assert_eq!(dry["status"], "dry_run");
    assert_eq!(dry["call"]["method"], "kesu.answer.agree_refund");
    assert_eq!(dry["call"]["fields"]["request_id"], "RA-1");
    assert_eq!(send_due(&app, app.clock.now()).await, 0);
    assert!(site.lock().unwrap().received.is_empty());
    let history = app.history(&admin, refund).await;
    let entry = history
        .iter()
        .find(|e| e["action"] == "platform_answer")
        .unwrap();
    assert_eq!(entry["data"]["dry_run"], true);

    // Deciding money is a supervisor's: an agent may leave a message, not refuse.
    let r = give(
        &app,
        &agent,
        ret,
        json!({"answer": "refuse", "reason": "已超过七天"}),
    )
    .await;
    problem(r, StatusCode::FORBIDDEN).await;
    // A refund-only request has nothing to send back.
    let r = give(
        &app,
        &supervisor,
        refund,
        json!({"answer": "agree_return", "address": "杭州市余杭区仓库"}),
    )
    .await;
    problem(r, StatusCode::CONFLICT).await;
    // A blank reason names the field.
    let r = give(
        &app,
        &supervisor,
        ret,
        json!({"answer": "refuse", "reason": "  "}),
    )
    .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(p.to_string().contains("reason"), "{p}");

    // Switched on: the answer goes once, signed, with its key.
    assert_eq!(switch(&app, &admin, true).await, StatusCode::NO_CONTENT);
    let r = give(
        &app,
        &agent,
        ret,
        json!({"answer": "agree_return", "address": "杭州市余杭区仓库 3 号门"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let queued: Value = r.json().await.unwrap();
    assert_eq!(queued["status"], "queued");
    // The same answer again, on the version already answered: refused, not sent twice.
    let version = app.case(&agent, ret).await["version"].as_i64().unwrap();
    let again = json!({"answer": "agree_return", "address": "杭州市余杭区仓库 3 号门", "version": version - 1});
    let r = app
        .post(
            &agent,
            &format!("/api/v1/cases/{ret}/platform/answers"),
            &again,
        )
        .await;
    problem(r, StatusCode::CONFLICT).await;

    assert_eq!(send_due(&app, app.clock.now()).await, 1);
    assert_eq!(send_due(&app, app.clock.now()).await, 0, "sent once");
    {
        let site = site.lock().unwrap();
        assert_eq!(site.received.len(), 1);
        let (body, signature, key) = &site.received[0];
        assert!(signed(signature, body), "signed with the shop's secret");
        assert_eq!(body["answer"], "agree_return");
        assert_eq!(body["address"], "杭州市余杭区仓库 3 号门");
        assert_eq!(body["request_id"], "RA-2");
        assert_eq!(key, body["answer_key"].as_str().unwrap());
    }
    let shown = answers(&app, &agent, ret).await;
    assert_eq!(shown[0]["status"], "sent");
    assert_eq!(shown[0]["attempts"], 1);

    // The site fails once: the answer stays queued with the error shown, and goes later.
    site.lock().unwrap().fail_next = 1;
    let r = give(
        &app,
        &agent,
        ret,
        json!({"answer": "message", "text": "已为您安排上门取件"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(send_due(&app, app.clock.now()).await, 0);
    let shown = answers(&app, &agent, ret).await;
    assert_eq!(shown[1]["status"], "queued");
    assert!(shown[1]["last_error"].as_str().unwrap().contains("503"));
    assert_eq!(
        send_due(&app, app.clock.now()).await,
        0,
        "not before its backoff"
    );
    assert_eq!(
        send_due(&app, app.clock.now() + Duration::minutes(1)).await,
        1
    );
    let shown = answers(&app, &agent, ret).await;
    assert_eq!(shown[1]["status"], "sent");
    assert_eq!(shown[1]["attempts"], 2);
    assert_eq!(site.lock().unwrap().received.len(), 2);
    let attempts = app
        .history(&admin, ret)
        .await
        .into_iter()
        .filter(|e| e["action"] == "platform_answer_sent")
        .count();
    assert_eq!(attempts, 3, "each attempt is on the case");

    // A case that came from elsewhere has no platform to answer.
    let own = app.register(&admin, &crate::helpers::complaint()).await;
    let r = give(
        &app,
        &supervisor,
        own["id"].as_i64().unwrap(),
        json!({"answer": "message", "text": "您好"}),
    )
    .await;
    problem(r, StatusCode::CONFLICT).await;
    // Only admins switch.
    assert_eq!(switch(&app, &agent, false).await, StatusCode::FORBIDDEN);
}

on_both_backends!(answers_reach_the_site_once_signed_and_only_with_the_switch_on);
