//! Two `accolade serve` processes on one PostgreSQL database: a student connected to node B
//! receives, live, an award made through node A (fan-out through `LISTEN/NOTIFY`).
//! PostgreSQL only: runs in the PostgreSQL pass (`ACCOLADE_TEST_PG_URL`).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::Message;

struct Node(Child);

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn start_node(db_url: &str, port: u16, dir: &std::path::Path) -> Node {
    let child = Command::new(env!("CARGO_BIN_EXE_accolade"))
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .current_dir(dir)
        .env("ACCOLADE_DATABASE_URL", db_url)
        .env(
            "ACCOLADE_SIGNING_KEY",
            "multinode-signing-key-0123456789-abcdefghij",
        )
        .env("ACCOLADE_PUBLIC_URL", format!("http://127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn accolade");
    Node(child)
}

async fn wait_ready(http: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(r) = http.get(format!("{base}/readyz")).send().await {
            if r.status().is_success() {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{base} did not become ready");
}

async fn login(http: &reqwest::Client, base: &str, email: &str) -> String {
    let v: Value = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"login": email, "password": "multinode password"}))
        .send()
        .await
        .expect("login")
        .json()
        .await
        .expect("json");
    v["access_token"].as_str().expect("token").to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_award_made_on_node_a_reaches_a_client_on_node_b() {
    let Ok(admin) = std::env::var("ACCOLADE_TEST_PG_URL") else {
        eprintln!("multinode: PostgreSQL-only test; runs in the PostgreSQL pass (set ACCOLADE_TEST_PG_URL)");
        return;
    };
    let name = format!("accolade_t_{}", uuid::Uuid::new_v4().simple());
    let status = Command::new("psql")
        .args([
            admin.as_str(),
            "-qc",
            &format!("CREATE DATABASE \"{name}\""),
        ])
        .status()
        .expect("psql");
    assert!(status.success());
    let db_url = format!("{}/{name}", admin.rsplit_once('/').expect("url").0);
    let dir = tempfile::tempdir().expect("tmp");

    // Set up the school through the library (migrations run here first).
    let config = accolade_server::Config {
        database_url: db_url.clone(),
        signing_key: Some("multinode-signing-key-0123456789-abcdefghij".into()),
        ..Default::default()
    };
    let state = accolade_server::build_state(config).await.expect("state");
    let txn = state.db.begin_write().await.expect("txn");
    let school = accolade_db::schools::create(
        &*txn,
        accolade_db::schools::NewSchool {
            slug: "multi".into(),
            name: "Multi".into(),
            timezone: "UTC".into(),
            sourced_id: None,
        },
    )
    .await
    .expect("school");
    txn.commit().await.expect("commit");
    let mk = |role, name: &str, email: &str| accolade_proto::CreateUserRequest {
        role,
        display_name: name.into(),
        email: Some(email.into()),
        handle: None,
        password: Some("multinode password".into()),
    };
    use accolade_proto::Role;
    let teacher = accolade_server::routes::users::create_user(
        &state,
        school.id,
        None,
        mk(Role::Teacher, "Tess T", "t@multi.example.org"),
    )
    .await
    .expect("t");
    let student = accolade_server::routes::users::create_user(
        &state,
        school.id,
        None,
        mk(Role::Student, "Sam S", "s@multi.example.org"),
    )
    .await
    .expect("s");
    let _ = teacher;

    let (pa, pb) = (free_port(), free_port());
    let node_a = start_node(&db_url, pa, dir.path());
    let node_b = start_node(&db_url, pb, dir.path());
    let (a, b) = (
        format!("http://127.0.0.1:{pa}"),
        format!("http://127.0.0.1:{pb}"),
    );
    let http = reqwest::Client::builder().no_proxy().build().expect("http");
    wait_ready(&http, &a).await;
    wait_ready(&http, &b).await;

    // The student listens on node B.
    let student_token = login(&http, &b, "s@multi.example.org").await;
    let ticket: Value = http
        .post(format!("{b}/api/v1/ws-ticket"))
        .bearer_auth(&student_token)
        .send()
        .await
        .expect("ticket")
        .json()
        .await
        .expect("json");
    let url = format!(
        "ws://127.0.0.1:{pb}/api/v1/ws?ticket={}",
        ticket["ticket"].as_str().expect("t")
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    loop {
        let Some(Ok(Message::Text(t))) = ws.next().await else {
            panic!("ws closed")
        };
        let v: Value = serde_json::from_str(t.as_str()).expect("json");
        if v["type"] == "ready" {
            break;
        }
    }

    // The teacher works on node A.
    let teacher_token = login(&http, &a, "t@multi.example.org").await;
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><circle cx="32" cy="32" r="30" fill="#284"/></svg>"##;
    let img: Value = http
        .post(format!("{a}/api/v1/images"))
        .bearer_auth(&teacher_token)
        .header("content-type", "image/svg+xml")
        .body(svg.to_vec())
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let badge: Value = http
        .post(format!("{a}/api/v1/badge-classes"))
        .bearer_auth(&teacher_token)
        .json(&json!({"name": "Cross-node", "description": "d", "criteria_narrative": "c", "image_id": img["id"]}))
        .send()
        .await
        .expect("badge")
        .json()
        .await
        .expect("json");
    let started = Instant::now();
    let res = http
        .post(format!("{a}/api/v1/awards"))
        .bearer_auth(&teacher_token)
        .json(&json!({"badge_class_id": badge["id"], "recipient_ids": [student.id]}))
        .send()
        .await
        .expect("award");
    assert_eq!(res.status().as_u16(), 201);
    let awarded: Value = res.json().await.expect("json");

    let ev = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            let Some(Ok(Message::Text(t))) = ws.next().await else {
                panic!("ws closed")
            };
            let v: Value = serde_json::from_str(t.as_str()).expect("json");
            if v["type"] == "award.issued" {
                return v;
            }
        }
    })
    .await
    .expect("award.issued reached node B");
    assert_eq!(ev["data"]["award"]["id"], awarded["awards"][0]["id"]);
    assert_eq!(ev["seq"], 1);
    eprintln!(
        "cross-node delivery (request start → event on B): {:?}",
        started.elapsed()
    );

    drop(ws);
    drop(node_a);
    drop(node_b);
    state.db.clone().close().await;
    let _ = Command::new("psql")
        .args([
            admin.as_str(),
            "-qc",
            &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
        ])
        .status();
}
