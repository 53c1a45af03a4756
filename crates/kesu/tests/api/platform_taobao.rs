//! The Taobao/Tmall connector against a local server that speaks the Taobao Open Platform's
//! protocol (the REST router, MD5 signatures, the message channel's consume and confirm, the
//! refund detail and messages, its error answers): a day of refund traffic with duplicate and
//! foreign messages, a rate limit, garbage and an expired session ends with exactly one case
//! per refund in its newest state, every message confirmed, and answers reach it signed.

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

const SHOP: &str = "tmallshop";
const APP_KEY: &str = "12345678";
const SECRET: &str = "top-secret-0123456789";
const SESSION: &str = "top-session-good";

/// The platform's side: each refund as it now stands, the channel's messages, and what to
/// do wrong.
#[derive(Default)]
struct Top {
    refunds: HashMap<String, Value>,
    /// (message id, topic, content, published, confirmed)
    messages: Vec<(i64, String, Value, String, bool)>,
    calls: usize,
    rate_limit_calls: Vec<usize>,
    garbage_calls: Vec<usize>,
    bad_signatures: usize,
    answers: Vec<(String, HashMap<String, String>)>,
}

type Shared = Arc<Mutex<Top>>;

fn beijing(t: DateTime<Utc>) -> String {
    t.with_timezone(&FixedOffset::east_opt(8 * 3600).unwrap())
        .format("%Y-%m-%d %H:%M:%S")
        .to_string()
}

fn error(code: i64, msg: &str, sub: &str) -> axum::Json<Value> {
    axum::Json(
        json!({"error_response": {"code": code, "msg": msg, "sub_code": sub, "request_id": "r1"}}),
    )
}

async fn router(
    State(top): State<Shared>,
    Form(params): Form<HashMap<String, String>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut top = top.lock().unwrap();
    top.calls += 1;
    let call = top.calls;
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
        top.bad_signatures += 1;
        return error(25, "Invalid signature", "").into_response();
    }
    if params.get("session").map(String::as_str) != Some(SESSION) {
        return error(27, "Invalid session", "invalid-sessionkey").into_response();
    }
    if top.rate_limit_calls.contains(&call) {
        return error(
            7,
            "App Call Limited",
            "accesscontrol.limited-by-app-access-count",
        )
        .into_response();
    }
    if top.garbage_calls.contains(&call) {
        return "<html><body>502 Bad Gateway</body></html>".into_response();
    }
    let method = params.get("method").cloned().unwrap_or_default();
    let answer = match method.as_str() {
        "taobao.tmc.messages.consume" => {
            let quantity: usize = params["quantity"].parse().unwrap();
            let list: Vec<Value> = top
                .messages
                .iter()
                .filter(|m| !m.4)
                .take(quantity)
                .map(|(id, topic, content, at, _)| {
                    json!({"id": id, "topic": topic, "content": content.to_string(),
                        "pub_time": at, "pub_app_key": "12497914", "user_id": 1, "user_nick": SHOP})
                })
                .collect();
            json!({"tmc_messages_consume_response": {"messages": {"tmc_message": list}}})
        }
        "taobao.tmc.messages.confirm" => {
            for id in params["s_message_ids"].split(',') {
                let id: i64 = id.parse().unwrap();
                for m in top.messages.iter_mut().filter(|m| m.0 == id) {
                    m.4 = true;
                }
            }
            json!({"tmc_messages_confirm_response": {"is_success": true}})
        }
        "taobao.refund.get" => match top.refunds.get(&params["refund_id"]) {
            Some(refund) => json!({"refund_get_response": {"refund": refund}}),
            None => {
                return error(15, "Remote service error", "isv.refund-not-exist").into_response()
            }
        },
        "taobao.refund.messages.get" => {
            let refund = &top.refunds[&params["refund_id"]];
            let photo = refund["_photo"].clone();
            let mut list = vec![
                json!({"id": 1, "owner_role": 1, "content": "杯子裂了，见图",
                "pic_urls": {"pic_url": if photo.is_null() { json!([]) } else { json!([{"url": photo}]) }}}),
            ];
            list.push(json!({"id": 2, "owner_role": 2, "content": "亲，我们核实一下"}));
            json!({"refund_messages_get_response": {"refund_messages": {"refund_message": list}, "total_results": 2}})
        }
        m if m.starts_with("taobao.rp.") || m.starts_with("taobao.refund.") => {
            let key = format!(
                "{}_response",
                m.trim_start_matches("taobao.").replace('.', "_")
            );
            top.answers.push((method.clone(), params.clone()));
            json!({ key: {"is_success": true, "msg": "成功"} })
        }
        _ => return error(22, "Invalid method", "").into_response(),
    };
    axum::Json(answer).into_response()
}

