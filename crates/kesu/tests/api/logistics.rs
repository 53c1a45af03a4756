//! The logistics monitor replaying a recorded stream: 1,000 parcels of seven carriers over
//! twelve days, every exception kind, duplicates and late pushes, and customers complaining
//! about parcels marked delivered (`bench/gen_tracking_stream.py` wrote it, with the
//! exceptions each parcel must end with). The clock moves an hour at a time and the worker
//! runs after each hour, as `kesu serve` would.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Duration, Utc};
use kesu_store::{CaseFilter, ExceptionFilter, Page};
use kesu_web::AppState;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::on_both_backends;

on_both_backends!(
    a_recorded_stream_yields_exactly_the_expected_exceptions_and_cases,
    a_claim_is_filed_with_evidence_and_followed_until_paid,
    silent_parcels_show_on_the_board_until_they_move,
    a_parcel_that_stalls_twice_is_an_exception_twice,
);

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/tracking_replay");

fn lines(name: &str) -> Vec<Value> {
    std::fs::read_to_string(format!("{DATA}/{name}"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(v.as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

async fn a_recorded_stream_yields_exactly_the_expected_exceptions_and_cases(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/expected.json")).unwrap())
            .unwrap();
    for mut order in lines("orders.jsonl") {
        let no = order["order_no"].as_str().unwrap().to_owned();
        order.as_object_mut().unwrap().remove("order_no");
        let r = app.put_order(&agent, &no, &order).await;
        assert!(r.status().is_success(), "order {no}");
    }

    let stream = lines("stream.jsonl");
    let start: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-11-01T00:00:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let state = AppState::new(app.store.clone(), app.clock.clone(), app.search.clone());
    let (mut next, mut duplicates, mut complaint_cases) = (0, 0, BTreeSet::new());
    let mut hour = start;
    while hour <= start + Duration::days(12) {
        let end = hour + Duration::hours(1);
        app.clock.set(end);
        let mut events = Vec::new();
        while next < stream.len() && time(&stream[next]["arrive"]) < end {
            let item = &stream[next];
            if let Some(e) = item.get("event") {
                events.push(e.clone());
            } else {
                let r = app.post(&agent, "/api/v1/cases", &item["complaint"]).await;
                assert_eq!(r.status(), StatusCode::CREATED);
                let case: Value = r.json().await.unwrap();
                complaint_cases.insert(case["id"].as_i64().unwrap());
            }
            next += 1;
        }
        if !events.is_empty() {
            let r = app
                .post(&agent, "/api/v1/tracking/events", &json!(events))
                .await;
            assert_eq!(r.status(), StatusCode::OK);
            let receipt: Value = r.json().await.unwrap();
            duplicates += receipt["duplicates"].as_u64().unwrap();
        }
        kesu_app::worker::round(&state.store, state.clock.now(), "replay")
            .await
            .unwrap();
        hour = end;
    }
    assert_eq!(next, stream.len(), "the whole stream was played");

    // Repeats were recognised as such.
    let unique: HashSet<String> = stream
        .iter()
        .filter_map(|a| a.get("event"))
        .map(|e| {
            format!(
                "{}|{}|{}|{}",
                e["carrier"], e["tracking_no"], e["at"], e["status"]
            )
        })
        .collect();
    let events = expected["events"].as_u64().unwrap();
    assert_eq!(duplicates, events - unique.len() as u64);

    // Exactly the expected exceptions, parcel by parcel.
    let found = app
        .store
        .exceptions(&ExceptionFilter::default())
        .await
        .unwrap();
    let mut by_parcel: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for e in &found {
        by_parcel
            .entry(e.tracking_no.clone())
            .or_default()
            .push((e.kind.code().to_owned(), e.level.code().to_owned()));
    }
    let mut mismatches = Vec::new();
    for (no, want) in expected["exceptions"].as_object().unwrap() {
        let want: Vec<(String, String)> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut got = by_parcel.remove(no).unwrap_or_default();
        got.sort();
        if got != want {
            mismatches.push(format!("{no}: expected {want:?}, found {got:?}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} parcels differ:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    assert!(
        by_parcel.is_empty(),
        "exceptions on unknown parcels: {by_parcel:?}"
    );

    // Every exception (not warning) belongs to a case: one opened by the monitor, or the
    // customer's own complaint for parcels signed for but not received.
    for e in found.iter().filter(|e| e.level.code() == "exception") {
        let case_id = e.case_id.unwrap_or_else(|| panic!("{e:?} has no case"));
        if e.kind.code() == "signed_not_received" {
            assert!(complaint_cases.contains(&case_id), "{e:?}");
        }
    }
    let (cases, total) = app
        .store
        .cases(
            &CaseFilter::default(),
            Page {
                number: 1,
                size: 1000,
            },
        )
        .await
        .unwrap();
    let by_monitor: Vec<_> = cases
        .iter()
        .filter(|r| r.case.created_by == "logistics-monitor")
        .collect();
    assert_eq!(
        by_monitor.len() as u64,
        expected["cases_opened_by_monitor"].as_u64().unwrap()
    );
    assert_eq!(
        by_monitor
            .iter()
            .filter(|r| r.case.category.code() == "damaged")
            .count() as u64,
        expected["damaged_cases"].as_u64().unwrap()
    );
    assert!(by_monitor
        .iter()
        .all(|r| r.case.channel.code() == "platform" && r.case.tracking_no.is_some()));
    assert_eq!(
        total as u64,
        expected["cases_opened_by_monitor"].as_u64().unwrap()
            + expected["complaints"].as_u64().unwrap()
    );
}

async fn a_claim_is_filed_with_evidence_and_followed_until_paid(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let auditor = app.user("audrey", "auditor", None).await;
    let r = app
        .put_order(&agent, "TB20261111001", &crate::orders::contract_order())
        .await;
    assert!(r.status().is_success());
    let case: Value = app
        .post(&agent, "/api/v1/cases", &crate::helpers::complaint())
        .await
        .json()
        .await
        .unwrap();
    let id = case["id"].as_i64().unwrap();
    let claim = json!({"carrier": "yto", "tracking_no": "YT1234567890", "reason": "damaged",
        "amount_claimed_cents": 12900,
        "evidence": [{"kind": "photo", "reference": "IMG_0412.jpg", "note": "外箱压痕"},
                     {"kind": "delivery_proof", "reference": "签收底单 2026-11-12"}]});
    let r = app
        .post(&auditor, &format!("/api/v1/cases/{id}/claims"), &claim)
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut bad = claim.clone();
    bad["amount_claimed_cents"] = json!(-5);
    let r = app
        .post(&agent, &format!("/api/v1/cases/{id}/claims"), &bad)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.text().await.unwrap().contains("amount_claimed_cents"));

    let r = app
        .post(&agent, &format!("/api/v1/cases/{id}/claims"), &claim)
        .await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let filed: Value = r.json().await.unwrap();
    assert_eq!(filed["status"], "filed");
    assert_eq!(filed["next"], json!(["accepted", "rejected"]));
    assert_eq!(
        filed["deadline"], "2026-12-23T02:00:00Z",
        "30 days to answer"
    );
    let claim_id = filed["id"].as_i64().unwrap();
    let status = |body: Value| {
        let app = &app;
        let agent = agent.clone();
        async move {
            app.post(&agent, &format!("/api/v1/claims/{claim_id}/status"), &body)
                .await
        }
    };
    // Paid straight from filed is refused, naming the status; so is a stale version.
    let r = status(json!({"status": "paid", "amount_recovered_cents": 100, "version": 1})).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = status(json!({"status": "accepted", "version": 1, "note": "圆通已受理，单号 PC-889"}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let r = status(json!({"status": "rejected", "version": 1})).await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let r = status(json!({"status": "paid", "amount_recovered_cents": 20000, "version": 2})).await;
    assert_eq!(
        r.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "more than claimed"
    );
    let r = status(json!({"status": "paid", "amount_recovered_cents": 10000, "version": 2})).await;
    assert_eq!(r.status(), StatusCode::OK);
    let paid: Value = r.json().await.unwrap();
    assert_eq!(
        (
            paid["status"].as_str(),
            paid["amount_recovered_cents"].as_i64()
        ),
        (Some("paid"), Some(10000))
    );
    assert_eq!(paid["next"], json!([]));

    let listed: Value = app
        .get(&auditor, "/api/v1/claims")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1, "auditors read claims");
    let on_case: Value = app
        .get(&agent, &format!("/api/v1/cases/{id}/claims"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(on_case[0]["evidence"][1]["kind"], "delivery_proof");
    let history = app.history(&agent, id).await;
    let claims: Vec<&str> = history
        .iter()
        .filter(|e| e["action"] == "claim")
        .map(|e| e["data"]["status"].as_str().unwrap())
        .collect();
    assert_eq!(claims, ["filed", "accepted", "paid"]);
    let case_now: Value = app
        .get(&agent, &format!("/api/v1/cases/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        case_now["version"], 1,
        "claims do not make agents reload the case"
    );
}

async fn silent_parcels_show_on_the_board_until_they_move(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let mut order = crate::orders::contract_order();
    order["shipments"][0]["shipped_at"] = json!("2026-11-22T09:00:00+08:00");
    let r = app.put_order(&agent, "TB20261111001", &order).await;
    assert!(r.status().is_success());
    let state = AppState::new(app.store.clone(), app.clock.clone(), app.search.clone());
    // t0 is 25 hours after shipping: a pickup warning, no case yet.
    kesu_app::worker::round(&state.store, state.clock.now(), "test")
        .await
        .unwrap();
    let board: Value = app
        .get(&agent, "/api/v1/logistics/exceptions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board.as_array().unwrap().len(), 1, "{board}");
    assert_eq!(
        (board[0]["kind"].as_str(), board[0]["level"].as_str()),
        (Some("pickup_timeout"), Some("warning"))
    );
    assert!(board[0]["playbook"].as_str().unwrap().contains("揽收"));
    let cases: Value = app.get(&agent, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(cases["total"], 0);

    // 48 hours: an exception, and a case opened before the customer complains.
    app.clock.advance(Duration::hours(24));
    kesu_app::worker::round(&state.store, state.clock.now(), "test")
        .await
        .unwrap();
    kesu_app::worker::round(&state.store, state.clock.now(), "test")
        .await
        .unwrap();
    let board: Value = app
        .get(&agent, "/api/v1/logistics/exceptions")
        .await
        .json()
        .await
        .unwrap();
    let exception = board
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["level"] == "exception")
        .unwrap()
        .clone();
    assert!(exception["case_number"]
        .as_str()
        .unwrap()
        .starts_with("KS-"));
    let cases: Value = app.get(&agent, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(cases["total"], 1);
    let description = cases["items"][0]["description"].as_str().unwrap();
    assert!(
        description.contains("无物流信息"),
        "no tracking at all: {description}"
    );

    // The carrier scans it at last: the silence is over and the board clears.
    let r = app
        .post(
            &agent,
            "/api/v1/tracking/events",
            &json!({"carrier": "yto", "tracking_no": "YT1234567890",
            "at": "2026-11-24T11:00:00+08:00", "status": "picked_up"}),
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let board: Value = app
        .get(&agent, "/api/v1/logistics/exceptions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board, json!([]));
    let all: Value = app
        .get(&agent, "/api/v1/logistics/exceptions?open=false")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(all.as_array().unwrap().len(), 2);
}

async fn a_parcel_that_stalls_twice_is_an_exception_twice(app: TestApp) {
    let agent = app.user("amy", "agent", None).await;
    let mut order = crate::orders::contract_order();
    order["shipments"][0]["shipped_at"] = json!("2026-11-18T09:00:00+08:00");
    assert!(app
        .put_order(&agent, "TB20261111001", &order)
        .await
        .status()
        .is_success());
    let post = |at: &str| {
        let body = json!({"carrier": "yto", "tracking_no": "YT1234567890", "at": at, "status": "in_transit",
            "location": "武汉转运中心"});
        let app = &app;
        let agent = agent.clone();
        async move {
            assert!(app
                .post(&agent, "/api/v1/tracking/events", &body)
                .await
                .status()
                .is_success())
        }
    };
    post("2026-11-18T20:00:00+08:00").await;
    let state = AppState::new(app.store.clone(), app.clock.clone(), app.search.clone());
    // t0 (23rd 10:00) is 110 h after the last news: stalled, and a case opens.
    kesu_app::worker::round(&state.store, state.clock.now(), "test")
        .await
        .unwrap();
    kesu_app::worker::round(&state.store, state.clock.now(), "test")
        .await
        .unwrap();
    let stalled = |all: &Value| {
        all.as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "stalled")
            .count()
    };
    let all: Value = app
        .get(&agent, "/api/v1/logistics/exceptions?open=false")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stalled(&all), 1);
    // It moves, then stalls again for 72 h: a second episode, noted on the same case.
    post("2026-11-23T11:00:00+08:00").await;
    app.clock.advance(Duration::hours(73));
    kesu_app::worker::round(&state.store, state.clock.now(), "test")
        .await
        .unwrap();
    kesu_app::worker::round(&state.store, state.clock.now(), "test")
        .await
        .unwrap();
    let all: Value = app
        .get(&agent, "/api/v1/logistics/exceptions?open=false")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(stalled(&all), 2, "{all}");
    let open: Value = app
        .get(&agent, "/api/v1/logistics/exceptions")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        stalled(&open),
        1,
        "the first episode ended when the parcel moved"
    );
    let cases: Value = app.get(&agent, "/api/v1/cases").await.json().await.unwrap();
    assert_eq!(cases["total"], 1);
    let id = cases["items"][0]["id"].as_i64().unwrap();
    let notes = app
        .history(&agent, id)
        .await
        .iter()
        .filter(|e| e["action"] == "logistics_exception")
        .count();
    assert_eq!(
        notes, 1,
        "the second stall is noted on the case the first one opened"
    );
}

/// A case's logistics exceptions follow it: the close form says closing deals with them (and
/// offers the claim first), and closing marks them resolved in the same transaction.
#[tokio::test]
async fn closing_a_case_resolves_its_open_logistics_exceptions() {
    use kesu_domain::history::Entry;
    use kesu_domain::logistics::{ExceptionKind, Level};
    let app = TestApp::sqlite().await;
    let amy = app.user("amy", "agent", None).await;
    let id = app.register(&amy, &crate::helpers::complaint()).await["id"]
        .as_i64()
        .unwrap();
    let finding = kesu_store::NewException {
        carrier: "yto".into(),
        tracking_no: "YT1234567890".into(),
        order_no: Some("TB20261111001".into()),
        kind: ExceptionKind::SignedNotReceived,
        level: Level::Exception,
        detected_at: crate::helpers::t0(),
        detail: None,
        episode: "1".into(),
    };
    let note = Entry::Other {
        action: "logistics_exception".into(),
        data: json!({"kind": "signed_not_received"}),
    };
    let monitor = kesu_domain::Actor::staff("amy", kesu_domain::Role::Agent, None);
    app.store
        .flag_case_for_exception(&finding, id, &monitor, &note, crate::helpers::t0())
        .await
        .unwrap()
        .expect("a new finding");
    assert_eq!(app.store.open_exceptions_of_case(id).await.unwrap(), 1);

    // Answered, judged, routed … or, shortest, judged not valid after a reply: it closes.
    app.act_ok(
        &amy,
        id,
        json!({"action": "comment", "text": "您好，已收到您的反馈", "internal": false}),
    )
    .await;
    app.act_ok(
        &amy,
        id,
        json!({"action": "judge", "valid": false, "reason": "顾客已找到包裹"}),
    )
    .await;
    assert_eq!(
        app.store.open_exceptions_of_case(id).await.unwrap(),
        0,
        "closing the case dealt with its exception"
    );
    let open = app
        .store
        .exceptions(&ExceptionFilter {
            open_only: true,
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(open.is_empty(), "the board no longer lists it: {open:?}");
}
