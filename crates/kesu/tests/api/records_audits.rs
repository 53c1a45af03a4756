//! Regular audits of the records (issue 21, seed 000): a sample of a period's closed cases,
//! reproducible from its seed, each with its checklist; the auditor's findings are kept and
//! in the trail; nobody but auditors and admins may draw or read them.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

fn ids(audit: &Value) -> Vec<i64> {
    audit["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["case_id"].as_i64().unwrap())
        .collect()
}

async fn a_sample_of_closed_cases_is_checked_and_the_findings_kept(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    app.user("audrey", "auditor", None).await;
    let logistics = app.user("leo", "department", Some("logistics")).await;
    let mut closed = Vec::new();
    for i in 0..5 {
        let id = app.register(&agent, &complaint()).await["id"]
            .as_i64()
            .unwrap();
        app.act_ok(
            &agent,
            id,
            json!({"action": "judge", "valid": false,
            "reason": format!("第{i}件：已超过退货期限")}),
        )
        .await;
        closed.push(id);
    }
    // Still open: never drawn.
    app.register(&agent, &complaint()).await;
    // Received in October: outside the period.
    let mut october = complaint();
    october["received_at"] = json!("2026-10-20T09:30:00+08:00");
    let old = app.register(&agent, &october).await["id"].as_i64().unwrap();
    app.act_ok(
        &agent,
        old,
        json!({"action": "judge", "valid": false, "reason": "超期"}),
    )
    .await;
    // Closed three days after it was due.
    let late = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.clock.advance(chrono::Duration::days(5));
    let agent = app.token("amy", "pass-word-1").await;
    let (admin, auditor) = (app.admin().await, app.token("audrey", "pass-word-1").await);
    app.act_ok(
        &agent,
        late,
        json!({"action": "judge", "valid": false, "reason": "超期"}),
    )
    .await;
    closed.push(late);

    let draw = json!({"from": "2026-11-01", "to": "2026-11-30", "size": 4, "seed": 42});
    for token in [&agent, &logistics] {
        problem(
            app.post(token, "/api/v1/records-audits", &draw).await,
            StatusCode::FORBIDDEN,
        )
        .await;
        problem(
            app.get(token, "/api/v1/records-audits").await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let r = app.post(&auditor, "/api/v1/records-audits", &draw).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let first: Value = r.json().await.unwrap();
    assert_eq!(
        (first["population"].as_i64(), first["size"].as_i64()),
        (Some(6), Some(4)),
        "{first}"
    );
    let sample = ids(&first);
    assert_eq!(sample.len(), 4);
    assert!(
        sample.iter().all(|id| closed.contains(id)),
        "only the period's closed cases: {sample:?}"
    );
    // The same seed draws the same cases, whoever draws.
    let again: Value = app
        .post(&admin, "/api/v1/records-audits", &draw)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&again), sample);
    assert_ne!(again["id"], first["id"]);
    // Everything: the late case is named late, the others hold.
    let all: Value = app
        .post(
            &auditor,
            "/api/v1/records-audits",
            &json!({"from": "2026-11-01", "to": "2026-11-30", "size": 50}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ids(&all).len(), 6);
    assert!(
        all["seed"].as_i64().is_some(),
        "a drawn seed is shown to redraw with"
    );
    for c in all["cases"].as_array().unwrap() {
        let deadline = c["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["item"] == "deadline_met")
            .unwrap();
        let expected = if c["case_id"] == late {
            json!(["late"])
        } else {
            json!([])
        };
        assert_eq!(deadline["problems"], expected, "{c}");
        let fields_ok = c["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["item"] == "fields_complete")
            .unwrap();
        assert_eq!(fields_ok["problems"], json!([]), "{c}");
    }

    // Bad requests name their field and store nothing.
    for (body, field) in [
        (
            json!({"from": "2026-11-01", "to": "2026-11-30", "size": 0}),
            "size",
        ),
        (
            json!({"from": "2026-11-01", "to": "2026-11-30", "size": 500}),
            "size",
        ),
        (
            json!({"from": "2026-11-30", "to": "2026-11-01", "size": 5}),
            "to",
        ),
    ] {
        let r = app.post(&auditor, "/api/v1/records-audits", &body).await;
        assert_eq!(
            fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
            [field],
            "{body}"
        );
    }
    let list: Value = app
        .get(&auditor, "/api/v1/records-audits")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 3);

    // The verdict: a failure needs its findings; a case outside the sample is not found.
    let audit = all["id"].as_i64().unwrap();
    let path = format!("/api/v1/records-audits/{audit}/cases/{late}");
    let r = app.put(&auditor, &path, &json!({"verdict": "fail"})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["findings"]
    );
    let r = app
        .put(
            &auditor,
            &path,
            &json!({"verdict": "maybe", "findings": "x"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["verdict"]
    );
    let r = app
        .put(
            &auditor,
            &path,
            &json!({"verdict": "fail", "findings": "超过解决时限 3 天才结案",
            "correction": "请 amy 补写延误原因"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let saved: Value = r.json().await.unwrap();
    assert_eq!(
        (saved["checked"].as_i64(), saved["failed"].as_i64()),
        (Some(1), Some(1))
    );
    let c = saved["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["case_id"] == late)
        .unwrap()
        .clone();
    assert_eq!(
        (c["verdict"].as_str(), c["checked_by"].as_str()),
        (Some("fail"), Some("audrey"))
    );
    assert_eq!(c["correction"], "请 amy 补写延误原因");
    let outside = format!("/api/v1/records-audits/{audit}/cases/{old}");
    problem(
        app.put(&auditor, &outside, &json!({"verdict": "pass"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    problem(
        app.get(&auditor, "/api/v1/records-audits/999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // The case itself is untouched; the trail has the draws and the finding.
    let case = app.case(&agent, late).await;
    assert_eq!(case["status"], "closed");
    let trail = app.trail(&admin, "kind=records_audit.", 4).await;
    let kinds: Vec<&str> = trail["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "records_audit.drawn")
            .count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(trail["items"][0]["kind"], "records_audit.checked");
    assert_eq!(trail["items"][0]["case_id"], late);
}

on_both_backends!(a_sample_of_closed_cases_is_checked_and_the_findings_kept);
