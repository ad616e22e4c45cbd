//! Webhooks: admins register endpoints (`/api/v1/webhooks`), and every event of the outbox
//! (`crate::events`) an endpoint subscribes to is delivered to it by a job, signed as the
//! Standard Webhooks specification says ([`signing`]), retried with backoff for
//! `SAHIFA_WEBHOOKS_RETRY_FOR_SECS`, logged attempt by attempt, and replayable.
//!
//! # Delivery guarantees
//! - **At least once.** A delivery row is written with its event, in the change's
//!   transaction; a job sends it. A process killed mid-send sends it again (the job's lease
//!   expires), so a receiver may see an event twice: `webhook-id` (the event id) is the same
//!   every time, for it to deduplicate.
//! - **No order.** Deliveries to one endpoint run side by side and a failed one is retried
//!   later, so events may arrive in any order. Event ids (`evt_N`) increase in commit order and
//!   every body carries its `timestamp`: a receiver that needs order sorts by them, or reads
//!   the resource's current state from the API.
//! - **The endpoint is hostile until proven otherwise** ([`guard`]): http(s) only; a name
//!   resolving to a private, loopback, link-local or metadata address is refused when the
//!   endpoint is saved and again at every connection (DNS may change); redirects are not
//!   followed; a response is read for at most 1 KiB.

pub mod delivery;
pub mod dto;
pub mod guard;
pub mod model;
pub mod operations;
pub mod routes;
pub mod signing;

use std::time::Duration;

/// How webhooks are delivered (`SAHIFA_WEBHOOKS_*`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `SAHIFA_WEBHOOKS_ALLOW_PRIVATE`: let endpoints resolve to private and loopback
    /// addresses (tests, receivers on the same network). Off by default.
    pub allow_private: bool,
    /// `SAHIFA_WEBHOOKS_TIMEOUT_SECS`: one attempt, connection to last byte.
    pub timeout: Duration,
    /// `SAHIFA_WEBHOOKS_BACKOFF_BASE_SECS`, `SAHIFA_WEBHOOKS_BACKOFF_CAP_SECS`: the delay after
    /// failed attempt n is `base × 2^(n−1)`, at most `cap`, times a jitter of 0.5–1.5.
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// `SAHIFA_WEBHOOKS_RETRY_FOR_SECS`: how long a delivery is retried before it is `failed`.
    pub retry_for: Duration,
    /// `SAHIFA_WEBHOOKS_DISABLE_AFTER_SECS`: an endpoint whose every delivery has failed for
    /// this long is disabled, with the reason shown to admins.
    pub disable_after: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout: Duration::from_secs(10),
            backoff_base: Duration::from_secs(10),
            backoff_cap: Duration::from_secs(3600),
            retry_for: Duration::from_secs(72 * 3600),
            disable_after: Duration::from_secs(5 * 86_400),
        }
    }
}
