//! The Pinduoduo connector against a local server that speaks Pinduoduo's protocol (the
//! router, MD5 signatures, 30-minute windows, pages of 100, its error answers): a day of
//! after-sales traffic with duplicates, states out of order, a rate limit, garbage, a gap of
//! hours and an expired token ends with exactly one case per request in its newest state.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, FixedOffset, TimeZone, Utc};
use md5::{Digest, Md5};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::on_both_backends;
use kesu_web::Clock;

const SHOP: &str = "拼多多旗舰店";
const SHOP_PATH: &str = "%E6%8B%BC%E5%A4%9A%E5%A4%9A%E6%97%97%E8%88%B0%E5%BA%97";
const CLIENT_ID: &str = "pdd-client-1";
const SECRET: &str = "pdd-secret-0123456789";
const TOKEN: &str = "pdd-token-good";

/// The platform's side: its requests (every version, by update time) and what to do wrong.
#[derive(Default)]
struct Sim {
    versions: Vec<Value>,
    calls: usize,
    rate_limit_calls: Vec<usize>,
    garbage_calls: Vec<usize>,
    /// Every window asked for, in seconds.
    windows: Vec<(i64, i64)>,
    bad_signatures: usize,
    /// The answers received (`pdd.refund.agree` …): the method and its `request`.
    answers: Vec<(String, Value)>,
}

type Shared = Arc<Mutex<Sim>>;

