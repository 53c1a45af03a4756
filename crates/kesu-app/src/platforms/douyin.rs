//! The Douyin shop (抖店) connector: Douyin pushes its after-sales messages to kesu, signed
//! with the app's secret (`event-sign`: MD5, or HMAC-SHA256 when `event-sign-method` says so,
//! of app key + body + secret); kesu checks the signature before reading anything, reads each
//! after-sale named as it now stands (`afterSale.Detail`, a signed call), and takes it like
//! every platform's request ([`super::take`]). When Douyin cannot be read the push is answered
//! as failed, so that Douyin pushes it again; what was taken stays, and taking it again
//! changes nothing.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use chrono_tz::Asia::Shanghai;
use hmac::{Hmac, Mac};
use kesu_domain::platform::{douyin, ApiError, Call, Platform};
use kesu_store::{PlatformSource, Store, User};
use md5::{Digest, Md5};
use serde_json::Value;
use sha2::Sha256;

use super::credentials::{ApiForm, Credentials};
use super::site::{shop_name, SourceView};
use crate::error::{AppError, AppResult};
use crate::vault::Vault;

/// Douyin's gateway.
pub const ENDPOINT: &str = "https://openapi-fxg.jinritemai.com";

/// An admin sets up a shop's Douyin credentials (`client_id` = app_key, `client_secret` =
/// app_secret, `access_token` = the shop's token); they are sealed.
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
        Platform::Douyin,
        ENDPOINT,
        shop,
        form,
        now,
    )
    .await
}

/// The headers a push is signed with.
#[derive(Debug, Clone, Copy, Default)]
pub struct PushHeaders<'a> {
    pub app_id: Option<&'a str>,
    pub event_sign: Option<&'a str>,
    pub sign_method: Option<&'a str>,
}

/// A push whose signature matched its shop's app secret.
pub struct Signed<'a> {
    pub shop: String,
    source: PlatformSource,
    creds: Credentials,
    body: &'a [u8],
}

/// Whether `sign` is Douyin's signature of `body`: hex MD5 (or HMAC-SHA256 keyed with the
/// secret) of app key + body + secret, compared in constant time.
pub fn signs(app_key: &str, secret: &str, method: Option<&str>, body: &[u8], sign: &str) -> bool {
    let Ok(given) = hex::decode(sign.trim()) else {
        return false;
    };
    let mut message = Vec::with_capacity(app_key.len() + body.len() + secret.len());
    message.extend_from_slice(app_key.as_bytes());
    message.extend_from_slice(body);
    message.extend_from_slice(secret.as_bytes());
    let expected = match method.map(str::to_ascii_lowercase).as_deref() {
        Some("hmac-sha256") => {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .expect("HMAC takes keys of any size");
            mac.update(&message);
            mac.finalize().into_bytes().to_vec()
        }
        _ => Md5::digest(&message).to_vec(),
    };
    expected.len() == given.len() && constant_time_eq(&expected, &given)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A push checked against the shop's app before anything is read; nothing is stored for one
/// that is not signed with its secret.
pub async fn verify<'a>(
    store: &Store,
    vault: &Vault,
    shop: &str,
    headers: PushHeaders<'_>,
    body: &'a [u8],
) -> AppResult<Signed<'a>> {
    let shop = shop_name(shop)?;
    let source = store
        .platform_source(Platform::Douyin, &shop)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no Douyin source is set up for shop {shop}")))?;
    let creds = Credentials::open(vault, &source)?;
    let signed = headers.app_id == Some(creds.client_id.as_str())
        && headers.event_sign.is_some_and(|s| {
            signs(
                &creds.client_id,
                &creds.client_secret,
                headers.sign_method,
                body,
                s,
            )
        });
    if !signed {
        tracing::warn!(platform = "douyin", shop = %shop, "a push with a missing or wrong signature was refused");
        return Err(AppError::Unauthenticated(
            "the app-id and event-sign headers do not match the shop's Douyin app".into(),
        ));
    }
    if !source.enabled {
        return Err(AppError::conflict(format!(
            "the Douyin source of shop {shop} is switched off"
        )));
    }
    Ok(Signed {
        shop,
        source,
        creds,
        body,
    })
}

/// What a push did.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct PushReport {
    pub opened: u64,
    pub changed: u64,
    pub unchanged: u64,
    pub skipped: u64,
}

