//! Reports over the API, checked against figures worked out by hand on a small fixture:
//! cases on both sides of Shanghai midnight, a reopened case, met and missed clocks,
//! money, repeat complainants; the same cases seen from another time zone; exports.

use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{complaint, fields, problem, TestApp};
use crate::on_both_backends;

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

struct Team {
    agent: String,
    supervisor: String,
    logistics: String,
    quality: String,
}

async fn team(app: &TestApp) -> Team {
    Team {
        agent: app.user("amy", "agent", None).await,
        supervisor: app.user("sam", "supervisor", None).await,
        logistics: app.user("wu", "department", Some("logistics")).await,
        quality: app.user("qi", "department", Some("quality")).await,
    }
}

/// Registers a complaint received at `received` (the clock is moved there first).
async fn register(
    app: &TestApp,
    t: &Team,
    received: &str,
    channel: &str,
    category: &str,
    phone: &str,
) -> (i64, String) {
    app.clock.set(at(received));
    let mut c = complaint();
    c["received_at"] = json!(received);
    c["channel"] = json!(channel);
    c["category"] = json!(category);
    c["complainant"]["phone"] = json!(phone);
    let case = app.register(&t.agent, &c).await;
    (
        case["id"].as_i64().unwrap(),
        case["number"].as_str().unwrap().to_owned(),
    )
}

/// Moves the clock to `received + minutes` and takes the action.
async fn at_minute(
    app: &TestApp,
    received: &str,
    minutes: i64,
    token: &str,
    id: i64,
    action: Value,
) {
    app.clock.set(at(received) + Duration::minutes(minutes));
    if action["action"] == "judge" {
        // A judgement is internal; the fixture's agent tells the customer at the same
        // minute, which is what the first-response figures count.
        app.act_ok(
            token,
            id,
            json!({"action": "comment", "text": "亲，您好，您的问题已受理", "internal": false}),
        )
        .await;
    }
    app.act_ok(token, id, action).await;
}

