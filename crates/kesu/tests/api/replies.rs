//! The reply checker, over HTTP and on the command line.

use std::io::Write;
use std::process::{Command, Stdio};

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, TestApp};

#[tokio::test]
async fn a_reply_is_checked_with_the_customers_own_data_and_the_channel() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    let check = |body: Value| {
        let app = &app;
        let agent = agent.clone();
        async move {
            let r = app.post(&agent, "/api/v1/replies/check", &body).await;
            let status = r.status();
            (status, r.json::<Value>().await.unwrap())
        }
    };
    let (status, r) = check(json!({"text": "亲，加我微信详细说", "channel": "platform"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(r["blocking"], true);
    assert_eq!(r["findings"][0]["kind"], "off_platform_contact");
    assert_eq!(
        (
            r["findings"][0]["start"].as_u64(),
            r["findings"][0]["end"].as_u64()
        ),
        (Some(2), Some(6))
    );

    let (_, r) =
        check(json!({"text": "您好，已按 13812345678 回电", "channel": "chat", "case_id": id}))
            .await;
    let kinds: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["personal_data"], "{r}");
    assert_eq!(r["blocking"], true);

    let (_, r) = check(
        json!({"text": "亲，您好！非常抱歉给您带来不便，我们马上为您加急处理。",
        "channel": "platform", "purpose": "first_reply"}),
    )
    .await;
    assert_eq!(r, json!({"findings": [], "blocking": false}));

    let (status, r) = check(json!({"text": "x", "purpose": "goodbye"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.to_string().contains("purpose"), "{r}");
    let (status, _) = check(json!({"text": "x", "case_id": 999})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn check_reply(args: &[&str], reply: &str) -> (i32, Value) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kesu"))
        .arg("check-reply")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A child that has already decided (and closed its input) is judged by its exit code and
    // output below, not by a broken pipe here.
    if let Err(e) = child.stdin.take().unwrap().write_all(reply.as_bytes()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
    }
    let out = child.wait_with_output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap(), json)
}

#[test]
fn kesu_check_reply_exits_1_when_something_blocks() {
    let (code, r) = check_reply(
        &["--channel", "platform"],
        "有问题 +V 私聊，电话 138 1234 5678\n",
    );
    assert_eq!(code, 1);
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "phone_number"));
    let (code, r) = check_reply(&["--channel", "chat"], "有问题 +V 私聊\n");
    assert_eq!(code, 0, "a warning only off the platform: {r}");
    assert_eq!(r["findings"][0]["blocking"], false);
    let (code, r) = check_reply(&["--purpose", "closing"], "问题已经处理好了。\n");
    assert_eq!(code, 0);
    assert_eq!(r["findings"][0]["kind"], "missing_thanks");
    let (code, _) = check_reply(&["--channel", "mars"], "x");
    assert_eq!(code, 2, "a wrong option is a usage error");
}

/// Offers for reviews are blocked on every channel (电子商务法 Art. 17, 39; 反不正当竞争法
/// Art. 13); the businesses' real answers to reviews in `crates/kesu/eval` talk about
/// reviews all the time, and none of them is taken for one.
#[test]
fn kesu_check_reply_blocks_reviews_for_money_and_leaves_real_review_talk_alone() {
    for offer in [
        "亲，好评返现5元哦\n",
        "麻烦您把差评删了，我们补偿您20元\n",
        "给您发个微信红包，您改成好评吧\n",
    ] {
        let (code, r) = check_reply(&["--channel", "chat"], offer);
        assert_eq!(code, 1, "{offer}: {r}");
        assert!(r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "paid_review"));
    }
    let real = include_str!("../../eval/replies.jsonl");
    let mut about_reviews = 0;
    for line in real.lines() {
        let text = serde_json::from_str::<Value>(line).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_owned();
        if !["好评", "评价", "点评", "评论", "五星"]
            .iter()
            .any(|w| text.contains(w))
        {
            continue;
        }
        about_reviews += 1;
        let (_, r) = check_reply(&["--channel", "platform"], &text);
        let flagged: Vec<_> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "paid_review" || f["kind"] == "off_platform_payment")
            .collect();
        assert!(flagged.is_empty(), "{text}: {flagged:?}");
    }
    assert!(
        about_reviews >= 30,
        "the real answers to reviews: {about_reviews}"
    );
}

