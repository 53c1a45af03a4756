//! The Pinduoduo connector: polls a shop's after-sales changes (`pdd.refund.list.increment.get`)
//! in windows of at most 30 minutes from an overlapping cursor, pages of 100, and takes each
//! request like every platform's ([`super::take`]). A rate-limit answer, an expired token or
//! garbage stops the round where it is (the cursor stays at the last window read whole) and
//! is shown to admins; the next round goes on from there.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use kesu_domain::error::Problem;
use kesu_domain::platform::pinduoduo::{self, Page, PddError};
use kesu_domain::platform::Platform;
use kesu_store::{PlatformSource, Store, User};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use super::site::{shop_name, SourceView};
use super::status::{self, SyncReport};
use crate::error::{AppError, AppResult};
use crate::vault::Vault;
use crate::Clock;

/// Pinduoduo's gateway.
pub const ENDPOINT: &str = "https://gw-api.pinduoduo.com/api/router";
/// Most pages read in one window: a window that never ends is an error, not a hang.
const MAX_PAGES: i64 = 200;
/// How far back a shop's first sync reads.
const FIRST_SYNC_HOURS: i64 = 24;

/// The shop's app credentials and access token, as an admin enters them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PddForm {
    pub client_id: String,
    pub client_secret: String,
    pub access_token: String,
    /// Another gateway (a test server); Pinduoduo's own by default.
    #[serde(default)]
    pub endpoint: Option<String>,
    pub enabled: bool,
}

/// What is sealed: the credentials.
#[derive(Debug, Clone, Deserialize, Serialize)]
struct Credentials {
    client_id: String,
    client_secret: String,
    access_token: String,
    endpoint: String,
}

/// An admin sets up (or changes) a shop's Pinduoduo credentials; they are sealed.
pub async fn set_up(
    store: &Store,
    vault: &Vault,
    caller: &User,
    shop: &str,
    form: PddForm,
    now: DateTime<Utc>,
) -> AppResult<SourceView> {
    super::may_configure(caller)?;
    let shop = shop_name(shop)?;
    let mut errors = Vec::new();
    for (field, value) in [
        ("client_id", &form.client_id),
        ("client_secret", &form.client_secret),
        ("access_token", &form.access_token),
    ] {
        let v = value.trim();
        if v.is_empty() || v.len() > 512 || v.chars().any(char::is_control) {
            errors.push(kesu_domain::FieldError::new(
                field,
                Problem::Length { min: 1, max: 512 },
            ));
        }
    }
    let endpoint = form.endpoint.as_deref().map(str::trim).unwrap_or(ENDPOINT);
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        errors.push(kesu_domain::FieldError::explained(
            "endpoint",
            Problem::Format,
            "an http(s) address",
        ));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let credentials = Credentials {
        client_id: form.client_id.trim().to_owned(),
        client_secret: form.client_secret.trim().to_owned(),
        access_token: form.access_token.trim().to_owned(),
        endpoint: endpoint.to_owned(),
    };
    let sealed = vault
        .seal(&serde_json::to_string(&credentials).map_err(|e| AppError::Internal(e.to_string()))?);
    store
        .set_platform_source(Platform::Pinduoduo, &shop, form.enabled, &sealed, now)
        .await?;
    tracing::info!(platform = "pinduoduo", shop = %shop, enabled = form.enabled, by = %caller.username, "platform source set");
    Ok(SourceView {
        platform: Platform::Pinduoduo,
        shop,
        enabled: form.enabled,
        send_answers: false,
        updated_at: now,
    })
}

/// Pinduoduo's signature: MD5 of the secret, every parameter's name and value in name order,
/// and the secret again, in upper-case hex.
pub fn sign(secret: &str, params: &BTreeMap<String, String>) -> String {
    let mut md5 = Md5::new();
    md5.update(secret.as_bytes());
    for (k, v) in params {
        md5.update(k.as_bytes());
        md5.update(v.as_bytes());
    }
    md5.update(secret.as_bytes());
    hex::encode_upper(md5.finalize())
}