async fn start_top(top: Shared) -> String {
    let photo = crate::attachments::photo_with_location(40, 30);
    let app = axum::Router::new()
        .route("/router/rest", post(router))
        .route("/img/{name}", get(move || async move { photo }))
        .with_state(top);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    url
}

/// Publishes a refund's new state and a message about it (twice when `twice`).
fn publish(top: &mut Top, refund: Value, topic: &str, at: DateTime<Utc>, twice: bool) {
    let id = refund["refund_id"].as_str().unwrap().to_owned();
    let content = json!({"refund_id": id, "tid": refund["tid"], "refund_fee": refund["refund_fee"],
        "modified": refund["modified"], "buyer_nick": "t**1"});
    for _ in 0..=usize::from(twice) {
        let n = top.messages.len() as i64 + 1;
        top.messages.push((
            70_000 + n,
            format!("taobao_refund_{topic}"),
            content.clone(),
            beijing(at),
            false,
        ));
    }
    top.refunds.insert(id, refund);
}

fn created(i: i64, at: DateTime<Utc>, base: &str) -> Value {
    json!({
        "refund_id": format!("{}", 200_000_000 + i), "tid": 3_000_000 + i, "oid": 3_000_000 + i,
        "status": "WAIT_SELLER_AGREE", "cs_status": 1, "has_good_return": i % 2 == 1,
        "refund_fee": format!("{}.50", 20 + i % 40), "reason": "商品破损",
        "desc": "收到就是坏的", "modified": beijing(at), "created": beijing(at),
        "refund_remind_timeout": {"remind_type": 1, "exist_timeout": true,
            "timeout": beijing(at + Duration::hours(48))},
        "refund_phase": "aftersale", "refund_version": at.timestamp_millis(),
        "_photo": if i % 25 == 0 { json!(format!("{base}/img/{i}.jpg")) } else { json!(null) },
    })
}

/// The refund's later state, if it has one, with its topic.
fn later(i: i64, first: &Value, at: DateTime<Utc>) -> Option<(Value, &'static str)> {
    let mut v = first.clone();
    let (status, topic) = match i % 7 {
        0 => return None,
        1 => ("SUCCESS", "RefundSuccess"),
        2 => ("CLOSED", "RefundClosed"),
        3 => ("WAIT_SELLER_CONFIRM_GOODS", "RefundBuyerReturnGoods"),
        4 => ("SELLER_REFUSE_BUYER", "RefundSellerRefuseAgreement"),
        5 => ("WAIT_SELLER_AGREE", "TaobaoInterApplied"),
        _ => ("WAIT_BUYER_RETURN_GOODS", "RefundSellerAgreeAgreement"),
    };
    v["status"] = json!(status);
    v["modified"] = json!(beijing(at));
    v["refund_version"] = json!(at.timestamp_millis());
    if status == "WAIT_SELLER_CONFIRM_GOODS" {
        v["sid"] = json!(format!("YT{i:06}"));
        v["refund_remind_timeout"]["timeout"] = json!(beijing(at + Duration::hours(72)));
    }
    if topic == "TaobaoInterApplied" {
        v["cs_status"] = json!(3);
    }
    Some((v, topic))
}

