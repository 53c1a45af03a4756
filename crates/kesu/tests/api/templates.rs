//! Reply scripts (话术): the library admins edit, and the scripts a case's reply box offers,
//! filled with the case's own data.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    admins_edit_the_library_and_bad_scripts_are_refused_by_field,
    a_case_is_offered_the_scripts_of_its_category_and_step_filled_with_its_data
);

fn script(id: &str, body: &str) -> Value {
    json!({"id": id, "scenario": "progress", "category": "logistics", "language": "zh-CN",
           "title": "已催件", "body": body})
}

async fn admins_edit_the_library_and_bad_scripts_are_refused_by_field(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;

    // Agents read the library but do not change it.
    let r = app
        .get(
            &agent,
            "/api/v1/templates?category=logistics&language=zh-CN",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let list: Vec<Value> = r.json().await.unwrap();
    assert!(list.iter().any(|t| t["id"] == "first-logistics"));
    assert!(list.iter().all(|t| t["language"] == "zh-CN"));
    assert!(list
        .iter()
        .all(|t| t["category"] == "logistics" || t["category"].is_null()));
    let r = app
        .post(
            &agent,
            "/api/v1/templates",
            &script("chased", "{order_no} 已催"),
        )
        .await;
    problem(r, StatusCode::FORBIDDEN).await;

    // A variable the library does not know is refused, naming the body and the known ones.
    let r = app
        .post(
            &admin,
            "/api/v1/templates",
            &script("chased", "{order_number} 已催"),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["body"]);
    assert!(p.to_string().contains("order_no"), "{p}");
    let r = app
        .post(&admin, "/api/v1/templates", &script("Bad Id", "好"))
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["id"]
    );

    let r = app
        .post(
            &admin,
            "/api/v1/templates",
            &script("chased", "{customer_name}您好，订单 {order_no} 已为您催件"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .post(&admin, "/api/v1/templates", &script("chased", "again"))
        .await;
    problem(r, StatusCode::CONFLICT).await;

    let edited = script(
        "chased",
        "{customer_name}您好，{carrier} 已答复尽快派送 {tracking_no}",
    );
    let r = app
        .client
        .put(app.url("/api/v1/templates/chased"))
        .bearer_auth(&admin)
        .json(&edited)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = app.get(&agent, "/api/v1/templates/chased").await;
    assert_eq!(r.json::<Value>().await.unwrap()["body"], edited["body"]);

    let delete = |token: String| {
        app.client
            .delete(app.url("/api/v1/templates/chased"))
            .bearer_auth(token)
            .send()
    };
    assert_eq!(
        delete(agent.clone()).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        delete(admin.clone()).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let r = app.get(&agent, "/api/v1/templates/chased").await;
    problem(r, StatusCode::NOT_FOUND).await;
    // The built-in scripts are still there after the edits.
    let r = app.get(&agent, "/api/v1/templates").await;
    let all: Vec<Value> = r.json().await.unwrap();
    assert!(all.len() >= 20, "{}", all.len());
}

async fn a_case_is_offered_the_scripts_of_its_category_and_step_filled_with_its_data(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());
    let mut form = complaint();
    form["category"] = json!("logistics");
    let case = app.register(&agent, &form).await;
    let id = case["id"].as_i64().unwrap();
    let number = case["number"].as_str().unwrap().to_owned();

    let r = app
        .get(&agent, &format!("/api/v1/cases/{id}/templates"))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let offered: Vec<Value> = r.json().await.unwrap();
    // A new logistics case: the logistics first reply first, then the general one.
    assert_eq!(offered[0]["id"], "first-logistics");
    assert_eq!(offered[1]["id"], "first-general");
    let text = offered[0]["text"].as_str().unwrap();
    // The customer reads the carrier's name, not its code.
    for part in ["王小明您好", "TB20261111001", "圆通速递 YT1234567890"] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert!(offered[1]["text"].as_str().unwrap().contains(&number));
    assert_eq!(offered[0]["missing"], json!([]));
    assert!(offered.iter().all(|t| t["language"] == "zh-CN"));
    let r = app
        .get(&agent, &format!("/api/v1/cases/{id}/templates?language=en"))
        .await;
    let en: Vec<Value> = r.json().await.unwrap();
    assert_eq!(en[0]["id"], "first-logistics-en");
    let english = en[0]["text"].as_str().unwrap();
    assert!(
        english.contains("by 25 Nov") && !english.contains('月'),
        "{english}"
    );

    // Once a refund is on offer, the offer scripts come first, with the amount filled.
    app.act_ok(&agent, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    let warehouse = app.user("wang", "department", Some("logistics")).await;
    app.act_ok(&warehouse, id, json!({"action": "analyse", "root_cause": "carrier", "liability": "carrier", "findings": "快递确认丢件"}))
        .await;
    app.act_ok(&agent, id, json!({"action": "propose", "options": [{"kind": "partial_refund", "amount_cents": 23500}]}))
        .await;
    let r = app
        .get(&agent, &format!("/api/v1/cases/{id}/templates"))
        .await;
    let offered: Vec<Value> = r.json().await.unwrap();
    assert_eq!(offered[0]["id"], "offer-logistics", "{offered:?}");
    assert!(offered[0]["text"].as_str().unwrap().contains("¥235.00"));

    // A case the reader may not see offers nothing.
    let other = app.user("dora", "department", Some("quality")).await;
    let r = app
        .get(&other, &format!("/api/v1/cases/{id}/templates"))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
