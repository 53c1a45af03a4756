//! The audit trail proves the records unaltered (issue 21): a history entry or an audit
//! event changed, removed or added straight in the database, and a link of the chain edited
//! or dropped, are each named by `kesu audit verify` with the entry where the chain breaks;
//! undone, the chain verifies again with the same head.

use std::process::{Command, Stdio};

use serde_json::json;
use sqlx::{AnyPool, Row};

use crate::helpers::{complaint, TestApp};
use crate::on_both_backends;

const KESU: &str = env!("CARGO_BIN_EXE_kesu");

/// Runs `kesu audit verify` on the app's database: (exit code, first line of stdout).
pub(crate) async fn verify(app: &TestApp) -> (i32, String) {
    let place = app.cli_place.clone();
    tokio::task::spawn_blocking(move || {
        let out = Command::new(KESU)
            .args(["audit", "verify"])
            .args(&place)
            .env_remove("KESU_DATABASE_URL")
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(
            !text.is_empty(),
            "verify printed nothing: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.code().unwrap_or(-1), text)
    })
    .await
    .unwrap()
}

async fn db(app: &TestApp) -> AnyPool {
    sqlx::any::install_default_drivers();
    AnyPool::connect(&app.db_url).await.unwrap()
}

async fn exec(pool: &AnyPool, sql: &str) {
    let done = sqlx::query(sql).execute(pool).await.unwrap();
    assert!(done.rows_affected() > 0, "`{sql}` changed nothing");
}

async fn one_i64(pool: &AnyPool, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(pool)
        .await
        .unwrap()
        .try_get::<i64, _>(0)
        .unwrap()
}

async fn one_text(pool: &AnyPool, sql: &str) -> String {
    sqlx::query(sql)
        .fetch_one(pool)
        .await
        .unwrap()
        .try_get::<String, _>(0)
        .unwrap()
}

/// Applies `tamper`, expects verify to fail naming `expected` (`broken at entry N: what`),
/// then applies `undo` and expects the chain intact with `head` again.
async fn expect_named(
    app: &TestApp,
    pool: &AnyPool,
    tamper: &[String],
    undo: &[String],
    expected: &str,
    head: &str,
) {
    for sql in tamper {
        exec(pool, sql).await;
    }
    let (code, out) = verify(app).await;
    assert_eq!(code, 1, "after {tamper:?}: {out}");
    assert!(
        out.starts_with(expected),
        "after {tamper:?} expected `{expected}…`, got `{out}`"
    );
    for sql in undo {
        exec(pool, sql).await;
    }
    let (code, out) = verify(app).await;
    assert_eq!((code, out.as_str()), (0, head), "undone {tamper:?}");
}

async fn tampering_with_history_events_or_the_chain_is_named(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let mut ids = Vec::new();
    for i in 0..3 {
        let mut body = complaint();
        body["description"] = json!(format!("第{i}件：收到的杯子碎了"));
        ids.push(app.register(&admin, &body).await["id"].as_i64().unwrap());
    }
    let minute = chrono::Duration::minutes(1);
    app.clock.advance(minute);
    app.act_ok(
        &agent,
        ids[1],
        json!({"action": "judge", "valid": true, "reason": "有开箱照片"}),
    )
    .await;
    app.clock.advance(minute);
    app.act_ok(
        &agent,
        ids[1],
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    app.clock.advance(minute);
    // A wrong password: a sign-in failure in the trail.
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": "not-the-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);

    let (code, head) = verify(&app).await;
    assert_eq!(code, 0, "{head}");
    let entries: i64 = head
        .strip_prefix("intact: ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("`{head}` is the contract's line"));
    assert!(
        entries >= 7,
        "3 registrations, 2 actions, the sign-ins: {head}"
    );

    let pool = db(&app).await;
    let case = ids[1];
    let idx_of = |sql: String| {
        let pool = pool.clone();
        async move { one_i64(&pool, &sql).await }
    };
    let judged = idx_of(format!(
        "SELECT c.idx FROM audit_chain c JOIN case_events e ON e.case_id = c.case_id AND e.seq = c.ref \
         WHERE c.source = 'history' AND e.case_id = {case} AND e.action = 'judge'"
    ))
    .await;
    let data = one_text(
        &pool,
        &format!("SELECT data FROM case_events WHERE case_id = {case} AND action = 'judge'"),
    )
    .await;
    let at = one_i64(
        &pool,
        &format!("SELECT at FROM case_events WHERE case_id = {case} AND action = 'judge'"),
    )
    .await;

    // A history entry changed: its judgement turned around.
    let turned = data.replace("true", "false");
    assert_ne!(turned, data);
    expect_named(
        &app,
        &pool,
        &[format!(
            "UPDATE case_events SET data = '{turned}' WHERE case_id = {case} AND action = 'judge'"
        )],
        &[format!(
            "UPDATE case_events SET data = '{data}' WHERE case_id = {case} AND action = 'judge'"
        )],
        &format!("broken at entry {judged}: changed"),
        &head,
    )
    .await;

    // A history entry removed.
    let seq = one_i64(
        &pool,
        &format!("SELECT seq FROM case_events WHERE case_id = {case} AND action = 'judge'"),
    )
    .await;
    let actor = one_text(
        &pool,
        &format!("SELECT actor FROM case_events WHERE case_id = {case} AND action = 'judge'"),
    )
    .await;
    expect_named(
        &app,
        &pool,
        &[format!(
            "DELETE FROM case_events WHERE case_id = {case} AND seq = {seq}"
        )],
        &[format!(
            "INSERT INTO case_events (case_id, seq, at, actor, actor_kind, action, data) \
             VALUES ({case}, {seq}, {at}, '{actor}', 'staff', 'judge', '{data}')"
        )],
        &format!("broken at entry {judged}: removed"),
        &head,
    )
    .await;

    // A history entry added behind kesu's back, dated just after the judgement: named at
    // its place in time, after every link up to then.
    let place = 1 + one_i64(
        &pool,
        &format!("SELECT MAX(idx) FROM audit_chain WHERE at <= {}", at + 1),
    )
    .await;
    assert!(place > judged);
    expect_named(
        &app,
        &pool,
        &[format!(
            "INSERT INTO case_events (case_id, seq, at, actor, actor_kind, action, data) \
             VALUES ({case}, 99, {}, 'admin', 'staff', 'comment', '{{\"text\":\"补记\",\"internal\":true}}')",
            at + 1
        )],
        &[format!("DELETE FROM case_events WHERE case_id = {case} AND seq = 99")],
        &format!("broken at entry {place}: inserted"),
        &head,
    )
    .await;

    // The sign-in failure's audit event changed, removed, and one added.
    let failed = idx_of("SELECT idx FROM audit_chain WHERE kind = 'sign_in.failed'".into()).await;
    let ev = one_i64(
        &pool,
        "SELECT seq FROM audit_events WHERE kind = 'sign_in.failed'",
    )
    .await;
    let ev_at = one_i64(
        &pool,
        &format!("SELECT at FROM audit_events WHERE seq = {ev}"),
    )
    .await;
    let detail = one_text(
        &pool,
        &format!("SELECT detail FROM audit_events WHERE seq = {ev}"),
    )
    .await;
    expect_named(
        &app,
        &pool,
        &[format!(
            "UPDATE audit_events SET actor = 'someone-else' WHERE seq = {ev}"
        )],
        &[format!(
            "UPDATE audit_events SET actor = 'admin' WHERE seq = {ev}"
        )],
        &format!("broken at entry {failed}: changed"),
        &head,
    )
    .await;
    expect_named(
        &app,
        &pool,
        &[format!("DELETE FROM audit_events WHERE seq = {ev}")],
        &[format!(
            "INSERT INTO audit_events (seq, at, kind, actor, case_id, detail) VALUES ({ev}, {ev_at}, 'sign_in.failed', 'admin', NULL, '{detail}')"
        )],
        &format!("broken at entry {failed}: removed"),
        &head,
    )
    .await;
    expect_named(
        &app,
        &pool,
        &[format!(
            "INSERT INTO audit_events (seq, at, kind, actor, case_id, detail) VALUES (9999, {ev_at}, 'export', 'admin', NULL, '{{}}')"
        )],
        &["DELETE FROM audit_events WHERE seq = 9999".to_string()],
        &format!("broken at entry {}: inserted", failed + 1),
        &head,
    )
    .await;

    // A link of the chain edited, and links dropped in the middle and at the end.
    let hash = one_text(&pool, "SELECT hash FROM audit_chain WHERE idx = 2").await;
    expect_named(
        &app,
        &pool,
        &[format!(
            "UPDATE audit_chain SET hash = '{}' WHERE idx = 2",
            "0".repeat(64)
        )],
        &[format!(
            "UPDATE audit_chain SET hash = '{hash}' WHERE idx = 2"
        )],
        "broken at entry 2: changed",
        &head,
    )
    .await;
    for at in [3, entries] {
        let row = sqlx::query("SELECT at, kind, actor, case_id, source, ref, content, hash FROM audit_chain WHERE idx = $1")
            .bind(at)
            .fetch_one(&pool)
            .await
            .unwrap();
        let case_id: Option<i64> = row.try_get("case_id").unwrap();
        let restore = format!(
            "INSERT INTO audit_chain (idx, at, kind, actor, case_id, source, ref, content, hash) \
             VALUES ({at}, {}, '{}', '{}', {}, '{}', {}, '{}', '{}')",
            row.try_get::<i64, _>("at").unwrap(),
            row.try_get::<String, _>("kind").unwrap(),
            row.try_get::<String, _>("actor").unwrap(),
            case_id.map_or("NULL".to_string(), |c| c.to_string()),
            row.try_get::<String, _>("source").unwrap(),
            row.try_get::<i64, _>("ref").unwrap(),
            row.try_get::<String, _>("content").unwrap(),
            row.try_get::<String, _>("hash").unwrap(),
        );
        expect_named(
            &app,
            &pool,
            &[format!("DELETE FROM audit_chain WHERE idx = {at}")],
            &[restore],
            &format!("broken at entry {at}: removed"),
            &head,
        )
        .await;
    }
}

async fn an_exported_head_catches_a_chain_rewritten_whole(app: TestApp) {
    let admin = app.admin().await;
    let id = app.register(&admin, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let (code, head) = verify(&app).await;
    assert_eq!(code, 0, "{head}");
    let words: Vec<&str> = head.split(' ').collect();
    let anchor = format!("{}:{}", words[1], words[4]);
    // Someone rewrites the registration's actor and recomputes every hash after it: the
    // chain links up again, but not through the head exported before.
    let pool = db(&app).await;
    let mut tx = pool.begin().await.unwrap();
    for sql in [
        format!("UPDATE case_events SET actor = 'someone-else' WHERE case_id = {id} AND seq = 1"),
        "DELETE FROM audit_chain".into(),
        // The sealer reads the whole change log again and chains it afresh.
        format!("UPDATE audit_seal SET head_idx = 0, head_hash = '{}', history_cursor = '0:0', sweep_after = NULL", "0".repeat(64)),
    ] {
        sqlx::query(&sql).execute(&mut *tx).await.unwrap();
    }
    tx.commit().await.unwrap();
    let place = app.cli_place.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(KESU)
            .args(["audit", "verify", "--anchor", &anchor])
            .args(&place)
            .env_remove("KESU_DATABASE_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.starts_with(&format!("broken at entry {}: rewritten", words[1])),
        "{text}"
    );
    // Without the exported head, the rewritten chain would pass: that is why it is exported.
    let (code, _) = verify(&app).await;
    assert_eq!(code, 0);
}

async fn the_trail_is_read_by_auditors_and_admins_and_hidden_from_the_rest(app: TestApp) {
    let admin = app.admin().await;
    let auditor = app.user("audrey", "auditor", None).await;
    let agent = app.user("amy", "agent", None).await;
    let supervisor = app.user("sam", "supervisor", None).await;
    let dept = app.user("dora", "department", Some("logistics")).await;
    let id = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let number = app.case(&agent, id).await["number"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "amy", "password": "wrong-password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    app.store.seal_pending(|_| {}).await.unwrap();

    for (who, token) in [
        ("agent", &agent),
        ("department", &dept),
        ("supervisor", &supervisor),
    ] {
        for path in ["/api/v1/audit", "/api/v1/audit/export"] {
            let r = app.get(token, path).await;
            assert_eq!(r.status(), 403, "{who} on {path}");
        }
    }
    let page: serde_json::Value = app
        .get(&auditor, "/api/v1/audit?per_page=200")
        .await
        .json()
        .await
        .unwrap();
    let kinds: Vec<&str> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    for k in [
        "user.created",
        "sign_in.succeeded",
        "sign_in.failed",
        "case.register",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    assert_eq!(
        page["head"]["entries"].as_i64(),
        Some(page["total"].as_i64().unwrap())
    );
    // Filters: a family of kinds, one case by its number, one person.
    let signs: serde_json::Value = app
        .get(&auditor, "/api/v1/audit?kind=sign_in.")
        .await
        .json()
        .await
        .unwrap();
    assert!(signs["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["kind"].as_str().unwrap().starts_with("sign_in.")));
    let failed = signs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "sign_in.failed")
        .unwrap();
    assert_eq!(failed["actor"], "amy");
    assert!(
        !failed.to_string().contains("wrong-password"),
        "never the password"
    );
    let of_case: serde_json::Value = app
        .get(&admin, &format!("/api/v1/audit?case={number}"))
        .await
        .json()
        .await
        .unwrap();
    let items = of_case["items"].as_array().unwrap();
    assert!(
        !items.is_empty() && items.iter().all(|e| e["case_id"] == id),
        "{of_case}"
    );
    // History entries show what happened, never the customer's data.
    assert!(
        !of_case.to_string().contains("13812345678") && !of_case.to_string().contains("王小明")
    );
    let bad = app
        .get(&auditor, "/api/v1/audit?kind=nonsense&from=yesterday")
        .await;
    let problem = crate::helpers::problem(bad, reqwest::StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields = crate::helpers::fields(&problem);
    assert!(
        fields.contains(&"kind".to_string()) && fields.contains(&"from".to_string()),
        "{problem}"
    );

    // The export is a file, and is itself in the trail.
    let file = app
        .get(&auditor, "/api/v1/audit/export?kind=sign_in.&format=csv")
        .await;
    assert_eq!(file.status(), 200);
    let csv = file.text().await.unwrap();
    assert!(
        csv.contains("sign_in.failed") && !csv.contains("case.register"),
        "{csv}"
    );
    let exports = app.trail(&auditor, "kind=export", 1).await;
    let export = &exports["items"][0];
    assert_eq!(
        (export["actor"].as_str(), export["detail"]["what"].as_str()),
        (Some("audrey"), Some("audit_trail"))
    );

    // The workbench page, in Chinese, for the auditor; refused to an agent.
    let (client, _) = crate::helpers::browser(&app, "audrey", "pass-word-1").await;
    let html = crate::helpers::page_text(&client, &app.url("/audit?kind=sign_in.")).await;
    assert!(
        html.contains("审计记录") && html.contains("登录失败") && html.contains("amy"),
        "{html}"
    );
    let (client, _) = crate::helpers::browser(&app, "amy", "pass-word-1").await;
    let r = client.get(app.url("/audit")).send().await.unwrap();
    assert_eq!(r.status(), 403);
    let home = crate::helpers::page_text(&client, &app.url("/")).await;
    assert!(
        !home.contains("href=\"/audit\""),
        "no link to the trail for agents"
    );
}

on_both_backends!(
    tampering_with_history_events_or_the_chain_is_named,
    an_exported_head_catches_a_chain_rewritten_whole,
    the_trail_is_read_by_auditors_and_admins_and_hidden_from_the_rest
);
