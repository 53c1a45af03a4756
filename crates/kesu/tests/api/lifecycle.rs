//! A complaint from registration to closing, with every detour, over HTTP.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, page_text, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    a_complaint_walks_all_eight_steps_with_a_rejection_and_a_renegotiation,
    an_invalid_complaint_is_answered_and_closed,
    every_action_refuses_roles_that_may_not_take_it,
    two_agents_acting_at_once_one_wins,
);

/// An action, who may take it, and who (token, role name) is refused.
type Step<'a> = (Value, &'a String, Vec<(&'a String, &'a str)>);

struct Team {
    agent: String,
    supervisor: String,
    warehouse: String,
}

async fn team(app: &TestApp) -> Team {
    Team {
        agent: app.user("amy", "agent", None).await,
        supervisor: app.user("sam", "supervisor", None).await,
        warehouse: app.user("wu", "department", Some("logistics")).await,
    }
}

fn actions(history: &[Value]) -> Vec<&str> {
    history
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect()
}

async fn a_complaint_walks_all_eight_steps_with_a_rejection_and_a_renegotiation(app: TestApp) {
    let t = team(&app).await;
    // 1. register
    let case = app.register(&t.agent, &complaint()).await;
    let id = case["id"].as_i64().unwrap();
    assert_eq!(case["status"], "registered");
    assert_eq!(case["version"], 1);
    assert_eq!(case["number"], "KS-20261123-0001");
    assert_eq!(case["suggested_department"], "logistics");
    // 2. judge
    let c = app
        .act_ok(
            &t.agent,
            id,
            json!({"action": "judge", "valid": true, "reason": "有开箱照片"}),
        )
        .await;
    assert_eq!(c["status"], "validated");
    app.clock.advance(chrono::Duration::minutes(5));
    // 3. route
    let c = app
        .act_ok(
            &t.agent,
            id,
            json!({"action": "route", "department": "logistics"}),
        )
        .await;
    assert_eq!(c["department"], "logistics");
    // 4. analyse (the department)
    let c = app
        .act_ok(
            &t.warehouse,
            id,
            json!({"action": "analyse", "liability": "carrier",
            "root_cause": "carrier", "findings": "中转时外箱受压，快递签收照片可见破损"}),
        )
        .await;
    assert_eq!(c["status"], "analysed");
    // 5. propose: a compensation always needs approval
    let c = app
        .act_ok(
            &t.agent,
            id,
            json!({"action": "propose", "options": [
            {"kind": "reship", "note": "补发两个同款杯子"},
            {"kind": "compensation", "amount_cents": 3000, "note": "补偿30元"}]}),
        )
        .await;
    assert_eq!(c["status"], "proposed");
    let c = app
        .act_ok(&t.agent, id, json!({"action": "choose", "option": 1}))
        .await;
    assert_eq!(c["status"], "awaiting_approval");
    // 6. supervisor rejects: back to proposing
    let c = app
        .act_ok(
            &t.supervisor,
            id,
            json!({"action": "reject", "comment": "先补发，不给现金"}),
        )
        .await;
    assert_eq!(c["status"], "analysed");
    assert_eq!(c["renegotiations"], 1);
    let c = app
        .act_ok(
            &t.agent,
            id,
            json!({"action": "propose", "options": [{"kind": "reship"}]}),
        )
        .await;
    assert_eq!(c["options"].as_array().unwrap().len(), 1);
    let c = app
        .act_ok(&t.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(
        c["status"], "approved",
        "a reship is approved by policy at once"
    );
    // 7. execute
    let c = app
        .act_ok(
            &t.warehouse,
            id,
            json!({"action": "execute", "note": "已补发，单号 SF100200300"}),
        )
        .await;
    assert_eq!(c["status"], "executed");
    // 8. follow up: not satisfied → renegotiation
    let c = app
        .act_ok(&t.agent, id, json!({"action": "follow_up", "satisfied": false, "rating": 2, "comment": "补发的也有划痕"}))
        .await;
    assert_eq!(c["status"], "analysed");
    assert_eq!(c["renegotiations"], 2);
    // The case page guides the renegotiation (LSCPA) with the customer's words, and says a
    // third failure goes to a supervisor.
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    assert!(
        page.contains("LSCPA") && page.contains("补发的也有划痕"),
        "{page}"
    );
    assert!(page.contains("请升级给主管处理"), "{page}");
    app.act_ok(&t.agent, id, json!({"action": "propose", "options": [{"kind": "partial_refund", "amount_cents": 25000}]}))
        .await;
    let c = app
        .act_ok(&t.agent, id, json!({"action": "choose", "option": 0}))
        .await;
    assert_eq!(
        c["status"], "awaiting_approval",
        "¥250 is above the approval limit"
    );
    app.act_ok(
        &t.supervisor,
        id,
        json!({"action": "approve", "comment": "同意"}),
    )
    .await;
    app.act_ok(
        &t.agent,
        id,
        json!({"action": "execute", "note": "已退款250元"}),
    )
    .await;
    app.act_ok(
        &t.agent,
        id,
        json!({"action": "follow_up", "satisfied": true, "rating": 5}),
    )
    .await;
    app.act_ok(
        &t.agent,
        id,
        json!({"action": "comment", "text": "顾客表示感谢", "internal": true}),
    )
    .await;
    let c = app
        .act_ok(&t.agent, id, json!({"action": "close", "summary": "承运商压损，退款250元", "lessons": "易碎品加厚包装"}))
        .await;
    assert_eq!(c["status"], "closed");
    assert_eq!(c["closing"]["outcome"], "resolved");
    assert!(c["allowed_actions"].as_array().unwrap().is_empty());

    let history = app.history(&t.agent, id).await;
    assert_eq!(
        actions(&history),
        [
            "register",
            "judge",
            "route",
            "analyse",
            "propose",
            "choose",
            "reject",
            "propose",
            "choose",
            "execute",
            "follow_up",
            "propose",
            "choose",
            "approve",
            "execute",
            "follow_up",
            "comment",
            "close"
        ]
    );
    assert_eq!(
        c["version"],
        history.len() as i64,
        "one version per history entry"
    );
    for (i, e) in history.iter().enumerate() {
        assert_eq!(e["seq"], i as i64 + 1);
    }
    let actors: Vec<&str> = history
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors[3], "wu");
    assert_eq!(actors[6], "sam");
    assert_eq!(actors[0], "amy");
    assert_eq!(history[1]["at"], "2026-11-23T02:00:00Z");
    assert_eq!(history[2]["at"], "2026-11-23T02:05:00Z");
    assert_eq!(history[3]["data"]["liability"], "carrier");
    assert_eq!(
        history[6]["data"],
        json!({"comment": "先补发，不给现金", "from": "awaiting_approval", "to": "analysed"})
    );
    assert_eq!(history[5]["data"]["needs_approval"], true);
    assert_eq!(history[8]["data"]["needs_approval"], false);
    assert_eq!(
        history[16]["data"],
        json!({"text": "顾客表示感谢", "internal": true})
    );
}

