//! Retention: a client whose `last_seq` is older than what is retained gets `resync_required`,
//! then live events; one just inside retention gets the rest in order.

use std::time::Duration;

use accolade_e2e::ws::Client;
use accolade_e2e::{ws_url, TestServer, PASSWORD};
use accolade_proto::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gap_older_than_retention_gets_resync_required() {
    let srv = TestServer::start().await;
    let s = srv.school("north", "North School", "Europe/London").await;
    srv.user(
        s.id,
        Role::Teacher,
        "Tess Teacher",
        Some("tess@north.example.org"),
    )
    .await;
    let alice = srv
        .user(
            s.id,
            Role::Student,
            "Alice Able",
            Some("alice@north.example.org"),
        )
        .await;
    let teacher = srv.login("tess@north.example.org", PASSWORD).await;
    let student = srv.login("alice@north.example.org", PASSWORD).await;
    let svg = accolade_e2e::badge_image_path("svg");
    let img: Value = srv
        .http
        .post(srv.url("/api/v1/images"))
        .bearer_auth(&teacher.access)
        .header("content-type", "image/svg+xml")
        .body(std::fs::read(svg).expect("svg"))
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let (_, badge) = srv
        .post(
            "/api/v1/badge-classes",
            &teacher.access,
            json!({"name": "Star", "description": "d", "criteria_narrative": "c", "image_id": img["id"], "repeatable": true}),
        )
        .await;
    for _ in 0..3 {
        let (status, _) = srv
            .post(
                "/api/v1/awards",
                &teacher.access,
                json!({"badge_class_id": badge["id"], "recipient_ids": [alice.id]}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    // Retention keeps only the newest event per user (the server keeps 10,000 and 7 days).
    let cutoff = accolade_db::ts(chrono::Utc::now() - chrono::Duration::days(7));
    accolade_db::events::prune(srv.state.db.conn(), cutoff, 1)
        .await
        .expect("prune");

    let mut c = Client::connect(&ws_url(&srv, &student.access, Some(0)).await)
        .await
        .expect("ws");
    let first = c.until_ready().await;
    assert_eq!(first["type"], "resync_required");
    assert_eq!(first["data"]["seq"], 3);
    // Live events continue after it.
    srv.post(
        "/api/v1/awards",
        &teacher.access,
        json!({"badge_class_id": badge["id"], "recipient_ids": [alice.id]}),
    )
    .await;
    assert_eq!(c.next_event(Duration::from_secs(10)).await["seq"], 4);
    c.close().await;

    // Just inside retention: the rest, in order.
    let mut c = Client::connect(&ws_url(&srv, &student.access, Some(2)).await)
        .await
        .expect("ws");
    assert_eq!(c.next_event(Duration::from_secs(10)).await["seq"], 3);
    assert_eq!(c.next_event(Duration::from_secs(10)).await["seq"], 4);
    assert_eq!(c.until_ready().await["data"]["replayed"], 2);
    c.close().await;
    srv.stop().await;
}
