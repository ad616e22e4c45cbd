//! What protects and observes a running server: metrics, request timeouts, a saturated
//! pool answering 503 instead of queueing forever.

use std::io::{Read, Write};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestData, assert_problem, spawn_app, spawn_app_in, spawn_app_with};

#[actix_web::test]
async fn metrics_are_off_by_default_and_need_their_token_when_protected() {
    let app = spawn_app().await;
    assert_problem(app.get("/metrics").await, StatusCode::NOT_FOUND).await;

    let token = "a metrics token of some length";
    let app = spawn_app_with(&[("SAHIFA_METRICS", "token"), ("SAHIFA_METRICS_TOKEN", token)]).await;
    app.get("/api/v1/sections").await;
    app.get("/api/v1/articles/nope").await;
    assert_problem(app.get("/metrics").await, StatusCode::UNAUTHORIZED).await;
    assert_problem(
        app.get_as("/metrics", "wrong token of the same size!!")
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let response = app.get_as("/metrics", token).await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.unwrap();
    for expected in [
        r#"sahifa_http_requests_total{method="GET",route="/api/v1/sections",status="200"} 1"#,
        r#"sahifa_http_requests_total{method="GET",route="/api/v1/articles/{id}",status="404"} 1"#,
        "sahifa_http_request_duration_seconds_bucket",
        "sahifa_db_pool_connections{state=\"idle\"}",
        "sahifa_database_size_bytes",
        "sahifa_process_resident_memory_bytes",
        "sahifa_process_open_fds",
    ] {
        assert!(text.contains(expected), "missing {expected} in\n{text}");
    }
    assert!(
        !text.contains("/api/v1/articles/nope"),
        "raw paths never become labels"
    );
}

#[test]
fn a_bad_metrics_setting_is_refused_at_start() {
    let settings = sahifa::config::Settings::from_lookup(|name| match name {
        "SAHIFA_METRICS" => Some("token".into()),
        "SAHIFA_METRICS_TOKEN" => Some("short".into()),
        _ => None,
    });
    assert_eq!(settings.unwrap_err().var, "SAHIFA_METRICS");
}

#[actix_web::test]
async fn a_client_that_never_finishes_its_request_is_cut_off() {
    let app = spawn_app_with(&[("SAHIFA_REQUEST_TIMEOUT_MS", "300")]).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    let answer = actix_web::rt::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        stream
            .write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            .unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    })
    .await
    .unwrap();
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
}

