use proptest::prelude::*;

use super::*;

/// A pet shop's closed cases: words the built-in rules and laptop examples do not know.
fn pet_shop(cases: i64) -> Vec<ShopExample> {
    let kinds = [
        ("猫砂结块不好，粉尘很大", Category::Quality),
        ("猫粮袋子漏气，里面受潮发霉", Category::Damaged),
        ("小程序领的满减券没有抵扣", Category::Price),
        ("鱼油胶囊和详情页写的含量不一样", Category::NotAsDescribed),
    ];
    (1..=cases)
        .map(|id| {
            let (text, category) = kinds[(id % 4) as usize];
            ShopExample::new(
                id,
                &format!("{text}（第{id}单）"),
                category,
                Priority::Normal,
            )
        })
        .collect()
}

#[test]
fn a_shops_own_cases_make_a_model_that_beats_the_builtin_one_on_them() {
    let rules = TriageRules::builtin();
    let policy = Policy::default();
    let Trained::Done(t) = train_shop(&rules, &policy, &pet_shop(120), TriageModel::builtin())
    else {
        panic!("120 cases are enough");
    };
    assert!(t.replaces);
    assert!(t.new_score.right > t.old_score.right, "{t:?}");
    assert_eq!(t.learned_from + t.new_score.of, 120);
    assert!(t.new_score.accuracy() > 0.95, "{:?}", t.new_score);
    let s = t
        .model
        .suggest(&rules, &policy, "猫砂粉尘大", TriageContext::default());
    assert_eq!(s.category, Category::Quality);
}

#[test]
fn a_model_worse_on_the_held_out_cases_does_not_replace_the_one_in_use() {
    let rules = TriageRules::builtin();
    let policy = Policy::default();
    let Trained::Done(good) = train_shop(&rules, &policy, &pet_shop(200), TriageModel::builtin())
    else {
        panic!("enough cases");
    };
    // Retrained on the same cases it is as good, and so replaces the one in use.
    let Trained::Done(again) = train_shop(&rules, &policy, &pet_shop(200), &good.model) else {
        panic!("enough cases");
    };
    assert!(again.replaces, "{again:?}");
    // Cases closed under a wrong category teach a worse model: the one in use stays.
    let mislabelled: Vec<ShopExample> = pet_shop(200)
        .into_iter()
        .map(|mut e| {
            if !held_out(e.case_id) {
                e.example.category = Category::Service;
            }
            e
        })
        .collect();
    let Trained::Done(bad) = train_shop(&rules, &policy, &mislabelled, &good.model) else {
        panic!("enough cases");
    };
    assert!(!bad.replaces, "{bad:?}");
    assert!(bad.new_score.right < bad.old_score.right);
}

#[test]
fn too_few_cases_train_nothing() {
    let rules = TriageRules::builtin();
    match train_shop(
        &rules,
        &Policy::default(),
        &pet_shop(20),
        TriageModel::builtin(),
    ) {
        Trained::TooFew { have, need } => assert_eq!((have, need), (20, MIN_EXAMPLES)),
        Trained::Done(_) => panic!("20 cases are too few"),
    }
}

#[test]
fn high_and_urgent_priorities_are_urgent_examples() {
    for (p, urgent) in [
        (Priority::Normal, false),
        (Priority::High, true),
        (Priority::Urgent, true),
    ] {
        assert_eq!(
            ShopExample::new(1, "x", Category::Other, p).example.urgent,
            urgent
        );
    }
}

proptest! {
    #[test]
    fn about_one_case_in_five_is_held_out(start in 1i64..1_000_000_000) {
        let held = (start..start + 5_000).filter(|id| held_out(*id)).count();
        prop_assert!((850..1150).contains(&held), "{held} of 5000");
    }
}
