//! The JD connector: polls a shop's after-sales services (`jingdong.asc.query.list`) in windows
//! of update time from an overlapping cursor, reads each service's detail
//! (`jingdong.asc.query.view`) and takes it like every platform's request ([`super::take`]).
//! Calls go to JOS's router signed with MD5 (the recipe of Taobao's), the business fields as
//! `360buy_param_json`. A rate limit, an expired token or garbage stops the round where it
//! is (the cursor stays at the last window read whole) and is shown to admins.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use kesu_domain::platform::{jd, ApiError, Call};
use kesu_store::{PlatformSource, Store};
use serde_json::Value;

use super::credentials::Credentials;
use super::status::{self, SyncReport};
use crate::error::{AppError, AppResult};
use crate::vault::Vault;

/// JOS's router.
pub const ENDPOINT: &str = "https://api.jd.com/routerjson";
/// Most pages read in one window: a window that never ends is an error, not a hang.
const MAX_PAGES: i64 = 100;
/// How far back a shop's first sync reads.
const FIRST_SYNC_HOURS: i64 = 24;

/// Calls a JOS method with its business fields (plus the shop and operator every ASC call
/// names), signed; the raw answer.
async fn call(
    client: &reqwest::Client,
    creds: &Credentials,
    method: &str,
    fields: &Value,
    now: DateTime<Utc>,
) -> Result<Vec<u8>, ApiError> {
    let mut business = fields.clone();
    if let Some(object) = business.as_object_mut() {
        object.insert(
            "buId".into(),
            creds.seller_id.clone().unwrap_or_default().into(),
        );
        object.insert(
            "operatePin".into(),
            creds.operator.clone().unwrap_or_default().into(),
        );
        object.insert(
            "operateNick".into(),
            creds.operator.clone().unwrap_or_default().into(),
        );
    }
    let params: BTreeMap<String, String> = [
        ("method", method.to_owned()),
        ("app_key", creds.client_id.clone()),
        ("access_token", creds.access_token.clone()),
        (
            "timestamp",
            now.with_timezone(&Shanghai)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        ),
        ("format", "json".to_owned()),
        ("v", "2.0".to_owned()),
        ("sign_method", "md5".to_owned()),
        ("360buy_param_json", business.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    creds.post_signed(client, params, "JD").await
}

/// One service, read and taken; a service kesu does not take is noted.
async fn take_service(
    store: &Store,
    client: &reqwest::Client,
    creds: &Credentials,
    source: &PlatformSource,
    id: &str,
    report: &mut SyncReport,
    now: DateTime<Utc>,
) -> Result<AppResult<()>, ApiError> {
    let body = call(
        client,
        creds,
        "jingdong.asc.query.view",
        &serde_json::json!({ "serviceId": id }),
        now,
    )
    .await?;
    let service = jd::parse_view(&body)?;
    Ok(match jd::request(&service, &source.shop) {
        Ok(request) => match super::take(store, &request, now).await {
            Ok(taken) => {
                report.took(taken.created, taken.changed);
                Ok(())
            }
            Err(AppError::Forbidden(why)) => {
                report.skipped(&why);
                Ok(())
            }
            Err(e) => Err(e),
        },
        Err(why) => {
            report.skipped(&why);
            Ok(())
        }
    })
}

/// Reads the shop's services changed since its cursor and takes them. Always returns what it
/// did; the report's error says where it stopped.
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
    'windows: for (start, end) in jd::windows(cursor, now) {
        let mut number = 1;
        loop {
            let fields = serde_json::json!({
                "updateTimeBegin": start.timestamp_millis(),
                "updateTimeEnd": end.timestamp_millis(),
                "pageNumber": number,
                "pageSize": jd::PAGE_SIZE,
            });
            let listed = call(client, &creds, "jingdong.asc.query.list", &fields, now)
                .await
                .and_then(|b| jd::parse_list(&b));
            let (total, ids) = match listed {
                Ok(page) => page,
                Err(e) => {
                    error = Some(e.to_string());
                    break 'windows;
                }
            };
            for id in &ids {
                match take_service(store, client, &creds, source, id, &mut report, now).await {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => return Err(e),
                    Err(e) => {
                        error = Some(e.to_string());
                        break 'windows;
                    }
                }
            }
            if ids.is_empty() || number * jd::PAGE_SIZE >= total {
                break;
            }
            number += 1;
            if number > MAX_PAGES {
                error = Some(format!(
                    "more than {MAX_PAGES} pages in the window from {start}: stopped there"
                ));
                break 'windows;
            }
        }
        report.cursor = Some(end);
    }
    report.finished(now, error);
    status::save(store, source.platform, &source.shop, &report).await?;
    Ok(report)
}

/// Calls one of JD's answer methods with the call's fields.
pub async fn send_answer(
    client: &reqwest::Client,
    vault: &Vault,
    source: &PlatformSource,
    answer: &Call,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let creds = Credentials::open(vault, source).map_err(|e| e.to_string())?;
    let body = call(client, &creds, &answer.method, &answer.fields, now)
        .await
        .map_err(|e| e.to_string())?;
    jd::parse_result(&body, &answer.method)
        .map(|_| ())
        .map_err(|e| e.to_string())
}
