//! `kesu serve`: open the database, make sure there is an admin, serve until told to stop.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use clap::Args;
use kesu_web::{AppState, Clock, FileClock, SystemClock};
use tracing_subscriber::EnvFilter;

use crate::DbArgs;

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    db: DbArgs,
    /// Address to listen on.
    #[arg(long, env = "KESU_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// Log as JSON lines instead of text.
    #[arg(long, env = "KESU_LOG_JSON")]
    log_json: bool,
    /// How often the background worker looks for due SLA timers and silent parcels.
    #[arg(long, env = "KESU_WORKER_INTERVAL_MS", default_value_t = 5000, value_parser = clap::value_parser!(u64).range(10..))]
    worker_interval_ms: u64,
    /// Mark the workbench's cookies `Secure` (browsers then send them over HTTPS only).
    /// Without it they are `Secure` whenever a proxy declared with --https-proxy says the
    /// browser came over HTTPS.
    #[arg(long, env = "KESU_SECURE_COOKIES")]
    secure_cookies: bool,
    /// kesu sits behind a proxy that terminates HTTPS and sets `X-Forwarded-Proto`: believe
    /// that header (cookies `Secure` and `__Host-`, HSTS sent). Without it the header is
    /// ignored, so a client cannot claim HTTPS for itself.
    #[arg(long, env = "KESU_HTTPS_PROXY")]
    https_proxy: bool,
    #[command(flatten)]
    oidc: crate::oidc_args::OidcArgs,
    /// Write a backup into this folder every --backup-every-minutes, keeping the newest
    /// --backup-keep (`kesu-YYYYMMDD-HHMMSS.db`, or `.dump` on PostgreSQL: run it on one
    /// server only). Off without it.
    #[arg(long, env = "KESU_BACKUP_DIR")]
    backup_dir: Option<std::path::PathBuf>,
    #[arg(long, env = "KESU_BACKUP_EVERY_MINUTES", default_value_t = 1440, value_parser = clap::value_parser!(u64).range(1..))]
    backup_every_minutes: u64,
    #[arg(long, env = "KESU_BACKUP_KEEP", default_value_t = 7, value_parser = clap::value_parser!(u64).range(1..=1000))]
    backup_keep: u64,
    /// For tests only: the backup interval in seconds instead of minutes.
    #[arg(long, env = "KESU_BACKUP_EVERY_SECONDS", hide = true, value_parser = clap::value_parser!(u64).range(1..))]
    backup_every_seconds: Option<u64>,
    /// Most files one upload may carry.
    #[arg(long, env = "KESU_ATTACHMENT_MAX_FILES", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=100))]
    attachment_max_files: u64,
    /// Largest file one may attach, in megabytes.
    #[arg(long, env = "KESU_ATTACHMENT_MAX_MB", default_value_t = 20, value_parser = clap::value_parser!(u64).range(1..=1024))]
    attachment_max_mb: u64,
    /// Keep attachment files in this folder instead of the database (every server must see
    /// the same folder; `kesu backup` does not copy it). Default: in the database.
    #[arg(long, env = "KESU_ATTACHMENTS_DIR")]
    attachments_dir: Option<std::path::PathBuf>,
    /// The SMTP server customers' e-mail notices go through: `smtp://host:25` (a local
    /// relay), `smtp://user:pass@host:587?tls=required` (STARTTLS) or `smtps://…:465`.
    /// Without it no e-mail is sent.
    #[arg(long, env = "KESU_SMTP_URL")]
    smtp_url: Option<String>,
    /// The sender of e-mail notices, e.g. `客服中心 <service@shop.example>`.
    #[arg(long, env = "KESU_SMTP_FROM", default_value = "kesu <kesu@localhost>")]
    smtp_from: String,
    /// The shop's SMS gateway: kesu POSTs `{"to", "text", "event", "case_number"}` as JSON.
    /// Without it no text message is sent.
    #[arg(long, env = "KESU_SMS_URL")]
    sms_url: Option<String>,
    /// kesu's address as customers reach it, e.g. `https://kesu.shop.example`: notices then
    /// carry a link to the customer's status page (to choose an option, rate the handling).
    #[arg(long, env = "KESU_PUBLIC_URL", value_parser = public_url)]
    public_url: Option<String>,
    /// How often the sender looks for due notices and webhook deliveries.
    #[arg(long, env = "KESU_SEND_INTERVAL_MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(10..))]
    send_interval_ms: u64,
    /// How often the shop's mailbox is read (when an admin has set one up), in seconds.
    #[arg(long, env = "KESU_MAILBOX_INTERVAL_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    mailbox_interval_secs: u64,
    /// A PEM file of CA certificates to trust, besides the public ones, for the mailbox's
    /// IMAP server (a server with a private certificate).
    #[arg(long, env = "KESU_IMAP_CA_FILE")]
    imap_ca_file: Option<std::path::PathBuf>,
    /// The key (64 hexadecimal digits) the platforms' credentials are sealed with. Without
    /// it, `secret.key` in the data folder (made on first start). Servers sharing one
    /// database need the same key.
    #[arg(long = "secret-key", env = "KESU_SECRET_KEY", hide_env_values = true)]
    secret_key: Option<String>,
    /// Pushes a second each platform source (a shop's site) may send this server, bursts of
    /// twice that; faster ones are answered 429 with Retry-After. 0: no limit.
    #[arg(long, env = "KESU_PLATFORM_PUSH_RATE", default_value_t = kesu_web::push_limits::DEFAULT_PER_SECOND)]
    platform_push_rate: u32,
    /// How often the platforms that are polled (Pinduoduo) are asked for their after-sales
    /// changes, in seconds.
    #[arg(long, env = "KESU_PLATFORM_POLL_SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..))]
    platform_poll_secs: u64,
    /// For tests and demos only: read the current time from this file (RFC 3339).
    #[arg(long, env = "KESU_CLOCK_FILE", hide = true)]
    clock_file: Option<std::path::PathBuf>,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    init_logging(args.log_json);
    let sso = args.oidc.config()?;
    // Installed first, so what the start-up and the first requests record is kept.
    kesu_web::metrics::recorder();
    let mut store = args.db.open().await?;
    if let Some(dir) = &args.attachments_dir {
        std::fs::create_dir_all(dir).with_context(|| {
            format!(
                "cannot create the attachments folder {}: choose another with --attachments-dir",
                dir.display()
            )
        })?;
        store.keep_attachments_in(dir.clone());
    }
    first_admin(&store).await?;
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| {
            format!(
                "cannot listen on {}: is another program using it? Choose another with --addr",
                args.addr
            )
        })?;
    let local = listener.local_addr()?;
    println!("kesu is listening on http://{local} (API: http://{local}/api/v1/openapi.json)");
    tracing::info!(%local, backend = ?store.backend(), "serving");
    if let Some((mode, sync)) = store.sqlite_durability().await? {
        tracing::info!(journal_mode = %mode, synchronous = sync, "SQLite durability");
    }
    let clock: Arc<dyn Clock> = match args.clock_file {
        Some(path) => {
            tracing::warn!(path = %path.display(), "time comes from a file (tests and demos only)");
            Arc::new(FileClock::new(path))
        }
        None => Arc::new(SystemClock),
    };
    let search = kesu_search::Search::start(store.clone(), &args.db.search_dir())
        .await
        .context("cannot open the search index: run `kesu reindex` to rebuild it")?;
    let mut state = AppState::new(store.clone(), clock, search);
    state.secure_cookies = args.secure_cookies;
    state.https_proxy = args.https_proxy;
    if let Some(config) = sso {
        tracing::info!(issuer = %config.issuer, "single sign-on through the identity provider");
        state.sso = Some(kesu_app::sso::Sso::new(config).map_err(|e| anyhow::anyhow!("{e}"))?);
    }
    state.attachment_limits = kesu_domain::attachment::Limits {
        max_files: args.attachment_max_files as usize,
        max_bytes: args.attachment_max_mb * 1024 * 1024,
        ..Default::default()
    };
    state.imap_ca_file = args.imap_ca_file.clone();
    state.push_limits = kesu_web::push_limits::PushLimits::per_second(args.platform_push_rate);
    state.vault = kesu_app::vault::Vault::open(args.secret_key.as_deref(), &args.db.data)
        .with_context(|| {
            format!(
                "cannot read or make the secret key in {}: set KESU_SECRET_KEY (64 hexadecimal digits) or make the folder writable",
                args.db.data.display()
            )
        })?;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    // The built-in triage model is trained from its examples on first use (about half a
    // second); train it now, off the runtime's threads, rather than in the first request.
    tokio::task::spawn_blocking(kesu_domain::triage_model::TriageModel::builtin);
    let worker = tokio::spawn(kesu_app::worker::run(
        state.store.clone(),
        state.clock.clone(),
        format!("kesu-{}", std::process::id()),
        std::time::Duration::from_millis(args.worker_interval_ms),
        stopped,
    ));
    let channels = kesu_app::notify::Channels {
        smtp: args
            .smtp_url
            .clone()
            .map(|url| kesu_app::notify::SmtpSettings {
                message_id_host: args
                    .smtp_from
                    .rsplit('@')
                    .next()
                    .unwrap_or("localhost")
                    .trim_end_matches('>')
                    .to_owned(),
                from: args.smtp_from.clone(),
                url,
            }),
        sms: args
            .sms_url
            .clone()
            .map(|url| kesu_app::notify::SmsSettings { url }),
        public_url: args.public_url.clone(),
    };
    let notifier = tokio::spawn(kesu_app::notify::run_notifier(
        state.store.clone(),
        state.clock.clone(),
        channels.clone(),
        stop.subscribe(),
    ));
    let sender = tokio::spawn(kesu_app::notify::run_sender(
        state.store.clone(),
        state.clock.clone(),
        channels,
        std::time::Duration::from_millis(args.send_interval_ms),
        stop.subscribe(),
    ));
    let mailbox = tokio::spawn(kesu_app::mailbox::run_poller(
        state.store.clone(),
        state.clock.clone(),
        kesu_app::mailbox::PollOptions {
            limits: state.attachment_limits,
            extra_ca: args.imap_ca_file.clone(),
        },
        std::time::Duration::from_secs(args.mailbox_interval_secs),
        stop.subscribe(),
    ));
    // The photos of platform requests, fetched after the push was answered.
    let photos = tokio::spawn(kesu_app::platforms::images::run(
        state.store.clone(),
        state.clock.clone(),
        state.attachment_limits,
        std::time::Duration::from_secs(2),
        stop.subscribe(),
    ));
    let pinduoduo = tokio::spawn(kesu_app::platforms::poller::run(
        state.store.clone(),
        state.vault.clone(),
        state.clock.clone(),
        std::time::Duration::from_secs(args.platform_poll_secs),
        stop.subscribe(),
    ));
    // kesu's answers to the platforms, sent from their durable queue.
    let answers = tokio::spawn(kesu_app::platforms::answers::run(
        state.store.clone(),
        state.vault.clone(),
        state.clock.clone(),
        std::time::Duration::from_secs(1),
        stop.subscribe(),
    ));
    let backups = match &args.backup_dir {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| {
                format!(
                    "cannot create the backup folder {}: choose another with --backup-dir",
                    dir.display()
                )
            })?;
            let schedule = crate::backup::Schedule {
                dir: dir.clone(),
                every: std::time::Duration::from_secs(
                    args.backup_every_seconds
                        .unwrap_or(args.backup_every_minutes * 60),
                ),
                keep: args.backup_keep as usize,
            };
            tracing::info!(dir = %dir.display(), every_minutes = args.backup_every_minutes, keep = args.backup_keep, "scheduled backups");
            Some(tokio::spawn(crate::backup::run_schedule(
                schedule,
                args.db.clone(),
                store.clone(),
                stop.subscribe(),
            )))
        }
        None => None,
    };
    let served = kesu_web::serve(listener, state, shutdown_signal()).await;
    stop.send(true).ok();
    worker.await.ok();
    notifier.await.ok();
    sender.await.ok();
    mailbox.await.ok();
    photos.await.ok();
    pinduoduo.await.ok();
    answers.await.ok();
    if let Some(b) = backups {
        b.await.ok();
    }
    served.context("the server stopped with an error")?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// On a database without users, creates `admin` (password from KESU_ADMIN_PASSWORD, else a
