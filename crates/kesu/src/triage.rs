//! `kesu triage`: complaint texts one per line on stdin → one JSON object per line
//! (docs/interface.md §8, §12) from the built-in learned model, departments by the default
//! routing policy, the first-reply script from the built-in library.

use std::io::{BufRead, Write};

use anyhow::Context;
use kesu_domain::scripts::{builtin, first_reply_for, Language};
use kesu_domain::triage::TriageRules;
use kesu_domain::triage_model::suggest_builtin;
use kesu_domain::Policy;
use kesu_web::api::triage::{TemplateRef, TriageView};

pub fn run() -> anyhow::Result<std::process::ExitCode> {
    let rules = TriageRules::builtin();
    let policy = Policy::default();
    let library = builtin();
    let mut out = std::io::stdout().lock();
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.with_context(|| format!("line {}: not UTF-8 text", i + 1))?;
        let triage = suggest_builtin(&rules, &policy, line.trim());
        let first_reply_template =
            first_reply_for(&library, triage.category, Language::Zh).map(|t| TemplateRef {
                id: t.id.clone(),
                title: t.title.clone(),
            });
        let result = TriageView {
            triage,
            first_reply_template,
        };
        writeln!(out, "{}", serde_json::to_string(&result)?)?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}
