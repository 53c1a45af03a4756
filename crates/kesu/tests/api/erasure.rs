//! Erasing a customer (issue 21, PIPL Art. 47): afterwards no page, API answer, search,
//! export, file name or database column holds their name, phone, e-mail or address; the
//! audit chain still verifies; the reports' figures are what they were; someone else's
//! case is untouched. The retention period erases closed cases on its own.

use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{AnyPool, Row};

use crate::attachments::photo_with_location;
use crate::audit_trail::verify;
use crate::helpers::{browser, complaint, fields, page_text, problem, TestApp};
use crate::on_both_backends;
use kesu_app::Clock;

const NAME: &str = "欧阳娜娜";
const PHONE: &str = "13987654321";
const EMAIL: &str = "Nana.Ouyang@example.com";
const ADDRESS: &str = "上海市浦东新区 世纪大道1000号 5楼";
const ORDER: &str = "TB-ERASE-1";

/// What must be gone: each way the person's data could be written.
const GONE: &[&str] = &[
    NAME,
    PHONE,
    "139-8765-4321",
    "nana.ouyang",
    "Nana.Ouyang",
    "世纪大道",
    "欧阳女士",
];

fn assert_gone(what: &str, text: &str) {
    for needle in GONE {
        assert!(
            !text.contains(needle),
            "{what} still shows `{needle}`: {text}"
        );
    }
}

/// Every table and column (of any type) that holds `needle`.
async fn columns_holding(app: &TestApp, pool: &AnyPool, needle: &str) -> Vec<String> {
    let postgres = app.db_url.starts_with("postgres");
    let list = if postgres {
        "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c FROM information_schema.columns \
         WHERE table_schema = current_schema()"
    } else {
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m, pragma_table_info(m.name) p \
         WHERE m.type = 'table'"
    };
    let mut out = Vec::new();
    for r in sqlx::query(list).fetch_all(pool).await.unwrap() {
        let (t, c): (String, String) = (r.try_get("t").unwrap(), r.try_get("c").unwrap());
        let sql =
            format!("SELECT COUNT(*) FROM \"{t}\" WHERE LOWER(CAST(\"{c}\" AS TEXT)) LIKE $1");
        let n: i64 = sqlx::query(&sql)
            .bind(format!("%{}%", needle.to_lowercase()))
            .fetch_one(pool)
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        if n > 0 {
            out.push(format!("{t}.{c}"));
        }
    }
    out
}

async fn text(app: &TestApp, token: &str, path: &str) -> String {
    let r = app.get(token, path).await;
    assert_eq!(r.status(), StatusCode::OK, "{path}");
    r.text().await.unwrap()
}

async fn figures(app: &TestApp, token: &str) -> (Value, Value) {
    let q = "from=2026-11-01&to=2026-11-30";
    let summary: Value = app
        .get(token, &format!("/api/v1/reports/summary?{q}"))
        .await
        .json()
        .await
        .unwrap();
    let dashboard: Value = app
        .get(token, &format!("/api/v1/reports/dashboard?{q}"))
        .await
        .json()
        .await
        .unwrap();
    (summary, dashboard)
}

