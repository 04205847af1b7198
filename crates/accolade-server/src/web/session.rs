//! Browser sessions and CSRF tokens of the web pages.
//!
//! **Session cookie.** Signing in on a page (password or sign-in card) creates an ordinary
//! session with its first refresh token, exactly like the API's login; the opaque refresh token
//! (256 random bits) is the value of the `accolade_session` cookie (`__Host-accolade_session`
//! when `public_url` is https), sent `HttpOnly; SameSite=Lax; Path=/` (plus `Secure` on https),
//! with the refresh token's lifetime. Only its SHA-256 is stored. On each request the session
//! is found by that hash **without rotating the token**
//! ([`accolade_db::auth::live_session_of_token`]): an unknown, used, expired or revoked token,
//! or a deactivated user, is simply "signed out". Signing out (or any revocation: password
//! change, deactivation, refresh-token reuse) ends the web session too, and closes its sockets.
//!
//! **CSRF.** Every state-changing form carries `csrf` = base64url of the first 16 bytes of
//! HMAC-SHA256(k, seed), where k is derived from the token signing secret (through the
//! link key, with its own label) and the seed is `session:<session id>` when signed in, else
//! `pre:<value>` of a random `accolade_pre` cookie (`HttpOnly; SameSite=Lax`) set with the first
//! page, so the sign-in forms are protected too. Tokens are verified in constant time;
//! `SameSite=Lax` already keeps the session cookie off cross-site POSTs.

use std::convert::Infallible;

use accolade_db::users::User;
use accolade_proto::Role;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use minijinja::{context, Value};
use sha2::Sha256;
use uuid::Uuid;

use crate::error::ApiResult;
use crate::extract::AuthUser;
use crate::state::AppState;
use crate::tokens::{hash_secret, Claims};

type HmacSha256 = Hmac<Sha256>;

/// Session cookie name over http.
pub const SESSION_COOKIE: &str = "accolade_session";
/// Session cookie name over https (`__Host-` prefix: `Secure`, `Path=/`, no `Domain`).
pub const SESSION_COOKIE_SECURE: &str = "__Host-accolade_session";
/// Pre-session (CSRF seed) cookie name over http.
pub const PRE_COOKIE: &str = "accolade_pre";
/// Pre-session cookie name over https.
pub const PRE_COOKIE_SECURE: &str = "__Host-accolade_pre";

/// Label deriving the CSRF key from the link key (itself derived from the signing secret).
const CSRF_KEY_LABEL: &[u8] = b"accolade/web-csrf";
/// Bytes of HMAC kept in a CSRF token or page voucher.
const TAG_BYTES: usize = 16;

/// The signed-in user of a browser session.
#[derive(Debug, Clone)]
pub struct WebUser {
    /// The user row (active; its school is the tenant of every page).
    pub user: User,
    /// Role, from the database.
    pub role: Role,
    /// The session the cookie belongs to.
    pub session_id: Uuid,
}

impl WebUser {
    /// True for students.
    pub fn is_student(&self) -> bool {
        self.role == Role::Student
    }

    /// True for teachers and admins (admins may use every teacher page).
    pub fn is_teacher(&self) -> bool {
        matches!(self.role, Role::Teacher | Role::Admin)
    }

    /// True for admins.
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// The path of this user's home page: `/my/badges` (students), `/teach/queue`
    /// (teachers), `/admin` (admins).
    pub fn home(&self) -> &'static str {
        match self.role {
            Role::Student => "/my/badges",
            Role::Teacher => "/teach/queue",
            Role::Admin => "/admin",
        }
    }

    /// What the layout shows: the display name (never the e-mail) and role flags for the
    /// navigation: `student`, `teacher` (teachers and admins), `admin`, and `home`.
    pub fn view(&self) -> Value {
        context! {
            name => self.user.display_name.clone(),
            student => self.is_student(),
            teacher => self.is_teacher(),
            admin => self.is_admin(),
            home => self.home(),
        }
    }

    /// The same caller as the API's [`AuthUser`], for the shared services (claims, offers);
    /// `exp` is what a fresh access token would have.
    pub fn auth(&self, state: &AppState) -> AuthUser {
        let now = chrono::Utc::now().timestamp();
        AuthUser {
            user: self.user.clone(),
            claims: Claims {
                sub: self.user.id,
                sch: self.user.school_id,
                role: self.user.role.clone(),
                sid: self.session_id,
                iat: now,
                exp: now + state.keys.ttl_secs as i64,
                iss: crate::tokens::ISSUER.to_owned(),
            },
            role: self.role,
        }
    }
}

