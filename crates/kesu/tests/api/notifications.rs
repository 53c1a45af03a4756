//! Customers hear from the desk by e-mail through a real SMTP server (aiosmtpd), and the
//! shop's systems through a webhook receiver that fails its first attempts: queued while the
//! peer is down, retried with backoff, sent once, signed, each attempt in the case history.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{complaint, t0};
use crate::process::{get, set_clock, sign_in, start_with, stop};

/// aiosmtpd on `port`, writing what it receives into `dir`; `None` when Python's aiosmtpd
/// is missing (the suite says it skipped, or fails under KESU_REQUIRE_PEERS).
struct SmtpSink(Child);

impl SmtpSink {
    fn start(dir: &Path, port: u16) -> Option<SmtpSink> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/peers/smtp_sink.py");
        let mut child = Command::new("python3")
            .arg(script)
            .arg(dir)
            .arg(port.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .ok()?;
        use std::io::BufRead;
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .ok()?;
        if line.starts_with("listening") {
            Some(SmtpSink(child))
        } else {
            child.kill().ok();
            None
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn have_aiosmtpd() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var("KESU_REQUIRE_PEERS").is_err(),
            "KESU_REQUIRE_PEERS is set but Python's aiosmtpd is missing"
        );
        eprintln!("SKIPPED: notifications by e-mail (python3 -m pip install aiosmtpd, or apt install python3-aiosmtpd)");
    }
    ok
}

fn mails(dir: &Path) -> Vec<String> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
        .collect()
}

/// What the webhook receiver saw: each request's headers and body; it answers 500 to the
/// first `fail_first` requests.
#[derive(Default)]
struct Received {
    requests: Vec<(axum::http::HeaderMap, String)>,
    fail_first: usize,
}

