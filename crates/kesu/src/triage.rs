//! `kesu triage`: complaint texts one per line on stdin → one JSON object per line
//! (CONTRACT.md §8), departments by the default routing policy.

use std::io::{BufRead, Write};

use anyhow::Context;
use kesu_domain::triage::{triage, TriageRules};
use kesu_domain::Policy;

pub fn run() -> anyhow::Result<std::process::ExitCode> {
    let rules = TriageRules::builtin();
    let policy = Policy::default();
    let mut out = std::io::stdout().lock();
    for (i, line) in std::io::stdin().lock().lines().enumerate() {
        let line = line.with_context(|| format!("line {}: not UTF-8 text", i + 1))?;
        let result = triage(&rules, &policy, line.trim());
        writeln!(out, "{}", serde_json::to_string(&result)?)?;
    }
    Ok(std::process::ExitCode::SUCCESS)
}
