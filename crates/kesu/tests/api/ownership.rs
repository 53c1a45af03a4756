//! Someone owns every case: the registering agent, or whoever takes (认领) an unowned one from
//! the queue; bulk assignment from the queue; saved views; the customer's earlier cases.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, file_public_complaint, page_text, TestApp};

crate::on_both_backends!(
    an_agent_takes_an_unowned_case_once_and_the_api_refuses_a_second_taker,
    bulk_assignment_assigns_what_it_may_and_names_what_it_may_not,
);

async fn an_agent_takes_an_unowned_case_once_and_the_api_refuses_a_second_taker(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let bob = app.user("bob", "agent", None).await;
    let auditor = app.user("al", "auditor", None).await;
    let (_, _, _) = file_public_complaint(
        &app.url(""),
        &[
            ("name", "王小明"),
            ("phone", "13812345678"),
            ("category", "logistics"),
            ("demand", "reship"),
            ("description", "显示已签收但没收到"),
        ],
    )
    .await;
    let listed: Value = app.get(&amy, "/api/v1/cases").await.json().await.unwrap();
    let id = listed["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        listed["items"][0]["assignee"],
        Value::Null,
        "the customer's filing is unowned"
    );

    // The queue's 待认领 view lists it with a 认领 button; the agent's own view does not.
    let (client, csrf) = browser(&app, "amy", "pass-word-1").await;
    let unowned = page_text(&client, &app.url("/?view=unowned")).await;
    assert!(
        unowned.contains("KS-20261123-0001") && unowned.contains("认领"),
        "{unowned}"
    );
    let mine = page_text(&client, &app.url("/?view=mine")).await;
    assert!(!mine.contains("KS-20261123-0001"));

    let r = app.act(&auditor, id, json!({"action": "take"})).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN, "auditors take no cases");
    let r = client
        .post(app.url("/queue/take"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("take", &id.to_string()),
            ("back", "view=unowned"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        r.headers()["location"].to_str().unwrap(),
        format!("/cases/{id}"),
        "the case opens, ready to work on"
    );
    assert_eq!(app.case(&amy, id).await["assignee"], "amy");
    let history = app.history(&amy, id).await;
    let last = history.last().unwrap();
    assert_eq!(
        (last["action"].as_str(), last["actor"].as_str()),
        (Some("assign"), Some("amy"))
    );
    let mine = page_text(&client, &app.url("/?view=mine")).await;
    assert!(mine.contains("KS-20261123-0001"));

    // Taken is taken: a colleague is told, and the case stays amy's.
    let r = app.act(&bob, id, json!({"action": "take"})).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert_eq!(app.case(&bob, id).await["assignee"], "amy");
}

async fn bulk_assignment_assigns_what_it_may_and_names_what_it_may_not(app: TestApp) {
    let sam = app.user("sam", "supervisor", None).await;
    app.user("wu", "department", Some("logistics")).await;
    let first = app.register(&sam, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let second = app.register(&sam, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    // Only the first is routed to the warehouse, so only it can go to wu.
    app.act_ok(&sam, first, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &sam,
        first,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;

    let (client, csrf) = browser(&app, "sam", "pass-word-1").await;
    let r = client
        .post(app.url("/queue/assign"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("back", "view=open"),
            ("user", "wu"),
            ("case", &first.to_string()),
            ("case", &second.to_string()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "the queue says what happened");
    let page = r.text().await.unwrap();
    assert!(page.contains("已指派案件数： 1"), "{page}");
    assert!(
        page.contains("KS-20261123-0002"),
        "the case that could not go is named: {page}"
    );
    assert_eq!(app.case(&sam, first).await["assignee"], "wu");
    assert_eq!(app.case(&sam, second).await["assignee"], "sam", "unchanged");

    // Nothing ticked: said so, nothing changed.
    let r = client
        .post(app.url("/queue/assign"))
        .form(&[("_csrf", csrf.as_str()), ("user", "sam")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("请先勾选"));
}

#[tokio::test]
async fn the_queue_shows_open_cases_by_default_and_keeps_saved_views() {
    let app = TestApp::sqlite().await;
    let amy = app.user("amy", "agent", None).await;
    let open = app.register(&amy, &complaint()).await;
    let mut closing = complaint();
    closing["description"] = json!("超出售后期的投诉");
    let closed = app.register(&amy, &closing).await["id"].as_i64().unwrap();
    app.act_ok(
        &amy,
        closed,
        json!({"action": "comment", "text": "您好，我们已收到您的反馈", "internal": false}),
    )
    .await;
    app.act_ok(
        &amy,
        closed,
        json!({"action": "judge", "valid": false, "reason": "超出售后期"}),
    )
    .await;
    let (client, csrf) = browser(&app, "amy", "pass-word-1").await;
    let queue = page_text(&client, &app.url("/")).await;
    assert!(queue.contains(open["number"].as_str().unwrap()));
    assert!(
        !queue.contains("KS-20261123-0002"),
        "closed cases wait in 已结案"
    );
    let done = page_text(&client, &app.url("/?view=closed")).await;
    assert!(done.contains("KS-20261123-0002"));

    let r = client
        .post(app.url("/queue/views"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", "破损件"),
            ("query", "view=open&category=damaged&evil=1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let queue = page_text(&client, &app.url("/")).await;
    assert!(
        queue.contains("href=\"/?view=open&amp;category=damaged\">破损件</a>"),
        "the view is kept, with only the queue's own parameters: {queue}"
    );
    let r = client
        .post(app.url("/queue/views"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("name", ""),
            ("query", "view=open"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "a view needs a name"
    );
    let r = client
        .post(app.url("/queue/views/delete"))
        .form(&[("_csrf", csrf.as_str()), ("name", "破损件")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!page_text(&client, &app.url("/"))
        .await
        .contains("破损件</a>"));
}

#[tokio::test]
async fn the_case_page_shows_the_customers_earlier_cases_and_the_shop() {
    let app = TestApp::sqlite().await;
    let amy = app.user("amy", "agent", None).await;
    let r = app
        .put_order(
            &amy,
            "TB20261111001",
            &json!({"shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678"},
                    "placed_at": "2026-11-11T00:05:00+08:00",
                    "lines": [{"line_id": "A", "sku": "CUP", "unit_price_cents": 5900, "quantity": 1}]}),
        )
        .await;
    assert!(r.status().is_success());
    let earlier = app.register(&amy, &complaint()).await;
    let mut other = complaint();
    other["complainant"] = json!({"name": "李雷", "phone": "13900001111"});
    other["order_no"] = Value::Null;
    app.register(&amy, &other).await;
    let mut again = complaint();
    again["order_no"] = Value::Null;
    let now = app.register(&amy, &again).await["id"].as_i64().unwrap();

    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let page = page_text(&client, &app.url(&format!("/cases/{now}"))).await;
    let history = page
        .split("id=\"earlier-cases\"")
        .nth(1)
        .and_then(|rest| rest.split("</ul>").next())
        .expect("the earlier cases are listed");
    assert!(
        history.contains(earlier["number"].as_str().unwrap()),
        "found by phone: {history}"
    );
    assert!(
        !history.contains("KS-20261123-0002"),
        "another customer's case is not: {history}"
    );
    let first = page_text(&client, &app.url(&format!("/cases/{}", earlier["id"]))).await;
    assert!(
        first.contains("<span class=\"shop\">旗舰店</span>"),
        "the shop is named"
    );
}
