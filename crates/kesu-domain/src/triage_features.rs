//! What the learned triage model reads in a complaint: jieba words, character bigrams (they
//! catch words jieba splits differently, and typos), and the shop's keyword rules as extra
//! features, so a keyword an admin adds still counts before any case teaches it.

use std::collections::HashSet;

use jieba_rs::TokenizeMode;

use crate::triage::TriageRules;

/// A feature with where it starts in the text, so signals can be listed in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Feature {
    pub key: String,
    /// What a person is shown when this feature weighed in; empty for rule markers.
    pub shown: String,
    pub at: usize,
}

/// The features of `text`, each distinct key once (a word said twice is not twice the evidence
/// in a short complaint).
pub(crate) fn features(rules: &TriageRules, text: &str) -> Vec<Feature> {
    let lower = text.to_lowercase();
    let mut out: Vec<Feature> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut push = |key: String, shown: String, at: usize| {
        if seen.insert(key.clone()) {
            out.push(Feature { key, shown, at });
        }
    };
    for token in crate::reply_check::jieba().tokenize(&lower, TokenizeMode::Default, false) {
        if token.word.chars().any(is_word_char) {
            push(
                format!("w:{}", token.word),
                token.word.to_owned(),
                token.start,
            );
        }
    }
    let chars: Vec<(usize, char)> = lower.char_indices().collect();
    for pair in chars.windows(2) {
        let ((at, a), (_, b)) = (pair[0], pair[1]);
        if is_word_char(a) && is_word_char(b) && (is_cjk(a) || is_cjk(b)) {
            push(format!("b:{a}{b}"), format!("{a}{b}"), at);
        }
    }
    for (code, words) in &rules.categories {
        for w in words {
            if let Some(at) = lower.find(&w.to_lowercase()) {
                push(format!("r:{code}:{w}"), w.clone(), at);
                push(format!("r:{code}"), String::new(), at);
            }
        }
    }
    for w in &rules.urgency {
        if let Some(at) = lower.find(&w.to_lowercase()) {
            push("u:threat".to_owned(), String::new(), at);
            push(format!("u:{w}"), w.clone(), at);
        }
    }
    out
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_bigrams_and_rule_hits_are_features_once_each() {
        let rules = TriageRules::builtin();
        let f = features(&rules, "快递一个星期了还没收到，快递太慢");
        let keys: Vec<&str> = f.iter().map(|f| f.key.as_str()).collect();
        assert!(keys.contains(&"w:快递"), "{keys:?}");
        assert!(keys.contains(&"b:收到"), "{keys:?}");
        assert!(keys.contains(&"r:logistics"), "{keys:?}");
        assert_eq!(keys.iter().filter(|k| **k == "w:快递").count(), 1);
        // Punctuation is no feature, and neither is a bigram across it.
        assert!(!keys.iter().any(|k| k.contains('，')), "{keys:?}");
    }

    #[test]
    fn a_threat_is_marked_by_the_urgency_words() {
        let rules = TriageRules::builtin();
        let f = features(&rules, "再不处理我就打12315");
        assert!(f.iter().any(|f| f.key == "u:threat"));
        assert!(f.iter().any(|f| f.shown == "12315"));
    }
}
