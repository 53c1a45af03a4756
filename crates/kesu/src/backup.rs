//! `kesu backup FILE` and `kesu restore FILE`: a consistent copy of the database while the
//! server runs (SQLite: `VACUUM INTO`; PostgreSQL: `pg_dump` in its custom format), and its
//! return into an empty data folder or database, the search index rebuilt from it.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use clap::Args;
use kesu_store::Store;

use crate::DbArgs;

#[derive(Args)]
pub struct BackupArgs {
    /// The backup file to write (it must not exist yet).
    file: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

/// What a SQLite file and a PostgreSQL custom-format dump begin with.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";
const PG_DUMP_MAGIC: &[u8] = b"PGDMP";

pub async fn backup(args: BackupArgs) -> anyhow::Result<()> {
    if args.db.database_url.is_none() && !args.db.data.join("kesu.db").exists() {
        bail!(
            "there is no kesu database in {}: give the data folder with --data",
            args.db.data.display()
        );
    }
    let store = args.db.open().await?;
    let written = write_backup(&args.db, &store, &args.file).await;
    store.close().await;
    let size = written?;
    println!(
        "Backed up to {} ({:.1} MB)",
        args.file.display(),
        size as f64 / 1e6
    );
    Ok(())
}

/// Writes a backup of the database `db` names (open as `store`) to the new file `file`:
/// under `FILE.partial` first, synced, then renamed, so a file of that name is whole.
/// Returns its size in bytes.
pub async fn write_backup(db: &DbArgs, store: &Store, file: &Path) -> anyhow::Result<u64> {
    if file.exists() {
        bail!(
            "{} exists already: a backup never overwrites a file; choose a new name",
            file.display()
        );
    }
    let partial = partial_of(file);
    std::fs::remove_file(&partial).ok();
    match &db.database_url {
        None => store
            .backup_sqlite_into(&partial)
            .await
            .with_context(|| format!("cannot write the backup {}", partial.display()))?,
        Some(url) => {
            let out = tokio::process::Command::new("pg_dump")
                .args(["--format=custom", "--no-owner", "--file"])
                .arg(&partial)
                .arg(format!("--dbname={url}"))
                .output()
                .await
                .context(
                    "cannot run pg_dump: install the PostgreSQL client of the server's major version",
                )?;
            if !out.status.success() {
                std::fs::remove_file(&partial).ok();
                bail!(
                    "pg_dump failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
        }
    }
    // Durable before it is called a backup: the file, then its name in the folder.
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, file)?;
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir).and_then(|d| d.sync_all()).ok();
    }
    Ok(std::fs::metadata(file)?.len())
}

/// Backups `kesu serve` writes on its own, keeping the newest `keep`.
pub struct Schedule {
    pub dir: PathBuf,
    pub every: std::time::Duration,
    pub keep: usize,
}

/// The name of a scheduled backup taken at `at` (UTC): names sort as times do.
pub fn scheduled_name(at: chrono::DateTime<chrono::Utc>, postgres: bool) -> String {
    let ext = if postgres { "dump" } else { "db" };
    format!("kesu-{}.{ext}", at.format("%Y%m%d-%H%M%S"))
}

/// Which of the files in a backup folder to delete so that the newest `keep` scheduled
/// backups remain (other files are never touched).
pub fn to_prune(names: &[String], keep: usize) -> Vec<String> {
    let mut ours: Vec<&String> = names
        .iter()
        .filter(|n| {
            let stem = n
                .strip_prefix("kesu-")
                .and_then(|r| r.strip_suffix(".db").or_else(|| r.strip_suffix(".dump")));
            stem.is_some_and(|s| chrono::NaiveDateTime::parse_from_str(s, "%Y%m%d-%H%M%S").is_ok())
        })
        .collect();
    ours.sort();
    let extra = ours.len().saturating_sub(keep);
    ours.into_iter().take(extra).cloned().collect()
}

/// Runs the schedule until `stopped` turns true: each backup logged, a failed one too (the
/// server goes on serving).
pub async fn run_schedule(
    schedule: Schedule,
    db: DbArgs,
    store: Store,
    mut stopped: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(schedule.every);
    tick.tick().await; // the first is now: the first backup comes one interval after start
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            _ = stopped.changed() => return,
        }
        let name = scheduled_name(chrono::Utc::now(), db.database_url.is_some());
        let file = schedule.dir.join(&name);
        match write_backup(&db, &store, &file).await {
            Ok(size) => {
                tracing::info!(file = %file.display(), bytes = size, "scheduled backup written")
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "scheduled backup failed");
                continue;
            }
        }
        let names: Vec<String> = std::fs::read_dir(&schedule.dir)
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .collect()
            })
            .unwrap_or_default();
        for old in to_prune(&names, schedule.keep) {
            if let Err(e) = std::fs::remove_file(schedule.dir.join(&old)) {
                tracing::warn!(file = %old, error = %e, "cannot remove an old backup");
            }
        }
    }
}

