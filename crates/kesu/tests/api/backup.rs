//! `kesu backup` under registration load and `kesu restore` into an empty place: every case
//! acknowledged before the backup began comes back, found by search too; nothing is
//! overwritten.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::helpers::complaint;
use crate::process::{sign_in, start_with, stop};

const KESU: &str = env!("CARGO_BIN_EXE_kesu");

fn kesu(args: &[&str], place: &[(&str, String)]) -> std::process::Output {
    let mut cmd = Command::new(KESU);
    cmd.args(args)
        .env_remove("KESU_DATABASE_URL")
        .stdin(Stdio::null());
    for (k, v) in place {
        cmd.arg(k).arg(v);
    }
    cmd.output().unwrap()
}

/// Registers cases on `base` until `stop` is set; returns the ids acknowledged with 201.
async fn register_until(
    base: String,
    token: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> Vec<i64> {
    let client = reqwest::Client::new();
    let mut ids = Vec::new();
    let mut i = 0;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        i += 1;
        let mut body = complaint();
        body["description"] = json!(format!("备份期间登记的第{i}件投诉"));
        let r = client
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        ids.push(r.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
    }
    ids
}

async fn backup_under_load_and_restore(
    place_a: Vec<(&'static str, String)>,
    place_b: Vec<(&'static str, String)>,
    data_b: &Path,
    env_b: &[(&str, String)],
    env_a: &[(&str, String)],
    data_a: &Path,
) {
    let client = reqwest::Client::new();
    let server = start_with(data_a, Some("preset-pass-1"), env_a);
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    let stop_load = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let load = tokio::spawn(register_until(
        server.base.clone(),
        token.clone(),
        stop_load.clone(),
    ));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    // What was acknowledged before the backup began must be in it.
    let before: Vec<i64> = {
        let r: Value = client
            .get(format!("{}/api/v1/cases?per_page=200", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    assert!(!before.is_empty(), "registrations ran before the backup");
    let file = tempfile::tempdir().unwrap();
    let backup = file.path().join("kesu.backup");
    let backup_s = backup.display().to_string();
    let mut args = vec!["backup", backup_s.as_str()];
    let out = tokio::task::spawn_blocking({
        let place = place_a.clone();
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        move || kesu(&args.iter().map(String::as_str).collect::<Vec<_>>(), &place)
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "backup: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop_load.store(true, std::sync::atomic::Ordering::Relaxed);
    let during = load.await.unwrap();
    stop(server);

    // A backup never overwrites a file.
    let again = kesu(&args, &place_a);
    assert!(
        !again.status.success()
            && String::from_utf8_lossy(&again.stderr).contains("exists already")
    );

    args[0] = "restore";
    let out = kesu(&args, &place_b);
    assert!(
        out.status.success(),
        "restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The copy, taken while the sealer chained the registrations, proves its records.
    let out = kesu(&["audit", "verify"], &place_b);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && said.starts_with("intact: "),
        "the restored audit trail verifies: {said} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let server = start_with(data_b, None, env_b);
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    for id in &before {
        let r = client
            .get(format!("{}/api/v1/cases/{id}", server.base))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "case {id}, acknowledged before the backup, is restored"
        );
    }
    let found: Value = client
        .get(format!(
            "{}/api/v1/cases?q=%E5%A4%87%E4%BB%BD%E6%9C%9F%E9%97%B4&per_page=1",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        found["total"].as_i64().unwrap_or(0) >= before.len() as i64,
        "the index is rebuilt: {found}"
    );
    stop(server);
    // What the restored server wrote (its sign-ins) is chained on after the restored links.
    let out = kesu(&["audit", "verify"], &place_b);
    assert!(
        out.status.success(),
        "verifies after the restored server ran: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    eprintln!(
        "{} cases before the backup, {} registered while it ran",
        before.len(),
        during.len()
    );

    // Restoring onto a database refuses and leaves it alone.
    let out = kesu(&args, &place_b);
    assert!(!out.status.success(), "a second restore is refused");
}

#[tokio::test]
async fn a_sqlite_backup_under_load_restores_every_acknowledged_case() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let restored = b.path().join("restored");
    backup_under_load_and_restore(
        vec![("--data", a.path().display().to_string())],
        vec![("--data", restored.display().to_string())],
        &restored,
        &[],
        &[],
        a.path(),
    )
    .await;
    // A PostgreSQL dump is not restored into a data folder, nor garbage anywhere.
    let junk = b.path().join("junk");
    std::fs::write(&junk, b"not a backup").unwrap();
    let out = kesu(
        &["restore", junk.to_str().unwrap()],
        &[("--data", b.path().join("x").display().to_string())],
    );
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("not a backup"));
}

#[tokio::test]
async fn a_postgres_backup_under_load_restores_every_acknowledged_case() {
    let Some(admin) = kesu_store::testing::postgres_admin_url() else {
        return;
    };
    if Command::new("pg_dump").arg("--version").output().is_err() {
        eprintln!("skipped: pg_dump is not installed");
        return;
    }
    let from = kesu_store::testing::fresh_postgres_database(&admin).await;
    let into = kesu_store::testing::fresh_postgres_database(&admin).await;
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    backup_under_load_and_restore(
        vec![
            ("--data", a.path().display().to_string()),
            ("--database-url", from.clone()),
        ],
        vec![
            ("--data", b.path().display().to_string()),
            ("--database-url", into.clone()),
        ],
        b.path(),
        &[("KESU_DATABASE_URL", into)],
        &[("KESU_DATABASE_URL", from)],
        a.path(),
    )
    .await;
}

#[tokio::test]
async fn the_server_writes_scheduled_backups_and_keeps_the_newest() {
    let (data, backups) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    std::fs::write(backups.path().join("notes.txt"), "kept").unwrap();
    let env = [
        ("KESU_BACKUP_DIR", backups.path().display().to_string()),
        ("KESU_BACKUP_EVERY_SECONDS", "1".to_owned()),
        ("KESU_BACKUP_KEEP", "2".to_owned()),
    ];
    let client = reqwest::Client::new();
    let server = start_with(data.path(), Some("preset-pass-1"), &env);
    let token = sign_in(&client, &server.base, "preset-pass-1").await;
    let r = client
        .post(format!("{}/api/v1/cases", server.base))
        .bearer_auth(&token)
        .json(&complaint())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let listed = || {
        let mut names: Vec<String> = std::fs::read_dir(backups.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    };
    // Backups named by the second: after 4 s at least three were written and one pruned.
    tokio::time::sleep(std::time::Duration::from_millis(4200)).await;
    stop(server);
    let names = listed();
    let ours: Vec<&String> = names.iter().filter(|n| n.ends_with(".db")).collect();
    assert_eq!(ours.len(), 2, "the newest two kept: {names:?}");
    assert!(
        names.contains(&"notes.txt".to_owned()),
        "other files left alone"
    );
    let restored = data.path().join("restored");
    let out = kesu(
        &["restore", backups.path().join(ours[1]).to_str().unwrap()],
        &[("--data", restored.display().to_string())],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Restored 1 case from"));
}
