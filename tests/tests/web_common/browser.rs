//! Real-browser helpers for the browser tests: a local `chromedriver` with headless Debian
//! Chromium, viewport sizes for phone (390×844) and laptop/projector (1366×768) screenshots
//! saved in the artifacts directory, and an axe-core accessibility check.
//!
//! **Viewports.** Desktop Chromium windows cannot be narrower than about 500 px, so a size is
//! set with the DevTools `Emulation.setDeviceMetricsOverride` command (through chromedriver's
//! `goog/cdp/execute` endpoint): the page lays out, and screenshots are taken, at exactly that
//! CSS size with a device pixel ratio of 1; widths under 500 px also emulate a mobile device.
//!
//! **Accessibility.** [`axe_violations`] injects axe-core (`axe.min.js`, installed by
//! `tests/browser/install-axe.sh` into `$ACCOLADE_AXE_DIR` or `~/.cache/accolade/axe`, version
//! pinned in `tests/browser/AXE_VERSION`) through WebDriver's execute-script, which the page's
//! Content-Security-Policy does not govern, then runs `axe.run` with the WCAG 2.0/2.1 A and AA
//! rule tags. [`serious`] keeps the `serious` and `critical` ones, and [`describe`] prints them
//! one per rule with each offending element's selector and HTML.

#![allow(dead_code)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde::Deserialize;
use serde_json::{json, Value};

/// Debian's Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver (package `chromium-driver`).
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Phone viewport.
pub const PHONE: (u32, u32) = (390, 844);
/// Laptop / projector viewport.
pub const LAPTOP: (u32, u32) = (1366, 768);

/// A chromedriver process of this test, killed on drop (also when the test panics).
pub struct Driver {
    child: Child,
    /// Its WebDriver URL.
    pub url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

/// Starts chromedriver on a free local port; panics (the test fails, it is not skipped) when
/// Chromium or chromedriver is missing.
pub async fn start_driver() -> Driver {
    assert!(
        Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
        "this test needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}): \
         apt-get install -y chromium chromium-driver (.ci/run does)"
    );
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let http = local_http();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(res) = http.get(format!("{}/status", driver.url)).send().await {
            if res.status().is_success() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    driver
}

fn local_http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

/// A browser session with its driver URL (for DevTools commands).
pub struct Browser {
    /// The WebDriver client.
    pub c: Client,
    driver_url: String,
    session: String,
    size: (u32, u32),
}

/// A new headless Chromium session with its own fresh profile directory, at `size`.
pub async fn open(driver: &Driver, profile: &Path, size: (u32, u32)) -> Browser {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--lang=en-GB",
                format!("--user-data-dir={}", profile.display()),
                "--window-size=1400,900",
            ],
        }),
    );
    let c = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("WebDriver session");
    let session = c
        .session_id()
        .await
        .expect("session id")
        .expect("a session");
    let mut b = Browser {
        c,
        driver_url: driver.url.clone(),
        session,
        size: (0, 0),
    };
    b.resize(size).await;
    b
}

