//! The shop's own site as a source (CONTRACT §10): an admin sets the shop's secret, and the
//! site pushes its after-sales requests signed with it, the way kesu signs its webhooks
//! (`X-Kesu-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`).

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use kesu_domain::error::Problem;
use kesu_domain::platform::site::SitePush;
use kesu_domain::platform::Platform;
use kesu_store::{Store, User};
use serde::Deserialize;
use sha2::Sha256;

use super::{take, Taken};
use crate::error::{AppError, AppResult};
use crate::vault::Vault;

/// Shortest secret taken: shorter ones are guessed.
pub const MIN_SECRET_CHARS: usize = 16;

/// What an admin sends to set up a shop's site.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteForm {
    /// The secret the site signs its pushes with (at least 16 characters).
    pub secret: String,
    pub enabled: bool,
    /// Where kesu posts its answers to the site's requests (CONTRACT §10); none: the site
    /// takes no answers.
    #[serde(default)]
    pub answer_url: Option<String>,
}

/// What is sealed for a site: its secret and its answer address.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
struct SiteKeys {
    secret: String,
    #[serde(default)]
    answer_url: Option<String>,
}

impl SiteKeys {
    /// The sealed keys (a source set up before sites took answers sealed its bare secret).
    fn open(vault: &Vault, sealed: &str) -> AppResult<SiteKeys> {
        let raw = vault.open_sealed(sealed)?;
        Ok(serde_json::from_str(&raw).unwrap_or(SiteKeys {
            secret: raw,
            answer_url: None,
        }))
    }
}

/// What kesu tells about a source (never its secret).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SourceView {
    pub platform: Platform,
    pub shop: String,
    pub enabled: bool,
    pub send_answers: bool,
    pub updated_at: DateTime<Utc>,
}

/// A shop's name as a path names it: trimmed, 1–64 characters, no control characters.
pub fn shop_name(raw: &str) -> AppResult<String> {
    let shop = raw.trim();
    if shop.is_empty() || shop.chars().count() > 64 {
        return Err(AppError::invalid(
            "shop",
            Problem::Length { min: 1, max: 64 },
        ));
    }
    if shop.chars().any(kesu_domain::text::is_refused_control) {
        return Err(AppError::invalid("shop", Problem::ControlCharacter));
    }
    Ok(shop.to_owned())
}

/// An admin sets up (or changes) the shop's site as a source; the secret is sealed.
pub async fn set_up(
    store: &Store,
    vault: &Vault,
    caller: &User,
    shop: &str,
    form: SiteForm,
    now: DateTime<Utc>,
) -> AppResult<SourceView> {
    super::may_configure(caller)?;
    let shop = shop_name(shop)?;
    let secret = form.secret.trim();
    if secret.chars().count() < MIN_SECRET_CHARS || secret.len() > 512 {
        return Err(AppError::explained(
            "secret",
            Problem::Length {
                min: MIN_SECRET_CHARS as i64,
                max: 512,
            },
            "a secret of 16 to 512 characters, shared with the site only",
        ));
    }
    let answer_url = form
        .answer_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty());
    if let Some(url) = answer_url {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.len() > 1000 {
            return Err(AppError::explained(
                "answer_url",
                Problem::Format,
                "an http(s) address of at most 1000 characters",
            ));
        }
    }
    let keys = SiteKeys {
        secret: secret.to_owned(),
        answer_url: answer_url.map(str::to_owned),
    };
    let sealed = vault.seal(&serde_json::to_string(&keys).expect("keys serialise"));
    store
        .set_platform_source(
            Platform::Site,
            &shop,
            form.enabled,
            &sealed,
            kesu_store::By::new(&caller.username, now),
        )
        .await?;
    tracing::info!(platform = "site", shop = %shop, enabled = form.enabled, by = %caller.username, "platform source set");
    Ok(SourceView {
        platform: Platform::Site,
        shop,
        enabled: form.enabled,
        send_answers: false,
        updated_at: now,
    })
}

/// A push whose signature matched its shop's secret (and whose source is on).
#[derive(Debug)]
pub struct Signed<'a> {
    pub shop: String,
    body: &'a [u8],
}

