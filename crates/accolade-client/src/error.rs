//! Errors of the client: transport, server problems (RFC 9457) and local store failures.

use accolade_proto::{ErrorCode, Problem};

/// Anything a client call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The server could not be reached (no network, DNS, refused, timeout).
    #[error("offline: {0}")]
    Offline(String),
    /// The action needs the server right now and cannot be queued: rotating QR codes change
    /// every few seconds and typed manual codes may be rotating ones.
    #[error("this needs a connection: {0}")]
    NeedsConnection(&'static str),
    /// Nobody is signed in, or the session ended (refresh token refused).
    #[error("signed out")]
    SignedOut,
    /// The server answered with a problem document (RFC 9457).
    #[error("server said {status} {}: {}", .problem.code.as_str(), .problem.detail.as_deref().unwrap_or(&.problem.title))]
    Api {
        /// HTTP status.
        status: u16,
        /// The problem document.
        problem: Box<Problem>,
    },
    /// The server answered something that is not what the API describes.
    #[error("unexpected response: {0}")]
    Protocol(String),
    /// The scanned text is not a QR code Accolade prints (for this server).
    #[error("not an Accolade code: {0}")]
    UnknownScan(String),
    /// The input is invalid before anything is sent (`field`, reason).
    #[error("invalid {0}: {1}")]
    Invalid(&'static str, String),
    /// The local store failed.
    #[error("local store: {0}")]
    Store(#[from] rusqlite::Error),
}

impl ClientError {
    /// The stable server error code, when the server answered with a problem.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            ClientError::Api { problem, .. } => Some(problem.code),
            _ => None,
        }
    }

    /// True when the request never reached the server, so a queued action should stay queued.
    pub fn is_offline(&self) -> bool {
        matches!(self, ClientError::Offline(_))
    }

    /// True when retrying later may succeed (offline, 5xx, 429).
    pub fn is_transient(&self) -> bool {
        match self {
            ClientError::Offline(_) => true,
            ClientError::Api { status, .. } => *status >= 500 || *status == 429,
            _ => false,
        }
    }
}

impl From<reqwest::Error> for ClientError {
    fn from(e: reqwest::Error) -> Self {
        if e.is_connect() || e.is_timeout() || e.is_request() {
            ClientError::Offline(e.to_string())
        } else {
            ClientError::Protocol(e.to_string())
        }
    }
}

/// Result alias.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
