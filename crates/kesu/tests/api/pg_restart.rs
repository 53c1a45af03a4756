//! PostgreSQL restarted under registration load, on a private cluster the test starts (the
//! shared one serves the other tests): kesu reconnects by itself, answers 503 with
//! Retry-After while the database is away, loses nothing it acknowledged, and its search
//! index and reports catch up.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::complaint;
use crate::process::{sign_in, start_with};

/// A PostgreSQL cluster of the test's own in a temporary folder, run as `postgres`.
struct Cluster {
    _dir: tempfile::TempDir,
    data: PathBuf,
    bin: PathBuf,
    port: u16,
}

fn as_postgres(cmd: &Path, args: &[&str]) -> std::process::Output {
    Command::new("runuser")
        .args(["-u", "postgres", "--"])
        .arg(cmd)
        .args(args)
        .output()
        .expect("runuser")
}

impl Cluster {
    /// `None` (and why) where no server binaries are installed or the test is not root.
    fn start() -> Result<Cluster, String> {
        let base = Path::new("/usr/lib/postgresql");
        let bin = std::fs::read_dir(base)
            .map_err(|_| "no PostgreSQL server binaries under /usr/lib/postgresql".to_owned())?
            .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
            .filter(|b| b.join("initdb").is_file())
            .max()
            .ok_or("no initdb under /usr/lib/postgresql")?;
        let root = Command::new("id")
            .arg("-u")
            .output()
            .map_err(|e| e.to_string())?;
        if String::from_utf8_lossy(&root.stdout).trim() != "0" {
            return Err("not root (the cluster runs as the postgres user)".into());
        }
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777))
            .map_err(|e| e.to_string())?;
        let data = dir.path().join("data");
        let out = as_postgres(
            &bin.join("initdb"),
            &[
                "-D",
                data.to_str().unwrap(),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ],
        );
        if !out.status.success() {
            return Err(format!("initdb: {}", String::from_utf8_lossy(&out.stderr)));
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let cluster = Cluster {
            _dir: dir,
            data,
            bin,
            port,
        };
        cluster.pg_ctl("start")?;
        Ok(cluster)
    }

    fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn pg_ctl(&self, what: &str) -> Result<(), String> {
        let opts = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1",
            self.port,
            self.data.display()
        );
        let log = self.data.join("server.log");
        let mut args = vec!["-D", self.data.to_str().unwrap(), "-w", "-t", "60"];
        match what {
            "start" => args.extend(["-o", &opts, "-l", log.to_str().unwrap(), "start"]),
            // Fast: every connection is cut, as when the database server restarts.
            _ => args.extend(["-m", "fast", "stop"]),
        }
        let out = as_postgres(&self.bin.join("pg_ctl"), &args);
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "pg_ctl {what}: {}",
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        self.pg_ctl("stop").ok();
    }
}

/// What the clients saw.
#[derive(Default)]
struct Seen {
    acknowledged: Vec<i64>,
    unavailable_with_retry_after: usize,
    other: Vec<u16>,
    acknowledged_after_restart: usize,
}

#[tokio::test]
async fn a_postgres_restart_under_load_loses_nothing_and_kesu_reconnects_by_itself() {
    if std::env::var("KESU_TEST_POSTGRES_URL").is_err() {
        eprintln!("SKIPPED: PostgreSQL restart (KESU_TEST_POSTGRES_URL not set)");
        return;
    }
    let cluster = match Cluster::start() {
        Ok(c) => c,
        Err(why) => {
            assert!(
                std::env::var("KESU_REQUIRE_POSTGRES").is_err(),
                "a private PostgreSQL cluster is needed: {why}"
            );
            eprintln!("SKIPPED: PostgreSQL restart: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let env = [("KESU_DATABASE_URL", cluster.url())];
    let server = start_with(dir.path(), Some("preset-pass-1"), &env);
    let token = sign_in(&reqwest::Client::new(), &server.base, "preset-pass-1").await;

    let stop = Arc::new(AtomicBool::new(false));
    let restarted = Arc::new(AtomicBool::new(false));
    let seen = Arc::new(Mutex::new(Seen::default()));
    let clients: Vec<_> = (0..4)
        .map(|c| {
            let (base, token) = (server.base.clone(), token.clone());
            let (stop, restarted, seen) = (stop.clone(), restarted.clone(), seen.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let mut body = complaint();
                    body["description"] = json!(format!("重启期间客户端{c}第{n}件：玻璃杯碎了"));
                    let r = client
                        .post(format!("{base}/api/v1/cases"))
                        .bearer_auth(&token)
                        .json(&body)
                        .send()
                        .await
                        .expect("kesu itself stays up");
                    let status = r.status().as_u16();
                    let retry_after = r.headers().contains_key("retry-after");
                    let after = restarted.load(Ordering::Relaxed);
                    let body: Value = r.json().await.unwrap_or(Value::Null);
                    {
                        let mut seen = seen.lock().unwrap();
                        match status {
                            201 => {
                                seen.acknowledged.push(body["id"].as_i64().unwrap());
                                if after {
                                    seen.acknowledged_after_restart += 1;
                                }
                            }
                            503 if retry_after => seen.unavailable_with_retry_after += 1,
                            s => seen.other.push(s),
                        }
                    }
                    if status == 503 {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                }
            })
        })
        .collect();

    tokio::time::sleep(Duration::from_millis(700)).await;
    cluster.pg_ctl("stop").unwrap();
    // Down long enough for waiting requests to give up with 503.
    tokio::time::sleep(Duration::from_secs(5)).await;
    cluster.pg_ctl("start").unwrap();
    restarted.store(true, Ordering::Relaxed);
    // Back: registrations succeed again without restarting kesu.
    let deadline = Instant::now() + Duration::from_secs(30);
    while seen.lock().unwrap().acknowledged_after_restart < 20 {
        assert!(Instant::now() < deadline, "kesu did not reconnect");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.store(true, Ordering::Relaxed);
    for c in clients {
        c.await.unwrap();
    }
    let seen = Arc::try_unwrap(seen).ok().unwrap().into_inner().unwrap();
    eprintln!(
        "acknowledged {} ({} after the restart), 503 with Retry-After {}, other {:?}",
        seen.acknowledged.len(),
        seen.acknowledged_after_restart,
        seen.unavailable_with_retry_after,
        seen.other
    );
    assert!(
        seen.other.is_empty(),
        "only 201 or 503 with Retry-After: {:?}",
        seen.other
    );
    assert!(
        seen.unavailable_with_retry_after > 0,
        "requests while the database was down answered 503"
    );

    let client = reqwest::Client::new();
    let get = |path: String| {
        let (client, token, base) = (client.clone(), token.clone(), server.base.clone());
        async move {
            client
                .get(format!("{base}{path}"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
        }
    };
    for id in &seen.acknowledged {
        assert_eq!(
            get(format!("/api/v1/cases/{id}")).await.status(),
            200,
            "case {id}"
        );
    }
    // The index and the reports catch up with everything stored.
    let n = seen.acknowledged.len() as i64;
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found: Value =
            get("/api/v1/cases?q=%E9%87%8D%E5%90%AF%E6%9C%9F%E9%97%B4&per_page=1".into())
                .await
                .json()
                .await
                .unwrap();
        let counted: Value = get("/api/v1/reports/summary?from=2026-11-01&to=2026-11-30".into())
            .await
            .json()
            .await
            .unwrap();
        if found["total"].as_i64() == Some(n) && counted["cases"].as_i64() == Some(n) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "search {} and reports {} hold {n} cases",
            found["total"],
            counted["cases"]
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
