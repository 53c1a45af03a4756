//! The store's contract, run against both backends: SQLite always, PostgreSQL when
//! `KESU_TEST_POSTGRES_URL` names a server (see `kesu_store::testing`).

use chrono::{DateTime, Duration, Utc};
use kesu_domain::account::Username;
use kesu_domain::command::Command;
use kesu_domain::history::{Author, Entry};
use kesu_domain::registration::RegistrationForm;
use kesu_domain::{decide, evolve, Actor, CaseStatus, Policy, Role};
use kesu_store::{CaseFilter, NewUser, Page, Store, StoreError};

/// Runs each scenario once per backend.
macro_rules! conformance {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test] async fn $name() {
                let dir = tempfile::tempdir().unwrap();
                let store = kesu_store::Store::connect(&kesu_store::sqlite_url_in(dir.path())).await.unwrap();
                super::$name(store).await;
            })+
        }
        mod postgres {
            $(#[tokio::test] async fn $name() {
                let Some(admin) = kesu_store::testing::postgres_admin_url() else { return };
                let url = kesu_store::testing::fresh_postgres_database(&admin).await;
                let store = kesu_store::Store::connect(&url).await.unwrap();
                super::$name(store).await;
            })+
        }
    };
}

conformance!(
    registration_assigns_daily_numbers_and_writes_history,
    idempotent_registration_creates_one_case,
    an_event_bumps_the_version_and_appends_history,
    a_stale_version_changes_nothing,
    concurrent_actions_on_one_case_let_exactly_one_win,
    filters_and_search_find_cases,
    accounts_tokens_and_disabling,
    policy_and_departments_round_trip,
    concurrent_registrations_get_gapless_numbers_and_one_case_per_key,
    one_server_at_a_time_syncs_a_platform_source,
);

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn agent() -> Actor {
    Actor::staff("amy", Role::Agent, None)
}

fn form(category: &str, description: &str) -> RegistrationForm {
    serde_json::from_value(serde_json::json!({
        "channel": "platform",
        "complainant": {"name": "王小明", "phone": "13812345678"},
        "order_no": "TB1001", "tracking_no": "YT9988776655",
        "category": category, "demand": "refund", "description": description
    }))
    .unwrap()
}

async fn register(store: &Store, category: &str, description: &str) -> kesu_store::CaseRecord {
    let reg = form(category, description).parse(t0()).unwrap();
    store
        .create_case(&reg, &agent(), 1, None, t0(), &Policy::default())
        .await
        .unwrap()
        .0
}

async fn registration_assigns_daily_numbers_and_writes_history(store: Store) {
    if let Some((mode, sync)) = store.sqlite_durability().await.unwrap() {
        assert_eq!(
            (mode.as_str(), sync),
            ("wal", 2),
            "WAL with synchronous=FULL"
        );
    }
    let a = register(&store, "damaged", "杯子碎了").await;
    let b = register(&store, "quality", "衣服开线").await;
    assert_eq!(a.case.number, "KS-20261123-0001");
    assert_eq!(b.case.number, "KS-20261123-0002");
    let loaded = store.case(a.case.id).await.unwrap().unwrap();
    assert_eq!(loaded.case, a.case);
    assert_eq!(loaded.complainant.phone.unwrap().as_str(), "13812345678");
    let history = store.history(a.case.id).await.unwrap();
    assert_eq!(history.len(), 1);
    assert!(
        matches!(&history[0].entry, Entry::Registered(r) if r.number == loaded.case.number),
        "{:?}",
        history[0].entry
    );
    assert_eq!(history[0].author, Author::Staff("amy".into()));
    assert_eq!(history[0].seq, 1);
    assert!(!history[0].entry.data().to_string().contains("13812345678"));
}

