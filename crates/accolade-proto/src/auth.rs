//! Sign-in, token refresh and sign-in card bodies (`/api/v1/auth/*`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::users::Me;

/// `POST /api/v1/auth/login` body.
///
/// `login` is an e-mail address or a handle. `school` (a school slug) is only needed when the
/// same e-mail exists in several schools (the server answers `school_required`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// E-mail (case-insensitive) or handle.
    pub login: String,
    /// Password, 8–1024 bytes of UTF-8, no NUL; normalised to NFKC by the server.
    pub password: String,
    /// Optional school slug to disambiguate an e-mail used in several schools.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
}

/// `POST /api/v1/auth/card` body: sign in with the one-time code printed on a sign-in card
/// (`XXXX-XXXX-XXXX`, Crockford base32, case-insensitive, hyphens and spaces ignored).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CardSignInRequest {
    /// The code from the card or the QR code's URL.
    pub code: String,
}

/// `POST /api/v1/auth/refresh` body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token from the last [`TokenResponse`]; single use.
    pub refresh_token: String,
}

/// `POST /api/v1/auth/logout` body (optional): the refresh token whose session ends. Without a
/// body the session of the presented access token ends.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct LogoutRequest {
    /// Refresh token of the session to end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

/// Tokens returned by login, card sign-in and refresh.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenResponse {
    /// Short-lived JWT (HS256) for `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `"Bearer"`.
    pub token_type: String,
    /// Lifetime of `access_token` in seconds (default 900).
    pub expires_in: u64,
    /// Opaque 256-bit refresh token (base64url); rotated on every use.
    pub refresh_token: String,
    /// The signed-in user.
    pub user: Me,
}