async fn an_invalid_complaint_is_answered_and_closed(app: TestApp) {
    let t = team(&app).await;
    let id = app.register(&t.agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .act(&t.agent, id, json!({"action": "judge", "valid": false}))
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(crate::helpers::fields(&p), ["reason"]);
    let c = app
        .act_ok(
            &t.agent,
            id,
            json!({"action": "judge", "valid": false, "reason": "亲，商品已超过7天无理由退货期限"}),
        )
        .await;
    assert_eq!(c["status"], "closed");
    assert_eq!(c["closing"]["outcome"], "invalid");
    assert_eq!(c["closing"]["summary"], "亲，商品已超过7天无理由退货期限");
    let r = app
        .act(&t.agent, id, json!({"action": "comment", "text": "x"}))
        .await;
    let p = problem(r, StatusCode::CONFLICT).await;
    assert_eq!(p["allowed_actions"], json!([]));
    assert_eq!(
        actions(&app.history(&t.agent, id).await),
        ["register", "judge"]
    );
}

/// Walks the happy path; before each step, every role that may not take it is refused
/// with 403 (404 for department users the case is not routed to: they cannot see it)
/// and nothing changes.
async fn every_action_refuses_roles_that_may_not_take_it(app: TestApp) {
    let t = team(&app).await;
    let admin = app.admin().await;
    let auditor = app.user("al", "auditor", None).await;
    let quality = app.user("qi", "department", Some("quality")).await;
    let id = app.register(&t.agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    for (who, name) in [(&auditor, "auditor"), (&t.warehouse, "department")] {
        let r = app.post(who, "/api/v1/cases", &complaint()).await;
        assert_eq!(r.status(), StatusCode::FORBIDDEN, "{name} registering");
    }

    let steps: Vec<Step> = vec![
        (
            json!({"action": "judge", "valid": true}),
            &t.agent,
            vec![
                (&admin, "admin"),
                (&auditor, "auditor"),
                (&t.warehouse, "department"),
            ],
        ),
        (
            json!({"action": "route", "department": "logistics"}),
            &t.supervisor,
            vec![
                (&admin, "admin"),
                (&auditor, "auditor"),
                (&t.warehouse, "department"),
            ],
        ),
        (
            json!({"action": "analyse", "liability": "merchant", "root_cause": "staff", "findings": "打包失误"}),
            &t.warehouse,
            vec![
                (&admin, "admin"),
                (&auditor, "auditor"),
                (&t.agent, "agent"),
                (&quality, "other department"),
            ],
        ),
        (
            json!({"action": "propose", "options": [{"kind": "compensation", "amount_cents": 500}]}),
            &t.agent,
            vec![
                (&admin, "admin"),
                (&auditor, "auditor"),
                (&t.warehouse, "department"),
                (&quality, "other department"),
            ],
        ),
        (
            json!({"action": "choose", "option": 0}),
            &t.agent,
            vec![
                (&admin, "admin"),
                (&auditor, "auditor"),
                (&t.warehouse, "department"),
                (&t.supervisor, "supervisor"),
            ],
        ),
        (
            json!({"action": "approve"}),
            &admin,
            vec![
                (&auditor, "auditor"),
                (&t.warehouse, "department"),
                (&t.agent, "agent"),
            ],
        ),
        (
            json!({"action": "execute", "note": "已发放优惠"}),
            &t.warehouse,
            vec![
                (&admin, "admin"),
                (&auditor, "auditor"),
                (&quality, "other department"),
            ],
        ),
        (
            json!({"action": "follow_up", "satisfied": true}),
            &t.agent,
            vec![
                (&admin, "admin"),
                (&auditor, "auditor"),
                (&t.warehouse, "department"),
                (&t.supervisor, "supervisor"),
            ],
        ),
        (
            json!({"action": "close", "summary": "已解决"}),
            &t.supervisor,
            vec![
                (&admin, "admin"),
                (&auditor, "auditor"),
                (&t.warehouse, "department"),
            ],
        ),
    ];
    for (action, allowed, refused) in steps {
        for (token, role) in refused {
            let before = app.case(&admin, id).await["version"].clone();
            let r = app.act(token, id, action.clone()).await;
            let status = r.status();
            let body: Value = r.json().await.unwrap();
            let routed_elsewhere = role.contains("department")
                && (role == "other department"
                    || action["action"] == "judge"
                    || action["action"] == "route");
            let expected = if routed_elsewhere {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(status, expected, "{role} taking {action}: {body}");
            assert_eq!(
                app.case(&admin, id).await["version"],
                before,
                "nothing changed"
            );
        }
        app.act_ok(allowed, id, action).await;
    }
    assert_eq!(app.case(&admin, id).await["status"], "closed");

    // Assignment and comments at any open step.
    let id = app.register(&t.agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .act(&auditor, id, json!({"action": "assign", "user": "amy"}))
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    app.act_ok(&t.agent, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        &t.agent,
        id,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    let r = app
        .act(
            &t.warehouse,
            id,
            json!({"action": "comment", "text": "亲", "internal": false}),
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::FORBIDDEN,
        "departments do not write to customers"
    );
    app.act_ok(
        &t.warehouse,
        id,
        json!({"action": "comment", "text": "仓库已查监控", "internal": true}),
    )
    .await;
    let r = app
        .act(&t.supervisor, id, json!({"action": "assign", "user": "al"}))
        .await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "auditors are not assignable"
    );
    let r = app
        .act(
            &t.supervisor,
            id,
            json!({"action": "assign", "user": "nobody"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let before = app.get(&t.agent, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(
        before.json::<Value>().await.unwrap()["assignee"],
        "amy",
        "the registering agent owns the case"
    );
    let c = app
        .act_ok(
            &t.supervisor,
            id,
            json!({"action": "assign", "user": "sam"}),
        )
        .await;
    assert_eq!(c["assignee"], "sam");
    assert_eq!(c["status"], "routed");
    let r = app.get(&t.agent, "/api/v1/cases?assignee=sam").await;
    assert_eq!(r.json::<Value>().await.unwrap()["total"], 1);
}

async fn two_agents_acting_at_once_one_wins(app: TestApp) {
    let t = team(&app).await;
    let bob = app.user("bob", "agent", None).await;
    let id = app.register(&t.agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/cases/{id}/actions");
    let judge_valid = json!({"action": "judge", "version": 1, "valid": true});
    let judge_invalid =
        json!({"action": "judge", "version": 1, "valid": false, "reason": "不成立"});
    let a = app.post(&t.agent, &path, &judge_valid);
    let b = app.post(&bob, &path, &judge_invalid);
    let (a, b) = tokio::join!(a, b);
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(statuses, [StatusCode::OK, StatusCode::CONFLICT]);
    let loser = if a.status() == StatusCode::CONFLICT {
        a
    } else {
        b
    };
    let p = problem(loser, StatusCode::CONFLICT).await;
    assert_eq!(p["current_version"], 2);
    assert_eq!(
        actions(&app.history(&t.agent, id).await),
        ["register", "judge"]
    );
}
