//! Oversized passwords are refused before any hashing, and memory stays flat. Alone in its own
//! test binary, so no other test's allocations (argon2 uses 19 MiB per hash) disturb the
//! resident-set measurement.

use accolade_e2e::{rss_kib, TestServer};
use accolade_proto::Role;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

#[tokio::test]
async fn huge_passwords_are_rejected_before_hashing_and_memory_stays_flat() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    srv.user(
        school.id,
        Role::Student,
        "Sam Student",
        Some("sam@north.example.org"),
    )
    .await;
    let big = "p".repeat(1024 * 1024);
    let body = json!({"login": "sam@north.example.org", "password": big});
    // Over the policy limit but under the body limit: 400 before hashing.
    let medium = json!({"login": "sam@north.example.org", "password": "p".repeat(2000)});
    let before_ops = srv.state.hasher.operations_started();
    let (status, problem) = srv
        .call(Method::POST, "/api/v1/auth/login", None, Some(&medium))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "invalid_password");

    let rss_before = rss_kib();
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let http = srv.http.clone();
        let url = srv.url("/api/v1/auth/login");
        let body = body.clone();
        tasks.push(tokio::spawn(async move {
            let res = http.post(url).json(&body).send().await.expect("send");
            let status = res.status();
            let problem: Value = res.json().await.unwrap_or(Value::Null);
            (status, problem)
        }));
    }
    for t in tasks {
        let (status, problem) = t.await.expect("join");
        assert!(
            status == StatusCode::PAYLOAD_TOO_LARGE || status == StatusCode::BAD_REQUEST,
            "got {status}"
        );
        assert!(problem["code"].is_string(), "problem body: {problem}");
    }
    let rss_after = rss_kib();
    assert_eq!(
        srv.state.hasher.operations_started(),
        before_ops,
        "no hash may start for rejected passwords"
    );
    // 20 argon2 runs would need ~380 MiB; buffering 20 MB of bodies would show too.
    assert!(
        rss_after.saturating_sub(rss_before) < 48 * 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB"
    );
    srv.stop().await;
}
