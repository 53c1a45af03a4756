//! The shop's own site as a source of after-sales requests (CONTRACT §10): signed pushes open
//! one case per request with the site's deadline as the case's hard one, later states change
//! it in the site's order, and unsigned, foreign or broken pushes store nothing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{browser, fields, page_text, problem, TestApp};
use crate::on_both_backends;
use kesu_web::Clock;

const SECRET: &str = "site-secret-0123456789";
const SHOP: &str = "旗舰店";

fn signature(secret: &str, body: &[u8]) -> String {
    crate::helpers::signature(secret, 1_790_000_000, body)
}

fn events_url(app: &TestApp, shop: &str) -> String {
    let shop: String = url_escape(shop);
    app.url(&format!("/api/v1/platforms/site/{shop}/events"))
}

fn url_escape(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn push_signed(app: &TestApp, secret: &str, body: &[u8]) -> reqwest::Response {
    app.client
        .post(events_url(app, SHOP))
        .header("content-type", "application/json")
        .header("x-kesu-signature", signature(secret, body))
        .body(body.to_vec())
        .send()
        .await
        .unwrap()
}

async fn push(app: &TestApp, body: &Value) -> reqwest::Response {
    push_signed(app, SECRET, body.to_string().as_bytes()).await
}

fn request(extra: Value) -> Value {
    let mut body = json!({
        "request_id": "RS-1001", "order_no": "SO-1001", "kind": "refund_only",
        "status": "waiting_seller", "reason": "杯子收到时碎了", "amount_cents": 5900,
        "buyer": {"name": "王小明", "phone": "13812345678"},
        "deadline": "2026-11-25T10:00:00+08:00",
        "updated_at": "2026-11-23T10:00:00+08:00"
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    body
}

async fn set_up(app: &TestApp, admin: &str) {
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/site/{}", url_escape(SHOP))))
        .bearer_auth(admin)
        .json(&json!({"secret": SECRET, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let order = json!({"shop": SHOP, "buyer": {"name": "王小明", "phone": "13812345678"},
        "placed_at": "2026-11-11T00:05:00+08:00",
        "lines": [{"line_id": "A", "sku": "CUP", "unit_price_cents": 5900, "quantity": 1}]});
    assert!(app
        .put_order(admin, "SO-1001", &order)
        .await
        .status()
        .is_success());
    let other = json!({"shop": "另一家店", "buyer": {"name": "李四"},
        "placed_at": "2026-11-11T00:05:00+08:00",
        "lines": [{"line_id": "A", "sku": "CUP", "unit_price_cents": 5900, "quantity": 1}]});
    assert!(app
        .put_order(admin, "SO-OTHER", &other)
        .await
        .status()
        .is_success());
}

async fn case_count(app: &TestApp, token: &str) -> i64 {
    let list: Value = app.get(token, "/api/v1/cases").await.json().await.unwrap();
    list["total"].as_i64().unwrap()
}

async fn answer(r: reqwest::Response, status: StatusCode) -> Value {
    let got = r.status();
    let body: Value = r.json().await.unwrap();
    assert_eq!(got, status, "{body}");
    body
}

async fn a_signed_push_opens_one_case_and_later_states_change_it_in_order(app: TestApp) {
    let admin = app.admin().await;
    set_up(&app, &admin).await;

    let first = answer(push(&app, &request(json!({}))).await, StatusCode::OK).await;
    assert_eq!(first["created"], true);
    let case = &first["case"];
    assert_eq!(case["channel"], "platform");
    assert_eq!(case["demand"], "refund");
    assert_eq!(case["deadlines"]["platform_by"], "2026-11-25T02:00:00Z");
    assert_eq!(case["platform"]["request_id"], "RS-1001");
    assert_eq!(case["platform"]["stage"], "awaiting_seller");
    // The site is nobody's account: it sees no personal data.
    assert_ne!(case["complainant"]["phone"], "13812345678");
    let id = case["id"].as_i64().unwrap();

    // The same push again, and an older state late: one case, unchanged.
    let again = answer(push(&app, &request(json!({}))).await, StatusCode::OK).await;
    assert_eq!(again["created"], false);
    assert_eq!(again["case"]["id"], id);
    let older = request(json!({"status": "refunded", "updated_at": "2026-11-23T09:00:00+08:00"}));
    let late = answer(push(&app, &older).await, StatusCode::OK).await;
    assert_eq!(late["case"]["version"], case["version"]);
    assert_eq!(case_count(&app, &admin).await, 1);

    // The site steps in, asking for evidence: urgent, and the evidence is due first.
    let stepped_in = request(json!({
        "status": "intervened", "updated_at": "2026-11-23T12:00:00+08:00",
        "evidence_asked": "开箱视频和破损照片", "evidence_by": "2026-11-24T12:00:00+08:00"
    }));
    let changed = answer(push(&app, &stepped_in).await, StatusCode::OK).await;
    assert_eq!(changed["created"], false);
    let stored = app.case(&admin, id).await;
    assert_eq!(stored["priority"], "urgent");
    assert_eq!(stored["platform"]["stage"], "intervened");
    assert_eq!(stored["deadlines"]["platform_by"], "2026-11-24T04:00:00Z");
    assert_eq!(stored["complainant"]["phone"], "13812345678");
    let history = app.history(&admin, id).await;
    let platform: Vec<&Value> = history
        .iter()
        .filter(|e| e["action"] == "platform")
        .collect();
    assert_eq!(platform.len(), 1, "{history:?}");
    assert_eq!(platform[0]["actor"], "platform-connector");
    assert_eq!(platform[0]["data"]["change"]["previous"], "awaiting_seller");

    // Refunded: the site's countdown no longer runs.
    let refunded =
        request(json!({"status": "refunded", "updated_at": "2026-11-23T13:00:00+08:00"}));
    answer(push(&app, &refunded).await, StatusCode::OK).await;
    let stored = app.case(&admin, id).await;
    assert!(stored["deadlines"].get("platform_by").is_none(), "{stored}");
}

async fn unsigned_foreign_and_broken_pushes_store_nothing(app: TestApp) {
    let admin = app.admin().await;
    set_up(&app, &admin).await;
    let body = request(json!({})).to_string();

    // No signature, another secret's, or a body changed after signing: 401.
    let r = app
        .client
        .post(events_url(&app, SHOP))
        .header("content-type", "application/json")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED).await;
    problem(
        push_signed(&app, "another-secret-0123456789", body.as_bytes()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let r = app
        .client
        .post(events_url(&app, SHOP))
        .header("x-kesu-signature", signature(SECRET, body.as_bytes()))
        .body(body.replace("5900", "590000"))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::UNAUTHORIZED).await;
    // A shop with no site set up.
    let r = app
        .client
        .post(events_url(&app, "无此店"))
        .header("x-kesu-signature", signature(SECRET, body.as_bytes()))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::NOT_FOUND).await;
    // Signed but not JSON, or with bad values: 400 and 422 naming the fields.
    problem(
        push_signed(&app, SECRET, b"{not json").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let bad =
        request(json!({"kind": "refund_everything", "updated_at": "tomorrow", "amount_cents": -1}));
    let p = problem(push(&app, &bad).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    let named = fields(&p);
    for f in ["kind", "updated_at", "amount_cents"] {
        assert!(named.contains(&f.to_owned()), "{f} in {named:?}");
    }
    // An order of another shop is refused: one shop's secret never reaches another's orders.
    let foreign = request(json!({"request_id": "RS-2", "order_no": "SO-OTHER"}));
    problem(push(&app, &foreign).await, StatusCode::FORBIDDEN).await;
    assert_eq!(case_count(&app, &admin).await, 0);

    // An unknown order still opens the case, marked; an amount above what was paid is flagged.
    let unknown = request(json!({"request_id": "RS-3", "order_no": "SO-NOWHERE"}));
    let taken = answer(push(&app, &unknown).await, StatusCode::OK).await;
    assert_eq!(taken["case"]["platform"]["order_missing"], true);
    let greedy = request(json!({"request_id": "RS-4", "amount_cents": 990000}));
    let taken = answer(push(&app, &greedy).await, StatusCode::OK).await;
    assert_eq!(taken["case"]["platform"]["amount_over_paid"], true);
    assert_eq!(case_count(&app, &admin).await, 2);

    // Switched off: signed pushes are refused until it is on again.
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/site/{}", url_escape(SHOP))))
        .bearer_auth(&admin)
        .json(&json!({"secret": SECRET, "enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let later = request(json!({"request_id": "RS-5"}));
    problem(push(&app, &later).await, StatusCode::CONFLICT).await;
    assert_eq!(case_count(&app, &admin).await, 2);
}

async fn only_admins_set_up_sources_and_secrets_are_never_shown(app: TestApp) {
    let admin = app.admin().await;
    let agent = app.user("amy", "agent", None).await;
    let url = app.url(&format!("/api/v1/platforms/site/{}", url_escape(SHOP)));
    let r = app
        .client
        .put(&url)
        .bearer_auth(&agent)
        .json(&json!({"secret": SECRET, "enabled": true}))
        .send()
        .await
        .unwrap();
    problem(r, StatusCode::FORBIDDEN).await;
    let r = app
        .client
        .put(&url)
        .bearer_auth(&admin)
        .json(&json!({"secret": "short", "enabled": true}))
        .send()
        .await
        .unwrap();
    let p = problem(r, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(fields(&p), vec!["secret"]);
    set_up(&app, &admin).await;
    answer(push(&app, &request(json!({}))).await, StatusCode::OK).await;
    let two = request(json!({"request_id": "RS-1002"}));
    answer(push(&app, &two).await, StatusCode::OK).await;
    let listed = app.get(&admin, "/api/v1/platforms").await;
    assert_eq!(listed.status(), StatusCode::OK);
    let text = listed.text().await.unwrap();
    assert!(text.contains(SHOP) && !text.contains(SECRET), "{text}");
    let sources: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(sources[0]["requests_last_hour"], 2, "{text}");
    // An hour later they are no longer the last hour's.
    app.clock
        .set(app.clock.now() + chrono::Duration::minutes(61));
    let sources: Value = app
        .get(&admin, "/api/v1/platforms")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(sources[0]["requests_last_hour"], 0);
    problem(
        app.get(&agent, "/api/v1/platforms").await,
        StatusCode::FORBIDDEN,
    )
    .await;
}

async fn agents_see_the_request_and_its_deadline_first_in_words(app: TestApp) {
    let admin = app.admin().await;
    set_up(&app, &admin).await;
    app.user("amy", "agent", None).await;
    let first = answer(push(&app, &request(json!({}))).await, StatusCode::OK).await;
    let id = first["case"]["id"].as_i64().unwrap();
    let stepped_in = request(json!({
        "status": "intervened", "updated_at": "2026-11-23T12:00:00+08:00", "amount_cents": 9900,
        "evidence_asked": "开箱视频和破损照片", "evidence_by": "2026-11-24T12:00:00+08:00"
    }));
    answer(push(&app, &stepped_in).await, StatusCode::OK).await;
    let (client, _) = browser(&app, "amy", "pass-word-1").await;
    let page = page_text(&client, &app.url(&format!("/cases/{id}"))).await;
    for words in [
        "平台售后单",
        "自有站点",
        "RS-1001",
        "仅退款",
        "平台已介入",
        "开箱视频和破损照片",
        "平台处理时限",
        "2026-11-24 12:00",
        "超过订单可退金额",
        "平台售后单变化",
    ] {
        assert!(page.contains(words), "{words} missing from the case page");
    }
    for code in [
        "awaiting_seller",
        "intervened",
        "refund_only",
        "platform-connector",
    ] {
        assert!(
            !page.contains(&format!(">{code}<")),
            "raw code {code} on the page"
        );
    }
    // In the queue the platform's countdown comes first.
    let queue = page_text(&client, &app.url("/")).await;
    let platform = queue
        .find("data-clock=\"platform\"")
        .expect("platform badge");
    let other = queue.find("data-clock=\"first_response\"");
    assert!(
        other.is_none_or(|o| platform < o),
        "the platform's countdown first"
    );
}

/// A platform's image server: a photo, a page posing as a photo, and nothing at all.
async fn image_server() -> String {
    use axum::routing::get;
    let photo = crate::attachments::photo_with_location(64, 48);
    let app = axum::Router::new()
        .route("/img/broken-cup.jpg", get(move || async move { photo }))
        .route(
            "/img/page.jpg",
            get(|| async {
                (
                    [("content-type", "text/html")],
                    "<html><script>x()</script></html>",
                )
            }),
        )
        .route(
            "/img/gone.jpg",
            get(|| async { axum::http::StatusCode::NOT_FOUND }),
        );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    url
}

async fn the_requests_photos_are_fetched_once_and_failures_are_told(app: TestApp) {
    let admin = app.admin().await;
    set_up(&app, &admin).await;
    let images = image_server().await;
    let body = request(json!({"images": [
        format!("{images}/img/broken-cup.jpg"), format!("{images}/img/page.jpg"),
        format!("{images}/img/gone.jpg")
    ]}));
    let first = answer(push(&app, &body).await, StatusCode::OK).await;
    let id = first["case"]["id"].as_i64().unwrap();
    // The same push again queues nothing more.
    answer(push(&app, &body).await, StatusCode::OK).await;

    let client = kesu_app::platforms::images::client();
    let limits = kesu_domain::attachment::Limits::default();
    let mut now = crate::helpers::t0();
    let fetched = kesu_app::platforms::images::fetch_due(&app.store, &client, &limits, now)
        .await
        .unwrap();
    assert_eq!(fetched, 1, "the photo is stored at the first round");
    assert_eq!(app.store.platform_images_left(id).await.unwrap(), (1, 1));
    // The missing one is tried again with backoff until given up.
    for _ in 0..kesu_store::MAX_IMAGE_ATTEMPTS {
        now += chrono::Duration::hours(6);
        kesu_app::platforms::images::fetch_due(&app.store, &client, &limits, now)
            .await
            .unwrap();
    }
    assert_eq!(app.store.platform_images_left(id).await.unwrap(), (0, 2));
    let files = app.store.attachments(id).await.unwrap();
    assert_eq!(files.len(), 1, "one photo, stored once");
    assert_eq!(files[0].name, "broken-cup.jpg");
    let notes = app
        .history(&admin, id)
        .await
        .into_iter()
        .filter(|e| e["action"] == "platform_image")
        .count();
    assert_eq!(notes, 2, "each photo given up is noted on the case");
    let (browser_client, _) = {
        app.user("amy", "agent", None).await;
        browser(&app, "amy", "pass-word-1").await
    };
    let page = page_text(&browser_client, &app.url(&format!("/cases/{id}"))).await;
    assert!(
        page.contains("平台图片") && page.contains("2 张平台图片未能下载"),
        "{page}"
    );
}

async fn pushes_of_one_request_at_once_open_one_case_and_apply_every_state(app: TestApp) {
    let admin = app.admin().await;
    set_up(&app, &admin).await;
    // Ten states of one request, sent all at once (a platform retrying, two servers taking
    // them): one case, and it ends in the newest state whatever order they land in.
    let pushes = (0..10).map(|i| {
        let status = if i == 9 { "refunded" } else { "waiting_seller" };
        let body = request(json!({
            "status": status,
            "updated_at": format!("2026-11-23T10:{:02}:00+08:00", i),
        }));
        let app = &app;
        async move { push(app, &body).await.status() }
    });
    let answers = futures_util::future::join_all(pushes).await;
    assert!(answers.iter().all(|s| *s == StatusCode::OK), "{answers:?}");
    assert_eq!(case_count(&app, &admin).await, 1);
    let list: Value = app.get(&admin, "/api/v1/cases").await.json().await.unwrap();
    let id = list["items"][0]["id"].as_i64().unwrap();
    let stored = app.case(&admin, id).await;
    assert_eq!(stored["platform"]["stage"], "refunded", "{stored}");
}

/// The real binary: the secret sealed at rest with a key file of the owner's only, and a flood
/// from one shop held back with 429 and Retry-After, every push taken when sent again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_pushes_is_held_back_and_nothing_is_lost() {
    let dir = tempfile::tempdir().unwrap();
    let password = "flood-admin-password";
    let server = crate::process::start_with(
        dir.path(),
        Some(password),
        &[("KESU_PLATFORM_PUSH_RATE", "2".to_owned())],
    );
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let admin = crate::process::sign_in(&client, &base, password).await;
    let r = client
        .put(format!("{base}/api/v1/platforms/site/{}", url_escape(SHOP)))
        .bearer_auth(&admin)
        .json(&json!({"secret": SECRET, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let send = |i: usize| {
        let body = request(json!({"request_id": format!("RS-F{i}")})).to_string();
        client
            .post(format!(
                "{base}/api/v1/platforms/site/{}/events",
                url_escape(SHOP)
            ))
            .header("x-kesu-signature", signature(SECRET, body.as_bytes()))
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let mut waiting: Vec<usize> = (0..20).collect();
    let mut held_back = 0;
    for _round in 0..30 {
        let mut next = Vec::new();
        for i in waiting {
            let r = send(i).await.unwrap();
            if r.status() == StatusCode::TOO_MANY_REQUESTS {
                held_back += 1;
                let after: u64 = r.headers()["retry-after"]
                    .to_str()
                    .unwrap()
                    .parse()
                    .unwrap();
                assert!((1..=5).contains(&after), "Retry-After {after}");
                next.push(i);
            } else {
                assert_eq!(r.status(), StatusCode::OK);
            }
        }
        waiting = next;
        if waiting.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    }
    assert!(waiting.is_empty(), "every push taken in the end");
    assert!(held_back > 0, "a flood of 20 at 2 a second is held back");
    let list: Value = client
        .get(format!("{base}/api/v1/cases"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 20, "none lost, none twice");
    // The secret is sealed: not in the database file, the key file its owner's only.
    crate::process::stop(server);
    for name in ["kesu.db", "kesu.db-wal"] {
        let Ok(db) = std::fs::read(dir.path().join(name)) else {
            continue;
        };
        assert!(
            !db.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()),
            "{name}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0);
    }
}

on_both_backends!(
    pushes_of_one_request_at_once_open_one_case_and_apply_every_state,
    the_requests_photos_are_fetched_once_and_failures_are_told,
    agents_see_the_request_and_its_deadline_first_in_words,
    a_signed_push_opens_one_case_and_later_states_change_it_in_order,
    unsigned_foreign_and_broken_pushes_store_nothing,
    only_admins_set_up_sources_and_secrets_are_never_shown,
);
