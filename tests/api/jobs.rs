//! The durable job runner: jobs written with the change that causes them, run once per
//! claim, retried on a clock, run again after their process is killed, and shown to admins.

use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use reqwest::{Method, StatusCode};
use sahifa::config::DatabaseUrl;
use sahifa::db::{DbConnection, DbError, Store};
use sahifa::jobs::{self, FakeClock, Job, Kind, Registry, Runner, RunnerSettings, SystemClock};
use serde_json::{Value, json};

use crate::helpers::{
    TestData, assert_problem, assert_problem_type, json_of, spawn_app, spawn_app_in,
};

fn open(data: &TestData, pool: u32) -> Store {
    let url = DatabaseUrl::parse(&data.database_url).unwrap();
    Store::open(&url, pool, Duration::from_secs(10)).unwrap().0
}

/// Creates the tables the test kinds write to: when each attempt started, and what each job
/// did (at most once per job, however often it runs).
fn test_tables(data: &TestData) {
    data.execute("CREATE TABLE test_job_starts (job_id BIGINT NOT NULL, attempt INTEGER NOT NULL)");
    data.execute("CREATE TABLE test_job_effects (job_id BIGINT PRIMARY KEY)");
}

fn count(store: &Store, sql: &'static str) -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = store.connection().unwrap();
    diesel::sql_query(sql)
        .get_result::<Count>(&mut *conn)
        .unwrap()
        .n
}

fn record_start(c: &mut DbConnection, id: i64, attempt: i32) -> diesel::QueryResult<()> {
    diesel::sql_query(format!(
        "INSERT INTO test_job_starts (job_id, attempt) VALUES ({id}, {attempt})"
    ))
    .execute(c)?;
    Ok(())
}

/// The effect of a job, idempotent: a second run changes nothing.
fn record_effect(c: &mut DbConnection, id: i64) -> diesel::QueryResult<()> {
    diesel::sql_query(format!(
        "INSERT INTO test_job_effects (job_id) VALUES ({id}) ON CONFLICT DO NOTHING"
    ))
    .execute(c)?;
    Ok(())
}

/// A kind that records its start, takes `first_attempt` on its first attempt (so a test can
/// kill it midway) and no time later, then records its effect.
fn effect_kind(first_attempt: Duration) -> Kind {
    Kind::new("test.effect", move |ctx| async move {
        let (id, attempt) = (ctx.id, ctx.attempt);
        ctx.store
            .write(move |c| record_start(c, id, attempt).map_err(DbError::from))
            .await
            .map_err(|e| e.to_string())?;
        if attempt == 1 {
            actix_web::rt::time::sleep(first_attempt).await;
        }
        ctx.store
            .write(move |c| record_effect(c, id).map_err(DbError::from))
            .await
            .map_err(|e| e.to_string())
    })
}

