//! Input a hostile user or a careless integrator sends: spreadsheet formulas that must not run
//! in an export, figures that would overflow every report, control characters that one backend
//! stores and the other refuses.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

on_both_backends!(
    exports_never_hand_a_spreadsheet_a_formula,
    order_counts_are_bounded_and_reports_survive_huge_stored_ones,
    control_characters_are_refused_at_every_way_in_with_the_field_named,
    a_page_far_past_the_end_is_refused_instead_of_exhausting_memory,
);

async fn a_page_far_past_the_end_is_refused_instead_of_exhausting_memory(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    app.register(&agent, &complaint()).await;
    // Found by schemathesis: this page made the search index allocate 8 TB and abort.
    let r = app
        .get(
            &agent,
            "/api/v1/cases?q=%E7%8E%BB%E7%92%83%E6%9D%AF&page=3519444242",
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["page"]
    );
    let r = app
        .get(
            &agent,
            "/api/v1/cases?q=%E7%8E%BB%E7%92%83%E6%9D%AF&page=10000",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let last: Value = r.json().await.unwrap();
    assert!(last["items"].as_array().unwrap().is_empty());
    let r = app
        .get(&agent, "/api/v1/cases?q=%E7%8E%BB%E7%92%83%E6%9D%AF")
        .await;
    assert_eq!(
        r.json::<Value>().await.unwrap()["total"],
        1,
        "the server is still there"
    );
}

/// Cells of a CSV export (after its byte-order mark).
fn cells(csv_text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// Whether a spreadsheet would take the cell for a formula.
fn runs_as_formula(cell: &str) -> bool {
    let number = cell.parse::<f64>().is_ok();
    cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && !number
}

async fn exports_never_hand_a_spreadsheet_a_formula(app: TestApp) {
    let supervisor = app.user("sam", "supervisor", None).await;
    let names = [
        "=HYPERLINK(\"http://x\",\"a\")",
        "+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
    ];
    let r = app
        .put_order(
            &supervisor,
            "TB20261111001",
            &json!({"shop": "=1+1", "buyer": {"name": "王小明"},
                    "placed_at": "2026-11-11T00:05:00+08:00",
                    "lines": [{"line_id": "A", "sku": "CUP", "name": "@cmd", "unit_price_cents": 1000, "quantity": 1}]}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    for name in names {
        let mut body = complaint();
        body["complainant"]["name"] = json!(name);
        body["description"] = json!(format!("{name} 杯子碎了"));
        app.register(&supervisor, &body).await;
    }
    for path in [
        "/api/v1/reports/register?from=2026-11-01&to=2026-11-30&format=csv",
        "/api/v1/reports/export?from=2026-11-01&to=2026-11-30&format=csv",
    ] {
        let r = app.get(&supervisor, path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        let text = r.text().await.unwrap();
        let all = cells(&text);
        let formulas: Vec<&String> = all.iter().filter(|c| runs_as_formula(c)).collect();
        assert!(
            formulas.is_empty(),
            "{path} hands over formulas: {formulas:?}"
        );
        if path.contains("export") {
            assert!(
                all.contains(&"'=1+1".to_owned()),
                "the shop is shown as text in {path}: {text}"
            );
        }
        if path.contains("register") {
            // The text is kept, shown as text.
            for name in names {
                assert!(all.contains(&format!("'{name}")), "{name} in {path}");
            }
        }
    }
}

async fn order_counts_are_bounded_and_reports_survive_huge_stored_ones(app: TestApp) {
    let supervisor = app.user("sam", "supervisor", None).await;
    app.register(&supervisor, &complaint()).await;
    let r = app
        .client
        .put(app.url("/api/v1/shops/x/order-counts"))
        .bearer_auth(&supervisor)
        .json(&json!([{"day": "2026-11-11", "orders": i64::MAX},
                      {"day": "2026-11-12", "orders": i64::MAX}]))
        .send()
        .await
        .unwrap();
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["[0].orders", "[1].orders"]
    );
    // Counts stored before the bound (straight into the database) cannot break the sums.
    let day = |d: &str| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
    app.store
        .put_shop_order_counts(&[
            ("x".into(), day("2026-11-11"), i64::MAX),
            ("x".into(), day("2026-11-12"), i64::MAX),
        ])
        .await
        .unwrap();
    for path in [
        "/api/v1/reports/summary?from=2026-11-01&to=2026-11-30",
        "/api/v1/reports/dashboard?from=2026-11-01&to=2026-11-30",
        "/api/v1/reports/export?from=2026-11-01&to=2026-11-30&format=csv",
    ] {
        let r = app.get(&supervisor, path).await;
        assert_eq!(r.status(), StatusCode::OK, "{path}");
    }
    let summary: Value = app
        .get(
            &supervisor,
            "/api/v1/reports/summary?from=2026-11-01&to=2026-11-30",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(summary["orders"], 2 * kesu_domain::report::MAX_DAILY_ORDERS);
}

async fn control_characters_are_refused_at_every_way_in_with_the_field_named(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let supervisor = app.user("sam", "supervisor", None).await;

    let mut body = complaint();
    body["complainant"]["name"] = json!("王\u{0}小明");
    let r = app.post(&agent, "/api/v1/cases", &body).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["complainant.name"]
    );
    let mut body = complaint();
    body["description"] = json!("杯子碎了\u{1b}[31m");
    let r = app.post(&agent, "/api/v1/cases", &body).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["description"]
    );

    let r = app
        .put_order(
            &agent,
            "TB1",
            &json!({"shop": "旗舰\u{0}店", "buyer": {"name": "王小明"},
                    "placed_at": "2026-11-11T00:05:00+08:00", "lines": []}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["shop"]
    );

    let r = app
        .post(
            &agent,
            "/api/v1/tracking/events",
            &json!([{"carrier": "yto", "tracking_no": "YT1", "at": "2026-11-23T10:00:00+08:00",
                     "status": "in_transit", "text": "到达\u{0}杭州"}]),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["[0].text"]
    );

    let r = app
        .post(
            &supervisor,
            "/api/v1/improvements",
            &json!({"title": "加厚\u{0}包装", "root_cause": "carrier", "owner": "sam", "due_on": "2026-12-20"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["title"]
    );

    // Unauthenticated ways in.
    let r = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": "adm\u{0}in", "password": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["username"]
    );
    let r = app
        .client
        .post(app.url("/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("username=adm%00in&password=x&next=%2F")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("username"),
        "the page names the field: {page}"
    );

    let r = app.get(&agent, "/api/v1/orders/AB%00C").await;
    problem(r, StatusCode::BAD_REQUEST).await;
    let r = app.get(&agent, "/api/v1/cases?q=%00").await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["q"]
    );

    // Nothing of it was stored; line breaks and tabs are still text.
    let list: Value = app.get(&agent, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(list["total"], 0);
    let mut body = complaint();
    body["description"] = json!("第一行\n第二行\t完");
    app.register(&agent, &body).await;
}
