//! Test harness for Accolade's end-to-end tests.
//!
//! [`TestServer::start`] runs the real server (the same `accolade_server::serve` the binary
//! uses) on 127.0.0.1 port 0 against a fresh database:
//! - SQLite (default): a new file in a temporary directory;
//! - PostgreSQL, when `ACCOLADE_TEST_PG_URL` is set (e.g.
//!   `postgres://postgres@127.0.0.1:5432/test`): a new database `accolade_t_<uuid>` created on
//!   that server for this test only, dropped afterwards, so tests run in parallel.
//!
//! Requests go over real HTTP with reqwest.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use accolade_proto::{CreateUserRequest, Role, TokenResponse};
use accolade_server::{AppState, Config};
use anyhow::Context;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sqlx::Connection;
use tokio::sync::oneshot;
use uuid::Uuid;

pub mod smtp;

/// Environment variable selecting PostgreSQL for the test run.
pub const PG_ENV: &str = "ACCOLADE_TEST_PG_URL";

/// Path of a shared fixture (`../shared/fixtures/...` beside the repository).
pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/fixtures")
        .join(rel)
}

/// The first badge design (sorted by name) in `../shared/fixtures/badges` with extension
/// `ext` (`"png"` or `"svg"`).
pub fn badge_image_path(ext: &str) -> PathBuf {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(fixture("badges"))
        .expect("badge fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .next()
        .expect("a badge fixture with that extension")
}

/// A running server plus helpers to talk to it.
pub struct TestServer {
    /// Base URL, e.g. `http://127.0.0.1:41234`.
    pub base: String,
    /// The server's state (database handle, config) for direct setup and inspection.
    pub state: AppState,
    /// HTTP client.
    pub http: reqwest::Client,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _dir: tempfile::TempDir,
    pg: Option<(String, String)>,
}

/// A signed-in test user.
#[derive(Debug, Clone)]
pub struct Session {
    /// User id.
    pub id: Uuid,
    /// School id.
    pub school_id: Uuid,
    /// Access token.
    pub access: String,
    /// Refresh token.
    pub refresh: String,
}

/// A test password that satisfies the policy.
pub const PASSWORD: &str = "correct horse battery staple";

impl TestServer {
    /// Starts a server with the default test configuration.
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after letting `tweak` adjust the configuration.
    pub async fn start_with(tweak: impl FnOnce(&mut Config)) -> TestServer {
        Self::try_start(tweak).await.expect("start test server")
    }

    async fn try_start(tweak: impl FnOnce(&mut Config)) -> anyhow::Result<TestServer> {
        if std::env::var_os("RUST_LOG").is_none() {
            std::env::set_var("RUST_LOG", "warn,accolade_server=warn");
        }
        accolade_server::telemetry::init(accolade_server::config::LogFormat::Human);
        let dir = tempfile::tempdir()?;
        let mut config = Config {
            public_url: "http://127.0.0.1:1".into(),
            data_dir: dir.path().to_path_buf(),
            signing_key: Some("test-signing-key-0123456789-abcdefghijklmnop".into()),
            login_per_ip_per_minute: 100_000,
            login_per_account_per_minute: 100_000,
            ..Config::default()
        };
        let mut pg = None;
        match std::env::var(PG_ENV) {
            Ok(admin_url) if !admin_url.is_empty() => {
                let name = format!("accolade_t_{}", Uuid::new_v4().simple());
                let mut conn = sqlx::PgConnection::connect(&admin_url)
                    .await
                    .context("connecting to the test PostgreSQL")?;
                sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                    .execute(&mut conn)
                    .await?;
                conn.close().await?;
                let (prefix, _) = admin_url
                    .rsplit_once('/')
                    .context("PG URL must end in /dbname")?;
                config.database_url = format!("{prefix}/{name}");
                pg = Some((admin_url, name));
            }
            _ => {
                config.database_url =
                    format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
            }
        }
        tweak(&mut config);
        let listener = accolade_server::bind("127.0.0.1:0".parse()?)?;
        let addr = listener.local_addr()?;
        let base = format!("http://{addr}");
        if config.public_url == "http://127.0.0.1:1" {
            config.public_url = base.clone();
        }
        let state = accolade_server::build_state(config).await?;
        let (tx, rx) = oneshot::channel::<()>();
        let serve_state = state.clone();
        let task = tokio::spawn(async move {
            let _ = accolade_server::serve(listener, serve_state, async {
                let _ = rx.await;
            })
            .await;
        });
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(60))
            .no_proxy()
            .build()?;
        Ok(TestServer {
            base,
            state,
            http,
            shutdown: Some(tx),
            task: Some(task),
            _dir: dir,
            pg,
        })
    }

    /// True when this run uses PostgreSQL.
    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// Absolute URL for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Creates a school directly in the database.
    pub async fn school(&self, slug: &str, name: &str, tz: &str) -> accolade_db::schools::School {
        let txn = self.state.db.begin_write().await.expect("txn");
        let s = accolade_db::schools::create(
            &*txn,
            accolade_db::schools::NewSchool {
                slug: slug.into(),
                name: name.into(),
                timezone: tz.into(),
                sourced_id: None,
            },
        )
        .await
        .expect("create school");
        txn.commit().await.expect("commit");
        s
    }

    /// Creates a user with [`PASSWORD`] (when `email` is given) through the same service the
    /// API uses.
    pub async fn user(
        &self,
        school_id: Uuid,
        role: Role,
        name: &str,
        email: Option<&str>,
    ) -> accolade_db::users::User {
        accolade_server::routes::users::create_user(
            &self.state,
            school_id,
            None,
            CreateUserRequest {
                role,
                display_name: name.into(),
                email: email.map(str::to_owned),
                handle: None,
                password: email.map(|_| PASSWORD.to_owned()),
            },
        )
        .await
        .expect("create user")
    }

    /// Signs in with e-mail and password; panics unless 200.
    pub async fn login(&self, email: &str, password: &str) -> Session {
        let res = self
            .http
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"login": email, "password": password}))
            .send()
            .await
            .expect("login request");
        assert_eq!(res.status(), StatusCode::OK, "login as {email}");
        let t: TokenResponse = res.json().await.expect("token body");
        Session {
            id: t.user.id,
            school_id: t.user.school_id,
            access: t.access_token,
            refresh: t.refresh_token,
        }
    }

    /// Sends a request with an optional bearer token and JSON body; returns status and JSON
    /// (or `Value::Null` for an empty body, a string for non-JSON).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = self.http.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        let res = req.send().await.expect("request");
        let status = res.status();
        let bytes = res.bytes().await.expect("body");
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
        };
        (status, value)
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(&body))
            .await
    }

    /// Stops the server and drops a per-test PostgreSQL database.
    pub async fn stop(mut self) {
        self.shutdown_now().await;
    }

    async fn shutdown_now(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
        }
        self.state.db.clone().close().await;
        if let Some((admin, name)) = self.pg.take() {
            drop_pg_database(&admin, &name).await;
        }
    }
}

