//! Defaults that would make the figures lie: an internal step taken for a first response,
//! answers chosen for the customer or the department before they chose them.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, csrf_in, page_text, TestApp};

/// The `<select name=…>` element of a page, from its opening tag to its end.
fn select<'a>(page: &'a str, name: &str) -> &'a str {
    let start = page
        .find(&format!("select name=\"{name}\""))
        .or_else(|| page.find(&format!("name=\"{name}\"")))
        .unwrap_or_else(|| panic!("no {name} on the page"));
    let rest = &page[start..];
    &rest[..rest.find("</select>").unwrap_or(rest.len())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_case_judged_routed_and_closed_in_silence_has_not_been_answered() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    app.act_ok(
        &agent,
        id,
        json!({"action": "judge", "valid": false, "reason": "重复投诉"}),
    )
    .await;
    let closed = app.case(&agent, id).await;
    assert_eq!(closed["status"], "closed");
    let summary: Value = app
        .get(
            &agent,
            "/api/v1/reports/summary?from=2026-11-01&to=2026-11-30",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(summary["first_response_minutes"]["median"], Value::Null);
    assert_eq!(
        summary["sla_compliance"], 0.0,
        "a case closed without a word to the customer missed its first response"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_case_the_customer_never_heard_about_asks_for_confirmation() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let (client, csrf) = browser(&app, "amy", "pass-word-1").await;
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    // Judged invalid, a case closes at once; nobody has answered this customer yet.
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(
        page.contains("name=\"confirm_unanswered\""),
        "the judgement form asks"
    );
    let judge = |confirm: bool| {
        let mut form = vec![
            ("_csrf", csrf.clone()),
            ("action", "judge".to_owned()),
            ("version", "1".to_owned()),
            ("valid", "false".to_owned()),
            ("reason", "重复投诉".to_owned()),
        ];
        if confirm {
            form.push(("confirm_unanswered", "1".to_owned()));
        }
        client
            .post(app.url(&format!("/cases/{id}/act")))
            .form(&form)
            .send()
    };
    let r = judge(false).await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("顾客还没有收到任何回复"));
    assert_eq!(app.case(&agent, id).await["status"], "registered");
    let r = judge(true).await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.case(&agent, id).await["status"], "closed");

    // Once the customer has had a public reply, nothing is asked.
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    app.act_ok(
        &agent,
        id,
        json!({"action": "comment", "text": "亲，您好，已收到您的反馈", "internal": false}),
    )
    .await;
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(!page.contains("name=\"confirm_unanswered\""));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_is_chosen_for_the_department_or_the_customer() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    app.user("wu", "department", Some("logistics")).await;
    let wu = app.token("wu", "pass-word-1").await;
    let case = app.register(&agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    app.act_ok(
        &agent,
        id,
        json!({"action": "judge", "valid": true, "reason": "有照片"}),
    )
    .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;

    // The department's analysis starts with liability and root cause unchosen.
    let (dept, _) = browser(&app, "wu", "pass-word-1").await;
    let page = page_text(&dept, &app.url(&format!("/cases/{id}"))).await;
    for name in ["liability", "root_cause"] {
        let s = select(&page, name);
        assert!(
            s.contains("<option value=\"\" selected>"),
            "{name} starts unchosen: {s}"
        );
        assert_eq!(s.matches(" selected").count(), 1, "{name}: {s}");
    }

    app.act_ok(
        &wu,
        id,
        json!({"action": "analyse", "liability": "carrier", "root_cause": "carrier", "findings": "外箱压损"}),
    )
    .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "propose", "options": [{"kind": "apology"}, {"kind": "reship"}]}),
    )
    .await;

    // The customer's page: no option, no answer and no rating chosen for them.
    let (staff, csrf) = browser(&app, "amy", "pass-word-1").await;
    let r = staff
        .post(app.url(&format!("/cases/{id}/customer-link")))
        .form(&[("_csrf", csrf.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = r
        .split("/s/")
        .nth(1)
        .and_then(|rest| rest.split(['"', '<', ' ']).next())
        .expect("a customer link")
        .to_owned();
    let customer = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let page = page_text(&customer, &app.url(&format!("/s/{link}"))).await;
    assert!(page.contains("name=\"option\""));
    assert!(
        !page.contains("checked"),
        "an option is chosen for the customer"
    );
    app.act_ok(&agent, id, json!({"action": "choose", "option": 1}))
        .await;
    app.act_ok(&agent, id, json!({"action": "execute", "note": "已补发"}))
        .await;
    let page = page_text(&customer, &app.url(&format!("/s/{link}"))).await;
    assert!(page.contains("name=\"satisfied\""));
    assert!(
        !page.contains("checked"),
        "an answer is chosen for the customer"
    );
    // The stars are radio buttons, none of them checked (no `checked` on the page at all).
    assert!(
        page.contains("type=\"radio\" name=\"rating\""),
        "the rating is offered"
    );

    // Sending the form without an answer records nothing.
    let csrf = csrf_in(&page);
    let version = app.case(&agent, id).await["version"].to_string();
    let r = customer
        .post(app.url(&format!("/s/{link}")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("action", "follow_up"),
            ("version", version.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert_eq!(app.case(&agent, id).await["status"], "executed");
}