async fn idempotent_registration_creates_one_case(store: Store) {
    let reg = form("damaged", "杯子碎了").parse(t0()).unwrap();
    let p = Policy::default();
    let key = Some(("key-1", "{\"same\":1}"));
    let (first, created) = store
        .create_case(&reg, &agent(), 1, key, t0(), &p)
        .await
        .unwrap();
    assert!(created);
    let (again, created) = store
        .create_case(&reg, &agent(), 1, key, t0(), &p)
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.case.id, first.case.id);
    let other = store
        .create_case(
            &reg,
            &agent(),
            1,
            Some(("key-1", "{\"other\":1}")),
            t0(),
            &p,
        )
        .await;
    assert!(matches!(other, Err(StoreError::IdempotencyMismatch)));
    let (_, total) = store
        .cases(
            &CaseFilter::default(),
            Page {
                number: 1,
                size: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(total, 1);
}

async fn an_event_bumps_the_version_and_appends_history(store: Store) {
    let rec = register(&store, "damaged", "杯子碎了").await;
    let cmd = Command::Judge {
        valid: true,
        reason: None,
    };
    let event = decide(&rec.case, &agent(), &cmd, 1, t0(), &Policy::default()).unwrap();
    let after = evolve(&rec.case, &event);
    store.append_event(&after, &event).await.unwrap();
    let loaded = store.case(rec.case.id).await.unwrap().unwrap().case;
    assert_eq!(loaded.status, CaseStatus::Validated);
    assert_eq!(loaded.version, 2);
    let history = store.history(rec.case.id).await.unwrap();
    assert_eq!(
        history.iter().map(|h| h.entry.action()).collect::<Vec<_>>(),
        ["register", "judge"]
    );
    assert_eq!(history[1].entry.moved_to(), Some(CaseStatus::Validated));
}

async fn a_stale_version_changes_nothing(store: Store) {
    let rec = register(&store, "damaged", "杯子碎了").await;
    let p = Policy::default();
    let e1 = decide(
        &rec.case,
        &agent(),
        &Command::Judge {
            valid: true,
            reason: None,
        },
        1,
        t0(),
        &p,
    )
    .unwrap();
    store
        .append_event(&evolve(&rec.case, &e1), &e1)
        .await
        .unwrap();
    // Decided on the old state: must be refused.
    let e2 = decide(
        &rec.case,
        &agent(),
        &Command::Judge {
            valid: false,
            reason: Some("x".into()),
        },
        1,
        t0(),
        &p,
    )
    .unwrap();
    let res = store.append_event(&evolve(&rec.case, &e2), &e2).await;
    assert!(matches!(res, Err(StoreError::StaleVersion)), "{res:?}");
    assert_eq!(store.history(rec.case.id).await.unwrap().len(), 2);
    assert_eq!(
        store.case(rec.case.id).await.unwrap().unwrap().case.status,
        CaseStatus::Validated
    );
}

async fn concurrent_actions_on_one_case_let_exactly_one_win(store: Store) {
    let rec = register(&store, "damaged", "杯子碎了").await;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let store = store.clone();
        let case = rec.case.clone();
        tasks.push(tokio::spawn(async move {
            let cmd = Command::Comment {
                text: format!("note {i}"),
                internal: true,
                override_check: false,
            };
            let e = decide(&case, &agent(), &cmd, 1, t0(), &Policy::default()).unwrap();
            store.append_event(&evolve(&case, &e), &e).await
        }));
    }
    let mut wins = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => wins += 1,
            Err(StoreError::StaleVersion) => {}
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert_eq!(wins, 1);
    assert_eq!(store.history(rec.case.id).await.unwrap().len(), 2);
}

