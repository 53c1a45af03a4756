//! The change log that every server follows, on both backends: each committed change is read
//! once, in batches, by a follower from its position; and on PostgreSQL a transaction that
//! took its place in the log early but commits late is never skipped.

use std::collections::BTreeSet;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::{Actor, Policy, Role};
use kesu_store::{ChangeFollower, Changes, Store};
use sqlx::{Connection, Executor};

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn register(store: &Store, description: &str) -> i64 {
    let form: RegistrationForm = serde_json::from_value(serde_json::json!({
        "channel": "platform",
        "complainant": {"name": "王小明", "phone": "13812345678"},
        "order_no": "TB1001", "category": "damaged", "demand": "refund",
        "description": description
    }))
    .unwrap();
    let reg = form.parse(t0()).unwrap();
    let actor = Actor::staff("amy", Role::Agent, None);
    store
        .create_case(&reg, &actor, 1, None, t0(), &Policy::default())
        .await
        .unwrap()
        .0
        .case
        .id
}

/// Batches until `want` case ids have been seen (each must come once), or a time-out.
async fn read_cases(f: &mut ChangeFollower, want: usize) -> Vec<i64> {
    let mut seen = Vec::new();
    while seen.len() < want {
        match tokio::time::timeout(Duration::from_secs(5), f.next_batch(2)).await {
            Ok(Changes::Batch { case_ids, .. }) => seen.extend(case_ids),
            Ok(Changes::Closed) => panic!("closed"),
            Err(_) => panic!("only {seen:?} of {want} changes came"),
        }
    }
    seen
}

async fn a_follower_reads_each_change_once_and_resumes_from_its_position(store: Store) {
    let (mut follower, start) = store.follow_changes().await.unwrap();
    let mut ids = Vec::new();
    for i in 0..5 {
        ids.push(register(&store, &format!("第{i}件")).await);
    }
    // Pages of two: each change once, in order.
    let seen = read_cases(&mut follower, 5).await;
    assert_eq!(seen, ids);
    let kept = follower.cursor();
    assert!(store.last_change() > start);

    // The policy and sign-ins are logged for the caches.
    store
        .set_policy(
            &Policy::default(),
            kesu_store::By::new("admin", chrono::Utc::now()),
        )
        .await
        .unwrap();
    let policy = loop {
        match follower.next_batch(10).await {
            Changes::Batch { policy: true, .. } => break true,
            Changes::Batch { .. } => continue,
            Changes::Closed => break false,
        }
    };
    assert!(policy);

    // A follower started later from the kept position reads only what came after it.
    let later = register(&store, "后来的").await;
    let mut resumed = store.follow_changes_from(kept);
    assert_eq!(read_cases(&mut resumed, 1).await, [later]);
    assert_eq!(
        kesu_store::Cursor::decode(&kept.encode()),
        Some(kept),
        "a position is kept as text beside a copy"
    );
}

#[tokio::test]
async fn sqlite_a_follower_reads_each_change_once_and_resumes_from_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&kesu_store::sqlite_url_in(dir.path()))
        .await
        .unwrap();
    a_follower_reads_each_change_once_and_resumes_from_its_position(store).await;
}

#[tokio::test]
async fn postgres_a_follower_reads_each_change_once_and_resumes_from_its_position() {
    let Some(admin) = kesu_store::testing::postgres_admin_url() else {
        return;
    };
    let url = kesu_store::testing::fresh_postgres_database(&admin).await;
    let store = Store::connect(&url).await.unwrap();
    a_follower_reads_each_change_once_and_resumes_from_its_position(store).await;
}

#[tokio::test]
async fn postgres_a_change_committed_late_is_read_not_skipped() {
    let Some(admin) = kesu_store::testing::postgres_admin_url() else {
        return;
    };
    let url = kesu_store::testing::fresh_postgres_database(&admin).await;
    let store = Store::connect(&url).await.unwrap();
    let (mut follower, _) = store.follow_changes().await.unwrap();
    let mut early = sqlx::PgConnection::connect(&url).await.unwrap();
    let mut late = sqlx::PgConnection::connect(&url).await.unwrap();
    let insert =
        |id: i64| format!("INSERT INTO change_log (case_id, topic, at) VALUES ({id}, 'case', 0)");
    // The first transaction takes the earlier place in the log but commits last.
    early.execute("BEGIN").await.unwrap();
    early.execute(insert(101).as_str()).await.unwrap();
    late.execute("BEGIN").await.unwrap();
    late.execute(insert(102).as_str()).await.unwrap();
    late.execute("COMMIT").await.unwrap();
    // While the first is open, the second's row is held back (reading it would move the
    // follower past the first's place).
    if let Ok(Changes::Batch { case_ids, .. }) =
        tokio::time::timeout(Duration::from_millis(1500), follower.next_batch(10)).await
    {
        assert!(
            case_ids.is_empty(),
            "read past an open transaction: {case_ids:?}"
        );
    }
    early.execute("COMMIT").await.unwrap();
    let mut seen = BTreeSet::new();
    while seen.len() < 2 {
        match tokio::time::timeout(Duration::from_secs(5), follower.next_batch(10)).await {
            Ok(Changes::Batch { case_ids, .. }) => seen.extend(case_ids),
            other => panic!("{other:?} after {seen:?}"),
        }
    }
    assert_eq!(seen, BTreeSet::from([101, 102]));
}
