//! The real `kesu` binary: first start, crash safety, graceful stop and the user commands.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::helpers::complaint;

const KESU: &str = env!("CARGO_BIN_EXE_kesu");

struct Server {
    child: Child,
    base: String,
    stdout: Vec<String>,
}

/// Starts `kesu serve` on a free port and waits until it says where it listens.
fn start(data: &Path, admin_password: Option<&str>) -> Server {
    let mut cmd = Command::new(KESU);
    cmd.args(["serve", "--addr", "127.0.0.1:0", "--data"])
        .arg(data)
        .env_remove("KESU_DATABASE_URL")
        .env("KESU_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    match admin_password {
        Some(p) => cmd.env("KESU_ADMIN_PASSWORD", p),
        None => cmd.env_remove("KESU_ADMIN_PASSWORD"),
    };
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

async fn sign_in(client: &reqwest::Client, base: &str, password: &str) -> String {
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

fn stop(server: Server) {
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
    ] {
        let password = (args[1] == "wu").then_some("pass-word-1");
        let out = kesu_user(d, args, password);
        assert!(!out.status.success(), "{args:?} must fail");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(message), "{args:?}: {err}");
    }
    let out = kesu_user(d, &["add", "bo", "--role", "agent"], Some("short"));
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 8"));
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
        assert_eq!(
            events.len(),
            1,
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