/// What a page request knows about its browser: the signed-in user (if any) and the CSRF seed.
/// Handlers pass their response through [`Web::finish`], which sets the pre-session cookie on a
/// browser's first visit.
#[derive(Debug, Clone)]
pub struct Web {
    /// The signed-in user.
    pub user: Option<WebUser>,
    pre: String,
    set_pre: bool,
    secure: bool,
    csrf_key: Vec<u8>,
}

impl FromRequestParts<AppState> for Web {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let secure = is_secure(state);
        let (session_name, pre_name) = names(secure);
        let user = match cookie(&parts.headers, session_name) {
            Some(token) => match user_of_token(state, token).await {
                Ok(u) => u,
                Err(e) => {
                    tracing::warn!(error = %e, "web session lookup failed");
                    None
                }
            },
            None => None,
        };
        let existing = cookie(&parts.headers, pre_name)
            .filter(|v| (16..=64).contains(&v.len()))
            .filter(|v| {
                v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            })
            .map(str::to_owned);
        let set_pre = existing.is_none();
        Ok(Web {
            user,
            pre: existing.unwrap_or_else(|| crate::tokens::random_token(18)),
            set_pre,
            secure,
            csrf_key: csrf_key(state),
        })
    }
}

impl Web {
    /// The CSRF token for this browser's forms.
    pub fn csrf(&self) -> String {
        match &self.user {
            Some(u) => tag(&self.csrf_key, &[b"session:", u.session_id.as_bytes()]),
            None => tag(&self.csrf_key, &[b"pre:", self.pre.as_bytes()]),
        }
    }

    /// Whether `token` is a valid CSRF token of this browser (for its session, or for its
    /// pre-session cookie), compared in constant time.
    pub fn csrf_ok(&self, token: Option<&str>) -> bool {
        let Some(token) = token else {
            return false;
        };
        if let Some(u) = &self.user {
            if verify(
                &self.csrf_key,
                &[b"session:", u.session_id.as_bytes()],
                token,
            ) {
                return true;
            }
        }
        !self.set_pre && verify(&self.csrf_key, &[b"pre:", self.pre.as_bytes()], token)
    }

    /// A page voucher: a signature over `parts` with the CSRF key (see the claim pages).
    pub fn sign(&self, parts: &[&[u8]]) -> String {
        tag(&self.csrf_key, parts)
    }

    /// Checks a voucher made with [`Web::sign`], in constant time.
    pub fn verify_signed(&self, parts: &[&[u8]], sig: &str) -> bool {
        verify(&self.csrf_key, parts, sig)
    }

    /// Adds the pre-session cookie when this browser had none.
    pub fn finish(&self, mut res: Response) -> Response {
        if self.set_pre {
            let (_, pre_name) = names(self.secure);
            let c = format!(
                "{pre_name}={}; Path=/; HttpOnly; SameSite=Lax{}",
                self.pre,
                if self.secure { "; Secure" } else { "" }
            );
            if let Ok(v) = HeaderValue::from_str(&c) {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        res
    }
}

/// True when `public_url` is https (cookies get `Secure` and the `__Host-` prefix).
pub fn is_secure(state: &AppState) -> bool {
    state.config.base_url().starts_with("https://")
}

fn names(secure: bool) -> (&'static str, &'static str) {
    if secure {
        (SESSION_COOKIE_SECURE, PRE_COOKIE_SECURE)
    } else {
        (SESSION_COOKIE, PRE_COOKIE)
    }
}

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().trim_matches('"'))
}

