//! `kesu import orders FILE`: JSON Lines or CSV exports into kesu, with a progress bar,
//! a report naming the line and field of every rejected row, and all-or-nothing per order.

use kesu_import::{csv_orders, decode, jsonl, RowError};

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::{Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressStyle};
use kesu_domain::order::Order;

use crate::DbArgs;

#[derive(Subcommand)]
pub enum ImportCommand {
    /// Import orders from a JSON Lines (one order per line, with "order_no") or CSV
    /// (one row per order line) export. UTF-8 or GBK. Bad rows are reported by line and
    /// field and skipped; the rest is imported. Exit 1 when any row was rejected.
    Orders {
        file: PathBuf,
        /// The file's format; by default taken from its extension (.jsonl, .ndjson, .csv).
        #[arg(long, value_enum)]
        format: Option<Format>,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq, Debug)]
pub enum Format {
    Jsonl,
    Csv,
}

/// What an import did so far.
#[derive(Default)]
struct Tally {
    created: usize,
    replaced: usize,
    errors: Vec<RowError>,
}

impl Tally {
    /// Stores a batch of orders (each with the line it starts on) and counts the outcome.
    async fn write(&mut self, store: &kesu_store::Store, batch: Vec<(usize, Order)>) {
        let (lines, orders): (Vec<usize>, Vec<Order>) = batch.into_iter().unzip();
        for ((line, order), result) in lines
            .iter()
            .zip(&orders)
            .zip(store.put_orders(&orders, chrono::Utc::now()).await)
        {
            match result {
                Ok(true) => self.created += 1,
                Ok(false) => self.replaced += 1,
                Err(e) => self.errors.push(RowError {
                    line: *line,
                    order_no: Some(order.order_no.to_string()),
                    field: String::new(),
                    message: e.to_string(),
                }),
            }
        }
    }
}

pub async fn run(cmd: ImportCommand) -> anyhow::Result<std::process::ExitCode> {
    let ImportCommand::Orders { file, format, db } = cmd;
    let format = match format {
        Some(f) => f,
        None => guess_format(&file)?,
    };
    let bytes = std::fs::read(&file).with_context(|| format!("cannot read {}", file.display()))?;
    let (text, encoding) = decode(bytes)?;
    let started = Instant::now();
    let store = db.open().await?;
    let mut tally = Tally::default();
    match format {
        Format::Jsonl => {
            // Parsed and written a batch at a time, so memory stays flat however long the file.
            let lines: Vec<(usize, &str)> =
                text.lines().enumerate().map(|(i, l)| (i + 1, l)).collect();
            let bar = progress(lines.len() as u64);
            for chunk in lines.chunks(kesu_store::ORDER_BATCH) {
                let parsed = jsonl::parse_lines(chunk);
                tally.errors.extend(parsed.errors);
                tally.write(&store, parsed.orders).await;
                bar.inc(chunk.len() as u64);
            }
            bar.finish_and_clear();
        }
        Format::Csv => {
            // Rows of one order may be anywhere in the file: gather them all first.
            let parsed = csv_orders::parse(&text)?;
            tally.errors.extend(parsed.errors);
            let bar = progress(parsed.orders.len() as u64);
            let mut orders = parsed.orders;
            while !orders.is_empty() {
                let rest = orders.split_off(orders.len().min(kesu_store::ORDER_BATCH));
                let batch = std::mem::replace(&mut orders, rest);
                bar.inc(batch.len() as u64);
                tally.write(&store, batch).await;
            }
            bar.finish_and_clear();
        }
    }
    let Tally {
        created,
        replaced,
        mut errors,
    } = tally;
    let secs = started.elapsed().as_secs_f64();
    let done = created + replaced;
    eprintln!(
        "imported {done} orders ({created} new, {replaced} replaced) from {} ({encoding}) in {secs:.1} s: {:.0} orders/min",
        file.display(),
        done as f64 / secs.max(1e-9) * 60.0
    );
    if errors.is_empty() {
        return Ok(std::process::ExitCode::SUCCESS);
    }
    errors.sort_by_key(|e| e.line);
    eprintln!(
        "{} rows rejected; nothing of their orders was stored:",
        errors.len()
    );
    for e in &errors {
        let order = e
            .order_no
            .as_deref()
            .map(|o| format!(" order {o}"))
            .unwrap_or_default();
        let field = if e.field.is_empty() {
            String::new()
        } else {
            format!(" {}:", e.field)
        };
        eprintln!("  line {}{order}:{field} {}", e.line, e.message);
    }
    Ok(std::process::ExitCode::from(1))
}

fn guess_format(file: &Path) -> anyhow::Result<Format> {
    match file
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("jsonl" | "ndjson" | "json") => Ok(Format::Jsonl),
        Some("csv") => Ok(Format::Csv),
        _ => bail!(
            "cannot tell the format of {} from its name: add --format jsonl or --format csv",
            file.display()
        ),
    }
}

fn progress(total: u64) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} importing orders [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}
