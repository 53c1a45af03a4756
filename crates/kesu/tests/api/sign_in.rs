//! Guessing passwords: wrong ones lock the account for a while (an admin may unlock it),
//! unknown names behave like known ones, one address cannot spray, and every failure and
//! lock is on record.

use std::time::Instant;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{problem, TestApp};
use crate::on_both_backends;

on_both_backends!(wrong_passwords_lock_the_account_and_an_admin_or_time_unlocks_it);

async fn attempt(app: &TestApp, username: &str, password: &str) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
}

async fn wrong_passwords_lock_the_account_and_an_admin_or_time_unlocks_it(app: TestApp) {
    let admin = app.admin().await;
    app.user("amy", "agent", None).await;
    for _ in 0..10 {
        let r = attempt(&app, "amy", "not-her-password").await;
        problem(r, StatusCode::UNAUTHORIZED).await;
    }
    // Locked: even the right password is refused, and the answer says when to retry.
    let r = attempt(&app, "amy", "pass-word-1").await;
    let retry: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((14 * 60..=15 * 60).contains(&retry), "{retry}");
    let p = problem(r, StatusCode::TOO_MANY_REQUESTS).await;
    assert!(p["detail"].as_str().unwrap().contains("locked"), "{p}");
    let users: serde_json::Value = app.get(&admin, "/api/v1/users").await.json().await.unwrap();
    let amy = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "amy")
        .unwrap();
    assert!(amy["locked_until"].is_string(), "{amy}");
    let record = app.store.sign_in_events("amy", 20).await.unwrap();
    let events: Vec<&str> = record.iter().map(|(_, _, e)| e.as_str()).collect();
    assert_eq!(events.iter().filter(|e| **e == "failed").count(), 10);
    assert_eq!(events[0], "locked");

    // An admin unlocks; the right password works at once.
    let r = app
        .post(&admin, "/api/v1/users/amy/unlock", &json!({}))
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        attempt(&app, "amy", "pass-word-1").await.status(),
        StatusCode::OK
    );

    // Locked again, it unlocks by itself after 15 minutes.
    for _ in 0..10 {
        attempt(&app, "amy", "not-her-password").await;
    }
    assert_eq!(
        attempt(&app, "amy", "pass-word-1").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    app.clock.advance(chrono::Duration::minutes(16));
    assert_eq!(
        attempt(&app, "amy", "pass-word-1").await.status(),
        StatusCode::OK
    );

    // A name nobody has is refused the same way, and takes as long to check. (24 wrong
    // passwords from this address so far: under its budget of 50.)
    let timed = |username: &'static str| {
        let app = &app;
        async move {
            let start = Instant::now();
            problem(
                attempt(app, username, "guess-guess").await,
                StatusCode::UNAUTHORIZED,
            )
            .await;
            start.elapsed()
        }
    };
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..2 {
        known.push(timed("admin").await);
        unknown.push(timed("ghost").await);
    }
    known.sort();
    unknown.sort();
    assert!(
        unknown[0] * 3 > known[0],
        "an unknown name answers much faster ({:?}) than a known one ({:?})",
        unknown[0],
        known[0]
    );
    for _ in 0..8 {
        attempt(&app, "ghost", "guess-guess").await;
    }
    assert_eq!(
        attempt(&app, "ghost", "guess-guess").await.status(),
        StatusCode::TOO_MANY_REQUESTS
    );

    // One address spraying many names is throttled, whatever the name.
    let mut throttled = false;
    for i in 0..40 {
        let r = attempt(&app, &format!("spray{i}"), "guess-guess").await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            throttled = true;
            break;
        }
    }
    assert!(
        throttled,
        "40 wrong passwords from one address are not all answered"
    );
    assert_eq!(
        attempt(&app, "admin", crate::helpers::ADMIN_PASSWORD)
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
}