/// Takes a signed push: every after-sale its messages name, read as it now stands.
pub async fn take_push(
    store: &Store,
    client: &reqwest::Client,
    push: Signed<'_>,
    now: DateTime<Utc>,
) -> AppResult<PushReport> {
    let messages: Value = serde_json::from_slice(push.body)
        .map_err(|e| AppError::Malformed(format!("the body is not JSON: {e}")))?;
    let list = match messages {
        Value::Array(list) => list,
        single @ Value::Object(_) => vec![single],
        _ => {
            return Err(AppError::Malformed(
                "the body must be a list of messages".into(),
            ))
        }
    };
    let mut report = PushReport::default();
    let mut status = super::status::load(store, Platform::Douyin, &push.shop).await?;
    status.started(now);
    let ids: BTreeSet<String> = list.iter().filter_map(douyin::pushed_after_sale).collect();
    for id in ids {
        let data = match call(
            client,
            &push.creds,
            "afterSale.Detail",
            &after_sale(&id),
            now,
        )
        .await
        {
            Ok(data) => data,
            Err(e) => {
                status.finished(now, Some(e.to_string()));
                super::status::save(store, Platform::Douyin, &push.shop, &status).await?;
                return Err(AppError::Unavailable(format!(
                    "Douyin could not be read ({e}); push again"
                )));
            }
        };
        match douyin::request(&data, &push.source.shop) {
            Ok(request) => match super::take(store, &request, now).await {
                Ok(t) => {
                    status.took(t.created, t.changed);
                    match (t.created, t.changed) {
                        (true, _) => report.opened += 1,
                        (false, true) => report.changed += 1,
                        (false, false) => report.unchanged += 1,
                    }
                }
                Err(AppError::Forbidden(why)) => {
                    status.skipped(&why);
                    report.skipped += 1;
                }
                Err(e) => return Err(e),
            },
            Err(why) => {
                status.skipped(&why);
                report.skipped += 1;
            }
        }
    }
    status.cursor = Some(now);
    status.finished(now, None);
    super::status::save(store, Platform::Douyin, &push.shop, &status).await?;
    Ok(report)
}

fn after_sale(id: &str) -> Value {
    serde_json::json!({ "after_sale_id": id, "need_operation_record": false })
}

/// Douyin's signature of a call: hex HMAC-SHA256, keyed with the secret, of the secret, the
/// parameters `app_key`, `method`, `param_json`, `timestamp`, `v` in that order, and the
/// secret again.
pub fn call_signature(
    secret: &str,
    app_key: &str,
    method: &str,
    param_json: &str,
    t: &str,
) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(
        format!(
            "{secret}app_key{app_key}method{method}param_json{param_json}timestamp{t}v2{secret}"
        )
        .as_bytes(),
    );
    hex::encode(mac.finalize().into_bytes())
}

/// Calls a method of Douyin's gateway (`afterSale.Detail` at `/afterSale/Detail`), signed;
/// its `data`.
async fn call(
    client: &reqwest::Client,
    creds: &Credentials,
    method: &str,
    params: &Value,
    now: DateTime<Utc>,
) -> Result<Value, ApiError> {
    // Douyin signs the parameters with their keys sorted, compact.
    let param_json = serde_json::to_string(&sorted(params)).expect("JSON serialises");
    let timestamp = now
        .with_timezone(&Shanghai)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let sign = call_signature(
        &creds.client_secret,
        &creds.client_id,
        method,
        &param_json,
        &timestamp,
    );
    let url = format!(
        "{}/{}",
        creds.endpoint.trim_end_matches('/'),
        method.replace('.', "/")
    );
    let response = client
        .post(url)
        .query(&[
            ("app_key", creds.client_id.as_str()),
            ("method", method),
            ("access_token", creds.access_token.as_str()),
            ("param_json", param_json.as_str()),
            ("timestamp", timestamp.as_str()),
            ("v", "2"),
            ("sign", sign.as_str()),
            ("sign_method", "hmac-sha256"),
        ])
        .header("content-type", "application/json")
        .body(param_json.clone())
        .send()
        .await
        .map_err(|e| ApiError::Unreachable(format!("Douyin could not be reached: {e}")))?;
    let body = response
        .bytes()
        .await
        .map_err(|e| ApiError::Unreachable(format!("the answer was cut off: {e}")))?;
    douyin::parse_data(&body)
}

/// A JSON value with every object's keys in order (serde_json's maps keep them sorted).
fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), sorted(v))).collect()),
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// Calls Douyin's answer method with the call's fields.
pub async fn send_answer(
    client: &reqwest::Client,
    vault: &Vault,
    source: &PlatformSource,
    answer: &Call,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let creds = Credentials::open(vault, source).map_err(|e| e.to_string())?;
    call(client, &creds, &answer.method, &answer.fields, now)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_signatures_follow_douyins_recipe() {
        let body = br#"[{"tag":"200","msg_id":"1","data":"{}"}]"#;
        let md5 = hex::encode(Md5::digest(
            b"app1[{\"tag\":\"200\",\"msg_id\":\"1\",\"data\":\"{}\"}]secret",
        ));
        assert!(signs("app1", "secret", None, body, &md5));
        assert!(!signs("app1", "other", None, body, &md5));
        assert!(!signs("app1", "secret", None, b"[]", &md5));
        assert!(!signs("app1", "secret", Some("hmac-sha256"), body, &md5));
        assert!(!signs("app1", "secret", None, body, "zz"));
    }
}
