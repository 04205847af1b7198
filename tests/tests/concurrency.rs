//! Concurrent writes never surface as 5xx (SQLite's single-writer gate, PostgreSQL row locks).

use accolade_e2e::{TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_workers_times_one_hundred_writes_no_5xx() {
    let srv = TestServer::start().await;
    let school = srv.school("north", "North", "Europe/London").await;
    let mut sessions = Vec::new();
    for i in 0..50 {
        let email = format!("s{i}@north.example.org");
        srv.user(
            school.id,
            Role::Student,
            &format!("Student {i}"),
            Some(&email),
        )
        .await;
        sessions.push(srv.login(&email, PASSWORD).await);
    }
    let mut tasks = Vec::new();
    for (w, s) in sessions.into_iter().enumerate() {
        let http = srv.http.clone();
        let url = srv.url("/api/v1/me");
        tasks.push(tokio::spawn(async move {
            let mut codes = Vec::with_capacity(100);
            for i in 0..100 {
                let res = http
                    .patch(&url)
                    .bearer_auth(&s.access)
                    .json(&json!({"display_name": format!("Worker {w} write {i}")}))
                    .send()
                    .await
                    .expect("send");
                codes.push(res.status());
            }
            codes
        }));
    }
    let mut total = 0;
    for t in tasks {
        for code in t.await.expect("join") {
            assert!(!code.is_server_error(), "got {code}");
            assert_eq!(code, StatusCode::OK);
            total += 1;
        }
    }
    assert_eq!(total, 5000);
    srv.stop().await;
}