async fn drop_pg_database(admin: &str, name: &str) {
    if let Ok(mut conn) = sqlx::PgConnection::connect(admin).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .execute(&mut conn)
            .await;
        let _ = conn.close().await;
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some((admin, name)) = self.pg.take() {
            // The test's runtime may be gone: drop the database from a thread of our own.
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    rt.block_on(drop_pg_database(&admin, &name));
                }
            })
            .join();
        }
    }
}

/// Zips a folder (files only, flat) into memory: how admins upload a OneRoster export.
pub fn zip_folder(dir: &Path) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut zip = zip::ZipWriter::new(&mut buf);
        let opts: zip::write::SimpleFileOptions = zip::write::SimpleFileOptions::default();
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read fixture dir")
            .filter_map(Result::ok)
            .collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            if e.path().is_file() {
                zip.start_file(e.file_name().to_string_lossy().into_owned(), opts)
                    .expect("zip entry");
                zip.write_all(&std::fs::read(e.path()).expect("read fixture"))
                    .expect("zip write");
            }
        }
        zip.finish().expect("zip finish");
    }
    buf.into_inner()
}

/// Imports a roster upload as the given admin; returns status and JSON.
pub async fn import_roster(
    srv: &TestServer,
    admin_token: &str,
    body: Vec<u8>,
    content_type: &str,
) -> (StatusCode, Value) {
    let res = srv
        .http
        .post(srv.url("/api/v1/roster/import"))
        .bearer_auth(admin_token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("import request");
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Resident set size of this process in KiB (Linux `/proc/self/status`).
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// A WebSocket client for the event stream (`GET /api/v1/ws`), using tokio-tungstenite.
pub mod ws {
    use std::time::Duration;

    use futures::{SinkExt, StreamExt};
    use serde_json::Value;
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::Message;

    /// A connected client.
    pub struct Client {
        stream: tokio_tungstenite::WebSocketStream<
            tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
        >,
    }

    /// What the next read produced.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Next {
        /// A JSON text message.
        Json(Value),
        /// The server closed with this code.
        Closed(Option<u16>),
        /// Nothing within the timeout.
        Timeout,
    }

    impl Client {
        /// Connects to `url` (`ws://…/api/v1/ws?ticket=…`); `Err(status)` when the handshake is
        /// refused.
        pub async fn connect(url: &str) -> Result<Client, u16> {
            match tokio_tungstenite::connect_async(url).await {
                Ok((stream, _)) => Ok(Client { stream }),
                Err(tokio_tungstenite::tungstenite::Error::Http(res)) => Err(res.status().as_u16()),
                Err(e) => panic!("ws connect failed: {e}"),
            }
        }

        /// The next JSON message, close, or timeout (pings are answered automatically).
        pub async fn next(&mut self, timeout: Duration) -> Next {
            loop {
                match tokio::time::timeout(timeout, self.stream.next()).await {
                    Err(_) => return Next::Timeout,
                    Ok(None) => return Next::Closed(None),
                    Ok(Some(Err(_))) => return Next::Closed(None),
                    Ok(Some(Ok(Message::Text(t)))) => {
                        return Next::Json(serde_json::from_str(t.as_str()).expect("json message"))
                    }
                    Ok(Some(Ok(Message::Close(frame)))) => {
                        return Next::Closed(frame.map(|f| u16::from(f.code)))
                    }
                    Ok(Some(Ok(_))) => continue,
                }
            }
        }

        /// Reads messages until one with `seq` arrives (skipping control messages); panics on
        /// close or timeout.
        pub async fn next_event(&mut self, timeout: Duration) -> Value {
            loop {
                match self.next(timeout).await {
                    Next::Json(v) if !v["seq"].is_null() => return v,
                    Next::Json(_) => continue,
                    other => panic!("expected an event, got {other:?}"),
                }
            }
        }

        /// Reads until the `ready` or `resync_required` control message.
        pub async fn until_ready(&mut self) -> Value {
            loop {
                match self.next(Duration::from_secs(10)).await {
                    Next::Json(v) if v["type"] == "ready" || v["type"] == "resync_required" => {
                        return v
                    }
                    Next::Json(_) => continue,
                    other => panic!("expected ready, got {other:?}"),
                }
            }
        }

        /// Sends a JSON text message.
        pub async fn send(&mut self, v: &Value) {
            self.stream
                .send(Message::Text(v.to_string().into()))
                .await
                .expect("ws send");
        }

        /// Closes politely.
        pub async fn close(mut self) {
            let _ = self
                .stream
                .close(Some(tokio_tungstenite::tungstenite::protocol::CloseFrame {
                    code: CloseCode::Normal,
                    reason: "bye".into(),
                }))
                .await;
        }
    }
}

/// Gets a WebSocket ticket for `access` and returns the `ws://` URL to connect with
/// (`last_seq` optional).
pub async fn ws_url(srv: &TestServer, access: &str, last_seq: Option<i64>) -> String {
    let (status, t) = srv
        .call(
            reqwest::Method::POST,
            "/api/v1/ws-ticket",
            Some(access),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "ticket: {t}");
    let ticket = t["ticket"].as_str().expect("ticket");
    let mut url = format!(
        "{}/api/v1/ws?ticket={ticket}",
        srv.base.replacen("http", "ws", 1)
    );
    if let Some(s) = last_seq {
        url.push_str(&format!("&last_seq={s}"));
    }
    url
}