/// random one) and prints it once.
pub async fn first_admin(store: &kesu_store::Store) -> anyhow::Result<()> {
    let admin_password = std::env::var("KESU_ADMIN_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty());
    let created = match store
        .ensure_admin(admin_password.as_deref(), chrono::Utc::now())
        .await
    {
        // Only checked when the first admin is created: an old deployment keeps starting.
        Err(kesu_store::StoreError::Invalid(errors)) => {
            let why: Vec<String> = errors.into_iter().map(|e| e.message).collect();
            anyhow::bail!(
                "cannot create the first admin user: KESU_ADMIN_PASSWORD {}",
                why.join("; ")
            )
        }
        other => other.context("cannot create the first admin user")?,
    };
    if let Some((user, generated)) = created {
        // Printed on the terminal once, never logged.
        match generated {
            Some(pw) => println!(
                "Created the first user: `{}` with password {pw}\nWrite it down now: it will not be shown again.",
                user.username
            ),
            None => println!(
                "Created the first user: `{}` with the password from KESU_ADMIN_PASSWORD.",
                user.username
            ),
        }
    }
    Ok(())
}

fn init_logging(json: bool) {
    let filter = EnvFilter::try_from_env("KESU_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=info"));
    // Logs go to stderr, so stdout carries only what the operator must read (the first password).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()));
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

/// Resolves on Ctrl-C or SIGTERM; the server then finishes in-flight requests.
async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// `--public-url`: an http(s) address without a query, kept without its trailing slash.
fn public_url(raw: &str) -> Result<String, String> {
    let url = raw.trim().trim_end_matches('/');
    let ok = (url.starts_with("https://") || url.starts_with("http://"))
        && url.len() > "http://".len()
        && !url.contains(['?', '#', ' ']);
    if ok {
        Ok(url.to_owned())
    } else {
        Err("give kesu's address as customers reach it, e.g. https://kesu.shop.example".into())
    }
}
