//! The realtime event stream: resume without gaps or repeats, topic isolation, handshake
//! authentication, token expiry, logout and shutdown.

use std::time::Duration;

use accolade_e2e::ws::{Client, Next};
use accolade_e2e::{ws_url, Session, TestServer, PASSWORD};
use accolade_proto::Role;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(10);
const QUIET: Duration = Duration::from_millis(600);

struct Fixture {
    srv: TestServer,
    teacher: Session,
    alice: Session,
    bob: Session,
    badge: Value,
}

async fn fixture_school(tweak: impl FnOnce(&mut accolade_server::Config)) -> Fixture {
    let srv = TestServer::start_with(tweak).await;
    let s = srv.school("north", "North School", "Europe/London").await;
    let t = srv
        .user(
            s.id,
            Role::Teacher,
            "Tess Teacher",
            Some("tess@north.example.org"),
        )
        .await;
    let a = srv
        .user(
            s.id,
            Role::Student,
            "Alice Able",
            Some("alice@north.example.org"),
        )
        .await;
    let b = srv
        .user(
            s.id,
            Role::Student,
            "Bob Baker",
            Some("bob@north.example.org"),
        )
        .await;
    let conn = srv.state.db.conn();
    let class = accolade_db::classes::create(conn, s.id, "9C".into(), None, None)
        .await
        .expect("class");
    for (u, role) in [(&t, "teacher"), (&a, "student"), (&b, "student")] {
        accolade_db::classes::enroll(conn, s.id, class.id, u.id, role, None)
            .await
            .expect("enroll");
    }
    let teacher = srv.login("tess@north.example.org", PASSWORD).await;
    let alice = srv.login("alice@north.example.org", PASSWORD).await;
    let bob = srv.login("bob@north.example.org", PASSWORD).await;
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
            json!({"name": "Star", "description": "Shines", "criteria_narrative": "Shine", "image_id": img["id"], "repeatable": true}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{badge}");
    Fixture {
        srv,
        teacher,
        alice,
        bob,
        badge,
    }
}

async fn award(f: &Fixture, to: &Session) -> Value {
    let (status, body) = f
        .srv
        .post(
            "/api/v1/awards",
            &f.teacher.access,
            json!({"badge_class_id": f.badge["id"], "recipient_ids": [to.id]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["awards"][0].clone()
}

async fn assert_quiet(c: &mut Client) {
    match c.next(QUIET).await {
        Next::Timeout => {}
        other => panic!("expected nothing more, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_41_delivers_42_to_44_once_then_live() {
    let f = fixture_school(|_| {}).await;
    for _ in 0..41 {
        award(&f, &f.alice).await;
    }
    // First connection: the full backlog 1..=41 in order.
    let mut c = Client::connect(&ws_url(&f.srv, &f.alice.access, Some(0)).await)
        .await
        .expect("connect");
    for want in 1..=41 {
        let ev = c.next_event(WAIT).await;
        assert_eq!(ev["seq"], want);
        assert_eq!(ev["type"], "award.issued");
    }
    assert_eq!(c.until_ready().await["data"]["seq"], 41);
    c.close().await;

    for _ in 0..3 {
        award(&f, &f.alice).await;
    }
    let mut c = Client::connect(&ws_url(&f.srv, &f.alice.access, Some(41)).await)
        .await
        .expect("connect");
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(c.next_event(WAIT).await["seq"].as_i64().expect("seq"));
    }
    assert_eq!(got, vec![42, 43, 44]);
    let ready = c.until_ready().await;
    assert_eq!(ready["type"], "ready");
    assert_eq!(ready["data"]["replayed"], 3);
    // A new live event arrives exactly once.
    let live = award(&f, &f.alice).await;
    let ev = c.next_event(WAIT).await;
    assert_eq!(ev["seq"], 45);
    assert_eq!(ev["data"]["award"]["id"], live["id"]);
    assert_quiet(&mut c).await;
    c.close().await;

    // Reconnecting three times never delivers anything twice.
    for _ in 0..3 {
        let mut c = Client::connect(&ws_url(&f.srv, &f.alice.access, Some(45)).await)
            .await
            .expect("connect");
        assert_eq!(c.until_ready().await["data"]["replayed"], 0);
        assert_quiet(&mut c).await;
        c.close().await;
    }
    // Dead connections are unsubscribed.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(f.srv.state.hub.connections(), 0);
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nominations_and_awards_reach_the_right_people_live() {
    let f = fixture_school(|_| {}).await;
    let mut teacher = Client::connect(&ws_url(&f.srv, &f.teacher.access, None).await)
        .await
        .expect("t");
    let mut alice = Client::connect(&ws_url(&f.srv, &f.alice.access, None).await)
        .await
        .expect("a");
    let mut bob = Client::connect(&ws_url(&f.srv, &f.bob.access, None).await)
        .await
        .expect("b");
    for c in [&mut teacher, &mut alice, &mut bob] {
        c.until_ready().await;
    }
    let (status, created) = f
        .srv
        .post("/api/v1/nominations", &f.alice.access, json!({"badge_class_id": f.badge["id"], "nominee_ids": [f.bob.id], "narrative": "Helped me"}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let nid = created["nominations"][0]["id"].clone();
    let ev = teacher.next_event(WAIT).await;
    assert_eq!(ev["type"], "nomination.created");
    assert_eq!(ev["data"]["nomination"]["id"], nid);
    assert_quiet(&mut bob).await; // the nominee sees nothing yet

    // A rejection reaches the nominator only.
    let (_, other) = f
        .srv
        .post("/api/v1/nominations", &f.bob.access, json!({"badge_class_id": f.badge["id"], "nominee_ids": [f.alice.id], "narrative": "Nice"}))
        .await;
    teacher.next_event(WAIT).await;
    let oid = other["nominations"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    f.srv
        .post(
            &format!("/api/v1/nominations/{oid}/decision"),
            &f.teacher.access,
            json!({"decision": "reject", "reason": "Be specific"}),
        )
        .await;
    let ev = bob.next_event(WAIT).await;
    assert_eq!(ev["type"], "nomination.decided");
    assert_eq!(ev["data"]["nomination"]["status"], "rejected");
    assert_quiet(&mut alice).await;

    // An approval: the nominee gets the award and the decision; the nominator the decision.
    let (status, _) = f
        .srv
        .post(
            &format!("/api/v1/nominations/{}/decision", nid.as_str().expect("id")),
            &f.teacher.access,
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let mut bob_types = vec![
        bob.next_event(WAIT).await["type"]
            .as_str()
            .expect("t")
            .to_owned(),
        bob.next_event(WAIT).await["type"]
            .as_str()
            .expect("t")
            .to_owned(),
    ];
    bob_types.sort();
    assert_eq!(bob_types, vec!["award.issued", "nomination.decided"]);
    assert_eq!(alice.next_event(WAIT).await["type"], "nomination.decided");
    // A failed action publishes nothing.
    let (status, _) = f
        .srv
        .post(
            &format!("/api/v1/nominations/{}/decision", nid.as_str().expect("id")),
            &f.teacher.access,
            json!({"decision": "approve"}),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_quiet(&mut bob).await;
    assert_quiet(&mut alice).await;
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asking_for_another_users_topic_closes_with_4003() {
    let f = fixture_school(|_| {}).await;
    award(&f, &f.alice).await;
    let mut b = Client::connect(&ws_url(&f.srv, &f.bob.access, Some(0)).await)
        .await
        .expect("b");
    assert_eq!(
        b.until_ready().await["data"]["replayed"],
        0,
        "nothing about Alice"
    );
    b.send(&json!({"type": "subscribe", "topic": format!("user:{}", f.bob.id)}))
        .await;
    match b.next(WAIT).await {
        Next::Json(v) => assert_eq!(v["type"], "subscribed"),
        other => panic!("{other:?}"),
    }
    b.send(&json!({"type": "subscribe", "topic": format!("user:{}", f.alice.id)}))
        .await;
    assert_eq!(b.next(WAIT).await, Next::Closed(Some(4003)));
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn forged_or_used_credentials_are_refused_at_the_handshake() {
    let f = fixture_school(|_| {}).await;
    let base = f.srv.base.replacen("http", "ws", 1);
    // alg: none token as bearer.
    let payload = f.alice.access.split('.').nth(1).expect("payload");
    let forged = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        payload
    );
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(
        format!("{base}/api/v1/ws"),
    )
    .expect("request");
    req.headers_mut().insert(
        "authorization",
        format!("Bearer {forged}").parse().expect("header"),
    );
    match tokio_tungstenite::connect_async(req).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => {
            assert_eq!(res.status().as_u16(), 401)
        }
        other => panic!("expected 401, got {:?}", other.map(|_| ())),
    }
    // A forged ticket, and a ticket used twice.
    assert_eq!(
        Client::connect(&format!("{base}/api/v1/ws?ticket=nope"))
            .await
            .err(),
        Some(401)
    );
    let url = ws_url(&f.srv, &f.alice.access, None).await;
    let c = Client::connect(&url).await.expect("first use");
    assert_eq!(Client::connect(&url).await.err(), Some(401));
    c.close().await;
    // A ticket request needs a real token.
    let (status, _) = f
        .srv
        .call(Method::POST, "/api/v1/ws-ticket", Some(&forged), None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    f.srv.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expiry_logout_and_shutdown_close_the_socket() {
    let f = fixture_school(|c| {
        c.access_token_ttl_secs = 2;
        c.jwt_leeway_secs = 0;
    })
    .await;
    let mut c = Client::connect(&ws_url(&f.srv, &f.alice.access, None).await)
        .await
        .expect("connect");
    c.until_ready().await;
    assert_eq!(
        c.next(Duration::from_secs(6)).await,
        Next::Closed(Some(4001))
    );

    // Logout closes at once.
    let s = f.srv.login("bob@north.example.org", PASSWORD).await;
    let mut c = Client::connect(&ws_url(&f.srv, &s.access, None).await)
        .await
        .expect("connect");
    c.until_ready().await;
    let (status, _) = f
        .srv
        .call(Method::POST, "/api/v1/auth/logout", Some(&s.access), None)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(
        c.next(Duration::from_secs(1)).await,
        Next::Closed(Some(4001))
    );

    // Shutdown closes with 1001.
    let s = f.srv.login("bob@north.example.org", PASSWORD).await;
    let mut c = Client::connect(&ws_url(&f.srv, &s.access, None).await)
        .await
        .expect("connect");
    c.until_ready().await;
    let stopping = tokio::spawn(f.srv.stop());
    assert_eq!(
        c.next(Duration::from_secs(5)).await,
        Next::Closed(Some(1001))
    );
    stopping.await.expect("stopped");
}