#[tokio::test]
async fn a_public_reply_the_checker_blocks_is_refused_unless_a_supervisor_overrides() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let supervisor = app.user("zhao", "supervisor", None).await;
    let mut body = complaint();
    body["channel"] = json!("platform");
    let case = app.register(&agent, &body).await;
    let id = case["id"].as_i64().unwrap();
    let reply = |token: String, extra: Value| {
        let app = &app;
        async move {
            let mut body = json!({"action": "comment", "version": 1, "text": "亲，加我微信详细说"});
            for (k, v) in extra.as_object().unwrap() {
                body[k] = v.clone();
            }
            app.post(&token, &format!("/api/v1/cases/{id}/actions"), &body)
                .await
        }
    };
    let r = reply(agent.clone(), json!({})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let problem: Value = r.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "text", "{problem}");
    assert!(problem.to_string().contains("加我微信"));
    // An internal note is not a reply; an agent cannot override.
    let r = reply(agent.clone(), json!({"internal": true})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = reply(agent.clone(), json!({"version": 2, "override_check": true})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = reply(
        supervisor.clone(),
        json!({"version": 2, "override_check": true}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let history = app.history(&agent, id).await;
    let sent = history.last().unwrap();
    assert_eq!(
        sent["data"]["override_check"], true,
        "the override is on record"
    );
    assert_eq!(sent["actor"], "zhao");
}

#[tokio::test]
async fn admins_extend_the_words_and_they_apply_at_once() {
    let app = TestApp::sqlite().await;
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let check = |text: &'static str| {
        let app = &app;
        let agent = agent.clone();
        async move {
            let r = app
                .post(
                    &agent,
                    "/api/v1/replies/check",
                    &json!({"text": text, "channel": "platform"}),
                )
                .await;
            r.json::<Value>().await.unwrap()
        }
    };
    assert_eq!(check("有事钉钉找我").await["findings"], json!([]));

    let put = |token: String, path: &'static str, body: Value| {
        app.client
            .put(app.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
    };
    let mut rules: Value = app
        .get(&agent, "/api/v1/replies/rules")
        .await
        .json()
        .await
        .unwrap();
    rules["contact_words"]
        .as_array_mut()
        .unwrap()
        .push(json!("钉钉"));
    let r = put(agent.clone(), "/api/v1/replies/rules", rules.clone())
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A blank word would match everywhere: refused, naming its place.
    let mut blank = rules.clone();
    blank["contact_words"]
        .as_array_mut()
        .unwrap()
        .push(json!(" "));
    let r = put(admin.clone(), "/api/v1/replies/rules", blank)
        .await
        .unwrap();
    let p = crate::helpers::problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    let n = rules["contact_words"].as_array().unwrap().len();
    assert_eq!(crate::helpers::fields(&p), [format!("contact_words[{n}]")]);
    let r = put(admin.clone(), "/api/v1/replies/rules", rules)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let found = check("有事钉钉找我").await;
    assert_eq!(found["findings"][0]["text"], "钉钉", "{found}");
    assert_eq!(found["blocking"], true);

    // Triage's words too: a new threat makes a complaint urgent.
    let text = json!({"text": "再不退款我就去黑猫投诉"});
    let t: Value = app
        .post(&agent, "/api/v1/triage", &text)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["urgency"], "normal");
    let mut rules: Value = app
        .get(&agent, "/api/v1/triage/rules")
        .await
        .json()
        .await
        .unwrap();
    rules["urgency"]
        .as_array_mut()
        .unwrap()
        .push(json!("黑猫投诉"));
    let mut bad = rules.clone();
    bad["categories"]["lost"] = json!(["丢件"]);
    let r = put(admin.clone(), "/api/v1/triage/rules", bad)
        .await
        .unwrap();
    let p = crate::helpers::problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(crate::helpers::fields(&p), ["categories.lost"]);
    let r = put(admin.clone(), "/api/v1/triage/rules", rules)
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let t: Value = app
        .post(&agent, "/api/v1/triage", &text)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(t["urgency"], "high", "{t}");
    assert!(t["signals"].to_string().contains("黑猫投诉"));
}
