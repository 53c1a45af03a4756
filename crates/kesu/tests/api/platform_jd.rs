//! The JD connector against a local server that speaks JOS's protocol (the router, MD5
//! signatures, `360buy_param_json`, the `_responce` envelopes, its error answers): a day of
//! after-sales services with states out of order, a rate limit, garbage, a gap of hours and an
//! expired token ends with one case per service in its newest state; answers reach it signed.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Form, State};
use axum::routing::{get, post};
use chrono::{DateTime, Duration, TimeZone, Utc};
use md5::{Digest, Md5};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::on_both_backends;
use kesu_web::Clock;

const SHOP: &str = "jdshop";
const APP_KEY: &str = "jd-app-1";
const SECRET: &str = "jd-secret-0123456789";
const TOKEN: &str = "jd-token-good";
const BU_ID: &str = "10086";
const PIN: &str = "jd_operator";

/// JD's side: every version of every service (by update time), and what to do wrong.
#[derive(Default)]
struct Jos {
    versions: Vec<Value>,
    calls: usize,
    rate_limit_calls: Vec<usize>,
    garbage_calls: Vec<usize>,
    bad_signatures: usize,
    windows: Vec<(i64, i64)>,
    answers: Vec<(String, Value)>,
}

type Shared = Arc<Mutex<Jos>>;

fn error(code: &str, zh: &str) -> axum::Json<Value> {
    axum::Json(json!({"error_response": {"code": code, "zh_desc": zh, "en_desc": zh}}))
}

fn updated(v: &Value) -> i64 {
    v["updateTime"].as_i64().unwrap()
}

