//! The follow-up call: an executed case shows the agent a call card (purpose, points, facts
//! with the number to dial), a call nobody answered is noted in the history, and the answer
//! got on the phone is recorded as a phone follow-up.

use serde_json::json;

use crate::helpers::{browser, complaint, page_text, reveal_in_browser, TestApp};

#[tokio::test]
async fn an_executed_case_offers_the_call_card_and_records_how_the_call_went() {
    let app = TestApp::sqlite().await;
    let agent = app.user("amy", "agent", None).await;
    let warehouse = app.user("wu", "department", Some("logistics")).await;
    app.user("al", "auditor", None).await;
    let id = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    for (token, action) in [
        (&agent, json!({"action": "judge", "valid": true})),
        (
            &agent,
            json!({"action": "route", "department": "logistics"}),
        ),
        (
            &warehouse,
            json!({"action": "analyse", "liability": "carrier", "root_cause": "carrier", "findings": "外箱受压"}),
        ),
        (
            &agent,
            json!({"action": "propose", "options": [{"kind": "reship", "note": "补发两个同款杯子"}]}),
        ),
        (&agent, json!({"action": "choose", "option": 0})),
        (&warehouse, json!({"action": "execute", "note": "已补发"})),
    ] {
        app.act_ok(token, id, action).await;
    }

    let (client, csrf) = browser(&app, "amy", "pass-word-1").await;
    // The number to dial shows once the agent reveals the customer to contact them.
    let revealed = reveal_in_browser(&app, &client, &csrf, id, "contact").await;
    assert_eq!(revealed, reqwest::StatusCode::SEE_OTHER);
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    let card = &page[page.find("id=\"call-card\"").expect("the call card")..];
    let card = &card[..card.find("</section>").unwrap()];
    for expected in [
        "电话回访准备",
        "王小明",
        "tel:13812345678",
        "破损",
        "确认约定的处理（补发）",
        "打 1～5 分",
        "TB20261111001",
    ] {
        assert!(card.contains(expected), "{expected} in {card}");
    }
    // The card comes before the follow-up form itself.
    assert!(page.find("id=\"call-card\"") < page.find("data-action=\"follow_up\""));
    // Those who do not follow cases up see no card (and no number).
    let (reader, _) = browser(&app, "al", "pass-word-1").await;
    let page = page_text(&reader, &app.url(&format!("/cases/{id}"))).await;
    assert!(!page.contains("call-card") && !page.contains("13812345678"));

    // Nobody answers: one click notes it, internal, and the case waits as it was.
    let version = app.case(&agent, id).await["version"].as_i64().unwrap();
    let note = "电话回访未接通，稍后再拨。";
    let r = client
        .post(app.url(&format!("/cases/{id}/act")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("action", "comment"),
            ("version", &version.to_string()),
            ("internal", "1"),
            ("text", note),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let history = app.history(&agent, id).await;
    let noted = history.last().unwrap();
    assert_eq!(noted["action"], "comment");
    assert_eq!(noted["data"]["internal"], true);
    assert_eq!(noted["data"]["text"], note);
    assert_eq!(app.case(&agent, id).await["status"], "executed");

    // Through on the second try: the answer is a phone follow-up.
    let version = app.case(&agent, id).await["version"].as_i64().unwrap();
    let r = client
        .post(app.url(&format!("/cases/{id}/act")))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("action", "follow_up"),
            ("version", &version.to_string()),
            ("way", "phone"),
            ("satisfied", "true"),
            ("rating", "5"),
            ("comment", "杯子收到了，完好"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "{}", r.status());
    let case = app.case(&agent, id).await;
    assert_eq!(case["status"], "resolved");
    assert_eq!(case["follow_up"]["way"], "phone");
    assert_eq!(case["follow_up"]["rating"], 5);
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(page.contains("电话回访"), "the follow-up card says how");
    assert!(
        !page.contains("id=\"call-card\""),
        "no call left to prepare"
    );
}
