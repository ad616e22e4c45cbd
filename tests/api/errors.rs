//! The error model for what the framework answers on its own: every failure is a problem
//! document, never a 500, never an HTML page.

use reqwest::{Method, StatusCode};

use crate::helpers::{assert_problem, spawn_app};

#[actix_web::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = spawn_app().await;
    for path in ["/nope", "/api/v1/nothing-here", "/api/v2/articles"] {
        let body = assert_problem(app.get(path).await, StatusCode::NOT_FOUND).await;
        assert!(body["detail"].as_str().unwrap().contains(path));
    }
}

#[actix_web::test]
async fn a_known_path_with_the_wrong_method_is_a_405_problem_with_allow() {
    let app = spawn_app().await;
    for method in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
        let response = app.request(method.clone(), "/health").send().await.unwrap();
        assert_eq!(response.headers()["allow"], "GET", "{method}");
        assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    }
}

#[actix_web::test]
async fn percent_encoded_and_odd_paths_do_not_break_routing() {
    let app = spawn_app().await;
    for path in [
        "/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85",
        "/%ff%fe",
        "/..%2f..%2fetc%2fpasswd",
        "/health/extra",
    ] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_problem(response, StatusCode::NOT_FOUND).await;
    }
}

#[actix_web::test]
async fn problem_bodies_are_not_cached() {
    let app = spawn_app().await;
    let response = app.get("/missing").await;
    assert_eq!(response.headers()["cache-control"], "no-store");
}
