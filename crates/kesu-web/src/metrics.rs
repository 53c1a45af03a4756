//! `/metrics` in Prometheus' text format: requests by route (count by status, latency), and
//! what the rest of kesu records — registration batch sizes, change-log followers' lag, the
//! worker's rounds and timers, the database pools in use. Routes are patterns
//! (`/api/v1/cases/{id}`), never paths: paths carry secrets and queries personal data.
//! With `KESU_METRICS_TOKEN` set, a scrape must present it as a bearer token.

use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::AppState;

/// Latency buckets (seconds): 1 ms to 10 s.
const SECONDS: &[f64] = &[
    0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0,
];
/// Registrations per group commit.
const BATCH: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// The process's recorder, installed on first use (one per process: tests start several
/// servers in one).
pub fn recorder() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS)
                .and_then(|b| {
                    b.set_buckets_for_metric(
                        Matcher::Full("kesu_registration_batch_size".into()),
                        BATCH,
                    )
                });
            match builder.and_then(|b| b.install_recorder()) {
                Ok(handle) => Some(handle),
                Err(e) => {
                    tracing::warn!(error = %e, "metrics are not recorded");
                    None
                }
            }
        })
        .as_ref()
}

/// Counts every request by its route pattern and status, and times it.
pub async fn count_requests(req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(no route)".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!("kesu_http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("kesu_http_request_duration_seconds", "method" => method, "route" => route)
        .record(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics`.
pub async fn scrape(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Ok(token) = std::env::var("KESU_METRICS_TOKEN") {
        let given = crate::extract::bearer(&headers).unwrap_or_default();
        if token.is_empty() || !crate::same_secret(given, &token) {
            return (
                StatusCode::UNAUTHORIZED,
                "a bearer token is needed for /metrics\n",
            )
                .into_response();
        }
    }
    let Some(handle) = recorder() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "metrics are not recorded\n",
        )
            .into_response();
    };
    for (pool, size, idle) in state.store.pool_use() {
        metrics::gauge!("kesu_db_connections", "pool" => pool, "state" => "idle").set(idle as f64);
        metrics::gauge!("kesu_db_connections", "pool" => pool, "state" => "busy")
            .set((size as usize).saturating_sub(idle) as f64);
    }
    metrics::gauge!("kesu_search_index_cases").set(state.search.len() as f64);
    metrics::gauge!("kesu_search_failed_cases").set(state.search.waiting() as f64);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
