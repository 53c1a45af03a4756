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

/// Laplace smoothing: every feature counts as seen this often in every class.
const SMOOTHING: f32 = 0.5;
/// How much the class frequencies of the training set weigh; below 1 because a shop's mix of
/// complaints is not the training set's (a book shop hears about content, a laptop shop about
/// heat).
const PRIOR_WEIGHT: f32 = 0.5;
/// The learned urgency alone must be this sure before it calls a complaint urgent: a false
/// alarm costs a supervisor's attention.
const URGENT_AT: f64 = 0.8;
/// Below this confidence the keyword rules decide (`other` when they find nothing): on complaints
/// unlike its examples (another trade's words) the model knows less than the curated words.
/// Chosen on the tuning half of the book-shop set (`kesu evaluate triage --half tuning`): the
/// model alone filed 56 of 98 there, deferring below 0.6 to rules that found words 71, deferring
/// always below 0.6 84; the held-out half was measured once, after.
const RULES_BELOW: f32 = 0.6;
/// From this many examples on, a feature seen in only one of them is left out of the model: it
/// says almost nothing, and in a large shop such features are most of the model's size.
const PRUNE_FROM: usize = 5_000;
const TEMPERATURES: [f32; 12] = [
    0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0,
];

/// The built-in model's labelled examples (JSON lines; see crates/kesu/eval/README.md).
pub const BUILTIN_EXAMPLES: &str = include_str!("../../kesu/eval/triage_train.jsonl");

/// An example with the ids of its features (their keys interned: a large shop's examples
/// would otherwise hold millions of small strings while training).
type Featured<'a> = (Vec<u32>, &'a Example);
/// An example with its features' positions in one model.
type Located<'a> = (Vec<usize>, &'a Example);

#[derive(Clone, Serialize, Deserialize)]
pub struct TriageModel {
    classes: Vec<Category>,
    features: Vec<String>,
    /// `weights[f * classes + c]`: log P(feature f | class c).
    weights: Vec<f32>,
    log_prior: Vec<f32>,
    temperature: f32,
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
    /// Learns from `examples`; the rules' keywords are features, so pass the rules the model
    /// will be used with.
    pub fn train(rules: &TriageRules, examples: &[Example]) -> TriageModel {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let featured: Vec<Featured> = examples
            .iter()
            .map(|e| {
                let keys = features(rules, &e.text)
                    .into_iter()
                    .map(|f| {
                        *ids.entry(f.key).or_insert_with_key(|key| {
                            names.push(key.clone());
                            (names.len() - 1) as u32
                        })
                    })
                    .collect();
                (keys, e)
            })
            .collect();
        drop(ids);
        let all: Vec<&Featured> = featured.iter().collect();
        let (temperature, urgent_temperature) = if examples.len() >= 50 {
            let (fit, check): (Vec<(usize, &Featured)>, Vec<_>) = all
                .iter()
                .copied()
                .enumerate()
                .partition(|(i, _)| i % 5 != 0);
            let fit: Vec<&Featured> = fit.into_iter().map(|(_, x)| x).collect();
            let trial = Self::count(&fit, &names, 1.0, 1.0);
            let check: Vec<Located> = check
                .into_iter()
                .map(|(_, (keys, e))| {
                    let known = keys
                        .iter()
                        .filter_map(|g| trial.index.get(&names[*g as usize]))
                        .map(|i| *i as usize)
                        .collect();
                    (known, *e)
                })
                .collect();
            (
                trial.best_temperature(&check),
                trial.best_urgent_temperature(&check),
            )
        } else {
            (1.0, 1.0)
        };
        Self::count(&all, &names, temperature, urgent_temperature)
    }

