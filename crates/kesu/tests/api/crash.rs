//! `kill -9` under load, again and again: registrations and case actions run from several
//! clients while the server is killed at a random moment; after each restart every case and
//! action that was acknowledged is there, none twice, and every history is whole.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use serde_json::{json, Value};

use crate::helpers::complaint;
use crate::process::{get, history, sign_in, start_with};

/// Clients registering and acting at once.
const CLIENTS: usize = 8;

/// What the server acknowledged: case id → (its description, the notes added to it).
#[derive(Default)]
struct Acknowledged {
    cases: BTreeMap<i64, (String, Vec<String>)>,
}

/// One client: registers a case, adds two internal notes to it, again, until stopped or
/// the server is gone. Only answers the server gave count.
async fn client_load(
    base: String,
    token: String,
    tag: String,
    stop: Arc<AtomicBool>,
) -> Vec<(i64, String, Vec<String>)> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap();
    let mut done = Vec::new();
    let mut n = 0;
    'outer: while !stop.load(Ordering::Relaxed) {
        n += 1;
        let description = format!("{tag}-{n}：收到的玻璃杯碎了");
        let mut body = complaint();
        body["description"] = json!(description);
        let Ok(r) = client
            .post(format!("{base}/api/v1/cases"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
        else {
            break;
        };
        if r.status() != 201 {
            break;
        }
        let Ok(case) = r.json::<Value>().await else {
            break;
        };
        let id = case["id"].as_i64().unwrap();
        let mut version = case["version"].clone();
        done.push((id, description, Vec::new()));
        for k in 0..2 {
            let text = format!("{tag}-{n}-备注{k}");
            let action =
                json!({"action": "comment", "text": text, "internal": true, "version": version});
            let Ok(r) = client
                .post(format!("{base}/api/v1/cases/{id}/actions"))
                .bearer_auth(&token)
                .json(&action)
                .send()
                .await
            else {
                break 'outer;
            };
            if r.status() != 200 {
                break 'outer;
            }
            let Ok(after) = r.json::<Value>().await else {
                break 'outer;
            };
            version = after["version"].clone();
            done.last_mut().unwrap().2.push(text);
        }
    }
    done
}

/// Runs `rounds` of load-then-kill on the data folder (and database, in `env`).
async fn kill_rounds(data: &Path, env: &[(&str, String)], rounds: usize) {
    let mut acknowledged = Acknowledged::default();
    let mut rng = rand::thread_rng();
    for round in 0..rounds {
        let mut server = start_with(data, (round == 0).then_some("preset-pass-1"), env);
        let token = sign_in(&reqwest::Client::new(), &server.base, "preset-pass-1").await;
        check(&server.base, &token, &acknowledged).await;
        let stop = Arc::new(AtomicBool::new(false));
        let clients: Vec<_> = (0..CLIENTS)
            .map(|c| {
                tokio::spawn(client_load(
                    server.base.clone(),
                    token.clone(),
                    format!("第{round}轮客户端{c}"),
                    stop.clone(),
                ))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(rng.gen_range(200..900))).await;
        // SIGKILL: no shutdown, no flush, whatever is in flight.
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        let mut acked = 0;
        for c in clients {
            for (id, description, notes) in c.await.unwrap() {
                acked += 1 + notes.len();
                let e = acknowledged
                    .cases
                    .entry(id)
                    .or_insert_with(|| (description.clone(), Vec::new()));
                assert_eq!(e.0, description, "case id {id} given out twice");
                e.1.extend(notes);
            }
        }
        eprintln!("round {round}: {acked} writes acknowledged before kill -9");
    }
    let server = start_with(data, None, env);
    let token = sign_in(&reqwest::Client::new(), &server.base, "preset-pass-1").await;
    check(&server.base, &token, &acknowledged).await;
    assert!(
        acknowledged.cases.len() >= rounds,
        "the load ran: {} cases",
        acknowledged.cases.len()
    );
}

/// Every acknowledged case is served with a whole history holding each acknowledged note
/// once; no description was stored twice.
async fn check(base: &str, token: &str, acknowledged: &Acknowledged) {
    let client = reqwest::Client::new();
    for (id, (description, notes)) in &acknowledged.cases {
        let (status, case) = get(&client, base, token, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(status, 200, "acknowledged case {id} is there");
        assert_eq!(case["description"], json!(description));
        let history = history(&client, base, token, *id).await;
        assert_eq!(history[0]["action"], "register", "case {id}: {history:?}");
        let seqs: Vec<i64> = history.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert_eq!(
            seqs,
            (1..=history.len() as i64).collect::<Vec<_>>(),
            "case {id}: the history has no gaps"
        );
        let comments: Vec<&str> = history
            .iter()
            .filter(|e| e["action"] == "comment")
            .filter_map(|e| e["data"]["text"].as_str())
            .collect();
        for note in notes {
            assert_eq!(
                comments.iter().filter(|c| **c == note).count(),
                1,
                "case {id}: acknowledged note {note} once: {comments:?}"
            );
        }
        assert_eq!(
            case["version"].as_i64().unwrap(),
            1 + comments.len() as i64,
            "case {id}: its version counts its changes"
        );
    }
    // No registration was stored twice (each description is unique to one request).
    let mut seen = BTreeSet::new();
    let mut page = 1;
    loop {
        let (_, r) = get(
            &client,
            base,
            token,
            &format!("/api/v1/cases?per_page=200&page={page}"),
        )
        .await;
        let items = r["items"].as_array().unwrap();
        for c in items {
            let d = c["description"].as_str().unwrap_or_default().to_owned();
            assert!(seen.insert(d.clone()), "stored twice: {d}");
        }
        if items.len() < 200 {
            break;
        }
        page += 1;
    }
}

#[tokio::test]
async fn kill_9_under_load_ten_times_on_sqlite_loses_no_acknowledged_write() {
    let dir = tempfile::tempdir().unwrap();
    kill_rounds(dir.path(), &[], 10).await;
}

#[tokio::test]
async fn kill_9_under_load_three_times_on_postgres_loses_no_acknowledged_write() {
    let Some(admin) = kesu_store::testing::postgres_admin_url() else {
        return;
    };
    let url = kesu_store::testing::fresh_postgres_database(&admin).await;
    let dir = tempfile::tempdir().unwrap();
    kill_rounds(dir.path(), &[("KESU_DATABASE_URL", url)], 3).await;
}
