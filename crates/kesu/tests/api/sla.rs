//! Service levels through the API, with a clock the test moves and the worker's rounds run
//! by hand: warnings, escalation and reminders fire once each; waiting on the customer and
//! business hours move deadlines.

use chrono::Duration;
use kesu_web::AppState;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_late_case_is_warned_escalated_and_reminded_once_each,
    waiting_on_the_customer_and_office_hours_move_the_deadline,
    consumer_association_cases_record_their_referral_and_appraisal,
);

async fn round(app: &TestApp) -> usize {
    let state = AppState::new(app.store.clone(), app.clock.clone(), app.search.clone());
    kesu_app::worker::round(&state.store, state.clock.now(), "test-worker")
        .await
        .unwrap()
}

async fn events(app: &TestApp, token: &str, id: i64) -> Vec<Value> {
    app.get(token, &format!("/api/v1/cases/{id}/events"))
        .await
        .json()
        .await
        .unwrap()
}

/// `(action, clock)` of the SLA entries in the history.
async fn sla_entries(app: &TestApp, token: &str, id: i64) -> Vec<(String, String)> {
    events(app, token, id)
        .await
        .into_iter()
        .filter(|e| e["action"].as_str().unwrap().starts_with("sla_"))
        .map(|e| {
            (
                e["action"].as_str().unwrap().to_owned(),
                e["data"]["clock"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn a_late_case_is_warned_escalated_and_reminded_once_each(app: TestApp) {
    let agent = app.user("li", "agent", None).await;
    let mut body = complaint();
    body["channel"] = json!("platform");
    body.as_object_mut().unwrap().remove("received_at");
    let case: Value = app
        .post(&agent, "/api/v1/cases", &body)
        .await
        .json()
        .await
        .unwrap();
    let id = case["id"].as_i64().unwrap();
    let received = crate::helpers::t0();
    assert_eq!(
        case["deadlines"]["first_response_by"],
        json!((received + Duration::hours(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    );
    let first_response = |entries: &[(String, String)]| -> Vec<String> {
        entries
            .iter()
            .filter(|(_, clock)| clock == "first_response")
            .map(|(a, _)| a.clone())
            .collect()
    };

    assert_eq!(round(&app).await, 0, "nothing is due at once");
    app.clock.advance(Duration::minutes(46));
    round(&app).await;
    round(&app).await;
    assert_eq!(
        first_response(&sla_entries(&app, &agent, id).await),
        ["sla_warning"]
    );

    app.clock.advance(Duration::minutes(15));
    round(&app).await;
    round(&app).await;
    let history = events(&app, &agent, id).await;
    let breach = history
        .iter()
        .find(|e| e["action"] == "sla_breach")
        .expect("the breach is recorded");
    assert_eq!(breach["data"]["escalated_to"], "supervisor");
    assert_eq!(breach["actor"], "sla-timer");

    // Reminders every two hours until the agent answers; a round that finds nothing due
    // fires nothing.
    app.clock.advance(Duration::hours(2));
    round(&app).await;
    app.clock.advance(Duration::hours(2));
    round(&app).await;
    round(&app).await;
    assert_eq!(
        first_response(&sla_entries(&app, &agent, id).await),
        ["sla_warning", "sla_breach", "sla_reminder", "sla_reminder"]
    );

    // The supervisor sees it among the escalations, with its reminders.
    app.user("zhao", "supervisor", None).await;
    let (page, _) = crate::helpers::browser(&app, "zhao", "pass-word-1").await;
    let html = page
        .get(app.url("/approvals"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let escalations = html.split("id=\"escalations\"").nth(1).unwrap();
    assert!(
        escalations.contains(case["number"].as_str().unwrap()),
        "{escalations}"
    );
    assert!(escalations.contains("首次响应"));

    // The agent answers: the first-response reminders stop.
    let r = app
        .post(
            &agent,
            &format!("/api/v1/cases/{id}/actions"),
            &json!({"action": "comment", "version": 1, "text": "亲，非常抱歉给您带来不便，我们马上为您处理。"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let answered: Value = r.json().await.unwrap();
    assert_eq!(
        answered["version"], 2,
        "SLA entries do not bump the version"
    );
    app.clock.advance(Duration::hours(6));
    round(&app).await;
    assert_eq!(
        first_response(&sla_entries(&app, &agent, id).await),
        ["sla_warning", "sla_breach", "sla_reminder", "sla_reminder"]
    );
    // The history stays in order: sequence numbers run without gaps.
    let html = page
        .get(app.url("/approvals"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        !html.contains("首次响应"),
        "answered: no longer escalated for its first response"
    );
    let seqs: Vec<i64> = events(&app, &agent, id)
        .await
        .iter()
        .map(|e| e["seq"].as_i64().unwrap())
        .collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
}

async fn waiting_on_the_customer_and_office_hours_move_the_deadline(app: TestApp) {
    let admin = app.admin().await;
    let mut policy: Value = app
        .get(&admin, "/api/v1/policy")
        .await
        .json()
        .await
        .unwrap();
    let office = json!({"start_minute": 540, "end_minute": 1080});
    policy["calendar"] = json!({
        "week": [office, office, office, office, office, null, null],
        "holidays": ["2026-11-24"], "extra_workdays": []
    });
    policy["deadlines"]["resolve_hours"] = json!(16);
    let r = app
        .client
        .put(app.url("/api/v1/policy"))
        .bearer_auth(&admin)
        .json(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());

    let agent = app.user("li", "agent", None).await;
    let mut body = complaint();
    body.as_object_mut().unwrap().remove("received_at");
    // Monday 10:00: 8 h Monday, Tuesday is a holiday, 8 h Wednesday → Wednesday 17:00.
    let case: Value = app
        .post(&agent, "/api/v1/cases", &body)
        .await
        .json()
        .await
        .unwrap();
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["deadlines"]["resolve_by"], "2026-11-25T09:00:00Z");

    app.clock.advance(Duration::hours(2));
    let act = |body: Value| {
        let app = &app;
        let agent = agent.clone();
        async move {
            let r = app
                .post(&agent, &format!("/api/v1/cases/{id}/actions"), &body)
                .await;
            let status = r.status();
            let v: Value = r.json().await.unwrap();
            assert_eq!(status, StatusCode::OK, "{v}");
            v
        }
    };
    let waiting =
        act(json!({"action": "wait_customer", "version": 1, "reason": "请顾客补充破损照片"})).await;
    assert_eq!(waiting["deadlines"]["resolve_by"], Value::Null);
    assert_eq!(waiting["pauses"][0]["until"], Value::Null);
    // Asking the customer answers them; while the clock is stopped nothing is due, however
    // long the customer takes (Monday 12:00 to Wednesday 10:00).
    app.clock.advance(Duration::hours(46));
    round(&app).await;
    assert_eq!(sla_entries(&app, &agent, id).await, []);

    // Resumed Wednesday 10:00: 14 h remain → Wednesday 10–18, Thursday 9–15.
    let resumed = act(json!({"action": "resume", "version": 2, "note": "顾客已上传照片"})).await;
    assert_eq!(resumed["deadlines"]["resolve_by"], "2026-11-26T07:00:00Z");
    let history = events(&app, &agent, id).await;
    let resume = history.iter().find(|e| e["action"] == "resume").unwrap();
    assert_eq!(resume["data"]["waited_minutes"], 46 * 60);
}

async fn consumer_association_cases_record_their_referral_and_appraisal(app: TestApp) {
    let agent = app.user("li", "agent", None).await;
    let supervisor = app.user("zhao", "supervisor", None).await;
    let mut body = complaint();
    body["channel"] = json!("consumer_association");
    body["referral"] = json!({"body": "杭州市西湖区消费者权益保护委员会", "jurisdiction": "county",
        "reference": "XH-2026-0153", "filed_at": "2026-11-20T09:00:00+08:00"});
    let r = app.post(&agent, "/api/v1/cases", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let case: Value = r.json().await.unwrap();
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["referral"]["jurisdiction"], "county");
    assert_eq!(case["deadlines"]["resolve_by"], "2026-12-05T01:00:00Z");

    // A referral on another channel is refused, naming the field.
    let mut wrong = complaint();
    wrong["referral"] = body["referral"].clone();
    let r = app.post(&agent, "/api/v1/cases", &wrong).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("\"referral\""));

    let act = |token: String, body: Value| {
        let app = &app;
        async move {
            app.post(&token, &format!("/api/v1/cases/{id}/actions"), &body)
                .await
        }
    };
    assert_eq!(
        act(
            agent.clone(),
            json!({"action": "judge", "version": 1, "valid": true})
        )
        .await
        .status(),
        200
    );
    assert_eq!(
        act(
            agent.clone(),
            json!({"action": "route", "version": 2, "department": "quality"})
        )
        .await
        .status(),
        200
    );
    // Without a liability finding the payer must be named.
    let r = act(
        agent.clone(),
        json!({"action": "record_appraisal", "version": 3,
        "appraiser": "浙江省轻工业品质量检验研究院", "cost_cents": 80000}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("payer"));
    assert_eq!(
        act(
            supervisor.clone(),
            json!({"action": "analyse", "version": 3,
        "liability": "supplier", "root_cause": "product", "findings": "杯壁厚度不达标"})
        )
        .await
        .status(),
        200
    );
    let r = act(agent.clone(), json!({"action": "record_appraisal", "version": 4,
        "appraiser": "浙江省轻工业品质量检验研究院", "cost_cents": 80000, "conclusion": "杯壁厚度不符合国标"})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let c: Value = r.json().await.unwrap();
    assert_eq!(
        c["appraisal"]["payer"], "supplier",
        "the party found liable pays"
    );
    assert_eq!(c["appraisal"]["cost_cents"], 80000);
    let r = act(
        agent.clone(),
        json!({"action": "record_referral", "version": 5,
        "body": "杭州市消费者权益保护委员会", "jurisdiction": "city", "reference": "HZ-2026-88"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    let c: Value = r.json().await.unwrap();
    assert_eq!(c["referral"]["jurisdiction"], "city");
    // Corrected without a filing date: the 15 days count from receipt.
    assert_eq!(c["deadlines"]["resolve_by"], "2026-12-08T01:30:00Z");
}
