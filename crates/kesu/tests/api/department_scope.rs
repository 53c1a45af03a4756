//! Department users see and take only their department's cases: nobody can hand them
//! another department's case, and the logistics board shows them only their own.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(cases_and_logistics_exceptions_stay_within_their_department);

async fn cases_and_logistics_exceptions_stay_within_their_department(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let warehouse = app.user("wu", "department", Some("logistics")).await;
    let quality = app.user("qi", "department", Some("quality")).await;
    app.user("sam", "supervisor", None).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());
    // A refused parcel opens a case with a logistics exception.
    let r = app
        .post(
            &agent,
            "/api/v1/tracking/events",
            &json!({"carrier": "yto", "tracking_no": "YT1234567890",
                    "at": "2026-11-13T15:00:00+08:00", "status": "refused", "text": "客户拒签"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let list: Value = app
        .get(&agent, "/api/v1/cases?channel=platform")
        .await
        .json()
        .await
        .unwrap();
    let id = list["items"][0]["id"].as_i64().unwrap();
    app.act_ok(
        &agent,
        id,
        json!({"action": "judge", "valid": true, "reason": "拒签"}),
    )
    .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;

    // Assigning it to the quality department's user is refused, naming the field.
    let r = app
        .act(&agent, id, json!({"action": "assign", "user": "qi"}))
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["user"]);
    assert!(p["detail"].as_str().unwrap().contains("logistics"), "{p}");
    // Its own department's user, an agent or a supervisor may take it.
    for user in ["wu", "sam", "amy"] {
        app.act_ok(&agent, id, json!({"action": "assign", "user": user}))
            .await;
    }

    // The board: quality sees nothing of logistics' cases and orders; logistics does.
    let board = |token: String| {
        let app = &app;
        async move {
            let r = app.get(&token, "/api/v1/logistics/exceptions").await;
            assert_eq!(r.status(), StatusCode::OK);
            r.json::<Vec<Value>>().await.unwrap()
        }
    };
    let mine = board(warehouse).await;
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["case_id"], id);
    let theirs = board(quality).await;
    assert!(theirs.is_empty(), "{theirs:?}");
    assert_eq!(board(agent).await.len(), 1);
}
