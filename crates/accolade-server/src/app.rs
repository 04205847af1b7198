//! Building the application state and serving it on a bound listener.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use accolade_db::Db;
use anyhow::Context;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use tokio::net::{TcpListener, TcpSocket};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::error::ApiError;
use crate::password::Hasher;
use crate::state::AppState;
use crate::tokens::TokenKeys;

/// Listen backlog for the server socket (bursts of a whole school scanning a QR code at once).
pub const LISTEN_BACKLOG: u32 = 4096;

/// Binds `addr` with `SO_REUSEADDR` and a backlog of [`LISTEN_BACKLOG`].
pub fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// Connects to the database, runs migrations, loads the signing key and builds the state.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let db = Db::connect(&config.database_url, config.database_max_connections)
        .await
        .with_context(|| format!("opening {}", accolade_db::redact(&config.database_url)))?;
    db.migrate_up().await.context("running migrations")?;
    let secret = load_signing_key(&config)?;
    let keys = TokenKeys::new(
        &secret,
        config.access_token_ttl_secs,
        config.jwt_leeway_secs,
    );
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let hasher = Hasher::new(config.hash_concurrency.unwrap_or(cores));
    let link_key = crate::mail::derive_link_key(&secret);
    Ok(AppState::with_link_key(db, config, keys, hasher, link_key))
}

/// The token signing secret: `signing_key`, else `signing_key_file`, else (SQLite only) a key
/// generated once into `{data_dir}/accolade-signing.key` (mode 0600).
pub fn load_signing_key(config: &Config) -> anyhow::Result<Vec<u8>> {
    if let Some(key) = &config.signing_key {
        anyhow::ensure!(key.len() >= 32, "signing_key must be at least 32 bytes");
        return Ok(key.as_bytes().to_vec());
    }
    if let Some(path) = &config.signing_key_file {
        return read_key(path);
    }
    anyhow::ensure!(
        config.is_sqlite(),
        "set ACCOLADE_SIGNING_KEY_FILE (or ACCOLADE_SIGNING_KEY): on PostgreSQL every node must \
         share one signing key, so none is generated"
    );
    let path = config.data_dir.join("accolade-signing.key");
    if path.exists() {
        return read_key(&path);
    }
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating {}", config.data_dir.display()))?;
    let key = crate::tokens::random_token(48);
    write_private(&path, key.as_bytes())?;
    tracing::info!(path = %path.display(), "generated a new token signing key (kept out of the repository; back it up with the database)");
    Ok(key.into_bytes())
}

fn read_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading signing key {}", path.display()))?;
    let key = text.trim().as_bytes().to_vec();
    anyhow::ensure!(
        key.len() >= 32,
        "signing key in {} is shorter than 32 bytes",
        path.display()
    );
    Ok(key)
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    f.write_all(bytes)?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("creating {}", path.display()))
}

/// The router with every middleware: request ids, tracing, panic → 500 problem, body limit,
/// security headers, and problem bodies for bare 405s.
pub fn app(state: AppState) -> Router {
    let body_limit = state.config.max_body_bytes;
    let request_id = HeaderName::from_static("x-request-id");
    crate::routes::router(state)
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(middleware::from_fn(problem_for_bare_errors))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::Internal("handler panicked".into()).into_response()
        }))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(middleware::map_response(deny_framing))
        .layer(PropagateRequestIdLayer::new(request_id.clone()))
        .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
            let id = req
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .layer(SetRequestIdLayer::new(request_id, MakeRequestUuid))
}

/// Gives axum's own empty-bodied errors (405, 413 from the body limit) a problem body.
async fn problem_for_bare_errors(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let bare = res.headers().get(header::CONTENT_TYPE).is_none();
    match res.status() {
        StatusCode::METHOD_NOT_ALLOWED if bare => {
            let mut p = ApiError::MethodNotAllowed.into_response();
            if let Some(allow) = res.headers().get(header::ALLOW) {
                p.headers_mut().insert(header::ALLOW, allow.clone());
            }
            p
        }
        // Web pages (the admin roster upload) explain a too-large file themselves.
        StatusCode::PAYLOAD_TOO_LARGE
            if !res
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(b"text/html")) =>
        {
            ApiError::PayloadTooLarge.into_response()
        }
        _ => res,
    }
}

/// Serves `state` on an already bound `listener` until `shutdown` resolves, then drains
/// in-flight requests. Tests call this with a listener on 127.0.0.1 port 0.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let realtime_tasks = crate::realtime::start(
        &state.db,
        &state.hub,
        Duration::from_secs(7 * 24 * 3600),
        10_000,
    );
    let mail_tasks = crate::mailer::start(&state);
    let limiter_state = state.clone();
    let pruner = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            limiter_state.limiter.prune();
        }
    });
    let closer = state.clone();
    let shutdown = async move {
        shutdown.await;
        // Close sockets first (1001), or graceful shutdown would wait for them forever.
        let _ = closer.shutdown.send(true);
        closer.hub.shutdown();
    };
    let app = app(state);
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    pruner.abort();
    for t in realtime_tasks {
        t.abort();
    }
    for t in mail_tasks {
        t.abort();
    }
    result
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: draining connections");
}

/// `X-Frame-Options: DENY` on every response, except one whose own `Content-Security-Policy`
/// lets others frame it (the embeddable collection view): the two headers must not disagree.
async fn deny_framing(mut res: Response) -> Response {
    let frameable = res
        .headers()
        .get(header::CONTENT_SECURITY_POLICY)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|csp| csp.contains("frame-ancestors *"));
    if !frameable && !res.headers().contains_key(header::X_FRAME_OPTIONS) {
        res.headers_mut()
            .insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}