    /// The model trained on the labelled set shipped in `crates/kesu/eval/triage_train.jsonl`
    /// (see its README for source and licence), with the built-in rules.
    pub fn builtin() -> &'static TriageModel {
        static MODEL: OnceLock<TriageModel> = OnceLock::new();
        MODEL.get_or_init(|| {
            let examples =
                parse_examples(BUILTIN_EXAMPLES).expect("the shipped triage examples are valid");
            TriageModel::train(&TriageRules::builtin(), &examples)
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
        if probabilities[best] < RULES_BELOW {
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

    /// The model of `featured`, whose feature ids name `names`.
    fn count(featured: &[&Featured], names: &[String], temperature: f32, urgent_t: f32) -> Self {
        let classes: Vec<Category> = Category::ALL.to_vec();
        let c_of = |c: Category| classes.iter().position(|x| *x == c).unwrap_or(0);
        // Each id's place in this model (u32::MAX: not seen yet).
        let mut local: Vec<u32> = vec![u32::MAX; names.len()];
        let mut features: Vec<String> = Vec::new();
        let mut counts: Vec<f32> = Vec::new();
        let mut urgent_counts: Vec<[f32; 2]> = Vec::new();
        let mut docs = vec![0f32; classes.len()];
        let mut urgent_docs = [0f32; 2];
        for (keys, example) in featured {
            let c = c_of(example.category);
            let u = usize::from(example.urgent);
            docs[c] += 1.0;
            urgent_docs[u] += 1.0;
            for g in keys {
                let slot = &mut local[*g as usize];
                if *slot == u32::MAX {
                    features.push(names[*g as usize].clone());
                    counts.extend(std::iter::repeat_n(0.0, classes.len()));
                    urgent_counts.push([0.0; 2]);
                    *slot = (features.len() - 1) as u32;
                }
                let i = *slot as usize;
                counts[i * classes.len() + c] += 1.0;
                urgent_counts[i][u] += 1.0;
            }
        }
        let n = classes.len();
        if featured.len() >= PRUNE_FROM {
            let keep: Vec<bool> = urgent_counts.iter().map(|c| c[0] + c[1] >= 2.0).collect();
            let kept = |k: &usize| keep[*k];
            features = features
                .into_iter()
                .enumerate()
                .filter(|(i, _)| kept(i))
                .map(|(_, f)| f)
                .collect();
            counts = counts
                .chunks(n)
                .enumerate()
                .filter(|(i, _)| kept(i))
                .flat_map(|(_, c)| c.iter().copied())
                .collect();
            urgent_counts.retain({
                let mut i = 0;
                move |_| {
                    i += 1;
                    keep[i - 1]
                }
            });
        }
        drop(local);
        let index = index_of(&features);
        let v = features.len().max(1) as f32;
        let mut totals = vec![0f32; n];
        for (k, x) in counts.iter().enumerate() {
            totals[k % n] += x;
        }
        let weights: Vec<f32> = counts
            .iter()
            .enumerate()
            .map(|(k, x)| ((x + SMOOTHING) / (totals[k % n] + SMOOTHING * v)).ln())
            .collect();
        let all: f32 = docs.iter().sum();
        let log_prior = docs
            .iter()
            .map(|d| PRIOR_WEIGHT * ((d + 1.0) / (all + n as f32)).ln())
            .collect();
        let urgent_totals = urgent_counts
            .iter()
            .fold([0f32; 2], |t, c| [t[0] + c[0], t[1] + c[1]]);
        let urgent_weights = urgent_counts
            .iter()
            .map(|c| {
                ((c[1] + SMOOTHING) / (urgent_totals[1] + SMOOTHING * v)).ln()
                    - ((c[0] + SMOOTHING) / (urgent_totals[0] + SMOOTHING * v)).ln()
            })
            .collect();
        let urgent_prior = ((urgent_docs[1] + 1.0) / (urgent_docs[0] + 1.0)).ln();
        TriageModel {
            classes,
            features,
            weights,
            log_prior,
            temperature,
            urgent_weights,
            urgent_prior,
            urgent_temperature: urgent_t,
            examples: featured.len(),
            index,
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

    fn best_temperature(&self, check: &[Located]) -> f32 {
        best_of(|t| {
            check
                .iter()
                .map(|(known, e)| {
                    let p = softmax(&self.scores(known.iter().copied()), t);
                    let c = self
                        .classes
                        .iter()
                        .position(|x| *x == e.category)
                        .unwrap_or(0);
                    -f64::from(p[c].max(1e-9)).ln()
                })
                .sum()
        })
    }

    fn best_urgent_temperature(&self, check: &[Located]) -> f32 {
        best_of(|t| {
            check
                .iter()
                .map(|(known, e)| {
                    let score = self.urgent_prior
                        + known.iter().map(|i| self.urgent_weights[*i]).sum::<f32>();
                    let p = 1.0 / (1.0 + (-f64::from(score / t)).exp());
                    let p = if e.urgent { p } else { 1.0 - p };
                    -p.max(1e-9).ln()
                })
                .sum()
        })
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

/// The temperature of `TEMPERATURES` with the least negative log-likelihood.
fn best_of(nll: impl Fn(f32) -> f64) -> f32 {
    TEMPERATURES
        .iter()
        .copied()
        .min_by(|a, b| nll(*a).total_cmp(&nll(*b)))
        .unwrap_or(1.0)
}

#[cfg(test)]
#[path = "triage_model_tests.rs"]
mod tests;
