//! Password policy and hashing.
//!
//! argon2id with the OWASP Password Storage Cheat Sheet parameters (m = 19 456 KiB, t = 2, p = 1).
//! Hashing runs on a dedicated pool of one thread per core with a bounded queue, so at most
//! that many hashes (≈19 MiB each, memory reused per thread) are in flight; further requests
//! wait for room holding only their (size-limited) request.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::{mpsc, oneshot};
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

/// One unit of work for the hashing threads.
enum Job {
    Hash(String, oneshot::Sender<Result<String, ApiError>>),
    Verify(String, String, oneshot::Sender<bool>),
}

/// The bounded argon2id hashing pool: `concurrency` long-lived threads take jobs from one
/// bounded queue (callers wait asynchronously for room, holding only their request) and answer
/// through a oneshot channel. Each thread keeps its argon2 working memory (≈ 19 MiB) for its
/// whole life instead of allocating it per hash, and a thread that finishes takes the next job
/// itself, so cores do not sit idle between hashes (measured by `bench-auth`). Cheap to clone.
#[derive(Clone)]
pub struct Hasher {
    jobs: mpsc::Sender<Job>,
    dummy_hash: Arc<String>,
    started: Arc<AtomicU64>,
}

impl Hasher {
    /// A pool of `concurrency` threads with OWASP parameters.
    pub fn new(concurrency: usize) -> Hasher {
        Self::with_params(concurrency, owasp_params())
    }

    fn with_params(concurrency: usize, params: Params) -> Hasher {
        let threads = concurrency.max(1);
        let (tx, rx) = mpsc::channel::<Job>(threads * 4);
        let rx = Arc::new(std::sync::Mutex::new(rx));
        for n in 0..threads {
            let rx = rx.clone();
            let params = params.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || worker(rx, params));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start a password hashing thread");
            }
        }
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        // A hash of a random value: verifying against it when an account does not exist keeps
        // the response time the same as for a wrong password.
        let dummy = argon
            .hash_password(uuid::Uuid::new_v4().as_bytes(), &salt)
            .map(|h| h.to_string())
            .unwrap_or_default();
        Hasher {
            jobs: tx,
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
        let (tx, rx) = oneshot::channel();
        self.started.fetch_add(1, Ordering::Relaxed);
        self.jobs
            .send(Job::Hash(password, tx))
            .await
            .map_err(|_| ApiError::Unavailable)?;
        rx.await.map_err(|_| ApiError::Unavailable)?
    }

    /// Verifies a normalised password against a stored PHC hash; with `None` verifies against a
    /// dummy hash (same cost) and returns false.
    pub async fn verify(&self, password: String, hash: Option<String>) -> Result<bool, ApiError> {
        let real = hash.is_some();
        let hash = hash.unwrap_or_else(|| self.dummy_hash.as_ref().clone());
        let (tx, rx) = oneshot::channel();
        self.started.fetch_add(1, Ordering::Relaxed);
        self.jobs
            .send(Job::Verify(password, hash, tx))
            .await
            .map_err(|_| ApiError::Unavailable)?;
        let ok = rx.await.map_err(|_| ApiError::Unavailable)?;
        Ok(ok && real)
    }
}

fn worker(rx: Arc<std::sync::Mutex<mpsc::Receiver<Job>>>, params: Params) {
    let mut memory: Vec<argon2::Block> = Vec::new();
    loop {
        // Hold the lock only while waiting for the next job.
        let job = match rx.lock() {
            Ok(mut guard) => guard.blocking_recv(),
            Err(_) => None,
        };
        let Some(job) = job else { return };
        match job {
            Job::Hash(password, reply) => {
                let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
                let salt = SaltString::generate(&mut OsRng);
                let result = argon
                    .hash_password(password.as_bytes(), &salt)
                    .map(|h| h.to_string())
                    .map_err(|e| ApiError::Internal(format!("argon2: {e}")));
                let _ = reply.send(result);
            }
            Job::Verify(password, hash, reply) => {
                let _ = reply.send(verify_with_memory(password.as_bytes(), &hash, &mut memory));
            }
        }
    }
}

/// Verifies `password` against a PHC argon2 hash using `memory` as the working memory (grown
/// when the hash's `m` needs more), with the parameters stored in the hash, so older hashes
/// keep verifying. Constant-time comparison (`password_hash::Output` equality). False for an
/// unparsable hash.
fn verify_with_memory(password: &[u8], phc: &str, memory: &mut Vec<argon2::Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Ok(params), Ok(algorithm)) = (
        Params::try_from(&parsed),
        Algorithm::try_from(parsed.algorithm),
    ) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        Some(Ok(v)) => v,
        Some(Err(_)) => return false,
        None => Version::default(),
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return false;
    };
    let mut salt_buf = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_buf) else {
        return false;
    };
    if memory.len() < params.block_count() {
        memory.resize(params.block_count(), argon2::Block::default());
    }
    let mut out = vec![0u8; expected.len()];
    if Argon2::new(algorithm, version, params)
        .hash_password_into_with_memory(password, salt, &mut out, &mut memory[..])
        .is_err()
    {
        return false;
    }
    argon2::password_hash::Output::new(&out).is_ok_and(|o| o == expected)
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
