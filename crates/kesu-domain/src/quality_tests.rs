use super::*;
use proptest::prelude::*;

fn closed(id: i64, agent: &str, category: Category) -> Closed {
    Closed {
        case_id: id,
        agent: agent.into(),
        category,
    }
}

/// Amy closed 12 logistics and 6 damaged cases and 2 price ones; Bob 3 cases.
fn week() -> Vec<Closed> {
    let mut v = Vec::new();
    for i in 0..12 {
        v.push(closed(i, "amy", Category::Logistics));
    }
    for i in 12..18 {
        v.push(closed(i, "amy", Category::Damaged));
    }
    for i in 18..20 {
        v.push(closed(i, "amy", Category::Price));
    }
    for i in 100..103 {
        v.push(closed(i, "bob", Category::Quality));
    }
    v
}

#[test]
fn each_agent_gets_the_size_spread_over_categories_in_proportion() {
    let s = weekly_sample(&week(), 5, 42);
    let amy = &s["amy"];
    assert_eq!(amy.len(), 5);
    // 5 × 12/20 = 3, 5 × 6/20 = 1.5, 5 × 2/20 = 0.5: three, then the larger remainder first
    // (damaged 1.5 and price 0.5 tie at .5; damaged holds more), so 3 + 2 + 0.
    let logistics = amy.iter().filter(|id| **id < 12).count();
    let damaged = amy.iter().filter(|id| (12..18).contains(*id)).count();
    assert_eq!((logistics, damaged), (3, 2));
    // Bob closed fewer than the size: all of them.
    assert_eq!(s["bob"], vec![100, 101, 102]);
}

#[test]
fn the_same_seed_draws_the_same_sample_in_any_order() {
    let mut shuffled = week();
    shuffled.reverse();
    assert_eq!(weekly_sample(&week(), 5, 7), weekly_sample(&shuffled, 5, 7));
    let draws: std::collections::BTreeSet<Vec<i64>> = (0..20)
        .map(|seed| weekly_sample(&week(), 5, seed)["amy"].clone())
        .collect();
    assert!(draws.len() > 1, "different seeds draw different samples");
}

#[test]
fn scores_are_a_share_of_the_points_and_every_item_is_needed() {
    let s = QualitySettings::default();
    let full: BTreeMap<String, u32> = s
        .checklist
        .iter()
        .map(|i| (i.code.clone(), i.points))
        .collect();
    assert_eq!(s.score(&full), Ok(100));
    let mut some = full.clone();
    some.insert("read_back".into(), 0);
    assert_eq!(s.score(&some), Ok(85));
    some.remove("greeting");
    some.insert("timeliness".into(), 21);
    some.insert("bogus".into(), 1);
    let fields: Vec<String> = s
        .score(&some)
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(
        fields,
        ["scores.bogus", "scores.greeting", "scores.timeliness"]
    );
}

#[test]
fn a_week_runs_monday_to_monday_in_the_shops_zone() {
    let zone = chrono_tz::Asia::Shanghai;
    // Sunday 29 November 2026 at 23:30 in Shanghai is still week 48.
    let at = DateTime::parse_from_rfc3339("2026-11-29T23:30:00+08:00")
        .unwrap()
        .with_timezone(&Utc);
    let w = Week::of(at, zone);
    assert_eq!(w.name, "2026-W48");
    assert_eq!(w.from.to_rfc3339(), "2026-11-22T16:00:00+00:00");
    assert_eq!(w.to - w.from, Duration::days(7));
    assert_eq!(Week::parse("2026-W48", zone).unwrap(), w);
    assert_eq!(Week::last_complete(w.to, zone), w);
    assert!(Week::parse("2026-48", zone).is_err());
}

#[test]
fn settings_are_checked() {
    let mut s = QualitySettings {
        per_agent: 0,
        ..Default::default()
    };
    s.checklist[1].code = "greeting".into();
    let fields: Vec<String> = s
        .check()
        .unwrap_err()
        .into_iter()
        .map(|e| e.field)
        .collect();
    assert_eq!(fields, ["per_agent", "checklist[1].code"]);
}

proptest! {
    #[test]
    fn a_sample_never_exceeds_the_size_nor_repeats_and_comes_from_the_agents_cases(
        cats in proptest::collection::vec(0usize..4, 0..60), size in 1u32..10, seed in any::<u64>()
    ) {
        let all = [Category::Logistics, Category::Damaged, Category::Price, Category::Quality];
        let cases: Vec<Closed> = cats.iter().enumerate()
            .map(|(i, c)| closed(i as i64, if i % 3 == 0 { "bob" } else { "amy" }, all[*c]))
            .collect();
        for (agent, ids) in weekly_sample(&cases, size, seed) {
            let theirs = cases.iter().filter(|c| c.agent == agent).count();
            prop_assert_eq!(ids.len(), theirs.min(size as usize));
            let mut unique = ids.clone();
            unique.dedup();
            prop_assert_eq!(unique.len(), ids.len());
            prop_assert!(ids.iter().all(|id| cases.iter().any(|c| c.case_id == *id && c.agent == agent)));
        }
    }
}