async fn user_of_token(state: &AppState, token: &str) -> ApiResult<Option<WebUser>> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let conn = state.db.conn();
    let Some(session) = accolade_db::auth::live_session_of_token(conn, &hash_secret(token)).await?
    else {
        return Ok(None);
    };
    let Some(user) = accolade_db::users::by_id_unscoped(conn, session.user_id)
        .await?
        .filter(|u| u.active && u.school_id == session.school_id)
    else {
        return Ok(None);
    };
    let Some(role) = Role::parse(&user.role) else {
        return Ok(None);
    };
    Ok(Some(WebUser {
        user,
        role,
        session_id: session.id,
    }))
}

/// The `Set-Cookie` value starting a web session with `refresh_token`.
pub fn session_cookie(state: &AppState, refresh_token: &str) -> String {
    let secure = is_secure(state);
    let (name, _) = names(secure);
    let max_age = state.config.refresh_token_ttl_days.saturating_mul(86_400);
    format!(
        "{name}={refresh_token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{}",
        if secure { "; Secure" } else { "" }
    )
}

/// The `Set-Cookie` value ending the web session in this browser.
pub fn clear_session_cookie(state: &AppState) -> String {
    let secure = is_secure(state);
    let (name, _) = names(secure);
    format!(
        "{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{}",
        if secure { "; Secure" } else { "" }
    )
}

/// Revokes a web session (sign-out, or a new sign-in replacing it) and closes its sockets.
pub async fn end_session(state: &AppState, session_id: Uuid, reason: &str) -> ApiResult<()> {
    let txn = state.db.begin_write().await?;
    accolade_db::auth::revoke_session(&*txn, session_id, reason).await?;
    crate::notify::session_ended(&txn, session_id).await?;
    txn.commit().await?;
    Ok(())
}

/// The CSRF (and page voucher) key: HMAC(link key, label); the link key is derived from the
/// token signing secret, so every node computes the same key.
fn csrf_key(state: &AppState) -> Vec<u8> {
    let mut m = HmacSha256::new_from_slice(&state.link_key).expect("HMAC takes keys of any length");
    m.update(CSRF_KEY_LABEL);
    m.finalize().into_bytes().to_vec()
}

fn mac(key: &[u8], parts: &[&[u8]]) -> HmacSha256 {
    let mut m = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for p in parts {
        m.update(&(p.len() as u64).to_be_bytes());
        m.update(p);
    }
    m
}

fn tag(key: &[u8], parts: &[&[u8]]) -> String {
    let bytes = mac(key, parts).finalize().into_bytes();
    URL_SAFE_NO_PAD.encode(&bytes[..TAG_BYTES])
}

fn verify(key: &[u8], parts: &[&[u8]], token: &str) -> bool {
    match URL_SAFE_NO_PAD.decode(token.trim()) {
        Ok(bytes) if bytes.len() == TAG_BYTES => {
            mac(key, parts).verify_truncated_left(&bytes).is_ok()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_verify_and_resist_tampering() {
        let key = b"k".repeat(32);
        let t = tag(&key, &[b"session:", b"abc"]);
        assert!(verify(&key, &[b"session:", b"abc"], &t));
        assert!(!verify(&key, &[b"session:", b"abd"], &t));
        assert!(
            !verify(&key, &[b"session:abc"], &t),
            "parts are length-framed"
        );
        assert!(!verify(&b"j".repeat(32), &[b"session:", b"abc"], &t));
        // A truncated tag must not pass as a shorter prefix.
        assert!(!verify(&key, &[b"session:", b"abc"], &t[..4]));
        assert!(!verify(&key, &[b"session:", b"abc"], ""));
    }

    #[test]
    fn cookies_are_parsed() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; accolade_session=xyz; b=2"),
        );
        assert_eq!(cookie(&h, "accolade_session"), Some("xyz"));
        assert_eq!(cookie(&h, "accolade"), None);
    }
}
