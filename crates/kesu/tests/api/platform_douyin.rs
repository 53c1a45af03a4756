//! The Douyin (抖店) connector against a local server that speaks Douyin's gateway (signed
//! calls to `/afterSale/Detail` and `/afterSale/operate`, its `err_no`/`code` answers), fed by
//! pushes signed as Douyin signs them: a day of after-sales pushes with duplicates, a stale
//! read, arbitration, garbage, a rate limit and an expired token ends with one case per
//! after-sale in its newest state; an unsigned push stores nothing; answers reach Douyin.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, TimeZone, Utc};
use md5::{Digest, Md5};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::on_both_backends;
use kesu_web::Clock;

const SHOP: &str = "douyinshop";
const APP_KEY: &str = "7012345678";
const SECRET: &str = "dy-secret-0123456789";
const TOKEN: &str = "dy-token-good";

/// Douyin's side: each after-sale as it now stands (and one older state to hand out once),
/// what to do wrong, what it was told.
#[derive(Default)]
struct Gateway {
    after_sales: HashMap<String, Value>,
    stale_once: HashMap<String, Value>,
    calls: usize,
    garbage_calls: Vec<usize>,
    rate_limit_calls: Vec<usize>,
    token: String,
    bad_signatures: usize,
    operations: Vec<Value>,
}

type Shared = Arc<Mutex<Gateway>>;

async fn gateway(
    State(gw): State<Shared>,
    axum::extract::Path(path): axum::extract::Path<String>,
    Query(q): Query<HashMap<String, String>>,
    body: String,
) -> axum::Json<Value> {
    let mut gw = gw.lock().unwrap();
    gw.calls += 1;
    let call = gw.calls;
    let expected = kesu_app::platforms::douyin::call_signature(
        SECRET,
        APP_KEY,
        &q["method"],
        &q["param_json"],
        &q["timestamp"],
    );
    if q.get("sign") != Some(&expected) || q["param_json"] != body {
        gw.bad_signatures += 1;
        return axum::Json(json!({"err_no": 30007, "message": "sign error"}));
    }
    if q["access_token"] != gw.token {
        return axum::Json(json!({"err_no": 30002, "message": "access_token已过期"}));
    }
    if gw.garbage_calls.contains(&call) {
        return axum::Json(json!({"html": "502"}));
    }
    if gw.rate_limit_calls.contains(&call) {
        return axum::Json(json!({"code": 90000, "msg": "流量超限", "sub_code": "isv.limit"}));
    }
    let params: Value = serde_json::from_str(&body).unwrap();
    match path.as_str() {
        "afterSale/Detail" => {
            let id = params["after_sale_id"].as_str().unwrap().to_owned();
            let found = gw
                .stale_once
                .remove(&id)
                .or_else(|| gw.after_sales.get(&id).cloned());
            match found {
                Some(data) => axum::Json(json!({"code": 10000, "msg": "success", "data": data})),
                None => axum::Json(json!({"code": 50002, "msg": "售后单不存在"})),
            }
        }
        "afterSale/operate" => {
            gw.operations.push(params);
            axum::Json(json!({"code": 10000, "msg": "success", "data": {"items": []}}))
        }
        _ => axum::Json(json!({"code": 40004, "msg": "no such method"})),
    }
}

async fn start_gateway(gw: Shared) -> String {
    let photo = crate::attachments::photo_with_location(40, 30);
    let app = axum::Router::new()
        .route("/img/{name}", get(move || async move { photo }))
        .route("/{*path}", post(gateway))
        .with_state(gw);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    url
}

fn detail(i: i64, status: i64, at: DateTime<Utc>, base: &str) -> Value {
    let kind = [0, 1, 2, 3][i as usize % 4];
    json!({
        "process_info": {
            "after_sale_info": {
                "after_sale_id": format!("{}", 6_000_000 + i), "after_sale_type": kind,
                "after_sale_status": status, "refund_amount": 1990 + i, "reason": "质量问题",
                "reason_remark": "耳机左边没声音", "update_time": at.timestamp(),
                "status_deadline": (at + Duration::hours(48)).timestamp(),
                "evidence": if i % 20 == 0 { json!([format!("{base}/img/{i}.jpg")]) } else { json!([]) },
            },
            "arbitrate_info": {"arbitrate_status": 0},
        },
        "order_info": {"shop_order_id": format!("{}", 4_900_000 + i)},
    })
}

fn push_body(ids: &[(i64, i64)]) -> String {
    let messages: Vec<Value> = ids
        .iter()
        .map(|(i, tag)| {
            json!({"tag": tag.to_string(), "msg_id": format!("m{i}-{tag}"),
                "data": json!({"aftersale_id": 6_000_000 + i, "shop_id": 77, "aftersale_status": 6}).to_string()})
        })
        .collect();
    Value::Array(messages).to_string()
}

