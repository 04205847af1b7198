//! Regression tests for defects found by trying to break the finished parts (QA pass):
//! account deletion racing itself, `public` collections of students the school no longer lets
//! share publicly, `school` collections read through the public API by a blocked schoolmate,
//! and the web pages' answer to addresses that are not valid UTF-8.
//! Real HTTP against [`TestServer`] (SQLite, or PostgreSQL with `ACCOLADE_TEST_PG_URL`).

use accolade_e2e::{TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

/// A school with public sharing on (no grade rule), an admin and two students, Ada and Ben.
struct World {
    srv: TestServer,
    admin: String,
    ada: accolade_db::users::User,
    ada_token: String,
    ben: accolade_db::users::User,
    ben_token: String,
}

async fn world() -> World {
    let srv = TestServer::start().await;
    let school = srv
        .school("northfield", "Northfield Academy", "Europe/London")
        .await;
    srv.user(
        school.id,
        Role::Admin,
        "Nora Admin",
        Some("admin@north.example.org"),
    )
    .await;
    let ada = srv
        .user(
            school.id,
            Role::Student,
            "Ada Lovelace",
            Some("ada@north.example.org"),
        )
        .await;
    let ben = srv
        .user(
            school.id,
            Role::Student,
            "Ben Young",
            Some("ben@north.example.org"),
        )
        .await;
    let admin = srv.login("admin@north.example.org", PASSWORD).await.access;
    let (s, _) = policy(&srv, &admin, true).await;
    assert_eq!(s, StatusCode::OK);
    let ada_token = srv.login("ada@north.example.org", PASSWORD).await.access;
    let ben_token = srv.login("ben@north.example.org", PASSWORD).await.access;
    World {
        srv,
        admin,
        ada,
        ada_token,
        ben,
        ben_token,
    }
}

async fn policy(srv: &TestServer, admin: &str, allow: bool) -> (StatusCode, Value) {
    srv.call(
        Method::PUT,
        "/api/v1/school/sharing",
        Some(admin),
        Some(&json!({"allow_public_sharing": allow, "min_grade": null})),
    )
    .await
}

async fn anon_status(srv: &TestServer, path: &str) -> StatusCode {
    srv.http
        .get(srv.url(path))
        .send()
        .await
        .expect("get")
        .status()
}

/// Several deletions of one account at once: exactly one succeeds, the others answer 404, and
/// the audit log records the deletion once (PostgreSQL does not serialise the writers).
#[tokio::test]
async fn concurrent_account_deletions_succeed_once_and_are_audited_once() {
    let w = world().await;
    let path = format!("/api/v1/users/{}", w.ada.id);
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let http = w.srv.http.clone();
        let url = w.srv.url(&path);
        let admin = w.admin.clone();
        tasks.push(tokio::spawn(async move {
            http.delete(url)
                .bearer_auth(admin)
                .send()
                .await
                .expect("delete")
                .status()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.expect("task"));
    }
    let ok = statuses
        .iter()
        .filter(|s| **s == StatusCode::NO_CONTENT)
        .count();
    assert_eq!(ok, 1, "{statuses:?}");
    assert!(
        statuses
            .iter()
            .all(|s| *s == StatusCode::NO_CONTENT || *s == StatusCode::NOT_FOUND),
        "{statuses:?}"
    );
    let (s, audit) = w.srv.get("/api/v1/audit?limit=100", &w.admin).await;
    assert_eq!(s, StatusCode::OK, "{audit}");
    let deletions = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["action"] == "user.delete" && e["target_id"] == w.ada.id.to_string())
        .count();
    assert_eq!(deletions, 1, "{audit}");
    // And once more, one after the other: 404.
    let (s, _) = w
        .srv
        .call(Method::DELETE, &path, Some(&w.admin), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let _ = &w.ben_token;
    w.srv.stop().await;
}

/// A collection made public while allowed stops being public (404 to outsiders, still shown to
/// the school) when the school turns public sharing off or an admin denies that student; it is
/// public again, unchanged, once sharing is allowed again.
#[tokio::test]
async fn public_collections_follow_the_current_sharing_policy() {
    let w = world().await;
    let (s, c) = w
        .srv
        .post(
            "/api/v1/collections",
            &w.ada_token,
            json!({"title": "My best", "visibility": "public"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let handle = &w.ada.handle;
    let collection = format!("/api/v1/public/users/{handle}/collections/my-best");
    let profile = format!("/api/v1/public/users/{handle}");
    let page = format!("/@{handle}/my-best");
    assert_eq!(anon_status(&w.srv, &collection).await, StatusCode::OK);
    assert_eq!(anon_status(&w.srv, &profile).await, StatusCode::OK);
    assert_eq!(anon_status(&w.srv, &page).await, StatusCode::OK);

    // The school switch off: outsiders get 404 at once; a schoolmate still sees it.
    let (s, _) = policy(&w.srv, &w.admin, false).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        anon_status(&w.srv, &collection).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(anon_status(&w.srv, &profile).await, StatusCode::NOT_FOUND);
    assert_eq!(anon_status(&w.srv, &page).await, StatusCode::NOT_FOUND);
    let (s, body) = w.srv.get(&collection, &w.ben_token).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // The student's own setting is kept.
    let (s, mine) = w
        .srv
        .get(
            &format!("/api/v1/collections/{}", c["id"].as_str().expect("id")),
            &w.ada_token,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(mine["visibility"], "public");

    // Back on: public again.
    let (s, _) = policy(&w.srv, &w.admin, true).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(anon_status(&w.srv, &collection).await, StatusCode::OK);

    // An admin denies this one student: 404 to outsiders again.
    let (s, o) = w
        .srv
        .call(
            Method::PUT,
            &format!("/api/v1/users/{}/sharing", w.ada.id),
            Some(&w.admin),
            Some(&json!({"public_sharing": "denied"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{o}");
    assert_eq!(
        anon_status(&w.srv, &collection).await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(anon_status(&w.srv, &page).await, StatusCode::NOT_FOUND);
    let _ = &w.ben;
    w.srv.stop().await;
}

/// A schoolmate Ada blocked no longer reads her `school` collections through the public JSON
/// API either (the collection and the profile listing), like on the web page; her `public`
/// ones stay readable, as they are to anyone.
#[tokio::test]
async fn blocked_schoolmates_do_not_see_school_collections_in_the_public_api() {
    let w = world().await;
    for (title, vis) in [("Club", "school"), ("Open", "public")] {
        let (s, c) = w
            .srv
            .post(
                "/api/v1/collections",
                &w.ada_token,
                json!({"title": title, "visibility": vis}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{c}");
    }
    let handle = &w.ada.handle;
    let club = format!("/api/v1/public/users/{handle}/collections/club");
    let open = format!("/api/v1/public/users/{handle}/collections/open");
    let profile = format!("/api/v1/public/users/{handle}");
    let slugs = |p: &Value| -> Vec<String> {
        p["collections"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|c| c["slug"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (s, _) = w.srv.get(&club, &w.ben_token).await;
    assert_eq!(s, StatusCode::OK);
    let (_, p) = w.srv.get(&profile, &w.ben_token).await;
    assert_eq!(slugs(&p), vec!["club", "open"], "{p}");

    let (s, _) = w
        .srv
        .call(
            Method::POST,
            &format!("/api/v1/users/{}/block", w.ben.id),
            Some(&w.ada_token),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, body) = w.srv.get(&club, &w.ben_token).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let (s, _) = w.srv.get(&open, &w.ben_token).await;
    assert_eq!(s, StatusCode::OK);
    let (s, p) = w.srv.get(&profile, &w.ben_token).await;
    assert_eq!(s, StatusCode::OK, "{p}");
    assert_eq!(slugs(&p), vec!["open"], "{p}");
    // Ada herself still sees both.
    let (_, p) = w.srv.get(&profile, &w.ada_token).await;
    assert_eq!(slugs(&p), vec!["club", "open"], "{p}");
    w.srv.stop().await;
}

/// A web address whose path segment is not valid UTF-8 gets a page in the reader's language
/// (400, HTML, the page headers), not axum's plain-text refusal.
#[tokio::test]
async fn web_paths_that_are_not_utf8_get_a_friendly_page() {
    let srv = TestServer::start().await;
    for path in [
        "/b/%ff",
        "/my/badges/%ff",
        "/c/%ff%fe",
        "/signin/card/%ff",
        "/teach/awards/%ff",
        "/@%ff",
    ] {
        let res = srv
            .http
            .get(srv.url(path))
            .header("accept-language", "es")
            .send()
            .await
            .expect("get");
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{path}");
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        assert!(
            res.headers().contains_key("content-security-policy"),
            "{path}"
        );
        let body = res.text().await.expect("body");
        assert!(body.contains("no es válido"), "{path}: {body}");
        assert!(!body.contains("Invalid URL"), "{path}: {body}");
    }
    srv.stop().await;
}

#[tokio::test]
async fn unknown_pages_are_pages_for_browsers_and_problems_for_api_clients() {
    let srv = TestServer::start().await;
    let get = |path: &'static str, accept: &'static str| {
        srv.http.get(srv.url(path)).header("accept", accept).send()
    };
    let browser = "text/html,application/xhtml+xml,*/*;q=0.8";
    let res = get("/my/nothing-here", browser).await.expect("page");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let ctype = res.headers()["content-type"]
        .to_str()
        .expect("ctype")
        .to_owned();
    assert!(ctype.starts_with("text/html"), "{ctype}");
    assert_eq!(res.headers()["x-frame-options"], "DENY");
    let body = res.text().await.expect("body");
    assert!(body.contains("Not found"), "{body}");

    for path in ["/api/v1/nothing-here", "/ob/v2/nothing-here"] {
        let res = get(path, browser).await.expect("api");
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            res.headers()["content-type"],
            "application/problem+json",
            "{path}"
        );
    }
    let res = get("/my/nothing-here", "application/json")
        .await
        .expect("json");
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    srv.stop().await;
}
