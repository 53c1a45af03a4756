//! The learned triage model: a multinomial naive Bayes over the features of
//! `triage_features` (jieba words, character bigrams, the keyword rules), with a temperature
//! fitted on a held-back fifth of the examples so its confidence means what it says, and a
//! second, two-class model for urgency. Naive Bayes because it trains in one pass over the
//! examples (100,000 cases in seconds), learns from a few hundred of a shop's own cases, and
//! its weights say which words decided.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::codes::Category;
use crate::policy::Policy;
use crate::triage::{Triage, TriageRules, Urgency};
use crate::triage_features::{features, Feature};

/// A labelled complaint: what the customer wrote and how it was finally filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    pub text: String,
    pub category: Category,
    pub urgent: bool,
}

/// What is known about the complainant when triaging (docs/interface.md §12).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TriageContext {
    /// Earlier complaints by the same phone or about the same order within 30 days.
    pub recent_complaints: usize,
}

/// The learned urgency alone must be this sure before it calls a complaint urgent: a false
/// alarm costs a supervisor's attention.
const URGENT_AT: f64 = 0.8;
/// Below this confidence the built-in model lets the keyword rules decide (`other` when they find
/// nothing): on complaints unlike its examples (another trade's words) it knows less than the
/// curated words. A shop's model fits its own (its examples are the shop's words).
/// Chosen on the tuning half of the book-shop set (`kesu evaluate triage --half tuning`): the
/// model alone filed 56 of 98 there, deferring below 0.6 to rules that found words 71, deferring
/// always below 0.6 84; the held-out half was only measured, never used to choose.
const RULES_BELOW: f32 = 0.6;

fn rules_below_builtin() -> f32 {
    RULES_BELOW
}

/// The built-in model's labelled examples (JSON lines; see crates/kesu/eval/README.md).
pub const BUILTIN_EXAMPLES: &str = include_str!("../../kesu/eval/triage_train.jsonl");

#[derive(Clone, Serialize, Deserialize)]
pub struct TriageModel {
    classes: Vec<Category>,
    features: Vec<String>,
    /// `weights[f * classes + c]`: log P(feature f | class c).
    weights: Vec<f32>,
    log_prior: Vec<f32>,
    temperature: f32,
    /// Below this confidence the keyword rules decide; fitted on the examples (models stored
    /// before it was fitted read as the built-in's).
    #[serde(default = "rules_below_builtin")]
    rules_below: f32,
    /// Per feature: log P(f | urgent) − log P(f | not urgent).
    urgent_weights: Vec<f32>,
    urgent_prior: f32,
    urgent_temperature: f32,
    /// How many examples it learned from.
    pub examples: usize,
    #[serde(skip)]
    index: HashMap<String, u32>,
}

/// A summary: the weights are megabytes.
impl std::fmt::Debug for TriageModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TriageModel")
            .field("examples", &self.examples)
            .field("features", &self.features.len())
            .finish_non_exhaustive()
    }
}

