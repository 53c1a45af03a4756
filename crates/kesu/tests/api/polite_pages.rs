//! Pages fail politely: when the store fails under a customer's status page, the customer
//! reads a friendly page in Chinese, never the store's error, and the cause is in the log.

use std::process::Stdio;

use reqwest::StatusCode;
use sqlx::{Connection, Executor};

use crate::process::start_logging_to;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_failure_on_a_customer_page_shows_a_friendly_page_and_logs_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log_path = dir.path().join("kesu.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let server = start_logging_to(
        &data,
        Some("admin-Secret-4711"),
        &[("KESU_LOG", "warn".into())],
        Stdio::from(log),
    );
    let base = server.base.clone();
    let (browser, _, link) = crate::helpers::file_public_complaint(
        &base,
        &[
            ("name", "韩梅梅"),
            ("phone", "13700001111"),
            ("category", "quality"),
            ("demand", "refund"),
            ("description", "鞋底开胶"),
        ],
    )
    .await;
    let status_url = format!("{base}/s/{link}");
    assert_eq!(
        browser.get(&status_url).send().await.unwrap().status(),
        StatusCode::OK
    );

    // The store breaks underneath: the table of status-page links is gone.
    let mut conn = sqlx::SqliteConnection::connect(&kesu_store::sqlite_url_in(&data))
        .await
        .unwrap();
    conn.execute("DROP TABLE customer_links").await.unwrap();
    conn.close().await.unwrap();

    let r = browser.get(&status_url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = r.text().await.unwrap();
    assert!(
        body.contains("系统出了点问题"),
        "a friendly page in Chinese: {body}"
    );
    for leak in [
        "customer_links",
        "no such table",
        "sqlite",
        "error returned",
    ] {
        assert!(
            !body.to_lowercase().contains(leak),
            "the page shows the store's error ({leak}): {body}"
        );
    }
    drop(server);
    let logged = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logged.contains("no such table") && logged.contains("customer_links"),
        "the cause is logged: {logged}"
    );
}
