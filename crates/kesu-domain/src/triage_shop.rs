//! The shop's own triage model (docs/interface.md §12): every closed case is a labelled
//! example with its final category and priority. One case in five, chosen by its id, is held
//! out: never learned from, it is where a new model and the one in use are compared, and the
//! new one replaces the old only when it files at least as many of them right.

use crate::codes::{Category, Priority};
use crate::policy::Policy;
use crate::triage::TriageRules;
use crate::triage_model::{Example, TriageContext, TriageModel};

/// One case in this many is held out.
pub const HELD_OUT_ONE_IN: u64 = 5;
/// Fewer closed cases than this teach too little to be worth a model of the shop's own.
pub const MIN_EXAMPLES: usize = 50;
/// The background retraining runs once this many cases have closed since the last training.
pub const RETRAIN_EVERY: usize = 50;

/// A closed case as a labelled example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShopExample {
    pub case_id: i64,
    pub example: Example,
}

impl ShopExample {
    pub fn new(case_id: i64, text: &str, category: Category, priority: Priority) -> Self {
        ShopExample {
            case_id,
            example: Example {
                text: text.to_owned(),
                category,
                urgent: priority != Priority::Normal,
            },
        }
    }
}

/// Whether a case is in the held-out slice. The id is mixed first (splitmix64's finaliser) so
/// that a pattern in ids — a batch imported every fifth case — does not become the slice.
pub fn held_out(case_id: i64) -> bool {
    let mut z = (case_id as u64).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^= z >> 31;
    z.is_multiple_of(HELD_OUT_ONE_IN)
}

/// How a model did on the held-out cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Score {
    pub right: usize,
    pub of: usize,
}

impl Score {
    pub fn accuracy(self) -> f64 {
        if self.of == 0 {
            0.0
        } else {
            self.right as f64 / self.of as f64
        }
    }
}

/// Categories `model` gets right among `examples`.
pub fn score(
    model: &TriageModel,
    rules: &TriageRules,
    policy: &Policy,
    examples: &[&Example],
) -> Score {
    let right = examples
        .iter()
        .filter(|e| {
            model
                .suggest(rules, policy, &e.text, TriageContext::default())
                .category
                == e.category
        })
        .count();
    Score {
        right,
        of: examples.len(),
    }
}

/// A training: the new model, how it and the one in use scored on the held-out cases, and
/// whether it replaces that one.
#[derive(Debug, Clone)]
pub struct Training {
    pub model: TriageModel,
    /// Closed cases learned from (the held-out ones not among them).
    pub learned_from: usize,
    pub new_score: Score,
    pub old_score: Score,
    pub replaces: bool,
}

/// What became of a request to train.
#[derive(Debug, Clone)]
pub enum Trained {
    /// Too few closed cases yet: `have` of at least `need`.
    TooFew {
        have: usize,
        need: usize,
    },
    Done(Box<Training>),
}

/// Trains a model on the shop's closed cases outside the held-out slice and compares it with
/// `current` (the shop's model in use, else the built-in one) on the slice.
pub fn train_shop(
    rules: &TriageRules,
    policy: &Policy,
    examples: &[ShopExample],
    current: &TriageModel,
) -> Trained {
    let (check, learn): (Vec<&ShopExample>, Vec<&ShopExample>) =
        examples.iter().partition(|e| held_out(e.case_id));
    if examples.len() < MIN_EXAMPLES || check.is_empty() || learn.is_empty() {
        return Trained::TooFew {
            have: examples.len(),
            need: MIN_EXAMPLES,
        };
    }
    let learn: Vec<Example> = learn.into_iter().map(|e| e.example.clone()).collect();
    let check: Vec<&Example> = check.into_iter().map(|e| &e.example).collect();
    let model = TriageModel::train(rules, &learn);
    let new_score = score(&model, rules, policy, &check);
    let old_score = score(current, rules, policy, &check);
    Trained::Done(Box::new(Training {
        model,
        learned_from: learn.len(),
        new_score,
        old_score,
        replaces: new_score.right >= old_score.right,
    }))
}

#[cfg(test)]
#[path = "triage_shop_tests.rs"]
mod tests;
