//! `kesu serve`'s single sign-on options: the shop's OpenID Connect provider, kesu's client
//! there, and how its claims become roles. Off unless `--oidc-issuer` is given.

use kesu_app::sso::SsoConfig;
use kesu_domain::sso::ClaimMapping;

#[derive(clap::Args, Debug, Clone)]
pub struct OidcArgs {
    /// The identity provider's issuer URL (its `/.well-known/openid-configuration` is read).
    /// Turns on 企业账号登录 (single sign-on) on the sign-in page.
    #[arg(long, env = "KESU_OIDC_ISSUER")]
    oidc_issuer: Option<String>,
    /// kesu's client id at the provider.
    #[arg(long, env = "KESU_OIDC_CLIENT_ID", default_value = "kesu")]
    oidc_client_id: String,
    /// kesu's client secret at the provider (keep it in the environment, not on the command
    /// line).
    #[arg(long, env = "KESU_OIDC_CLIENT_SECRET", hide_env_values = true)]
    oidc_client_secret: Option<String>,
    /// kesu's callback as browsers reach it, registered at the provider:
    /// `https://kesu.example.com/login/oidc/callback`.
    #[arg(long, env = "KESU_OIDC_REDIRECT_URL")]
    oidc_redirect_url: Option<String>,
    /// The ID token claim holding the role (a role code, or groups with --oidc-role-map).
    #[arg(long, env = "KESU_OIDC_ROLE_CLAIM", default_value = "kesu_role")]
    oidc_role_claim: String,
    /// The claim holding a department user's department code.
    #[arg(
        long,
        env = "KESU_OIDC_DEPARTMENT_CLAIM",
        default_value = "kesu_department"
    )]
    oidc_department_claim: String,
    /// Claim values to roles: `cs-leads=supervisor,cs=agent,warehouse=department`. Without
    /// it the claim's values are role codes.
    #[arg(long, env = "KESU_OIDC_ROLE_MAP")]
    oidc_role_map: Option<String>,
}

impl OidcArgs {
    /// The sign-on settings, if an issuer was given; an error names what is missing.
    pub fn config(&self) -> anyhow::Result<Option<SsoConfig>> {
        let Some(issuer) = self.oidc_issuer.clone() else {
            return Ok(None);
        };
        let secret = self.oidc_client_secret.clone().ok_or_else(|| {
            anyhow::anyhow!("--oidc-issuer needs --oidc-client-secret (KESU_OIDC_CLIENT_SECRET)")
        })?;
        let redirect = self.oidc_redirect_url.clone().ok_or_else(|| {
            anyhow::anyhow!("--oidc-issuer needs --oidc-redirect-url, kesu's …/login/oidc/callback as browsers reach it")
        })?;
        let role_map = match &self.oidc_role_map {
            Some(raw) => ClaimMapping::parse_role_map(raw)
                .map_err(|e| anyhow::anyhow!("--oidc-role-map: {e}"))?,
            None => Vec::new(),
        };
        Ok(Some(SsoConfig {
            issuer,
            client_id: self.oidc_client_id.clone(),
            client_secret: secret,
            redirect_url: redirect,
            mapping: ClaimMapping {
                role_claim: self.oidc_role_claim.clone(),
                department_claim: self.oidc_department_claim.clone(),
                role_map,
            },
        }))
    }
}