fn beijing(t: DateTime<Utc>) -> String {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn updated(v: &Value) -> i64 {
    let raw = v["updated_time"].as_str().unwrap();
    let naive = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%d %H:%M:%S").unwrap();
    FixedOffset::east_opt(8 * 3600)
        .unwrap()
        .from_local_datetime(&naive)
        .unwrap()
        .timestamp()
}

fn error(code: i64, msg: &str) -> axum::Json<Value> {
    axum::Json(
        json!({"error_response": {"error_code": code, "error_msg": msg, "request_id": "r1"}}),
    )
}

async fn router(
    State(sim): State<Shared>,
    Form(params): Form<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut sim = sim.lock().unwrap();
    sim.calls += 1;
    let call = sim.calls;
    let sorted: BTreeMap<&String, &String> = params.iter().filter(|(k, _)| *k != "sign").collect();
    let mut md5 = Md5::new();
    md5.update(SECRET);
    for (k, v) in &sorted {
        md5.update(k.as_bytes());
        md5.update(v.as_bytes());
    }
    md5.update(SECRET);
    if params.get("sign").map(String::as_str) != Some(hex::encode_upper(md5.finalize()).as_str())
        || params.get("client_id").map(String::as_str) != Some(CLIENT_ID)
    {
        sim.bad_signatures += 1;
        return error(10016, "签名错误").into_response();
    }
    if params.get("access_token").map(String::as_str) != Some(TOKEN) {
        return error(10019, "access_token已过期").into_response();
    }
    let method = params.get("type").cloned().unwrap_or_default();
    if method == "pdd.refund.agree" || method == "pdd.refund.returngoods.agree" {
        let request: Value = serde_json::from_str(&params["request"]).unwrap();
        let id = request["after_sales_id"].clone();
        sim.answers.push((method, request));
        return axum::Json(
            json!({"response": {"result": {"succ": true, "success": true,
            "message": "退款操作成功", "after_sales_id": id}}}),
        )
        .into_response();
    }
    if method != "pdd.refund.list.increment.get" {
        return error(10001, "unknown type").into_response();
    }
    if sim.rate_limit_calls.contains(&call) {
        return error(70031, "调用已被限流").into_response();
    }
    if sim.garbage_calls.contains(&call) {
        return "<html><body>502 Bad Gateway</body></html>".into_response();
    }
    let num = |k: &str| {
        params
            .get(k)
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let (start, end) = (num("start_updated_at"), num("end_updated_at"));
    if end - start > 1800 || end < start {
        return error(50001, "开始时间结束时间间距不超过 30 分钟").into_response();
    }
    sim.windows.push((start, end));
    let (page, size) = (num("page").max(1), num("page_size").clamp(1, 100));
    let mut found: Vec<&Value> = sim
        .versions
        .iter()
        .filter(|v| (start..=end).contains(&updated(v)))
        .collect();
    // By request, the newest state first: an older state comes after it, out of order.
    found.sort_by_key(|v| (v["id"].as_i64().unwrap(), -updated(v)));
    let total = found.len() as i64;
    let list: Vec<&Value> = found
        .into_iter()
        .skip(((page - 1) * size) as usize)
        .take(size as usize)
        .collect();
    axum::Json(
        json!({"refund_increment_get_response": {"total_count": total, "refund_list": list}}),
    )
    .into_response()
}

async fn start_platform(sim: Shared) -> String {
    let photo = crate::attachments::photo_with_location(40, 30);
    let app = axum::Router::new()
        .route("/api/router", post(router))
        .route("/img/{name}", get(move || async move { photo }))
        .with_state(sim);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    url
}

/// A day of traffic from `t0`: 300 requests of every kind, a third changing later (refunded,
/// the platform stepping in with an expiry, agreed to a return), some listed twice.
fn a_day(t0: DateTime<Utc>, base: &str) -> (Vec<Value>, HashMap<i64, Value>) {
    let mut versions = Vec::new();
    let mut newest = HashMap::new();
    for i in 0..300_i64 {
        let id = 9_000_000 + i;
        let at = t0 + Duration::minutes(i * 4);
        let first = json!({
            "id": id, "order_sn": format!("PDD-{i:04}"), "after_sales_type": 2 + i % 4,
            "after_sales_status": if i % 4 == 1 { 3 } else { 2 },
            "after_sale_reason": "商品破损", "refund_amount": format!("{}.90", 10 + i % 50),
            "updated_time": beijing(at),
            "good_image": if i % 30 == 0 { json!(format!("{base}/img/{id}.jpg")) } else { json!(null) },
        });
        versions.push(first.clone());
        if i % 17 == 0 {
            versions.push(first.clone()); // listed twice
        }
        let later = match i % 3 {
            // The rest of the statuses a request ends in: refused, exchanged, closed.
            0 if i % 5 == 1 => Some(json!({"after_sales_status": 6})),
            0 if i % 5 == 3 => Some(json!({"after_sales_status": 16})),
            0 if i % 5 == 4 => Some(json!({"after_sales_status": 9})),
            0 => None,
            1 => Some(json!({"after_sales_status": 10})),
            _ if i % 2 == 0 => Some(json!({"after_sales_status": 8,
                "expire_time": (at + Duration::hours(30)).timestamp()})),
            _ => Some(json!({"after_sales_status": 7, "tracking_number": format!("YT{id}")})),
        };
        let mut last = first;
        if let Some(change) = later {
            let mut v = last.clone();
            for (k, x) in change.as_object().unwrap() {
                v[k] = x.clone();
            }
            // Agreed returns come minutes later, in the same window and page as the request:
            // the platform lists the newer state first, the older after it.
            let after = if i % 3 == 2 && i % 2 == 1 {
                2
            } else {
                40 + i % 50
            };
            v["updated_time"] = json!(beijing(at + Duration::minutes(after)));
            versions.push(v.clone());
            last = v;
        }
        newest.insert(id, last);
    }
    (versions, newest)
}

async fn sync(app: &TestApp, admin: &str) -> Value {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/platforms/pinduoduo/{SHOP_PATH}/sync")))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn set_up(app: &TestApp, admin: &str, endpoint: &str, token: &str) {
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/pinduoduo/{SHOP_PATH}")))
        .bearer_auth(admin)
        .json(
            &json!({"client_id": CLIENT_ID, "client_secret": SECRET, "access_token": token,
            "endpoint": format!("{endpoint}/api/router"), "enabled": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn a_day_of_pinduoduo_traffic_ends_in_one_case_per_request(app: TestApp) {
    let admin = app.admin().await;
    let sim: Shared = Arc::default();
    let endpoint = start_platform(sim.clone()).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    let (versions, newest) = a_day(t0, &endpoint);
    {
        let mut s = sim.lock().unwrap();
        s.versions = versions;
        s.rate_limit_calls = vec![3];
        s.garbage_calls = vec![9];
    }
    // One order is another shop's: that request is refused, the rest go on.
    let other = json!({"shop": "另一家店", "buyer": {"name": "李四"}, "placed_at": "2026-11-20T10:00:00+08:00",
        "lines": [{"line_id": "A", "sku": "CUP", "unit_price_cents": 5900, "quantity": 1}]});
    assert!(app
        .put_order(&admin, "PDD-0005", &other)
        .await
        .status()
        .is_success());

    // An expired token first: nothing read, the admin told.
    set_up(&app, &admin, &endpoint, "pdd-token-old").await;
    app.clock.set(t0 + Duration::hours(24));
    let report = sync(&app, &admin).await;
    assert!(
        report["error"].as_str().unwrap().contains("access token"),
        "{report}"
    );
    set_up(&app, &admin, &endpoint, TOKEN).await;

    // Syncs go on from where a rate limit or garbage stopped them.
    let mut rounds = 0;
    let report = loop {
        rounds += 1;
        let report = sync(&app, &admin).await;
        if report["error"].is_null() || rounds > 10 {
            break report;
        }
    };
    assert!(report["error"].is_null(), "{report}");
    assert!(
        rounds >= 3,
        "the rate limit and the garbage each stopped a sync: {rounds}"
    );
    {
        let s = sim.lock().unwrap();
        assert_eq!(
            s.bad_signatures, 0,
            "every call signed as Pinduoduo checks it"
        );
        assert!(
            s.windows.iter().all(|(a, b)| b - a <= 1800),
            "30-minute windows at most"
        );
    }

    // A gap of hours later: changes in it are read in 30-minute steps.
    let gap = t0 + Duration::hours(27);
    let late_id = 9_000_030;
    {
        let mut s = sim.lock().unwrap();
        let mut v = newest[&late_id].clone();
        v["after_sales_status"] = json!(10);
        v["updated_time"] = json!(beijing(gap));
        s.versions.push(v);
    }
    app.clock.set(t0 + Duration::hours(30));
    let report = sync(&app, &admin).await;
    assert!(report["error"].is_null(), "{report}");

    // Exactly one case per request (less the refused one), each in its newest state.
    let list: Value = app
        .get(&admin, "/api/v1/cases?per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 299);
    for (id, v) in &newest {
        let Some(case_id) = app
            .store
            .platform_request_case(
                kesu_domain::platform::Platform::Pinduoduo,
                SHOP,
                &id.to_string(),
            )
            .await
            .unwrap()
        else {
            assert_eq!(
                v["order_sn"], "PDD-0005",
                "only the other shop's request is missing"
            );
            continue;
        };
        let case = app.case(&admin, case_id).await;
        let status = if *id == late_id {
            "10".to_owned()
        } else {
            v["after_sales_status"].to_string()
        };
        assert_eq!(case["platform"]["status"], status.as_str(), "request {id}");
        assert_eq!(case["channel"], "platform");
        // The same state twice, or an older one after a newer, writes nothing.
        let changes = app
            .history(&admin, case_id)
            .await
            .into_iter()
            .filter(|e| e["action"] == "platform")
            .count();
        let first = v["after_sales_status"] == 2 || v["after_sales_status"] == 3;
        if v["after_sales_status"] == 7 {
            // Read in one page with its request, the case may open in this state at once.
            assert!(changes <= 1, "request {id}: {changes} changes");
        } else {
            let expected = usize::from(!first || *id == late_id);
            assert_eq!(changes, expected, "request {id}: {changes} changes");
        }
        if v["after_sales_status"] == 8 {
            let expiry = DateTime::from_timestamp(v["expire_time"].as_i64().unwrap(), 0).unwrap();
            assert_eq!(
                case["deadlines"]["platform_by"],
                expiry.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            assert_eq!(case["priority"], "urgent");
        }
    }
    let listed: Value = app
        .get(&admin, "/api/v1/platforms")
        .await
        .json()
        .await
        .unwrap();
    let source = &listed.as_array().unwrap()[0];
    assert_eq!(source["platform"], "pinduoduo");
    assert!(source["sync"]["skipped_total"].as_u64().unwrap() >= 1);
    assert_eq!(source["sync"]["opened_total"], 299);

    // The photos come in from the platform.
    let client = kesu_app::platforms::images::client();
    let limits = kesu_domain::attachment::Limits::default();
    let fetched =
        kesu_app::platforms::images::fetch_due(&app.store, &client, &limits, app.clock.now())
            .await
            .unwrap();
    assert_eq!(fetched, 10, "one photo for every 30th request");
}

async fn agreeing_reaches_pinduoduo_once_signed_and_refusing_is_explained(app: TestApp) {
    let admin = app.admin().await;
    let supervisor = app.user("sup", "supervisor", None).await;
    let sim: Shared = Arc::default();
    let endpoint = start_platform(sim.clone()).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    let (versions, _) = a_day(t0, &endpoint);
    // Two requests waiting on the shop: a refund only, a return and refund.
    sim.lock().unwrap().versions = versions
        .into_iter()
        .filter(|v| v["id"] == 9_000_000 || v["id"] == 9_000_001)
        .take(3)
        .collect();
    set_up(&app, &admin, &endpoint, TOKEN).await;
    app.clock.set(t0 + Duration::hours(2));
    let report = sync(&app, &admin).await;
    assert_eq!(report["last_opened"], 2, "{report}");
    let case_of = |id: &'static str| {
        let store = app.store.clone();
        async move {
            store
                .platform_request_case(kesu_domain::platform::Platform::Pinduoduo, SHOP, id)
                .await
                .unwrap()
                .unwrap()
        }
    };
    let refund_only = case_of("9000000").await;
    let give = |case: i64, answer: Value| {
        let app = &app;
        let supervisor = supervisor.clone();
        async move {
            let version = app.case(&supervisor, case).await["version"].clone();
            let mut body = answer;
            body["version"] = version;
            app.post(
                &supervisor,
                &format!("/api/v1/cases/{case}/platform/answers"),
                &body,
            )
            .await
        }
    };
    let send = || async {
        let client = kesu_app::platforms::images::client();
        kesu_app::platforms::answers::send_due(&app.store, &app.vault, &client, app.clock.now())
            .await
            .unwrap()
    };

    // Switched off: recorded with Pinduoduo's call, nothing sent.
    let r = give(refund_only, json!({"answer": "agree_refund"})).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let dry: Value = r.json().await.unwrap();
    assert_eq!(dry["status"], "dry_run");
    assert_eq!(dry["call"]["method"], "pdd.refund.agree");
    assert_eq!(dry["call"]["fields"]["after_sales_id"], "9000000");
    assert_eq!(dry["call"]["fields"]["order_sn"], "PDD-0000");
    assert_eq!(send().await, 0);
    assert!(sim.lock().unwrap().answers.is_empty());

    // Pinduoduo cannot refuse through its API: said so, nothing recorded.
    let r = give(
        refund_only,
        json!({"answer": "refuse", "reason": "已签收超过 7 天"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("merchant backend"));

    // Switched on: the agreement reaches Pinduoduo once, signed.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/pinduoduo/{SHOP_PATH}/answers")))
        .bearer_auth(&admin)
        .json(&json!({"send_answers": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let r = give(
        refund_only,
        json!({"answer": "agree_refund", "note": "已同意退款"}),
    )
    .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(send().await, 1);
    assert_eq!(send().await, 0);
    let s = sim.lock().unwrap();
    assert_eq!(s.bad_signatures, 0);
    assert_eq!(s.answers.len(), 1);
    assert_eq!(s.answers[0].0, "pdd.refund.agree");
    assert_eq!(s.answers[0].1["after_sales_id"], "9000000");
    assert_eq!(s.answers[0].1["operate_desc"], "已同意退款");
}

on_both_backends!(
    a_day_of_pinduoduo_traffic_ends_in_one_case_per_request,
    agreeing_reaches_pinduoduo_once_signed_and_refusing_is_explained
);
