//! The workers: claim a due job, run its handler while renewing the lease, then delete it or
//! schedule its retry.

use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use chrono::NaiveDateTime;
use rand::Rng;
use tokio::sync::Notify;
use tracing::Instrument;

use super::model::{self, JobRow};
use super::{Job, JobContext, Registry};
use crate::db::{DbError, Store};

/// Where the runner reads the time: the system's, or a test's [`FakeClock`], so that backoff
/// can be checked without waiting for it.
pub trait Clock: Send + Sync {
    fn now(&self) -> NaiveDateTime;
}

#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> NaiveDateTime {
        crate::time::now()
    }
}

/// A clock that moves only when told to.
#[derive(Debug, Clone)]
pub struct FakeClock(Arc<Mutex<NaiveDateTime>>);

impl FakeClock {
    pub fn at(now: NaiveDateTime) -> Self {
        Self(Arc::new(Mutex::new(now)))
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().expect("the clock's lock");
        *now += chrono::Duration::from_std(by).expect("a representable duration");
    }
}

impl Clock for FakeClock {
    fn now(&self) -> NaiveDateTime {
        *self.0.lock().expect("the clock's lock")
    }
}

/// Wakes the idle workers of this process when a job is enqueued here (those of other
/// instances find it at their next poll). The wake may come before the enqueueing
/// transaction commits; a worker that finds nothing then waits for its next poll.
static ENQUEUED: LazyLock<Notify> = LazyLock::new(Notify::new);

pub(super) fn wake_local_workers() {
    ENQUEUED.notify_waiters();
}

/// How a runner works.
#[derive(Debug, Clone)]
pub struct RunnerSettings {
    /// How many jobs this process runs at once.
    pub workers: usize,
    /// How often an idle worker looks for due jobs (and jobs of stopped processes).
    pub poll: Duration,
    /// How long a claim lasts without renewal; a running job renews it every third of it.
    pub lease: Duration,
    /// Who this process is, in leases: host, process id and a random part.
    pub owner: String,
}

impl RunnerSettings {
    pub fn new(workers: usize, poll: Duration, lease: Duration) -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .map(|h| h.trim().to_owned())
            .unwrap_or_else(|_| "host".into());
        let random = uuid::Uuid::new_v4().simple().to_string();
        Self {
            workers,
            poll,
            lease,
            owner: format!("{host}:{}:{}", std::process::id(), &random[..8]),
        }
    }
}

/// The workers of one process, started with [`Runner::start`] and stopped with
/// [`Runner::stop`].
#[derive(Clone)]
pub struct Runner {
    stopping: Arc<AtomicBool>,
    stopped: Arc<Notify>,
    running: Arc<AtomicUsize>,
    settings: Arc<RunnerSettings>,
}

/// Shared by a runner's workers.
struct Worker {
    store: Store,
    registry: Rc<Registry>,
    clock: Arc<dyn Clock>,
    settings: Arc<RunnerSettings>,
    stopping: Arc<AtomicBool>,
    stopped: Arc<Notify>,
    running: Arc<AtomicUsize>,
}

