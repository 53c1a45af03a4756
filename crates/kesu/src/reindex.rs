//! `kesu reindex`: rebuild the search index from the database, with a progress bar.

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};

use crate::DbArgs;

#[derive(Args)]
pub struct ReindexArgs {
    #[command(flatten)]
    db: DbArgs,
}

pub async fn run(args: ReindexArgs) -> anyhow::Result<()> {
    let store = args.db.open().await?;
    let dir = args.db.search_dir();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} indexing cases [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let started = std::time::Instant::now();
    let indexed = kesu_search::Search::rebuild(&store, &dir, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .with_context(|| {
        format!(
            "cannot rebuild the search index in {}: is `kesu serve` running on this data folder? Stop it first",
            dir.display()
        )
    })?;
    bar.finish_and_clear();
    println!(
        "Indexed {indexed} cases in {:.1} s into {}",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    store.close().await;
    Ok(())
}
