//! RFC 9457 problem details and Accolade's stable error codes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stable, machine-readable error code carried in the `code` member of every problem document.
///
/// Codes never change meaning once released; clients switch on them rather than on `title` or
/// `detail`, which are for humans. Serialized as `snake_case` strings (e.g. `"invalid_input"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// 400: the body is not valid JSON or not the expected content type.
    MalformedBody,
    /// 422: the body parsed but a field is invalid; see `errors`.
    InvalidInput,
    /// 400: the password is shorter than 8 or longer than 1024 bytes, or contains NUL.
    InvalidPassword,
    /// 413: the request body is larger than the route accepts.
    PayloadTooLarge,
    /// 415: the request has the wrong `Content-Type`.
    UnsupportedMediaType,
    /// 401: no credentials, or the access token is invalid or expired.
    Unauthenticated,
    /// 401: the login or sign-in card was not accepted.
    InvalidCredentials,
    /// 401: the refresh token is unknown, expired, already used, or its session was revoked.
    InvalidRefreshToken,
    /// 403: signed in, but the role or relationship does not allow this action.
    Forbidden,
    /// 404: no such resource in the caller's school.
    NotFound,
    /// 405: the route exists but not with this method; see `Allow`.
    MethodNotAllowed,
    /// 409: the request conflicts with the current state (duplicate handle, e-mail, slug…).
    Conflict,
    /// 409: the recipient already holds this non-repeatable badge.
    AlreadyHeld,
    /// 409: an open nomination for this nominee and badge exists already.
    DuplicateNomination,
    /// 409: the nomination was already decided; decisions are final.
    AlreadyDecided,
    /// 422: the student's weekly nomination allowance is used up.
    AllowanceExceeded,
    /// 422: nominating oneself.
    SelfNomination,
    /// 422: the same `Idempotency-Key` was used for a different request.
    IdempotencyKeyReused,
    /// 413/422: an uploaded image is too large, too big in pixels, or unsafe.
    InvalidImage,
    /// 410: the resource existed but is gone (e.g. a revoked assertion).
    Gone,
    /// 403: the claim code is not open yet (see `opens_at`) or is paused.
    ClaimNotOpen,
    /// 410: the claim code is closed or its window has ended, or the QR has rotated away.
    ClaimClosed,
    /// 409: the claim code's limit is reached (or the single-use code was used).
    ClaimLimitReached,
    /// 403: the student is not in the claim code's audience.
    NotInAudience,
    /// 400: the same login name exists in several schools; pass `school`.
    SchoolRequired,
    /// 429: too many attempts; retry after `retry_after` seconds.
    RateLimited,
    /// 422: a roster file is broken as a whole (e.g. wrong header) and nothing was imported.
    RosterRejected,
    /// 403: the school's sharing policy does not allow this student to make anything public.
    PublicSharingNotAllowed,
    /// 503: the database is unavailable.
    Unavailable,
    /// 500: an unexpected server error; details are only in the server log.
    Internal,
}

impl ErrorCode {
    /// The snake_case string form, as it appears on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::MalformedBody => "malformed_body",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::InvalidPassword => "invalid_password",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::Unauthenticated => "unauthenticated",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::InvalidRefreshToken => "invalid_refresh_token",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::AlreadyHeld => "already_held",
            ErrorCode::DuplicateNomination => "duplicate_nomination",
            ErrorCode::AlreadyDecided => "already_decided",
            ErrorCode::AllowanceExceeded => "allowance_exceeded",
            ErrorCode::SelfNomination => "self_nomination",
            ErrorCode::IdempotencyKeyReused => "idempotency_key_reused",
            ErrorCode::InvalidImage => "invalid_image",
            ErrorCode::Gone => "gone",
            ErrorCode::ClaimNotOpen => "claim_not_open",
            ErrorCode::ClaimClosed => "claim_closed",
            ErrorCode::ClaimLimitReached => "claim_limit_reached",
            ErrorCode::NotInAudience => "not_in_audience",
            ErrorCode::SchoolRequired => "school_required",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::RosterRejected => "roster_rejected",
            ErrorCode::PublicSharingNotAllowed => "public_sharing_not_allowed",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Internal => "internal",
        }
    }
}

/// One invalid field inside an `invalid_input` problem.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// JSON field name, e.g. `"display_name"`.
    pub field: String,
    /// Human-readable reason, e.g. `"must not contain control characters"`.
    pub message: String,
}

/// An RFC 9457 problem details document (`application/problem+json`).
///
/// `type` is `"urn:accolade:problem:{code}"`; `code` repeats the stable [`ErrorCode`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Problem {
    /// URI identifying the problem type (RFC 9457 §3.1.1).
    #[serde(rename = "type")]
    pub type_uri: String,
    /// Short human summary of the problem type.
    pub title: String,
    /// HTTP status code, repeated for convenience.
    pub status: u16,
    /// Human explanation of this occurrence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable code.
    pub code: ErrorCode,
    /// Per-field errors for `invalid_input`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds to wait before retrying (`rate_limited`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// When a claim code opens (`claim_not_open`), RFC 3339 UTC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opens_at: Option<String>,
}

impl Problem {
    /// Builds a problem with the standard `type` URI for `code`.
    pub fn new(code: ErrorCode, status: u16, title: &str, detail: Option<String>) -> Self {
        Problem {
            type_uri: format!("urn:accolade:problem:{}", code.as_str()),
            title: title.to_owned(),
            status,
            detail,
            code,
            errors: Vec::new(),
            retry_after: None,
            opens_at: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_strings_match_serde() {
        for code in [
            ErrorCode::MalformedBody,
            ErrorCode::InvalidInput,
            ErrorCode::InvalidPassword,
            ErrorCode::PayloadTooLarge,
            ErrorCode::UnsupportedMediaType,
            ErrorCode::Unauthenticated,
            ErrorCode::InvalidCredentials,
            ErrorCode::InvalidRefreshToken,
            ErrorCode::Forbidden,
            ErrorCode::NotFound,
            ErrorCode::MethodNotAllowed,
            ErrorCode::Conflict,
            ErrorCode::AlreadyHeld,
            ErrorCode::DuplicateNomination,
            ErrorCode::AlreadyDecided,
            ErrorCode::AllowanceExceeded,
            ErrorCode::SelfNomination,
            ErrorCode::IdempotencyKeyReused,
            ErrorCode::InvalidImage,
            ErrorCode::Gone,
            ErrorCode::ClaimNotOpen,
            ErrorCode::ClaimClosed,
            ErrorCode::ClaimLimitReached,
            ErrorCode::NotInAudience,
            ErrorCode::SchoolRequired,
            ErrorCode::RateLimited,
            ErrorCode::RosterRejected,
            ErrorCode::PublicSharingNotAllowed,
            ErrorCode::Unavailable,
            ErrorCode::Internal,
        ] {
            let json = serde_json::to_value(code).expect("serialize");
            assert_eq!(json, serde_json::Value::String(code.as_str().to_owned()));
        }
    }

    #[test]
    fn problem_snapshot() {
        let mut p = Problem::new(
            ErrorCode::InvalidInput,
            422,
            "Invalid input",
            Some("display_name is invalid".into()),
        );
        p.errors.push(FieldError {
            field: "display_name".into(),
            message: "must not contain control characters".into(),
        });
        insta::assert_json_snapshot!(p);
    }
}