async fn push(app: &TestApp, body: &str, secret: &str) -> reqwest::Response {
    let sign = hex::encode(Md5::digest(format!("{APP_KEY}{body}{secret}").as_bytes()));
    app.client
        .post(app.url(&format!("/api/v1/platforms/douyin/{SHOP}/events")))
        .header("app-id", APP_KEY)
        .header("event-sign", sign)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

/// Pushes until Douyin would stop retrying: a failed push is pushed again.
async fn push_until_taken(app: &TestApp, body: &str) -> usize {
    for attempt in 1..=5 {
        let r = push(app, body, SECRET).await;
        if r.status() == StatusCode::OK {
            let answer: Value = r.json().await.unwrap();
            assert_eq!(answer["code"], 0);
            return attempt;
        }
        assert_eq!(
            r.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "{}",
            r.text().await.unwrap()
        );
    }
    panic!("a push never went through");
}

async fn set_up(app: &TestApp, admin: &str, endpoint: &str) {
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/douyin/{SHOP}")))
        .bearer_auth(admin)
        .json(
            &json!({"client_id": APP_KEY, "client_secret": SECRET, "access_token": TOKEN,
            "endpoint": endpoint, "enabled": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn a_day_of_douyin_pushes_ends_in_one_case_per_after_sale(app: TestApp) {
    let admin = app.admin().await;
    let gw: Shared = Arc::default();
    let endpoint = start_gateway(gw.clone()).await;
    gw.lock().unwrap().token = "dy-token-old".into();
    set_up(&app, &admin, &endpoint).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    app.clock.set(t0 + Duration::hours(30));

    // An unsigned push, or one signed with another secret: refused, nothing stored.
    let body = push_body(&[(0, 200)]);
    assert_eq!(
        push(&app, &body, "not-the-secret").await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(gw.lock().unwrap().calls, 0, "nothing was read for it");
    // The token expired: Douyin is told to push again, the admin sees why.
    assert_eq!(
        push(&app, &body, SECRET).await.status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    let listed: Value = app
        .get(&admin, "/api/v1/platforms")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        listed[0]["sync"]["error"]
            .as_str()
            .unwrap()
            .contains("access token"),
        "{listed}"
    );
    gw.lock().unwrap().token = TOKEN.into();

    // 300 after-sales come in pushes of 20 messages, some twice; garbage and a rate limit
    // make Douyin push again.
    let mut newest = HashMap::new();
    {
        let mut g = gw.lock().unwrap();
        for i in 0..300_i64 {
            let v = detail(i, 6, t0 + Duration::minutes(i * 4), &endpoint);
            g.after_sales
                .insert(format!("{}", 6_000_000 + i), v.clone());
            newest.insert(i, v);
        }
        g.garbage_calls = vec![g.calls + 7];
        g.rate_limit_calls = vec![g.calls + 30];
    }
    let mut retried = 0;
    for chunk in (0..300_i64).collect::<Vec<_>>().chunks(20) {
        let mut ids: Vec<(i64, i64)> = chunk.iter().map(|i| (*i, 200)).collect();
        ids.push((chunk[0], 200)); // the same message twice
        retried += push_until_taken(&app, &push_body(&ids)).await - 1;
    }
    assert_eq!(
        retried, 2,
        "the garbage and the rate limit each failed one push"
    );

    // Later the day: refunds go through, returns come back, arbitration starts; one read of
    // an after-sale comes from a lagging replica with its older state.
    let later_at = t0 + Duration::hours(25);
    let mut changed = Vec::new();
    {
        let mut g = gw.lock().unwrap();
        for i in 0..300_i64 {
            // Every status a request goes through, each on its own share of the day.
            let (status, tag) = match i % 8 {
                0 => continue,
                1 => (12, 206),
                2 => (11, 203),
                3 => (28, 207),
                4 => (6, 212),
                5 => (7, 202),
                6 => (27, 204),
                _ => (14, 208),
            };
            let mut v = detail(i, status, later_at + Duration::minutes(i), &endpoint);
            if tag == 212 {
                v["process_info"]["arbitrate_info"] = json!({"arbitrate_status": 2,
                    "arbitrate_evidence_tmpl": {"describe": "请上传发货视频与质检报告",
                        "dead_line": (later_at + Duration::hours(12)).timestamp()}});
            }
            if status == 11 {
                v["process_info"]["after_sale_info"]["return_logistics_code"] =
                    json!(format!("SF{i:08}"));
            }
            let key = format!("{}", 6_000_000 + i);
            if i == 4 {
                g.stale_once.insert(key.clone(), newest[&i].clone());
            }
            g.after_sales.insert(key, v.clone());
            newest.insert(i, v);
            changed.push((i, tag));
        }
    }
    for chunk in changed.chunks(25) {
        push_until_taken(&app, &push_body(chunk)).await;
    }
    // The after-sale read stale is pushed again later and reaches its newest state.
    push_until_taken(&app, &push_body(&[(4, 212)])).await;
    assert_eq!(
        gw.lock().unwrap().bad_signatures,
        0,
        "every call signed as Douyin checks it"
    );

    let list: Value = app
        .get(&admin, "/api/v1/cases?per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 300);
    for (i, v) in &newest {
        let info = &v["process_info"]["after_sale_info"];
        let id = info["after_sale_id"].as_str().unwrap();
        let case_id = app
            .store
            .platform_request_case(kesu_domain::platform::Platform::Douyin, SHOP, id)
            .await
            .unwrap()
            .unwrap();
        let case = app.case(&admin, case_id).await;
        assert_eq!(
            case["platform"]["status"],
            info["after_sale_status"].to_string(),
            "{id}"
        );
        assert_eq!(case["order_no"], (4_900_000 + i).to_string());
        let changes = app
            .history(&admin, case_id)
            .await
            .into_iter()
            .filter(|e| e["action"] == "platform")
            .count();
        assert_eq!(
            changes,
            usize::from(i % 8 != 0),
            "after-sale {id}: each state once"
        );
        let stage = case["platform"]["stage"].as_str().unwrap();
        if i % 8 == 4 {
            assert_eq!(stage, "intervened");
            assert_eq!(case["priority"], "urgent");
            assert_eq!(
                case["platform"]["intervention"]["asked"],
                "请上传发货视频与质检报告"
            );
            // The evidence's deadline is sooner than the status deadline: it is the one.
            let by = DateTime::from_timestamp(
                v["process_info"]["arbitrate_info"]["arbitrate_evidence_tmpl"]["dead_line"]
                    .as_i64()
                    .unwrap(),
                0,
            )
            .unwrap();
            assert_eq!(
                case["deadlines"]["platform_by"],
                by.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        } else if ["awaiting_seller", "returned"].contains(&stage) {
            let due =
                DateTime::from_timestamp(info["status_deadline"].as_i64().unwrap(), 0).unwrap();
            assert_eq!(
                case["deadlines"]["platform_by"],
                due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
        if i % 8 == 2 {
            assert_eq!(case["platform"]["return_tracking_no"], format!("SF{i:08}"));
        }
    }
    let client = kesu_app::platforms::images::client();
    let limits = kesu_domain::attachment::Limits::default();
    let fetched =
        kesu_app::platforms::images::fetch_due(&app.store, &client, &limits, app.clock.now())
            .await
            .unwrap();
    assert_eq!(fetched, 15, "one photo for every 20th after-sale");
}

async fn refusing_a_return_reaches_douyin_once_signed(app: TestApp) {
    let admin = app.admin().await;
    let supervisor = app.user("sup", "supervisor", None).await;
    let gw: Shared = Arc::default();
    let endpoint = start_gateway(gw.clone()).await;
    gw.lock().unwrap().token = TOKEN.into();
    set_up(&app, &admin, &endpoint).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    gw.lock()
        .unwrap()
        .after_sales
        .insert("6000000".into(), detail(0, 6, t0, &endpoint));
    app.clock.set(t0 + Duration::hours(1));
    push_until_taken(&app, &push_body(&[(0, 200)])).await;
    let case = app
        .store
        .platform_request_case(kesu_domain::platform::Platform::Douyin, SHOP, "6000000")
        .await
        .unwrap()
        .unwrap();
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/douyin/{SHOP}/answers")))
        .bearer_auth(&admin)
        .json(&json!({"send_answers": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let version = app.case(&supervisor, case).await["version"].clone();
    let body = json!({"version": version, "answer": "refuse", "reason": "商品已拆封影响二次销售",
        "evidence": "签收视频"});
    let r = app
        .post(
            &supervisor,
            &format!("/api/v1/cases/{case}/platform/answers"),
            &body,
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::CREATED,
        "{}",
        r.text().await.unwrap()
    );
    // Douyin cannot take a message: said so.
    let version = app.case(&supervisor, case).await["version"].clone();
    let body = json!({"version": version, "answer": "message", "text": "您好"});
    let r = app
        .post(
            &supervisor,
            &format!("/api/v1/cases/{case}/platform/answers"),
            &body,
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let client = kesu_app::platforms::images::client();
    for _ in 0..2 {
        kesu_app::platforms::answers::send_due(&app.store, &app.vault, &client, app.clock.now())
            .await
            .unwrap();
    }
    let g = gw.lock().unwrap();
    assert_eq!(g.bad_signatures, 0);
    assert_eq!(g.operations.len(), 1, "sent once");
    assert_eq!(
        g.operations[0]["type"], 102,
        "refusing a return before the goods came back"
    );
    assert_eq!(g.operations[0]["items"][0]["aftersale_id"], "6000000");
    assert_eq!(
        g.operations[0]["items"][0]["remark"],
        "商品已拆封影响二次销售；签收视频"
    );
}

on_both_backends!(
    a_day_of_douyin_pushes_ends_in_one_case_per_after_sale,
    refusing_a_return_reaches_douyin_once_signed
);
