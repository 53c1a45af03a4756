// A real OpenID Connect provider (panva's oidc-provider, OpenID certified) for kesu's
// single sign-on tests (crates/kesu/tests/api/sso.rs starts it; `.ci/run` installs it with
// `npm ci --prefix crates/kesu/tests/peers/oidc`).
// Usage: node provider.mjs PORT REDIRECT_URI ACCOUNTS_JSON
// ACCOUNTS_JSON maps a login name to the claims its ID token carries, e.g.
// {"lily": {"kesu_role": "supervisor"}, "olga": {"groups": ["ops"]}}. The login form of the
// provider's development interactions takes any password.
import Provider from 'oidc-provider';

const [port, redirectUri, accountsJson] = process.argv.slice(2);
const accounts = JSON.parse(accountsJson);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  // Fixed keys for the tamper-detecting cookies; this provider lives only as long as a test.
  cookies: { keys: ['kesu-test-cookie-key'] },
  clients: [{
    client_id: 'kesu',
    client_secret: 'kesu-test-secret',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name', 'kesu_role', 'kesu_department', 'groups'],
  },
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  async findAccount(ctx, id) {
    const extra = accounts[id];
    if (!extra) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, preferred_username: id, name: id, ...extra };
      },
    };
  },
  async loadExistingGrant(ctx) {
    // Consent is given once for all: kesu is the shop's own application.
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid profile');
    grant.addOIDCClaims(['preferred_username', 'name', 'kesu_role', 'kesu_department', 'groups']);
    await grant.save();
    return grant;
  },
});
provider.proxy = false;
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc provider listening on ${issuer}`);
});
