//! `kesu demo`: fills a database with a year of realistic generated work — shops, orders,
//! shipments and cases in every status — so the dashboard and the queue can be seen and
//! measured. Cases are taken through the real lifecycle (`decide`/`evolve`) in memory, so
//! their histories, deadlines and facts are exactly what kesu would have recorded, then
//! written in bulk.

mod generate;
mod texts;
mod walk;

use std::collections::HashMap;

use anyhow::Context;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use kesu_domain::account::Username;
use kesu_domain::codes::DepartmentCode;
use kesu_domain::Role;
use kesu_store::{NewUser, StoreError};

use crate::DbArgs;

#[derive(Args)]
pub struct DemoArgs {
    #[command(flatten)]
    db: DbArgs,
    /// How many cases to generate.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(1..=10_000_000))]
    cases: u64,
    /// Seed of the generator: the same seed and --now give the same data.
    #[arg(long, default_value_t = 20261111)]
    seed: u64,
    /// The moment the year of data ends (RFC 3339); default: now.
    #[arg(long)]
    now: Option<DateTime<chrono::FixedOffset>>,
}

/// Cases generated and written per transaction.
const BATCH: usize = 2_000;

fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}} ({{per_sec}}, {{eta}} left)"
        ))
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar
}

pub async fn run(args: DemoArgs) -> anyhow::Result<()> {
    let store = args.db.open().await?;
    let policy = store.policy().await.context("cannot read the policy")?;
    let now = args.now.map_or_else(Utc::now, |t| t.with_timezone(&Utc));
    // The first admin before the demo's staff, so the first sign-in works as on any new database.
    crate::serve::first_admin(&store).await?;
    let staff = generate::Staff::default();
    ensure_users(&store, &staff).await?;

    let started = std::time::Instant::now();
    let progress = bar(args.cases, "generating cases");
    let gen = generate::Generator::new(args.seed, now, policy.clone(), staff);
    let mut per_shop_day: HashMap<(String, NaiveDate), i64> = HashMap::new();
    let mut written = 0u64;
    let zone = policy.zone();
    let next = |mut gen: generate::Generator, n: usize| {
        tokio::task::spawn_blocking(move || {
            let batch = gen.batch(n);
            (batch, gen)
        })
    };
    let mut pending = next(gen, BATCH.min(args.cases as usize));
    loop {
        let (batch, g) = pending.await?;
        let n = batch.cases.len();
        // The next batch is generated while this one is written.
        let remaining = args.cases - written - n as u64;
        pending = next(g, BATCH.min(remaining as usize));
        for c in &batch.cases {
            if let Some(shop) = &c.context.shop {
                let day = c.case.received_at.with_timezone(&zone).date_naive();
                *per_shop_day.entry((shop.clone(), day)).or_default() += 1;
            }
        }
        store
            .import_new_orders(&batch.orders, chrono::Utc::now())
            .await
            .context("cannot store the generated orders")?;
        let mut cases = batch.cases;
        store
            .import_cases(&mut cases, &policy)
            .await
            .context("cannot store the generated cases")?;
        written += n as u64;
        progress.set_position(written);
        if remaining == 0 {
            break;
        }
    }
    progress.finish_and_clear();
    // The shops' platforms report how many orders they took each day: about two complaints
    // per thousand orders, more on a bad day.
    let counts = generate::order_counts(per_shop_day, args.seed);
    store
        .put_shop_order_counts(&counts)
        .await
        .context("cannot store the shops' order counts")?;
    println!(
        "Generated {written} cases with their orders in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let dir = args.db.search_dir();
    let indexing = bar(0, "indexing cases");
    let t = std::time::Instant::now();
    kesu_search::Search::rebuild(&store, &dir, |done, total| {
        indexing.set_length(total);
        indexing.set_position(done);
    })
    .await
    .with_context(|| {
        format!(
            "cannot rebuild the search index in {}: is `kesu serve` running on this data folder? Stop it first",
            dir.display()
        )
    })?;
    indexing.finish_and_clear();
    println!("Indexed every case in {:.1} s", t.elapsed().as_secs_f64());
    store.close().await;
    Ok(())
}

/// The demo's staff, so cases can be assigned to them (passwords are random: sign in as
/// admin and reset one to look around as an agent).
async fn ensure_users(store: &kesu_store::Store, staff: &generate::Staff) -> anyhow::Result<()> {
    let mut wanted: Vec<(String, Role, Option<String>)> = Vec::new();
    wanted.extend(staff.agents.iter().map(|a| (a.clone(), Role::Agent, None)));
    wanted.extend(
        staff
            .supervisors
            .iter()
            .map(|a| (a.clone(), Role::Supervisor, None)),
    );
    for d in ["logistics", "quality", "service", "operations"] {
        wanted.push((format!("dept.{d}"), Role::Department, Some(d.to_owned())));
    }
    for (name, role, dept) in wanted {
        let username = Username::parse(&name).map_err(|e| anyhow::anyhow!("{e:?}"))?;
        let department = dept
            .map(|d| DepartmentCode::parse(&d))
            .transpose()
            .map_err(|e| anyhow::anyhow!(e))?;
        let password: String = {
            use rand::Rng;
            rand::thread_rng()
                .sample_iter(&rand::distributions::Alphanumeric)
                .take(20)
                .map(char::from)
                .collect()
        };
        match store
            .create_user(
                NewUser {
                    username: &username,
                    password: &password,
                    role,
                    department: department.as_ref(),
                },
                kesu_store::By::new("demo", chrono::Utc::now()),
            )
            .await
        {
            Ok(_) | Err(StoreError::Duplicate(_)) => {}
            Err(e) => return Err(e).context("cannot create the demo's staff"),
        }
    }
    Ok(())
}