/// The fixture; returns case A's number.
async fn fixture(app: &TestApp, t: &Team) -> String {
    // A: 00:30 on 1 November in Shanghai, answered in 30 minutes, compensated ¥30 with a
    // supervisor's approval, confirmed 20 hours after it came in.
    let a_at = "2026-11-01T00:30:00+08:00";
    let (a, a_number) = register(app, t, a_at, "chat", "damaged", "13812345678").await;
    at_minute(
        app,
        a_at,
        30,
        &t.agent,
        a,
        json!({"action": "judge", "valid": true}),
    )
    .await;
    at_minute(
        app,
        a_at,
        40,
        &t.agent,
        a,
        json!({"action": "route", "department": "logistics"}),
    )
    .await;
    at_minute(app, a_at, 120, &t.logistics, a, json!({"action": "analyse", "liability": "carrier", "root_cause": "carrier", "findings": "中转压损"})).await;
    at_minute(
        app,
        a_at,
        130,
        &t.agent,
        a,
        json!({"action": "propose", "options": [{"kind": "compensation", "amount_cents": 3000}]}),
    )
    .await;
    at_minute(
        app,
        a_at,
        140,
        &t.agent,
        a,
        json!({"action": "choose", "option": 0}),
    )
    .await;
    at_minute(
        app,
        a_at,
        150,
        &t.supervisor,
        a,
        json!({"action": "approve", "comment": "同意"}),
    )
    .await;
    at_minute(
        app,
        a_at,
        200,
        &t.logistics,
        a,
        json!({"action": "execute", "note": "已补偿30元"}),
    )
    .await;
    at_minute(
        app,
        a_at,
        20 * 60,
        &t.agent,
        a,
        json!({"action": "follow_up", "satisfied": true, "rating": 5}),
    )
    .await;
    at_minute(
        app,
        a_at,
        20 * 60 + 5,
        &t.agent,
        a,
        json!({"action": "close", "summary": "承运商压损，补偿30元", "lessons": "易碎品加厚包装"}),
    )
    .await;

    // B: 23:30 on 31 October in Shanghai: the month before. Same customer as A.
    register(
        app,
        t,
        "2026-10-31T23:30:00+08:00",
        "chat",
        "damaged",
        "13812345678",
    )
    .await;

    // E: reopened once (unsatisfied at the first follow-up), refunded ¥15, confirmed
    // after 100 hours (48 allowed).
    let e_at = "2026-11-10T10:00:00+08:00";
    let (e, _) = register(app, t, e_at, "email", "quality", "13900000001").await;
    at_minute(
        app,
        e_at,
        10,
        &t.agent,
        e,
        json!({"action": "judge", "valid": true}),
    )
    .await;
    at_minute(
        app,
        e_at,
        20,
        &t.agent,
        e,
        json!({"action": "route", "department": "quality"}),
    )
    .await;
    at_minute(app, e_at, 300, &t.quality, e, json!({"action": "analyse", "liability": "supplier", "root_cause": "product", "findings": "面料起球"})).await;
    at_minute(
        app,
        e_at,
        310,
        &t.agent,
        e,
        json!({"action": "propose", "options": [{"kind": "apology"}]}),
    )
    .await;
    at_minute(
        app,
        e_at,
        320,
        &t.agent,
        e,
        json!({"action": "choose", "option": 0}),
    )
    .await;
    at_minute(
        app,
        e_at,
        330,
        &t.agent,
        e,
        json!({"action": "execute", "note": "已致歉"}),
    )
    .await;
    at_minute(
        app,
        e_at,
        600,
        &t.agent,
        e,
        json!({"action": "follow_up", "satisfied": false, "rating": 2}),
    )
    .await;
    at_minute(
        app,
        e_at,
        610,
        &t.agent,
        e,
        json!({"action": "propose", "options": [{"kind": "partial_refund", "amount_cents": 1500}]}),
    )
    .await;
    at_minute(
        app,
        e_at,
        620,
        &t.agent,
        e,
        json!({"action": "choose", "option": 0}),
    )
    .await;
    at_minute(
        app,
        e_at,
        630,
        &t.agent,
        e,
        json!({"action": "execute", "note": "已退15元"}),
    )
    .await;
    at_minute(
        app,
        e_at,
        100 * 60,
        &t.agent,
        e,
        json!({"action": "follow_up", "satisfied": true, "rating": 3}),
    )
    .await;

    // F: not valid, answered in 5 minutes.
    let f_at = "2026-11-15T10:00:00+08:00";
    let (f, _) = register(app, t, f_at, "chat", "logistics", "13900000002").await;
    at_minute(
        app,
        f_at,
        5,
        &t.agent,
        f,
        json!({"action": "judge", "valid": false, "reason": "已超过售后期，已委婉说明"}),
    )
    .await;

    // C: one minute before midnight on 30 November, answered after 90 minutes (60 allowed).
    // Same customer as A.
    let c_at = "2026-11-30T23:59:00+08:00";
    let (c, _) = register(app, t, c_at, "phone", "damaged", "13812345678").await;
    at_minute(
        app,
        c_at,
        90,
        &t.agent,
        c,
        json!({"action": "judge", "valid": true}),
    )
    .await;

    // D: midnight of 1 December: not November.
    register(
        app,
        t,
        "2026-12-01T00:00:00+08:00",
        "chat",
        "logistics",
        "13900000003",
    )
    .await;
    app.clock.set(at("2026-12-02T01:00:00+08:00"));
    a_number
}