async fn enqueue(store: &Store, kind: &'static str, how_many: usize) {
    store
        .write(move |c| {
            for n in 0..how_many {
                jobs::enqueue(c, &Job::new(kind, json!({ "n": n }), sahifa::time::now()))?;
            }
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
}

async fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + within;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

#[actix_web::test]
async fn a_rolled_back_transaction_enqueues_nothing() {
    let data = TestData::new();
    let store = open(&data, 2);
    let rolled_back: Result<(), DbError> = store
        .write(|c| {
            jobs::enqueue(c, &Job::new("test.effect", json!({}), sahifa::time::now()))?;
            Err(DbError::Query(diesel::result::Error::RollbackTransaction))
        })
        .await;
    assert!(rolled_back.is_err());
    assert_eq!(count(&store, "SELECT COUNT(*) AS n FROM jobs"), 0);
    enqueue(&store, "test.effect", 1).await;
    assert_eq!(count(&store, "SELECT COUNT(*) AS n FROM jobs"), 1);
    // A unique key keeps one live job per key.
    store
        .write(|c| {
            for _ in 0..3 {
                let mut job = Job::new("test.effect", json!({}), sahifa::time::now());
                job.unique_key = Some("only-one");
                jobs::enqueue(c, &job)?;
            }
            Ok::<_, DbError>(())
        })
        .await
        .unwrap();
    assert_eq!(count(&store, "SELECT COUNT(*) AS n FROM jobs"), 2);
}

/// Backoff on a fake clock: a failing job waits between 0.5 and 1.5 times its doubling delay
/// and is not retried before, however long the test waits; after its last attempt it is dead.
#[actix_web::test]
async fn failed_jobs_are_retried_with_backoff_on_the_clock_then_dead() {
    let data = TestData::new();
    let store = open(&data, 2);
    let start = sahifa::time::now();
    let clock = FakeClock::at(start);
    let failing = Kind::new("test.failing", |_| async { Err("always fails".to_owned()) })
        .max_attempts(3)
        .backoff(Duration::from_secs(60), Duration::from_secs(3600));
    let runner = Runner::start(
        store.clone(),
        Registry::new().with(failing),
        RunnerSettings::new(1, Duration::from_millis(20), Duration::from_secs(30)),
        Arc::new(clock.clone()),
    )
    .await
    .unwrap();
    store
        .write(move |c| {
            let mut job = Job::new("test.failing", json!({}), start);
            job.max_attempts = 3;
            jobs::enqueue(c, &job).map_err(DbError::from)
        })
        .await
        .unwrap();
    let row = |store: &Store| {
        let mut conn = store.connection().unwrap();
        jobs::model::list(&mut conn, jobs::model::Filter::Every, None, 0, 10)
            .unwrap()
            .0
            .remove(0)
    };
    let mut now = start;
    for (attempt, base) in [(1, 60.0), (2, 120.0)] {
        wait_until(
            &format!("attempt {attempt} failed"),
            Duration::from_secs(10),
            || {
                let job = row(&store);
                job.attempts == attempt && job.state == "queued"
            },
        )
        .await;
        let job = row(&store);
        let wait = (job.run_at - now).as_seconds_f64();
        assert!(
            (base * 0.5..=base * 1.5).contains(&wait),
            "attempt {attempt}: retried after {wait} s"
        );
        assert_eq!(job.last_error.as_deref(), Some("always fails"));
        // Real time passes; the clock does not: no retry.
        actix_web::rt::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(row(&store).attempts, attempt, "retried before its time");
        clock.advance(Duration::from_secs_f64(wait + 1.0));
        now = job.run_at + chrono::Duration::seconds(1);
    }
    wait_until("the job is dead", Duration::from_secs(10), || {
        row(&store).state == "dead"
    })
    .await;
    assert_eq!(row(&store).attempts, 3);
    runner.stop(Duration::from_secs(1)).await;
}

/// With several workers (on PostgreSQL, two instances claiming with `FOR UPDATE SKIP
/// LOCKED`), each of 1,000 jobs runs exactly once.
#[actix_web::test]
async fn a_thousand_jobs_run_once_each_across_instances() {
    let data = TestData::new();
    test_tables(&data);
    let instances: Vec<Store> = (0..2).map(|_| open(&data, 4)).collect();
    enqueue(&instances[0], "test.effect", 1000).await;
    let mut runners = Vec::new();
    for store in &instances {
        runners.push(
            Runner::start(
                store.clone(),
                Registry::new().with(effect_kind(Duration::ZERO)),
                RunnerSettings::new(3, Duration::from_millis(20), Duration::from_secs(30)),
                Arc::new(SystemClock),
            )
            .await
            .unwrap(),
        );
    }
    let store = instances[0].clone();
    wait_until("every job ran", Duration::from_secs(120), || {
        count(&store, "SELECT COUNT(*) AS n FROM jobs") == 0
    })
    .await;
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM test_job_starts"),
        1000
    );
    assert_eq!(
        count(
            &store,
            "SELECT COUNT(DISTINCT job_id) AS n FROM test_job_starts"
        ),
        1000,
        "no job ran twice"
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM test_job_effects"),
        1000
    );
    for runner in runners {
        runner.stop(Duration::from_secs(1)).await;
    }
}

/// Stopping lets the running job finish and claims nothing more.
#[actix_web::test]
async fn a_stopping_runner_finishes_its_job_and_claims_no_more() {
    let data = TestData::new();
    test_tables(&data);
    let store = open(&data, 2);
    enqueue(&store, "test.effect", 1).await;
    let runner = Runner::start(
        store.clone(),
        Registry::new().with(effect_kind(Duration::from_millis(800))),
        RunnerSettings::new(1, Duration::from_millis(20), Duration::from_secs(30)),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    wait_until("the job started", Duration::from_secs(10), || {
        count(&store, "SELECT COUNT(*) AS n FROM test_job_starts") == 1
    })
    .await;
    enqueue(&store, "test.effect", 1).await;
    runner.stop(Duration::from_secs(10)).await;
    assert_eq!(runner.running(), 0);
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM test_job_effects"),
        1
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM jobs"),
        1,
        "the second job waits for the next runner"
    );
}

/// Set in the child process of the kill test: it runs a runner on this database.
const CHILD: &str = "SAHIFA_TEST_JOB_CHILD";

/// kill -9 in the middle of a job: once its lease expires, another process runs it again,
/// and its (idempotent) effect happens once.
#[actix_web::test]
async fn a_job_killed_midway_runs_again_after_its_lease() {
    let lease = Duration::from_secs(1);
    if let Ok(url) = std::env::var(CHILD) {
        let url = DatabaseUrl::parse(&url).unwrap();
        let store = Store::open(&url, 2, Duration::from_secs(10)).unwrap().0;
        let _runner = Runner::start(
            store,
            Registry::new().with(effect_kind(Duration::from_secs(600))),
            RunnerSettings::new(1, Duration::from_millis(20), lease),
            Arc::new(SystemClock),
        )
        .await
        .unwrap();
        actix_web::rt::time::sleep(Duration::from_secs(600)).await;
        return;
    }
    let data = TestData::new();
    test_tables(&data);
    let store = open(&data, 2);
    enqueue(&store, "test.effect", 1).await;
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "jobs::a_job_killed_midway_runs_again_after_its_lease",
            "--exact",
            "--test-threads=1",
        ])
        .env(CHILD, &data.database_url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    wait_until("the child started the job", Duration::from_secs(60), || {
        count(&store, "SELECT COUNT(*) AS n FROM test_job_starts") == 1
    })
    .await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let killed = Instant::now();
    let runner = Runner::start(
        store.clone(),
        Registry::new().with(effect_kind(Duration::from_secs(600))),
        RunnerSettings::new(1, Duration::from_millis(20), lease),
        Arc::new(SystemClock),
    )
    .await
    .unwrap();
    wait_until("the job ran again", Duration::from_secs(30), || {
        count(&store, "SELECT COUNT(*) AS n FROM jobs") == 0
    })
    .await;
    let again_after = killed.elapsed();
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM test_job_starts"),
        2
    );
    assert_eq!(
        count(&store, "SELECT COUNT(*) AS n FROM test_job_effects"),
        1
    );
    assert!(
        again_after < lease + Duration::from_secs(5),
        "ran again {again_after:?} after the kill, with a lease of {lease:?}"
    );
    eprintln!("a killed job ran again {again_after:?} after the kill (lease {lease:?})");
    runner.stop(Duration::from_secs(1)).await;
}

