//! A customer's link is the key to their case: it keeps opening the case while it is open and
//! for 90 days after it closed, then no more.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{file_public_complaint, TestApp};
use crate::on_both_backends;
use kesu_web::Clock;

async fn a_link_stops_opening_its_case_90_days_after_it_closed(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let (browser, _, link) = file_public_complaint(
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
    let status = |path: String| {
        let browser = browser.clone();
        let url = app.url(&path);
        async move { browser.get(url).send().await.unwrap().status() }
    };
    assert_eq!(status(format!("/s/{link}")).await, StatusCode::OK);
    // Judged not a complaint: the case closes.
    let r = app
        .act(
            &amy,
            id,
            json!({"action": "judge", "valid": false, "reason": "重复投诉"}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    assert_eq!(app.case(&amy, id).await["status"], "closed");
    app.clock.set(app.clock.now() + Duration::days(89));
    assert_eq!(
        status(format!("/s/{link}")).await,
        StatusCode::OK,
        "still within 90 days"
    );
    app.clock.set(app.clock.now() + Duration::days(2));
    assert_eq!(
        status(format!("/s/{link}")).await,
        StatusCode::NOT_FOUND,
        "expired"
    );
}

on_both_backends!(a_link_stops_opening_its_case_90_days_after_it_closed);
