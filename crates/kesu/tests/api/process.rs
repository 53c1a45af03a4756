//! The real `kesu` binary: first start, crash safety, graceful stop and the user commands.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::helpers::complaint;

const KESU: &str = env!("CARGO_BIN_EXE_kesu");

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    stdout: Vec<String>,
}

/// Starts `kesu serve` on a free port and waits until it says where it listens.
fn start(data: &Path, admin_password: Option<&str>) -> Server {
    start_with(data, admin_password, &[])
}

/// [`start`] with more environment (a database URL, a clock file, a worker interval).
pub(crate) fn start_with(
    data: &Path,
    admin_password: Option<&str>,
    env: &[(&str, String)],
) -> Server {
    start_logging_to(data, admin_password, env, Stdio::null())
}

/// [`start_with`], its log (stderr) going to `log` (set `KESU_LOG` in `env` for its level).
pub(crate) fn start_logging_to(
    data: &Path,
    admin_password: Option<&str>,
    env: &[(&str, String)],
    log: Stdio,
) -> Server {
    let mut cmd = Command::new(KESU);
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .env_remove("KESU_DATABASE_URL")
        .env("KESU_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(log);
    match admin_password {
        Some(p) => cmd.env("KESU_ADMIN_PASSWORD", p),
        None => cmd.env_remove("KESU_ADMIN_PASSWORD"),
    };
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("start kesu");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut stdout = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        stdout.push(line.clone());
        if let Some(rest) = line.strip_prefix("kesu is listening on ") {
            let base = rest.split_whitespace().next().unwrap().to_owned();
            // Keep draining stdout so the server never blocks on a full pipe.
            std::thread::spawn(move || for _ in lines {});
            return Server {
                child,
                base,
                stdout,
            };
        }
    }
    child.kill().ok();
    child.wait().ok();
    panic!("kesu exited before listening: {stdout:?}");
}

