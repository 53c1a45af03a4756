//! How the learned triage model is trained: counts of features per category (naive Bayes),
//! the rules' keywords counted as a few examples each, and what is fitted on a held-back fifth
//! of the examples: the temperatures that make confidence honest, and below which confidence the
//! keyword rules decide.

use std::collections::HashMap;

use super::{index_of, softmax, Example, TriageModel, RULES_BELOW};
use crate::codes::Category;
use crate::policy::Policy;
use crate::triage::TriageRules;
use crate::triage_features::features;

/// Laplace smoothing: every feature counts as seen this often in every class.
const SMOOTHING: f32 = 0.5;
/// How much the class frequencies of the training set weigh; below 1 because a shop's mix of
/// complaints is not the training set's (a book shop hears about content, a laptop shop about
/// heat).
const PRIOR_WEIGHT: f32 = 0.5;
/// From this many examples on, a feature seen in only one of them is left out of the model: it
/// says almost nothing, and in a large shop such features are most of the model's size.
const PRUNE_FROM: usize = 5_000;
/// How many examples of its category each rule keyword counts as. 5: on the tuning half of the
/// book-shop set the built-in model alone filed 61 of 98 with it, 58 without (10 and 20: 62); on
/// the shop-learning curve (`kesu bench triage`) 5 changed nothing and 20 cost a point or two.
const RULE_PRIOR: f32 = 5.0;
/// Where a shop's model may let the rules decide; 0: never.
const RULES_BELOW_CHOICES: [f32; 6] = [0.0, 0.4, 0.5, 0.6, 0.7, 0.8];
const TEMPERATURES: [f32; 12] = [
    0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0, 24.0,
];

/// An example with the ids of its features (their keys interned: a large shop's examples
/// would otherwise hold millions of small strings while training).
type Featured<'a> = (Vec<u32>, &'a Example);
/// An example with its features' positions in one model.
type Located<'a> = (Vec<usize>, &'a Example);

impl TriageModel {
    /// Learns from `examples`; the rules' keywords are features, so pass the rules the model
    /// will be used with.
    pub fn train(rules: &TriageRules, examples: &[Example]) -> TriageModel {
        Self::train_with(rules, examples, true)
    }

    /// As `train`; `fit_rules_below` false keeps the built-in's threshold (for a model used on
    /// other trades than its examples').
    pub(super) fn train_with(
        rules: &TriageRules,
        examples: &[Example],
        fit_rules_below: bool,
    ) -> TriageModel {
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut names: Vec<String> = Vec::new();
        let mut intern = |key: String| {
            *ids.entry(key).or_insert_with_key(|key| {
                names.push(key.clone());
                (names.len() - 1) as u32
            })
        };
        let featured: Vec<Featured> = examples
            .iter()
            .map(|e| {
                let keys = features(rules, &e.text)
                    .into_iter()
                    .map(|f| intern(f.key))
                    .collect();
                (keys, e)
            })
            .collect();
        // The rules' keywords, each counted as if seen in a few examples of its category: a
        // curated word (缺页, 漏发) then weighs before any example has taught it.
        let mut priors: Vec<(u32, Category)> = Vec::new();
        for (code, words) in &rules.categories {
            let Some(category) = Category::parse(code) else {
                continue;
            };
            priors.push((intern(format!("r:{code}")), category));
            for w in words {
                priors.push((intern(format!("r:{code}:{w}")), category));
            }
        }
        drop(ids);
        let all: Vec<&Featured> = featured.iter().collect();
        let (temperature, urgent_temperature, rules_below) = if examples.len() >= 50 {
            let (fit, check): (Vec<(usize, &Featured)>, Vec<_>) = all
                .iter()
                .copied()
                .enumerate()
                .partition(|(i, _)| i % 5 != 0);
            let fit: Vec<&Featured> = fit.into_iter().map(|(_, x)| x).collect();
            let trial = Self::count(&fit, &names, &priors, 1.0, 1.0);
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
            let mut trial = trial;
            trial.temperature = trial.best_temperature(&check);
            (
                trial.temperature,
                trial.best_urgent_temperature(&check),
                if fit_rules_below {
                    trial.best_rules_below(rules, &check)
                } else {
                    RULES_BELOW
                },
            )
        } else {
            (1.0, 1.0, RULES_BELOW)
        };
        let mut model = Self::count(&all, &names, &priors, temperature, urgent_temperature);
        model.rules_below = rules_below;
        model
    }

