//! Login rate limiting: a GCRA limiter per account and another per client IP (governor).
//! Exceeding either answers 429 with `Retry-After`.

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::error::ApiError;

/// Per-account and per-IP limiters for sign-in attempts.
pub struct LoginLimiter {
    per_account: DefaultKeyedRateLimiter<String>,
    per_ip: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
}

impl LoginLimiter {
    /// Allows `per_account` attempts per minute per account and `per_ip` per minute per IP
    /// (each with a burst of the same size).
    pub fn new(per_account: u32, per_ip: u32) -> LoginLimiter {
        let quota =
            |n: u32| Quota::per_minute(NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN));
        LoginLimiter {
            per_account: RateLimiter::keyed(quota(per_account)),
            per_ip: RateLimiter::keyed(quota(per_ip)),
            clock: DefaultClock::default(),
        }
    }

    /// Counts one attempt; `Err(RateLimited(secs))` when over either limit.
    /// `account` is the normalised login name (so case variants share a bucket).
    pub fn check(&self, account: &str, ip: IpAddr) -> Result<(), ApiError> {
        if let Err(not_until) = self.per_ip.check_key(&ip) {
            let wait = not_until.wait_time_from(self.clock.now());
            return Err(ApiError::RateLimited(wait.as_secs().max(1)));
        }
        if let Err(not_until) = self.per_account.check_key(&account.to_owned()) {
            let wait = not_until.wait_time_from(self.clock.now());
            return Err(ApiError::RateLimited(wait.as_secs().max(1)));
        }
        Ok(())
    }

    /// Forgets idle keys so memory stays bounded; called periodically.
    pub fn prune(&self) {
        self.per_account.retain_recent();
        self.per_ip.retain_recent();
        self.per_account.shrink_to_fit();
        self.per_ip.shrink_to_fit();
    }
}
