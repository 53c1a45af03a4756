//! Triage: given a complaint's text, suggest its category, its urgency and the department,
//! with the words that led there (docs/interface.md §8). The agent decides; this only pre-fills.
//!
//! The words are data (`triage_rules.json`). Each category scores the characters of the
//! keywords found (a longer phrase says more than a word); urgency is high when the customer
//! threatens 12315, the authorities, the media, a lawyer or a bad review, or is very angry.

use crate::error::Problem;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::codes::{Category, DepartmentCode};
use crate::policy::Policy;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriageRules {
    /// Keywords by category code.
    pub categories: BTreeMap<String, Vec<String>>,
    /// Words that make a complaint urgent.
    pub urgency: Vec<String>,
    /// Which category wins a tie, first first.
    pub order: Vec<String>,
}

impl TriageRules {
    pub fn builtin() -> TriageRules {
        serde_json::from_str(include_str!("triage_rules.json"))
            .expect("the built-in triage rules are valid")
    }

    /// Checks rules an admin edited: known category codes, words of 1–30 characters.
    pub fn validate(&self) -> Result<(), Vec<crate::FieldError>> {
        use crate::reply_check::check_word;
        let mut errors = Vec::new();
        for (code, words) in &self.categories {
            if Category::parse(code).is_none() {
                errors.push(not_a_category(&format!("categories.{code}")));
            }
            for (i, w) in words.iter().enumerate() {
                check_word(&mut errors, &format!("categories.{code}[{i}]"), w);
            }
        }
        for (i, w) in self.urgency.iter().enumerate() {
            check_word(&mut errors, &format!("urgency[{i}]"), w);
        }
        for (i, code) in self.order.iter().enumerate() {
            if Category::parse(code).is_none() {
                errors.push(not_a_category(&format!("order[{i}]")));
            }
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Urgency {
    Normal,
    High,
}

/// What triage suggests (docs/interface.md §8, §12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Triage {
    pub category: Category,
    pub urgency: Urgency,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub department: Option<DepartmentCode>,
    /// The words that led to the suggestion, in the order they appear; `repeat:N` when the
    /// same phone or order complained N times in the last 30 days.
    pub signals: Vec<String>,
    /// How sure the learned model is of the category (0–1, calibrated: of suggestions made
    /// with 0.8, about eight in ten are right); absent for the keyword rules alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// Keywords found, with their byte position in the text (to list signals in reading order).
type Hits = Vec<(usize, String)>;

/// Suggests how to file `text`.
pub fn triage(rules: &TriageRules, policy: &Policy, text: &str) -> Triage {
    let lower = text.to_lowercase();
    let mut scores: Vec<(Category, usize, Hits)> = Vec::new();
    for (code, words) in &rules.categories {
        let Some(category) = Category::parse(code) else {
            continue;
        };
        let mut hits: Hits = Vec::new();
        for w in words {
            if let Some(at) = lower.find(&w.to_lowercase()) {
                // A word inside a longer one already counted adds nothing (签收 in 已签收).
                if !hits.iter().any(|(_, h)| h.contains(w.as_str())) {
                    hits.retain(|(_, h)| !w.contains(h.as_str()));
                    hits.push((at, w.clone()));
                }
            }
        }
        let score = hits.iter().map(|(_, w)| w.chars().count()).sum();
        if score > 0 {
            scores.push((category, score, hits));
        }
    }
    let rank = |c: Category| {
        rules
            .order
            .iter()
            .position(|o| o == c.code())
            .unwrap_or(usize::MAX)
    };
    scores.sort_by(|a, b| b.1.cmp(&a.1).then(rank(a.0).cmp(&rank(b.0))));
    let (category, mut signals) = match scores.into_iter().next() {
        Some((c, _, hits)) => (c, hits),
        None => (Category::Other, Vec::new()),
    };
    let mut urgent: Hits = rules
        .urgency
        .iter()
        .filter_map(|w| lower.find(&w.to_lowercase()).map(|at| (at, w.clone())))
        .collect();
    // 315 inside 12315 is one threat, named once.
    let found = urgent.clone();
    urgent.retain(|(_, w)| !found.iter().any(|(_, o)| o != w && o.contains(w.as_str())));
    let urgency = if urgent.is_empty() {
        Urgency::Normal
    } else {
        Urgency::High
    };
    signals.append(&mut urgent);
    signals.sort();
    Triage {
        category,
        urgency,
        department: policy.suggest_department(category),
        signals: signals.into_iter().map(|(_, w)| w).collect(),
        confidence: None,
    }
}

/// A rule naming a category that is not one of docs/interface.md §3.
fn not_a_category(field: &str) -> crate::FieldError {
    let allowed = Category::ALL.iter().map(|c| c.code()).collect::<Vec<_>>();
    crate::FieldError::explained(
        field,
        Problem::NotOneOf {
            allowed: allowed.join(", "),
        },
        "not a category (docs/interface.md §3)",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Triage {
        triage(&TriageRules::builtin(), &Policy::default(), text)
    }

    #[test]
    fn complaints_are_filed_by_their_words() {
        for (text, category) in [
            ("快递一个星期了还没收到，物流也不更新", Category::Logistics),
            ("收到的杯子碎了两个，外箱都压扁了", Category::Damaged),
            (
                "我买的是黑色，发成了白色，而且还少发了一件",
                Category::WrongItem,
            ),
            ("衣服洗了一次就掉色起球，质量太差", Category::Quality),
            (
                "实物和图片不一样，色差太大，与描述不符",
                Category::NotAsDescribed,
            ),
            ("刚买两天就降价了，能不能补个差价", Category::Price),
            ("退货寄回去一周了，退款还没到账", Category::Refund),
            ("客服态度太差了，问什么都敷衍", Category::Service),
            ("你好，请问能开发票吗", Category::Other),
        ] {
            assert_eq!(run(text).category, category, "{text}");
        }
    }

    #[test]
    fn threats_and_anger_make_it_urgent_and_are_named() {
        let t = run("东西坏了客服不理人，再不处理我就打12315投诉，还要给差评！！！");
        assert_eq!(t.urgency, Urgency::High);
        for w in ["12315", "差评"] {
            assert!(t.signals.contains(&w.to_owned()), "{:?}", t.signals);
        }
        assert_eq!(run("杯子碎了一个，麻烦补发").urgency, Urgency::Normal);
        // Exclamation marks alone are emphasis, not anger (measured: they flagged more calm
        // complaints than angry ones).
        assert_eq!(run("做工粗糙！！！！").urgency, Urgency::Normal);
        assert_eq!(run("半个月还没到，气愤").urgency, Urgency::High);
    }

    #[test]
    fn edited_rules_are_checked_word_by_word() {
        assert!(TriageRules::builtin().validate().is_ok());
        let mut rules = TriageRules::builtin();
        rules.categories.insert("lost".into(), vec!["丢件".into()]);
        rules.urgency.push(" ".into());
        let fields: Vec<String> = rules
            .validate()
            .unwrap_err()
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(fields.len(), 2, "{fields:?}");
        assert!(fields.contains(&"categories.lost".to_owned()));
        assert!(fields.iter().any(|f| f.starts_with("urgency[")));
        // An admin's new word is used at once.
        let mut rules = TriageRules::builtin();
        rules.urgency.push("黑猫投诉".into());
        let t = triage(&rules, &Policy::default(), "再不退款我就去黑猫投诉");
        assert_eq!(t.urgency, Urgency::High);
    }

    #[test]
    fn the_department_follows_the_routing_policy() {
        let t = run("收到的杯子碎了");
        assert_eq!(
            t.department.map(|d| d.as_str().to_owned()),
            Some("logistics".into())
        );
        assert_eq!(t.signals, ["碎了"]);
    }
}
