//! How many empty jobs per second the runner gets through on a store.
//!
//!     cargo run --release --example jobs_throughput -- [DATABASE_URL] [JOBS] [WORKERS]
//!
//! Defaults: a fresh SQLite file in a temporary directory, 5,000 jobs, 2 workers (the
//! server's default). Each job is claimed (a write), run (nothing), and deleted (a write),
//! as every job is. On PostgreSQL, point it at an empty database you may write to.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sahifa::config::DatabaseUrl;
use sahifa::db::{DbError, Store};
use sahifa::jobs::{self, Job, Kind, Registry, Runner, RunnerSettings, SystemClock};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let url = args
        .first()
        .cloned()
        .unwrap_or_else(|| format!("sqlite:{}", dir.path().join("jobs.db").display()));
    let how_many: usize = args.get(1).map_or(5000, |n| n.parse().expect("JOBS"));
    let workers: usize = args.get(2).map_or(2, |n| n.parse().expect("WORKERS"));
    let url = DatabaseUrl::parse(&url).expect("DATABASE_URL");
    let (store, _) = Store::open(&url, workers as u32 + 2, Duration::from_secs(30)).expect("store");
    actix_web::rt::System::new().block_on(async move {
        store
            .write(move |c| {
                for n in 0..how_many {
                    jobs::enqueue(c, &Job::new("bench.empty", n, sahifa::time::now()))?;
                }
                Ok::<_, DbError>(())
            })
            .await
            .expect("enqueued");
        let started = Instant::now();
        let runner = Runner::start(
            store.clone(),
            Registry::new().with(Kind::new("bench.empty", |_| async { Ok(()) })),
            RunnerSettings::new(workers, Duration::from_millis(50), Duration::from_secs(60)),
            Arc::new(SystemClock),
        )
        .await
        .expect("runner");
        loop {
            let left = store.query(jobs::model::count).await.expect("count");
            if left == 0 {
                break;
            }
            actix_web::rt::time::sleep(Duration::from_millis(10)).await;
        }
        let took = started.elapsed();
        runner.stop(Duration::from_secs(1)).await;
        println!(
            "{how_many} empty jobs, {workers} workers, {}: {:.2} s, {:.0} jobs/s",
            url.redacted(),
            took.as_secs_f64(),
            how_many as f64 / took.as_secs_f64()
        );
    });
}
