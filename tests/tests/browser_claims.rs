//! Browser test of the QR-claiming pages, in headless Chromium driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`; `.ci/run` installs them). The test fails, rather
//! than skips, when they are missing.
//!
//! - Projector (1366×768): the teacher signs in through the web form and opens
//!   `/present/{id}`; a screenshot's QR decodes (rqrr) to the current claim URL, which a student
//!   then claims over the API (201); without a reload the counter turns to 1 and the student's
//!   first name appears.
//! - Phone (390×844): a signed-out student opens `/c/{token}`, signs in with a password, claims,
//!   and sees the badge (image alt text = badge name); a closed code shows its friendly page.
//!
//! Screenshots are saved in `$ACCOLADE_ARTIFACTS_DIR` (default `<workspace>/target/artifacts`).

mod web_common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use accolade_e2e::PASSWORD;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use web_common::{artifacts_dir, code, current, setup, student, Fixture, TEACHER};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// A chromedriver process of this test, killed on drop (also when the test panics).
struct Driver {
    child: Child,
    url: String,
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

async fn start_driver() -> Driver {
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
    let http = reqwest::Client::builder()
        .no_proxy()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
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

/// A new headless Chromium session with its own fresh profile and a `w`×`h` viewport; `phone`
/// emulates a phone screen (desktop windows cannot be narrower than 500 px).
async fn browser(driver: &Driver, profile: &Path, w: u32, h: u32, phone: bool) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    let mut options = json!({
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
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={w},{h}"),
        ],
    });
    if phone {
        options["mobileEmulation"] = json!({
            "deviceMetrics": {"width": w, "height": h, "pixelRatio": 1.0, "touch": true},
        });
    }
    caps.insert("goog:chromeOptions".into(), options);
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("WebDriver session");
    if !phone {
        fit_viewport(&client, w, h).await;
    }
    client
}

/// Resizes the window so the viewport (what a screenshot shows) is exactly w×h, whatever the
/// window frame.
async fn fit_viewport(client: &Client, w: u32, h: u32) {
    for _ in 0..3 {
        let inner = client
            .execute("return [window.innerWidth, window.innerHeight];", vec![])
            .await
            .expect("viewport");
        let (iw, ih) = (
            inner[0].as_u64().unwrap_or(0) as u32,
            inner[1].as_u64().unwrap_or(0) as u32,
        );
        if (iw, ih) == (w, h) {
            break;
        }
        let (ow, oh) = client.get_window_size().await.expect("window size");
        client
            .set_window_size(ow as u32 + w - iw.min(w), oh as u32 + h - ih.min(h))
            .await
            .expect("resize");
    }
}

fn save(name: &str, png: &[u8]) -> PathBuf {
    let path = artifacts_dir().join(name);
    std::fs::write(&path, png).expect("write screenshot");
    path
}

/// Decodes every QR code in a PNG screenshot.
fn decode_qr(png_bytes: &[u8]) -> (u32, u32, Vec<String>) {
    let mut decoder = png::Decoder::new(std::io::Cursor::new(png_bytes.to_vec()));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("png info");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("frame");
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.color_type.samples();
    let luma: Vec<u8> = buf[..w * h * channels]
        .chunks(channels)
        .map(|p| {
            if channels >= 3 {
                ((u32::from(p[0]) * 299 + u32::from(p[1]) * 587 + u32::from(p[2]) * 114) / 1000)
                    as u8
            } else {
                p[0]
            }
        })
        .collect();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| luma[y * w + x]);
    let texts = img
        .detect_grids()
        .iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect();
    (info.width, info.height, texts)
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

