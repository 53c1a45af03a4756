//! The test application: server, clock, users and small request helpers.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use kesu_store::Store;
use kesu_web::{AppState, FixedClock};
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};

pub const ADMIN_PASSWORD: &str = "admin-password";

/// Generates one test per backend from `async fn name(app: TestApp)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::helpers::TestApp::sqlite().await).await;
            })+
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let Some(app) = $crate::helpers::TestApp::postgres().await else { return };
                super::$name(app).await;
            })+
        }
    };
}

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub clock: Arc<FixedClock>,
    #[allow(dead_code)] // for tests that inspect the database directly
    pub store: Store,
    #[allow(dead_code)] // for tests that run the worker on the same state
    pub search: kesu_search::Search,
    #[allow(dead_code)] // for tests that run the platform workers on the server's key
    pub vault: kesu_app::vault::Vault,
    /// The unused recovery codes of users who set up two-factor sign-in through a helper,
    /// spent one per later sign-in (a code of the app would repeat under the fixed clock).
    pub recovery_codes: std::sync::Mutex<std::collections::HashMap<String, Vec<String>>>,
    /// The database's URL and how the `kesu` command is told where it is (`--data DIR` or
    /// `--database-url URL`), for tests that reach the database or run the command.
    #[allow(dead_code)]
    pub db_url: String,
    #[allow(dead_code)]
    pub cli_place: Vec<String>,
    _dir: Option<tempfile::TempDir>,
    _shutdown: tokio::sync::oneshot::Sender<()>,
}

