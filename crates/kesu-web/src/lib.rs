//! kesu's HTTP layer: the JSON API under `/api/v1`, the workbench and the customer's pages.
//!
//! Handlers are short: extract → parse → call the use case in `kesu-app` → render. No
//! business rule lives here. API errors are [`error::ApiError`], rendered as RFC 9457
//! problem+json.

pub mod access;
pub mod api;
pub mod error;
pub mod evidence_pack;
pub mod export;
pub mod extract;
pub mod gatekeeper;
pub mod guard;
pub mod metrics;
pub mod person_file;

pub mod browser_headers;
pub mod pages;
pub mod push_limits;
pub mod report_params;
pub mod request_id;
pub mod search;
pub mod sign_in;
pub mod throttle;
pub mod trail_params;
pub mod uploads;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use kesu_store::Store;
use tokio::net::TcpListener;

pub use kesu_app::{Clock, FileClock, FixedClock, SystemClock};

/// Unknown customer links one address may ask for: a burst of 20 (typos, old links), then
/// one a minute; past that every customer page answers it 429 until the budget refills.
pub const LINK_MISS_BURST: u32 = 20;
pub const LINK_MISS_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub search: kesu_search::Search,
    pub reports: kesu_app::reports::Reports,
    /// This server's sign-in limits.
    pub sign_in: sign_in::SignInLimits,
    /// Cookies always `Secure` (`--secure-cookies`), not only behind an HTTPS proxy.
    pub secure_cookies: bool,
    /// kesu sits behind a proxy that terminates HTTPS and says so in `X-Forwarded-Proto`
    /// (`--https-proxy`); without it that header is not believed.
    pub https_proxy: bool,
    /// How many files an upload may carry, and how large.
    pub attachment_limits: kesu_domain::attachment::Limits,
    /// A CA certificate file to trust for the shop's IMAP server (a private CA).
    pub imap_ca_file: Option<std::path::PathBuf>,
    /// The key the platforms' credentials are sealed with.
    pub vault: kesu_app::vault::Vault,
    /// How fast each platform source may push.
    pub push_limits: push_limits::PushLimits,
    /// Customer links that do not exist, per address: guessing links is throttled.
    pub link_misses: throttle::MissLimiter,
    /// Single sign-on through the shop's identity provider, when set up.
    pub sso: Option<Arc<kesu_app::sso::Sso>>,
    /// The knowledge base's search, rebuilt in memory when articles change.
    pub knowledge: Arc<kesu_search::KnowledgeSearch>,
}

impl AppState {
    pub fn new(store: Store, clock: Arc<dyn Clock>, search: kesu_search::Search) -> AppState {
        AppState {
            reports: kesu_app::reports::Reports::start(store.clone()),
            sign_in: Default::default(),
            secure_cookies: false,
            https_proxy: false,
            attachment_limits: Default::default(),
            imap_ca_file: None,
            vault: kesu_app::vault::Vault::ephemeral(),
            push_limits: Default::default(),
            link_misses: throttle::MissLimiter::new(LINK_MISS_BURST, LINK_MISS_EVERY),
            sso: None,
            knowledge: Arc::new(kesu_search::KnowledgeSearch::new()),
            store,
            clock,
            search,
        }
    }

    /// The case `raw_id` names, if the caller may see it (else "not found").
    pub async fn visible_case(
        &self,
        caller: &kesu_store::User,
        raw_id: &str,
    ) -> kesu_app::AppResult<kesu_store::CaseRecord> {
        let id = kesu_app::cases::case_id(raw_id)?;
        kesu_app::cases::visible_case(&self.store, &caller.actor(), id).await
    }

    /// Whether this request reached kesu over HTTPS (its cookies are then `Secure` and
    /// `__Host-`, and HSTS is sent).
    pub fn over_https(&self, headers: &axum::http::HeaderMap) -> bool {
        pages::cookies::reached_over_https(headers, self.secure_cookies, self.https_proxy)
    }

    /// The shop's time zone, for showing and reading times (Asia/Shanghai if the policy
    /// cannot be read).
    pub async fn zone(&self) -> chrono_tz::Tz {
        self.store
            .policy()
            .await
            .map(|p| p.zone())
            .unwrap_or(chrono_tz::Asia::Shanghai)
    }
}

pub use kesu_app::same_secret;

/// The whole application as a router, ready to serve or to test.
pub fn router(state: AppState) -> Router {
    api::router(state)
}

/// Serves `router` on an already-bound listener until `shutdown` resolves, then lets
/// in-flight requests finish.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Every server chains what is written into the audit trail (one at a time).
    state.store.spawn_sealer();
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
