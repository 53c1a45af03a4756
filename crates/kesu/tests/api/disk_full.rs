//! A full disk: nothing is acknowledged that is not stored, the server says so (507 and
//! `/healthz`), and it recovers by itself once space returns; the search index catches up.
//!
//! The disk is a real small file system: a tmpfs mounted by the test (which needs root, as
//! CI has). On PostgreSQL the test database lives in a tablespace on that tmpfs. Without
//! root the tests print `SKIPPED: disk-full test` and pass; `.ci/run` fails on that line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use kesu_store::Store;
use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::{Connection, Executor};

use crate::helpers::{complaint, TestApp};

/// A tmpfs of a few megabytes, unmounted when dropped.
struct SmallDisk {
    mount: tempfile::TempDir,
}

impl SmallDisk {
    fn mount(megabytes: u32) -> Option<SmallDisk> {
        let mount = tempfile::tempdir().unwrap();
        let ok = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m,mode=0777")])
            .arg("tmpfs")
            .arg(mount.path())
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            eprintln!("SKIPPED: disk-full test (mounting a tmpfs needs root)");
            return None;
        }
        Some(SmallDisk { mount })
    }

    fn path(&self) -> &Path {
        self.mount.path()
    }

    fn filler(&self) -> PathBuf {
        self.path().join("filler")
    }

    /// Writes a file until the disk has no space left.
    fn fill(&self) {
        let mut file = std::fs::File::create(self.filler()).unwrap();
        let chunk = vec![0x5a_u8; 64 * 1024];
        while file.write_all(&chunk).is_ok() {}
        // The last bytes, a page at a time.
        while file.write_all(&chunk[..512]).is_ok() {}
        file.sync_all().ok();
    }

    fn free(&self) {
        std::fs::remove_file(self.filler()).unwrap();
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        Command::new("umount")
            .arg("-l")
            .arg(self.mount.path())
            .status()
            .ok();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_on_a_full_disk_acknowledges_only_what_is_stored_and_recovers() {
    let Some(disk) = SmallDisk::mount(24) else {
        return;
    };
    let data = tempfile::tempdir_in(disk.path()).unwrap();
    let url = kesu_store::sqlite_url_in(data.path());
    let app = TestApp::sqlite_in(data).await;
    acknowledged_writes_survive_a_full_disk(&app, &disk, &url).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_on_a_full_disk_acknowledges_only_what_is_stored_and_recovers() {
    let Some(admin) = kesu_store::testing::postgres_admin_url() else {
        return;
    };
    let Some(disk) = SmallDisk::mount(24) else {
        return;
    };
    // The database's files go to a tablespace on the small disk, owned by the server's user.
    let space = disk.path().join("pg");
    std::fs::create_dir(&space).unwrap();
    let owned = Command::new("chown")
        .args(["postgres:postgres"])
        .arg(&space)
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        owned,
        "the tablespace folder must belong to the postgres user"
    );
    let name = format!("kesu_test_full_{}", rand::random::<u32>());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    conn.execute(format!("CREATE TABLESPACE {name} LOCATION '{}'", space.display()).as_str())
        .await
        .expect("create a tablespace on the small disk (the test server must run on this machine)");
    conn.execute(format!("CREATE DATABASE {name} TABLESPACE {name}").as_str())
        .await
        .unwrap();
    let (base, _) = admin.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let store = Store::connect(&url).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let index = dir.path().join("search");
    let app = TestApp::start_with_index(store, Some(dir), &index).await;

    acknowledged_writes_survive_a_full_disk(&app, &disk, &url).await;

    app.store.close().await;
    drop(app);
    conn.execute(format!("DROP DATABASE {name} WITH (FORCE)").as_str())
        .await
        .unwrap();
    conn.execute(format!("DROP TABLESPACE {name}").as_str())
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_search_index_catches_up_once_its_disk_has_space_again() {
    let Some(disk) = SmallDisk::mount(24) else {
        return;
    };
    // The database on the big disk, the index on the small one.
    let data = tempfile::tempdir().unwrap();
    let store = Store::connect(&kesu_store::sqlite_url_in(data.path()))
        .await
        .unwrap();
    let app = TestApp::start_with_index(store, Some(data), &disk.path().join("search")).await;
    let agent = app.user("amy", "agent", None).await;
    let before = app.register(&agent, &complaint()).await;
    assert_eq!(found(&app, &agent, &before).await, 1);

    disk.fill();
    let mut numbers = Vec::new();
    for i in 0..5 {
        let mut body = complaint();
        body["description"] = json!(format!("磁盘满时登记的投诉 {i}，杯子碎了"));
        numbers.push(app.register(&agent, &body).await);
    }
    disk.free();

    // The index writes failed while the disk was full; they are retried, not dropped.
    let deadline = Instant::now() + Duration::from_secs(30);
    for case in &numbers {
        while found(&app, &agent, case).await != 1 {
            assert!(
                Instant::now() < deadline,
                "case {} is still missing from search after the disk had space again",
                case["number"]
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

/// How many cases a search for `case`'s number finds.
async fn found(app: &TestApp, token: &str, case: &Value) -> u64 {
    let number = case["number"].as_str().unwrap();
    let r = app.get(token, &format!("/api/v1/cases?q={number}")).await;
    assert_eq!(r.status(), StatusCode::OK);
    r.json::<Value>().await.unwrap()["total"].as_u64().unwrap()
}

async fn acknowledged_writes_survive_a_full_disk(app: &TestApp, disk: &SmallDisk, url: &str) {
    let agent = app.user("amy", "agent", None).await;
    let first = app.register(&agent, &complaint()).await;
    let first_id = first["id"].as_i64().unwrap();
    let health = app.client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(health.status(), StatusCode::OK);

    disk.fill();
    let mut acknowledged_cases = Vec::new();
    let mut acknowledged_comments = Vec::new();
    let mut refused = 0;
    for round in 0..3 {
        for i in 0..12 {
            let r = app.post(&agent, "/api/v1/cases", &complaint()).await;
            match r.status() {
                StatusCode::CREATED => {
                    let case: Value = r.json().await.unwrap();
                    acknowledged_cases.push(case["id"].as_i64().unwrap());
                }
                status => {
                    assert_full_disk_problem(status, r.json().await.unwrap());
                    refused += 1;
                }
            }
            let text = format!("磁盘满时的备注 {round}-{i}");
            let r = app
                .post(
                    &agent,
                    &format!("/api/v1/cases/{first_id}/actions"),
                    &json!({"action": "comment", "text": text, "internal": true,
                            "version": current_version(app, &agent, first_id).await}),
                )
                .await;
            match r.status() {
                StatusCode::OK => acknowledged_comments.push(text),
                status => {
                    assert_full_disk_problem(status, r.json().await.unwrap());
                    refused += 1;
                }
            }
        }
        let health = app.client.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(
            health.status(),
            StatusCode::SERVICE_UNAVAILABLE,
            "/healthz while the disk is full"
        );
        let body = health.text().await.unwrap();
        assert!(
            body.contains("disk"),
            "/healthz names the full disk: {body}"
        );
        // Space comes back for a moment, then is taken again (several episodes).
        if round < 2 {
            disk.free();
            disk.fill();
        }
    }
    eprintln!(
        "on the full disk: {} registrations and {} comments acknowledged, {refused} refused",
        acknowledged_cases.len(),
        acknowledged_comments.len()
    );
    assert!(
        refused > 0,
        "the disk was never full enough to refuse a write"
    );

    disk.free();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let health = app.client.get(app.url("/healthz")).send().await.unwrap();
        if health.status() == StatusCode::OK {
            break;
        }
        assert!(Instant::now() < deadline, "/healthz never recovered");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let after = app.register(&agent, &complaint()).await;
    acknowledged_cases.push(after["id"].as_i64().unwrap());

    // Everything acknowledged is in the database, as another process sees it.
    let other = Store::connect(url).await.unwrap();
    for id in &acknowledged_cases {
        assert!(
            other.case(*id).await.unwrap().is_some(),
            "case {id} was acknowledged with 201 but is not in the database"
        );
    }
    let history = other.history(first_id).await.unwrap();
    let stored: Vec<String> = history
        .iter()
        .filter_map(|e| e.entry.text().map(str::to_owned))
        .collect();
    for text in &acknowledged_comments {
        assert!(
            stored.contains(text),
            "comment {text:?} was acknowledged with 200 but is not in the database"
        );
    }
    other.close().await;
}

/// The case's version, read with an existing token (signing in is a write too).
async fn current_version(app: &TestApp, token: &str, id: i64) -> i64 {
    let r = app.get(token, &format!("/api/v1/cases/{id}")).await;
    let case: Value = r.json().await.unwrap();
    case["version"].as_i64().unwrap()
}

fn assert_full_disk_problem(status: StatusCode, body: Value) {
    assert!(
        status == StatusCode::INSUFFICIENT_STORAGE || status == StatusCode::SERVICE_UNAVAILABLE,
        "a write on a full disk answers 507 or 503, not {status}: {body}"
    );
    let detail = body["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains("disk"),
        "the problem names the full disk: {body}"
    );
}
