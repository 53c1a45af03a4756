//! Triage learns from the shop (docs/interface.md §12): closed cases become examples with
//! their final category, the worker's check retrains after enough of them, the new model is
//! used once it beats the old one on held-out cases, and repeat complainants are urgent.

use chrono::{DateTime, Duration, Utc};
use kesu_app::cases::{act_on, ActionRequest};
use kesu_app::triage::{retrain_if_due, suggest, Complainant, ModelInUse};
use kesu_domain::account::Username;
use kesu_domain::codes::Category;
use kesu_domain::triage::Urgency;
use kesu_domain::triage_shop::{Trained, RETRAIN_EVERY};
use kesu_domain::Role;
use kesu_store::{NewUser, Store, User};
use serde_json::json;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

async fn agent(store: &Store) -> User {
    store
        .create_user(
            NewUser {
                username: &Username::parse("amy").unwrap(),
                password: "pass-word-1",
                role: Role::Agent,
                department: None,
            },
            kesu_store::By::new("admin", t0()),
        )
        .await
        .unwrap()
}

/// A pet shop's complaints: words neither the built-in rules nor its examples know, each kind
/// filed by the agents under its own category.
const PET_SHOP: [(&str, &str); 3] = [
    ("猫砂结块效果差，倒出来全是粉尘", "quality"),
    ("冻干罐子里的鸡胸肉块发软有股怪味", "not_as_described"),
    ("会员日领的满199减30的券没抵扣上", "price"),
];

async fn register(store: &Store, who: &User, i: usize, category: &str, phone: &str) -> i64 {
    let form = serde_json::from_value(json!({
        "channel": "chat",
        "complainant": {"name": "王小明", "phone": phone},
        "category": category, "demand": "other",
        "description": format!("{}（第{i}次下单）", PET_SHOP[i % 3].0),
    }))
    .unwrap();
    kesu_app::register::register(store, who, form, None, t0())
        .await
        .unwrap()
        .record
        .case
        .id
}

async fn act(store: &Store, who: &User, case: i64, body: serde_json::Value) {
    act_on(
        store,
        &who.actor(),
        case,
        ActionRequest::from_json(body).unwrap(),
        t0(),
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn closed_cases_teach_the_shops_model_which_then_files_new_complaints() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&kesu_store::sqlite_url_in(dir.path()))
        .await
        .unwrap();
    let amy = agent(&store).await;
    let text = "这次买的猫砂还是结块差，粉尘太大";
    let before = suggest(&store, text, Complainant::default(), t0())
        .await
        .unwrap();
    assert_ne!(
        before.category,
        Category::Quality,
        "the built-in model does not know 猫砂"
    );

    // Registered under `other` in a hurry; agents correct the category, then close.
    for i in 0..RETRAIN_EVERY + 40 {
        let phone = format!("139{:08}", i);
        let id = register(&store, &amy, i, "other", &phone).await;
        let category = PET_SHOP[i % 3].1;
        act(&store, &amy, id, json!({"action": "recategorise", "version": 1, "category": category, "reason": "登记时选错"})).await;
        act(
            &store,
            &amy,
            id,
            json!({"action": "judge", "version": 2, "valid": false, "reason": "已在平台处理完毕"}),
        )
        .await;
    }
    let done = retrain_if_due(&store, t0())
        .await
        .unwrap()
        .expect("enough cases closed");
    let Trained::Done(training) = &done.trained else {
        panic!("{done:?}")
    };
    assert!(training.replaces, "{training:?}");
    assert!(training.new_score.right > training.old_score.right);
    assert_eq!(done.compared_with, "built-in");
    assert!(
        retrain_if_due(&store, t0()).await.unwrap().is_none(),
        "nothing new closed"
    );
    assert!(matches!(
        kesu_app::triage::model_in_use(&store).await.unwrap(),
        ModelInUse::Shop { .. }
    ));
    let after = suggest(&store, text, Complainant::default(), t0())
        .await
        .unwrap();
    assert_eq!(after.category, Category::Quality, "{after:?}");
    let recorded = store.triage_trainings(5).await.unwrap();
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].replaced);
    assert_eq!(recorded[0].trained_by, "worker");
    assert_eq!(recorded[0].closed_cases as usize, RETRAIN_EVERY + 40);
}

#[tokio::test]
async fn a_customer_complaining_again_within_30_days_is_urgent() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::connect(&kesu_store::sqlite_url_in(dir.path()))
        .await
        .unwrap();
    let amy = agent(&store).await;
    let text = "猫砂结块效果差";
    let phone = "13812345678";
    let who = Complainant {
        phone: Some(phone),
        ..Default::default()
    };
    let first = suggest(&store, text, who, t0()).await.unwrap();
    assert_eq!(first.urgency, Urgency::Normal, "{first:?}");
    register(&store, &amy, 0, "quality", phone).await;
    let again = suggest(&store, text, who, t0() + Duration::days(3))
        .await
        .unwrap();
    assert_eq!(again.urgency, Urgency::High);
    assert!(again.signals.contains(&"repeat:1".to_owned()), "{again:?}");
    // A month and more later it is a new matter.
    let later = suggest(&store, text, who, t0() + Duration::days(31))
        .await
        .unwrap();
    assert_eq!(later.urgency, Urgency::Normal);
    // Another customer is not a repeat.
    let other = Complainant {
        phone: Some("13900000000"),
        ..Default::default()
    };
    let other = suggest(&store, text, other, t0()).await.unwrap();
    assert_eq!(other.urgency, Urgency::Normal);
}
