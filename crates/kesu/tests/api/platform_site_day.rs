//! A day of the shop's own site pushing its after-sales requests (CONTRACT §10): 300 requests
//! of every kind, each later state sent before or after the state it follows and again, end in
//! one case per request in its newest state, with the site's deadline, its photos, and each
//! state written once.

use chrono::{DateTime, Duration, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::on_both_backends;
use kesu_web::Clock;

const SECRET: &str = "site-day-secret-0123456789";
const SHOP: &str = "dayshop";

async fn push(app: &TestApp, body: &Value) {
    let raw = body.to_string();
    let r = app
        .client
        .post(app.url(&format!("/api/v1/platforms/site/{SHOP}/events")))
        .header("content-type", "application/json")
        .header(
            "x-kesu-signature",
            crate::helpers::signature(SECRET, 1_790_000_000, raw.as_bytes()),
        )
        .body(raw)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
}

async fn photos() -> String {
    let photo = crate::attachments::photo_with_location(40, 30);
    let app = axum::Router::new().route(
        "/img/{name}",
        axum::routing::get(move || async move { photo }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.ok() });
    url
}

fn rfc(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The request's first state, and its later one if it has one, with the stage kesu gives it
/// and the deadline the shop must meet then.
fn states(
    i: i64,
    t0: DateTime<Utc>,
    base: &str,
) -> (Value, Option<Value>, &'static str, Option<String>) {
    let at = t0 + Duration::minutes(i * 4);
    let deadline = at + Duration::hours(48);
    let kinds = ["refund_only", "return_refund", "exchange", "reship"];
    let first = json!({
        "request_id": format!("DAY-{i:04}"), "kind": kinds[i as usize % 4], "status": "waiting_seller",
        "reason": "收到的杯子有裂纹", "amount_cents": 1000 + i, "deadline": rfc(deadline),
        "updated_at": rfc(at),
        "images": if i % 30 == 0 { json!([format!("{base}/img/{i}.jpg")]) } else { json!([]) },
    });
    let later_at = rfc(at + Duration::minutes(90));
    let mut later = first.clone();
    later["updated_at"] = json!(later_at);
    let (status, stage, due) = match i % 8 {
        0 => return (first, None, "awaiting_seller", Some(rfc(deadline))),
        1 => ("seller_agreed", "awaiting_return", None),
        2 => {
            let due = at + Duration::hours(72);
            later["deadline"] = json!(rfc(due));
            later["return_tracking_no"] = json!(format!("SF{i:06}"));
            ("buyer_returned", "returned", Some(rfc(due)))
        }
        3 => ("seller_refused", "refused", None),
        4 => {
            let by = at + Duration::hours(20);
            later["evidence_asked"] = json!("开箱视频");
            later["evidence_by"] = json!(rfc(by));
            ("intervened", "intervened", Some(rfc(by)))
        }
        5 => ("refunded", "refunded", None),
        6 => ("closed", "closed", None),
        _ => ("something_new", "other", Some(rfc(deadline))),
    };
    later["status"] = json!(status);
    (first, Some(later), stage, due)
}

async fn a_day_of_site_pushes_ends_in_one_case_per_request(app: TestApp) {
    let admin = app.admin().await;
    let r = app
        .client
        .put(app.url(&format!("/api/v1/platforms/site/{SHOP}")))
        .bearer_auth(&admin)
        .json(&json!({"secret": SECRET, "enabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let base = photos().await;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 22, 2, 0, 0).unwrap();
    app.clock.set(t0 + Duration::hours(24));
    let day: Vec<_> = (0..300).map(|i| states(i, t0, &base)).collect();
    // Even requests' later states arrive before the state they follow; then every first
    // state; then every later state once more.
    for (i, (_, later, _, _)) in day.iter().enumerate() {
        if let (0, Some(later)) = (i % 2, later) {
            push(&app, later).await;
        }
    }
    for (first, _, _, _) in &day {
        push(&app, first).await;
    }
    for (_, later, _, _) in &day {
        if let Some(later) = later {
            push(&app, later).await;
        }
    }

    let list: Value = app
        .get(&admin, "/api/v1/cases?per_page=1")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 300);
    for (i, (first, later, stage, due)) in day.iter().enumerate() {
        let id = first["request_id"].as_str().unwrap();
        let case_id = app
            .store
            .platform_request_case(kesu_domain::platform::Platform::Site, SHOP, id)
            .await
            .unwrap()
            .unwrap();
        let case = app.case(&admin, case_id).await;
        assert_eq!(case["platform"]["stage"], *stage, "{id}");
        let newest = later.as_ref().unwrap_or(first);
        assert_eq!(case["platform"]["status"], newest["status"], "{id}");
        assert_eq!(
            case["deadlines"]["platform_by"].as_str(),
            due.as_deref(),
            "{id}"
        );
        let changes = app
            .history(&admin, case_id)
            .await
            .into_iter()
            .filter(|e| e["action"] == "platform")
            .count();
        let expected = usize::from(later.is_some() && i % 2 == 1);
        assert_eq!(
            changes, expected,
            "{id}: each state once, none older after newer"
        );
    }
    let client = kesu_app::platforms::images::client();
    let limits = kesu_domain::attachment::Limits::default();
    let fetched =
        kesu_app::platforms::images::fetch_due(&app.store, &client, &limits, app.clock.now())
            .await
            .unwrap();
    assert_eq!(fetched, 10, "one photo for every 30th request");
}

on_both_backends!(a_day_of_site_pushes_ends_in_one_case_per_request);