impl Browser {
    /// Sends a DevTools protocol command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        let res = local_http()
            .post(format!(
                "{}/session/{}/goog/cdp/execute",
                self.driver_url, self.session
            ))
            .json(&json!({"cmd": cmd, "params": params}))
            .send()
            .await
            .expect("cdp request");
        let status = res.status();
        let body: Value = res.json().await.expect("cdp json");
        assert!(status.is_success(), "{cmd}: {status} {body}");
        body["value"].clone()
    }

    /// Lays the page out at `w`×`h` CSS pixels (device pixel ratio 1; mobile under 500 px).
    pub async fn resize(&mut self, (w, h): (u32, u32)) {
        if self.size == (w, h) {
            return;
        }
        let mobile = w < 500;
        self.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({
                "width": w, "height": h, "screenWidth": w, "screenHeight": h,
                "deviceScaleFactor": 1, "mobile": mobile,
            }),
        )
        .await;
        self.cdp(
            "Emulation.setTouchEmulationEnabled",
            json!({"enabled": mobile, "maxTouchPoints": if mobile { 5 } else { 1 }}),
        )
        .await;
        self.size = (w, h);
        // The override applies at once; wait until the page sees the new screen. (A page's
        // own layout width follows its viewport meta tag: ours all use device-width.)
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let inner = self
                .c
                .execute(
                    "return [window.screen.width, window.screen.height];",
                    vec![],
                )
                .await
                .expect("viewport");
            if inner[0].as_u64() == Some(u64::from(w)) {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "viewport never became {w}x{h}: {inner}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Opens `url` and waits for the document to finish loading.
    pub async fn goto(&self, url: &str) {
        self.c
            .goto(url)
            .await
            .unwrap_or_else(|e| panic!("{url}: {e}"));
        self.loaded().await;
    }

    /// Waits until `document.readyState` is `complete` and every image has loaded.
    pub async fn loaded(&self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ready = self
                .c
                .execute(
                    "return document.readyState === 'complete' && \
                     Array.from(document.images).every(function (i) { return i.complete; });",
                    vec![],
                )
                .await
                .expect("readyState");
            if ready == Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "page did not finish loading");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The path of the current page.
    pub async fn path(&self) -> String {
        self.c.current_url().await.expect("url").path().to_owned()
    }

    /// Takes a viewport screenshot at the current size and saves it as
    /// `<name>-<w>x<h>.png` in the artifacts directory; checks the PNG's size.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let png = self.c.screenshot().await.expect("screenshot");
        let (w, h) = png_size(&png);
        assert_eq!(
            (w, h),
            self.size,
            "{name}: screenshot is {w}x{h}, viewport {:?}",
            self.size
        );
        let path = super::artifacts_dir().join(format!("{name}-{w}x{h}.png"));
        std::fs::write(&path, png).expect("write screenshot");
        path
    }

    /// Screenshots of the current page at phone and laptop size (ending at laptop size), and
    /// the axe-core check at each; returns the serious and critical violations found (with
    /// the page name), so a test can report every page before failing.
    pub async fn capture(&mut self, name: &str) -> Vec<String> {
        let mut found = Vec::new();
        for size in [PHONE, LAPTOP] {
            self.resize(size).await;
            self.loaded().await;
            // Nothing may be wider than the viewport (no sideways scrolling of the page).
            let overflow = self
                .c
                .execute(
                    "return document.documentElement.scrollWidth - window.innerWidth;",
                    vec![],
                )
                .await
                .expect("scrollWidth");
            if overflow.as_i64().unwrap_or(0) > 1 {
                found.push(format!(
                    "{name} at {}x{}: the page scrolls sideways by {overflow} px",
                    size.0, size.1
                ));
            }
            self.screenshot(name).await;
            let all = axe_violations(&self.c).await;
            let minor: Vec<Violation> = all
                .iter()
                .filter(|v| !matches!(v.impact.as_deref(), Some("serious" | "critical")))
                .cloned()
                .collect();
            if !minor.is_empty() {
                // Reported in the log, not failed on.
                eprintln!(
                    "axe-core (minor/moderate) on {name} at {}x{}:\n{}",
                    size.0,
                    size.1,
                    describe(&minor)
                );
            }
            let v = serious(all);
            if !v.is_empty() {
                found.push(format!(
                    "{name} at {}x{} ({}):\n{}",
                    size.0,
                    size.1,
                    self.path().await,
                    describe(&v)
                ));
            }
        }
        found
    }

    /// Waits for an element matching `css` (10 s at most).
    pub async fn wait_for(&self, css: &str) -> fantoccini::elements::Element {
        self.c
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css} never appeared: {e}"))
    }

    /// The text of the first element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        self.c
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .text()
            .await
            .expect("text")
    }

    /// Types `text` into the field matching `css` (after clearing it).
    pub async fn fill(&self, css: &str, text: &str) {
        let e = self.wait_for(css).await;
        e.clear().await.expect("clear");
        e.send_keys(text).await.expect("type");
    }

    /// Clicks the element matching `css` and waits for the next page to load.
    pub async fn click(&self, css: &str) {
        self.wait_for(css).await.click().await.expect("click");
        tokio::time::sleep(Duration::from_millis(100)).await;
        self.loaded().await;
    }

    /// Signs in through the password form of `/signin?next=…` (opened by the caller or here).
    pub async fn sign_in(&self, base: &str, login: &str, next: &str) {
        self.goto(&format!("{base}/signin?next={next}")).await;
        self.fill("#login", login).await;
        self.fill("#password", accolade_e2e::PASSWORD).await;
        self.click("#password-submit").await;
    }

    /// Ends the WebDriver session.
    pub async fn close(self) {
        let _ = self.c.close().await;
    }
}

fn png_size(png: &[u8]) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::Cursor::new(png.to_vec()));
    let reader = decoder.read_info().expect("png");
    let info = reader.info();
    (info.width, info.height)
}