async fn router(
    State(jos): State<Shared>,
    Form(params): Form<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut jos = jos.lock().unwrap();
    jos.calls += 1;
    let call = jos.calls;
    let sorted: BTreeMap<&String, &String> = params.iter().filter(|(k, _)| *k != "sign").collect();
    let mut md5 = Md5::new();
    md5.update(SECRET);
    for (k, v) in &sorted {
        md5.update(k.as_bytes());
        md5.update(v.as_bytes());
    }
    md5.update(SECRET);
    if params.get("sign").map(String::as_str) != Some(hex::encode_upper(md5.finalize()).as_str())
        || params.get("app_key").map(String::as_str) != Some(APP_KEY)
    {
        jos.bad_signatures += 1;
        return error("14", "签名无效").into_response();
    }
    if params.get("access_token").map(String::as_str) != Some(TOKEN) {
        return error("19", "token已过期或被删除，请重新获取").into_response();
    }
    if jos.rate_limit_calls.contains(&call) {
        return error("67", "调用次数超限").into_response();
    }
    if jos.garbage_calls.contains(&call) {
        return "<html>504 Gateway Time-out</html>".into_response();
    }
    let fields: Value = serde_json::from_str(&params["360buy_param_json"]).unwrap();
    assert_eq!(fields["buId"], BU_ID);
    assert_eq!(fields["operatePin"], PIN);
    let method = params["method"].clone();
    let key = format!("{}_responce", method.replace('.', "_"));
    let result = match method.as_str() {
        "jingdong.asc.query.list" => {
            let (start, end) = (
                fields["updateTimeBegin"].as_i64().unwrap(),
                fields["updateTimeEnd"].as_i64().unwrap(),
            );
            jos.windows.push((start, end));
            let (page, size) = (
                fields["pageNumber"].as_i64().unwrap(),
                fields["pageSize"].as_i64().unwrap(),
            );
            let mut found: Vec<&Value> = jos
                .versions
                .iter()
                .filter(|v| (start..=end).contains(&updated(v)))
                .collect();
            found.sort_by_key(|v| v["serviceId"].as_i64().unwrap());
            let total = found.len() as i64;
            let data: Vec<Value> = found
                .into_iter()
                .skip(((page - 1) * size) as usize)
                .take(size as usize)
                .map(|v| json!({"serviceId": v["serviceId"], "updateTime": v["updateTime"]}))
                .collect();
            json!({"success": true, "data": data, "totalCount": total, "pageNumber": page})
        }
        "jingdong.asc.query.view" => {
            let id = fields["serviceId"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap();
            let newest = jos
                .versions
                .iter()
                .filter(|v| v["serviceId"] == id)
                .max_by_key(|v| updated(v))
                .cloned();
            match newest {
                Some(v) => json!({"success": true, "data": v}),
                None => json!({"success": false, "errorCode": 404, "errorMsg": "服务单不存在"}),
            }
        }
        m if m.starts_with("jingdong.asc.audit.") => {
            jos.answers.push((method.clone(), fields.clone()));
            json!({"success": true})
        }
        _ => return error("22", "no such method").into_response(),
    };
    axum::Json(json!({ key: {"code": "0", "result": result} })).into_response()
}

async fn start_jos(jos: Shared) -> String {
    let photo = crate::attachments::photo_with_location(40, 30);
    let app = axum::Router::new()
        .route("/routerjson", post(router))
        .route("/img/{name}", get(move || async move { photo }))
        .with_state(jos);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    url
}

fn service(i: i64, status: i64, at: DateTime<Utc>, base: &str) -> Value {
    let expect = [10, 90, 20, 30][i as usize % 4];
    json!({
        "serviceId": 8_000_000 + i, "orderId": 2_500_000 + i, "customerExpect": expect,
        "serviceStatus": status, "questionTypeName": "质量问题", "questionDesc": "屏幕有坏点",
        "questionPic": if i % 30 == 0 { format!("{base}/img/{i}.jpg") } else { String::new() },
        "refundAmount": format!("{}.00", 100 + i), "updateTime": at.timestamp_millis(),
        "approveDeadline": (at + Duration::hours(24)).timestamp_millis(),
        "sysVersion": at.timestamp_millis(),
    })
}

async fn set_up(app: &TestApp, admin: &str, endpoint: &str, token: &str) {
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/jd/{SHOP}")))
        .bearer_auth(admin)
        .json(
            &json!({"client_id": APP_KEY, "client_secret": SECRET, "access_token": token,
            "endpoint": format!("{endpoint}/routerjson"), "seller_id": BU_ID, "operator": PIN,
            "enabled": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn sync(app: &TestApp, admin: &str) -> Value {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/platforms/jd/{SHOP}/sync")))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn a_day_of_jd_services_ends_in_one_case_per_service(app: TestApp) {
    let admin = app.admin().await;
    let jos: Shared = Arc::default();
    let endpoint = start_jos(jos.clone()).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    let mut newest = HashMap::new();
    {
        let mut j = jos.lock().unwrap();
        for i in 0..300_i64 {
            let at = t0 + Duration::minutes(i * 4);
            let first = service(i, 10001, at, &endpoint);
            j.versions.push(first.clone());
            // Every status a service goes through, each on its own share of the day.
            let later = match i % 8 {
                0 => None,
                1 => Some(10005),
                2 => Some(10012),
                3 => Some(10010),
                4 => Some(10006),
                5 => Some(10004),
                6 => Some(10009),
                _ => Some(10002),
            };
            let last = match later {
                // Written late on JD's side: listed minutes after the request itself.
                Some(status) => {
                    let v = service(i, status, at + Duration::minutes(3 + i % 40), &endpoint);
                    j.versions.push(v.clone());
                    v
                }
                None => first,
            };
            newest.insert(i, last);
        }
        j.rate_limit_calls = vec![4];
        j.garbage_calls = vec![15];
    }
    // A JD source needs the shop and the operator.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/jd/{SHOP}")))
        .bearer_auth(&admin)
        .json(&json!({"client_id": APP_KEY, "client_secret": SECRET, "access_token": TOKEN, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

    set_up(&app, &admin, &endpoint, "jd-token-old").await;
    app.clock.set(t0 + Duration::hours(23));
    let report = sync(&app, &admin).await;
    assert!(
        report["error"].as_str().unwrap().contains("access token"),
        "{report}"
    );
    set_up(&app, &admin, &endpoint, TOKEN).await;
    let mut rounds = 0;
    loop {
        rounds += 1;
        let report = sync(&app, &admin).await;
        if report["error"].is_null() {
            break;
        }
        assert!(rounds < 10, "{report}");
    }
    assert!(
        rounds >= 3,
        "the rate limit and the garbage each stopped a sync"
    );

    // Hours later, with a gap: one more change, read in steps.
    let late = 1_i64;
    {
        let mut j = jos.lock().unwrap();
        let v = service(late, 10010, t0 + Duration::hours(26), &endpoint);
        j.versions.push(v.clone());
        newest.insert(late, v);
    }
    app.clock.set(t0 + Duration::hours(29));
    assert!(sync(&app, &admin).await["error"].is_null());
    {
        let j = jos.lock().unwrap();
        assert_eq!(j.bad_signatures, 0, "every call signed as JOS checks it");
        assert!(
            j.windows.iter().all(|(a, b)| b - a <= 3_600_000),
            "windows of an hour at most"
        );
    }

    let list: Value = app
        .get(&admin, "/api/v1/cases?per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 300);
    for (i, v) in &newest {
        let id = v["serviceId"].to_string();
        let case_id = app
            .store
            .platform_request_case(kesu_domain::platform::Platform::Jd, SHOP, &id)
            .await
            .unwrap()
            .unwrap();
        let case = app.case(&admin, case_id).await;
        assert_eq!(
            case["platform"]["status"],
            v["serviceStatus"].to_string(),
            "service {id}"
        );
        let stage = case["platform"]["stage"].as_str().unwrap();
        if i % 8 == 2 {
            assert_eq!(stage, "intervened");
            assert_eq!(case["priority"], "urgent");
        }
        if ["awaiting_seller", "intervened", "returned"].contains(&stage) {
            let due =
                DateTime::from_timestamp_millis(v["approveDeadline"].as_i64().unwrap()).unwrap();
            assert_eq!(
                case["deadlines"]["platform_by"],
                due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
        }
        // The same state read twice (overlapping windows, a repeated sync) is written once.
        let changes = app
            .history(&admin, case_id)
            .await
            .into_iter()
            .filter(|e| e["action"] == "platform")
            .count();
        assert!(changes <= 2, "service {id}: {changes}");
        if *i == late {
            assert!(changes >= 1);
        }
    }
    let client = kesu_app::platforms::images::client();
    let limits = kesu_domain::attachment::Limits::default();
    let fetched =
        kesu_app::platforms::images::fetch_due(&app.store, &client, &limits, app.clock.now())
            .await
            .unwrap();
    assert_eq!(fetched, 10, "one photo for every 30th service");
}

async fn refusing_reaches_jd_once_signed_with_the_services_version(app: TestApp) {
    let admin = app.admin().await;
    let supervisor = app.user("sup", "supervisor", None).await;
    let jos: Shared = Arc::default();
    let endpoint = start_jos(jos.clone()).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    jos.lock()
        .unwrap()
        .versions
        .push(service(0, 10001, t0, &endpoint));
    set_up(&app, &admin, &endpoint, TOKEN).await;
    app.clock.set(t0 + Duration::hours(1));
    assert!(sync(&app, &admin).await["error"].is_null());
    let case = app
        .store
        .platform_request_case(kesu_domain::platform::Platform::Jd, SHOP, "8000000")
        .await
        .unwrap()
        .unwrap();
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/jd/{SHOP}/answers")))
        .bearer_auth(&admin)
        .json(&json!({"send_answers": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    let version = app.case(&supervisor, case).await["version"].clone();
    let body = json!({"version": version, "answer": "refuse", "reason": "人为损坏，不在保修范围"});
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
    let client = kesu_app::platforms::images::client();
    for _ in 0..2 {
        kesu_app::platforms::answers::send_due(&app.store, &app.vault, &client, app.clock.now())
            .await
            .unwrap();
    }
    let j = jos.lock().unwrap();
    assert_eq!(j.bad_signatures, 0);
    assert_eq!(j.answers.len(), 1, "sent once");
    assert_eq!(j.answers[0].0, "jingdong.asc.audit.refuse");
    assert_eq!(j.answers[0].1["serviceId"], "8000000");
    assert_eq!(j.answers[0].1["orderId"], "2500000");
    assert_eq!(
        j.answers[0].1["sysVersion"],
        t0.timestamp_millis().to_string()
    );
    assert_eq!(j.answers[0].1["approveNotes"], "人为损坏，不在保修范围");
}

on_both_backends!(
    a_day_of_jd_services_ends_in_one_case_per_service,
    refusing_reaches_jd_once_signed_with_the_services_version
);