async fn set_up(app: &TestApp, admin: &str, endpoint: &str, session: &str) {
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/taobao/{SHOP}")))
        .bearer_auth(admin)
        .json(
            &json!({"client_id": APP_KEY, "client_secret": SECRET, "access_token": session,
            "endpoint": format!("{endpoint}/router/rest"), "enabled": true}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn sync(app: &TestApp, admin: &str) -> Value {
    let r = app
        .client
        .post(app.url(&format!("/api/v1/platforms/taobao/{SHOP}/sync")))
        .bearer_auth(admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn sync_until_clean(app: &TestApp, admin: &str) -> usize {
    let mut rounds = 0;
    loop {
        rounds += 1;
        let report = sync(app, admin).await;
        if report["error"].is_null() {
            return rounds;
        }
        assert!(rounds < 10, "{report}");
    }
}

async fn a_day_of_taobao_refunds_ends_in_one_case_per_refund(app: TestApp) {
    let admin = app.admin().await;
    let top: Shared = Arc::default();
    let endpoint = start_top(top.clone()).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    let mut newest = HashMap::new();
    {
        let mut t = top.lock().unwrap();
        for i in 0..300_i64 {
            let v = created(i, t0 + Duration::minutes(i * 4), &endpoint);
            newest.insert(i, v.clone());
            publish(
                &mut t,
                v,
                "RefundCreated",
                t0 + Duration::minutes(i * 4),
                i % 13 == 0,
            );
        }
        // Another topic of the shop's: confirmed, not a case.
        t.messages.push((
            1,
            "taobao_trade_TradeCreate".into(),
            json!({"tid": 1}),
            beijing(t0),
            false,
        ));
        t.rate_limit_calls = vec![5];
        t.garbage_calls = vec![40];
    }
    // One order is another shop's: that refund is refused, the rest go on.
    let other = json!({"shop": "另一家店", "buyer": {"name": "李四"}, "placed_at": "2026-11-20T10:00:00+08:00",
        "lines": [{"line_id": "A", "sku": "CUP", "unit_price_cents": 5900, "quantity": 1}]});
    assert!(app
        .put_order(&admin, "3000007", &other)
        .await
        .status()
        .is_success());

    // An expired session first: nothing read, the admin told.
    set_up(&app, &admin, &endpoint, "top-session-old").await;
    app.clock.set(t0 + Duration::hours(21));
    let report = sync(&app, &admin).await;
    assert!(
        report["error"].as_str().unwrap().contains("access token"),
        "{report}"
    );
    set_up(&app, &admin, &endpoint, SESSION).await;
    assert!(
        sync_until_clean(&app, &admin).await >= 3,
        "the rate limit and the garbage each stopped a sync"
    );

    // The day goes on: most refunds change, some twice over in the channel.
    {
        let mut t = top.lock().unwrap();
        for i in 0..300_i64 {
            let at = t0 + Duration::hours(21) + Duration::minutes(i);
            if let Some((v, topic)) = later(i, &newest[&i], at) {
                newest.insert(i, v.clone());
                publish(&mut t, v, topic, at, i % 7 == 0);
            }
        }
    }
    app.clock.set(t0 + Duration::hours(27));
    sync_until_clean(&app, &admin).await;

    {
        let t = top.lock().unwrap();
        assert_eq!(t.bad_signatures, 0, "every call signed as TOP checks it");
        assert!(t.messages.iter().all(|m| m.4), "every message confirmed");
    }
    let list: Value = app
        .get(&admin, "/api/v1/cases?per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 299);
    for (i, v) in &newest {
        let id = v["refund_id"].as_str().unwrap();
        let Some(case_id) = app
            .store
            .platform_request_case(kesu_domain::platform::Platform::Taobao, SHOP, id)
            .await
            .unwrap()
        else {
            assert_eq!(*i, 7, "only the other shop's refund is missing");
            continue;
        };
        let case = app.case(&admin, case_id).await;
        assert_eq!(case["platform"]["status"], v["status"], "refund {id}");
        assert_eq!(case["order_no"], (3_000_000 + i).to_string());
        let kind = if i % 2 == 1 {
            "return_refund"
        } else {
            "refund_only"
        };
        assert_eq!(case["platform"]["kind"], kind);
        let stage = case["platform"]["stage"].as_str().unwrap().to_owned();
        if ["awaiting_seller", "returned", "intervened"].contains(&stage.as_str()) {
            let timeout = v["refund_remind_timeout"]["timeout"].as_str().unwrap();
            let naive =
                chrono::NaiveDateTime::parse_from_str(timeout, "%Y-%m-%d %H:%M:%S").unwrap();
            let due = FixedOffset::east_opt(8 * 3600)
                .unwrap()
                .from_local_datetime(&naive)
                .unwrap();
            assert_eq!(
                case["deadlines"]["platform_by"],
                due.with_timezone(&Utc)
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "refund {id}"
            );
        }
        if v["cs_status"] == 3 {
            assert_eq!(stage, "intervened");
            assert_eq!(case["priority"], "urgent");
        }
        if v["status"] == "WAIT_SELLER_CONFIRM_GOODS" {
            assert_eq!(case["platform"]["return_tracking_no"], v["sid"]);
        }
        // Each state once: the first opened the case, a later one changed it once.
        let changes = app
            .history(&admin, case_id)
            .await
            .into_iter()
            .filter(|e| e["action"] == "platform")
            .count();
        assert_eq!(changes, usize::from(i % 7 != 0), "refund {id}");
        assert!(case["description"].as_str().unwrap().contains("杯子裂了"));
    }

    let client = kesu_app::platforms::images::client();
    let limits = kesu_domain::attachment::Limits::default();
    let fetched =
        kesu_app::platforms::images::fetch_due(&app.store, &client, &limits, app.clock.now())
            .await
            .unwrap();
    assert_eq!(fetched, 12, "one photo for every 25th refund");
}

async fn answers_reach_taobao_once_signed_with_the_refunds_version(app: TestApp) {
    let admin = app.admin().await;
    let supervisor = app.user("sup", "supervisor", None).await;
    let top: Shared = Arc::default();
    let endpoint = start_top(top.clone()).await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    {
        let mut t = top.lock().unwrap();
        publish(
            &mut t,
            created(2, t0, &endpoint),
            "RefundCreated",
            t0,
            false,
        );
    }
    set_up(&app, &admin, &endpoint, SESSION).await;
    app.clock.set(t0 + Duration::hours(1));
    sync_until_clean(&app, &admin).await;
    let case = app
        .store
        .platform_request_case(kesu_domain::platform::Platform::Taobao, SHOP, "200000002")
        .await
        .unwrap()
        .unwrap();
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/taobao/{SHOP}/answers")))
        .bearer_auth(&admin)
        .json(&json!({"send_answers": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    for answer in [
        json!({"answer": "message", "text": "亲，已收到，马上处理"}),
        json!({"answer": "agree_refund"}),
    ] {
        let version = app.case(&supervisor, case).await["version"].clone();
        let mut body = answer;
        body["version"] = version;
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
    }
    let client = kesu_app::platforms::images::client();
    let sent =
        kesu_app::platforms::answers::send_due(&app.store, &app.vault, &client, app.clock.now())
            .await
            .unwrap();
    assert_eq!(sent, 2);
    let t = top.lock().unwrap();
    assert_eq!(t.bad_signatures, 0);
    assert_eq!(t.answers.len(), 2);
    let (method, params) = &t.answers[1];
    assert_eq!(method, "taobao.rp.refunds.agree");
    // refund_id|amount in fen|version|phase
    let version = t0.timestamp_millis();
    assert_eq!(
        params["refund_infos"],
        format!("200000002|2250|{version}|aftersale")
    );
    assert_eq!(t.answers[0].0, "taobao.refund.message.add");
    assert_eq!(t.answers[0].1["content"], "亲，已收到，马上处理");
}

on_both_backends!(
    a_day_of_taobao_refunds_ends_in_one_case_per_refund,
    answers_reach_taobao_once_signed_with_the_refunds_version
);
