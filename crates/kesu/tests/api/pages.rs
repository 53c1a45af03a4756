//! The workbench pages over plain HTTP: sign-in, CSRF on every form, the registration
//! read-back and the action panel.

use reqwest::StatusCode;

use crate::helpers::{browser, TestApp};

fn registration(csrf: &str, step: &str) -> Vec<(&'static str, String)> {
    vec![
        ("_csrf", csrf.to_owned()),
        ("form_id", "f-1".into()),
        ("step", step.into()),
        ("channel", "phone".into()),
        ("name", "李雷".into()),
        ("phone", "139 0000 1111".into()),
        ("category", "quality".into()),
        ("demand", "exchange".into()),
        ("description", "<script>alert(1)</script> 衣服开线".into()),
        ("received_at", "2026-11-23T09:30".into()),
        ("readback", "1".into()),
    ]
}

#[tokio::test]
async fn every_form_refuses_a_missing_or_wrong_csrf_token() {
    let app = TestApp::sqlite().await;
    app.user("amy", "agent", None).await;
    let (client, csrf) = browser(&app, "amy", "pass-word-1").await;
    let id = app
        .register(
            &app.token("amy", "pass-word-1").await,
            &crate::helpers::complaint(),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let forms: Vec<(String, Vec<(&str, String)>)> = vec![
        ("/logout".into(), vec![]),
        ("/lang".into(), vec![("lang", "en".into())]),
        ("/cases/new".into(), registration("", "review")),
        (
            format!("/cases/{id}/act"),
            vec![
                ("action", "judge".into()),
                ("version", "1".into()),
                ("valid", "true".into()),
            ],
        ),
        (format!("/cases/{id}/customer-link"), vec![]),
    ];
    for (path, fields) in forms {
        for token in ["", "not-the-token"] {
            let mut fields: Vec<(&str, String)> = fields
                .iter()
                .filter(|(k, _)| *k != "_csrf")
                .cloned()
                .collect();
            if !token.is_empty() {
                fields.push(("_csrf", token.into()));
            }
            let r = client
                .post(app.url(&path))
                .form(&fields)
                .send()
                .await
                .unwrap();
            assert_eq!(
                r.status(),
                StatusCode::FORBIDDEN,
                "{path} with token `{token}`"
            );
        }
    }
    // Nothing happened: still signed in, still Chinese, the case untouched.
    let page = client
        .get(app.url(&format!("/cases/{id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("lang=\"zh-CN\""));
    assert_eq!(app.case(&app.admin().await, id).await["version"], 1);
    let _ = csrf;
}

#[tokio::test]
async fn a_complaint_is_registered_with_a_read_back_and_judged_from_the_case_page() {
    let app = TestApp::sqlite().await;
    app.user("amy", "agent", None).await;
    let (client, csrf) = browser(&app, "amy", "pass-word-1").await;
    let r = client.get(app.url("/")).send().await.unwrap();
    assert!(r.text().await.unwrap().contains("投诉队列"));
    // Signed-out visitors are sent to sign in, and come back where they were going.
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/cases/new"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/login?next=/cases/new");

    let review = client
        .post(app.url("/cases/new"))
        .form(&registration(&csrf, "review"))
        .send()
        .await
        .unwrap();
    assert_eq!(review.status(), StatusCode::OK);
    let page = review.text().await.unwrap();
    assert!(
        page.contains("复述确认") && page.contains("13900001111"),
        "the read-back shows what was typed"
    );
    assert!(page.contains("&lt;script&gt;"), "text is escaped");
    assert!(!page.contains("<script>alert"), "never raw");

    let mut unconfirmed = registration(&csrf, "confirm");
    unconfirmed.retain(|(k, _)| *k != "readback");
    let r = client
        .post(app.url("/cases/new"))
        .form(&unconfirmed)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "no case without the read-back"
    );

    let saved = client
        .post(app.url("/cases/new"))
        .form(&registration(&csrf, "confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let location = saved.headers()["location"].to_str().unwrap().to_owned();
    let again = client
        .post(app.url("/cases/new"))
        .form(&registration(&csrf, "confirm"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.headers()["location"].to_str().unwrap(),
        location,
        "a double click registers once"
    );

    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("KS-20261123-0001") && page.contains("判定是否成立"));
    let id = location.trim_start_matches("/cases/");
    let r = client
        .post(app.url(&format!("/cases/{id}/act")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("action", "judge"),
            ("version", "1"),
            ("valid", "false"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "an invalid complaint needs its reason"
    );
    assert!(r.text().await.unwrap().contains("reason"));
    let r = client
        .post(app.url(&format!("/cases/{id}/act")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("action", "judge"),
            ("version", "1"),
            ("valid", "true"),
            ("reason", "有照片"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(app.url(&location))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("待分派"), "the case moved on");
    assert!(page.contains("有照片"), "the history shows the reason");
}

#[tokio::test]
async fn public_forms_refuse_a_missing_csrf_token_and_links_open_only_their_own_case() {
    let app = TestApp::sqlite().await;
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = client
        .get(app.url("/complain"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = page
        .split("name=\"_csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let fields = |csrf: &str| {
        vec![
            ("_csrf", csrf.to_owned()),
            ("name", "韩梅梅".into()),
            ("phone", "13700001111".into()),
            ("category", "quality".into()),
            ("demand", "refund".into()),
            ("description", "鞋底开胶".into()),
        ]
    };
    // Without the cookie, or with a field that does not match it.
    let bare = reqwest::Client::new();
    let r = bare
        .post(app.url("/complain"))
        .form(&fields(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(app.url("/complain"))
        .form(&fields("forged"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = client
        .post(app.url("/complain"))
        .form(&fields(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let thanks = r.text().await.unwrap();
    let link = thanks
        .split("href=\"/s/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    assert!(link.len() >= 48, "an unguessable link");

    let status = client
        .get(app.url(&format!("/s/{link}")))
        .send()
        .await
        .unwrap();
    assert_eq!(status.status(), StatusCode::OK);
    let body = status.text().await.unwrap();
    assert!(
        body.contains("已受理") && !body.contains("13700001111"),
        "progress, without personal data"
    );
    let r = client
        .post(app.url(&format!("/s/{link}")))
        .form(&[("action", "comment"), ("version", "1"), ("text", "请尽快")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "the status page's forms need the token too"
    );
    let r = client
        .post(app.url(&format!("/s/{link}")))
        .form(&[
            ("_csrf", token.as_str()),
            ("action", "judge"),
            ("version", "1"),
            ("valid", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "customers cannot take staff actions"
    );
    let r = client
        .post(app.url(&format!("/s/{link}")))
        .form(&[
            ("_csrf", token.as_str()),
            ("action", "comment"),
            ("version", "1"),
            ("text", "请尽快"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        client
            .get(app.url("/s/0000"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // The agent sees the web-form case and the customer's message as a public reply.
    let agent = app.user("amy", "agent", None).await;
    let list: serde_json::Value = app
        .get(&agent, "/api/v1/cases?channel=web_form")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1);
    let id = list["items"][0]["id"].as_i64().unwrap();
    let history = app.history(&agent, id).await;
    assert_eq!(history[0]["actor"], "customer");
    assert_eq!(
        history[1]["data"],
        serde_json::json!({"text": "请尽快", "internal": false})
    );
}

#[tokio::test]
async fn supervisors_approve_from_their_inbox_and_admins_manage_users_departments_and_policy() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    app.user("sam", "supervisor", None).await;
    let id = app.register(&agent, &crate::helpers::complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &agent,
        id,
        serde_json::json!({"action": "judge", "valid": true}),
    )
    .await;
    app.act_ok(
        &agent,
        id,
        serde_json::json!({"action": "route", "department": "service"}),
    )
    .await;
    let sup = app.token("sam", "pass-word-1").await;
    app.act_ok(&sup, id, serde_json::json!({"action": "analyse", "liability": "merchant", "root_cause": "staff", "findings": "客服态度"})).await;
    app.act_ok(&agent, id, serde_json::json!({"action": "propose", "options": [{"kind": "compensation", "amount_cents": 1000}]})).await;
    app.act_ok(
        &agent,
        id,
        serde_json::json!({"action": "choose", "option": 0}),
    )
    .await;

    let (agent_browser, _) = browser(&app, "amy", "pass-word-1").await;
    let r = agent_browser
        .get(app.url("/approvals"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "agents have no approvals inbox"
    );
    let (sup_browser, csrf) = browser(&app, "sam", "pass-word-1").await;
    let inbox = sup_browser
        .get(app.url("/approvals"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        inbox.contains("KS-20261123-0001") && inbox.contains("¥10.00"),
        "the inbox shows the choice"
    );
    let r = sup_browser
        .post(app.url(&format!("/cases/{id}/act")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("action", "approve"),
            ("version", "6"),
            ("comment", "同意"),
            ("back", "/approvals"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["location"], "/approvals", "back to the inbox");
    assert_eq!(app.case(&agent, id).await["status"], "approved");

    let (admin, csrf) = browser(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    assert_eq!(
        sup_browser
            .get(app.url("/admin"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    let post = |path: &str, fields: Vec<(&str, &str)>| {
        let mut fields = fields;
        fields.push(("_csrf", csrf.as_str()));
        admin.post(app.url(path)).form(&fields).send()
    };
    let r = post(
        "/admin/departments",
        vec![("code", "finance"), ("name", "财务部")],
    )
    .await
    .unwrap();
    assert_eq!(r.headers()["location"], "/admin?saved=1");
    let r = post(
        "/admin/users",
        vec![
            ("username", "fei"),
            ("password", "pass-word-1"),
            ("role", "department"),
            ("department", "finance"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post(
        "/admin/users",
        vec![
            ("username", "fei"),
            ("password", "short"),
            ("role", "agent"),
        ],
    )
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    app.token("fei", "pass-word-1").await;
    let r = post("/admin/users/fei/toggle", vec![]).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&serde_json::json!({"username": "fei", "password": "pass-word-1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "disabled from the admin page"
    );

    let mut policy: Vec<(&str, &str)> = vec![
        ("amount_above", "50.00"),
        ("always_for", "compensation"),
        ("route_price", "finance"),
        ("first_response_minutes", "30"),
        ("resolve_hours", "24"),
        ("consumer_association_days", "15"),
        ("time_zone", "Asia/Shanghai"),
        ("warn_at_percent", "80"),
        ("stalled_hours", "48"),
        // One rule kept, the empty row dropped.
        ("rule_channel", "platform"),
        ("rule_category", "damaged"),
        ("rule_priority", ""),
        ("rule_first_response_minutes", ""),
        ("rule_step_hours", ""),
        ("rule_resolve_hours", "12"),
        ("rule_channel", ""),
        ("rule_category", ""),
        ("rule_priority", ""),
        ("rule_first_response_minutes", ""),
        ("rule_step_hours", ""),
        ("rule_resolve_hours", ""),
    ];
    let r = post("/admin/policy", policy.clone()).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let p: serde_json::Value = app
        .get(&agent, "/api/v1/policy")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(p["approval"]["amount_above_cents"], 5000);
    assert_eq!(p["routing"]["price"], "finance");
    assert_eq!(p["deadlines"]["resolve_hours"], 24);
    assert_eq!(p["deadlines"]["warn_at_percent"], 80);
    assert_eq!(p["logistics"]["stalled_hours"], 48);
    assert_eq!(
        p["deadlines"]["rules"],
        serde_json::json!([{"channel": "platform", "category": "damaged", "resolve_hours": 12}])
    );
    policy[6] = ("time_zone", "Mars/Base");
    let r = post("/admin/policy", policy).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    for path in [
        "/admin/users",
        "/admin/departments",
        "/admin/policy",
        "/admin/users/amy/toggle",
    ] {
        let r = admin
            .post(app.url(path))
            .form(&[("code", "x"), ("name", "y")])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::FORBIDDEN,
            "{path} without its CSRF token"
        );
    }
}

#[tokio::test]
async fn the_form_fills_from_the_order_the_case_page_quotes_refunds_and_english_is_remembered() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());
    let (client, csrf) = browser(&app, "amy", "pass-word-1").await;
    let r = client
        .post(app.url("/cases/new"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("step", "review"),
            ("prefill", "1"),
            ("order_no", "TB20261111001"),
            ("channel", "chat"),
        ])
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    assert!(
        page.contains("value=\"王小明\"")
            && page.contains("value=\"13812345678\"")
            && page.contains("value=\"YT1234567890\""),
        "filled from the order"
    );

    let id = app.register(&agent, &crate::helpers::complaint()).await["id"]
        .as_i64()
        .unwrap();
    let page = client
        .get(app.url(&format!("/cases/{id}?quote=A:1&shipping=1")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // One of two shirts: ⌊23500/2⌋ = 11750 cash, plus ¥10 shipping.
    assert!(
        page.contains("<th id=\"quote-cash\">¥127.50</th>"),
        "the quote is shown"
    );
    let page = client
        .get(app.url(&format!("/cases/{id}?quote=A:3")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("only 2 of 2 units"),
        "an impossible quote says why"
    );

    let r = client
        .post(app.url("/lang"))
        .form(&[("_csrf", csrf.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let page = client
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("lang=\"en\"") && page.contains(">Queue<"),
        "English now"
    );
    let (again, _) = browser(&app, "amy", "pass-word-1").await;
    let page = again
        .get(app.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(">Queue<"),
        "remembered for the user, in a new session"
    );
}
