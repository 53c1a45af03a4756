//! Single sign-on against a real OpenID Connect provider (panva's certified `oidc-provider`,
//! run by Node from tests/peers/oidc): a person signs in at the provider and lands in the
//! workbench with the role its claim gives; the account is made on the first sign-in and
//! follows the provider after; no role, a disabled account or a forged callback get nowhere.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

fn provider_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/peers/oidc")
}

/// Whether Node and the provider package are here (skipped, or failed under
/// KESU_REQUIRE_PEERS, when not).
fn have_provider() -> bool {
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let package = provider_dir()
        .join("node_modules/oidc-provider/package.json")
        .exists();
    if !(node && package) {
        assert!(
            std::env::var("KESU_REQUIRE_PEERS").is_err(),
            "KESU_REQUIRE_PEERS is set but the OIDC provider is missing (node: {node}; run npm ci --prefix crates/kesu/tests/peers/oidc)"
        );
        eprintln!("SKIPPED: single sign-on (install node, then npm ci --prefix crates/kesu/tests/peers/oidc)");
    }
    node && package
}

struct Provider {
    child: Child,
    base: String,
}

impl Drop for Provider {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Starts the provider on `port` for kesu's `redirect`; it is ready once [`ready`] says so.
fn spawn_provider(port: u16, redirect: &str, accounts: &serde_json::Value) -> Provider {
    let child = Command::new("node")
        .arg("provider.mjs")
        .arg(port.to_string())
        .arg(redirect)
        .arg(accounts.to_string())
        .current_dir(provider_dir())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("node starts");
    Provider {
        child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

async fn ready(provider: &Provider) {
    let discovery = format!("{}/.well-known/openid-configuration", provider.base);
    for _ in 0..100 {
        if reqwest::get(&discovery)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the OIDC provider did not start");
}

/// Signs `login` in at the provider from kesu's sign-in page: kesu → provider → its login
/// form → back to kesu's callback. Answers kesu's last answer to the callback.
async fn sign_in_through(
    app: &TestApp,
    provider: &Provider,
    browser: &reqwest::Client,
    login: &str,
) -> reqwest::Response {
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("/login/oidc?next="),
        "the sign-in page offers the company account"
    );
    let r = browser
        .get(app.url("/login/oidc?next=/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let mut location = r.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&provider.base), "{location}");
    for _ in 0..20 {
        if location.starts_with(&app.url("/login/oidc/callback")) {
            return browser.get(&location).send().await.unwrap();
        }
        let url = if location.starts_with('/') {
            format!("{}{location}", provider.base)
        } else {
            location.clone()
        };
        let r = browser.get(&url).send().await.unwrap();
        if r.status().is_redirection() {
            location = r.headers()["location"].to_str().unwrap().to_owned();
            continue;
        }
        let form = r.text().await.unwrap();
        let action = form
            .split("action=\"")
            .nth(1)
            .and_then(|a| a.split('"').next())
            .unwrap_or_else(|| panic!("no form at the provider: {form}"))
            .to_owned();
        // The provider's own form: its hidden fields as they are, the login filled in.
        let mut fields: Vec<(String, String)> = Vec::new();
        for input in form.split("<input").skip(1) {
            let attr = |name: &str| {
                input
                    .split(&format!("{name}=\""))
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                    .map(str::to_owned)
            };
            let Some(name) = attr("name") else { continue };
            let value = match name.as_str() {
                "login" => login.to_owned(),
                "password" => "any".to_owned(),
                _ => attr("value").unwrap_or_default(),
            };
            fields.push((name, value));
        }
        let target = if action.starts_with('/') {
            format!("{}{action}", provider.base)
        } else {
            action.clone()
        };
        let r = browser.post(target).form(&fields).send().await.unwrap();
        assert!(r.status().is_redirection(), "{action}: {}", r.status());
        location = r.headers()["location"].to_str().unwrap().to_owned();
    }
    panic!("never came back to kesu");
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_sign_in_through_the_shops_identity_provider_with_the_role_it_gives() {
    if !have_provider() {
        return;
    }
    let accounts = json!({
        "lily": {"kesu_role": "supervisor"},
        "wu": {"kesu_role": "department", "kesu_department": "logistics"},
        "guest": {"kesu_role": "visitor"},
    });
    // kesu is given the provider's address, the provider kesu's callback.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let started = std::sync::Arc::new(std::sync::Mutex::new(None));
    let keep = started.clone();
    let app = TestApp::sqlite_with(move |state, base| {
        let redirect = format!("{base}/login/oidc/callback");
        let provider = spawn_provider(port, &redirect, &accounts);
        state.sso = Some(
            kesu_app::sso::Sso::new(kesu_app::sso::SsoConfig {
                issuer: provider.base.clone(),
                client_id: "kesu".into(),
                client_secret: "kesu-test-secret".into(),
                redirect_url: redirect,
                mapping: Default::default(),
            })
            .unwrap(),
        );
        *keep.lock().unwrap() = Some(provider);
    })
    .await;
    let provider = started.lock().unwrap().take().unwrap();
    ready(&provider).await;
    // ID tokens carry the provider's real time.
    app.clock.set(chrono::Utc::now());

    // Lily: a supervisor at the provider, so a supervisor in kesu, signed in at once (the
    // provider's sign-in stands for kesu's second factor).
    let lily = browser();
    let r = sign_in_through(&app, &provider, &lily, "lily").await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/");
    let queue = lily.get(app.url("/")).send().await.unwrap();
    assert_eq!(queue.status(), StatusCode::OK);
    assert!(queue.text().await.unwrap().contains("lily"));
    let made = app.store.user("lily").await.unwrap().unwrap();
    assert_eq!(made.role, kesu_domain::Role::Supervisor);
    assert_eq!(
        lily.get(app.url("/approvals"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::OK
    );

    // A department user gets their department.
    let wu = browser();
    assert_eq!(
        sign_in_through(&app, &provider, &wu, "wu").await.status(),
        StatusCode::SEE_OTHER
    );
    let wu_account = app.store.user("wu").await.unwrap().unwrap();
    assert_eq!(wu_account.department.unwrap().as_str(), "logistics");

    // No kesu role: refused, no account made.
    let guest = browser();
    let r = sign_in_through(&app, &provider, &guest, "guest").await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("没有分配 kesu 的角色"));
    assert!(app.store.user("guest").await.unwrap().is_none());

    // A disabled account stays shut, whatever the provider says.
    let admin = app.admin().await;
    app.post(&admin, "/api/v1/users/lily/disable", &json!({}))
        .await;
    let again = browser();
    assert_eq!(
        sign_in_through(&app, &provider, &again, "lily")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // A callback kesu did not send the browser off for (no cookie, or another state) is
    // refused.
    let forged = browser();
    let r = forged
        .get(app.url("/login/oidc/callback?code=stolen&state=guess"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let r = forged
        .get(app.url("/login/oidc?next=/"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = forged
        .get(app.url("/login/oidc/callback?code=stolen&state=guess"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "the state must match");
}
