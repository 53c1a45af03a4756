//! The Pinduoduo connector: polls a shop's after-sales changes (`pdd.refund.list.increment.get`)
//! in windows of at most 30 minutes from an overlapping cursor, pages of 100, and takes each
//! request like every platform's ([`super::take`]). A rate-limit answer, an expired token or
//! garbage stops the round where it is (the cursor stays at the last window read whole) and
//! is shown to admins; the next round goes on from there.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kesu_domain::platform::pinduoduo::{self, Page};
use kesu_domain::platform::ApiError;
use kesu_domain::platform::Platform;
use kesu_store::{PlatformSource, Store, User};

use super::credentials::{ApiForm, Credentials};
use super::site::SourceView;
use super::status::{self, SyncReport};
use crate::error::{AppError, AppResult};
use crate::vault::Vault;

/// Pinduoduo's gateway.
pub const ENDPOINT: &str = "https://gw-api.pinduoduo.com/api/router";
/// Most pages read in one window: a window that never ends is an error, not a hang.
const MAX_PAGES: i64 = 200;
/// How far back a shop's first sync reads.
const FIRST_SYNC_HOURS: i64 = 24;

/// An admin sets up (or changes) a shop's Pinduoduo credentials; they are sealed.
pub async fn set_up(
    store: &Store,
    vault: &Vault,
    caller: &User,
    shop: &str,
    form: ApiForm,
    now: DateTime<Utc>,
) -> AppResult<SourceView> {
    super::credentials::set_up(
        store,
        vault,
        caller,
        Platform::Pinduoduo,
        ENDPOINT,
        shop,
        form,
        now,
    )
    .await
}

/// One page of the shop's changes with update time in `[start, end]`.
async fn page(
    client: &reqwest::Client,
    creds: &Credentials,
    (start, end): (DateTime<Utc>, DateTime<Utc>),
    number: i64,
    now: DateTime<Utc>,
) -> Result<Page, ApiError> {
    let params: BTreeMap<String, String> = [
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
    let body = creds.post_signed(client, params, "Pinduoduo").await?;
    pinduoduo::parse_page(&body)
}

/// Calls one of Pinduoduo's answer methods (`request` carries the call's fields as JSON),
/// signed like every call. Pinduoduo's `succ`/`success` false is a failure with its words.
pub async fn send_answer(
    client: &reqwest::Client,
    vault: &Vault,
    source: &PlatformSource,
    call: &kesu_domain::platform::Call,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let creds = Credentials::open(vault, source).map_err(|e| e.to_string())?;
    let params: BTreeMap<String, String> = [
        ("type", call.method.clone()),
        ("client_id", creds.client_id.clone()),
        ("access_token", creds.access_token.clone()),
        ("timestamp", now.timestamp().to_string()),
        ("data_type", "JSON".to_owned()),
        ("request", call.fields.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    let body = creds
        .post_signed(client, params, "Pinduoduo")
        .await
        .map_err(|e| e.to_string())?;
    pinduoduo::parse_answer(&body).map_err(|e| e.to_string())
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
    let creds = Credentials::open(vault, source)?;
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
