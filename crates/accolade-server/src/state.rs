//! Shared application state handed to every handler.

use std::sync::Arc;

use accolade_db::Db;

use crate::config::Config;
use crate::password::Hasher;
use crate::ratelimit::LoginLimiter;
use crate::tokens::TokenKeys;

/// Everything a handler needs. Cheap to clone (one `Arc`).
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The contents of [`AppState`].
pub struct Inner {
    /// Database handle.
    pub db: Db,
    /// Effective configuration.
    pub config: Config,
    /// Access-token keys.
    pub keys: TokenKeys,
    /// Bounded password hashing pool.
    pub hasher: Hasher,
    /// Login attempt limiter (per account and per IP).
    pub limiter: LoginLimiter,
    /// Live WebSocket connections of this node.
    pub hub: crate::realtime::Hub,
    /// Flips to `true` when the server starts shutting down (sockets close with 1001).
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    /// Wraps the parts.
    pub fn new(db: Db, config: Config, keys: TokenKeys, hasher: Hasher) -> AppState {
        let limiter = LoginLimiter::new(
            config.login_per_account_per_minute,
            config.login_per_ip_per_minute,
        );
        AppState(Arc::new(Inner {
            db,
            config,
            keys,
            hasher,
            limiter,
            hub: crate::realtime::Hub::default(),
            shutdown: tokio::sync::watch::channel(false).0,
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
