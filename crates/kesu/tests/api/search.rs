//! Searching cases: Chinese words, numbers, replies and notes, kept current as cases
//! change, filtered like the queue, and never past what the caller's role may see.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, TestApp};
use crate::on_both_backends;

fn registration(
    name: &str,
    phone: &str,
    order: &str,
    tracking: &str,
    category: &str,
    text: &str,
) -> Value {
    let mut c = complaint();
    c["complainant"] = json!({"name": name, "phone": phone});
    c["order_no"] = json!(order);
    c["tracking_no"] = json!(tracking);
    c["category"] = json!(category);
    c["description"] = json!(text);
    c
}

/// Judges the case valid and routes it to `department`.
async fn route(app: &TestApp, token: &str, id: i64, department: &str) {
    app.act_ok(token, id, json!({"action": "judge", "valid": true}))
        .await;
    app.act_ok(
        token,
        id,
        json!({"action": "route", "department": department}),
    )
    .await;
}

/// The numbers of the cases a search returns, and the total it reports.
async fn found(app: &TestApp, token: &str, query: &str) -> (Vec<String>, i64) {
    let r = app.get(token, &format!("/api/v1/cases?{query}")).await;
    assert_eq!(r.status(), StatusCode::OK, "{query}");
    let body: Value = r.json().await.unwrap();
    let numbers = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["number"].as_str().unwrap().to_owned())
        .collect();
    (numbers, body["total"].as_i64().unwrap())
}

fn q(text: &str) -> String {
    format!("q={}", form_urlencoded_byte(text))
}

