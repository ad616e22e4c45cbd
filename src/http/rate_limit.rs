//! Keyed rate limits (GCRA, from the `governor` crate) answering 429 with `Retry-After`.
//!
//! Limits are kept in process memory: with several instances behind a load balancer, each
//! instance enforces its own (so the effective limit is multiplied by the instance count).

use std::hash::Hash;
use std::num::NonZeroU32;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use super::error::ApiError;

/// Beyond this many tracked keys, keys whose limit has fully recovered are dropped, so an
/// attacker rotating addresses cannot grow memory without bound.
const PRUNE_ABOVE: usize = 10_000;

pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limiter: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    /// Allows `per_minute` requests per key per minute, all of them in a burst if need be.
    pub fn per_minute(per_minute: u32) -> Self {
        let n = NonZeroU32::new(per_minute.max(1)).expect("at least one");
        Self {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
        }
    }

    /// Counts one request for `key`; 429 with the time to wait when over the limit.
    pub fn check(&self, key: &K) -> Result<(), ApiError> {
        if self.limiter.len() > PRUNE_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after_secs: wait.as_secs().max(1),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_per_key_and_says_when_to_retry() {
        let limiter = KeyedLimiter::per_minute(2);
        assert!(limiter.check(&"a").is_ok());
        assert!(limiter.check(&"a").is_ok());
        match limiter.check(&"a") {
            Err(ApiError::TooManyRequests { retry_after_secs }) => {
                assert!((1..=30).contains(&retry_after_secs), "{retry_after_secs}")
            }
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limiter.check(&"b").is_ok(), "other keys are unaffected");
    }
}