/// The receiver's base URL: `/hook` (webhooks) and `/sms` (an SMS gateway recording what
/// it is asked to send, always answering 200).
async fn webhook_receiver(received: Arc<Mutex<Received>>, texts: Arc<Mutex<Vec<Value>>>) -> String {
    use axum::routing::post;
    let app = axum::Router::new()
        .route(
            "/sms",
            post(move |axum::Json(body): axum::Json<Value>| {
                let texts = texts.clone();
                async move {
                    texts.lock().unwrap().push(body);
                    axum::http::StatusCode::OK
                }
            }),
        )
        .route(
            "/hook",
            post(move |headers: axum::http::HeaderMap, body: String| {
                let received = received.clone();
                async move {
                    let mut r = received.lock().unwrap();
                    r.requests.push((headers, body));
                    if r.requests.len() <= r.fail_first {
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR
                    } else {
                        axum::http::StatusCode::NO_CONTENT
                    }
                }
            }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    url
}

async fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn notifications(client: &reqwest::Client, base: &str, token: &str, id: i64) -> Vec<Value> {
    let (status, body) = get(
        client,
        base,
        token,
        &format!("/api/v1/cases/{id}/notifications"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body.as_array().unwrap().clone()
}

#[tokio::test]
async fn the_customer_is_mailed_once_after_the_smtp_server_comes_back_and_webhooks_are_signed() {
    if !have_aiosmtpd() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let inbox = tempfile::tempdir().unwrap();
    let clock = dir.path().join("clock");
    set_clock(&clock, t0());
    let smtp_port = free_port();
    // A webhook for new cases, whose receiver fails twice, and an SMS gateway.
    let received = Arc::new(Mutex::new(Received {
        fail_first: 2,
        ..Default::default()
    }));
    let texts = Arc::new(Mutex::new(Vec::new()));
    let receiver = webhook_receiver(received.clone(), texts.clone()).await;
    let hook_url = format!("{receiver}/hook");
    let env = [
        ("KESU_SMS_URL", format!("{receiver}/sms")),
        ("KESU_CLOCK_FILE", clock.display().to_string()),
        ("KESU_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}")),
        (
            "KESU_SMTP_FROM",
            "客服中心 <service@shop.example>".to_owned(),
        ),
        ("KESU_SEND_INTERVAL_MS", "100".to_owned()),
        ("KESU_PUBLIC_URL", "https://kesu.shop.example/".to_owned()),
    ];
    let server = start_with(dir.path(), Some("preset-pass-1"), &env);
    let client = reqwest::Client::new();
    let admin = sign_in(&client, &server.base, "preset-pass-1").await;

    let secret = "a-long-shared-secret-1234";
    let r = client
        .post(format!("{}/api/v1/webhooks", server.base))
        .bearer_auth(&admin)
        .json(&json!({"url": hook_url, "events": ["case.created", "case.status_changed"], "secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let bad = client
        .post(format!("{}/api/v1/webhooks", server.base))
        .bearer_auth(&admin)
        .json(&json!({"url": "ftp://x", "events": ["case.nothing"], "secret": "short"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 422);
    let problem: Value = bad.json().await.unwrap();
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["url", "events[0]", "secret"]);

    // The SMTP server is down: the acknowledgement is queued, its failed attempt recorded.
    let r = client
        .post(format!("{}/api/v1/cases", server.base))
        .bearer_auth(&admin)
        .json(&complaint())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let case: Value = r.json().await.unwrap();
    let id = case["id"].as_i64().unwrap();
    let number = case["number"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n = notifications(&client, &server.base, &admin, id).await;
        if n.first().is_some_and(|m| m["attempts"].as_i64() >= Some(1)) {
            assert_eq!(n.len(), 2, "e-mail and SMS: {n:?}");
            assert_eq!(n[0]["channel"], "email");
            assert_eq!(n[0]["event"], "acknowledged");
            assert_eq!(n[0]["status"], "queued");
            assert_eq!(n[0]["to"], "xiaoming@example.com");
            assert!(n[0]["last_error"].as_str().is_some());
            break;
        }
        assert!(Instant::now() < deadline, "no attempt: {n:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Staff who may not see personal data see the address masked.
    let auditor_pw = "pass-word-auditor";
    let r = client
        .post(format!("{}/api/v1/users", server.base))
        .bearer_auth(&admin)
        .json(&json!({"username": "shenji", "password": auditor_pw, "role": "auditor"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let t: Value = client
        .post(format!("{}/api/v1/auth/token", server.base))
        .json(&json!({"username": "shenji", "password": auditor_pw}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let auditor = t["token"].as_str().unwrap().to_owned();
    let masked = notifications(&client, &server.base, &auditor, id).await;
    assert_ne!(masked[0]["to"], "xiaoming@example.com");
    assert!(masked[0]["to"].as_str().unwrap().contains('*'));

    // The server comes up; an hour later every retry is due: the mail goes out once.
    let _sink = SmtpSink::start(inbox.path(), smtp_port).expect("aiosmtpd starts");
    set_clock(&clock, t0() + chrono::Duration::hours(1));
    wait_for("the mail", || !mails(inbox.path()).is_empty()).await;
    // The webhook's second attempt is due at the same hour: wait for it to fail before moving
    // on, or under load it is made after the clock moved and its retry falls past the test.
    wait_for("the webhook's second attempt", || {
        received.lock().unwrap().requests.len() >= 2
    })
    .await;
    // And the webhook, after its two failures, was delivered.
    set_clock(&clock, t0() + chrono::Duration::hours(3));
    wait_for("the webhook", || {
        received.lock().unwrap().requests.len() >= 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    let all = mails(inbox.path());
    assert_eq!(all.len(), 1, "sent once");
    let mail = kesu_import::email::read(all[0].as_bytes()).unwrap();
    assert!(all[0].starts_with("X-Envelope-To: xiaoming@example.com"));
    assert_eq!(mail.subject, format!("【{number}】您的投诉已受理"));
    assert!(mail.text.contains("已经收到并登记"), "{}", mail.text);
    assert!(mail.text.contains(&number));
    // The notice comes from the reply-script library and links to the customer's own page.
    assert!(mail.text.starts_with("王小明您好"), "{}", mail.text);
    let token = mail
        .text
        .split("https://kesu.shop.example/s/")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("a status link in {}", mail.text))
        .to_owned();
    let page = client
        .get(format!("{}/s/{token}", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains(&number));
    assert!(
        mail.message_id.starts_with(&format!("kesu.case-{id}.")),
        "{}",
        mail.message_id
    );
    let sent = notifications(&client, &server.base, &admin, id).await;
    assert_eq!(sent[0]["status"], "sent");
    assert_eq!(sent[0]["attempts"], 2);
    // The gateway was asked once, with the phone number and the notice's first line.
    assert_eq!(sent[1]["channel"], "sms");
    assert_eq!(sent[1]["status"], "sent");
    assert_eq!(sent[1]["attempts"], 1);
    let texts = texts.lock().unwrap().clone();
    assert_eq!(texts.len(), 1, "{texts:?}");
    assert_eq!(texts[0]["to"], "13812345678");
    assert_eq!(texts[0]["case_number"], number.as_str());
    assert_eq!(texts[0]["text"], format!("【{number}】您的投诉已受理"));
    let history: Value = get(
        &client,
        &server.base,
        &admin,
        &format!("/api/v1/cases/{id}/events"),
    )
    .await
    .1;
    let attempts: Vec<&Value> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "notify")
        .collect();
    // Two e-mail attempts and one text message, each in the history.
    assert_eq!(attempts.len(), 3, "{history}");
    assert!(attempts
        .iter()
        .any(|a| a["data"]["channel"] == "email" && a["data"]["status"] == "sent"));

    // The customer's reply to that mail threads onto the case.
    let reply = format!(
        "From: xiaoming@example.com\r\nSubject: Re: {}\r\nMessage-ID: <cust-reply@x>\r\nIn-Reply-To: <{}>\r\n\r\n谢谢，等你们消息\r\n",
        "x", mail.message_id
    );
    let r = client
        .post(format!("{}/api/v1/inbound/email", server.base))
        .bearer_auth(&admin)
        .header("content-type", "message/rfc822")
        .body(reply)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["threaded"], true);
    assert_eq!(body["case"]["id"], id);

    // Three attempts of one delivery: the same delivery id, signed, received once successfully.
    let requests = received.lock().unwrap().requests.clone();
    let deliveries: Vec<&str> = requests
        .iter()
        .map(|(h, _)| h["x-kesu-delivery"].to_str().unwrap())
        .collect();
    assert!(
        deliveries.iter().all(|d| *d == deliveries[0]),
        "{deliveries:?}"
    );
    for (headers, body) in &requests {
        let signature = headers["x-kesu-signature"].to_str().unwrap();
        let (t, v1) = signature
            .strip_prefix("t=")
            .unwrap()
            .split_once(",v1=")
            .unwrap();
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(v1, expected);
        let payload: Value = serde_json::from_str(body).unwrap();
        assert_eq!(payload["event"], "case.created");
        assert_eq!(payload["case"]["number"], number.as_str());
        assert!(
            !body.contains("13812345678") && !body.contains("王小明"),
            "no personal data: {body}"
        );
    }
    let (_, log) = get(&client, &server.base, &admin, "/api/v1/webhooks/deliveries").await;
    assert_eq!(log[0]["status"], "sent");
    assert_eq!(log[0]["attempts"], 3);
    stop(server);
}
