//! The triage report: category and urgency against the labels, for the learned model and for
//! the keyword rules alone.

use std::collections::HashSet;

use kesu_domain::triage::Triage;
use kesu_domain::triage_model::{TriageContext, TriageModel, BUILTIN_EXAMPLES};

use super::*;

pub(super) fn triage_report(name: &str, items: &[LabelledComplaint], verbose: bool) -> String {
    let model = TriageModel::builtin();
    let learned: HashSet<String> = parse::<LabelledComplaint>(BUILTIN_EXAMPLES)
        .map(|t| t.into_iter().map(|t| t.text).collect())
        .unwrap_or_default();
    // Measuring on a text the model learned from would flatter it.
    let (items, left_out): (Vec<&LabelledComplaint>, Vec<_>) =
        items.iter().partition(|i| !learned.contains(&i.text));
    let mut out = String::new();
    if !left_out.is_empty() {
        let _ = writeln!(
            out,
            "({} labelled complaints are in the built-in model's training set and were left out)",
            left_out.len()
        );
    }
    let models = [(
        format!(
            "learned model (built in, {} examples from crates/kesu/eval/triage_train.jsonl)",
            model.examples
        ),
        model,
    )];
    out.push_str(&compare(
        name,
        &items,
        verbose,
        &models,
        &TriageRules::builtin(),
        &Policy::default(),
    ));
    out
}

/// The report for each of `models`, then for the keyword rules alone, on the same texts.
pub(super) fn compare(
    name: &str,
    items: &[&LabelledComplaint],
    verbose: bool,
    models: &[(String, &TriageModel)],
    rules: &TriageRules,
    policy: &Policy,
) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Triage on {} labelled complaints ({name})",
        items.len()
    );
    for (label, model) in models {
        let by_model: Vec<Triage> = items
            .iter()
            .map(|i| model.suggest(rules, policy, &i.text, TriageContext::default()))
            .collect();
        let _ = writeln!(out, "\n== {label} ==");
        out.push_str(&section(items, &by_model, verbose));
    }
    let by_rules: Vec<Triage> = items
        .iter()
        .map(|i| triage(rules, policy, &i.text))
        .collect();
    let _ = writeln!(out, "\n== keyword rules alone ==");
    out.push_str(&section(items, &by_rules, verbose));
    out
}

fn section(items: &[&LabelledComplaint], results: &[Triage], verbose: bool) -> String {
    let mut out = String::new();
    let categories: Vec<(Category, Category)> = items
        .iter()
        .zip(results)
        .map(|(i, r)| (i.category, r.category))
        .collect();
    let counts = class_counts(&categories);
    let correct: usize = counts.values().map(|c| c.correct).sum();
    let n = items.len();
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
        .zip(results)
        .map(|(i, r)| (i.urgency == Urgency::High, r.urgency == Urgency::High))
        .collect();
    let high = class_counts(&urgency)
        .get(&true)
        .copied()
        .unwrap_or_default();
    let calm = urgency.iter().filter(|(label, _)| !label).count();
    let false_alarms = urgency.iter().filter(|(label, s)| !label && *s).count();
    let _ = writeln!(
        out,
        "\nurgency high: labelled {}, suggested {}, precision {}, recall {}, false alarms {} ({false_alarms} of {calm} calm complaints)",
        high.labelled,
        high.predicted,
        percent(high.precision()),
        percent(high.recall()),
        percent(ratio(false_alarms, calm))
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
        for (item, result) in items.iter().zip(results) {
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