/// Polls the DOM until `css`'s text satisfies `ok` (10 s at most).
async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let t = text_of(c, css).await;
        if ok(&t) {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "{css} never matched; last text {t:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Fills and submits the password sign-in form on the current page.
async fn sign_in(c: &Client, login: &str) {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("login"))
        .await
        .expect("sign-in form")
        .send_keys(login)
        .await
        .expect("type login");
    c.find(Locator::Id("password"))
        .await
        .expect("password field")
        .send_keys(PASSWORD)
        .await
        .expect("type password");
    c.find(Locator::Id("password-submit"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
}

async fn projector(f: &Fixture, driver: &Driver, profile: &Path) {
    let ada = student(f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let c = code(
        f,
        json!({"rotation_secs": 30, "title": "Science Fair 2026"}),
    )
    .await;
    let id = c["id"].as_str().expect("id").to_owned();
    let present = format!("/present/{id}");

    let b = browser(driver, profile, 1366, 768, false).await;
    b.goto(&f.srv.url(&format!("/signin?next={present}")))
        .await
        .expect("open sign-in");
    sign_in(&b, TEACHER).await;
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("qr"))
        .await
        .expect("projector page");
    assert_eq!(b.current_url().await.expect("url").path(), present);
    // Wait for the QR image and for the live channel, so the claim below arrives live.
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let ready = b
            .execute(
                "var q = document.getElementById('qr'); \
                 return q.complete && q.naturalWidth > 0 && \
                 document.getElementById('present').getAttribute('data-live') === 'yes';",
                vec![],
            )
            .await
            .expect("script");
        if ready == Value::Bool(true) {
            break;
        }
        assert!(Instant::now() < deadline, "QR or WebSocket not ready");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let count_before = text_of(&b, "#count").await;
    assert_eq!(count_before, "0");
    let manual = text_of(&b, "#manual").await;
    assert_eq!(manual.len(), 9, "manual code {manual:?}");

    // Keep clear of a rotation: the page swaps its QR a moment after the period changes.
    let (status, cur) = f
        .srv
        .get(
            &format!("/api/v1/claim-codes/{id}/current"),
            &f.teacher.access,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cur}");
    let refresh_at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(cur["refresh_at"].clone()).expect("refresh_at");
    let until = (refresh_at - chrono::Utc::now()).num_milliseconds();
    if until < 5_000 {
        tokio::time::sleep(Duration::from_millis(until.max(0) as u64 + 3_000)).await;
    }
    let (before, _) = current(f, &c).await;
    let shot = b.screenshot().await.expect("screenshot");
    let (after, _) = current(f, &c).await;
    let path = save("present-1366x768.png", &shot);
    let (w, h, texts) = decode_qr(&shot);
    assert_eq!((w, h), (1366, 768), "screenshot size");
    assert_eq!(texts.len(), 1, "one QR code in {}", path.display());
    let decoded = texts[0].clone();
    assert!(
        decoded == before || decoded == after,
        "the QR says {decoded:?}, the code's current URL is {before:?}"
    );
    assert!(decoded.starts_with(&format!("{}/c/r", f.srv.base)));

    // A student claims with the decoded URL; the page counts it without reloading.
    b.execute("window.__noReload = true;", vec![])
        .await
        .expect("mark page");
    let (status, body) = f
        .srv
        .call(
            Method::POST,
            "/api/v1/claims",
            Some(&ada.access),
            Some(&json!({"token": decoded})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(wait_text(&b, "#count", |t| t == "1").await, "1");
    wait_text(&b, "#latest", |t| t.contains("Ada")).await;
    let same_page = b
        .execute("return window.__noReload === true;", vec![])
        .await
        .expect("script");
    assert_eq!(same_page, Value::Bool(true), "the page was reloaded");
    let shot = b.screenshot().await.expect("screenshot");
    save("present-after-claim-1366x768.png", &shot);

    // A bigger projector: everything scales up, and the QR still decodes.
    fit_viewport(&b, 1920, 1080).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let shot = b.screenshot().await.expect("screenshot");
    save("present-1920x1080.png", &shot);
    let (w, h, texts) = decode_qr(&shot);
    assert_eq!((w, h), (1920, 1080));
    assert_eq!(texts.len(), 1, "one QR code at 1920x1080");
    b.close().await.expect("close");
}

async fn phone(f: &Fixture, driver: &Driver, profile: &Path) {
    student(f, "Grace Hopper", "grace@north.example.org", f.class_id).await;
    let c = code(
        f,
        json!({"rotation_secs": 30, "title": "Science Fair 2026"}),
    )
    .await;
    let (url, _) = current(f, &c).await;

    let b = browser(driver, profile, 390, 844, true).await;
    b.goto(&url).await.expect("open claim link");
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("login"))
        .await
        .expect("sign-in page");
    assert!(text_of(&b, "h1").await.contains("Sign in to claim"));
    let shot = b.screenshot().await.expect("shot");
    save("claim-signin-390x844.png", &shot);
    let (w, h, _) = decode_qr(&shot);
    assert_eq!((w, h), (390, 844), "phone screenshot size");
    sign_in(&b, "grace@north.example.org").await;
    let button = b
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("claim-button"))
        .await
        .expect("claim page");
    save(
        "claim-confirm-390x844.png",
        &b.screenshot().await.expect("shot"),
    );
    button.click().await.expect("claim");
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("my-badges"))
        .await
        .expect("success page");
    assert_eq!(text_of(&b, "h1").await, "You got a badge!");
    let img = b
        .find(Locator::Css(".badge img"))
        .await
        .expect("badge image");
    assert_eq!(
        img.attr("alt").await.expect("alt").as_deref(),
        Some("Science Fair")
    );
    let loaded = b
        .execute(
            "var i = document.querySelector('.badge img'); return i.complete && i.naturalWidth > 0;",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(loaded, Value::Bool(true), "badge image loads under the CSP");
    save(
        "claim-success-390x844.png",
        &b.screenshot().await.expect("shot"),
    );

    // A closed code: the friendly page.
    let closed = code(f, json!({"mode": "static", "title": "Last week"})).await;
    let (closed_url, _) = current(f, &closed).await;
    let (status, _) = f
        .srv
        .post(
            &format!(
                "/api/v1/claim-codes/{}/close",
                closed["id"].as_str().expect("id")
            ),
            &f.teacher.access,
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    b.goto(&closed_url).await.expect("open closed code");
    assert_eq!(text_of(&b, "h1").await, "This code is closed");
    assert!(text_of(&b, "main")
        .await
        .contains("Your teacher has closed this code"));
    save(
        "claim-closed-390x844.png",
        &b.screenshot().await.expect("shot"),
    );
    b.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn projector_and_phone_in_a_real_browser() {
    let driver = start_driver().await;
    let f = setup("Science Fair", "Europe/London").await;
    let profiles = tempfile::tempdir().expect("profiles");
    projector(&f, &driver, &profiles.path().join("projector")).await;
    phone(&f, &driver, &profiles.path().join("phone")).await;
    f.srv.stop().await;
    drop(driver);
}