async fn a_customer_erased_is_gone_everywhere_and_the_chain_still_verifies(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let order = json!({"shop": "旗舰店", "buyer": {"name": NAME, "phone": PHONE, "address": ADDRESS},
        "placed_at": "2026-11-11T00:05:00+08:00",
        "lines": [{"line_id": "A", "sku": "CUP", "unit_price_cents": 5900, "quantity": 2}],
        "shipments": [{"carrier": "yto", "tracking_no": "YTERASE0001",
                       "shipped_at": "2026-11-11T18:00:00+08:00", "lines": [{"line_id": "A", "quantity": 2}]}]});
    assert!(app
        .put_order(&agent, ORDER, &order)
        .await
        .status()
        .is_success());
    let mut body = complaint();
    body["complainant"] = json!({"name": NAME, "phone": PHONE, "email": EMAIL});
    body["order_no"] = json!(ORDER);
    body["tracking_no"] = json!("YTERASE0001");
    body["description"] = json!(format!("{NAME}说电话139-8765-4321随时联系，杯子碎了两个"));
    let id = app.register(&agent, &body).await["id"].as_i64().unwrap();
    // Someone else's case, which must stay as it is.
    let other = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &agent,
        id,
        json!({"action": "comment", "internal": false,
        "text": "欧阳女士您好，已收到您的照片，我们马上处理"}),
    )
    .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "comment", "internal": true,
        "text": format!("顾客{NAME}留了邮箱 {EMAIL}，地址 {ADDRESS}")}),
    )
    .await;
    app.act_ok(
        &agent,
        id,
        json!({"action": "judge", "valid": true, "reason": format!("{NAME}的照片清楚")}),
    )
    .await;
    let r = app
        .post(
            &agent,
            "/api/v1/tracking/events",
            &json!({"carrier": "yto",
        "tracking_no": "YTERASE0001", "at": "2026-11-12T08:00:00+08:00", "status": "delivered",
        "text": format!("已签收，签收人：{NAME}")}),
        )
        .await;
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
    let form = Form::new().part(
        "file",
        Part::bytes(photo_with_location(64, 48)).file_name(format!("{NAME}-{PHONE}.jpg")),
    );
    let r = app
        .client
        .post(app.url(&format!("/api/v1/cases/{id}/attachments")))
        .bearer_auth(&agent)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let attachment = r.json::<Value>().await.unwrap()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let before = figures(&app, &admin).await;
    app.store.seal_pending(|_| {}).await.unwrap();
    assert_eq!(verify(&app).await.0, 0);

    // The person's own copy first (the agent may not take it).
    let person = json!({"phone": "139 8765 4321"});
    let r = app
        .post(&agent, "/api/v1/personal-data/export", &person)
        .await;
    problem(r, StatusCode::FORBIDDEN).await;
    let r = app
        .post(&admin, "/api/v1/personal-data/export", &person)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let copy: Value = r.json().await.unwrap();
    assert_eq!(copy["cases"].as_array().unwrap().len(), 1, "{copy}");
    assert_eq!(copy["cases"][0]["complainant"]["email"], EMAIL);
    assert_eq!(copy["orders"][0]["buyer"]["address"], ADDRESS);
    assert!(
        copy.to_string().contains("欧阳女士您好"),
        "the reply is the customer's data"
    );
    assert!(
        !copy.to_string().contains("留了邮箱"),
        "internal notes stay the shop's"
    );
    let mut xlsx = person.clone();
    xlsx["format"] = json!("xlsx");
    let r = app
        .post(&admin, "/api/v1/personal-data/export", &xlsx)
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file");

    // Then the erasure, found by the e-mail typed in capitals.
    let r = app
        .post(
            &admin,
            "/api/v1/personal-data/erase",
            &json!({"email": EMAIL.to_uppercase(), "reason": "顾客来电要求删除 #PIPL-7"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["cases"].as_array().unwrap().len(), 1, "{done}");
    assert_eq!(
        (done["orders"].as_i64(), done["attachments"].as_i64()),
        (Some(1), Some(1))
    );
    app.store.seal_pending(|_| {}).await.unwrap();
    let (code, out) = verify(&app).await;
    assert_eq!(code, 0, "the chain verifies after the erasure: {out}");
    assert_eq!(
        figures(&app, &admin).await,
        before,
        "the reports' figures are unchanged"
    );

    // The API.
    for path in [
        format!("/api/v1/cases/{id}"),
        format!("/api/v1/cases/{id}/events"),
        format!("/api/v1/cases/{id}/attachments"),
        format!("/api/v1/orders/{ORDER}"),
        format!("/api/v1/cases/{id}/notifications"),
        format!("/api/v1/audit?case={id}"),
        "/api/v1/cases".to_owned(),
        "/api/v1/reports/register?from=2026-11-01&to=2026-11-30".to_owned(),
        "/api/v1/reports/register?from=2026-11-01&to=2026-11-30&format=xlsx".to_owned(),
        "/api/v1/audit/export?format=csv".to_owned(),
    ] {
        assert_gone(&path, &text(&app, &admin, &path).await);
    }
    let case = app.case(&agent, id).await;
    assert_eq!(case["order_no"], ORDER, "the case itself stays");
    assert!(
        case["description"]
            .as_str()
            .unwrap()
            .contains("杯子碎了两个"),
        "{case}"
    );
    let file = app
        .get(&admin, &format!("/api/v1/attachments/{attachment}"))
        .await;
    let file = file.bytes().await.unwrap();
    assert!(
        !file.windows(6).any(|w| w == b"Exif\0\0"),
        "the photo's metadata is gone"
    );
    // Search, by each thing that was personal, and the case by its order still.
    for q in [NAME, PHONE, "nana.ouyang@example.com", "欧阳"] {
        let found: Value = app
            .get(&agent, &format!("/api/v1/cases?q={}", urlencoding(q)))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(found["total"], 0, "search for {q}: {found}");
    }
    let by_order: Value = app
        .get(&agent, &format!("/api/v1/cases?q={ORDER}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_order["total"], 1);
    // A later request finds nothing more to hand over.
    let again: Value = app
        .post(
            &admin,
            "/api/v1/personal-data/export",
            &json!({"order_no": ORDER}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_gone("a later export", &again.to_string());
    // The workbench pages.
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    for path in [
        format!("/cases/{id}"),
        format!("/orders/{ORDER}"),
        "/".into(),
    ] {
        let page = page_text(&client, &app.url(&path)).await;
        assert_gone(&path, &page);
    }
    // Every column of every table.
    sqlx::any::install_default_drivers();
    let pool = AnyPool::connect(&app.db_url).await.unwrap();
    for needle in GONE {
        assert_eq!(
            columns_holding(&app, &pool, needle).await,
            Vec::<String>::new(),
            "{needle}"
        );
    }
    // SQLite: not even the database's files hold the old bytes (freed space is zeroed and
    // the write-ahead log emptied after an erasure).
    if let Some(db) = app
        .db_url
        .strip_prefix("sqlite://")
        .and_then(|u| u.split('?').next())
    {
        for file in [db.to_owned(), format!("{db}-wal")] {
            let bytes = std::fs::read(&file).unwrap_or_default();
            for needle in [PHONE, NAME, "世纪大道"] {
                assert!(
                    !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                    "{file} still holds {needle}"
                );
            }
        }
    }
    // The scan does find what is still there: the other customer's phone.
    assert!(columns_holding(&app, &pool, "13812345678")
        .await
        .contains(&"case_contacts.phone".to_owned()));
    assert_eq!(
        app.case(&agent, other).await["complainant"]["name"],
        "王小明"
    );
    // The trail says who erased which case, and nothing of the person.
    let trail = app.trail(&admin, "kind=personal.", 1).await;
    assert_eq!(trail["items"][0]["kind"], "personal.erased");
    assert_eq!(trail["items"][0]["case_id"], id);
    assert_eq!(trail["items"][0]["actor"], "admin");
}

fn urlencoding(q: &str) -> String {
    form_urlencoded::byte_serialize(q.as_bytes()).collect()
}

async fn requests_name_a_person_and_erasures_a_reason(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let auditor = app.user("audrey", "auditor", None).await;
    for token in [&agent, &auditor] {
        for path in ["search", "export", "erase"] {
            let r = app
                .post(
                    token,
                    &format!("/api/v1/personal-data/{path}"),
                    &json!({"phone": "13812345678", "reason": "x"}),
                )
                .await;
            problem(r, StatusCode::FORBIDDEN).await;
        }
    }
    let r = app
        .post(&admin, "/api/v1/personal-data/search", &json!({}))
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["phone"]
    );
    let r = app
        .post(
            &admin,
            "/api/v1/personal-data/search",
            &json!({"phone": "12", "email": "x"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["phone", "email"]
    );
    let id = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .post(
            &admin,
            "/api/v1/personal-data/erase",
            &json!({"phone": "13812345678"}),
        )
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), ["reason"]);
    assert!(
        !p.to_string().contains("13812345678"),
        "no personal data in an error body"
    );
    assert_eq!(
        app.case(&agent, id).await["complainant"]["name"],
        "王小明",
        "nothing erased"
    );
    let r = app
        .post(
            &admin,
            "/api/v1/personal-data/export",
            &json!({"phone": "13812345678", "format": "pdf"}),
        )
        .await;
    assert_eq!(
        fields(&problem(r, StatusCode::UNPROCESSABLE_ENTITY).await),
        ["format"]
    );
    let found: Value = app
        .post(
            &admin,
            "/api/v1/personal-data/search",
            &json!({"order_no": "TB20261111001"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(found["cases"][0]["id"], id);
    let none: Value = app
        .post(
            &admin,
            "/api/v1/personal-data/erase",
            &json!({"phone": "13900000000", "reason": "无此人"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(none["cases"], json!([]));
}

async fn closed_cases_past_the_retention_period_are_erased(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let r = app
        .put(&admin, "/api/v1/policy", &{
            let mut p: Value = app
                .get(&admin, "/api/v1/policy")
                .await
                .json()
                .await
                .unwrap();
            p["access"]["personal_data_retention_days"] = json!(30);
            p
        })
        .await;
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        fields(&p),
        ["access.personal_data_retention_days"],
        "never below three years"
    );
    let old = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &agent,
        old,
        json!({"action": "judge", "valid": false, "reason": "王小明已超过退货期限"}),
    )
    .await;
    let open = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.clock.advance(chrono::Duration::days(1000));
    let agent = app.token("amy", "pass-word-1").await;
    let recent = app.register(&agent, &complaint()).await["id"]
        .as_i64()
        .unwrap();
    app.act_ok(
        &agent,
        recent,
        json!({"action": "judge", "valid": false, "reason": "不成立"}),
    )
    .await;
    app.clock.advance(chrono::Duration::days(97));
    let (admin, agent) = (app.admin().await, app.token("amy", "pass-word-1").await);
    let erased = kesu_app::personal_data::retention_pass(&app.store, app.clock.now())
        .await
        .unwrap();
    assert_eq!(erased, 1, "only the case closed more than three years ago");
    let c = app.case(&agent, old).await;
    assert_eq!(c["complainant"]["name"], "[已删除]");
    assert_eq!(c["complainant"]["phone"], Value::Null);
    assert!(!c["closing"]["summary"].as_str().unwrap().contains("王小明"));
    for id in [open, recent] {
        assert_eq!(app.case(&agent, id).await["complainant"]["name"], "王小明");
    }
    assert_eq!(
        kesu_app::personal_data::retention_pass(&app.store, app.clock.now())
            .await
            .unwrap(),
        0
    );
    app.store.seal_pending(|_| {}).await.unwrap();
    assert_eq!(verify(&app).await.0, 0);
    let trail = app.trail(&admin, "kind=personal.", 1).await;
    assert_eq!(trail["items"][0]["detail"]["retention"], true, "{trail}");
    assert_eq!(trail["items"][0]["actor"], "retention");
}

on_both_backends!(
    a_customer_erased_is_gone_everywhere_and_the_chain_still_verifies,
    requests_name_a_person_and_erasures_a_reason,
    closed_cases_past_the_retention_period_are_erased,
);