/// One page of the shop's changes with update time in `[start, end]`.
async fn page(
    client: &reqwest::Client,
    creds: &Credentials,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    number: i64,
    now: DateTime<Utc>,
) -> Result<Page, PddError> {
    let mut params: BTreeMap<String, String> = [
        ("type", "pdd.refund.list.increment.get".to_owned()),
        ("client_id", creds.client_id.clone()),
        ("access_token", creds.access_token.clone()),
        ("timestamp", now.timestamp().to_string()),
        ("data_type", "JSON".to_owned()),
        ("after_sales_type", "1".to_owned()),
        ("after_sales_status", "1".to_owned()),
        ("start_updated_at", start.timestamp().to_string()),
        ("end_updated_at", end.timestamp().to_string()),
        ("page", number.to_string()),
        ("page_size", pinduoduo::PAGE_SIZE.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let signature = sign(&creds.client_secret, &params);
    params.insert("sign".to_owned(), signature);
    let response = client
        .post(&creds.endpoint)
        .form(&params)
        .send()
        .await
        .map_err(|e| PddError::Garbage(format!("Pinduoduo could not be reached: {e}")))?;
    let body = response
        .bytes()
        .await
        .map_err(|e| PddError::Garbage(format!("the answer was cut off: {e}")))?;
    pinduoduo::parse_page(&body)
}

/// Reads the shop's changes since its cursor and takes them. Always returns what it did;
/// the report's error says where it stopped.
pub async fn sync(
    store: &Store,
    vault: &Vault,
    client: &reqwest::Client,
    source: &PlatformSource,
    now: DateTime<Utc>,
) -> AppResult<SyncReport> {
    let creds: Credentials = serde_json::from_str(&vault.open_sealed(&source.sealed)?)
        .map_err(|e| AppError::Internal(format!("the stored credentials are unreadable: {e}")))?;
    let mut report = status::load(store, source.platform, &source.shop).await?;
    let cursor = report
        .cursor
        .unwrap_or(now - chrono::Duration::hours(FIRST_SYNC_HOURS));
    report.started(now);
    let mut error = None;
    'windows: for window in pinduoduo::windows(cursor, now) {
        let mut number = 1;
        loop {
            let got = match page(client, &creds, window, number, now).await {
                Ok(got) => got,
                Err(e) => {
                    error = Some(e.to_string());
                    break 'windows;
                }
            };
            for item in &got.items {
                match item.request(&source.shop) {
                    Ok(request) => match super::take(store, &request, now).await {
                        Ok(taken) => report.took(taken.created, taken.changed),
                        // An order of another shop: that request is refused, the rest go on.
                        Err(AppError::Forbidden(why)) => report.skipped(&why),
                        Err(e) => return Err(e),
                    },
                    Err(why) => report.skipped(&why),
                }
            }
            if got.items.is_empty() || number * pinduoduo::PAGE_SIZE >= got.total_count {
                break;
            }
            number += 1;
            if number > MAX_PAGES {
                error = Some(format!(
                    "more than {MAX_PAGES} pages in the window from {}: stopped there",
                    window.0
                ));
                break 'windows;
            }
        }
        // A window read whole: the next sync starts after it (less the overlap).
        report.cursor = Some(window.1);
    }
    report.finished(now, error);
    status::save(store, source.platform, &source.shop, &report).await?;
    Ok(report)
}

/// Syncs every enabled Pinduoduo source every `every` until `stop`.
pub async fn run(
    store: Store,
    vault: Vault,
    clock: Arc<dyn Clock>,
    every: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let client = super::images::client();
    loop {
        match store.platform_sources().await {
            Ok(sources) => {
                for source in sources
                    .iter()
                    .filter(|s| s.enabled && s.platform == Platform::Pinduoduo)
                {
                    match sync(&store, &vault, &client, source, clock.now()).await {
                        Ok(r) if r.error.is_some() => {
                            tracing::warn!(platform = "pinduoduo", shop = %source.shop, error = ?r.error, "sync stopped early")
                        }
                        Ok(_) => {}
                        Err(e) => {
                            tracing::warn!(platform = "pinduoduo", shop = %source.shop, error = %e, "sync failed")
                        }
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "platform sources could not be read"),
        }
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = stop.changed() => return,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_follow_pinduoduos_recipe() {
        let params: BTreeMap<String, String> =
            [("type", "pdd.x"), ("client_id", "c1"), ("timestamp", "1")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        // MD5("s" + "client_idc1" + "timestamp1" + "typepdd.x" + "s"), upper-case.
        let mut md5 = Md5::new();
        md5.update(b"sclient_idc1timestamp1typepdd.xs");
        assert_eq!(sign("s", &params), hex::encode_upper(md5.finalize()));
        assert_eq!(sign("s", &params).len(), 32);
    }
}
