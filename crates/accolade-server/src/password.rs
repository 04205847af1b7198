//! Password policy and hashing.
//!
//! argon2id with the OWASP Password Storage Cheat Sheet parameters (m = 19 456 KiB, t = 2, p = 1).
//! Hashing runs on tokio's blocking pool behind a semaphore with one permit per core, so at most
//! that many hashes (≈19 MiB each) are in flight; further requests wait for a permit holding only
//! their (size-limited) request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;
use unicode_normalization::UnicodeNormalization;

use crate::error::ApiError;

/// Shortest accepted password, in bytes of UTF-8 after NFKC normalisation.
pub const MIN_PASSWORD_BYTES: usize = 8;
/// Longest accepted password, in bytes of UTF-8 (checked before and after normalisation).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Checks the policy and returns the NFKC-normalised password to hash or verify.
///
/// Errors (`400 invalid_password`): longer than 1024 bytes, containing NUL, or (for new
/// passwords, `for_new = true`) shorter than 8 bytes. Every byte counts: nothing is truncated.
pub fn normalise(password: &str, for_new: bool) -> Result<String, ApiError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::InvalidPassword(
            "password must be at most 1024 bytes",
        ));
    }
    if password.contains('\0') {
        return Err(ApiError::InvalidPassword("password must not contain NUL"));
    }
    let normalised: String = password.nfkc().collect();
    if normalised.len() > MAX_PASSWORD_BYTES {
        return Err(ApiError::InvalidPassword(
            "password must be at most 1024 bytes",
        ));
    }
    if for_new && normalised.len() < MIN_PASSWORD_BYTES {
        return Err(ApiError::InvalidPassword(
            "password must be at least 8 bytes",
        ));
    }
    Ok(normalised)
}

/// The bounded argon2id hashing pool. Cheap to clone.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    params: Params,
    dummy_hash: Arc<String>,
    started: Arc<AtomicU64>,
}

impl Hasher {
    /// A pool running at most `concurrency` hashes at once with OWASP parameters.
    pub fn new(concurrency: usize) -> Hasher {
        Self::with_params(concurrency, owasp_params())
    }

    fn with_params(concurrency: usize, params: Params) -> Hasher {
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = SaltString::generate(&mut OsRng);
        // A hash of a random value: verifying against it when an account does not exist keeps
        // the response time the same as for a wrong password.
        let dummy = argon
            .hash_password(uuid::Uuid::new_v4().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        Hasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            params,
            dummy_hash: Arc::new(dummy),
            started: Arc::new(AtomicU64::new(0)),
        }
    }

    /// How many hash or verify operations have started since the pool was created (a
    /// monotonic counter for metrics and tests: e.g. a rejected oversized password must not
    /// move it).
    pub fn operations_started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// Hashes a normalised password into a PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`).
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Unavailable)?;
        let params = self.params.clone();
        self.started.fetch_add(1, Ordering::Relaxed);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
            let salt = SaltString::generate(&mut OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| ApiError::Internal(format!("argon2: {e}")))
        })
        .await
        .map_err(|e| ApiError::Internal(format!("hash task: {e}")))?
    }

    /// Verifies a normalised password against a stored PHC hash; with `None` verifies against a
    /// dummy hash (same cost) and returns false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::Unavailable)?;
        let real = hash.is_some();
        self.started.fetch_add(1, Ordering::Relaxed);
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let Ok(parsed) = PasswordHash::new(&hash) else {
                return false;
            };
            // Parameters come from the stored hash, so older hashes keep verifying.
            let ok = Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok();
            ok && real
        })
        .await
        .map_err(|e| ApiError::Internal(format!("verify task: {e}")))
    }
}

/// OWASP argon2id parameters: m = 19 456 KiB, t = 2, p = 1, 32-byte output.
pub fn owasp_params() -> Params {
    Params::new(19_456, 2, 1, Some(32)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        assert!(normalise("short", true).is_err());
        assert!(normalise("short", false).is_ok());
        assert!(normalise("\u{0}secretsecret", true).is_err());
        assert!(normalise(&"a".repeat(1025), true).is_err());
        assert!(normalise(&"a".repeat(1024), true).is_ok());
        // NFKC: the ligature "ﬁ" becomes "fi".
        assert_eq!(
            normalise("ﬁﬁﬁﬁﬁﬁﬁﬁ", true).ok().as_deref(),
            Some("fifififififififi")
        );
    }

    #[tokio::test]
    async fn hash_and_verify_every_byte_counts() {
        let hasher = Hasher::new(2);
        let a = format!("{}X", "a".repeat(72));
        let b = format!("{}Y", "a".repeat(72));
        let h = hasher.hash(a.clone()).await.expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify(a, Some(h.clone())).await.expect("verify"));
        assert!(!hasher.verify(b, Some(h)).await.expect("verify"));
        assert!(!hasher
            .verify("whatever1".into(), None)
            .await
            .expect("verify"));
    }
}
