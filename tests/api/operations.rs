//! What protects and observes a running server: metrics, request timeouts, a saturated
//! pool answering 503 instead of queueing forever.

use std::io::{Read, Write};
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestData, assert_problem, spawn_app, spawn_app_with};

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

#[actix_web::test]
async fn a_saturated_pool_answers_503_with_retry_after_instead_of_queueing() {
    let app = spawn_app_with(&[
        ("SAHIFA_DB_POOL_SIZE", "1"),
        ("SAHIFA_DB_ACQUIRE_TIMEOUT_MS", "10"),
        ("SAHIFA_RESPONSE_CACHE", "off"),
    ])
    .await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    for n in 0..20 {
        app.published(section, &format!("خبر {n}"), json!({"tags": ["وسم"]}))
            .await;
    }
    let requests = (0..150).map(|n| {
        let request = app.request(
            Method::GET,
            &format!("/api/v1/articles?q=%D8%AE%D8%A8%D8%B1&page={}", n % 3 + 1),
        );
        async move { request.send().await.unwrap() }
    });
    let responses = futures_util::future::join_all(requests).await;
    let mut unavailable = 0;
    for response in responses {
        match response.status() {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                unavailable += 1;
                assert!(response.headers().contains_key("retry-after"));
                assert_problem(response, StatusCode::SERVICE_UNAVAILABLE).await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(
        unavailable > 0,
        "150 concurrent searches on one connection with a 10 ms wait"
    );
    // The server is fine afterwards.
    assert_eq!(app.get("/api/v1/articles").await.status(), StatusCode::OK);
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
