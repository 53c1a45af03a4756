//! Quality checks on a real server: the weekly sample per agent (stratified, reproducible by
//! its seed, the right size), scoring against the checklist, the agent's one answer, and the
//! scores per agent and item over the weeks.

use chrono::Duration;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, complaint, csrf_in, fields, page_text, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    the_weekly_sample_is_the_right_size_per_agent_stratified_and_redrawn_by_its_seed,
    a_supervisor_scores_a_check_and_the_agent_answers_once,
    the_admin_sets_the_checklist_the_knowledge_editors_and_the_spike_rule_on_the_pages,
);

/// A case `agent` registers (and so owns) and closes (judged not valid) in `category`, with a public reply.
async fn closed_case(app: &TestApp, token: &str, category: &str, i: usize) -> i64 {
    let mut c = complaint();
    c["category"] = json!(category);
    c["complainant"] = json!({"name": "顾客", "phone": format!("1380000{i:04}")});
    let id = app.register(token, &c).await["id"].as_i64().unwrap();
    app.act_ok(
        token,
        id,
        json!({"action": "comment", "text": "您好，您的问题我们已经核实，稍后给您答复。"}),
    )
    .await;
    app.act_ok(
        token,
        id,
        json!({"action": "judge", "valid": false, "reason": "已超过退货期限"}),
    )
    .await;
    id
}

/// The test clock stands on Monday 23 November 2026 (week 48) at 10:00 in Shanghai. Amy closes
/// four logistics and three damaged cases, Bob two, all in week 48; then it is week 49.
async fn week_48(app: &TestApp) -> (String, String, Vec<i64>, Vec<i64>) {
    let amy = app.user("amy", "agent", None).await;
    let bob = app.user("bob", "agent", None).await;
    let mut amys = Vec::new();
    for i in 0..7 {
        let category = if i < 4 { "logistics" } else { "damaged" };
        amys.push(closed_case(app, &amy, category, i).await);
    }
    let bobs = vec![
        closed_case(app, &bob, "quality", 10).await,
        closed_case(app, &bob, "price", 11).await,
    ];
    app.clock.advance(Duration::days(8));
    let amy = app.token("amy", "pass-word-1").await;
    let bob = app.token("bob", "pass-word-1").await;
    (amy, bob, amys, bobs)
}

async fn set_per_agent(app: &TestApp, n: u32) {
    let admin = app.admin().await;
    let mut settings: Value = app
        .get(&admin, "/api/v1/quality/settings")
        .await
        .json()
        .await
        .unwrap();
    settings["per_agent"] = json!(n);
    let r = app.put(&admin, "/api/v1/quality/settings", &settings).await;
    assert_eq!(r.status(), StatusCode::OK);
}

fn by_agent(cases: &[Value]) -> std::collections::BTreeMap<String, Vec<i64>> {
    let mut m = std::collections::BTreeMap::<String, Vec<i64>>::new();
    for c in cases {
        m.entry(c["agent"].as_str().unwrap().to_owned())
            .or_default()
            .push(c["case_id"].as_i64().unwrap());
    }
    m
}

