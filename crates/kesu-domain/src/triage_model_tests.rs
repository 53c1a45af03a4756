use super::*;

fn example(text: &str, category: Category, urgent: bool) -> Example {
    Example {
        text: text.to_owned(),
        category,
        urgent,
    }
}

/// A shop whose customers use words the built-in rules do not know.
fn shop_examples() -> Vec<Example> {
    let mut out = Vec::new();
    for i in 0..30 {
        out.push(example(
            &format!("第{i}次了，猫砂结块不好，粉尘大"),
            Category::Quality,
            false,
        ));
        out.push(example(
            &format!("订单{i}的猫粮袋子漏气受潮"),
            Category::Damaged,
            false,
        ));
        out.push(example(
            &format!("小程序里领的券{i}没抵扣"),
            Category::Price,
            false,
        ));
    }
    out
}

#[test]
fn it_learns_a_shops_own_words() {
    let rules = TriageRules::builtin();
    let model = TriageModel::train(&rules, &shop_examples());
    let t = model.suggest(
        &rules,
        &Policy::default(),
        "猫砂一点都不结块",
        TriageContext::default(),
    );
    assert_eq!(t.category, Category::Quality);
    assert!(
        t.signals.iter().any(|s| s.contains("结块")),
        "{:?}",
        t.signals
    );
    let t = model.suggest(
        &rules,
        &Policy::default(),
        "券没有抵扣",
        TriageContext::default(),
    );
    assert_eq!(t.category, Category::Price);
    assert!(t.confidence.unwrap() > 0.5, "{t:?}");
}

#[test]
fn confidence_is_a_probability_and_lower_for_unknown_words() {
    let rules = TriageRules::builtin();
    let model = TriageModel::train(&rules, &shop_examples());
    let sure = model.suggest(
        &rules,
        &Policy::default(),
        "猫砂结块不好",
        TriageContext::default(),
    );
    let unsure = model.suggest(
        &rules,
        &Policy::default(),
        "你好在吗",
        TriageContext::default(),
    );
    let (s, u) = (sure.confidence.unwrap(), unsure.confidence.unwrap());
    assert!((0.0..=1.0).contains(&s) && (0.0..=1.0).contains(&u));
    assert!(s > u, "{s} vs {u}");
}

#[test]
fn threats_and_repeat_complainants_are_urgent_and_say_why() {
    let rules = TriageRules::builtin();
    let model = TriageModel::builtin();
    let policy = Policy::default();
    let t = model.suggest(
        &rules,
        &policy,
        "电脑坏了再不处理就打12315",
        TriageContext::default(),
    );
    assert_eq!(t.urgency, Urgency::High);
    assert!(t.signals.contains(&"12315".to_owned()), "{:?}", t.signals);
    let calm = model.suggest(&rules, &policy, "屏幕有一个亮点", TriageContext::default());
    assert_eq!(calm.urgency, Urgency::Normal);
    let again = model.suggest(
        &rules,
        &policy,
        "屏幕有一个亮点",
        TriageContext {
            recent_complaints: 2,
        },
    );
    assert_eq!(again.urgency, Urgency::High);
    assert!(again.signals.contains(&"repeat:2".to_owned()));
}

#[test]
fn a_stored_model_suggests_what_it_did_before_storing() {
    let rules = TriageRules::builtin();
    let model = TriageModel::train(&rules, &shop_examples());
    let back = TriageModel::from_json(&model.to_json()).unwrap();
    for text in ["猫粮受潮了", "券没用上", "快递还没到"] {
        let a = model.suggest(&rules, &Policy::default(), text, TriageContext::default());
        let b = back.suggest(&rules, &Policy::default(), text, TriageContext::default());
        assert_eq!(a, b, "{text}");
    }
    assert_eq!(back.examples, 90);
}

#[test]
fn the_builtin_model_is_trained_on_the_shipped_set() {
    let model = TriageModel::builtin();
    assert!(model.examples >= 2000, "{}", model.examples);
    let t = model.suggest(
        &TriageRules::builtin(),
        &Policy::default(),
        "发货太慢了，一个星期还没收到",
        TriageContext::default(),
    );
    assert_eq!(t.category, Category::Logistics, "{t:?}");
}

#[test]
fn bad_example_lines_are_named() {
    let err = parse_examples(
        "{\"text\":\"a\",\"category\":\"quality\",\"urgency\":\"normal\"}\n{\"text\":1}",
    )
    .unwrap_err();
    assert!(err.starts_with("line 2"), "{err}");
}

#[test]
fn a_keyword_the_shop_adds_counts_before_any_case_teaches_it() {
    let before = TriageRules::builtin();
    let mut after = before.clone();
    after
        .categories
        .get_mut("logistics")
        .expect("the built-in rules have logistics")
        .push("丰巢".to_owned());
    // No example says 丰巢, nor do the built-in rules.
    let examples = shop_examples();
    let logistics = |rules: &TriageRules| {
        let model = TriageModel::train(rules, &examples);
        let found = features(rules, "丰巢");
        let known = found.iter().filter_map(|f| model.index.get(&f.key));
        let p = model.probabilities(known.map(|i| *i as usize));
        let at = model.classes.iter().position(|c| *c == Category::Logistics);
        p[at.expect("logistics is a class")]
    };
    let (without, with) = (logistics(&before), logistics(&after));
    assert!(with > 0.5 && with > without + 0.3, "{with} vs {without}");
}

/// (model's confidence, model right, rules right) for `n` held-back examples.
fn judged(n: usize, confidence: f32, model: bool, rules: bool) -> Vec<(f32, bool, bool)> {
    vec![(confidence, model, rules); n]
}

#[test]
fn the_rules_step_aside_only_where_the_shops_model_is_clearly_better() {
    use super::training::choose_rules_below;
    // Unsure but right where the rules are wrong, in 200 of 1,000: never defer.
    let mut clear = judged(800, 0.9, true, true);
    clear.extend(judged(200, 0.45, true, false));
    assert_eq!(choose_rules_below(&clear), 0.0);
    // The same share in 10 examples proves nothing: the built-in's threshold stays.
    let mut few = judged(8, 0.9, true, true);
    few.extend(judged(2, 0.45, true, false));
    assert_eq!(choose_rules_below(&few), RULES_BELOW);
    // The rules right where an unsure model errs: defer more.
    let mut unsure = judged(500, 0.9, true, true);
    unsure.extend(judged(200, 0.65, false, true));
    assert_eq!(choose_rules_below(&unsure), 0.7);
}
