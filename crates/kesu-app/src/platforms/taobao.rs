//! The Taobao/Tmall connector: takes the shop's refund messages from the message channel
//! (`taobao.tmc.messages.consume`), reads each refund they name (`taobao.refund.get`, and the
//! buyer's words and photos from `taobao.refund.messages.get`), takes it like every
//! platform's request ([`super::take`]), and only then confirms the messages
//! (`taobao.tmc.messages.confirm`): a message kesu did not take whole comes back and is taken
//! again, harmlessly. A rate limit, an expired session or garbage stops the round where it
//! is and is shown to admins.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use kesu_domain::platform::{taobao, ApiError, Call, Platform};
use kesu_store::{PlatformSource, Store, User};

use super::credentials::{ApiForm, Credentials};
use super::site::SourceView;
use super::status::{self, SyncReport};
use crate::error::{AppError, AppResult};
use crate::vault::Vault;

/// TOP's gateway.
pub const ENDPOINT: &str = "https://eco.taobao.com/router/rest";
/// Most consume calls in one round: a channel that never empties is read on next round.
const MAX_ROUNDS: usize = 50;

/// An admin sets up a shop's Taobao credentials (`client_id` = app_key, `client_secret` =
/// app_secret, `access_token` = the shop's session); they are sealed.
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
        Platform::Taobao,
        ENDPOINT,
        shop,
        form,
        now,
    )
    .await
}

/// Calls a TOP method with its business parameters, signed (`sign_method` md5); the raw answer.
async fn call(
    client: &reqwest::Client,
    creds: &Credentials,
    method: &str,
    business: &[(&str, String)],
    now: DateTime<Utc>,
) -> Result<Vec<u8>, ApiError> {
    let params: BTreeMap<String, String> = [
        ("method", method.to_owned()),
        ("app_key", creds.client_id.clone()),
        ("session", creds.access_token.clone()),
        (
            "timestamp",
            now.with_timezone(&Shanghai)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string(),
        ),
        ("format", "json".to_owned()),
        ("v", "2.0".to_owned()),
        ("sign_method", "md5".to_owned()),
    ]
    .into_iter()
    .chain(business.iter().cloned())
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    creds.post_signed(client, params, "Taobao").await
}

/// Reads one refund as it now stands, with the buyer's words and photos.
async fn read_refund(
    client: &reqwest::Client,
    creds: &Credentials,
    shop: &str,
    refund_id: &str,
    now: DateTime<Utc>,
) -> Result<Result<kesu_domain::platform::Request, String>, ApiError> {
    let fields = "refund_id,tid,oid,status,cs_status,has_good_return,refund_fee,reason,desc,\
                  modified,created,sid,company_name,refund_remind_timeout,refund_phase,refund_version";
    let body = call(
        client,
        creds,
        "taobao.refund.get",
        &[
            ("refund_id", refund_id.to_owned()),
            ("fields", fields.to_owned()),
        ],
        now,
    )
    .await?;
    let refund = taobao::parse_refund(&body)?;
    let body = call(
        client,
        creds,
        "taobao.refund.messages.get",
        &[
            ("refund_id", refund_id.to_owned()),
            (
                "fields",
                "id,content,pic_urls,owner_role,created".to_owned(),
            ),
            ("page_size", "100".to_owned()),
        ],
        now,
    )
    .await?;
    let (words, images) = taobao::parse_buyer_messages(&body)?;
    Ok(refund.request(shop, words, images))
}

/// Takes the shop's refund messages until the channel is empty (or a round's bound) and
/// confirms those taken. Always returns what it did; the report's error says where it stopped.
pub async fn sync(
    store: &Store,
    vault: &Vault,
    client: &reqwest::Client,
    source: &PlatformSource,
    now: DateTime<Utc>,
) -> AppResult<SyncReport> {
    let creds = Credentials::open(vault, source)?;
    let mut report = status::load(store, source.platform, &source.shop).await?;
    report.started(now);
    let mut error = None;
    'rounds: for _ in 0..MAX_ROUNDS {
        let body = match call(
            client,
            &creds,
            "taobao.tmc.messages.consume",
            &[("quantity", taobao::CONSUME_QUANTITY.to_string())],
            now,
        )
        .await
        .and_then(|b| taobao::parse_consumed(&b))
        {
            Ok(messages) => messages,
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        };
        if body.is_empty() {
            break;
        }
        // Several messages about one refund: it is read once, as it now stands.
        let mut done = Vec::with_capacity(body.len());
        let mut read = BTreeSet::new();
        for message in &body {
            if let Some(refund_id) = message.refund_id() {
                if read.insert(refund_id.clone()) {
                    match read_refund(client, &creds, &source.shop, &refund_id, now).await {
                        Ok(Ok(request)) => match super::take(store, &request, now).await {
                            Ok(taken) => report.took(taken.created, taken.changed),
                            Err(AppError::Forbidden(why)) => report.skipped(&why),
                            Err(e) => return Err(e),
                        },
                        Ok(Err(why)) => report.skipped(&why),
                        Err(e) => {
                            error = Some(e.to_string());
                            confirm(client, &creds, &done, now, &mut error).await;
                            break 'rounds;
                        }
                    }
                }
            }
            if let Some(at) = message.published_at() {
                report.cursor = Some(report.cursor.map_or(at, |c| c.max(at)));
            }
            done.push(message.id());
        }
        confirm(client, &creds, &done, now, &mut error).await;
        if error.is_some() {
            break;
        }
    }
    report.finished(now, error);
    status::save(store, source.platform, &source.shop, &report).await?;
    Ok(report)
}

/// Confirms the messages taken; a failure is kept as the round's error (they come back and
/// are taken again, which changes nothing).
async fn confirm(
    client: &reqwest::Client,
    creds: &Credentials,
    ids: &[String],
    now: DateTime<Utc>,
    error: &mut Option<String>,
) {
    if ids.is_empty() {
        return;
    }
    let done = call(
        client,
        creds,
        "taobao.tmc.messages.confirm",
        &[("s_message_ids", ids.join(","))],
        now,
    )
    .await
    .and_then(|b| taobao::parse_done(&b, "tmc_messages_confirm_response"));
    if let Err(e) = done {
        error.get_or_insert(format!("confirming messages: {e}"));
    }
}

/// Calls one of Taobao's answer methods with the call's fields.
pub async fn send_answer(
    client: &reqwest::Client,
    vault: &Vault,
    source: &PlatformSource,
    answer: &Call,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let creds = Credentials::open(vault, source).map_err(|e| e.to_string())?;
    let business: Vec<(&str, String)> = answer
        .fields
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| {
            let value = match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (k.as_str(), value)
        })
        .collect();
    let body = call(client, &creds, &answer.method, &business, now)
        .await
        .map_err(|e| e.to_string())?;
    let key = format!(
        "{}_response",
        answer
            .method
            .trim_start_matches("taobao.")
            .replace('.', "_")
    );
    taobao::parse_done(&body, &key).map_err(|e| e.to_string())
}
