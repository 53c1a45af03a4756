//! A shop's credentials on a platform's open API (Pinduoduo, Taobao, JD, Douyin): the app's id
//! and secret and the shop's access token, as an admin enters them, sealed with the server's
//! key, and opened only to sign a call. Every platform names them its own way (Taobao's
//! `app_key`, `app_secret`, `session`); kesu takes them under one set of names.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use kesu_domain::error::Problem;
use kesu_domain::platform::{ApiError, Platform};
use kesu_store::{PlatformSource, Store, User};
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};

use super::site::{shop_name, SourceView};
use crate::error::{AppError, AppResult};
use crate::vault::Vault;

/// The credentials as an admin enters them.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ApiForm {
    /// The app's id (Pinduoduo `client_id`, Taobao `app_key`, JD `app_key`, Douyin `app_key`).
    pub client_id: String,
    /// The app's secret (`client_secret`, `app_secret`): signs every call, and checks the
    /// signature of what the platform pushes.
    pub client_secret: String,
    /// The shop's access token (Taobao `session`).
    pub access_token: String,
    /// Another gateway (a test server); the platform's own by default.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// The shop's id on the platform where its calls name it (JD `buId`, the venderId).
    #[serde(default)]
    pub seller_id: Option<String>,
    /// The account that reads and answers (JD `operatePin`).
    #[serde(default)]
    pub operator: Option<String>,
    pub enabled: bool,
}

/// What is sealed.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub(crate) struct Credentials {
    pub client_id: String,
    pub client_secret: String,
    pub access_token: String,
    pub endpoint: String,
    #[serde(default)]
    pub seller_id: Option<String>,
    #[serde(default)]
    pub operator: Option<String>,
}

impl Credentials {
    /// Signs `params` with the app's secret (the MD5 recipe of Pinduoduo, Taobao and JD) and
    /// posts them as a form to the platform's gateway; the raw answer.
    pub(crate) async fn post_signed(
        &self,
        client: &reqwest::Client,
        mut params: BTreeMap<String, String>,
        platform: &str,
    ) -> Result<Vec<u8>, ApiError> {
        let signature = md5_signature(&self.client_secret, &params);
        params.insert("sign".to_owned(), signature);
        let response = client
            .post(&self.endpoint)
            .form(&params)
            .send()
            .await
            .map_err(|e| ApiError::Unreachable(format!("{platform} could not be reached: {e}")))?;
        response
            .bytes()
            .await
            .map(|b| b.to_vec())
            .map_err(|e| ApiError::Unreachable(format!("the answer was cut off: {e}")))
    }

    pub(crate) fn open(vault: &Vault, source: &PlatformSource) -> AppResult<Credentials> {
        serde_json::from_str(&vault.open_sealed(&source.sealed)?)
            .map_err(|e| AppError::Internal(format!("the stored credentials are unreadable: {e}")))
    }
}

/// An admin sets up (or changes) a shop's credentials on `platform`; they are sealed.
#[allow(clippy::too_many_arguments)]
pub async fn set_up(
    store: &Store,
    vault: &Vault,
    caller: &User,
    platform: Platform,
    default_endpoint: &str,
    shop: &str,
    form: ApiForm,
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
    let endpoint = form
        .endpoint
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .unwrap_or(default_endpoint);
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        errors.push(kesu_domain::FieldError::explained(
            "endpoint",
            Problem::Format,
            "an http(s) address",
        ));
    }
    let optional = |field: &'static str, value: &Option<String>, errors: &mut Vec<_>| {
        let v = value.as_deref().map(str::trim).filter(|v| !v.is_empty());
        if v.is_some_and(|v| v.len() > 128 || v.chars().any(char::is_control)) {
            errors.push(kesu_domain::FieldError::new(
                field,
                Problem::Length { min: 0, max: 128 },
            ));
        }
        v.map(str::to_owned)
    };
    let seller_id = optional("seller_id", &form.seller_id, &mut errors);
    let operator = optional("operator", &form.operator, &mut errors);
    if platform == Platform::Jd && (seller_id.is_none() || operator.is_none()) {
        for field in ["seller_id", "operator"] {
            errors.push(kesu_domain::FieldError::explained(
                field,
                Problem::Required,
                "JD names the shop (buId) and the operator (operatePin) in every call",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let credentials = Credentials {
        seller_id,
        operator,
        client_id: form.client_id.trim().to_owned(),
        client_secret: form.client_secret.trim().to_owned(),
        access_token: form.access_token.trim().to_owned(),
        endpoint: endpoint.to_owned(),
    };
    let sealed = vault
        .seal(&serde_json::to_string(&credentials).map_err(|e| AppError::Internal(e.to_string()))?);
    store
        .set_platform_source(
            platform,
            &shop,
            form.enabled,
            &sealed,
            kesu_store::By::new(&caller.username, now),
        )
        .await?;
    tracing::info!(platform = platform.code(), shop = %shop, enabled = form.enabled, by = %caller.username, "platform source set");
    Ok(SourceView {
        platform,
        shop,
        enabled: form.enabled,
        send_answers: false,
        updated_at: now,
    })
}

/// The gateway of a platform set up with API credentials; `None` for one that is not.
pub fn default_endpoint(platform: Platform) -> Option<&'static str> {
    match platform {
        Platform::Pinduoduo => Some(super::pinduoduo::ENDPOINT),
        Platform::Taobao => Some(super::taobao::ENDPOINT),
        Platform::Douyin => Some(super::douyin::ENDPOINT),
        Platform::Jd => Some(super::jd::ENDPOINT),
        Platform::Site => None,
    }
}

/// An admin sets up a source of a platform named by its code (`pinduoduo`, `taobao` …).
pub async fn set_up_named(
    store: &Store,
    vault: &Vault,
    caller: &User,
    platform: &str,
    shop: &str,
    form: ApiForm,
    now: DateTime<Utc>,
) -> AppResult<SourceView> {
    let (platform, endpoint) = Platform::parse(platform)
        .and_then(|p| Some((p, default_endpoint(p)?)))
        .ok_or_else(|| AppError::NotFound(format!("kesu has no API connector for `{platform}`")))?;
    set_up(store, vault, caller, platform, endpoint, shop, form, now).await
}

/// The `md5` signature of Pinduoduo and Taobao: MD5 of the secret, every parameter's name
/// and value in name order, and the secret again, in upper-case hex.
pub fn md5_signature(secret: &str, params: &BTreeMap<String, String>) -> String {
    let mut md5 = Md5::new();
    md5.update(secret.as_bytes());
    for (k, v) in params {
        md5.update(k.as_bytes());
        md5.update(v.as_bytes());
    }
    md5.update(secret.as_bytes());
    hex::encode_upper(md5.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;
    use md5::{Digest, Md5};

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
        assert_eq!(
            md5_signature("s", &params),
            hex::encode_upper(md5.finalize())
        );
        assert_eq!(md5_signature("s", &params).len(), 32);
    }
}
