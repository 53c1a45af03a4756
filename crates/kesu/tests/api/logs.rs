//! The log of a real `kesu serve` at its most talkative level holds none of the secrets,
//! tokens, passwords and personal data that passed through it: a case from registration to
//! the customer's status page, a kuaidi100 push, wrong passwords, a customer's export and erasure.

use std::process::Stdio;

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::complaint;
use crate::process::start_logging_to;

const ADMIN_PASSWORD: &str = "admin-Secret-4711";
const AGENT_PASSWORD: &str = "agent-Secret-0815";
const KUAIDI100_SECRET: &str = "k100SecretPushPath0042";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_holds_no_secret_token_password_or_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("kesu.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = start_logging_to(
        &dir.path().join("data"),
        Some(ADMIN_PASSWORD),
        &[("KESU_LOG", "trace,hyper=debug,h2=debug".into())],
        Stdio::from(log),
    );
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let token = |username: &'static str, password: &'static str| {
        let client = client.clone();
        let base = base.clone();
        async move {
            let r: Value = client
                .post(format!("{base}/api/v1/auth/token"))
                .json(&json!({"username": username, "password": password}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            r["token"].as_str().unwrap().to_owned()
        }
    };
    let admin = token("admin", ADMIN_PASSWORD).await;
    let r = client
        .post(format!("{base}/api/v1/users"))
        .bearer_auth(&admin)
        .json(&json!({"username": "amy", "password": AGENT_PASSWORD, "role": "agent"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let agent = token("amy", AGENT_PASSWORD).await;
    // Wrong passwords, also for an unknown user.
    for (user, password) in [("amy", "wrong-Secret-1"), ("nobody", "wrong-Secret-2")] {
        let r = client
            .post(format!("{base}/api/v1/auth/token"))
            .json(&json!({"username": user, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }

    // A case, with an order, walked a few steps; a bad request that echoes nothing.
    let mut order = crate::orders::contract_order();
    order["buyer"]["address"] = json!("杭州市西湖区文三路88号");
    let r = client
        .put(format!("{base}/api/v1/orders/TB20261111001"))
        .bearer_auth(&agent)
        .json(&order)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let case: Value = client
        .post(format!("{base}/api/v1/cases"))
        .bearer_auth(&agent)
        .json(&complaint())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = case["id"].as_i64().unwrap();
    for (action, extra) in [
        ("judge", json!({"valid": true, "reason": "有照片"})),
        (
            "comment",
            json!({"text": "已联系王小明 13812345678", "internal": true}),
        ),
    ] {
        let version = client
            .get(format!("{base}/api/v1/cases/{id}"))
            .bearer_auth(&agent)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()["version"]
            .clone();
        let mut body = extra;
        body["action"] = json!(action);
        body["version"] = version;
        let r = client
            .post(format!("{base}/api/v1/cases/{id}/actions"))
            .bearer_auth(&agent)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{action}");
    }
    let r = client
        .get(format!("{base}/api/v1/cases?q=13812345678"))
        .bearer_auth(&agent)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // The kuaidi100 receiver, under its secret path.
    let r = client
        .put(format!("{base}/api/v1/integrations/kuaidi100"))
        .bearer_auth(&admin)
        .json(&json!({"secret": KUAIDI100_SECRET}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let param = json!({"status": "polling", "lastResult": {"state": "0", "com": "yuantong",
        "nu": "YT1234567890", "data": [{"context": "快件已到达杭州转运中心", "time": "2026-11-12 08:00:00"}]}})
    .to_string();
    let r = client
        .post(format!(
            "{base}/api/v1/integrations/kuaidi100/{KUAIDI100_SECRET}"
        ))
        .form(&[("param", param.as_str())])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());

    // The customer: the public form, then the status page behind its link.
    let (browser, csrf, link) = crate::helpers::file_public_complaint(
        &base,
        &[
            ("name", "韩梅梅"),
            ("phone", "13700001111"),
            ("email", "meimei@example.org"),
            ("category", "quality"),
            ("demand", "refund"),
            ("description", "鞋底开胶"),
        ],
    )
    .await;
    let r = browser
        .get(format!("{base}/s/{link}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = browser
        .get(format!("{base}/s/{link}-not-a-link"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // A customer's personal-data request: the export, a refused erasure (no reason), the
    // erasure, a search for what is gone.
    for (path, body, status) in [
        ("export", json!({"phone": "13812345678"}), StatusCode::OK),
        (
            "erase",
            json!({"phone": "13812345678"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            "erase",
            json!({"phone": "13812345678", "reason": "顾客要求"}),
            StatusCode::OK,
        ),
        (
            "search",
            json!({"email": "xiaoming@example.com"}),
            StatusCode::OK,
        ),
    ] {
        let r = client
            .post(format!("{base}/api/v1/personal-data/{path}"))
            .bearer_auth(&admin)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{path} {body}");
    }

    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.contains("route=\"/api/v1/integrations/kuaidi100/{secret}\"")
            && log.contains("route=\"/s/{token}\""),
        "requests are logged by their route's pattern: {}",
        log.lines()
            .filter(|l| l.contains("route="))
            .take(5)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let secrets = [
        ("the admin password", ADMIN_PASSWORD.to_owned()),
        ("the agent password", AGENT_PASSWORD.to_owned()),
        ("a wrong password", "wrong-Secret-1".to_owned()),
        ("the admin token", admin),
        ("the agent token", agent),
        ("the kuaidi100 secret", KUAIDI100_SECRET.to_owned()),
        ("the customer link", link),
        ("the CSRF token", csrf),
        ("a complainant's name", "王小明".to_owned()),
        ("a complainant's phone", "13812345678".to_owned()),
        ("a complainant's e-mail", "xiaoming@example.com".to_owned()),
        ("a customer's name", "韩梅梅".to_owned()),
        ("a customer's phone", "13700001111".to_owned()),
        ("a customer's e-mail", "meimei@example.org".to_owned()),
        ("a buyer's address", "文三路88号".to_owned()),
    ];
    for (what, secret) in secrets {
        let line = log.lines().find(|l| l.contains(&secret));
        assert!(line.is_none(), "{what} is in the log: {line:?}");
    }
}