/// Path of `axe.min.js` (see the module docs); panics with the install command when missing.
pub fn axe_path() -> PathBuf {
    let version = include_str!("../../browser/AXE_VERSION").trim();
    let dir = std::env::var_os("ACCOLADE_AXE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME"))
                .join(".cache")
                .join("accolade")
                .join("axe")
        });
    let path = dir.join(format!("axe-core-{version}")).join("axe.min.js");
    assert!(
        path.is_file(),
        "axe-core {version} is not installed at {}: run tests/browser/install-axe.sh \
         (.ci/run does)",
        path.display()
    );
    path
}

/// One axe-core rule violation.
#[derive(Debug, Clone, Deserialize)]
pub struct Violation {
    /// Rule id, e.g. `color-contrast`.
    pub id: String,
    /// `minor`, `moderate`, `serious` or `critical`.
    pub impact: Option<String>,
    /// What the rule wants.
    pub help: String,
    /// The rule's documentation.
    #[serde(rename = "helpUrl")]
    pub help_url: String,
    /// Offending elements.
    pub nodes: Vec<ViolationNode>,
}

/// An element violating a rule.
#[derive(Debug, Clone, Deserialize)]
pub struct ViolationNode {
    /// CSS selector path.
    pub target: Value,
    /// The element's HTML (truncated by axe).
    pub html: String,
    /// Why it fails.
    #[serde(rename = "failureSummary", default)]
    pub failure_summary: Option<String>,
}

/// Runs axe-core on the current page with the WCAG 2.0/2.1 A and AA rules; every violation.
pub async fn axe_violations(c: &Client) -> Vec<Violation> {
    let source = std::fs::read_to_string(axe_path()).expect("read axe.min.js");
    let has_axe = c
        .execute("return typeof window.axe === 'object';", vec![])
        .await
        .expect("script");
    if has_axe != Value::Bool(true) {
        // axe's UMD wrapper sets window.axe when there is no module system.
        c.execute(&format!("{source}\n;return typeof window.axe;"), vec![])
            .await
            .expect("inject axe-core");
    }
    // `ACCOLADE_AXE_TAGS` (comma-separated axe tags, e.g. `best-practice`) widens the check
    // for a local run.
    let tags: Vec<String> = std::env::var("ACCOLADE_AXE_TAGS")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .map(|t| t.split(',').map(|s| s.trim().to_owned()).collect())
        .unwrap_or_else(|| {
            ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
                .map(str::to_owned)
                .to_vec()
        });
    let out = c
        .execute_async(
            "var done = arguments[arguments.length - 1];\
             window.axe.run(document, {\
               runOnly: {type: 'tag', values: arguments[0]},\
               resultTypes: ['violations']\
             }).then(function (r) { done(JSON.stringify(r.violations)); },\
                     function (e) { done(JSON.stringify({error: String(e)})); });",
            vec![json!(tags)],
        )
        .await
        .expect("axe.run");
    let text = out.as_str().expect("axe result string");
    match serde_json::from_str::<Vec<Violation>>(text) {
        Ok(v) => v,
        Err(_) => panic!("axe.run failed: {text}"),
    }
}

/// Only the `serious` and `critical` violations.
pub fn serious(v: Vec<Violation>) -> Vec<Violation> {
    v.into_iter()
        .filter(|v| matches!(v.impact.as_deref(), Some("serious" | "critical")))
        .collect()
}

/// A readable list: one block per rule, one line per element.
pub fn describe(v: &[Violation]) -> String {
    let mut out = String::new();
    for r in v {
        out.push_str(&format!(
            "  [{}] {}: {} ({})\n",
            r.impact.as_deref().unwrap_or("?"),
            r.id,
            r.help,
            r.help_url
        ));
        for n in r.nodes.iter().take(10) {
            let target = n
                .target
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|t| {
                            t.as_str()
                                .map(str::to_owned)
                                .unwrap_or_else(|| t.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(" >> ")
                })
                .unwrap_or_else(|| n.target.to_string());
            let summary = n
                .failure_summary
                .as_deref()
                .unwrap_or("")
                .replace('\n', " ");
            out.push_str(&format!("    - {target}: {}\n      {summary}\n", n.html));
        }
        if r.nodes.len() > 10 {
            out.push_str(&format!("    … and {} more\n", r.nodes.len() - 10));
        }
    }
    out
}