pub fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-23T02:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = kesu_store::sqlite_url_in(dir.path());
        let store = Store::connect(&url).await.unwrap();
        let place = vec!["--data".into(), dir.path().display().to_string()];
        let mut app = TestApp::start(store, Some(dir)).await;
        app.db_url = url;
        app.cli_place = place;
        app
    }

    /// A server on a fresh SQLite database whose state `configure` changed first (options
    /// of `kesu serve` such as `--https-proxy`); it is told the server's address.
    #[allow(dead_code)]
    pub async fn sqlite_with(configure: impl FnOnce(&mut AppState, &str)) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::connect(&kesu_store::sqlite_url_in(dir.path()))
            .await
            .unwrap();
        let index_dir = dir.path().join("search");
        TestApp::start_configured(store, Some(dir), &index_dir, configure).await
    }

    /// A server on the SQLite database already in `dir` (e.g. filled by `kesu demo`).
    #[allow(dead_code)] // used by the browser tests
    pub async fn sqlite_in(dir: tempfile::TempDir) -> TestApp {
        let store = Store::connect(&kesu_store::sqlite_url_in(dir.path()))
            .await
            .unwrap();
        TestApp::start(store, Some(dir)).await
    }

    pub async fn postgres() -> Option<TestApp> {
        let admin = kesu_store::testing::postgres_admin_url()?;
        let url = kesu_store::testing::fresh_postgres_database(&admin).await;
        let store = Store::connect(&url).await.unwrap();
        // The search index lives in a folder whatever the database.
        let dir = tempfile::tempdir().unwrap();
        let mut app = TestApp::start(store, Some(dir)).await;
        app.cli_place = vec!["--database-url".into(), url.clone()];
        app.db_url = url;
        Some(app)
    }

    async fn start(store: Store, dir: Option<tempfile::TempDir>) -> TestApp {
        let index_dir = dir
            .as_ref()
            .map(|d| d.path().join("search"))
            .expect("every test app has a folder");
        TestApp::start_with_index(store, dir, &index_dir).await
    }

    /// A server on `store` whose search index lives in `index_dir` (which may be elsewhere
    /// than `dir`, e.g. on a small disk of its own).
    pub async fn start_with_index(
        store: Store,
        dir: Option<tempfile::TempDir>,
        index_dir: &std::path::Path,
    ) -> TestApp {
        TestApp::start_configured(store, dir, index_dir, |_, _| {}).await
    }

    async fn start_configured(
        store: Store,
        dir: Option<tempfile::TempDir>,
        index_dir: &std::path::Path,
        configure: impl FnOnce(&mut AppState, &str),
    ) -> TestApp {
        store
            .ensure_admin(Some(ADMIN_PASSWORD), t0())
            .await
            .unwrap();
        let clock = Arc::new(FixedClock::new(t0()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let search = kesu_search::Search::start(store.clone(), index_dir)
            .await
            .unwrap();
        let mut state = AppState::new(store.clone(), clock.clone(), search.clone());
        configure(&mut state, &format!("http://127.0.0.1:{port}"));
        let vault = state.vault.clone();
        tokio::spawn(kesu_web::serve(listener, state, async {
            rx.await.ok();
        }));
        TestApp {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            clock,
            store,
            search,
            vault,
            recovery_codes: Default::default(),
            db_url: String::new(),
            cli_place: Vec::new(),
            _dir: dir,
            _shutdown: tx,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A token for `username`, with a recovery code when a helper set up their second factor.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let mut body = json!({"username": username, "password": password});
        if self.recovery_codes.lock().unwrap().contains_key(username) {
            body["recovery_code"] = json!(self.take_recovery_code(username));
        }
        let r = self
            .client
            .post(self.url("/api/v1/auth/token"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "sign-in as {username}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn admin(&self) -> String {
        self.token("admin", ADMIN_PASSWORD).await
    }

    /// Creates a user through the API and returns a token for them.
    pub async fn user(&self, username: &str, role: &str, department: Option<&str>) -> String {
        let admin = self.admin().await;
        let mut body = json!({"username": username, "password": "pass-word-1", "role": role});
        if let Some(d) = department {
            body["department"] = json!(d);
        }
        let r = self.post(&admin, "/api/v1/users", &body).await;
        assert_eq!(r.status(), StatusCode::CREATED, "create {username}");
        self.token(username, "pass-word-1").await
    }

    pub async fn get(&self, token: &str, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, token: &str, path: &str) -> Response {
        self.client
            .delete(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap()
    }

    #[allow(dead_code)]
    pub async fn put(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client
            .put(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(&self, token: &str, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// Stores an order (`PUT /api/v1/orders/{order_no}`).
    pub async fn put_order(&self, token: &str, order_no: &str, body: &Value) -> Response {
        self.client
            .put(self.url(&format!("/api/v1/orders/{order_no}")))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn register(&self, token: &str, body: &Value) -> Value {
        let r = self.post(token, "/api/v1/cases", body).await;
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.unwrap()
    }

    pub async fn case(&self, token: &str, id: i64) -> Value {
        let r = self.get(token, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    pub async fn history(&self, token: &str, id: i64) -> Vec<Value> {
        let r = self.get(token, &format!("/api/v1/cases/{id}/events")).await;
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.unwrap()
    }

    /// Posts an action at the case's current version.
    pub async fn act(&self, token: &str, id: i64, mut action: Value) -> Response {
        let version = self.case(&self.admin().await, id).await["version"].clone();
        if action.get("version").is_none() {
            action["version"] = version;
        }
        self.post(token, &format!("/api/v1/cases/{id}/actions"), &action)
            .await
    }

    /// Posts an action that must succeed, returning the case after it.
    /// The audit trail for `query` once it holds at least `at_least` entries: the sealer
    /// chains what committed when no older transaction is still open (PostgreSQL), so a
    /// test waits for it rather than reading a trail a moment behind.
    #[allow(dead_code)]
    pub async fn trail(&self, token: &str, query: &str, at_least: i64) -> Value {
        for _ in 0..100 {
            self.store.seal_pending(|_| {}).await.unwrap();
            let trail: Value = self
                .get(token, &format!("/api/v1/audit?{query}"))
                .await
                .json()
                .await
                .unwrap();
            if trail["total"].as_i64().unwrap_or(0) >= at_least {
                return trail;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the trail for `{query}` never held {at_least} entries");
    }

    pub async fn act_ok(&self, token: &str, id: i64, action: Value) -> Value {
        let r = self.act(token, id, action.clone()).await;
        let status = r.status();
        let body: Value = r.json().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{action} → {body}");
        body
    }
}

/// A complete registration form.
pub fn complaint() -> Value {
    json!({
        "channel": "chat",
        "complainant": {"name": "王小明", "phone": "13812345678", "email": "xiaoming@example.com"},
        "order_no": "TB20261111001",
        "tracking_no": "YT1234567890",
        "category": "damaged",
        "demand": "reship",
        "description": "收到的玻璃杯碎了两个，外箱有明显压痕",
        "received_at": "2026-11-23T09:30:00+08:00"
    })
}

/// Reads a problem+json body, checking its content type and status member.
pub async fn problem(r: Response, status: StatusCode) -> Value {
    assert_eq!(r.status(), status);
    let ct = r.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], status.as_u16());
    assert!(
        body["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{body}"
    );
    body
}

/// The field names a 422 problem lists.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A browser-like client with a cookie jar, signed in as `username`: with a recovery code
/// when the user has two-factor sign-in, after setting it up when their role requires it.
pub async fn browser(app: &TestApp, username: &str, password: &str) -> (reqwest::Client, String) {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(app.url("/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "signed in as {username}");
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    if location.starts_with("/login/two-factor") {
        let page = page_text(&client, &app.url(&location)).await;
        let code = app.take_recovery_code(username);
        let r = client
            .post(app.url("/login/two-factor"))
            .form(&[
                ("_csrf", csrf_in(&page).as_str()),
                ("recovery_code", &code),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            StatusCode::SEE_OTHER,
            "second factor of {username}"
        );
    }
    let r = client.get(app.url("/")).send().await.unwrap();
    let owes_setup = r
        .headers()
        .get("location")
        .is_some_and(|l| l.to_str().unwrap().starts_with("/account/two-factor"));
    if owes_setup {
        set_up_two_factor(app, &client, username).await;
    }
    let page = page_text(&client, &app.url("/")).await;
    (client, csrf_in(&page))
}

/// A signed-in browser reveals case `id`'s customer with `reason` (the workbench masks
/// them until then); the answer's status.
#[allow(dead_code)]
pub async fn reveal_in_browser(
    app: &TestApp,
    client: &reqwest::Client,
    csrf: &str,
    id: i64,
    reason: &str,
) -> StatusCode {
    client
        .post(app.url(&format!("/cases/{id}/reveal")))
        .form(&[("_csrf", csrf), ("reason", reason)])
        .send()
        .await
        .unwrap()
        .status()
}

/// The code an authenticator app shows for `secret` (base32) at `at`.
pub fn totp_code(secret: &str, at: DateTime<Utc>) -> String {
    let bytes = totp_rs::Secret::Encoded(secret.to_owned())
        .to_bytes()
        .unwrap();
    let totp =
        totp_rs::TOTP::new(totp_rs::Algorithm::SHA1, 6, 0, 30, bytes, None, "x".into()).unwrap();
    totp.generate(u64::try_from(at.timestamp()).unwrap())
}

/// The text between `before` and the next `<` in a page.
pub fn text_after<'a>(page: &'a str, before: &str) -> &'a str {
    let start = page
        .find(before)
        .unwrap_or_else(|| panic!("no {before} in {page}"))
        + before.len();
    page[start..].split('<').next().unwrap()
}

/// Sets up two-factor sign-in on the account page of a signed-in `client`, answering the
/// app's code at the server's time; keeps the recovery codes for later sign-ins. Returns
/// the secret.
pub async fn set_up_two_factor(app: &TestApp, client: &reqwest::Client, username: &str) -> String {
    let page = page_text(client, &app.url("/account/two-factor")).await;
    let csrf = csrf_in(&page);
    let r = client
        .post(app.url("/account/two-factor"))
        .form(&[("_csrf", csrf.as_str()), ("step", "begin")])
        .send()
        .await
        .unwrap();
    let page = r.text().await.unwrap();
    let secret = text_after(&page, "id=\"totp-secret\">").to_owned();
    let code = totp_code(&secret, kesu_web::Clock::now(app.clock.as_ref()));
    let r = client
        .post(app.url("/account/two-factor"))
        .form(&[
            ("_csrf", csrf.as_str()),
            ("step", "confirm"),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::OK,
        "two-factor set up for {username}"
    );
    let page = r.text().await.unwrap();
    let codes: Vec<String> = page
        .split("<li><code>")
        .skip(1)
        .map(|p| p.split('<').next().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10, "{page}");
    app.recovery_codes
        .lock()
        .unwrap()
        .insert(username.to_owned(), codes);
    secret
}

impl TestApp {
    /// One of `username`'s unused recovery codes, spent.
    pub fn take_recovery_code(&self, username: &str) -> String {
        self.recovery_codes
            .lock()
            .unwrap()
            .get_mut(username)
            .and_then(Vec::pop)
            .unwrap_or_else(|| panic!("{username} has no recovery code left in the test"))
    }
}

/// The body of a page fetched with `client`.
pub async fn page_text(client: &reqwest::Client, url: &str) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// The CSRF token a page's forms carry.
pub fn csrf_in(page: &str) -> String {
    page.split("name=\"_csrf\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries a CSRF token")
        .to_owned()
}

/// A customer's browser (cookies kept, redirects not followed) files `fields` through the
/// public form at `base`; returns the browser, the form's CSRF token and the token of the
/// status link it was given.
pub async fn file_public_complaint(
    base: &str,
    fields: &[(&str, &str)],
) -> (reqwest::Client, String, String) {
    let browser = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = page_text(&browser, &format!("{base}/complain")).await;
    let csrf = csrf_in(&page);
    let mut form = vec![("_csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let done = browser
        .post(format!("{base}/complain"))
        .form(&form)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let link = done
        .split("href=\"/s/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the customer gets a status link")
        .to_owned();
    (browser, csrf, link)
}

/// `t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: a signature made here, from the documented
/// recipe, as a shop's site (or any sender) would make it.
pub fn signature(secret: &str, t: i64, body: &[u8]) -> String {
    use hmac::{Hmac, Mac};
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    let v1: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={v1}")
}
