//! Browser test of the live moderation queue, in headless Chromium driven over WebDriver
//! (Debian's `chromium` and `chromium-driver`; `.ci/run` installs them). The test fails, rather
//! than skips, when they are missing.
//!
//! The teacher signs in through the web form and opens `/teach/queue` (1366×768); a student
//! nominates a classmate over the API; without a reload the page shows the "1 new nomination"
//! bar (fixed to the bottom of the screen: the list does not move), announces it politely,
//! and a press on the bar adds the nomination to the list and focuses it. The teacher then
//! approves it in the browser and the nomination is approved (an award exists).
//!
//! Screenshots are saved in `$ACCOLADE_ARTIFACTS_DIR` (default `<workspace>/target/artifacts`).

mod web_common;

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use accolade_e2e::PASSWORD;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::StatusCode;
use serde_json::{json, Value};
use web_common::{artifacts_dir, setup, student, TEACHER};

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

async fn start_driver() -> Driver {
    assert!(
        Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists(),
        "this test needs Debian's chromium and chromium-driver ({CHROMIUM}, {CHROMEDRIVER}): \
         apt-get install -y chromium chromium-driver (.ci/run does)"
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port");
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

async fn browser(driver: &Driver, profile: &Path, w: u32, h: u32) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
                format!("--user-data-dir={}", profile.display()),
                format!("--window-size={w},{h}"),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("WebDriver session")
}

/// Runs `script` until it returns `true` (15 s at most).
async fn wait_true(c: &Client, script: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let v = c.execute(script, vec![]).await.expect("script");
        if v == Value::Bool(true) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_nomination_appears_live_and_is_approved_in_the_browser() {
    let driver = start_driver().await;
    let f = setup("Science Fair", "Europe/London").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let bo = student(
        &f,
        "Bo \u{5e9}\u{5dc}\u{5d5}\u{5dd}",
        "bo@north.example.org",
        f.class_id,
    )
    .await;
    let profiles = tempfile::tempdir().expect("profiles");
    let b = browser(&driver, &profiles.path().join("teacher"), 1366, 768).await;

    b.goto(&f.srv.url("/signin?next=/teach/queue"))
        .await
        .expect("open sign-in");
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("login"))
        .await
        .expect("sign-in form")
        .send_keys(TEACHER)
        .await
        .expect("type login");
    b.find(Locator::Id("password"))
        .await
        .expect("password")
        .send_keys(PASSWORD)
        .await
        .expect("type password");
    b.find(Locator::Id("password-submit"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    b.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id("queue"))
        .await
        .expect("queue page");
    assert_eq!(b.current_url().await.expect("url").path(), "/teach/queue");
    wait_true(
        &b,
        "return document.getElementById('queue').getAttribute('data-live') === 'yes';",
        "the live channel",
    )
    .await;
    b.execute("window.__noReload = true;", vec![])
        .await
        .expect("mark page");
    let top_before = b
        .execute(
            "return document.getElementById('q-list').getBoundingClientRect().top;",
            vec![],
        )
        .await
        .expect("layout");

    // A student nominates a classmate over the API.
    let (status, created) = f
        .srv
        .post(
            "/api/v1/nominations",
            &ada.access,
            json!({"badge_class_id": f.badge["id"], "nominee_ids": [bo.id], "narrative": "Explained fractions to the whole table"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["nominations"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();

    // The bar appears without a reload, announced politely; nothing on the page moved.
    wait_true(
        &b,
        "return !document.getElementById('q-new').hidden;",
        "the new-nomination bar",
    )
    .await;
    let bar = b
        .find(Locator::Id("q-new-button"))
        .await
        .expect("bar button");
    assert_eq!(bar.text().await.expect("text"), "1 new nomination: show it");
    let announced = b
        .execute(
            "return document.getElementById('q-live').textContent;",
            vec![],
        )
        .await
        .expect("live region");
    assert_eq!(announced, json!("1 new nomination is waiting."));
    let top_after = b
        .execute(
            "return document.getElementById('q-list').getBoundingClientRect().top;",
            vec![],
        )
        .await
        .expect("layout");
    assert_eq!(
        top_before, top_after,
        "the list moved when the bar appeared"
    );
    std::fs::write(
        artifacts_dir().join("teacher-queue-new-1366x768.png"),
        b.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    bar.click().await.expect("show new");
    let item = b
        .wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Id(&format!("n-{id}")))
        .await
        .expect("the nomination in the list");
    let text = item.text().await.expect("item text");
    assert!(
        text.contains("Explained fractions to the whole table"),
        "{text}"
    );
    assert!(text.contains("Ada Lovelace"), "{text}");
    let focused = b
        .execute(
            "return document.activeElement && document.activeElement.id;",
            vec![],
        )
        .await
        .expect("focus");
    assert_eq!(focused, json!(format!("n-{id}")));
    let same_page = b
        .execute("return window.__noReload === true;", vec![])
        .await
        .expect("script");
    assert_eq!(same_page, Value::Bool(true), "the page was reloaded");
    std::fs::write(
        artifacts_dir().join("teacher-queue-1366x768.png"),
        b.screenshot().await.expect("screenshot"),
    )
    .expect("save");

    // Approve it in the browser.
    b.find(Locator::Css(&format!("#n-{id} button[value=\"approve\"]")))
        .await
        .expect("approve button")
        .click()
        .await
        .expect("approve");
    wait_true(
        &b,
        "return location.search.indexOf('done=approved') >= 0 && !!document.querySelector('.notice');",
        "the approved notice",
    )
    .await;
    let (status, n) = f
        .srv
        .get(&format!("/api/v1/nominations/{id}"), &f.teacher.access)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(n["status"], "approved", "{n}");
    assert!(n["award_id"].as_str().is_some(), "{n}");
    assert!(
        b.find(Locator::Id(&format!("n-{id}"))).await.is_err(),
        "no longer in the queue"
    );
    b.close().await.expect("close");
    f.srv.stop().await;
    drop(driver);
}