async fn filters_and_search_find_cases(store: Store) {
    register(&store, "damaged", "杯子碎了").await;
    register(&store, "quality", "衣服开线 100% cotton").await;
    register(&store, "quality", "鞋底脱胶").await;
    let page = Page { number: 1, size: 2 };
    let by = |f: CaseFilter| {
        let store = store.clone();
        async move { store.cases(&f, page).await.unwrap() }
    };
    let (items, total) = by(CaseFilter {
        category: Some(kesu_domain::codes::Category::Quality),
        ..Default::default()
    })
    .await;
    assert_eq!(total, 2);
    assert_eq!(items[0].case.description, "鞋底脱胶", "newest first");
    let (_, total) = by(CaseFilter {
        q: Some("开线".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(total, 1);
    let (_, total) = by(CaseFilter {
        q: Some("100%".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(total, 1, "% is matched literally");
    let (_, total) = by(CaseFilter {
        q: Some("ks-20261123-0002".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(total, 1, "case numbers match case-insensitively");
    let (_, total) = by(CaseFilter {
        q: Some("13812345678".into()),
        ..Default::default()
    })
    .await;
    assert_eq!(total, 0, "personal data is not searched unless allowed");
    let (_, total) = by(CaseFilter {
        q: Some("13812345678".into()),
        search_personal_data: true,
        ..Default::default()
    })
    .await;
    assert_eq!(total, 3);
    let (items, total) = store
        .cases(&CaseFilter::default(), Page { number: 2, size: 2 })
        .await
        .unwrap();
    assert_eq!((items.len(), total), (1, 3));
    let late = t0() + Duration::hours(49);
    let (_, overdue) = by(CaseFilter {
        overdue: Some(true),
        now: Some(late),
        ..Default::default()
    })
    .await;
    assert_eq!(overdue, 3);
    let (_, overdue) = by(CaseFilter {
        overdue: Some(true),
        now: Some(t0()),
        ..Default::default()
    })
    .await;
    assert_eq!(overdue, 0);
}

async fn accounts_tokens_and_disabling(store: Store) {
    let (admin, generated) = store
        .ensure_admin(Some("correct horse"), chrono::Utc::now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(admin.role, Role::Admin);
    assert!(generated.is_none());
    assert!(
        store
            .ensure_admin(None, chrono::Utc::now())
            .await
            .unwrap()
            .is_none(),
        "only on a new database"
    );
    let name = Username::parse("amy").unwrap();
    let amy = store
        .create_user(
            NewUser {
                username: &name,
                password: "secret-pass",
                role: Role::Agent,
                department: None,
            },
            kesu_store::By::new("admin", chrono::Utc::now()),
        )
        .await
        .unwrap();
    let dup = store
        .create_user(
            NewUser {
                username: &name,
                password: "secret-pass",
                role: Role::Agent,
                department: None,
            },
            kesu_store::By::new("admin", chrono::Utc::now()),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Duplicate(_))));
    assert!(store
        .verify_password("amy", "wrong-pass")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        store.verify_password("amy", "secret-pass").await.unwrap(),
        Some(amy.clone())
    );
    let token = store.issue_token(&amy, t0()).await.unwrap();
    assert_eq!(
        store
            .user_for_token(&token, t0())
            .await
            .unwrap()
            .unwrap()
            .username,
        "amy"
    );
    assert!(
        store
            .user_for_token(&token, t0() + Duration::days(31))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(store
        .user_for_token("ks_forged", t0())
        .await
        .unwrap()
        .is_none());
    store
        .set_user_disabled(
            "amy",
            true,
            kesu_store::By::new("admin", chrono::Utc::now()),
        )
        .await
        .unwrap();
    assert!(store.user_for_token(&token, t0()).await.unwrap().is_none());
    assert!(store
        .verify_password("amy", "secret-pass")
        .await
        .unwrap()
        .is_none());
    assert_eq!(store.users().await.unwrap().len(), 2);
}

async fn policy_and_departments_round_trip(store: Store) {
    assert_eq!(store.policy().await.unwrap(), Policy::default());
    let mut p = Policy::default();
    p.approval.amount_above_cents = 5000;
    store
        .set_policy(&p, kesu_store::By::new("admin", chrono::Utc::now()))
        .await
        .unwrap();
    store
        .set_policy(&p, kesu_store::By::new("admin", chrono::Utc::now()))
        .await
        .unwrap();
    assert_eq!(
        store.policy().await.unwrap().approval.amount_above_cents,
        5000
    );
    let depts = store.departments().await.unwrap();
    assert_eq!(
        depts.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(),
        ["logistics", "operations", "quality", "service"]
    );
    let code = kesu_domain::codes::DepartmentCode::parse("supplier").unwrap();
    store
        .add_department(
            &code,
            "供应商管理",
            kesu_store::By::new("admin", chrono::Utc::now()),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .add_department(&code, "x", kesu_store::By::new("admin", chrono::Utc::now()))
            .await,
        Err(StoreError::Duplicate(_))
    ));
    assert!(store.department_exists(&code).await.unwrap());
}

async fn concurrent_registrations_get_gapless_numbers_and_one_case_per_key(store: Store) {
    let reg = form("damaged", "杯子碎了").parse(t0()).unwrap();
    let mut tasks = Vec::new();
    for i in 0..300 {
        let (store, reg) = (store.clone(), reg.clone());
        tasks.push(tokio::spawn(async move {
            // Every tenth request is a retry of the same one.
            let key = (i % 10 == 0).then_some(("retry-key", "{\"a\":1}"));
            store
                .create_case(&reg, &agent(), 1, key, t0(), &Policy::default())
                .await
        }));
    }
    let mut numbers = Vec::new();
    let mut replayed_ids = std::collections::BTreeSet::new();
    let mut mismatches = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok((rec, true)) => numbers.push(rec.case.number),
            Ok((rec, false)) => {
                replayed_ids.insert(rec.case.id);
            }
            Err(StoreError::IdempotencyMismatch) => mismatches += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(mismatches, 0);
    assert_eq!(
        numbers.len(),
        300 - 30 + 1,
        "270 plain + the first of the retries"
    );
    let reused = store
        .create_case(
            &reg,
            &agent(),
            1,
            Some(("retry-key", "{\"b\":2}")),
            t0(),
            &Policy::default(),
        )
        .await;
    assert!(matches!(reused, Err(StoreError::IdempotencyMismatch)));
    assert_eq!(replayed_ids.len(), 1, "every retry got the same case");
    numbers.sort();
    let expected: Vec<String> = (1..=numbers.len())
        .map(|n| format!("KS-20261123-{n:04}"))
        .collect();
    assert_eq!(numbers, expected, "numbers are unique and without gaps");
    let (_, total) = store
        .cases(&CaseFilter::default(), Page { number: 1, size: 1 })
        .await
        .unwrap();
    assert_eq!(total as usize, numbers.len());
}

async fn one_server_at_a_time_syncs_a_platform_source(store: Store) {
    use kesu_domain::platform::Platform;
    let now = t0();
    store
        .set_platform_source(
            Platform::Jd,
            "shop",
            true,
            "sealed",
            kesu_store::By::new("admin", now),
        )
        .await
        .unwrap();
    let until = now + Duration::minutes(10);
    assert!(store
        .lease_platform_sync(Platform::Jd, "shop", "a", until, now)
        .await
        .unwrap());
    // Another server waits; the holder may renew.
    assert!(!store
        .lease_platform_sync(Platform::Jd, "shop", "b", until, now)
        .await
        .unwrap());
    assert!(store
        .lease_platform_sync(Platform::Jd, "shop", "a", until, now)
        .await
        .unwrap());
    // Released, or run out: the other takes it.
    store
        .release_platform_sync(Platform::Jd, "shop", "b")
        .await
        .unwrap();
    assert!(!store
        .lease_platform_sync(Platform::Jd, "shop", "b", until, now)
        .await
        .unwrap());
    let later = until + Duration::seconds(1);
    assert!(store
        .lease_platform_sync(
            Platform::Jd,
            "shop",
            "b",
            later + Duration::minutes(10),
            later
        )
        .await
        .unwrap());
    store
        .release_platform_sync(Platform::Jd, "shop", "b")
        .await
        .unwrap();
    assert!(store
        .lease_platform_sync(Platform::Jd, "shop", "a", until, now)
        .await
        .unwrap());
    // No such source: nothing to hold.
    assert!(!store
        .lease_platform_sync(Platform::Jd, "other", "a", until, now)
        .await
        .unwrap());
}