impl TriageModel {
    /// The model trained on the labelled set shipped in `crates/kesu/eval/triage_train.jsonl`
    /// (see its README for source and licence), with the built-in rules.
    pub fn builtin() -> &'static TriageModel {
        static MODEL: OnceLock<TriageModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            let examples =
                parse_examples(BUILTIN_EXAMPLES).expect("the shipped triage examples are valid");
            // Its examples are one trade's; it is used on every other's: the threshold chosen
            // across trades stays.
            TriageModel::train_with(&TriageRules::builtin(), &examples, false)
        })
    }

    /// Reads a model stored with `to_json`.
    pub fn from_json(json: &str) -> Result<TriageModel, serde_json::Error> {
        let mut model: TriageModel = serde_json::from_str(json)?;
        model.index = index_of(&model.features);
        Ok(model)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a model serialises")
    }

    /// Suggests how to file `text` (docs/interface.md §8, §12).
    pub fn suggest(
        &self,
        rules: &TriageRules,
        policy: &Policy,
        text: &str,
        context: TriageContext,
    ) -> Triage {
        let found = features(rules, text);
        let known: Vec<(usize, &Feature)> = found
            .iter()
            .filter_map(|f| self.index.get(&f.key).map(|i| (*i as usize, f)))
            .collect();
        let probabilities = self.probabilities(known.iter().map(|(i, _)| *i));
        let mut ranked: Vec<usize> = (0..self.classes.len()).collect();
        ranked.sort_by(|a, b| probabilities[*b].total_cmp(&probabilities[*a]));
        let (mut best, second) = (ranked[0], ranked.get(1).copied().unwrap_or(ranked[0]));
        let mut signals = self.deciding(&known, best, second);
        if probabilities[best] < self.rules_below {
            let by_rules = crate::triage::triage(rules, policy, text);
            let words: Vec<&Feature> = found
                .iter()
                .filter(|f| {
                    f.key
                        .starts_with(&format!("r:{}:", by_rules.category.code()))
                })
                .collect();
            best = self
                .classes
                .iter()
                .position(|c| *c == by_rules.category)
                .unwrap_or(best);
            signals = words.iter().map(|f| (f.at, f.shown.clone())).collect();
        }
        let category = self.classes[best];
        let threat_words: Vec<&Feature> = found
            .iter()
            .filter(|f| f.key.starts_with("u:") && !f.shown.is_empty())
            .collect();
        // 315 inside 12315 is one threat, named once.
        let threats: Vec<&Feature> = threat_words
            .iter()
            .copied()
            .filter(|t| {
                !threat_words
                    .iter()
                    .any(|o| o.shown != t.shown && o.shown.contains(t.shown.as_str()))
            })
            .collect();
        let learned_urgency = self.urgent_probability(known.iter().map(|(i, _)| *i));
        let urgent =
            !threats.is_empty() || learned_urgency >= URGENT_AT || context.recent_complaints > 0;
        for t in threats {
            signals.push((t.at, t.shown.clone()));
        }
        signals.sort();
        signals.dedup_by(|a, b| a.1 == b.1);
        let mut signals: Vec<String> = signals.into_iter().map(|(_, s)| s).collect();
        if context.recent_complaints > 0 {
            signals.push(format!("repeat:{}", context.recent_complaints));
        }
        Triage {
            category,
            urgency: if urgent {
                Urgency::High
            } else {
                Urgency::Normal
            },
            department: policy.suggest_department(category),
            signals,
            confidence: Some((f64::from(probabilities[best]) * 100.0).round() / 100.0),
        }
    }

    fn scores(&self, known: impl Iterator<Item = usize>) -> Vec<f32> {
        let n = self.classes.len();
        let mut s = self.log_prior.clone();
        for i in known {
            for (c, x) in s.iter_mut().enumerate() {
                *x += self.weights[i * n + c];
            }
        }
        s
    }

    fn probabilities(&self, known: impl Iterator<Item = usize>) -> Vec<f32> {
        softmax(&self.scores(known), self.temperature)
    }

    fn urgent_probability(&self, known: impl Iterator<Item = usize>) -> f64 {
        let score = self.urgent_prior + known.map(|i| self.urgent_weights[i]).sum::<f32>();
        1.0 / (1.0 + (-f64::from(score / self.urgent_temperature)).exp())
    }

    /// The features that most separated the suggested category from the runner-up.
    fn deciding(
        &self,
        known: &[(usize, &Feature)],
        best: usize,
        second: usize,
    ) -> Vec<(usize, String)> {
        let n = self.classes.len();
        let mut weighed: Vec<(f32, &Feature)> = known
            .iter()
            // One character (我, 要) explains nothing to the agent reading the signals.
            .filter(|(_, f)| f.shown.chars().count() >= 2 && !f.key.starts_with("u:"))
            .map(|(i, f)| {
                (
                    self.weights[i * n + best] - self.weights[i * n + second],
                    *f,
                )
            })
            .filter(|(d, _)| *d > std::f32::consts::LN_2)
            .collect();
        // Whole words before character pairs (天就, 价了), which read as fragments.
        weighed.sort_by(|a, b| {
            let pair = |f: &Feature| f.key.starts_with("b:");
            pair(a.1).cmp(&pair(b.1)).then_with(|| b.0.total_cmp(&a.0))
        });
        let mut chosen: Vec<(usize, String)> = Vec::new();
        for (_, f) in weighed {
            if chosen.len() == 4 {
                break;
            }
            if !chosen
                .iter()
                .any(|(_, s)| s.contains(&f.shown) || f.shown.contains(s.as_str()))
            {
                chosen.push((f.at, f.shown.clone()));
            }
        }
        chosen
    }
}

/// Suggests with the built-in model (until the shop has its own, docs/interface.md §12).
pub fn suggest_builtin(rules: &TriageRules, policy: &Policy, text: &str) -> Triage {
    TriageModel::builtin().suggest(rules, policy, text, TriageContext::default())
}

/// Reads labelled examples in the JSON lines of `crates/kesu/eval/` (`text`, `category`,
/// `urgency`); other fields such as `source` are ignored.
pub fn parse_examples(jsonl: &str) -> Result<Vec<Example>, String> {
    #[derive(Deserialize)]
    struct Line {
        text: String,
        category: Category,
        urgency: Urgency,
    }
    jsonl
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            let line: Line = serde_json::from_str(l).map_err(|e| format!("line {}: {e}", n + 1))?;
            Ok(Example {
                text: line.text,
                category: line.category,
                urgent: line.urgency == Urgency::High,
            })
        })
        .collect()
}

fn index_of(features: &[String]) -> HashMap<String, u32> {
    features
        .iter()
        .enumerate()
        .map(|(i, f)| (f.clone(), i as u32))
        .collect()
}

fn softmax(scores: &[f32], temperature: f32) -> Vec<f32> {
    let max = scores.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let exp: Vec<f32> = scores
        .iter()
        .map(|s| ((s - max) / temperature).exp())
        .collect();
    let sum: f32 = exp.iter().sum();
    exp.into_iter().map(|e| e / sum).collect()
}

#[path = "triage_training.rs"]
mod training;

#[cfg(test)]
#[path = "triage_model_tests.rs"]
mod tests;
