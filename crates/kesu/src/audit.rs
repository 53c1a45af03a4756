//! `kesu audit verify` and `kesu audit head`: prove the audit trail unaltered, and export its
//! head so that even a chain rewritten from start to end is caught later.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use kesu_store::Verdict;

use crate::DbArgs;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Walk the whole chain: `intact: N entries, head <hex>` (exit 0), or the first entry
    /// changed, inserted or removed (`broken at entry N: …`, exit 1).
    Verify(VerifyArgs),
    /// Print the chain's head (`<entries> <hex>`), and append it with the time to FILE with
    /// --append: keep that file elsewhere and give it to `verify --heads`.
    Head(HeadArgs),
}

#[derive(Args)]
pub struct VerifyArgs {
    /// A head exported earlier, `N:HEX` (or `N HEX`): the chain must still pass through it.
    #[arg(long)]
    anchor: Option<String>,
    /// A file of heads written by `kesu audit head --append`: every one must still hold.
    #[arg(long)]
    heads: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

#[derive(Args)]
pub struct HeadArgs {
    /// Append `<time> <entries> <hex>` to this file.
    #[arg(long)]
    append: Option<PathBuf>,
    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(command: AuditCommand) -> anyhow::Result<ExitCode> {
    match command {
        AuditCommand::Verify(args) => verify(args).await,
        AuditCommand::Head(args) => head(args).await,
    }
}

fn parse_anchor(text: &str) -> anyhow::Result<(i64, String)> {
    let mut parts = text.split([':', ' ']).filter(|p| !p.is_empty());
    let (Some(n), Some(hex), None) = (parts.next(), parts.next(), parts.next()) else {
        bail!("a head is written `N:HEX` (entries, then the hash), not `{text}`");
    };
    let n: i64 = n
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .with_context(|| format!("`{n}` is not a number of entries"))?;
    if hex.len() != 64 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        bail!("`{hex}` is not a SHA-256 hash (64 hexadecimal digits)");
    }
    Ok((n, hex.to_ascii_lowercase()))
}

/// The heads in a file `kesu audit head --append` wrote: the last two words of each line.
fn read_heads(path: &Path) -> anyhow::Result<Vec<(i64, String)>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the heads file {}", path.display()))?;
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
        .map(|(i, line)| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let tail = words[words.len().saturating_sub(2)..].join(" ");
            parse_anchor(&tail).with_context(|| format!("{} line {}", path.display(), i + 1))
        })
        .collect()
}

async fn verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    let mut anchors = Vec::new();
    if let Some(a) = &args.anchor {
        anchors.push(parse_anchor(a)?);
    }
    if let Some(f) = &args.heads {
        anchors.extend(read_heads(f)?);
    }
    let store = args.db.open().await?;
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} verifying the audit trail: {pos} entries ({per_sec})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let started = std::time::Instant::now();
    // The latest anchor is the strongest check; earlier ones are each checked as well
    // (a walk per anchor would cost a walk each, so the latest rides along the main walk
    // and the others are checked against the links read).
    anchors.sort();
    let last = anchors.pop();
    let mut verdict = store
        .verify_audit(last, &mut |n: i64| bar.set_position(n as u64))
        .await;
    if let Ok(Verdict::Intact(_)) = &verdict {
        for anchor in anchors.iter().rev() {
            match store.audit_link_hash(anchor.0).await {
                Ok(Some(h)) if h == anchor.1 => {}
                Ok(_) => {
                    verdict = Ok(Verdict::Broken {
                        at: kesu_domain::audit::Break::Rewritten { index: anchor.0 },
                        why: "the head exported then is no longer in the chain".into(),
                    });
                    break;
                }
                Err(e) => {
                    verdict = Err(e);
                    break;
                }
            }
        }
    }
    bar.finish_and_clear();
    store.close().await;
    let elapsed = started.elapsed().as_secs_f64();
    match verdict.context("cannot read the audit trail")? {
        Verdict::Intact(intact) => {
            println!("intact: {} entries, head {}", intact.entries, intact.head);
            eprintln!("verified in {elapsed:.1} s");
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Broken { at, why } => {
            println!("{at} — {why}");
            Ok(ExitCode::from(1))
        }
    }
}

async fn head(args: HeadArgs) -> anyhow::Result<ExitCode> {
    let store = args.db.open().await?;
    store.seal_pending(|_| {}).await?;
    let (entries, hash) = store.audit_head().await?;
    store.close().await;
    println!("{entries} {hash}");
    if let Some(path) = &args.append {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .with_context(|| format!("cannot write the heads file {}", path.display()))?;
        writeln!(f, "{} {entries} {hash}", chrono::Utc::now().to_rfc3339())?;
        f.sync_all()?;
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_read_in_either_form_and_nonsense_is_refused() {
        let h = "ab".repeat(32);
        assert_eq!(parse_anchor(&format!("12:{h}")).unwrap(), (12, h.clone()));
        assert_eq!(
            parse_anchor(&format!("12 {}", h.to_uppercase())).unwrap(),
            (12, h)
        );
        assert!(parse_anchor("12").is_err());
        assert!(parse_anchor("x:00").is_err());
        assert!(parse_anchor(&format!("-1:{}", "0".repeat(64))).is_err());
    }
}
