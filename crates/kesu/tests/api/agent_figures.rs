//! Per-agent figures on a real server: each agent's workload, satisfaction, deadlines and
//! reopen rate over a period, the desk's row, the cases behind a figure, and who sees what.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(each_agents_figures_and_the_cases_behind_them,);

async fn each_agents_figures_and_the_cases_behind_them(app: TestApp) {
    let amy = app.user("amy", "agent", None).await;
    let bob = app.user("bob", "agent", None).await;
    let sue = app.user("sue", "supervisor", None).await;
    // Amy owns three cases (one closed as not valid), Bob one.
    let mut amys = Vec::new();
    for i in 0..3 {
        let mut c = complaint();
        c["complainant"] = json!({"name": "顾客", "phone": format!("1380000000{i}")});
        amys.push(app.register(&amy, &c).await["id"].as_i64().unwrap());
    }
    app.act_ok(
        &amy,
        amys[0],
        json!({"action": "judge", "valid": false, "reason": "超过售后期限"}),
    )
    .await;
    let mut c = complaint();
    c["complainant"] = json!({"name": "顾客", "phone": "13900000009"});
    app.register(&bob, &c).await;
    let period = "from=2026-11-01&to=2026-11-30";
    let mut figures: Value = Value::Null;
    // The reports follow the cases shortly after they change.
    for _ in 0..50 {
        figures = app
            .get(&sue, &format!("/api/v1/reports/agents?{period}"))
            .await
            .json()
            .await
            .unwrap();
        if figures["team"]["cases"] == 4 && figures["team"]["open"] == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let row = |name: &str| {
        figures["agents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["agent"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} in {figures}"))
    };
    assert_eq!(
        (row("amy")["cases"].as_u64(), row("amy")["open"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(row("bob")["cases"], 1);
    assert_eq!(row("sue")["cases"], 0);
    assert_eq!(figures["team"]["cases"], 4);
    // Amy's open cases, behind the number.
    let drill: Value = app
        .get(
            &sue,
            &format!("/api/v1/reports/drill?figure=open&assignee=amy&{period}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(drill["total"], 2);
    let ids: Vec<i64> = drill["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, amys[1..]);
    let p = problem(
        app.get(
            &sue,
            &format!("/api/v1/reports/drill?figure=bogus&{period}"),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["figure"]);
    let p = problem(
        app.get(&sue, &format!("/api/v1/reports/drill?{period}"))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["figure"]);
    // An agent sees only their own row and drills only into their own cases.
    let own: Value = app
        .get(&bob, &format!("/api/v1/reports/agents?{period}"))
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = own["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["agent"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["bob"]);
    problem(
        app.get(
            &bob,
            &format!("/api/v1/reports/drill?figure=cases&assignee=amy&{period}"),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let mine: Value = app
        .get(
            &bob,
            &format!("/api/v1/reports/drill?figure=cases&assignee=bob&{period}"),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine["total"], 1);
}
