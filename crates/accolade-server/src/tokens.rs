//! Access tokens (JWT, HS256) and opaque refresh tokens.
//!
//! The algorithm is fixed here and never read from a token: a token whose header says `none` or
//! any other algorithm fails verification (RFC 8725 §3.1).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The only accepted signing algorithm.
pub const ALGORITHM: Algorithm = Algorithm::HS256;
/// `iss` of every access token.
pub const ISSUER: &str = "accolade";

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// User id.
    pub sub: Uuid,
    /// School id (tenant).
    pub sch: Uuid,
    /// Role at issue time (`student` | `teacher` | `admin`); the database is authoritative.
    pub role: String,
    /// Session (refresh-token family) id; revoking the session invalidates the token.
    pub sid: Uuid,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Issuer, always [`ISSUER`].
    pub iss: String,
}

/// Signs and verifies access tokens with one secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    /// Access token lifetime in seconds.
    pub ttl_secs: u64,
}

impl TokenKeys {
    /// Keys from a secret of at least 32 bytes; `leeway_secs` applies to `exp`.
    pub fn new(secret: &[u8], ttl_secs: u64, leeway_secs: u64) -> TokenKeys {
        let mut validation = Validation::new(ALGORITHM);
        validation.leeway = leeway_secs;
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "sub", "iss"]);
        validation.validate_exp = true;
        TokenKeys {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl_secs,
        }
    }

    /// Issues an access token; returns it with its claims.
    pub fn issue(
        &self,
        user_id: Uuid,
        school_id: Uuid,
        role: &str,
        session_id: Uuid,
    ) -> Result<(String, Claims), jsonwebtoken::errors::Error> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id,
            sch: school_id,
            role: role.to_owned(),
            sid: session_id,
            iat: now,
            exp: now + self.ttl_secs as i64,
            iss: ISSUER.to_owned(),
        };
        let token = encode(&Header::new(ALGORITHM), &claims, &self.encoding)?;
        Ok((token, claims))
    }

    /// Verifies signature, algorithm, issuer and expiry (with leeway).
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }
}

/// A new random secret: `bytes` random bytes, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// Hex SHA-256 of a secret, as stored in the database.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> TokenKeys {
        TokenKeys::new(&[7u8; 32], 900, 0)
    }

    #[test]
    fn round_trip() {
        let k = keys();
        let (t, c) = k
            .issue(Uuid::new_v4(), Uuid::new_v4(), "student", Uuid::new_v4())
            .expect("issue");
        assert_eq!(k.verify(&t).expect("verify"), c);
    }

    #[test]
    fn alg_none_rejected() {
        let k = keys();
        let (t, _) = k
            .issue(Uuid::new_v4(), Uuid::new_v4(), "teacher", Uuid::new_v4())
            .expect("issue");
        let payload = t.split('.').nth(1).expect("payload");
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(k.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn other_key_rejected() {
        let (t, _) = keys()
            .issue(Uuid::new_v4(), Uuid::new_v4(), "admin", Uuid::new_v4())
            .expect("issue");
        let other = TokenKeys::new(&[8u8; 32], 900, 0);
        assert!(other.verify(&t).is_err());
    }

    #[test]
    fn refresh_tokens_are_256_bit() {
        let t = random_token(32);
        assert_eq!(URL_SAFE_NO_PAD.decode(&t).expect("b64").len(), 32);
        assert_eq!(hash_secret(&t).len(), 64);
    }
}
