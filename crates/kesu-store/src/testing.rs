//! Fresh databases for tests: a temporary SQLite file, or a new PostgreSQL database on the
//! server named by `KESU_TEST_POSTGRES_URL`. With `KESU_REQUIRE_POSTGRES=1` (as CI sets it),
//! a missing or unreachable server fails the test instead of skipping it.

use sqlx::{Connection, Executor};

/// The PostgreSQL server for tests, or `None` (after saying so) when the suite is skipped.
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("KESU_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("KESU_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "KESU_REQUIRE_POSTGRES=1 but KESU_TEST_POSTGRES_URL is not set"
            );
            eprintln!(
                "SKIPPED: PostgreSQL test (set KESU_TEST_POSTGRES_URL=postgres://… to run it)"
            );
            None
        }
    }
}

/// Creates an empty database on the test server and returns its URL.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    let name = format!("kesu_test_{}_{}", std::process::id(), rand::random::<u32>());
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the PostgreSQL test server {admin_url}: {e}"));
    conn.execute(format!("CREATE DATABASE {name}").as_str())
        .await
        .expect("create test database");
    conn.close().await.ok();
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("KESU_TEST_POSTGRES_URL must end in /DATABASE");
    format!("{base}/{name}")
}