/// One connection, held by a request that waits on a lock taken outside the server: every
/// other request gives up after the 10 ms acquire timeout with a 503, and the held one
/// completes once the lock goes. (Timing alone — many fast queries on one connection —
/// proved flaky: PostgreSQL answered them all within 10 ms.)
#[actix_web::test]
async fn a_saturated_pool_answers_503_with_retry_after_instead_of_queueing() {
    let data = TestData::new();
    let app = spawn_app_in(
        data.clone(),
        &[
            ("SAHIFA_DB_POOL_SIZE", "1"),
            ("SAHIFA_DB_ACQUIRE_TIMEOUT_MS", "10"),
            ("SAHIFA_RESPONSE_CACHE", "off"),
        ],
    )
    .await;
    // The periodic upkeep jobs run at start and may hold the one connection for a moment:
    // the set-up write waits for them (the test is about the writes below).
    let mut section = None;
    for _ in 0..50 {
        let response = app
            .send(
                Method::POST,
                "/api/v1/sections",
                Some(&app.admin_token),
                Some(&json!({"name": "العالم"})),
            )
            .await;
        if response.status() == StatusCode::CREATED {
            section = Some(response.json::<serde_json::Value>().await.unwrap()["id"].clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let section = section.expect("the section is created").as_i64().unwrap();
    let (locked, release) = hold_the_articles_write_lock(&data, Duration::from_millis(1500));
    locked.recv().expect("the outside lock is taken");

    let writes = (0..40).map(|n| {
        let request = app
            .request(Method::POST, "/api/v1/articles")
            .bearer_auth(&app.admin_token)
            .json(&json!({"title": format!("خبر {n}"), "body": "نص.", "section_id": section}));
        async move { request.send().await.unwrap() }
    });
    let responses = futures_util::future::join_all(writes).await;
    release.join().unwrap();
    let (mut created, mut unavailable) = (0, 0);
    for response in responses {
        match response.status() {
            StatusCode::CREATED => created += 1,
            StatusCode::SERVICE_UNAVAILABLE => {
                unavailable += 1;
                assert!(response.headers().contains_key("retry-after"));
                assert_problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(unavailable > 0, "40 writes on one blocked connection");
    assert!(created > 0, "the write holding the connection finishes");
    // The server is fine afterwards, and only the acknowledged writes exist.
    let list = app
        .get_as(
            "/api/v1/articles?status=draft&per_page=100",
            &app.admin_token,
        )
        .await;
    assert_eq!(list.status(), StatusCode::OK);
    let list: serde_json::Value = list.json().await.unwrap();
    assert_eq!(list["data"].as_array().unwrap().len(), created);
}

/// Takes the write lock on articles from outside the server (SQLite: the database's one
/// write lock; PostgreSQL: an EXCLUSIVE table lock) and holds it for `hold`. The receiver
/// gets a message once the lock is held.
fn hold_the_articles_write_lock(
    data: &TestData,
    hold: Duration,
) -> (std::sync::mpsc::Receiver<()>, std::thread::JoinHandle<()>) {
    use diesel::connection::SimpleConnection;
    use sahifa::config::DatabaseUrl;
    use sahifa::db::{Backend, Store};

    let url = DatabaseUrl::parse(&data.database_url).unwrap();
    let (locked, is_locked) = std::sync::mpsc::channel();
    let holder = std::thread::spawn(move || {
        let (store, _) = Store::open(&url, 1, Duration::from_secs(5)).unwrap();
        let mut conn = store.connection().unwrap();
        let lock = match store.backend() {
            Backend::Sqlite => "BEGIN IMMEDIATE",
            Backend::Postgres => "BEGIN; LOCK TABLE articles IN EXCLUSIVE MODE",
        };
        conn.batch_execute(lock).unwrap();
        locked.send(()).unwrap();
        std::thread::sleep(hold);
        conn.batch_execute("COMMIT").unwrap();
    });
    (is_locked, holder)
}

/// CI once failed to start a server configured with a 10 ms acquire timeout: its start-up
/// work asked the still-filling pool for a connection and gave up like a request would.
/// Start-up and commands wait; requests keep the short timeout.
#[actix_web::test]
async fn start_up_work_waits_for_a_connection_that_requests_would_give_up_on() {
    use sahifa::config::DatabaseUrl;
    use sahifa::db::{DbError, Store, StoreError};

    let data = TestData::new();
    let url = DatabaseUrl::parse(&data.database_url).unwrap();
    let (store, _) = Store::open(&url, 1, Duration::from_millis(10)).unwrap();
    let held = store.connection().expect("the only connection");
    let release = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        drop(held);
    });

    let impatient = store.query(|_| Ok(())).await;
    assert!(
        matches!(impatient, Err(DbError::Store(StoreError::Saturated))),
        "a request gives up after 10 ms: {impatient:?}"
    );
    store
        .patient()
        .query(|_| Ok(()))
        .await
        .expect("start-up work waits for the connection to come back");
    release.join().unwrap();
}

/// `Store::read` runs a bounded read on the calling thread only where that saves the two
/// thread hand-offs without risk: on SQLite, with a connection free. Otherwise it takes the
/// blocking pool like any query (and waits for a connection there, never on the worker); a
/// read that panics fails its request instead of unwinding through the worker.
#[actix_web::test]
async fn bounded_reads_run_on_the_worker_only_on_sqlite_with_a_connection_free() {
    use sahifa::config::DatabaseUrl;
    use sahifa::db::{Backend, Store, StoreError};

    let data = TestData::new();
    let url = DatabaseUrl::parse(&data.database_url).unwrap();
    let (store, _) = Store::open(&url, 1, Duration::from_millis(50)).unwrap();
    // The pool fills in the background: wait until its connection is there and idle.
    store.patient().query(|_| Ok(())).await.unwrap();
    let here = std::thread::current().id();
    let ran_on = || async {
        store
            .read(|_| Ok::<_, StoreError>(std::thread::current().id()))
            .await
    };
    let ran_on_worker = ran_on().await.unwrap() == here;
    assert_eq!(ran_on_worker, store.backend() == Backend::Sqlite);

    let held = store.connection().expect("the only connection");
    let busy = ran_on().await;
    assert!(
        matches!(busy, Err(StoreError::Saturated)),
        "with no connection free the read queued on the blocking pool and gave up: {busy:?}"
    );
    drop(held);

    let panicked = store
        .read(|_| -> Result<(), StoreError> { panic!("a read that panics") })
        .await;
    assert!(
        matches!(panicked, Err(StoreError::TaskFailed)),
        "{panicked:?}"
    );
    assert!(ran_on().await.is_ok(), "the store serves on");
}

/// Which list pages `Store::read` may serve on the worker: only those an index yields in
/// order near the front. A filter or order that may make the store sort or scan a share of
/// the archive first, a search, or a deep numbered page goes to the blocking pool.
#[test]
fn only_list_pages_an_index_yields_in_order_from_the_front_count_as_bounded() {
    use sahifa::articles::dto::{ArticleFilters, Sort, StatusFilter};
    use sahifa::articles::operations::is_bounded;
    use sahifa::http::pagination::Page;

    let first = Page {
        page: 1,
        per_page: 20,
    };
    let deep = Page {
        page: 51,
        per_page: 20,
    };
    let bounded = |filters: ArticleFilters| is_bounded(&filters, first, false);

    assert!(bounded(ArticleFilters::default()));
    assert!(bounded(ArticleFilters {
        section: Some("economy".into()),
        status: Some(StatusFilter::Published),
        sort: Some(Sort::NewestFirst),
        ..ArticleFilters::default()
    }));
    assert!(
        !is_bounded(&ArticleFilters::default(), deep, false),
        "offset 1,000"
    );
    assert!(
        is_bounded(&ArticleFilters::default(), deep, true),
        "a cursor page"
    );

    for (what, filters) in [
        (
            "a search",
            ArticleFilters {
                q: Some("gold".into()),
                ..ArticleFilters::default()
            },
        ),
        (
            "a tag",
            ArticleFilters {
                tag: Some("gold".into()),
                ..ArticleFilters::default()
            },
        ),
        (
            "an author",
            ArticleFilters {
                author: Some(1),
                ..ArticleFilters::default()
            },
        ),
        (
            "featured",
            ArticleFilters {
                featured: Some(false),
                ..ArticleFilters::default()
            },
        ),
        (
            "breaking",
            ArticleFilters {
                breaking: Some(true),
                ..ArticleFilters::default()
            },
        ),
        (
            "every status",
            ArticleFilters {
                status: Some(StatusFilter::Any),
                ..ArticleFilters::default()
            },
        ),
        (
            "by title",
            ArticleFilters {
                sort: Some(Sort::Title),
                ..ArticleFilters::default()
            },
        ),
        (
            "oldest first",
            ArticleFilters {
                sort: Some(Sort::OldestFirst),
                ..ArticleFilters::default()
            },
        ),
    ] {
        assert!(!bounded(filters), "{what}");
    }
}