impl Runner {
    /// Queues the registry's periodic jobs (each once), then starts the workers on the
    /// current runtime.
    pub async fn start(
        store: Store,
        registry: Registry,
        settings: RunnerSettings,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, DbError> {
        let now = clock.now();
        let periodic: Vec<&'static str> = registry.periodic().map(|k| k.name).collect();
        store
            .patient()
            .write(move |c| {
                for name in periodic {
                    let mut job = Job::new(name, serde_json::json!({}), now);
                    job.unique_key = Some(name);
                    super::enqueue(c, &job)?;
                }
                Ok::<_, DbError>(())
            })
            .await?;
        let runner = Self {
            stopping: Arc::new(AtomicBool::new(false)),
            stopped: Arc::new(Notify::new()),
            running: Arc::new(AtomicUsize::new(0)),
            settings: Arc::new(settings),
        };
        // The workers are tasks of this thread's runtime (as actix's are): shared with `Rc`.
        let worker = Rc::new(Worker {
            store,
            registry: Rc::new(registry),
            clock,
            settings: runner.settings.clone(),
            stopping: runner.stopping.clone(),
            stopped: runner.stopped.clone(),
            running: runner.running.clone(),
        });
        for _ in 0..runner.settings.workers {
            actix_web::rt::spawn(worker.clone().work());
        }
        tracing::info!(
            workers = runner.settings.workers,
            owner = %runner.settings.owner,
            "job runner started"
        );
        Ok(runner)
    }

    /// Stops claiming jobs (the running ones go on).
    pub fn stop_claiming(&self) {
        self.stopping.store(true, Ordering::SeqCst);
        self.stopped.notify_waiters();
    }

    /// Stops claiming jobs at once; returns when the running ones have finished, or when
    /// `timeout` has passed (their leases then expire, and they run again elsewhere or at the
    /// next start).
    pub async fn stop(&self, timeout: Duration) {
        self.stop_claiming();
        let deadline = tokio::time::Instant::now() + timeout;
        while self.running.load(Ordering::SeqCst) > 0 && tokio::time::Instant::now() < deadline {
            actix_web::rt::time::sleep(Duration::from_millis(20)).await;
        }
        let left = self.running.load(Ordering::SeqCst);
        if left > 0 {
            tracing::warn!(
                jobs = left,
                "stopped with jobs still running; they will run again"
            );
        }
    }

    /// How many jobs this runner is running now.
    pub fn running(&self) -> usize {
        self.running.load(Ordering::SeqCst)
    }
}

impl Worker {
    async fn work(self: Rc<Self>) {
        let mut next = None;
        while !self.stopping.load(Ordering::SeqCst) {
            let job = match next.take() {
                Some(job) => job,
                None => match self.claim().await {
                    Ok(Some(job)) => job,
                    Ok(None) => {
                        self.idle().await;
                        continue;
                    }
                    Err(error) => {
                        tracing::warn!(%error, "claiming a job failed");
                        self.idle().await;
                        continue;
                    }
                },
            };
            self.running.fetch_add(1, Ordering::SeqCst);
            let outcome = self.attempt(&job).await;
            // The outcome and the next claim share a write (half the writes per job when
            // the queue is busy).
            match self.settle(&job, outcome).await {
                Ok(claimed) => next = claimed,
                // The lease runs out and the job is claimed again.
                Err(error) => {
                    tracing::warn!(job = job.id, %error, "recording a job's outcome failed")
                }
            }
            self.running.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Waits for the next poll, an enqueue in this process, or the stop.
    async fn idle(&self) {
        let enqueued = ENQUEUED.notified();
        let stopped = self.stopped.notified();
        tokio::select! {
            () = actix_web::rt::time::sleep(self.settings.poll) => {}
            () = enqueued => {
                // Let the enqueueing transaction commit before looking.
                actix_web::rt::time::sleep(Duration::from_millis(5)).await;
            }
            () = stopped => {}
        }
    }

    /// One due job for this worker, if any: a read first, since a claim is a write.
    async fn claim(&self) -> Result<Option<JobRow>, DbError> {
        let now = self.clock.now();
        if !self.store.query(move |c| model::any_due(c, now)).await? {
            return Ok(None);
        }
        let owner = self.settings.owner.clone();
        let lease_until = now + lease_of(&self.settings);
        let claimed = self
            .store
            .write(move |c| model::claim(c, &owner, now, lease_until, 1).map_err(DbError::from))
            .await?;
        Ok(claimed.into_iter().next())
    }

    /// Runs the handler while renewing the lease.
    async fn attempt(&self, job: &JobRow) -> Result<(), String> {
        let Some(kind) = self.registry.get(&job.kind) else {
            return Err(format!(
                "no handler for the kind `{}` in this process",
                job.kind
            ));
        };
        if job.attempts > job.max_attempts {
            // A job whose every runner died before recording an outcome: not run again.
            return Err(format!(
                "the process running it stopped {} times",
                job.attempts - 1
            ));
        }
        let payload = serde_json::from_str(&job.payload)
            .map_err(|e| format!("the payload is not JSON: {e}"))?;
        let context = JobContext {
            store: self.store.clone(),
            id: job.id,
            attempt: job.attempts,
            payload,
        };
        let span =
            tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
        let handler = (kind.run)(context);
        let heartbeat = self.renew_lease(job.id);
        async move {
            tokio::select! {
                outcome = handler => outcome,
                () = heartbeat => Err("the lease was lost".into()),
            }
        }
        .instrument(span)
        .await
    }

    /// Renews the lease every third of it; returns only when it was lost.
    async fn renew_lease(&self, id: i64) {
        let lease = lease_of(&self.settings);
        loop {
            actix_web::rt::time::sleep(self.settings.lease / 3).await;
            let owner = self.settings.owner.clone();
            let until = self.clock.now() + lease;
            let renewed = self
                .store
                .write(move |c| model::renew(c, id, &owner, until).map_err(DbError::from))
                .await;
            if let Ok(false) = renewed {
                return;
            }
        }
    }

    /// Deletes a job that succeeded (queuing the next run of periodic work), or schedules its
    /// retry, or buries it; and, unless the runner is stopping, claims the next due job in the
    /// same transaction.
    async fn settle(
        &self,
        job: &JobRow,
        outcome: Result<(), String>,
    ) -> Result<Option<JobRow>, DbError> {
        let owner = self.settings.owner.clone();
        let now = self.clock.now();
        let lease_until = now + lease_of(&self.settings);
        let claim_next = !self.stopping.load(Ordering::SeqCst);
        let id = job.id;
        let kind = job.kind.clone();
        let every = self.registry.get(&job.kind).and_then(|k| k.every);
        let failure = outcome.err().map(|error| {
            let backoff = self
                .registry
                .get(&job.kind)
                .map(|k| k.backoff)
                .unwrap_or_default();
            let delay = backoff.delay(job.attempts, rand::rng().random::<f64>());
            let retry_at = now + chrono::Duration::from_std(delay).unwrap_or_default();
            let give_up = job.attempts >= job.max_attempts;
            if give_up {
                tracing::error!(job = id, kind = %job.kind, %error, "job failed for the last time; it is dead");
            } else {
                tracing::warn!(job = id, kind = %job.kind, %error, attempt = job.attempts, "job failed; it will be retried");
            }
            (error.chars().take(2000).collect::<String>(), retry_at, give_up)
        });
        self.store
            .write(move |c| {
                match &failure {
                    None => {
                        if model::finish(c, id, &owner)?
                            && let Some(every) = every
                        {
                            let mut next = Job::new(&kind, serde_json::json!({}), now);
                            next.run_at =
                                now + chrono::Duration::from_std(every).unwrap_or_default();
                            next.unique_key = Some(&kind);
                            super::enqueue(c, &next)?;
                        }
                    }
                    Some((message, retry_at, give_up)) => {
                        model::fail(c, id, &owner, message, *retry_at, *give_up, now)?;
                    }
                }
                if !claim_next {
                    return Ok(None);
                }
                Ok::<_, DbError>(
                    model::claim(c, &owner, now, lease_until, 1)?
                        .into_iter()
                        .next(),
                )
            })
            .await
    }
}

fn lease_of(settings: &RunnerSettings) -> chrono::Duration {
    chrono::Duration::from_std(settings.lease).unwrap_or(chrono::Duration::seconds(60))
}

#[cfg(test)]
mod tests {
    use super::super::Backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_up_to_its_cap_with_half_to_one_and_a_half_jitter() {
        let backoff = Backoff {
            base: Duration::from_secs(10),
            cap: Duration::from_secs(300),
        };
        assert_eq!(backoff.delay(1, 0.5), Duration::from_secs(10));
        assert_eq!(backoff.delay(2, 0.5), Duration::from_secs(20));
        assert_eq!(backoff.delay(3, 0.5), Duration::from_secs(40));
        assert_eq!(backoff.delay(1, 0.0), Duration::from_secs(5));
        assert_eq!(backoff.delay(1, 1.0), Duration::from_secs(15));
        assert_eq!(backoff.delay(10, 0.5), Duration::from_secs(300));
        assert_eq!(backoff.delay(100, 0.5), Duration::from_secs(300));
    }
}
