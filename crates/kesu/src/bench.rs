//! `kesu bench`: how fast search and the dashboard answer on the data in a database, over
//! HTTP against the real server started in-process on a free port (as a browser would ask).
//! Prints the median and 90th percentile of each request.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};
use chrono::Duration;
use clap::Args;
use kesu_domain::report::percentile;
use kesu_domain::Role;
use kesu_web::{AppState, SystemClock};

use crate::DbArgs;

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct BenchArgs {
    #[command(subcommand)]
    command: Option<BenchCommand>,
    #[command(flatten)]
    db: DbArgs,
    /// How many times each request is made.
    #[arg(long, default_value_t = 30)]
    runs: usize,
}

#[derive(clap::Subcommand)]
enum BenchCommand {
    /// Triage that learns: accuracy after a shop's first N cases, training speed on many
    /// cases, the time of one suggestion (no database needed).
    Triage(crate::bench_triage::TriageBenchArgs),
}

pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    if let Some(BenchCommand::Triage(triage)) = args.command {
        return crate::bench_triage::run(triage);
    }
    let store = args.db.open().await?;
    let cases = store.case_count().await?;
    if cases == 0 {
        bail!("the database has no cases: fill it first with `kesu demo --cases N`");
    }
    let user = store
        .users()
        .await?
        .into_iter()
        .find(|u| matches!(u.role, Role::Supervisor | Role::Admin) && !u.disabled)
        .context("the benchmark signs in as a supervisor or admin, and the database has none")?;
    let started = Instant::now();
    let search = kesu_search::Search::start(store.clone(), &args.db.search_dir())
        .await
        .context("cannot open the search index: run `kesu reindex`")?;
    println!(
        "search index opened and checked in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let clock = Arc::new(SystemClock);
    let state = AppState::new(store.clone(), clock, search);
    let now = chrono::Utc::now();
    let zone = state.zone().await;
    let token = store.issue_token(&user, now).await?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(kesu_web::serve(listener, state, async {
        stopped.await.ok();
    }));
    let client = reqwest::Client::new();
    let get = |path: String| {
        let req = client.get(format!("{base}{path}")).bearer_auth(&token);
        async move {
            let t = Instant::now();
            let resp = req.send().await?;
            let status = resp.status();
            let body = resp.bytes().await?;
            if !status.is_success() {
                bail!("{status}: {}", String::from_utf8_lossy(&body));
            }
            Ok::<_, anyhow::Error>((t.elapsed().as_secs_f64() * 1000.0, body))
        }
    };

    // The first report waits for the facts to load: that is the start-up cost, shown apart.
    let today = now.with_timezone(&zone).date_naive();
    let year = format!("from={}&to={today}", today - Duration::days(364));
    let loading = Instant::now();
    loop {
        match get(format!("/api/v1/reports/summary?{year}")).await {
            Ok(_) => break,
            // 503 while the facts are still being prepared (derived for an older database).
            Err(e) if e.to_string().starts_with("503") && loading.elapsed().as_secs() < 3600 => {
                continue
            }
            Err(e) => return Err(e),
        }
    }
    println!(
        "report facts loaded (first report) in {:.1} s",
        loading.elapsed().as_secs_f64()
    );

    let sample: serde_json::Value =
        serde_json::from_slice(&get("/api/v1/cases?page=1".into()).await?.1)?;
    let first = &sample["items"][0];
    let text = |k: &str| first[k].as_str().map(str::to_owned);
    let mut searches: Vec<(String, String)> = [
        "物流",
        "破损",
        "起球",
        "退款 没到账",
        "快递 签收",
        "羽绒服",
        "态度",
    ]
    .iter()
    .map(|w| {
        (
            format!("q={w}"),
            form_urlencoded::byte_serialize(w.as_bytes()).collect(),
        )
    })
    .collect();
    for v in [
        text("number"),
        text("order_no"),
        first["complainant"]["phone"].as_str().map(str::to_owned),
    ]
    .into_iter()
    .flatten()
    {
        searches.push((format!("q={v}"), v.clone()));
    }
    if let Some(order) = text("order_no") {
        let prefix: String = order.chars().take(order.len() - 3).collect();
        searches.push((format!("q={prefix} (prefix)"), prefix));
    }
    let mut rows: Vec<(String, (Vec<f64>, String))> = Vec::new();
    for (label, q) in &searches {
        rows.push((
            format!("search {label}"),
            time_n(args.runs, || get(format!("/api/v1/cases?q={q}"))).await?,
        ));
    }
    rows.push((
        "search q=物流&status=closed".into(),
        time_n(args.runs, || {
            get(format!(
                "/api/v1/cases?q={}&status=closed",
                form_urlencoded::byte_serialize("物流".as_bytes()).collect::<String>()
            ))
        })
        .await?,
    ));
    let month = format!("from={}&to={today}", today - Duration::days(29));
    for (label, path) in [
        (
            "summary, last 365 days",
            format!("/api/v1/reports/summary?{year}"),
        ),
        (
            "dashboard, last 365 days",
            format!("/api/v1/reports/dashboard?{year}"),
        ),
        (
            "dashboard, last 365 days, department=logistics",
            format!("/api/v1/reports/dashboard?{year}&department=logistics"),
        ),
        (
            "dashboard, last 365 days, category=quality&channel=chat",
            format!("/api/v1/reports/dashboard?{year}&category=quality&channel=chat"),
        ),
        (
            "dashboard, last 30 days",
            format!("/api/v1/reports/dashboard?{month}"),
        ),
    ] {
        rows.push((
            label.to_owned(),
            time_n(args.runs, || get(path.clone())).await?,
        ));
    }

    println!(
        "\n{cases} cases, {:?}, {} runs each (milliseconds, over HTTP):",
        store.backend(),
        args.runs
    );
    println!(
        "{:<60} {:>8} {:>8} {:>8} {:>9}",
        "request", "median", "p90", "max", "found"
    );
    let (mut search_medians, mut report_medians) = (Vec::new(), Vec::new());
    for (label, (mut times, found)) in rows {
        let max = times.iter().copied().fold(0.0, f64::max);
        let median = percentile(&mut times, 50.0).unwrap_or(0.0);
        let p90 = percentile(&mut times, 90.0).unwrap_or(0.0);
        println!("{label:<60} {median:>8.1} {p90:>8.1} {max:>8.1} {found:>9}");
        if label.starts_with("search") {
            search_medians.push(median);
        } else if label.contains("365") {
            report_medians.push(median);
        }
    }
    let worst = |v: &[f64]| v.iter().copied().fold(0.0, f64::max);
    println!(
        "\nslowest median: search {:.1} ms (target < 50), a year's report {:.1} ms (target < 500)",
        worst(&search_medians),
        worst(&report_medians)
    );
    stop.send(()).ok();
    server.await??;
    store.close().await;
    Ok(())
}

/// Makes a request `n` times: the times, and how many cases the last answer counted
/// (`total` of a search, `cases` of a report).
async fn time_n<F, Fut>(n: usize, mut f: F) -> anyhow::Result<(Vec<f64>, String)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<(f64, bytes::Bytes)>>,
{
    let mut out = Vec::with_capacity(n);
    let mut found = String::new();
    for _ in 0..n {
        let (ms, body) = f().await?;
        out.push(ms);
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let n = v
            .get("total")
            .or_else(|| v.get("cases"))
            .or_else(|| v.pointer("/summary/cases"));
        found = n.map(|n| n.to_string()).unwrap_or_default();
    }
    Ok((out, found))
}
