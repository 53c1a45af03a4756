//! `kesu triage`: complaint texts one per line on stdin → one JSON object per line
//! (docs/interface.md §8, §12). Without a database: the built-in model, rules, routing policy
//! and scripts; with `--data` or `--database-url`: the shop's own (its model once a training
//! replaced the built-in one). `kesu triage train` trains the shop's model now.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Subcommand};
use kesu_app::triage::{ModelInUse, TrainingDone};
use kesu_domain::scripts::{builtin, ReplyTemplate};
use kesu_domain::triage::TriageRules;
use kesu_domain::triage_model::{TriageContext, TriageModel};
use kesu_domain::triage_shop::Trained;
use kesu_domain::Policy;
use kesu_web::api::triage::TriageView;

use crate::DbArgs;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct TriageArgs {
    #[command(subcommand)]
    command: Option<TriageCommand>,
    /// Use the shop's model, rules and routing in this data folder (its SQLite database).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Use the shop's model, rules and routing in this database (postgres://…).
    #[arg(long, conflicts_with = "data")]
    database_url: Option<String>,
}

#[derive(Subcommand)]
enum TriageCommand {
    /// Train the shop's model now from its closed cases; print how it scored against the
    /// model it would replace on the held-out cases, and whether it replaced it.
    Train(DbArgs),
}

pub async fn run(args: TriageArgs) -> anyhow::Result<std::process::ExitCode> {
    if let Some(TriageCommand::Train(db)) = args.command {
        return train(db).await;
    }
    let shop = match DbArgs::existing(args.data, args.database_url)? {
        Some(db) => Some(db.open().await?),
        None => None,
    };
    let (rules, policy, library, model, store) = match shop {
        None => (
            TriageRules::builtin(),
            Policy::default(),
            builtin(),
            ModelInUse::BuiltIn,
            None,
        ),
        Some(store) => (
            store.triage_rules().await?,
            store.policy().await?,
            store.reply_templates().await?.templates,
            kesu_app::triage::model_in_use(&store).await?,
            Some(store),
        ),
    };
    let mut out = std::io::stdout().lock();
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.with_context(|| format!("line {}: not UTF-8 text", i + 1))?;
        let view = suggest(model.model(), &rules, &policy, &library, line.trim());
        writeln!(out, "{}", serde_json::to_string(&view)?)?;
    }
    drop(out);
    if let Some(store) = store {
        store.close().await;
    }
    Ok(std::process::ExitCode::SUCCESS)
}

fn suggest(
    model: &TriageModel,
    rules: &TriageRules,
    policy: &Policy,
    library: &[ReplyTemplate],
    text: &str,
) -> TriageView {
    TriageView::new(
        model.suggest(rules, policy, text, TriageContext::default()),
        library,
    )
}

async fn train(db: DbArgs) -> anyhow::Result<std::process::ExitCode> {
    let store = db.open().await?;
    eprintln!("training on the shop's closed cases…");
    let started = std::time::Instant::now();
    let done = kesu_app::triage::train(&store, "command-line", chrono::Utc::now())
        .await
        .map_err(|e| anyhow::anyhow!("training failed: {e}"))?;
    store.close().await;
    print!("{}", report(&done, started.elapsed()));
    Ok(std::process::ExitCode::SUCCESS)
}

fn report(done: &TrainingDone, took: std::time::Duration) -> String {
    match &done.trained {
        Trained::TooFew { have, need } => format!(
            "not trained: {have} closed cases, at least {need} are needed; the {} model stays in use\n",
            done.compared_with
        ),
        Trained::Done(t) => {
            let pct = |s: kesu_domain::triage_shop::Score| {
                format!("{:.1}% ({}/{})", s.accuracy() * 100.0, s.right, s.of)
            };
            format!(
                "trained on {} closed cases in {:.1} s; {} held out to compare\n\
                 new model:            {}\n\
                 model in use ({}): {}\n\
                 {}\n",
                t.learned_from,
                took.as_secs_f64(),
                t.new_score.of,
                pct(t.new_score),
                done.compared_with,
                pct(t.old_score),
                if t.replaces {
                    format!(
                        "the new model replaces it (training {})",
                        done.id.unwrap_or_default()
                    )
                } else {
                    "the new model did worse: the one in use stays".to_owned()
                }
            )
        }
    }
}
