//! Liveness, readiness, request ids, compression, CORS.

use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{spawn_app, spawn_app_with};

#[actix_web::test]
async fn health_answers_without_touching_the_database() {
    let app = spawn_app().await;
    let response = app.get("/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

#[actix_web::test]
async fn ready_answers_when_the_database_does() {
    let app = spawn_app().await;
    let response = app.get("/ready").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ready");
    if !app.data.is_postgres() {
        assert!(
            app.data.dir.path().join("sahifa.db").exists(),
            "the SQLite file was created"
        );
    }
}

#[actix_web::test]
async fn a_request_id_is_generated_and_echoed() {
    let app = spawn_app().await;
    let first = app.get("/health").await;
    let second = app.get("/health").await;
    let id = |r: &reqwest::Response| r.headers()["x-request-id"].to_str().unwrap().to_owned();
    let (a, b) = (id(&first), id(&second));
    assert_eq!(a.len(), 36, "a UUID: {a}");
    assert_ne!(a, b, "each request gets its own id");
}

#[actix_web::test]
async fn a_sane_request_id_from_the_client_is_kept_and_a_hostile_one_replaced() {
    let app = spawn_app().await;
    let kept = app
        .request(Method::GET, "/health")
        .header("x-request-id", "edge-7f3a.42")
        .send()
        .await
        .unwrap();
    assert_eq!(kept.headers()["x-request-id"], "edge-7f3a.42");

    let hostile = "x".repeat(500);
    let replaced = app
        .request(Method::GET, "/health")
        .header("x-request-id", &hostile)
        .send()
        .await
        .unwrap();
    let echoed = replaced.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(echoed, hostile);
    assert_eq!(echoed.len(), 36);
}

#[actix_web::test]
async fn errors_carry_the_request_id_too() {
    let app = spawn_app().await;
    let response = app
        .request(Method::GET, "/no/such/thing")
        .header("x-request-id", "trace-404")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert_eq!(response.headers()["x-request-id"], "trace-404");
}

#[actix_web::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let response = app
        .request(Method::GET, "/openapi.json")
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-encoding"], "gzip");
    let plain = app.get("/openapi.json").await;
    assert!(plain.headers().get("content-encoding").is_none());
}

#[actix_web::test]
async fn cors_allows_configured_origins_only() {
    let app = spawn_app_with(&[("SAHIFA_CORS_ORIGINS", "https://news.example")]).await;
    let preflight = app
        .request(Method::OPTIONS, "/health")
        .header("origin", "https://news.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::OK);
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://news.example"
    );

    let allowed = app
        .request(Method::GET, "/health")
        .header("origin", "https://news.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://news.example"
    );
    let exposed = allowed.headers()["access-control-expose-headers"]
        .to_str()
        .unwrap()
        .to_owned();
    for header in ["etag", "link", "x-request-id", "retry-after"] {
        assert!(exposed.contains(header), "{header} exposed: {exposed}");
    }

    let other = app
        .request(Method::GET, "/health")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[actix_web::test]
async fn cors_can_allow_any_origin() {
    let app = spawn_app_with(&[("SAHIFA_CORS_ORIGINS", "*")]).await;
    let response = app
        .request(Method::GET, "/health")
        .header("origin", "https://anything.example")
        .send()
        .await
        .unwrap();
    let allow = response.headers()["access-control-allow-origin"]
        .to_str()
        .unwrap();
    assert!(
        allow == "*" || allow == "https://anything.example",
        "{allow}"
    );
}

#[actix_web::test]
async fn head_is_answered_wherever_get_is() {
    let app = spawn_app().await;
    let get = app.get("/api/v1/sections").await;
    let head = app
        .request(Method::HEAD, "/api/v1/sections")
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["etag"], get.headers()["etag"]);
    assert_eq!(head.headers()["cache-control"], "public, max-age=60");
    assert!(head.bytes().await.unwrap().is_empty());
    let missing = app
        .request(Method::HEAD, "/api/v1/sections/404")
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
