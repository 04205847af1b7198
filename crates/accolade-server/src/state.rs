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
    /// HMAC key (32 bytes) signing the e-mail unsubscribe links, derived from the token signing
    /// secret with its own label (see [`crate::mail::derive_link_key`]).
    pub link_key: Vec<u8>,
    /// Test hook: a fixed "now" for time-window checks (claim codes); `None` = the real clock.
    pub clock: std::sync::RwLock<Option<chrono::DateTime<chrono::Utc>>>,
    /// Rendered QR images by token.
    pub qr: crate::qr::QrCache,
}

impl AppState {
    /// The current time (UTC), or the instant fixed with [`AppState::set_now`].
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock
            .read()
            .map(|c| *c)
            .unwrap_or(None)
            .unwrap_or_else(chrono::Utc::now)
    }

    /// Fixes the clock used for time windows (`None` restores the real clock). For tests.
    pub fn set_now(&self, now: Option<chrono::DateTime<chrono::Utc>>) {
        if let Ok(mut c) = self.clock.write() {
            *c = now;
        }
    }

    /// Wraps the parts, with a random unsubscribe-link key (links then verify only in this
    /// process); [`crate::app::build_state`] uses [`AppState::with_link_key`] instead.
    pub fn new(db: Db, config: Config, keys: TokenKeys, hasher: Hasher) -> AppState {
        let random = crate::tokens::random_token(32);
        let link_key = crate::mail::derive_link_key(random.as_bytes());
        AppState::with_link_key(db, config, keys, hasher, link_key)
    }

    /// Wraps the parts; `link_key` signs unsubscribe links (see
    /// [`crate::mail::derive_link_key`]).
    pub fn with_link_key(
        db: Db,
        config: Config,
        keys: TokenKeys,
        hasher: Hasher,
        link_key: Vec<u8>,
    ) -> AppState {
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
            link_key,
            clock: std::sync::RwLock::new(None),
            qr: crate::qr::QrCache::default(),
        }))
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}
