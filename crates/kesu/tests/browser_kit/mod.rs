//! The browser the workbench tests drive: Debian's headless Chromium over WebDriver
//! (chromedriver), with helpers that wait for pages, take screenshots at desktop and phone
//! sizes, and count the clicks a walk needs.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use super::helpers::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver and a browser session; both end when this is dropped.
pub struct Browser {
    pub client: Client,
    driver: Child,
    shots: PathBuf,
    /// Clicks (and keyboard shortcuts) a person would make, for the walk's count.
    clicks: std::sync::atomic::AtomicU32,
    keys: std::sync::atomic::AtomicU32,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.driver.kill().ok();
        self.driver.wait().ok();
    }
}

impl Browser {
    pub async fn start() -> Option<Browser> {
        if !(std::path::Path::new(CHROMIUM).exists() && std::path::Path::new(CHROMEDRIVER).exists())
        {
            assert!(
                std::env::var("KESU_REQUIRE_BROWSER").as_deref() != Ok("1"),
                "KESU_REQUIRE_BROWSER=1 but {CHROMIUM} or {CHROMEDRIVER} is missing"
            );
            eprintln!("SKIPPED: browser test (apt-get install chromium chromium-driver fonts-noto-cjk to run it)");
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let status = format!("http://127.0.0.1:{port}/status");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http
                .get(&status)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success())
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().unwrap();
        let caps = serde_json::json!({
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1366,768", "--lang=zh-CN",
                         format!("--user-data-dir={}", profile.path().display())]
            }
        });
        // The test build links two rustls crypto providers (ring for kesu's own HTTP and SMTP
        // clients, aws-lc-rs from the WebDriver client), so rustls cannot pick one by
        // itself: name it, once per process (a second call finds it set and changes nothing).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = ClientBuilder::rustls()
            .expect("TLS setup")
            .capabilities(caps.as_object().unwrap().clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        let shots =
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-screenshots");
        std::fs::create_dir_all(&shots).unwrap();
        println!("screenshots: {}", shots.canonicalize().unwrap().display());
        Some(Browser {
            client,
            driver,
            shots,
            clicks: Default::default(),
            keys: Default::default(),
            _profile: profile,
        })
    }

    /// Scrolls `css` into view (for a screenshot of something below the fold).
    pub async fn scroll_to(&self, css: &str) {
        self.wait_for(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).scrollIntoView({block: 'center'})",
                vec![serde_json::json!(css)],
            )
            .await
            .unwrap();
    }

    /// Like [`Browser::shots`], with `css` scrolled into view at each size (the phone's
    /// narrower page moves it).
    pub async fn shots_of(&self, css: &str, name: &str) {
        self.shots_scrolled(name, Some(css)).await;
    }

    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        std::fs::write(self.shots.join(format!("{name}.png")), png).unwrap();
    }

    /// Replaces whatever `css` holds (a reply box filled with a script) with `text`.
    pub async fn replace(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
    }

    pub async fn fill(&self, css: &str, text: &str) {
        self.wait_for(css).await.send_keys(text).await.unwrap();
    }

    /// How many clicks and keyboard shortcuts were used so far.
    pub fn counted(&self) -> (u32, u32) {
        use std::sync::atomic::Ordering::Relaxed;
        (self.clicks.load(Relaxed), self.keys.load(Relaxed))
    }

    /// Picks `value` in the select `css`: two clicks for a person (open it, pick).
    pub async fn choose(&self, css: &str, value: &str) {
        self.click(&format!("{css} option[value='{value}']")).await;
        self.clicks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Presses Enter in the field `css` and waits for the page its form loads.
    pub async fn enter(&self, css: &str) {
        self.keys_and_load(css, "\u{E007}", "Enter").await;
    }

    /// Ctrl+Enter in the text box `css`: sends its form, and waits for the page it loads.
    pub async fn ctrl_enter(&self, css: &str) {
        self.keys_and_load(css, "\u{E009}\u{E007}", "Ctrl+Enter")
            .await;
    }

    /// Sends `keys` (one shortcut, counted) to `css` and waits for the page its form loads.
    async fn keys_and_load(&self, css: &str, keys: &str, named: &str) {
        let old = self.wait_for("html").await;
        self.wait_for(css).await.send_keys(keys).await.unwrap();
        self.keys.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        for _ in 0..200 {
            if old.tag_name().await.is_err() {
                self.wait_for("body").await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{named} in {css} did not send its form");
    }

    /// Screenshots `name` at a laptop's 1280×800 and a phone's 390×844, and says whether the
    /// phone page scrolls sideways (it must not).
    pub async fn shots(&self, name: &str) {
        self.shots_scrolled(name, None).await;
    }

    async fn shots_scrolled(&self, name: &str, scroll_to: Option<&str>) {
        self.client.set_window_size(1280, 800).await.unwrap();
        if let Some(css) = scroll_to {
            self.scroll_to(css).await;
        }
        self.shot(&format!("{name}-desktop")).await;
        self.client.set_window_size(390, 844).await.unwrap();
        if let Some(css) = scroll_to {
            self.scroll_to(css).await;
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
        self.shot(&format!("{name}-phone")).await;
        let wide = self
            .client
            .execute(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
                vec![],
            )
            .await
            .unwrap();
        if wide.as_i64().unwrap_or(0) > 1 {
            // Name the widest culprits, innermost first, for whoever fixes it.
            let culprits = self
                .client
                .execute(
                    "var w = document.documentElement.clientWidth; return Array.from(document.querySelectorAll('body *'))\
                     .filter(function (e) { var r = e.getBoundingClientRect(); return r.right > w + 1 && r.width > 0; })\
                     .filter(function (e) { return !Array.from(e.children).some(function (c) { return c.getBoundingClientRect().right > w + 1; }); })\
                     .slice(0, 5).map(function (e) { return e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right); }).join(', ');",
                    vec![],
                )
                .await
                .unwrap();
            panic!("{name}: the page scrolls sideways at 390 px by {wide}: {culprits}");
        }
        self.client.set_window_size(1280, 800).await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.clicks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.wait_for(css).await.click().await.unwrap();
    }

    /// Clicks something that loads a new page, and waits until the old one is gone (an
    /// element of the old page that also exists on the new one must not be mistaken for it).
    pub async fn click_and_load(&self, css: &str) {
        let old = self.wait_for("html").await;
        self.click(css).await;
        for _ in 0..200 {
            if old.tag_name().await.is_err() {
                self.wait_for("body").await;
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("clicking {css} did not load a page");
    }

    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("waiting for {css}: {e}"))
    }

    /// The text of `css`, read again if the page was replaced between finding and reading it.
    pub async fn text(&self, css: &str) -> String {
        for _ in 0..50 {
            match self.wait_for(css).await.text().await {
                Ok(text) => return text,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        panic!("{css} kept going stale");
    }
}

impl Browser {
    pub async fn sign_in(&self, app: &TestApp, username: &str) {
        self.client.goto(&app.url("/login")).await.unwrap();
        self.fill("#username", username).await;
        self.fill("#password", "pass-word-1").await;
        self.click_and_load("button[type=submit]").await;
        self.second_factor(app, username).await;
        self.wait_for("header .me").await;
    }

    /// After the password: the recovery code of a user with two-factor sign-in, or setting it
    /// up (QR code page, the app's code) for a role that must have it.
    /// Its clicks are signing in, not work: they are not counted.
    pub async fn second_factor(&self, app: &TestApp, username: &str) {
        use std::sync::atomic::Ordering::Relaxed;
        let counted = self.clicks.load(Relaxed);
        self.answer_second_factor(app, username).await;
        self.clicks.store(counted, Relaxed);
    }

    async fn answer_second_factor(&self, app: &TestApp, username: &str) {
        let url = self.client.current_url().await.unwrap();
        if url.path() == "/login/two-factor" {
            self.click("details summary").await;
            self.fill("#recovery_code", &app.take_recovery_code(username))
                .await;
            self.click_and_load("form[action='/login/two-factor'] button[type=submit]")
                .await;
        } else if url.path() == "/account/two-factor" {
            self.click_and_load("button[value=begin]").await;
            let secret = self.text("#totp-secret").await;
            let code = super::helpers::totp_code(&secret, kesu_web::Clock::now(app.clock.as_ref()));
            self.fill("#code", &code).await;
            self.click_and_load("button[value=confirm]").await;
            let mut codes = Vec::new();
            for li in self
                .client
                .find_all(Locator::Css("#recovery-codes code"))
                .await
                .unwrap()
            {
                codes.push(li.text().await.unwrap());
            }
            assert_eq!(codes.len(), 10);
            app.recovery_codes
                .lock()
                .unwrap()
                .insert(username.to_owned(), codes);
            self.click_and_load("a.button[href='/']").await;
        }
    }

    pub async fn sign_out(&self) {
        self.click_and_load("header form[action='/logout'] button")
            .await;
        self.wait_for("#username").await;
    }

    /// Submits the case page's form for `action` after `fill` ran, and waits for the reload.
    pub async fn act(&self, action: &str) {
        // The old page must be gone before the new one is read: its steps and errors are not
        // the answer.
        self.click_and_load(&format!("form[data-action={action}] button[type=submit]"))
            .await;
        self.wait_for("ol.steps").await;
        let errors = self
            .client
            .find_all(Locator::Css("div.error"))
            .await
            .unwrap();
        if let Some(e) = errors.first() {
            panic!("{action}: {}", e.text().await.unwrap());
        }
    }
}
