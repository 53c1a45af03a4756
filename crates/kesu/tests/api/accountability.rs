//! Accountability (issue 21; seed 001 step 7): a supervisor records who was responsible for
//! a case, the loss and each penalty; a missed deadline is laid on whoever held the case
//! when it passed; the report adds them up per person and department. Agents and
//! department users see none of it.

use chrono::Duration;
use kesu_web::Clock;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(recorded_by_supervisors_seen_by_auditors_hidden_from_handlers);

async fn recorded_by_supervisors_seen_by_auditors_hidden_from_handlers(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let sam = app.user("sam", "supervisor", None).await;
    let auditor = app.user("audrey", "auditor", None).await;
    let dept = app.user("dora", "department", Some("logistics")).await;
    let mut body = complaint();
    body["channel"] = json!("platform");
    body.as_object_mut().unwrap().remove("received_at");
    let id = app.register(&agent, &body).await["id"].as_i64().unwrap();
    app.act_ok(&sam, id, json!({"action": "assign", "user": "amy"}))
        .await;
    // The first answer was due an hour after registration; amy held the case then.
    app.clock.advance(Duration::minutes(61));
    for _ in 0..2 {
        kesu_app::worker::round(&app.store, app.clock.now(), "test-worker")
            .await
            .unwrap();
    }
    let path = format!("/api/v1/cases/{id}/accountability");
    let before: Value = app.get(&sam, &path).await.json().await.unwrap();
    assert_eq!(before["recorded"], Value::Null);
    assert_eq!(
        before["delays"],
        json!([{"clock": "first_response", "deadline": "2026-11-23T03:00:00Z", "staff": "amy", "department": null}]),
        "{before}"
    );

    let decided = json!({
        "loss_cents": 12_900,
        "note": "漏发配件，补发并补偿",
        "parties": [
            {"staff": "amy", "penalty": {"kind": "pay_share", "percent": 5}, "reason": "超时未首次回复"},
            {"department": "logistics", "penalty": {"kind": "amount", "cents": 5000}, "reason": "打包漏发"}
        ]
    });
    let r = app.put(&sam, &path, &decided).await;
    assert_eq!(r.status(), 200);
    let recorded: Value = r.json().await.unwrap();
    assert_eq!(recorded["recorded"]["version"], 1);
    assert_eq!(recorded["recorded"]["recorded_by"], "sam");
    assert_eq!(
        recorded["recorded"]["parties"][1]["department"],
        "logistics"
    );
    assert_eq!(app.put(&sam, &path, &decided).await.status(), 200);

    // Wrong values are named, and nothing changes.
    let bad = app
        .put(
            &sam,
            &path,
            &json!({"loss_cents": 100, "parties": [
                {"staff": "nobody", "penalty": {"kind": "pay_share", "percent": 300}, "reason": "x"}
            ]}),
        )
        .await;
    let p = problem(bad, reqwest::StatusCode::UNPROCESSABLE_ENTITY).await;
    let f = fields(&p);
    assert!(
        f.contains(&"parties[0].staff".into()) && f.contains(&"parties[0].penalty.percent".into()),
        "{p}"
    );
    let now: Value = app.get(&auditor, &path).await.json().await.unwrap();
    assert_eq!(
        (
            now["recorded"]["version"].as_i64(),
            now["recorded"]["loss_cents"].as_i64()
        ),
        (Some(2), Some(12_900))
    );

    // Nobody who handles cases sees or records it; the auditor reads but does not record.
    for (who, token) in [("agent", &agent), ("department", &dept)] {
        assert_eq!(app.get(token, &path).await.status(), 403, "{who} reads");
        assert_eq!(
            app.put(token, &path, &decided).await.status(),
            403,
            "{who} records"
        );
        assert_eq!(
            app.get(
                token,
                "/api/v1/reports/accountability?from=2026-11-01&to=2026-11-30"
            )
            .await
            .status(),
            403,
            "{who} reports"
        );
    }
    assert_eq!(app.put(&auditor, &path, &decided).await.status(), 403);
    let history: Value = app
        .get(&agent, &format!("/api/v1/cases/{id}/events"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        !history.to_string().contains("pay_share")
            && !history.to_string().contains("超时未首次回复")
    );

    // The period's report, per person and department.
    let report: Value = app
        .get(
            &auditor,
            "/api/v1/reports/accountability?from=2026-11-01&to=2026-11-30",
        )
        .await
        .json()
        .await
        .unwrap();
    let row = |kind: &str, name: &str| -> Value {
        report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["kind"] == kind && r["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{kind} {name} in {report}"))
    };
    let amy = row("staff", "amy");
    assert_eq!(
        (
            amy["cases"].as_i64(),
            amy["pay_share_percent"].as_i64(),
            amy["delays"].as_i64(),
            amy["loss_cents"].as_i64()
        ),
        (Some(1), Some(5), Some(1), Some(12_900))
    );
    assert_eq!(row("department", "logistics")["amount_cents"], 5000);
    let none: Value = app
        .get(
            &sam,
            "/api/v1/reports/accountability?from=2026-10-01&to=2026-10-31",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["rows"], json!([]));
    let bad = app
        .get(
            &sam,
            "/api/v1/reports/accountability?from=2026-11-30&to=2026-11-01",
        )
        .await;
    assert_eq!(bad.status(), 422);

    // Each version is in the audit trail.
    let trail = app.trail(&auditor, "kind=accountability.", 2).await;
    assert_eq!(trail["total"], 2, "{trail}");
    assert_eq!(trail["items"][0]["case_id"], id);
}
