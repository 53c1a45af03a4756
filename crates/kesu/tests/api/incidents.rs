//! Problem management on a real server: a duplicate merged (both histories, the customer's
//! link), related cases linked, a spike of one SKU found in generated data while the usual
//! daily rate is not, and an incident's customers answered at once, each reply checked.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, file_public_complaint, page_text, problem, TestApp};
use crate::on_both_backends;
use kesu_web::Clock;

on_both_backends!(
    a_duplicate_is_merged_into_the_customers_other_case_and_its_link_follows,
    related_cases_are_linked_both_ways_once,
    a_burst_of_one_sku_opens_an_incident_and_the_usual_daily_rate_does_not,
    an_incidents_customers_are_answered_at_once_each_reply_checked,
);

fn actions(history: &[Value]) -> Vec<String> {
    history
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

async fn a_duplicate_is_merged_into_the_customers_other_case_and_its_link_follows(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let fields_of = |text: &'static str| {
        vec![
            ("name", "王小明"),
            ("phone", "13812345678"),
            ("category", "logistics"),
            ("demand", "reship"),
            ("description", text),
        ]
    };
    let (_, _, first_link) =
        file_public_complaint(&app.url(""), &fields_of("快递三天没动了")).await;
    let (browser, _, second_link) =
        file_public_complaint(&app.url(""), &fields_of("快递三天没动了，再问一次")).await;
    let listed: Value = app.get(&amy, "/api/v1/cases").await.json().await.unwrap();
    let ids: Vec<i64> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    let (first, second) = (*ids.iter().min().unwrap(), *ids.iter().max().unwrap());
    let first_number = app.case(&amy, first).await["number"]
        .as_str()
        .unwrap()
        .to_owned();
    // Someone else's case cannot take it: link those instead.
    let mut someone_else = complaint();
    someone_else["complainant"] = json!({"name": "李雷", "phone": "13900001111"});
    let other = app.register(&amy, &someone_else).await;
    let r = app
        .post(
            &amy,
            &format!("/api/v1/cases/{second}/merge"),
            &json!({"into": other["number"]}),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["into"]);
    let r = app
        .post(
            &amy,
            &format!("/api/v1/cases/{second}/merge"),
            &json!({"into": first_number}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let merged: Value = r.json().await.unwrap();
    assert_eq!(merged["duplicate"]["status"], "closed");
    assert_eq!(merged["duplicate"]["merged_into"], first);
    assert_eq!(merged["survivor"]["status"], "registered");
    let dup = app.case(&amy, second).await;
    assert_eq!(dup["closing"]["outcome"], "merged");
    assert!(actions(&app.history(&amy, second).await).contains(&"merged_into".to_owned()));
    let kept = app.history(&amy, first).await;
    let note = kept
        .iter()
        .find(|e| e["action"] == "merged")
        .expect("the survivor says so");
    assert_eq!(note["data"]["from"], second);
    // The duplicate's link now opens the case that carries on; the first link still does.
    let page = page_text(&browser, &app.url(&format!("/s/{second_link}"))).await;
    assert!(page.contains(&first_number), "{page}");
    let page = page_text(&browser, &app.url(&format!("/s/{first_link}"))).await;
    assert!(page.contains(&first_number));
    // Merged once is merged: again is refused, and nothing changes.
    let r = app
        .post(
            &amy,
            &format!("/api/v1/cases/{second}/merge"),
            &json!({"into": first_number}),
        )
        .await;
    problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
}

async fn related_cases_are_linked_both_ways_once(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let a = app.register(&amy, &complaint()).await;
    let mut other = complaint();
    other["complainant"] = json!({"name": "李雷", "phone": "13900001111"});
    let b = app.register(&amy, &other).await;
    let (a_id, b_id) = (a["id"].as_i64().unwrap(), b["id"].as_i64().unwrap());
    let path = format!("/api/v1/cases/{a_id}/links");
    let r = app.post(&amy, &path, &json!({"case": b["number"]})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let r = app
        .post(
            &amy,
            &format!("/api/v1/cases/{b_id}/links"),
            &json!({"case": a_id.to_string()}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "already linked");
    let from_b: Vec<Value> = app
        .get(&amy, &format!("/api/v1/cases/{b_id}/links"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(from_b.len(), 1);
    assert_eq!(from_b[0]["number"], a["number"]);
    for id in [a_id, b_id] {
        let linked = actions(&app.history(&amy, id).await)
            .iter()
            .filter(|a| *a == "case_linked")
            .count();
        assert_eq!(linked, 1, "case {id}");
    }
    let p = problem(
        app.post(&amy, &path, &json!({"case": "KS-19990101-0001"}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["case"]);
}

/// One order and its complaint about `sku`, received `ago` before the clock.
async fn complaint_about(
    app: &TestApp,
    token: &str,
    n: usize,
    sku: &str,
    carrier: &str,
    ago: Duration,
) {
    let no = format!("TB2026{n:06}");
    let received = app.clock.now() - ago;
    let order = json!({
        "shop": "tmall-main", "buyer": {"name": "顾客"},
        "placed_at": (received - Duration::days(3)).to_rfc3339(),
        "lines": [{"line_id": "A", "sku": sku, "unit_price_cents": 5900, "quantity": 1}],
        "shipments": [{"carrier": carrier, "tracking_no": format!("T{n:08}"),
                       "shipped_at": (received - Duration::days(2)).to_rfc3339(),
                       "lines": [{"line_id": "A", "quantity": 1}]}]
    });
    let r = app.put_order(token, &no, &order).await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let mut c = complaint();
    c["order_no"] = json!(no);
    c["tracking_no"] = Value::Null;
    c["complainant"] = json!({"name": "顾客", "phone": format!("139{n:08}")});
    c["received_at"] = json!(received.to_rfc3339());
    app.register(token, &c).await;
}

async fn a_burst_of_one_sku_opens_an_incident_and_the_usual_daily_rate_does_not(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let sue = app.user("sue", "supervisor", None).await;
    let admin = app.admin().await;
    // Seven trailing days of 6-hour windows; an incident of 8 cases is wide.
    let settings = json!({"rule": {"window_hours": 6, "min_count": 5, "factor": 3, "trailing_days": 7},
                          "wide": {"cases": 8, "shops": 3}});
    assert_eq!(
        app.put(&admin, "/api/v1/incidents/settings", &settings)
            .await
            .status(),
        StatusCode::OK
    );
    let bad = json!({"rule": {"window_hours": 0, "min_count": 5, "factor": 3, "trailing_days": 7}});
    let p = problem(
        app.put(&admin, "/api/v1/incidents/settings", &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["rule.window_hours"]);
    // The usual: twenty complaints a day, evenly, over seven days, about two SKUs through
    // two carriers (five in every six hours).
    let mut n = 0;
    for i in 0..140 {
        n += 1;
        let sku = if i % 2 == 0 { "TEE-L" } else { "SOCK-1" };
        let carrier = if (i / 2) % 2 == 0 { "sf" } else { "yto" };
        complaint_about(&app, &amy, n, sku, carrier, Duration::minutes(72 * i + 7)).await;
    }
    let found: Vec<Value> = app
        .post(&sue, "/api/v1/incidents/detect", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert!(found.is_empty(), "the usual rate is no incident: {found:?}");
    // Then six complaints about one mug within three hours.
    for m in 0..6 {
        n += 1;
        let carrier = if m % 2 == 0 { "sf" } else { "yto" };
        complaint_about(&app, &amy, n, "MUG-1", carrier, Duration::minutes(30 * m)).await;
    }
    let found: Vec<Value> = app
        .post(&sue, "/api/v1/incidents/detect", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
    let incident = &found[0];
    assert_eq!(
        (incident["dimension"].as_str(), incident["key"].as_str()),
        (Some("sku"), Some("MUG-1"))
    );
    assert_eq!(incident["detected"], true);
    assert_eq!(incident["case_ids"].as_array().unwrap().len(), 6);
    assert!(incident["title"].as_str().unwrap().contains("MUG-1"));
    assert!(
        incident["escalated_at"].is_null(),
        "six cases are not wide yet"
    );
    // A later round adds new complaints to the same incident; at eight it goes to the admin.
    for m in 0..2 {
        n += 1;
        let carrier = if m % 2 == 0 { "sf" } else { "yto" };
        complaint_about(&app, &amy, n, "MUG-1", carrier, Duration::minutes(5 + m)).await;
    }
    let found: Vec<Value> = app
        .post(&sue, "/api/v1/incidents/detect", &json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found[0]["id"], incident["id"]);
    assert_eq!(found[0]["case_ids"].as_array().unwrap().len(), 8);
    assert!(found[0]["escalated_at"].is_string());
    let all: Vec<Value> = app
        .get(&sue, "/api/v1/incidents")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.len(), 1);
    // Each case's history says it joined the incident.
    let id = found[0]["case_ids"][0].as_i64().unwrap();
    assert!(actions(&app.history(&amy, id).await).contains(&"incident".to_owned()));
    problem(
        app.post(&amy, "/api/v1/incidents/detect", &json!({})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn an_incidents_customers_are_answered_at_once_each_reply_checked(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let sue = app.user("sue", "supervisor", None).await;
    let mut numbers = Vec::new();
    for (i, phone) in ["13800000001", "13800000002", "13800000003"]
        .iter()
        .enumerate()
    {
        let mut c = complaint();
        c["complainant"] = json!({"name": format!("顾客{i}"), "phone": phone});
        numbers.push(
            app.register(&amy, &c).await["number"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let r = app
        .post(
            &sue,
            "/api/v1/incidents",
            &json!({"title": "双十一满减规则错误", "cases": numbers, "note": "运营配置错误"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let incident: Value = r.json().await.unwrap();
    let id = incident["id"].as_i64().unwrap();
    problem(
        app.post(
            &amy,
            "/api/v1/incidents",
            &json!({"title": "x", "cases": []}),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let p = problem(
        app.post(
            &sue,
            "/api/v1/incidents",
            &json!({"title": "x", "cases": ["KS-19990101-0001"]}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["cases[0]"]);
    // A reply that buys a good review is refused on every case, nothing sent.
    let reply = format!("/api/v1/incidents/{id}/reply");
    let out: Vec<Value> = app
        .post(
            &sue,
            &reply,
            &json!({"text": "给好评返现5元，麻烦您改一下评价"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(out.len(), 3);
    assert!(
        out.iter()
            .all(|o| o["done"] == false && o["error"].is_string()),
        "{out:?}"
    );
    // A fair one reaches every customer, each as a reply on their own case.
    let text = "您好，满减规则配置有误，我们将为您补发差价，给您带来不便非常抱歉。";
    let out: Vec<Value> = app
        .post(&sue, &reply, &json!({"text": text}))
        .await
        .json()
        .await
        .unwrap();
    assert!(out.iter().all(|o| o["done"] == true), "{out:?}");
    let detail: Value = app
        .get(&sue, &format!("/api/v1/incidents/{id}"))
        .await
        .json()
        .await
        .unwrap();
    for c in detail["cases"].as_array().unwrap() {
        let h = app.history(&amy, c["id"].as_i64().unwrap()).await;
        let replies: Vec<&Value> = h.iter().filter(|e| e["action"] == "comment").collect();
        assert_eq!(replies.len(), 1);
        assert_eq!(replies[0]["data"]["text"], text);
        assert!(actions(&h).contains(&"incident".to_owned()));
    }
    // One proposal for all: cases not yet at that step say so, none is changed.
    let out: Vec<Value> = app
        .post(
            &sue,
            &format!("/api/v1/incidents/{id}/propose"),
            &json!({"options": [{"kind": "compensate", "amount_cents": 1000}]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(out.iter().all(|o| o["done"] == false), "{out:?}");
    // Tied to an improvement action, then resolved.
    let imp: Value = app
        .post(
            &sue,
            "/api/v1/improvements",
            &json!({"title": "促销配置双人复核", "root_cause": "process",
              "owner": "运营部", "due_on": "2026-12-31"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let r = app
        .client
        .patch(app.url(&format!("/api/v1/incidents/{id}")))
        .bearer_auth(&sue)
        .json(&json!({"improvement_id": imp["id"], "status": "resolved"}))
        .send()
        .await
        .unwrap();
    let done: Value = r.json().await.unwrap();
    assert_eq!(
        (done["status"].as_str(), done["improvement_id"].clone()),
        (Some("resolved"), imp["id"].clone())
    );
}