async fn the_weekly_sample_is_the_right_size_per_agent_stratified_and_redrawn_by_its_seed(
    app: TestApp,
) {
    let (amy, _bob, amys, bobs) = week_48(&app).await;
    set_per_agent(&app, 3).await;
    let sue = app.user("sue", "supervisor", None).await;
    problem(
        app.post(&amy, "/api/v1/quality/samples", &json!({"seed": 42}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let r = app
        .post(&sue, "/api/v1/quality/samples", &json!({"seed": 42}))
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let drawn: Value = r.json().await.unwrap();
    assert_eq!(drawn["sample"]["week"], "2026-W48");
    let agents = by_agent(drawn["cases"].as_array().unwrap());
    // Amy: 3 of 7, spread 4:3 → two logistics (3 × 4/7 = 1.71) and one damaged (1.29).
    let amy_drawn = &agents["amy"];
    assert_eq!(amy_drawn.len(), 3);
    assert_eq!(
        amy_drawn.iter().filter(|id| amys[..4].contains(id)).count(),
        2
    );
    assert_eq!(
        amy_drawn.iter().filter(|id| amys[4..].contains(id)).count(),
        1
    );
    // Bob closed fewer than three: both.
    assert_eq!(agents["bob"], bobs);
    // The same seed draws the same again; other seeds draw otherwise; a week is drawn once.
    let again: Value = app
        .get(&sue, "/api/v1/quality/draw?week=2026-W48&seed=42")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["agents"]["amy"], json!(amy_drawn));
    let mut other = std::collections::BTreeSet::new();
    for seed in 0..12 {
        let p: Value = app
            .get(
                &sue,
                &format!("/api/v1/quality/draw?week=2026-W48&seed={seed}"),
            )
            .await
            .json()
            .await
            .unwrap();
        other.insert(p["agents"]["amy"].to_string());
    }
    assert!(other.len() > 1, "{other:?}");
    problem(
        app.post(
            &sue,
            "/api/v1/quality/samples",
            &json!({"week": "2026-W48"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    // This week has not ended; a week badly written is named.
    let p = problem(
        app.post(
            &sue,
            "/api/v1/quality/samples",
            &json!({"week": "2026-W49"}),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["week"]);
    let p = problem(
        app.get(&sue, "/api/v1/quality/draw?week=48&seed=1").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["week"]);
    let p = problem(
        app.get(&sue, "/api/v1/quality/draw?week=2026-W48").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["seed"]);
    // Bad settings are refused whole.
    let admin = app.admin().await;
    let mut bad: Value = app
        .get(&admin, "/api/v1/quality/settings")
        .await
        .json()
        .await
        .unwrap();
    bad["per_agent"] = json!(0);
    bad["checklist"][0]["points"] = json!(0);
    let p = problem(
        app.put(&admin, "/api/v1/quality/settings", &bad).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["per_agent", "checklist[0].points"]);
}

async fn a_supervisor_scores_a_check_and_the_agent_answers_once(app: TestApp) {
    let (amy, bob, _amys, _bobs) = week_48(&app).await;
    let sue = app.user("sue", "supervisor", None).await;
    let drawn: Value = app
        .post(&sue, "/api/v1/quality/samples", &json!({"seed": 7}))
        .await
        .json()
        .await
        .unwrap();
    let sample = drawn["sample"]["id"].as_i64().unwrap();
    let case = by_agent(drawn["cases"].as_array().unwrap())["amy"][0];
    let path = format!("/api/v1/quality/samples/{sample}/cases/{case}");
    // The form shows the case's public replies with the reply checker's findings.
    let check: Value = app.get(&sue, &path).await.json().await.unwrap();
    assert_eq!(check["replies"].as_array().unwrap().len(), 1);
    let settings: Value = app
        .get(&sue, "/api/v1/quality/settings")
        .await
        .json()
        .await
        .unwrap();
    let mut scores = serde_json::Map::new();
    for item in settings["checklist"].as_array().unwrap() {
        scores.insert(
            item["code"].as_str().unwrap().to_owned(),
            item["points"].clone(),
        );
    }
    // Read-back was not done: 0 of its 15 points → 85.
    scores.insert("read_back".into(), json!(0));
    let mut missing = scores.clone();
    missing.remove("greeting");
    let p = problem(
        app.put(&sue, &path, &json!({"scores": missing})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(fields(&p), ["scores.greeting"]);
    problem(
        app.put(&amy, &path, &json!({"scores": scores})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let r = app
        .put(
            &sue,
            &path,
            &json!({"scores": scores, "comment": "没有向顾客复述方案"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let scored: Value = r.json().await.unwrap();
    assert_eq!(scored["score"], 85);
    // Amy sees her own checks only; Bob cannot open hers.
    let mine: Value = app
        .get(&amy, &format!("/api/v1/quality/samples/{sample}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(mine["cases"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["agent"] == "amy"));
    problem(app.get(&bob, &path).await, StatusCode::NOT_FOUND).await;
    // She answers once; then the score stands.
    let answer = format!("{path}/answer");
    problem(
        app.post(&bob, &answer, &json!({"text": "不是我的"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let r = app
        .post(
            &amy,
            &answer,
            &json!({"text": "顾客当时挂断了电话，已在备注中说明"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    problem(
        app.post(&amy, &answer, &json!({"text": "再说一次"})).await,
        StatusCode::CONFLICT,
    )
    .await;
    problem(
        app.put(&sue, &path, &json!({"scores": scores})).await,
        StatusCode::CONFLICT,
    )
    .await;
    // The report: Amy's week 48 and the read-back item.
    let report: Value = app
        .get(
            &sue,
            "/api/v1/reports/quality?from=2026-11-16&to=2026-12-06",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        report["agents"]["amy"]["2026-W48"],
        json!({"average": 85, "checks": 1})
    );
    assert_eq!(
        report["items"]["read_back"]["2026-W48"],
        json!({"average": 0, "checks": 1})
    );
    assert_eq!(
        report["items"]["greeting"]["2026-W48"],
        json!({"average": 100, "checks": 1})
    );
    problem(
        app.get(&amy, "/api/v1/reports/quality").await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

/// The admin's forms on the workbench: the checklist (one item a line), who edits the
/// knowledge, how spikes are found. A bad line is named and nothing changes.
async fn the_admin_sets_the_checklist_the_knowledge_editors_and_the_spike_rule_on_the_pages(
    app: TestApp,
) {
    let (client, _) = browser(&app, "admin", crate::helpers::ADMIN_PASSWORD).await;
    let page = page_text(&client, &app.url("/quality")).await;
    assert!(page.contains("read_back | 复述确认"), "{page}");
    let csrf = csrf_in(&page);
    let post = |path: &'static str, form: Vec<(&'static str, String)>| {
        let client = client.clone();
        let url = app.url(path);
        async move { client.post(url).form(&form).send().await.unwrap() }
    };
    let bad = post(
        "/quality/settings",
        vec![
            ("_csrf", csrf.clone()),
            ("per_agent", "4".into()),
            (
                "checklist",
                "greeting | 问候与语气 | 50\nno points here".into(),
            ),
        ],
    )
    .await;
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let admin = app.admin().await;
    let settings: Value = app
        .get(&admin, "/api/v1/quality/settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["per_agent"], 5, "nothing changed");
    let good = post(
        "/quality/settings",
        vec![
            ("_csrf", csrf.clone()),
            ("per_agent", "4".into()),
            (
                "checklist",
                "greeting | 问候与语气 | 50\n\nfairness ｜ 方案公平 ｜ 50\n".into(),
            ),
        ],
    )
    .await;
    assert!(good.status().is_redirection(), "{}", good.status());
    let settings: Value = app
        .get(&admin, "/api/v1/quality/settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(settings["per_agent"], 4);
    assert_eq!(
        settings["checklist"][1],
        json!({"code": "fairness", "label": "方案公平", "points": 50})
    );
    let r = post(
        "/knowledge/editors",
        vec![("_csrf", csrf.clone()), ("roles", "agent".into())],
    )
    .await;
    assert!(r.status().is_redirection());
    let editors: Value = app
        .get(&admin, "/api/v1/knowledge/editors")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(editors["roles"], json!(["agent"]));
    let r = post(
        "/incidents/settings",
        vec![
            ("_csrf", csrf.clone()),
            ("window_hours", "3".into()),
            ("min_count", "4".into()),
            ("factor", "2".into()),
            ("trailing_days", "14".into()),
            ("wide_cases", "30".into()),
            ("wide_shops", "4".into()),
        ],
    )
    .await;
    assert!(r.status().is_redirection());
    let s: Value = app
        .get(&admin, "/api/v1/incidents/settings")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        s,
        json!({"rule": {"window_hours": 3, "min_count": 4, "factor": 2, "trailing_days": 14},
                         "wide": {"cases": 30, "shops": 4}})
    );
}