#[derive(Args)]
pub struct RestoreArgs {
    /// A file written by `kesu backup`.
    file: PathBuf,
    #[command(flatten)]
    db: DbArgs,
}

pub async fn restore(args: RestoreArgs) -> anyhow::Result<()> {
    let file = &args.file;
    let mut head = [0u8; 16];
    let read = std::fs::File::open(file)
        .and_then(|mut f| f.read(&mut head))
        .with_context(|| format!("cannot read the backup {}", file.display()))?;
    let head = &head[..read];
    let store = match &args.db.database_url {
        None => {
            if !head.starts_with(SQLITE_MAGIC) {
                bail!(
                    "{} is not a backup of a SQLite database (for PostgreSQL give --database-url)",
                    file.display()
                );
            }
            let db = args.db.data.join("kesu.db");
            if db.exists() {
                bail!(
                    "{} holds a database already: restore into an empty data folder",
                    args.db.data.display()
                );
            }
            std::fs::create_dir_all(&args.db.data).with_context(|| {
                format!("cannot create the data folder {}", args.db.data.display())
            })?;
            let partial = partial_of(&db);
            std::fs::copy(file, &partial)
                .with_context(|| format!("cannot copy into {}", partial.display()))?;
            std::fs::File::open(&partial)?.sync_all()?;
            std::fs::rename(&partial, &db)?;
            match args.db.open().await {
                Ok(store) => store,
                Err(e) => {
                    std::fs::remove_file(&db).ok();
                    return Err(e.context("the backup is not a kesu database"));
                }
            }
        }
        Some(url) => {
            if !head.starts_with(PG_DUMP_MAGIC) {
                bail!(
                    "{} is not a pg_dump backup (a SQLite backup is restored with --data)",
                    file.display()
                );
            }
            // One transaction: into an empty database it all goes in, else nothing does.
            let out = Command::new("pg_restore")
                .args(["--exit-on-error", "--single-transaction", "--no-owner"])
                .arg(format!("--dbname={url}"))
                .arg(file)
                .output()
                .context("cannot run pg_restore: install the PostgreSQL client of the server's major version")?;
            if !out.status.success() {
                bail!(
                    "pg_restore failed (restore into an empty database): {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            args.db.open().await?
        }
    };
    let cases = store.case_count().await?;
    // Positions in the old database's change log mean nothing here (on PostgreSQL its
    // transaction ids were another server's): copies start afresh from the restored data.
    let chained = store.seal_restored().await?;
    if chained > 0 {
        tracing::info!(
            entries = chained,
            "chained the audit entries the backup held unchained"
        );
    }
    store.restart_change_log().await?;
    rebuild_index(&store, &args.db.search_dir()).await?;
    store.close().await;
    let noun = if cases == 1 { "case" } else { "cases" };
    println!(
        "Restored {cases} {noun} from {}; the search index is rebuilt",
        file.display()
    );
    Ok(())
}

/// The index is derived from the database: whatever was there is replaced.
async fn rebuild_index(store: &Store, dir: &Path) -> anyhow::Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("cannot clear {}", dir.display()))?;
    }
    kesu_search::Search::rebuild(store, dir, |_, _| {})
        .await
        .with_context(|| format!("cannot rebuild the search index in {}", dir.display()))?;
    Ok(())
}

/// Where a file is written before it is complete.
fn partial_of(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(".partial");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_backups_are_kept_and_other_files_left_alone() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-12-01T03:00:00Z").unwrap();
        assert_eq!(scheduled_name(at.into(), false), "kesu-20261201-030000.db");
        assert_eq!(scheduled_name(at.into(), true), "kesu-20261201-030000.dump");
        let names: Vec<String> = [
            "kesu-20261203-030000.db",
            "notes.txt",
            "kesu-20261201-030000.db",
            "kesu-20261202-030000.db",
            "kesu-20261130-030000.db.partial",
            "kesu-manual.db",
        ]
        .map(str::to_owned)
        .into();
        assert_eq!(to_prune(&names, 2), vec!["kesu-20261201-030000.db"]);
        assert_eq!(to_prune(&names, 5), Vec::<String>::new());
        assert_eq!(to_prune(&names, 0).len(), 3);
    }
}