fn form_urlencoded_byte(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

async fn search_understands_chinese_and_numbers(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let glass = app
        .register(
            &agent,
            &registration(
                "王小明",
                "13812345678",
                "TB20261111001",
                "YT1234567890",
                "damaged",
                "收到的玻璃杯碎了两个，外箱有明显压痕",
            ),
        )
        .await;
    let late = app
        .register(
            &agent,
            &registration(
                "李雷",
                "13900001111",
                "JD88001",
                "SF7788990011",
                "logistics",
                "快递三天没有更新物流信息，一直显示运输中",
            ),
        )
        .await;
    let sweater = app
        .register(
            &agent,
            &registration(
                "韩梅梅",
                "13700002222",
                "PDD5550001",
                "ZT0000111",
                "quality",
                "毛衣洗了一次就严重起球，质量太差",
            ),
        )
        .await;
    let (glass_no, late_no, sweater_no) = (
        glass["number"].as_str().unwrap().to_owned(),
        late["number"].as_str().unwrap().to_owned(),
        sweater["number"].as_str().unwrap().to_owned(),
    );

    // Words inside unspaced Chinese text.
    assert_eq!(
        found(&app, &agent, &q("玻璃杯")).await,
        (vec![glass_no.clone()], 1)
    );
    assert_eq!(
        found(&app, &agent, &q("物流")).await,
        (vec![late_no.clone()], 1)
    );
    assert_eq!(
        found(&app, &agent, &q("起球")).await,
        (vec![sweater_no.clone()], 1)
    );
    // Every part of the query must match.
    assert_eq!(found(&app, &agent, &q("毛衣 物流")).await.1, 0);
    assert_eq!(
        found(&app, &agent, &q("质量 毛衣")).await.0,
        vec![sweater_no.clone()]
    );
    // Order, tracking and case numbers, whole or by their beginning, any case.
    assert_eq!(
        found(&app, &agent, &q("jd88001")).await.0,
        vec![late_no.clone()]
    );
    assert_eq!(
        found(&app, &agent, &q("SF7788")).await.0,
        vec![late_no.clone()]
    );
    assert_eq!(
        found(&app, &agent, &q(&glass_no)).await.0,
        vec![glass_no.clone()]
    );
    // Names and phones, for a role that may see them.
    assert_eq!(
        found(&app, &agent, &q("韩梅梅")).await.0,
        vec![sweater_no.clone()]
    );
    assert_eq!(
        found(&app, &agent, &q("13900001111")).await.0,
        vec![late_no.clone()]
    );
    // Filters of the queue combine with the search.
    assert_eq!(
        found(&app, &agent, &format!("{}&category=logistics", q("物流")))
            .await
            .1,
        1
    );
    assert_eq!(
        found(&app, &agent, &format!("{}&category=quality", q("物流")))
            .await
            .1,
        0
    );
    assert_eq!(
        found(&app, &agent, &format!("{}&status=closed", q("玻璃杯")))
            .await
            .1,
        0
    );

    // A reply and an internal note are found as soon as they are written.
    let id = late["id"].as_i64().unwrap();
    app.act_ok(
        &agent,
        id,
        json!({"action": "comment", "text": "已联系顺丰加急派送，预计明天送达", "internal": false}),
    )
    .await;
    assert_eq!(
        found(&app, &agent, &q("加急派送")).await.0,
        vec![late_no.clone()]
    );
    app.act_ok(
        &agent,
        id,
        json!({"action": "comment", "text": "仓库确认包裹在中转站滞留", "internal": true}),
    )
    .await;
    assert_eq!(
        found(&app, &agent, &q("滞留")).await.0,
        vec![late_no.clone()]
    );
    // A status change moves the case between filters at once.
    route(&app, &agent, id, "logistics").await;
    assert_eq!(
        found(&app, &agent, &format!("{}&department=logistics", q("物流")))
            .await
            .0,
        vec![late_no.clone()]
    );

    // Paging: newest first, the total counts every match.
    for i in 0..3 {
        app.register(
            &agent,
            &registration(
                "赵六",
                "13600000000",
                &format!("TB9000{i}"),
                &format!("YT9000{i}"),
                "logistics",
                "物流太慢了",
            ),
        )
        .await;
    }
    let (first_page, total) = found(&app, &agent, &format!("{}&per_page=2", q("物流"))).await;
    assert_eq!((first_page.len(), total), (2, 4));
    let (last_page, _) = found(&app, &agent, &format!("{}&per_page=2&page=2", q("物流"))).await;
    assert_eq!(last_page.len(), 2);
    assert_eq!(last_page[1], late_no, "the oldest match comes last");
}

async fn search_never_shows_what_a_role_may_not_see(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let auditor = app.user("al", "auditor", None).await;
    let warehouse = app.user("wu", "department", Some("logistics")).await;
    let mine = app
        .register(
            &agent,
            &registration(
                "王小明",
                "13812345678",
                "TB1",
                "YT1",
                "logistics",
                "包裹丢了",
            ),
        )
        .await;
    let other = app
        .register(
            &agent,
            &registration(
                "李雷",
                "13900001111",
                "TB2",
                "YT2",
                "quality",
                "包裹里的商品有划痕",
            ),
        )
        .await;
    route(&app, &agent, mine["id"].as_i64().unwrap(), "logistics").await;
    route(&app, &agent, other["id"].as_i64().unwrap(), "quality").await;

    // Names and phones are not searchable for a role that sees them masked.
    assert_eq!(found(&app, &auditor, &q("王小明")).await.1, 0);
    assert_eq!(found(&app, &auditor, &q("13812345678")).await.1, 0);
    assert_eq!(found(&app, &auditor, &q("包裹")).await.1, 2);
    // A department finds only its own department's cases, whatever it asks for.
    assert_eq!(
        found(&app, &warehouse, &q("包裹")).await.0,
        vec![mine["number"].as_str().unwrap().to_owned()]
    );
    assert_eq!(
        found(
            &app,
            &warehouse,
            &format!("{}&department=quality", q("划痕"))
        )
        .await
        .1,
        0
    );
}

async fn a_missing_index_is_filled_at_start_and_rebuilt_on_request(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    for (order, text) in [("TB1", "收到的玻璃杯碎了"), ("TB2", "快递一直没有送到")]
    {
        app.register(
            &agent,
            &registration("王小明", "13812345678", order, "YT1", "damaged", text),
        )
        .await;
    }
    let glass = kesu_search::SearchQuery {
        q: "玻璃杯".into(),
        ..Default::default()
    };

    // A server started on a data folder without an index fills it from the database.
    let dir = tempfile::tempdir().unwrap();
    let started = kesu_search::Search::start(app.store.clone(), dir.path())
        .await
        .unwrap();
    assert_eq!(started.len(), 2);
    assert_eq!(started.find(glass.clone(), 0, 10).await.unwrap().1, 1);

    // `kesu reindex` rebuilds one, telling its progress.
    let other = tempfile::tempdir().unwrap();
    let seen = std::sync::Mutex::new(Vec::new());
    let n = kesu_search::Search::rebuild(&app.store, other.path(), |done, total| {
        seen.lock().unwrap().push((done, total))
    })
    .await
    .unwrap();
    assert_eq!(n, 2);
    assert_eq!(seen.into_inner().unwrap().last(), Some(&(2, 2)));
    let rebuilt = kesu_search::SearchIndex::open(other.path(), 1).unwrap();
    assert_eq!(rebuilt.search(&glass, 0, 10).unwrap().1, 1);
}

on_both_backends!(
    search_understands_chinese_and_numbers,
    search_never_shows_what_a_role_may_not_see,
    a_missing_index_is_filled_at_start_and_rebuilt_on_request
);