    /// The model of `featured`, whose feature ids name `names`.
    fn count(
        featured: &[&Featured],
        names: &[String],
        priors: &[(u32, Category)],
        temperature: f32,
        urgent_t: f32,
    ) -> Self {
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
        let mut from_rules: Vec<bool> = vec![false; features.len()];
        for (g, category) in priors {
            let slot = &mut local[*g as usize];
            if *slot == u32::MAX {
                features.push(names[*g as usize].clone());
                counts.extend(std::iter::repeat_n(0.0, n));
                urgent_counts.push([0.0; 2]);
                from_rules.push(false);
                *slot = (features.len() - 1) as u32;
            }
            let i = *slot as usize;
            counts[i * n + c_of(*category)] += RULE_PRIOR;
            from_rules[i] = true;
        }
        if featured.len() >= PRUNE_FROM {
            let keep: Vec<bool> = urgent_counts
                .iter()
                .zip(&from_rules)
                .map(|(c, rule)| *rule || c[0] + c[1] >= 2.0)
                .collect();
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
                if c[0] + c[1] == 0.0 {
                    // A keyword no example has said tells nothing about urgency (smoothing
                    // alone would lean it towards the rarer class).
                    return 0.0;
                }
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
            rules_below: RULES_BELOW,
            urgent_weights,
            urgent_prior,
            urgent_temperature: urgent_t,
            examples: featured.len(),
            index,
        }
    }

    /// The confidence below which letting the rules decide files most of `check` right.
    fn best_rules_below(&self, rules: &TriageRules, check: &[Located]) -> f32 {
        let policy = Policy::default();
        let judged: Vec<(f32, bool, bool)> = check
            .iter()
            .map(|(known, e)| {
                let p = self.probabilities(known.iter().copied());
                let best = (0..p.len())
                    .max_by(|a, b| p[*a].total_cmp(&p[*b]))
                    .unwrap_or(0);
                let by_rules = crate::triage::triage(rules, &policy, &e.text).category;
                (
                    p[best],
                    self.classes[best] == e.category,
                    by_rules == e.category,
                )
            })
            .collect();
        choose_rules_below(&judged)
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

/// The temperature of `TEMPERATURES` with the least negative log-likelihood.
fn best_of(nll: impl Fn(f32) -> f64) -> f32 {
    TEMPERATURES
        .iter()
        .copied()
        .min_by(|a, b| nll(*a).total_cmp(&nll(*b)))
        .unwrap_or(1.0)
}

/// Where to let the rules decide, given for each held-back example the model's confidence,
/// whether the model and whether the rules filed it right. Leaves the built-in's threshold only
/// for one that files clearly more right: a sign test (wins minus losses beyond twice their
/// standard deviation, about 95 %), since a few dozen examples prove little.
pub(super) fn choose_rules_below(judged: &[(f32, bool, bool)]) -> f32 {
    let right = |below: f32, (p, model, rules): &(f32, bool, bool)| {
        if *p < below {
            *rules
        } else {
            *model
        }
    };
    let clearly_better = |below: f32| {
        let (wins, losses) = judged.iter().fold((0, 0), |(w, l), j| {
            match (right(below, j), right(RULES_BELOW, j)) {
                (true, false) => (w + 1, l),
                (false, true) => (w, l + 1),
                _ => (w, l),
            }
        });
        let gain = f64::from(wins) - f64::from(losses);
        (gain > 2.0 * f64::from(wins + losses).sqrt(), gain)
    };
    // Reversed: of equally good thresholds the last wins, the one that trusts the model most.
    RULES_BELOW_CHOICES
        .iter()
        .rev()
        .map(|b| (*b, clearly_better(*b)))
        .filter(|(_, (clear, _))| *clear)
        .max_by(|a, b| a.1 .1.total_cmp(&b.1 .1))
        .map_or(RULES_BELOW, |(below, _)| below)
}