impl Drop for Server {
    /// A failing test must not leave a server behind.
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

pub(crate) async fn sign_in(client: &reqwest::Client, base: &str, password: &str) -> String {
    let r: Value = client
        .post(format!("{base}/api/v1/auth/token"))
        .json(&json!({"username": "admin", "password": password}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{r}"))
        .to_owned()
}

fn kesu_user(data: &Path, args: &[&str], password: Option<&str>) -> std::process::Output {
    let mut cmd = Command::new(KESU);
    cmd.arg("user")
        .args(args)
        .arg("--data")
        .arg(data)
        .env_remove("KESU_DATABASE_URL");
    if let Some(p) = password {
        cmd.env("KESU_USER_PASSWORD", p);
    }
    cmd.stdin(Stdio::null()).output().unwrap()
}

#[tokio::test]
async fn a_registered_case_survives_kill_9_and_the_first_password_is_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let mut server = start(dir.path(), None);
    let shown = server
        .stdout
        .iter()
        .find_map(|l| l.strip_prefix("Created the first user: `admin` with password "));
    let password = shown
        .expect("a generated password is printed")
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    assert_eq!(
        client
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // kesu user add works beside the running server (same SQLite file).
    let out = kesu_user(
        dir.path(),
        &["add", "amy", "--role", "agent"],
        Some("pass-word-1"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let token = sign_in(&client, &server.base, &password).await;
    let agent: Value = client
        .post(format!("{}/api/v1/auth/token", server.base))
        .json(&json!({"username": "amy", "password": "pass-word-1"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let agent = agent["token"].as_str().unwrap().to_owned();
    let r = client
        .post(format!("{}/api/v1/cases", server.base))
        .bearer_auth(&agent)
        .json(&complaint())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    server.child.kill().unwrap(); // SIGKILL right after the 201
    server.child.wait().unwrap();

    let server = start(dir.path(), None);
    assert!(
        !server
            .stdout
            .iter()
            .any(|l| l.contains("Created the first user")),
        "no second admin on an existing database"
    );
    let token2 = sign_in(&client, &server.base, &password).await;
    assert_ne!(token, token2);
    let r: Value = client
        .get(format!("{}/api/v1/cases/{}", server.base, created["id"]))
        .bearer_auth(&token2)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["number"], created["number"]);
    assert_eq!(r["description"], created["description"]);
    stop(server);
}

pub(crate) fn stop(server: Server) {
    let mut server = server;
    let pid = server.child.id().to_string();
    let ok = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(ok.success());
    let status = server.child.wait().unwrap();
    assert!(status.success(), "kesu stops cleanly on SIGTERM: {status}");
}

#[tokio::test]
async fn sigterm_stops_the_server_cleanly_and_the_admin_password_can_be_preset() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path(), Some("preset-pass-1"));
    assert!(server
        .stdout
        .iter()
        .any(|l| l.contains("KESU_ADMIN_PASSWORD")));
    sign_in(&reqwest::Client::new(), &server.base, "preset-pass-1").await;
    stop(server);
}

#[test]
fn user_commands_add_list_and_disable_with_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    ok(kesu_user(
        d,
        &[
            "add",
            "wu",
            "--role",
            "department",
            "--department",
            "logistics",
        ],
        Some("pass-word-1"),
    ));
    ok(kesu_user(
        d,
        &["add", "sam", "--role", "supervisor"],
        Some("pass-word-1"),
    ));
    ok(kesu_user(d, &["disable", "sam"], None));
    let list = ok(kesu_user(d, &["list"], None));
    assert!(
        list.lines()
            .any(|l| l.starts_with("wu ") && l.contains("logistics") && l.ends_with("active")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.starts_with("sam ") && l.ends_with("disabled")),
        "{list}"
    );

    for (args, message) in [
        (&["add", "bo", "--role", "boss"][..], "unknown role"),
        (
            &["add", "bo", "--role", "department"][..],
            "needs --department",
        ),
        (&["add", "bo", "--role", "agent"][..], "no password"),
        (&["add", "wu", "--role", "agent"][..], "already exists"),
        (&["disable", "ghost"][..], "no user"),
        (&["reset-two-factor", "ghost"][..], "no user"),
    ] {
        let password = (args[1] == "wu").then_some("pass-word-1");
        let out = kesu_user(d, args, password);
        assert!(!out.status.success(), "{args:?} must fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let out = kesu_user(d, &["add", "bo", "--role", "agent"], Some("short"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));
    // A lost phone: the second factor is turned off from the server's command line.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let store = runtime
        .block_on(kesu_store::Store::connect(&kesu_store::sqlite_url_in(d)))
        .unwrap();
    let wu = runtime.block_on(store.user("wu")).unwrap().unwrap();
    runtime
        .block_on(store.begin_two_factor(wu.id, "sealed"))
        .unwrap();
    runtime
        .block_on(store.confirm_two_factor(wu.id, 1, &["x".into()], chrono::Utc::now()))
        .unwrap();
    drop(store);
    let said = ok(kesu_user(d, &["reset-two-factor", "wu"], None));
    assert!(said.contains("turned off"), "{said}");
    let store = runtime
        .block_on(kesu_store::Store::connect(&kesu_store::sqlite_url_in(d)))
        .unwrap();
    assert!(runtime.block_on(store.two_factor(wu.id)).unwrap().is_none());
    assert_eq!(
        runtime.block_on(store.recovery_codes_left(wu.id)).unwrap(),
        0
    );
    // The names kesu writes for the customer and its own workers are nobody's account.
    for name in ["customer", "sla-timer", "logistics-monitor"] {
        let out = kesu_user(d, &["add", name, "--role", "agent"], Some("pass-word-1"));
        assert!(!out.status.success(), "{name} must be refused");
        assert!(String::from_utf8_lossy(&out.stderr).contains("reserved"));
    }
}

#[tokio::test]
async fn sigterm_under_load_loses_no_acknowledged_registration() {
    let dir = tempfile::tempdir().unwrap();
    let client = reqwest::Client::new();
    let server = start(dir.path(), Some("preset-pass-1"));
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    let url = format!("{}/api/v1/cases", server.base);
    let mut requests = tokio::task::JoinSet::new();
    for i in 0..200 {
        let (client, url, token) = (client.clone(), url.clone(), token.clone());
        requests.spawn(async move {
            let mut body = complaint();
            body["description"] = json!(format!("第{i}件投诉"));
            match client
                .post(&url)
                .bearer_auth(&token)
                .json(&body)
                .send()
                .await
            {
                Ok(r) if r.status() == 201 => Some(r.json::<Value>().await.ok()?["id"].as_i64()?),
                _ => None,
            }
        });
    }
    // Stop the server while the requests are in flight.
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    stop(server);
    let mut acknowledged = Vec::new();
    while let Some(r) = requests.join_next().await {
        acknowledged.extend(r.unwrap());
    }

    let server = start(dir.path(), None);
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    let list: Value = client
        .get(format!("{}/api/v1/cases?per_page=200", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let stored: std::collections::BTreeSet<i64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    for id in &acknowledged {
        assert!(
            stored.contains(id),
            "case {id} was acknowledged with 201 but is gone"
        );
    }
    for id in &stored {
        let events: Vec<Value> = client
            .get(format!("{}/api/v1/cases/{id}/events", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // Its deadlines may have passed already: SLA entries follow the registration.
        assert_eq!(
            events[0]["action"], "register",
            "case {id} is whole: its registration is in the history"
        );
    }
    eprintln!(
        "{} of 200 acknowledged before the stop, {} stored",
        acknowledged.len(),
        stored.len()
    );
    stop(server);
}

/// Sets the time every server started with this clock file reads.
pub(crate) fn set_clock(file: &Path, at: chrono::DateTime<chrono::Utc>) {
    std::fs::write(file, at.to_rfc3339()).unwrap();
}

/// `GET base+path` as `token`: the status and the JSON body (null if none).
pub(crate) async fn get(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    path: &str,
) -> (u16, Value) {
    let r = client
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn history(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: i64,
) -> Vec<Value> {
    let (_, body) = get(client, base, token, &format!("/api/v1/cases/{id}/events")).await;
    serde_json::from_value(body).unwrap()
}

/// The SLA entries of a case's history about one clock, as `action` names.
pub(crate) async fn sla_actions(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: i64,
    clock: &str,
) -> Vec<String> {
    history(client, base, token, id)
        .await
        .iter()
        .filter(|e| e["data"]["clock"] == clock)
        .map(|e| e["action"].as_str().unwrap().to_owned())
        .collect()
}

/// Polls until `want` entries are there (the worker runs every 50 ms), then waits a few more
/// rounds so that a duplicate would show.
pub(crate) async fn wait_for_sla(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    id: i64,
    want: usize,
) -> Vec<String> {
    for _ in 0..200 {
        if sla_actions(client, base, token, id, "first_response")
            .await
            .len()
            >= want
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    sla_actions(client, base, token, id, "first_response").await
}

#[tokio::test]
async fn sla_timers_fire_once_each_across_restarts() {
    let dir = tempfile::tempdir().unwrap();
    let clock = dir.path().join("now");
    let t0 = crate::helpers::t0();
    set_clock(&clock, t0);
    let env = [
        ("KESU_CLOCK_FILE", clock.display().to_string()),
        ("KESU_WORKER_INTERVAL_MS", "50".to_owned()),
    ];
    let client = reqwest::Client::new();
    let server = start_with(dir.path(), Some("preset-pass-1"), &env);
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    let mut body = complaint();
    body["channel"] = json!("platform");
    body.as_object_mut().unwrap().remove("received_at");
    let case: Value = client
        .post(format!("{}/api/v1/cases", server.base))
        .bearer_auth(&token)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = case["id"].as_i64().unwrap();

    set_clock(&clock, t0 + chrono::Duration::minutes(50));
    assert_eq!(
        wait_for_sla(&client, &server.base, &token, id, 1).await,
        ["sla_warning"]
    );

    // The breach comes due while the server is down: it fires after the restart, once.
    stop(server);
    set_clock(&clock, t0 + chrono::Duration::minutes(65));
    let server = start_with(dir.path(), None, &env);
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    assert_eq!(
        wait_for_sla(&client, &server.base, &token, id, 2).await,
        ["sla_warning", "sla_breach"]
    );

    // Killed outright, restarted, the first reminder comes; then the second.
    drop(server);
    set_clock(&clock, t0 + chrono::Duration::minutes(190));
    let server = start_with(dir.path(), None, &env);
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    assert_eq!(
        wait_for_sla(&client, &server.base, &token, id, 3).await,
        ["sla_warning", "sla_breach", "sla_reminder"]
    );
    set_clock(&clock, t0 + chrono::Duration::minutes(320));
    assert_eq!(
        wait_for_sla(&client, &server.base, &token, id, 4).await,
        ["sla_warning", "sla_breach", "sla_reminder", "sla_reminder"]
    );
}

/// Runs `kesu serve` expecting it to refuse to start: its exit status and stderr, or a
/// failure if it is still running after `secs`.
fn refused_start(data: &Path, env: &[(&str, &str)], secs: u64) -> (bool, String) {
    let mut cmd = Command::new(KESU);
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .env_remove("KESU_DATABASE_URL")
        .env_remove("KESU_ADMIN_PASSWORD")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(secs);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).ok();
            return (status.success(), err);
        }
        if std::time::Instant::now() > deadline {
            child.kill().ok();
            child.wait().ok();
            panic!("kesu serve was still running after {secs} s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_short_first_admin_password_and_a_read_only_folder_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (ok, err) = refused_start(dir.path(), &[("KESU_ADMIN_PASSWORD", "1")], 20);
    assert!(!ok);
    assert!(err.contains("at least 8"), "{err}");

    // A read-only folder: a tmpfs remounted read-only (needs root, as in CI); else
    // a folder without write permission, which only binds users other than root.
    let ro = tempfile::tempdir().unwrap();
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m,ro", "tmpfs"])
        .arg(ro.path())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(ro.path(), std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    let (ok, err) = refused_start(ro.path(), &[], 10);
    if mounted {
        Command::new("umount").arg(ro.path()).status().ok();
    }
    assert!(!ok, "kesu served from a read-only folder");
    assert!(err.contains("cannot be written"), "{err}");
}
