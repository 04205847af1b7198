//! The one error type of every handler, with an exhaustive mapping to HTTP status and RFC 9457
//! problem details (`application/problem+json`).

use accolade_proto::{ErrorCode, FieldError, Problem};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// An error a handler returns. Each variant maps to exactly one status and [`ErrorCode`].
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400 `malformed_body`.
    #[error("{0}")]
    MalformedBody(String),
    /// 422 `invalid_input` with per-field errors.
    #[error("invalid input")]
    Invalid(Vec<FieldError>),
    /// 400 `invalid_password`.
    #[error("{0}")]
    InvalidPassword(&'static str),
    /// 413 `payload_too_large`.
    #[error("request body too large")]
    PayloadTooLarge,
    /// 415 `unsupported_media_type`.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// 401 `unauthenticated`.
    #[error("{0}")]
    Unauthenticated(&'static str),
    /// 401 `invalid_credentials`.
    #[error("invalid credentials")]
    InvalidCredentials,
    /// 401 `invalid_refresh_token`.
    #[error("invalid refresh token")]
    InvalidRefreshToken,
    /// 403 `forbidden`.
    #[error("{0}")]
    Forbidden(&'static str),
    /// 404 `not_found`.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 405 `method_not_allowed`.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// 409 `conflict`.
    #[error("{0}")]
    Conflict(String),
    /// 409 `already_held`.
    #[error("the recipient already holds this badge")]
    AlreadyHeld,
    /// 409 `duplicate_nomination`.
    #[error("this student already has an open nomination for this badge")]
    DuplicateNomination,
    /// 409 `already_decided`.
    #[error("this nomination was already decided")]
    AlreadyDecided,
    /// 422 `allowance_exceeded`.
    #[error("{0}")]
    AllowanceExceeded(String),
    /// 422 `self_nomination`.
    #[error("you cannot nominate yourself")]
    SelfNomination,
    /// 422 `idempotency_key_reused`.
    #[error("this Idempotency-Key was used for a different request")]
    IdempotencyKeyReused,
    /// 413 (too many bytes) or 422 `invalid_image`.
    #[error("{message}")]
    InvalidImage {
        /// True when the file is too large in bytes (413).
        too_large: bool,
        /// What is wrong.
        message: String,
    },
    /// 410 `gone`.
    #[error("{0}")]
    Gone(String),
    /// 403 `claim_not_open`, with when it opens (if scheduled).
    #[error("{message}")]
    ClaimNotOpen {
        /// Human explanation.
        message: String,
        /// Opening time, if the code is scheduled.
        opens_at: Option<chrono::DateTime<chrono::Utc>>,
    },
    /// 410 `claim_closed`.
    #[error("{0}")]
    ClaimClosed(&'static str),
    /// 409 `claim_limit_reached`.
    #[error("this code has been used up")]
    ClaimLimitReached,
    /// 403 `not_in_audience`.
    #[error("this code is for other classes")]
    NotInAudience,
    /// 400 `school_required`.
    #[error("this e-mail exists in several schools; pass `school`")]
    SchoolRequired,
    /// 429 `rate_limited`, with seconds to wait.
    #[error("too many attempts")]
    RateLimited(u64),
    /// 422 `roster_rejected`.
    #[error("{0}")]
    RosterRejected(String),
    /// 403 `public_sharing_not_allowed`.
    #[error("{0}")]
    PublicSharingNotAllowed(&'static str),
    /// 503 `unavailable`.
    #[error("service unavailable")]
    Unavailable,
    /// 500 `internal`; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// A single-field `invalid_input` error.
    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Invalid(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// Status, code and title for this error.
    pub fn parts(&self) -> (StatusCode, ErrorCode, &'static str) {
        match self {
            ApiError::MalformedBody(_) => (
                StatusCode::BAD_REQUEST,
                ErrorCode::MalformedBody,
                "Malformed request body",
            ),
            ApiError::Invalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidInput,
                "Invalid input",
            ),
            ApiError::InvalidPassword(_) => (
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidPassword,
                "Invalid password",
            ),
            ApiError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge,
                "Payload too large",
            ),
            ApiError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                "Unsupported media type",
            ),
            ApiError::Unauthenticated(_) => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::Unauthenticated,
                "Authentication required",
            ),
            ApiError::InvalidCredentials => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidCredentials,
                "Invalid credentials",
            ),
            ApiError::InvalidRefreshToken => (
                StatusCode::UNAUTHORIZED,
                ErrorCode::InvalidRefreshToken,
                "Invalid refresh token",
            ),
            ApiError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden, "Forbidden"),
            ApiError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound, "Not found"),
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::MethodNotAllowed,
                "Method not allowed",
            ),
            ApiError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict, "Conflict"),
            ApiError::AlreadyHeld => (StatusCode::CONFLICT, ErrorCode::AlreadyHeld, "Already held"),
            ApiError::DuplicateNomination => (
                StatusCode::CONFLICT,
                ErrorCode::DuplicateNomination,
                "Duplicate nomination",
            ),
            ApiError::AlreadyDecided => (
                StatusCode::CONFLICT,
                ErrorCode::AlreadyDecided,
                "Already decided",
            ),
            ApiError::AllowanceExceeded(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::AllowanceExceeded,
                "Weekly allowance used up",
            ),
            ApiError::SelfNomination => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::SelfNomination,
                "Self-nomination",
            ),
            ApiError::IdempotencyKeyReused => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::IdempotencyKeyReused,
                "Idempotency key reused",
            ),
            ApiError::InvalidImage { too_large, .. } => (
                if *too_large {
                    StatusCode::PAYLOAD_TOO_LARGE
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                ErrorCode::InvalidImage,
                "Invalid image",
            ),
            ApiError::Gone(_) => (StatusCode::GONE, ErrorCode::Gone, "Gone"),
            ApiError::ClaimNotOpen { .. } => {
                (StatusCode::FORBIDDEN, ErrorCode::ClaimNotOpen, "Not open")
            }
            ApiError::ClaimClosed(_) => (StatusCode::GONE, ErrorCode::ClaimClosed, "Closed"),
            ApiError::ClaimLimitReached => (
                StatusCode::CONFLICT,
                ErrorCode::ClaimLimitReached,
                "Limit reached",
            ),
            ApiError::NotInAudience => (
                StatusCode::FORBIDDEN,
                ErrorCode::NotInAudience,
                "Not in audience",
            ),
            ApiError::SchoolRequired => (
                StatusCode::BAD_REQUEST,
                ErrorCode::SchoolRequired,
                "School required",
            ),
            ApiError::RateLimited(_) => (
                StatusCode::TOO_MANY_REQUESTS,
                ErrorCode::RateLimited,
                "Too many requests",
            ),
            ApiError::RosterRejected(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::RosterRejected,
                "Roster rejected",
            ),
            ApiError::PublicSharingNotAllowed(_) => (
                StatusCode::FORBIDDEN,
                ErrorCode::PublicSharingNotAllowed,
                "Public sharing not allowed",
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::Unavailable,
                "Service unavailable",
            ),
            ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::Internal,
                "Internal server error",
            ),
        }
    }

    /// The problem document sent to the client.
    pub fn problem(&self) -> Problem {
        let (status, code, title) = self.parts();
        let detail = match self {
            ApiError::Internal(_) => None,
            ApiError::Invalid(errors) => Some(
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            other => Some(other.to_string()),
        };
        let mut p = Problem::new(code, status.as_u16(), title, detail);
        if let ApiError::Invalid(errors) = self {
            p.errors = errors.clone();
        }
        if let ApiError::RateLimited(secs) = self {
            p.retry_after = Some(*secs);
        }
        if let ApiError::ClaimNotOpen {
            opens_at: Some(t), ..
        } = self
        {
            p.opens_at = Some(t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
        }
        p
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if accolade_db::is_unique_violation(&err) {
            return ApiError::Conflict("already exists".into());
        }
        match &err {
            sea_orm::DbErr::ConnectionAcquire(_) | sea_orm::DbErr::Conn(_) => {
                tracing::error!(error = %err, "database unavailable");
                ApiError::Unavailable
            }
            _ => ApiError::Internal(err.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, _, _) = self.parts();
        if let ApiError::Internal(cause) = &self {
            tracing::error!(%cause, "internal error");
        }
        let problem = self.problem();
        let body = serde_json::to_vec(&problem).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let ApiError::RateLimited(secs) = self {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;
