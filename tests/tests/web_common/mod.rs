//! Shared setup for the web page tests (`web_claims`, `browser_claims`): a school with a
//! teacher, two classes and a badge; students with passwords; claim codes; and a tiny cookie
//! jar over reqwest for driving the HTML forms without a browser.

#![allow(dead_code)]

pub mod browser;

use std::collections::BTreeMap;
use std::path::PathBuf;

use accolade_e2e::{Session, TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::header::{HeaderMap, CONTENT_TYPE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

/// A school ready for claiming.
pub struct Fixture {
    /// The server.
    pub srv: TestServer,
    /// School.
    pub school_id: Uuid,
    /// Class 7A (the teacher's).
    pub class_id: Uuid,
    /// Class 7B.
    pub other_class: Uuid,
    /// The teacher (`tess@north.example.org`).
    pub teacher: Session,
    /// The badge class (JSON of the API).
    pub badge: Value,
}

/// Teacher's e-mail.
pub const TEACHER: &str = "tess@north.example.org";

/// Starts a server (`tweak` adjusts its configuration) with a school in `tz`, a teacher, two
/// classes and a peer-nominable badge called `badge_name`.
pub async fn setup_with(
    tweak: impl FnOnce(&mut accolade_server::Config),
    badge_name: &str,
    tz: &str,
) -> Fixture {
    let srv = TestServer::start_with(tweak).await;
    let s = srv.school("north", "North School", tz).await;
    srv.user(s.id, Role::Teacher, "Tess Teacher", Some(TEACHER))
        .await;
    let conn = srv.state.db.conn();
    let class = accolade_db::classes::create(conn, s.id, "7A".into(), None, None)
        .await
        .expect("class");
    let other = accolade_db::classes::create(conn, s.id, "7B".into(), None, None)
        .await
        .expect("class");
    let teacher = srv.login(TEACHER, PASSWORD).await;
    accolade_db::classes::enroll(conn, s.id, class.id, teacher.id, "teacher", None)
        .await
        .expect("enroll teacher");
    let png = accolade_e2e::badge_image_path("png");
    let img: Value = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(&teacher.access)
        .header("content-type", "image/png")
        .body(std::fs::read(png).expect("png"))
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let (status, badge) = srv
        .post(
            "/api/v1/badge-classes",
            &teacher.access,
            json!({"name": badge_name, "description": "Came to the fair", "criteria_narrative": "Attend", "image_id": img["id"], "peer_nominable": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{badge}");
    Fixture {
        srv,
        school_id: s.id,
        class_id: class.id,
        other_class: other.id,
        teacher,
        badge,
    }
}

/// [`setup_with`] with the default configuration.
pub async fn setup(badge_name: &str, tz: &str) -> Fixture {
    setup_with(|_| {}, badge_name, tz).await
}

/// A student with e-mail and [`PASSWORD`], enrolled in `class`, signed in over the API.
pub async fn student(f: &Fixture, name: &str, email: &str, class: Uuid) -> Session {
    let u = f
        .srv
        .user(f.school_id, Role::Student, name, Some(email))
        .await;
    accolade_db::classes::enroll(
        f.srv.state.db.conn(),
        f.school_id,
        class,
        u.id,
        "student",
        None,
    )
    .await
    .expect("enroll");
    f.srv.login(email, PASSWORD).await
}

/// Creates a claim code for the fixture's badge (30-day window unless `body` says otherwise).
pub async fn code(f: &Fixture, body: Value) -> Value {
    let ends = (f.srv.state.now() + chrono::Duration::days(30)).to_rfc3339();
    let mut b =
        json!({"badge_class_id": f.badge["id"], "title": "Science Fair 2026", "ends_at": ends});
    for (k, v) in body.as_object().expect("object") {
        b[k] = v.clone();
    }
    let (status, c) = f
        .srv
        .post("/api/v1/claim-codes", &f.teacher.access, b)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    c
}

/// The code's current claim URL and manual code.
pub async fn current(f: &Fixture, code: &Value) -> (String, String) {
    let (status, cur) = f
        .srv
        .get(
            &format!(
                "/api/v1/claim-codes/{}/current",
                code["id"].as_str().expect("id")
            ),
            &f.teacher.access,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{cur}");
    (
        cur["url"].as_str().unwrap_or_default().to_owned(),
        cur["manual_code"].as_str().unwrap_or_default().to_owned(),
    )
}

/// The path of a URL on the test server (`/c/…`).
pub fn path_of(f: &Fixture, url: &str) -> String {
    url.strip_prefix(&f.srv.base).expect("own URL").to_owned()
}

/// Where screenshots go: `$ACCOLADE_ARTIFACTS_DIR`, else `<workspace>/target/artifacts`
/// (created).
pub fn artifacts_dir() -> PathBuf {
    let dir = std::env::var_os("ACCOLADE_ARTIFACTS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("target")
                .join("artifacts")
        });
    std::fs::create_dir_all(&dir).expect("create artifacts dir");
    dir
}

/// A response as a page.
#[derive(Debug)]
pub struct Page {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body text.
    pub body: String,
}

impl Page {
    /// The first hidden `csrf` value on the page.
    pub fn csrf(&self) -> String {
        self.input_value("csrf").expect("a csrf field")
    }

    /// The value of the first input named `name` (attribute-unescaped).
    pub fn input_value(&self, name: &str) -> Option<String> {
        let marker = format!("name=\"{name}\" value=\"");
        let start = self.body.find(&marker)? + marker.len();
        let end = self.body[start..].find('"')? + start;
        Some(unescape(&self.body[start..end]))
    }

    /// `Location` header.
    pub fn location(&self) -> String {
        self.headers
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// `Content-Type` header.
    pub fn content_type(&self) -> String {
        self.headers
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    }

    /// Every `Set-Cookie` header.
    pub fn set_cookies(&self) -> Vec<String> {
        self.headers
            .get_all(SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }

    /// Asserts an HTML page with `status` whose text contains `needle`.
    pub fn expect(&self, status: StatusCode, needle: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert!(
            self.content_type().starts_with("text/html"),
            "{}",
            self.content_type()
        );
        assert!(
            self.body.contains(needle),
            "{needle:?} not in page:\n{}",
            self.body
        );
    }
}

/// Undoes minijinja's HTML escaping of an attribute value.
pub fn unescape(s: &str) -> String {
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// A browser without JavaScript: keeps cookies, never follows redirects.
pub struct Browser {
    base: String,
    http: reqwest::Client,
    /// Cookies by name.
    pub cookies: BTreeMap<String, String>,
}

impl Browser {
    /// A fresh browser for `srv`.
    pub fn new(srv: &TestServer) -> Browser {
        Browser {
            base: srv.base.clone(),
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .no_proxy()
                .build()
                .expect("client"),
            cookies: BTreeMap::new(),
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> Page {
        let req = if self.cookies.is_empty() {
            req
        } else {
            req.header("cookie", self.cookie_header())
        };
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.text().await.expect("body");
        let page = Page {
            status,
            headers,
            body,
        };
        for c in page.set_cookies() {
            let first = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = first.split_once('=') {
                if v.is_empty() || c.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        page
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Page {
        let req = self.http.get(format!("{}{path}", self.base));
        self.send(req).await
    }

    /// `POST path` with a urlencoded form.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Page {
        let req = self.http.post(format!("{}{path}", self.base)).form(form);
        self.send(req).await
    }

    /// `POST path` with a `multipart/form-data` body (file uploads).
    pub async fn post_multipart(&mut self, path: &str, form: reqwest::multipart::Form) -> Page {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .multipart(form);
        self.send(req).await
    }

    /// `POST path` with a header and no body.
    pub async fn post_with_header(&mut self, path: &str, name: &str, value: &str) -> Page {
        let req = self
            .http
            .post(format!("{}{path}", self.base))
            .header(name, value);
        self.send(req).await
    }

    /// Signs in through the password form and follows the redirect's target once.
    pub async fn sign_in(&mut self, login: &str, next: &str) -> Page {
        let p = self.get(&format!("/signin?next={next}")).await;
        let csrf = p.csrf();
        let res = self
            .post(
                "/signin",
                &[
                    ("csrf", &csrf),
                    ("login", login),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
        let to = res.location();
        self.get(&to).await
    }
}
