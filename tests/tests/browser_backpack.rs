//! Browser test of the backpack pages in headless Chromium (Debian's `chromium` and
//! `chromium-driver`, installed by `.ci/run`; the test fails rather than skips without them):
//! a student signs in, creates a collection, adds three badges with comments, makes it
//! public, and the public address opens in a fresh browser (new profile: no cookies, no
//! session) showing the title, the three badges and the comments. Screenshots of the edit page
//! and the public page are kept in `$ACCOLADE_ARTIFACTS_DIR` (default
//! `<workspace>/target/artifacts`).

mod web_common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;
use web_common::{artifacts_dir, setup, student, Fixture};

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

/// A new headless Chromium session with its own fresh profile directory (so nothing — no
/// cookie, no cache — is shared with another session) and a 1366×768 window.
async fn browser(driver: &Driver, profile: &Path) -> Client {
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
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                format!("--user-data-dir={}", profile.display()),
                "--window-size=1366,900",
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("WebDriver session")
}

fn save(name: &str, png: &[u8]) -> PathBuf {
    let path = artifacts_dir().join(name);
    std::fs::write(&path, png).expect("write screenshot");
    path
}

async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn text_of(c: &Client, css: &str) -> String {
    wait_for(c, css).await.text().await.expect("text")
}

async fn click(c: &Client, css: &str) {
    wait_for(c, css).await.click().await.expect("click");
}

async fn type_into(c: &Client, css: &str, text: &str) {
    let e = wait_for(c, css).await;
    e.clear().await.expect("clear");
    e.send_keys(text).await.expect("type");
}

/// Waits until the notice after a form says `needle`.
async fn notice(c: &Client, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Ok(e) = c.find(Locator::Css("#notice")).await {
            if e.text().await.unwrap_or_default().contains(needle) {
                return;
            }
        }
        assert!(Instant::now() < deadline, "no notice {needle:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Two more badge classes, and three awards for `to` (the fixture's badge and those two).
async fn three_awards(f: &Fixture, to: Uuid) -> Vec<(Uuid, String)> {
    let png = accolade_e2e::badge_image_path("png");
    let mut classes = vec![f.badge.clone()];
    for name in ["Robot Builder", "Kind Helper"] {
        let img: Value = f
            .srv
            .http
            .post(f.srv.url("/api/v1/images"))
            .bearer_auth(&f.teacher.access)
            .header("content-type", "image/png")
            .body(std::fs::read(&png).expect("png"))
            .send()
            .await
            .expect("upload")
            .json()
            .await
            .expect("json");
        let (s, b) = f
            .srv
            .post(
                "/api/v1/badge-classes",
                &f.teacher.access,
                json!({"name": name, "description": "Well done", "criteria_narrative": "Do it", "image_id": img["id"]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        classes.push(b);
    }
    let mut out = Vec::new();
    for b in classes {
        let (s, res) = f
            .srv
            .post(
                "/api/v1/awards",
                &f.teacher.access,
                json!({"badge_class_id": b["id"], "recipient_ids": [to]}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{res}");
        out.push((
            res["awards"][0]["id"]
                .as_str()
                .expect("id")
                .parse()
                .expect("uuid"),
            b["name"].as_str().expect("name").to_owned(),
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn student_builds_a_public_collection_seen_in_a_fresh_browser() {
    let f = setup("Science Fair", "Europe/London").await;
    let ada = student(&f, "Ada Lovelace", "ada@north.example.org", f.class_id).await;
    let awards = three_awards(&f, ada.id).await;
    let conn = f.srv.state.db.conn();
    let mut school = accolade_db::schools::by_id(conn, f.school_id)
        .await
        .expect("school")
        .expect("school row");
    school.allow_public_sharing = true;
    accolade_db::schools::save(conn, school)
        .await
        .expect("sharing on");

    let driver = start_driver().await;
    let profiles = tempfile::tempdir().expect("profiles");
    let b = browser(&driver, &profiles.path().join("student")).await;
    b.goto(&f.srv.url("/signin?next=/my/collections"))
        .await
        .expect("open sign-in");
    type_into(&b, "#login", "ada@north.example.org").await;
    type_into(&b, "#password", accolade_e2e::PASSWORD).await;
    click(&b, "#password-submit").await;

    // Create the collection (private at first, the default).
    type_into(&b, "#title", "My proudest badges").await;
    type_into(&b, "#subtitle", "Year 8, autumn term").await;
    click(&b, "#create-button").await;
    notice(&b, "Collection created").await;

    // Three badges, each with a comment.
    let comments = [
        "I explained volcanoes",
        "Our robot won",
        "I helped at the fair",
    ];
    for ((id, _), comment) in awards.iter().zip(comments) {
        wait_for(&b, "#award_id")
            .await
            .select_by_value(&id.to_string())
            .await
            .expect("choose badge");
        type_into(&b, "#comment", comment).await;
        click(&b, "#add-button").await;
        // The new page lists the badge just added (the old page never did).
        wait_for(&b, &format!("#item-{id}")).await;
        notice(&b, "Badges updated").await;
    }
    let items = b
        .find_all(Locator::Css("#items > li"))
        .await
        .expect("items");
    assert_eq!(items.len(), 3);

    // Make it public; the address appears.
    wait_for(&b, "#visibility")
        .await
        .select_by_value("public")
        .await
        .expect("public");
    click(&b, "#settings-button").await;
    notice(&b, "Saved").await;
    assert_eq!(text_of(&b, "#visibility-pill").await, "Everyone");
    let address = wait_for(&b, "#public-link")
        .await
        .attr("href")
        .await
        .expect("href")
        .expect("an address");
    assert!(address.ends_with("/my-proudest-badges"), "{address}");
    let shot = b.screenshot().await.expect("screenshot");
    save("backpack-edit-1366.png", &shot);
    b.close().await.expect("close");

    // A fresh browser: its own new profile, so no cookie and no session.
    let fresh = browser(&driver, &profiles.path().join("visitor")).await;
    let url = if address.starts_with("http") {
        address.clone()
    } else {
        f.srv.url(&address)
    };
    fresh.goto(&url).await.expect("open the public address");
    assert_eq!(text_of(&fresh, "h1").await, "My proudest badges");
    let cookies = fresh.get_all_cookies().await.expect("cookies");
    assert!(
        cookies.iter().all(|c| !c.name().contains("session")),
        "the visitor has no session: {cookies:?}"
    );
    let page = fresh.source().await.expect("source");
    for ((_, name), comment) in awards.iter().zip(comments) {
        assert!(page.contains(name), "{name} on the public page");
        assert!(page.contains(comment), "{comment:?} on the public page");
    }
    assert!(!page.contains("ada@north.example.org"));
    assert!(fresh.find(Locator::Css("a[href='/signin']")).await.is_ok());
    // Every badge image loaded.
    let loaded = fresh
        .execute(
            "return Array.from(document.querySelectorAll('.collection-items img'))\
             .every(function (i) { return i.complete && i.naturalWidth > 0; });",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(loaded, Value::Bool(true));
    let shot = fresh.screenshot().await.expect("screenshot");
    let path = save("backpack-public-1366.png", &shot);
    assert!(path.exists());
    fresh.close().await.expect("close");
    f.srv.stop().await;
}
