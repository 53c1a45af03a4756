//! Single sign-on through the shop's OpenID Connect provider: the authorisation-code flow with
//! PKCE, state and nonce; the ID token's signature, issuer, audience, expiry and nonce checked
//! by `openidconnect`; its claims made a kesu account by [`kesu_domain::sso::identity`]. The
//! provider's metadata and keys are read once and again every hour.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use kesu_domain::sso::{ClaimMapping, Identity, Refusal};
use kesu_store::{NewUser, Store, StoreError, User};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use crate::error::{AppError, AppResult};

/// Who the audit trail names for accounts made or changed at a single sign-on.
const SSO_ACTOR: &str = "single-sign-on";

/// How long the provider's metadata and keys are reused.
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// The admin's settings (`kesu serve --oidc-*`).
#[derive(Debug, Clone)]
pub struct SsoConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    /// kesu's own callback address as the browser reaches it (…/login/oidc/callback).
    pub redirect_url: String,
    pub mapping: ClaimMapping,
}

/// A sign-in under way: kept (sealed) in the browser between leaving for the provider and
/// coming back.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
    /// Where to go once signed in.
    pub next: String,
}

pub struct Sso {
    config: SsoConfig,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

fn unavailable(e: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %e, "single sign-on: the identity provider failed");
    AppError::Unavailable(
        "the identity provider cannot be reached or answered wrongly; try again later".into(),
    )
}

impl Sso {
    pub fn new(config: SsoConfig) -> AppResult<Arc<Sso>> {
        IssuerUrl::new(config.issuer.clone())
            .map_err(|e| AppError::Internal(format!("--oidc-issuer: {e}")))?;
        RedirectUrl::new(config.redirect_url.clone())
            .map_err(|e| AppError::Internal(format!("--oidc-redirect-url: {e}")))?;
        let http = openidconnect::reqwest::ClientBuilder::new()
            // Following redirects would open the client to request forgery.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| AppError::Internal(format!("HTTP client: {e}")))?;
        Ok(Arc::new(Sso {
            config,
            http,
            metadata: tokio::sync::Mutex::new(None),
        }))
    }

    async fn metadata(&self) -> AppResult<CoreProviderMetadata> {
        let mut cached = self.metadata.lock().await;
        if let Some((at, m)) = cached.as_ref() {
            if at.elapsed() < METADATA_TTL {
                return Ok(m.clone());
            }
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).map_err(unavailable)?;
        let m = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .map_err(unavailable)?;
        *cached = Some((Instant::now(), m.clone()));
        Ok(m)
    }

    async fn client(
        &self,
    ) -> AppResult<
        openidconnect::Client<
            openidconnect::EmptyAdditionalClaims,
            openidconnect::core::CoreAuthDisplay,
            openidconnect::core::CoreGenderClaim,
            openidconnect::core::CoreJweContentEncryptionAlgorithm,
            openidconnect::core::CoreJsonWebKey,
            openidconnect::core::CoreAuthPrompt,
            openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
            openidconnect::core::CoreTokenResponse,
            openidconnect::core::CoreTokenIntrospectionResponse,
            openidconnect::core::CoreRevocableToken,
            openidconnect::core::CoreRevocationErrorResponse,
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
    > {
        let metadata = self.metadata().await?;
        let redirect = RedirectUrl::new(self.config.redirect_url.clone()).map_err(unavailable)?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    /// Where to send the browser to sign in, and what to keep until it comes back.
    pub async fn start(&self, next: &str) -> AppResult<(String, Pending)> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok((
            url.to_string(),
            Pending {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                next: next.to_owned(),
            },
        ))
    }

    /// The person the provider signed in, from the code it sent back: the ID token checked
    /// (at `now`) and its claims mapped to a kesu identity.
    pub async fn finish(
        &self,
        code: &str,
        pending: &Pending,
        now: DateTime<Utc>,
    ) -> AppResult<Identity> {
        let client = self.client().await?;
        let exchange = client.exchange_code(AuthorizationCode::new(code.to_owned()));
        let response = exchange
            .map_err(unavailable)?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| {
                tracing::warn!(error = %e, "single sign-on: the code was not taken");
                AppError::Unauthenticated(
                    "the identity provider did not accept the sign-in; try again".into(),
                )
            })?;
        let id_token = response.id_token().ok_or_else(|| {
            AppError::Unauthenticated("the identity provider sent no ID token".into())
        })?;
        let verifier = client.id_token_verifier().set_time_fn(move || now);
        id_token
            .claims(&verifier, &Nonce::new(pending.nonce.clone()))
            .map_err(|e| {
                tracing::warn!(error = %e, "single sign-on: an ID token was refused");
                AppError::Unauthenticated("the identity provider's answer did not check out".into())
            })?;
        // Verified above: its payload may now be read for the claims kesu maps.
        let claims = payload(&id_token.to_string())?;
        kesu_domain::sso::identity(&claims, &self.config.mapping).map_err(|r| {
            let why = match r {
                Refusal::NoUsername(m) => {
                    format!("the provider's preferred_username does not fit kesu: {m}")
                }
                Refusal::NoRole => format!(
                    "the provider's `{}` claim gives no kesu role",
                    self.config.mapping.role_claim
                ),
                Refusal::NoDepartment => format!(
                    "a department user needs the `{}` claim",
                    self.config.mapping.department_claim
                ),
            };
            tracing::warn!(reason = %why, "single sign-on refused");
            AppError::Forbidden(why)
        })
    }
}

/// The JSON payload of a (verified) JWT.
fn payload(jwt: &str) -> AppResult<serde_json::Value> {
    use base64::Engine as _;
    let part = jwt
        .split('.')
        .nth(1)
        .ok_or_else(|| AppError::Unauthenticated("malformed ID token".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .map_err(|_| AppError::Unauthenticated("malformed ID token".into()))?;
    serde_json::from_slice(&bytes)
        .map_err(|_| AppError::Unauthenticated("malformed ID token".into()))
}

/// The kesu account of a person signed in by the provider: made on their first sign-in (with
/// a random password nobody knows), given the role the provider says now on every later one.
/// A disabled account stays shut.
pub async fn account_for(
    store: &Store,
    identity: &Identity,
    now: DateTime<Utc>,
) -> AppResult<User> {
    let name = identity.username.as_str();
    let user = match store.user(name).await? {
        Some(u) => u,
        None => {
            let mut secret = [0u8; 24];
            rand::thread_rng().fill_bytes(&mut secret);
            let password = hex::encode(secret);
            let created = store
                .create_user(
                    NewUser {
                        username: &identity.username,
                        password: &password,
                        role: identity.role,
                        department: identity.department.as_ref(),
                    },
                    kesu_store::By::new(SSO_ACTOR, now),
                )
                .await;
            match created {
                Ok(u) => {
                    tracing::info!(user = %name, role = %identity.role, "account made by single sign-on");
                    u
                }
                // Made by a sign-in on another server a moment ago.
                Err(StoreError::Duplicate(_)) => store
                    .user(name)
                    .await?
                    .ok_or_else(|| AppError::Internal("account vanished".into()))?,
                Err(e) => return Err(e.into()),
            }
        }
    };
    if user.disabled {
        return Err(AppError::Forbidden(
            "this account is disabled in kesu".into(),
        ));
    }
    if user.role != identity.role || user.department != identity.department {
        tracing::info!(user = %name, from = %user.role, to = %identity.role, "role changed by the identity provider");
        return Ok(store
            .set_user_role(
                name,
                identity.role,
                identity.department.as_ref(),
                kesu_store::By::new(SSO_ACTOR, now),
            )
            .await?);
    }
    Ok(user)
}
