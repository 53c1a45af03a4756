//! Personal data: full for roles that talk to customers, masked for departments and auditors.

use serde_json::{json, Value};

use crate::helpers::{complaint, TestApp};
use crate::on_both_backends;

on_both_backends!(personal_data_is_masked_for_roles_that_do_not_need_it);

async fn personal_data_is_masked_for_roles_that_do_not_need_it(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let warehouse = app.user("wu", "department", Some("logistics")).await;
    let quality = app.user("qi", "department", Some("quality")).await;
    let auditor = app.user("al", "auditor", None).await;
    let id = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(&agent, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;

    let full = app.case(&agent, id).await;
    assert_eq!(
        full["complainant"],
        json!({"name": "王小明", "phone": "13812345678", "email": "xiaoming@example.com", "masked": false})
    );
    for token in [&warehouse, &auditor] {
        let masked = app.case(token, id).await;
        assert_eq!(
            masked["complainant"],
            json!({"name": "王**", "phone": "138****5678", "email": "x***@example.com", "masked": true})
        );
        let list: Value = app.get(token, "/api/v1/cases").await.json().await.unwrap();
        assert_eq!(list["items"][0]["complainant"]["phone"], "138****5678");
        let text = app
            .get(token, &format!("/api/v1/cases/{id}/events"))
            .await
            .text()
            .await
            .unwrap();
        assert!(
            !text.contains("13812345678") && !text.contains("小明"),
            "{text}"
        );
        // Searching by the phone number must not reveal whose case it is.
        let found: Value = app
            .get(token, "/api/v1/cases?q=13812345678")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(found["total"], 0);
    }
    let found: Value = app
        .get(&agent, "/api/v1/cases?q=13812345678")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["total"], 1);
    // Another department does not see the case at all.
    assert_eq!(
        app.get(&quality, &format!("/api/v1/cases/{id}"))
            .await
            .status(),
        404
    );
    let list: Value = app
        .get(&quality, "/api/v1/cases")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
}
