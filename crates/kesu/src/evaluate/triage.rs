//! The triage report: category and urgency against the labels.

use super::*;

pub(super) fn triage_report(name: &str, items: &[LabelledComplaint], verbose: bool) -> String {
    let rules = TriageRules::builtin();
    let policy = Policy::default();
    let results: Vec<_> = items
        .iter()
        .map(|i| triage(&rules, &policy, &i.text))
        .collect();
    let categories: Vec<(Category, Category)> = items
        .iter()
        .zip(&results)
        .map(|(i, r)| (i.category, r.category))
        .collect();
    let counts = class_counts(&categories);
    let correct: usize = counts.values().map(|c| c.correct).sum();
    let n = items.len();
    let mut out = String::new();
    let _ = writeln!(out, "Triage on {n} labelled complaints ({name})");
    let _ = writeln!(
        out,
        "category accuracy: {} ({correct}/{n})",
        percent(ratio(correct, n))
    );
    if let Some((most, c)) = counts.iter().max_by_key(|(_, c)| c.labelled) {
        let _ = writeln!(
            out,
            "  for comparison, always answering the commonest label ({}): {}",
            most.code(),
            percent(ratio(c.labelled, n))
        );
    }
    let _ = writeln!(
        out,
        "\n{:<18}{:>8}{:>11}{:>11}{:>9}{:>8}",
        "category", "labelled", "suggested", "precision", "recall", "F1"
    );
    let mut macro_f1 = Vec::new();
    for category in Category::ALL {
        let c = counts.get(category).copied().unwrap_or_default();
        if c.labelled == 0 && c.predicted == 0 {
            continue;
        }
        if c.labelled > 0 {
            macro_f1.push(c.f1().unwrap_or(0.0));
        }
        let _ = writeln!(
            out,
            "{:<18}{:>8}{:>11}{:>11}{:>9}{:>8}",
            category.code(),
            c.labelled,
            c.predicted,
            percent(c.precision()),
            percent(c.recall()),
            percent(c.f1()),
        );
    }
    let _ = writeln!(
        out,
        "macro-average F1 over the labelled categories: {}",
        percent(
            (!macro_f1.is_empty()).then(|| macro_f1.iter().sum::<f64>() / macro_f1.len() as f64)
        )
    );
    let urgency: Vec<(bool, bool)> = items
        .iter()
        .zip(&results)
        .map(|(i, r)| (i.urgency == Urgency::High, r.urgency == Urgency::High))
        .collect();
    let high = class_counts(&urgency)
        .get(&true)
        .copied()
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "\nurgency high: labelled {}, suggested {}, precision {}, recall {}",
        high.labelled,
        high.predicted,
        percent(high.precision()),
        percent(high.recall())
    );
    let _ = writeln!(out, "\nconfusion (rows: label, columns: suggestion)");
    let shown: Vec<Category> = Category::ALL
        .iter()
        .copied()
        .filter(|c| counts.contains_key(c))
        .collect();
    let _ = write!(out, "{:<18}", "");
    for c in &shown {
        let _ = write!(out, "{:>6}", short(*c));
    }
    let _ = writeln!(out);
    for label in &shown {
        let _ = write!(out, "{:<18}", label.code());
        for predicted in &shown {
            let k = categories
                .iter()
                .filter(|(l, p)| l == label && p == predicted)
                .count();
            let _ = write!(
                out,
                "{:>6}",
                if k == 0 {
                    ".".to_owned()
                } else {
                    k.to_string()
                }
            );
        }
        let _ = writeln!(out);
    }
    if verbose {
        let _ = writeln!(out, "\nwrong suggestions:");
        for (item, result) in items.iter().zip(&results) {
            if item.category != result.category || item.urgency != result.urgency {
                let _ = writeln!(
                    out,
                    "- {}: labelled {}/{}, suggested {}/{} {:?}\n  {}",
                    item.source,
                    item.category.code(),
                    urgency_code(item.urgency),
                    result.category.code(),
                    urgency_code(result.urgency),
                    result.signals,
                    item.text
                );
            }
        }
    }
    out
}

fn urgency_code(u: Urgency) -> &'static str {
    match u {
        Urgency::Normal => "normal",
        Urgency::High => "high",
    }
}

/// A column heading narrow enough for the confusion table.
fn short(c: Category) -> &'static str {
    match c {
        Category::Logistics => "logi",
        Category::Damaged => "dmg",
        Category::WrongItem => "wrong",
        Category::Quality => "qual",
        Category::NotAsDescribed => "desc",
        Category::Price => "price",
        Category::Refund => "refnd",
        Category::Service => "serv",
        Category::Other => "other",
    }
}
