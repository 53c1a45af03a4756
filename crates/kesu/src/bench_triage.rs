//! `kesu bench triage`: the goals of triage that learns (docs/interface.md §12), measured.
//! How well a model learned from a shop's first N labelled cases files that shop's next ones
//! (the labelled JD laptop complaints of `crates/kesu/eval/triage_train.jsonl` standing in for
//! the shop, in their shuffled order; the model learns from them alone, nothing built in);
//! how long training on many cases takes; how long one suggestion takes.

use std::time::Instant;

use clap::Args;
use kesu_domain::report::percentile;
use kesu_domain::triage::TriageRules;
use kesu_domain::triage_model::{parse_examples, Example, TriageContext, TriageModel};
use kesu_domain::triage_shop::{score, Score};
use kesu_domain::Policy;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[derive(Args)]
pub struct TriageBenchArgs {
    /// How many cases to train on for the speed of training (drawn from the labelled texts,
    /// each made different by mixing in a sentence of another of its category).
    #[arg(long, default_value_t = 100_000)]
    cases: usize,
    /// How many suggestions are timed.
    #[arg(long, default_value_t = 10_000)]
    suggestions: usize,
}

/// The shop's next cases each curve point is measured on.
const NEXT: usize = 500;

pub fn run(args: TriageBenchArgs) -> anyhow::Result<()> {
    let examples = parse_examples(kesu_domain::triage_model::BUILTIN_EXAMPLES)
        .map_err(|e| anyhow::anyhow!("the shipped examples: {e}"))?;
    let rules = TriageRules::builtin();
    let policy = Policy::default();

    println!(
        "Learning from a shop's own cases ({} labelled JD laptop complaints, in order):",
        examples.len()
    );
    println!(
        "{:>8} {:>22} {:>26}",
        "learned", "accuracy on next 500", "always the commonest label"
    );
    for n in [50, 100, 200, 400, 800, 1600] {
        if n + NEXT > examples.len() {
            break;
        }
        let model = TriageModel::train(&rules, &examples[..n]);
        let next: Vec<&Example> = examples[n..n + NEXT].iter().collect();
        let s = score(&model, &rules, &policy, &next);
        println!(
            "{n:>8} {:>22} {:>26}",
            pct(s),
            pct(commonest(&examples[..n], &next))
        );
    }

    let cases = synthetic(&examples, args.cases);
    println!("\nTraining on {} cases…", cases.len());
    let started = Instant::now();
    let model = TriageModel::train(&rules, &cases);
    let took = started.elapsed();
    println!(
        "trained in {:.1} s ({:.0} cases/s); the stored model is {:.1} MB",
        took.as_secs_f64(),
        cases.len() as f64 / took.as_secs_f64(),
        model.to_json().len() as f64 / 1e6
    );

    let mut times = Vec::with_capacity(args.suggestions);
    for i in 0..args.suggestions {
        let text = &examples[i % examples.len()].text;
        let started = Instant::now();
        let t = model.suggest(&rules, &policy, text, TriageContext::default());
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        std::hint::black_box(t);
    }
    let median = percentile(&mut times, 50.0).unwrap_or(0.0);
    let p99 = percentile(&mut times, 99.0).unwrap_or(0.0);
    println!(
        "one suggestion: median {median:.3} ms, p99 {p99:.3} ms ({} suggestions)",
        times.len()
    );
    Ok(())
}

fn pct(s: Score) -> String {
    format!("{:.1}% ({}/{})", s.accuracy() * 100.0, s.right, s.of)
}

/// How often the label most common among `learned` is right on `next`.
fn commonest(learned: &[Example], next: &[&Example]) -> Score {
    let mut counts = std::collections::HashMap::new();
    for e in learned {
        *counts.entry(e.category).or_insert(0) += 1;
    }
    let top = counts.into_iter().max_by_key(|(_, n)| *n).map(|(c, _)| c);
    Score {
        right: next.iter().filter(|e| Some(e.category) == top).count(),
        of: next.len(),
    }
}

/// `n` cases like a busy shop's: a labelled complaint, often followed by another sentence of
/// the same category, and an order number (every case its own).
fn synthetic(examples: &[Example], n: usize) -> Vec<Example> {
    let mut rng = StdRng::seed_from_u64(20261207);
    (0..n)
        .map(|i| {
            let first = &examples[rng.gen_range(0..examples.len())];
            let mut text = first.text.clone();
            if rng.gen_bool(0.5) {
                let same: Vec<&Example> = (0..8)
                    .map(|_| &examples[rng.gen_range(0..examples.len())])
                    .filter(|e| e.category == first.category)
                    .collect();
                if let Some(more) = same.first() {
                    text.push('，');
                    text.push_str(&more.text);
                }
            }
            text.push_str(&format!("（订单 TB2026{i:08}）"));
            Example {
                text,
                category: first.category,
                urgent: first.urgent,
            }
        })
        .collect()
}
