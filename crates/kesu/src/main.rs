//! The `kesu` command: parses the command line and hands over to the library crates.

mod audit;
mod backup;
mod bench;
mod bench_triage;
mod check_reply;
mod demo;
mod evaluate;
mod import;
mod oidc_args;
mod quote;
mod reindex;
mod serve;
mod triage;
mod users;

use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kesu_store::Store;

#[derive(Parser)]
#[command(
    name = "kesu",
    version,
    about = "kesu (客诉): the after-sales complaint and dispute desk"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server: the workbench at /, the JSON API at /api/v1, the health check at /healthz.
    Serve(Box<serve::ServeArgs>),
    /// Manage staff accounts.
    #[command(subcommand)]
    User(users::UserCommand),
    /// Quote a refund: the JSON of POST /api/v1/refunds/quote on stdin, the quote on stdout
    /// (exit 0), or the problem on stdout (exit 1) when the request is invalid.
    QuoteRefund,
    /// Import data from other systems' exports.
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Check a reply (stdin) before it is sent: findings as JSON on stdout; exit 0 when
    /// nothing blocks, 1 when something does.
    CheckReply(check_reply::CheckReplyArgs),
    /// Suggest category, urgency and department: complaint texts one per line on stdin, one
    /// JSON object per line on stdout (the built-in model, or the shop's with --data /
    /// --database-url); `kesu triage train` trains the shop's model now.
    Triage(triage::TriageArgs),
    /// Measure triage and the reply checker on labelled real texts (built in, or --file).
    #[command(subcommand)]
    Evaluate(evaluate::EvaluateCommand),
    /// Rebuild the search index from the database (while the server is stopped).
    Reindex(reindex::ReindexArgs),
    /// Fill a database with a year of realistic generated shops, orders, shipments and cases
    /// (while the server is stopped), then index them.
    Demo(demo::DemoArgs),
    /// Measure how fast search and the dashboard's reports answer on this database (over
    /// HTTP, against the real server started on a free port); prints median and p90.
    Bench(bench::BenchArgs),
    /// Write a consistent copy of the database to FILE while the server runs (SQLite:
    /// VACUUM INTO; PostgreSQL: pg_dump, custom format).
    Backup(backup::BackupArgs),
    /// Restore a backup into an empty data folder (SQLite) or empty database (--database-url),
    /// then rebuild the search index.
    Restore(backup::RestoreArgs),
    /// The audit trail: verify its chain, export its head.
    #[command(subcommand)]
    Audit(audit::AuditCommand),
}

/// Where the data lives; shared by every subcommand that opens the database.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// Data folder: holds the search index, and the SQLite database unless --database-url
    /// is given.
    #[arg(long, env = "KESU_DATA", default_value = "./kesu-data")]
    pub data: PathBuf,
    /// Database URL: postgres://… for PostgreSQL; default: a SQLite file in the data folder.
    #[arg(long, env = "KESU_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DbArgs {
    /// The shop's database when `--data` or `--database-url` names one (commands that work
    /// without a database otherwise); a data folder without a kesu database is an error, not
    /// a new empty database.
    pub fn existing(
        data: Option<PathBuf>,
        database_url: Option<String>,
    ) -> anyhow::Result<Option<DbArgs>> {
        if data.is_none() && database_url.is_none() {
            return Ok(None);
        }
        let data = data.unwrap_or_else(|| PathBuf::from("./kesu-data"));
        if database_url.is_none() && !data.join("kesu.db").exists() {
            anyhow::bail!(
                "no kesu database in {}: give the data folder kesu serve uses, or leave out \
                 --data for the built-in model",
                data.display()
            );
        }
        Ok(Some(DbArgs { data, database_url }))
    }

    /// The search index's folder: inside the data folder, whichever database is used.
    pub fn search_dir(&self) -> PathBuf {
        self.data.join("search")
    }

    pub async fn open(&self) -> anyhow::Result<Store> {
        let url = match &self.database_url {
            Some(url) => url.clone(),
            None => {
                std::fs::create_dir_all(&self.data).with_context(|| {
                    format!(
                        "cannot create the data folder {}: choose another with --data",
                        self.data.display()
                    )
                })?;
                check_writable(&self.data)?;
                kesu_store::sqlite_url_in(&self.data)
            }
        };
        Store::connect(&url).await.with_context(|| {
            format!(
                "cannot open the database {}: check --database-url / --data",
                redact_url(&url)
            )
        })
    }
}

/// Says at once, instead of after 30 s of retries, that the database cannot be written.
fn check_writable(data: &std::path::Path) -> anyhow::Result<()> {
    let probe = data.join(".kesu-write-check");
    let written = std::fs::write(&probe, b"kesu").and_then(|()| std::fs::remove_file(&probe));
    if let Err(e) = written {
        anyhow::bail!(
            "the data folder {} cannot be written ({e}): kesu keeps its database there; \
             fix its permissions, free some space, or choose another with --data",
            data.display()
        );
    }
    let db = data.join("kesu.db");
    if db.exists() && std::fs::OpenOptions::new().append(true).open(&db).is_err() {
        anyhow::bail!(
            "the database {} is read-only: kesu must write to it; fix its permissions",
            db.display()
        );
    }
    Ok(())
}

/// A database URL without its password, fit for messages.
fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

fn main() -> anyhow::Result<std::process::ExitCode> {
    let cli = Cli::parse();
    let runtime = || tokio::runtime::Runtime::new().context("cannot start the async runtime");
    match cli.command {
        Command::Serve(args) => runtime()?.block_on(serve::run(*args))?,
        Command::User(cmd) => runtime()?.block_on(users::run(cmd))?,
        Command::QuoteRefund => return quote::run(),
        Command::Import(cmd) => return runtime()?.block_on(import::run(cmd)),
        Command::CheckReply(args) => return check_reply::run(args),
        Command::Triage(args) => return runtime()?.block_on(triage::run(args)),
        Command::Evaluate(command) => return evaluate::run(command),
        Command::Reindex(args) => runtime()?.block_on(reindex::run(args))?,
        Command::Demo(args) => runtime()?.block_on(demo::run(args))?,
        Command::Bench(args) => runtime()?.block_on(bench::run(args))?,
        Command::Backup(args) => runtime()?.block_on(backup::backup(args))?,
        Command::Restore(args) => runtime()?.block_on(backup::restore(args))?,
        Command::Audit(command) => return runtime()?.block_on(audit::run(command)),
    }
    Ok(std::process::ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://kesu:s3cret@db:5432/kesu"),
            "postgres://kesu:***@db:5432/kesu"
        );
        assert_eq!(
            redact_url("sqlite://./kesu-data/kesu.db"),
            "sqlite://./kesu-data/kesu.db"
        );
    }

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