async fn summary(app: &TestApp, token: &str, query: &str) -> Value {
    let r = app
        .get(token, &format!("/api/v1/reports/summary?{query}"))
        .await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

async fn the_summary_of_a_month_matches_the_figures_worked_out_by_hand(app: TestApp) {
    let t = team(&app).await;
    fixture(&app, &t).await;
    let s = summary(&app, &t.supervisor, "from=2026-11-01&to=2026-11-30").await;
    assert_eq!(
        s["cases"], 4,
        "A, C, E, F; B and D fall on the other side of Shanghai midnight: {s}"
    );
    assert_eq!(s["by_channel"]["chat"], 2);
    assert_eq!(s["by_channel"]["phone"], 1);
    assert_eq!(s["by_channel"]["email"], 1);
    assert_eq!(s["by_category"]["damaged"], 2);
    assert_eq!(s["by_category"]["quality"], 1);
    assert_eq!(s["by_category"]["logistics"], 1);
    // First answers after 30, 90, 10 and 5 minutes.
    assert_eq!(s["first_response_minutes"]["median"], 20.0);
    assert_eq!(s["first_response_minutes"]["p90"], 72.0);
    // Confirmed after 20 and 100 hours.
    assert_eq!(s["resolution_hours"]["median"], 60.0);
    assert_eq!(s["resolution_hours"]["p90"], 92.0);
    // A and F met their clocks; C was answered late and E resolved late.
    assert_eq!(s["sla_compliance"], 0.5);
    assert_eq!(s["satisfaction"]["rated"], 2);
    assert_eq!(s["satisfaction"]["average"], 4.0);
    assert_eq!(s["satisfaction"]["satisfied_share"], 1.0);
    assert_eq!(s["satisfaction"]["ratings"], json!([0, 0, 1, 0, 1]));
    assert_eq!(s["reopened"], 1);
    assert_eq!(s["reopen_rate"], 0.25);
    assert_eq!(s["refunds_cents"], 1500);
    assert_eq!(s["compensation_cents"], 3000);
    assert_eq!(s["repeat"]["complainants"], 3);
    assert_eq!(s["repeat"]["repeat_complainants"], 1);
    assert_eq!(s["repeat"]["repeat_cases"], 2);
    assert_eq!(
        s["complaints_per_1000_orders"],
        Value::Null,
        "no orders known"
    );

    // The shop reports its orders: 4 complaints on 4,000 orders.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/shops/{}/order-counts", "旗舰店")))
        .bearer_auth(&t.supervisor)
        .json(
            &json!([{"day": "2026-11-11", "orders": 2500}, {"day": "2026-11-12", "orders": 1500}]),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let s = summary(&app, &t.supervisor, "from=2026-11-01&to=2026-11-30").await;
    assert_eq!(s["orders"], 4000);
    assert_eq!(s["complaints_per_1000_orders"], 1.0);

    // October holds B only; filters narrow every figure.
    assert_eq!(
        summary(&app, &t.supervisor, "from=2026-10-01&to=2026-10-31").await["cases"],
        1
    );
    let quality = summary(
        &app,
        &t.supervisor,
        "from=2026-11-01&to=2026-11-30&department=quality",
    )
    .await;
    assert_eq!(
        (quality["cases"].clone(), quality["refunds_cents"].clone()),
        (json!(1), json!(1500))
    );
    assert_eq!(
        summary(
            &app,
            &t.supervisor,
            "from=2026-11-01&to=2026-11-30&channel=chat&category=damaged"
        )
        .await["cases"],
        1
    );
}

async fn the_same_cases_fall_in_other_days_when_the_shop_keeps_utc(app: TestApp) {
    let t = team(&app).await;
    fixture(&app, &t).await;
    let admin = app.admin().await;
    let mut policy: Value = app
        .get(&admin, "/api/v1/policy")
        .await
        .json()
        .await
        .unwrap();
    policy["time_zone"] = json!("UTC");
    let r = app
        .client
        .put(app.url("/api/v1/policy"))
        .bearer_auth(&admin)
        .json(&policy)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // In UTC, A (16:30 on 31 October) and B are October; C and D (15:59 and 16:00 on 30
    // November) are November.
    let s = summary(&app, &t.supervisor, "from=2026-11-01&to=2026-11-30").await;
    assert_eq!(s["cases"], 4, "C, D, E, F: {s}");
    assert_eq!(
        summary(&app, &t.supervisor, "from=2026-10-01&to=2026-10-31").await["cases"],
        2
    );
}

async fn the_dashboard_compares_with_the_previous_period_and_ranks_causes(app: TestApp) {
    let t = team(&app).await;
    fixture(&app, &t).await;
    let r = app
        .get(
            &t.supervisor,
            "/api/v1/reports/dashboard?from=2026-11-01&to=2026-11-30",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let d: Value = r.json().await.unwrap();
    assert_eq!(d["bucket"], "day");
    assert_eq!(d["timeline"].as_array().unwrap().len(), 30);
    assert_eq!(d["timeline"][0]["start"], "2026-11-01");
    assert_eq!(d["timeline"][0]["cases"], 1, "A");
    assert_eq!(d["timeline"][29]["cases"], 1, "C");
    assert_eq!(d["previous"]["from"], "2026-10-02");
    assert_eq!(d["previous"]["cases"], 1, "B");
    let causes: Vec<(String, u64)> = d["root_causes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_owned(),
                c["cases"].as_u64().unwrap(),
            )
        })
        .collect();
    // A tie keeps the order of docs/interface.md §3's list (process, staff, product, carrier…).
    assert_eq!(
        causes,
        [("product".to_owned(), 1), ("carrier".to_owned(), 1)],
        "{}",
        d["root_causes"]
    );
    assert_eq!(d["root_causes"][1]["cumulative_share"], 1.0);
    // The registering agent owns every case nobody was assigned to.
    let agents = d["agents"].as_array().unwrap();
    assert_eq!(agents.len(), 1, "{agents:?}");
    assert_eq!(agents[0]["key"], "amy");
    assert_eq!(agents[0]["cases"], 4);
    assert_eq!(agents[0]["open"], 2);
    let depts: Vec<&str> = d["by_department"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(depts, ["logistics", "quality"]);
}

async fn carrier_shop_and_product_come_from_the_order_once_it_is_known(app: TestApp) {
    let t = team(&app).await;
    fixture(&app, &t).await;
    let order = json!({
        "shop": "旗舰店", "buyer": {"name": "王小明", "phone": "13812345678"},
        "placed_at": "2026-11-20T10:00:00+08:00",
        "lines": [{"line_id": "A", "sku": "MUG", "name": "陶瓷马克杯", "unit_price_cents": 12900, "quantity": 2}],
        "shipments": [{"carrier": "sto", "tracking_no": "ST0000000001", "lines": [{"line_id": "A", "quantity": 1}]},
                      {"carrier": "yto", "tracking_no": "YT1234567890", "lines": [{"line_id": "A", "quantity": 1}]}]
    });
    let r = app.put_order(&t.agent, "TB20261111001", &order).await;
    assert!(r.status().is_success());
    // C, still open, changes: its facts now name the parcel's carrier, the shop and product.
    let c = app
        .get(&t.agent, "/api/v1/cases?status=validated")
        .await
        .json::<Value>()
        .await
        .unwrap()["items"][0]["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &t.agent,
        c,
        json!({"action": "comment", "text": "已联系承运商", "internal": true}),
    )
    .await;
    let d: Value = app
        .get(
            &t.supervisor,
            "/api/v1/reports/dashboard?from=2026-11-01&to=2026-11-30",
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        d["by_carrier"],
        json!([{"key": "yto", "cases": 1}]),
        "the tracked parcel's carrier, not the first shipment's"
    );
    assert_eq!(d["by_shop"], json!([{"key": "旗舰店", "cases": 1}]));
    assert_eq!(d["by_product"], json!([{"key": "陶瓷马克杯", "cases": 1}]));
    let yto = summary(
        &app,
        &t.supervisor,
        "from=2026-11-01&to=2026-11-30&carrier=yto",
    )
    .await;
    assert_eq!(yto["cases"], 1);
}

async fn department_users_see_their_own_department_and_bad_periods_are_named(app: TestApp) {
    let t = team(&app).await;
    fixture(&app, &t).await;
    let s = summary(&app, &t.logistics, "from=2026-11-01&to=2026-11-30").await;
    assert_eq!(s["cases"], 1, "only A was routed to logistics: {s}");
    let r = app
        .get(
            &t.logistics,
            "/api/v1/reports/summary?from=2026-11-01&to=2026-11-30&department=quality",
        )
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
    let r = app
        .get(
            &t.supervisor,
            "/api/v1/reports/summary?to=2026-11-31&channel=fax",
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["from", "to", "channel"]);
    let r = app
        .get(
            &t.supervisor,
            "/api/v1/reports/summary?from=2026-11-30&to=2026-11-01",
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["to"]
    );
}

async fn the_complaint_register_exports_every_case_masked_for_auditors(app: TestApp) {
    let t = team(&app).await;
    let a_number = fixture(&app, &t).await;
    let auditor = app.user("al", "auditor", None).await;
    let csv_of = |token: String| {
        let app = &app;
        async move {
            let r = app
                .get(
                    &token,
                    "/api/v1/reports/register?from=2026-11-01&to=2026-11-30&format=csv",
                )
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            assert_eq!(r.headers()["content-type"], "text/csv; charset=utf-8");
            assert!(r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("kesu-register-2026-11-01-2026-11-30.csv"));
            r.text().await.unwrap()
        }
    };
    let full = csv_of(t.supervisor.clone()).await;
    let lines: Vec<&str> = full.trim_start_matches('\u{feff}').lines().collect();
    assert!(
        lines[0].starts_with("案件编号,登记时间,渠道,投诉人,电话"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 5, "a header and A, E, F, C, oldest first");
    assert!(lines[1].starts_with(&a_number), "{}", lines[1]);
    assert!(lines[1].contains("2026-11-01 00:30") && lines[1].contains("13812345678"));
    assert!(lines[1].contains("承运商压损，补偿30元") && lines[1].contains("易碎品加厚包装"));
    let masked = csv_of(auditor).await;
    assert!(
        !masked.contains("13812345678") && masked.contains("138****5678"),
        "{masked}"
    );
    assert!(!masked.contains("王小明"));

    let r = app
        .get(
            &t.supervisor,
            "/api/v1/reports/register?from=2026-11-01&to=2026-11-30&format=xlsx",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file is a zip archive");
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = calamine::Reader::worksheet_range(&mut book, "投诉登记表").unwrap();
    assert_eq!(sheet.height(), 5);
    assert_eq!(sheet.get((1, 0)).unwrap().to_string(), a_number);
    assert_eq!(
        sheet.get((1, 4)).unwrap().to_string(),
        "13812345678",
        "phone numbers stay text"
    );

    let r = app
        .get(
            &t.supervisor,
            "/api/v1/reports/export?from=2026-11-01&to=2026-11-30&format=xlsx",
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(r.bytes().await.unwrap().to_vec()))
            .unwrap();
    let summary = calamine::Reader::worksheet_range(&mut book, "汇总").unwrap();
    assert_eq!(summary.get((2, 0)).unwrap().to_string(), "投诉量");
    assert_eq!(summary.get((2, 1)).unwrap().to_string(), "4");
    let r = app
        .get(
            &t.supervisor,
            "/api/v1/reports/export?from=2026-11-01&to=2026-11-30&format=pdf",
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["format"]
    );
}

on_both_backends!(
    the_summary_of_a_month_matches_the_figures_worked_out_by_hand,
    the_same_cases_fall_in_other_days_when_the_shop_keeps_utc,
    the_dashboard_compares_with_the_previous_period_and_ranks_causes,
    department_users_see_their_own_department_and_bad_periods_are_named,
    the_complaint_register_exports_every_case_masked_for_auditors,
    an_improvement_action_shows_whether_its_root_cause_went_down,
    carrier_shop_and_product_come_from_the_order_once_it_is_known,
);

async fn an_improvement_action_shows_whether_its_root_cause_went_down(app: TestApp) {
    let t = team(&app).await;
    let a_number = fixture(&app, &t).await;
    let a_id = app
        .get(&t.supervisor, &format!("/api/v1/cases?q={a_number}"))
        .await
        .json::<Value>()
        .await
        .unwrap()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let body = json!({"title": "面料进货抽检", "root_cause": "product", "owner": "质量管理部",
                      "due_on": "2026-12-20", "case_ids": [a_id]});
    let r = app.post(&t.agent, "/api/v1/improvements", &body).await;
    problem(r, StatusCode::FORBIDDEN).await;
    let r = app.post(&t.supervisor, "/api/v1/improvements", &json!({"title": "", "root_cause": "carrier", "owner": "x", "due_on": "2026-12-20", "case_ids": [99999]})).await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["title"]
    );

    // Decided on 2 December: E (10 November) is the one product case in the four weeks before
    // (A, a carrier case of 1 November, is neither the cause nor in the window).
    let r = app.post(&t.supervisor, "/api/v1/improvements", &body).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let action: Value = r.json().await.unwrap();
    assert_eq!(action["status"], "planned");
    assert_eq!(action["case_ids"], json!([a_id]));
    assert_eq!(action["effect"]["before"], 1);
    assert_eq!(action["effect"]["before_per_week"], 0.25);
    assert_eq!(
        action["effect"]["after_per_week"],
        Value::Null,
        "too soon to tell"
    );
    let id = action["id"].as_i64().unwrap();

    let r = app
        .post(
            &t.supervisor,
            &format!("/api/v1/improvements/{id}/status"),
            &json!({"status": "done", "version": 1}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = app
        .post(
            &t.supervisor,
            &format!("/api/v1/improvements/{id}/status"),
            &json!({"status": "in_progress", "version": 1}),
        )
        .await;
    problem(r, StatusCode::CONFLICT).await;

    // In the week after, two more product complaints came in.
    for day in ["2026-12-04T10:00:00+08:00", "2026-12-06T10:00:00+08:00"] {
        let (c, _) = register(&app, &t, day, "chat", "quality", "13900000009").await;
        at_minute(
            &app,
            day,
            5,
            &t.agent,
            c,
            json!({"action": "judge", "valid": true}),
        )
        .await;
        at_minute(
            &app,
            day,
            6,
            &t.agent,
            c,
            json!({"action": "route", "department": "quality"}),
        )
        .await;
        at_minute(&app, day, 60, &t.quality, c, json!({"action": "analyse", "liability": "supplier", "root_cause": "product", "findings": "起球"})).await;
    }
    app.clock.set(at("2026-12-09T01:00:00+08:00"));
    let list: Value = app
        .get(&t.agent, "/api/v1/improvements")
        .await
        .json()
        .await
        .unwrap();
    let e = &list[0]["effect"];
    assert_eq!(list[0]["status"], "done");
    assert_eq!(
        (e["before"].clone(), e["after"].clone()),
        (json!(1), json!(2)),
        "{e}"
    );
    assert_eq!(e["after_per_week"], 2.0, "two in the week since");
    assert_eq!(e["change"], 7.0, "from 0.25 a week to 2: up 700%");
}
