//! The shop's triage model as stored: a training that replaced the model in use is read back
//! as it was trained; one that did not is recorded without its model; a stored model that no
//! longer reads back leaves triage on the built-in model instead of failing it.

use chrono::{DateTime, Utc};
use kesu_domain::codes::{Category, Priority};
use kesu_domain::triage::TriageRules;
use kesu_domain::triage_model::{TriageContext, TriageModel};
use kesu_domain::triage_shop::{train_shop, ShopExample, Trained, Training};
use kesu_domain::Policy;
use kesu_store::{By, Store};
use sqlx::Connection;

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

fn training() -> Training {
    let examples: Vec<ShopExample> = (1..=100)
        .map(|id| {
            let (text, category) = if id % 2 == 0 {
                ("猫砂结块不好粉尘大", Category::Quality)
            } else {
                ("满减券没有抵扣上", Category::Price)
            };
            ShopExample::new(id, text, category, Priority::Normal)
        })
        .collect();
    match train_shop(
        &TriageRules::builtin(),
        &Policy::default(),
        &examples,
        TriageModel::builtin(),
    ) {
        Trained::Done(t) => *t,
        Trained::TooFew { .. } => panic!("100 cases are enough"),
    }
}

#[tokio::test]
async fn the_model_in_use_is_the_newest_that_replaced_and_a_damaged_one_falls_back() {
    let dir = tempfile::tempdir().unwrap();
    let url = kesu_store::sqlite_url_in(dir.path());
    let store = Store::connect(&url).await.unwrap();
    assert!(store.shop_triage_model().await.unwrap().is_none());

    let mut kept = training();
    assert!(kept.replaces);
    let id = store
        .record_triage_training(&kept, 100, By::new("amy", t0()))
        .await
        .unwrap();
    let (in_use, model) = store.shop_triage_model().await.unwrap().unwrap();
    assert_eq!(in_use, id);
    let rules = TriageRules::builtin();
    let ask = |m: &TriageModel| {
        m.suggest(
            &rules,
            &Policy::default(),
            "猫砂粉尘",
            TriageContext::default(),
        )
    };
    assert_eq!(ask(&model), ask(&kept.model));

    // A training that lost is recorded, and the model in use stays.
    kept.replaces = false;
    let lost = store
        .record_triage_training(&kept, 150, By::new("worker", t0()))
        .await
        .unwrap();
    assert_eq!(store.shop_triage_model().await.unwrap().unwrap().0, id);
    let recorded = store.triage_trainings(10).await.unwrap();
    assert_eq!(
        recorded
            .iter()
            .map(|t| (t.id, t.replaced))
            .collect::<Vec<_>>(),
        [(lost, false), (id, true)]
    );
    assert_eq!(recorded[0].closed_cases, 150);

    // Damaged on disk: a fresh process reads it, cannot, and triage goes on built in.
    store.close().await;
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("UPDATE triage_trainings SET model = '{\"classes\": 7}' WHERE id = $1")
        .bind(id)
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    let store = Store::connect(&url).await.unwrap();
    assert!(store.shop_triage_model().await.unwrap().is_none());
}
