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

mod replies;
mod shop;
mod triage;

use replies::{replies_report, Violation};
use triage::triage_report;

const COMPLAINTS: &str = include_str!("../../eval/complaints.jsonl");
const REPLIES: &str = include_str!("../../eval/replies.jsonl");
const CONTACT_TEXTS: &str = include_str!("../../eval/contact_texts.jsonl");

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
    /// Triage only: the shop's model on the held-out cases of the shop in this data folder.
    #[arg(long, conflicts_with = "file")]
    data: Option<PathBuf>,
    /// Triage only: likewise for the shop in this database (postgres://…).
    #[arg(long, conflicts_with_all = ["file", "data"])]
    database_url: Option<String>,
}

impl EvaluateArgs {
    /// The shop's database, when one was named.
    fn shop(&self) -> anyhow::Result<Option<crate::DbArgs>> {
        crate::DbArgs::existing(self.data.clone(), self.database_url.clone())
    }
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
        EvaluateCommand::Triage(args) => match args.shop()? {
            Some(db) => tokio::runtime::Runtime::new()
                .context("cannot start the async runtime")?
                .block_on(shop::shop_report(db, args.verbose))?,
            None => {
                let (name, text) = source(
                    &args,
                    "built-in: crates/kesu/eval/complaints.jsonl",
                    COMPLAINTS,
                )?;
                let items = parse::<LabelledComplaint>(&text).with_context(|| name.clone())?;
                let name = format!("{name}{}", args.half.describe());
                triage_report(&name, &args.half.keep(items), args.verbose)
            }
        },
        EvaluateCommand::Replies(args) => {
            if args.data.is_some() || args.database_url.is_some() {
                anyhow::bail!("--data and --database-url measure triage only");
            }
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

#[cfg(test)]
mod tests;
