//! Durable background jobs: one runner for all work that must happen outside a request and
//! must not be lost (webhook deliveries, image renditions, scheduled publication events,
//! imports, maintenance).
//!
//! # The contract
//!
//! - A job is a row of the `jobs` table: a kind, a JSON payload, when to run, how many
//!   attempts it has used and may use, its last error, and the lease of the runner working on
//!   it. [`enqueue`] writes it **in the caller's transaction**, with the change that causes
//!   it: a job whose change rolled back never existed, and a committed change always has its
//!   job.
//! - Every server process runs `SAHIFA_JOB_WORKERS` workers ([`Runner`]). A worker claims a
//!   due job by taking a lease on it (PostgreSQL instances claim side by side with
//!   `FOR UPDATE SKIP LOCKED`, so each job is claimed by one of them), renews the lease while
//!   the job runs, and deletes the job when it succeeds.
//! - A failed attempt is retried after an exponential backoff with jitter ([`Backoff`]),
//!   up to the kind's `max_attempts`; then the job is **dead**, kept for an admin to read and
//!   retry (`GET /api/v1/jobs?state=dead`, `POST /api/v1/jobs/{id}/retry`).
//! - A process killed in the middle of a job never finishes it: when its lease expires
//!   (`SAHIFA_JOB_LEASE_SECS`), another worker claims the job and runs it **again**.
//!
//! So **every handler must be idempotent**: running it twice must leave the world as running
//! it once would (a delivery carries its event id for the receiver to deduplicate; a
//! rendition overwrites the same file; an update sets rather than adds). A handler that
//! succeeds but whose process dies before the job is deleted is run again too.
//!
//! # Writing a kind
//!
//! A [`Kind`] names the work, says how often to retry it (and, for periodic work, how often
//! to run it), and gives the handler: an async function of a [`JobContext`]. Kinds are
//! registered once, in [`crate::startup`]; a job of a kind this process does not know (left
//! by a newer version) waits and is retried like a failure.

pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;
mod runner;

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use serde::Serialize;

pub use runner::{Clock, FakeClock, Runner, RunnerSettings, SystemClock};

use crate::db::{DbConnection, Store};

/// What a handler returns: `Err` with a message for the job's `last_error` (never a secret).
pub type Outcome = Result<(), String>;

/// A running handler.
pub type JobFuture = Pin<Box<dyn Future<Output = Outcome>>>;

/// What a handler is given.
#[derive(Clone)]
pub struct JobContext {
    pub store: Store,
    pub id: i64,
    /// 1 for the first attempt.
    pub attempt: i32,
    pub payload: serde_json::Value,
}

/// How long to wait before retrying a failed attempt: `base × 2^(attempt−1)`, at most `cap`,
/// times a random factor between 0.5 and 1.5 (so that jobs that failed together do not all
/// come back at the same instant).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(3600),
        }
    }
}

impl Backoff {
    /// The delay after failed attempt number `attempt` (from 1), given a random sample in
    /// `[0, 1)`.
    pub fn delay(&self, attempt: i32, sample: f64) -> Duration {
        let exponent = (attempt.max(1) - 1).min(30) as u32;
        let raw = self.base.saturating_mul(2u32.saturating_pow(exponent));
        raw.min(self.cap).mul_f64(0.5 + sample.clamp(0.0, 1.0))
    }
}

/// A kind of job and its handler.
#[derive(Clone)]
pub struct Kind {
    pub name: &'static str,
    /// Attempts before the job is dead.
    pub max_attempts: i32,
    pub backoff: Backoff,
    /// For periodic work: how long after one run the next is due. The runner keeps exactly
    /// one such job queued (its key is the kind's name).
    pub every: Option<Duration>,
    pub run: Arc<dyn Fn(JobContext) -> JobFuture>,
}

impl Kind {
    /// A kind with the default retries (8 attempts, 10 s doubling up to an hour).
    pub fn new<F, Fut>(name: &'static str, run: F) -> Self
    where
        F: Fn(JobContext) -> Fut + 'static,
        Fut: Future<Output = Outcome> + 'static,
    {
        Self {
            name,
            max_attempts: 8,
            backoff: Backoff::default(),
            every: None,
            run: Arc::new(move |ctx| Box::pin(run(ctx))),
        }
    }

    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    pub fn backoff(mut self, base: Duration, cap: Duration) -> Self {
        self.backoff = Backoff { base, cap };
        self
    }

    /// Runs periodically, the first time when the runner starts.
    pub fn every(mut self, period: Duration) -> Self {
        self.every = Some(period);
        self
    }
}

/// The kinds a runner knows.
#[derive(Clone, Default)]
pub struct Registry {
    kinds: HashMap<&'static str, Kind>,
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(mut self, kind: Kind) -> Self {
        self.kinds.insert(kind.name, kind);
        self
    }

    pub fn get(&self, name: &str) -> Option<&Kind> {
        self.kinds.get(name)
    }

    fn periodic(&self) -> impl Iterator<Item = &Kind> {
        self.kinds.values().filter(|k| k.every.is_some())
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct Job<'a> {
    pub kind: &'a str,
    pub payload: serde_json::Value,
    /// When given, at most one live job has this key: enqueueing another is a no-op.
    pub unique_key: Option<&'a str>,
    pub run_at: NaiveDateTime,
    pub max_attempts: i32,
}

impl<'a> Job<'a> {
    /// A job of `kind` due now, with the default number of attempts.
    pub fn new(kind: &'a str, payload: impl Serialize, now: NaiveDateTime) -> Self {
        Self {
            kind,
            payload: serde_json::to_value(payload).unwrap_or(serde_json::Value::Null),
            unique_key: None,
            run_at: now,
            max_attempts: 8,
        }
    }
}

/// Writes a job in the caller's transaction (see the module's contract); `None` when its
/// unique key names a live job already. Enqueueing wakes this process's idle workers.
pub fn enqueue(c: &mut DbConnection, job: &Job<'_>) -> diesel::QueryResult<Option<i64>> {
    let payload = job.payload.to_string();
    let id = model::insert(
        c,
        &model::NewJob {
            kind: job.kind,
            payload: &payload,
            unique_key: job.unique_key,
            run_at: job.run_at,
            max_attempts: job.max_attempts,
            now: crate::time::now(),
        },
    )?;
    runner::wake_local_workers();
    Ok(id)
}