/// A push from the shop's site, checked against the shop's secret before anything is read.
/// Nothing is stored for a push that is not signed with the secret.
pub async fn verify<'a>(
    store: &Store,
    vault: &Vault,
    shop: &str,
    signature: Option<&str>,
    body: &'a [u8],
) -> AppResult<Signed<'a>> {
    let shop = shop_name(shop)?;
    let source = store
        .platform_source(Platform::Site, &shop)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("no site is set up for shop {shop}")))?;
    let secret = SiteKeys::open(vault, &source.sealed)?.secret;
    if !signature.is_some_and(|s| signs(&secret, s, body)) {
        tracing::warn!(platform = "site", shop = %shop, "a push with a missing or wrong signature was refused");
        return Err(AppError::Unauthenticated(
            "the X-Kesu-Signature header is missing or does not match the shop's secret".into(),
        ));
    }
    if !source.enabled {
        return Err(AppError::conflict(format!(
            "the site of shop {shop} is switched off"
        )));
    }
    Ok(Signed { shop, body })
}

/// Takes a signed push like any platform's request.
pub async fn take_signed(store: &Store, push: Signed<'_>, now: DateTime<Utc>) -> AppResult<Taken> {
    let Signed { shop, body } = push;
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::Malformed(format!("the body is not JSON: {e}")))?;
    if !value.is_object() {
        return Err(AppError::Malformed("the body must be a JSON object".into()));
    }
    let push: SitePush = crate::error::from_value(value)?;
    let request = push.parse(&shop).map_err(AppError::Invalid)?;
    take(store, &request, now).await
}

/// Posts an answer to the site's answer address, signed like its pushes, with the answer's
/// key as `Idempotency-Key` (a retried answer is the same answer). Any 2xx is taken.
pub async fn send_answer(
    client: &reqwest::Client,
    vault: &Vault,
    source: &kesu_store::PlatformSource,
    call: &kesu_domain::platform::Call,
    now: DateTime<Utc>,
) -> Result<(), String> {
    let keys = SiteKeys::open(vault, &source.sealed).map_err(|e| e.to_string())?;
    let url = keys
        .answer_url
        .ok_or("the site has no answer address: set one on the platforms page")?;
    let body = serde_json::to_string(&call.fields).map_err(|e| e.to_string())?;
    let key = call.fields["answer_key"].as_str().unwrap_or_default();
    let response = client
        .post(url)
        .header("content-type", "application/json")
        .header(
            "X-Kesu-Signature",
            crate::notify::sign(&keys.secret, now.timestamp(), &body),
        )
        .header("Idempotency-Key", key)
        .body(body)
        .send()
        .await
        .map_err(|e| format!("the site could not be reached: {e}"))?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the site answered {}", response.status()))
    }
}

/// Whether `header` (`t=…,v1=…`) signs `body` with `secret`. Several `v1` values may be given
/// (a site changing its secret); one matching is enough. Compared in constant time.
pub fn signs(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", v)) => t = Some(v.trim()),
            Some(("v1", v)) => signatures.push(v.trim()),
            _ => {}
        }
    }
    let Some(t) = t.filter(|t| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit())) else {
        return false;
    };
    signatures.into_iter().any(|sig| {
        let Ok(expected) = hex::decode(sig) else {
            return false;
        };
        let mut mac =
            Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any size");
        mac.update(t.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(&expected).is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_made_the_documented_way_verifies_and_any_change_breaks_it() {
        let body = br#"{"request_id":"R1"}"#;
        let header = crate::notify::sign(
            "a-long-shared-secret",
            1_700_000_000,
            std::str::from_utf8(body).unwrap(),
        );
        assert!(signs("a-long-shared-secret", &header, body));
        assert!(!signs("another-secret-entirely", &header, body));
        assert!(!signs(
            "a-long-shared-secret",
            &header,
            br#"{"request_id":"R2"}"#
        ));
        assert!(!signs("a-long-shared-secret", "v1=00", body));
        assert!(!signs("a-long-shared-secret", "t=1,v1=zz", body));
        let rotated = format!("{header},v1=00ff");
        assert!(signs("a-long-shared-secret", &rotated, body));
    }
}