#[actix_web::test]
async fn admins_see_failing_and_dead_jobs_and_retry_them() {
    let data = TestData::new();
    let app = spawn_app_in(data.clone(), &[("SAHIFA_JOB_POLL_MS", "20")]).await;
    let store = open(&data, 2);
    // A kind no process knows: every attempt fails, and one attempt is all it has.
    store
        .write(|c| {
            let mut job = Job::new("test.unknown", json!({"article": 7}), sahifa::time::now());
            job.max_attempts = 1;
            jobs::enqueue(c, &job).map_err(DbError::from)
        })
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let dead = loop {
        assert!(Instant::now() < deadline, "the job never died");
        let list = json_of(
            app.get_as("/api/v1/jobs?state=dead", &app.admin_token)
                .await,
            StatusCode::OK,
        )
        .await;
        if let Some(job) = list["data"].as_array().unwrap().first() {
            break job.clone();
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    };
    assert_eq!(dead["kind"], "test.unknown");
    assert_eq!(dead["state"], "dead");
    assert_eq!(dead["payload"], json!({"article": 7}));
    assert!(dead["last_error"].as_str().unwrap().contains("no handler"));
    let one = json_of(
        app.get_as(&format!("/api/v1/jobs/{}", dead["id"]), &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["id"], dead["id"]);

    for (token, status) in [
        (None, StatusCode::UNAUTHORIZED),
        (Some(app.staff("editor").await.token), StatusCode::FORBIDDEN),
        (Some(app.staff("author").await.token), StatusCode::FORBIDDEN),
    ] {
        for (method, path) in [
            (Method::GET, "/api/v1/jobs".to_owned()),
            (Method::GET, format!("/api/v1/jobs/{}", dead["id"])),
            (Method::POST, format!("/api/v1/jobs/{}/retry", dead["id"])),
        ] {
            let response = app.send(method, &path, token.as_deref(), None).await;
            assert_problem(response, status).await;
        }
    }

    let retried = json_of(
        app.send(
            Method::POST,
            &format!("/api/v1/jobs/{}/retry", dead["id"]),
            Some(&app.admin_token),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(retried["state"], "queued");
    assert_eq!(retried["attempts"], 0);
    let missing = app
        .send(
            Method::POST,
            "/api/v1/jobs/999999/retry",
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_problem_type(missing, "not-found").await;
    let bad_state = app
        .get_as("/api/v1/jobs?state=sleeping", &app.admin_token)
        .await;
    assert_problem(bad_state, StatusCode::BAD_REQUEST).await;

    // A running job cannot be retried.
    data.execute(&format!(
        "UPDATE jobs SET state = 'running', lease_owner = 'elsewhere', \
         lease_expires_at = '2999-01-01 00:00:00' WHERE id = {}",
        dead["id"]
    ));
    let running = app
        .send(
            Method::POST,
            &format!("/api/v1/jobs/{}/retry", dead["id"]),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_problem_type(running, "job-running").await;
    let list: Value = json_of(
        app.get_as(
            "/api/v1/jobs?state=running&kind=test.unknown",
            &app.admin_token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["meta"]["total"], 1);
}

/// The document bounds `kind` at 100 characters; a longer one is refused as the document
/// says rather than answered with an empty page (Schemathesis found the difference).
#[actix_web::test]
async fn a_kind_longer_than_the_document_allows_is_refused() {
    let app = spawn_app().await;
    let long = "k".repeat(101);
    let refused = app
        .get_as(&format!("/api/v1/jobs?kind={long}"), &app.admin_token)
        .await;
    assert_problem_type(refused, "invalid-query").await;
    let fits = app
        .get_as(
            &format!("/api/v1/jobs?kind={}", "k".repeat(100)),
            &app.admin_token,
        )
        .await;
    assert_eq!(fits.status(), StatusCode::OK);
}
