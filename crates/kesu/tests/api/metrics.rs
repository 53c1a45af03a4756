//! `/metrics` of a real `kesu serve`: Prometheus' text format with requests by route pattern
//! (never a path or a query), registration batch sizes, the change-log followers' lag and the
//! database pools; behind a bearer token when `KESU_METRICS_TOKEN` is set.

use crate::helpers::complaint;
use crate::process::{get, sign_in, start_with};

/// The value of the first sample line starting with `prefix`.
fn sample(text: &str, prefix: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

#[tokio::test]
async fn metrics_count_requests_by_route_batches_followers_and_pools() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(
        dir.path(),
        Some("preset-pass-1"),
        &[("KESU_METRICS_TOKEN", "scrape-secret-123".to_owned())],
    );
    let client = reqwest::Client::new();
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    for _ in 0..3 {
        let r = client
            .post(format!("{}/api/v1/cases", server.base))
            .bearer_auth(&token)
            .json(&complaint())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
    let (_, found) = get(&client, &server.base, &token, "/api/v1/cases?q=13812345678").await;
    assert_eq!(found["total"], 3);

    let scrape = |auth: Option<&'static str>| {
        let mut r = client.get(format!("{}/metrics", server.base));
        if let Some(t) = auth {
            r = r.bearer_auth(t);
        }
        r.send()
    };
    assert_eq!(scrape(None).await.unwrap().status(), 401);
    assert_eq!(scrape(Some("wrong")).await.unwrap().status(), 401);
    let r = scrape(Some("scrape-secret-123")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/plain"));
    let text = r.text().await.unwrap();

    let created = r#"kesu_http_requests_total{method="POST",route="/api/v1/cases",status="201"}"#;
    assert_eq!(sample(&text, created), Some(3.0), "{text}");
    assert!(
        sample(
            &text,
            r#"kesu_http_request_duration_seconds_count{method="POST",route="/api/v1/cases"}"#
        ) == Some(3.0)
    );
    // Batches of registrations: 3 registrations in 1 to 3 commits.
    let batches = sample(&text, "kesu_registration_batch_size_count").unwrap();
    assert!((1.0..=3.0).contains(&batches), "{batches}");
    assert_eq!(sample(&text, "kesu_registration_batch_size_sum"), Some(3.0));
    for follower in ["search", "reports", "caches"] {
        let lag = sample(
            &text,
            &format!(r#"kesu_change_follower_lag_seconds{{follower="{follower}"}}"#),
        );
        assert!(lag.is_some(), "{follower}'s lag: {text}");
    }
    assert!(sample(&text, r#"kesu_db_connections{pool="write",state="idle"}"#).is_some());
    assert_eq!(sample(&text, "kesu_search_index_cases"), Some(3.0));
    // Personal data and secrets never appear: the phone searched for is not a label.
    assert!(!text.contains("13812345678") && !text.contains("scrape-secret"));
}
