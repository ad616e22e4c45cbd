//! Regressions from the contract fuzzer (Schemathesis against the OpenAPI document): each
//! test is a request it sent that the server answered against the document.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_problem, json_of, spawn_app};

#[actix_web::test]
async fn a_json_array_is_not_an_object_body() {
    let app = spawn_app().await;
    let me = json_of(
        app.get_as("/api/v1/auth/me", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    let response = app
        .send(
            Method::PATCH,
            "/api/v1/auth/me",
            Some(&app.admin_token),
            Some(&json!(["Renamed"])),
        )
        .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"]["body"].is_array(), "{problem}");
    let created = app
        .send(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin_token),
            Some(&json!([
                "arr@contract.test",
                "Arr",
                "author",
                "correct horse battery staple"
            ])),
        )
        .await;
    assert_problem(created, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        json_of(
            app.get_as("/api/v1/auth/me", &app.admin_token).await,
            StatusCode::OK
        )
        .await,
        me
    );
}

#[actix_web::test]
async fn the_right_to_call_is_checked_before_the_body() {
    let app = spawn_app().await;
    let author = app.staff("author").await;
    let section = app.section("العالم", None).await;
    let article = app
        .published(section["id"].as_i64().unwrap(), "خبر", json!({}))
        .await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/users",
            None,
            Some(&json!({"email": 5})),
        )
        .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.send(Method::PATCH, &path, None, Some(&json!({"lang": ""})))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/sections",
            Some(&author.token),
            Some(&json!({"name": 5})),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.request(Method::POST, "/api/v1/users")
            .bearer_auth(&author.token)
            .body("not json")
            .send()
            .await
            .unwrap(),
        StatusCode::FORBIDDEN,
    )
    .await;
}

#[actix_web::test]
async fn entity_tags_may_contain_commas() {
    let app = spawn_app().await;
    let response = app
        .request(Method::PATCH, "/api/v1/auth/me")
        .bearer_auth(&app.admin_token)
        .header("if-match", "\"a,b\", W/\"c\"")
        .json(&json!({"display_name": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::PRECONDITION_FAILED).await;
    let malformed = app
        .request(Method::PATCH, "/api/v1/auth/me")
        .bearer_auth(&app.admin_token)
        .header("if-match", "null")
        .json(&json!({"display_name": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(malformed, StatusCode::BAD_REQUEST).await;
}

#[actix_web::test]
async fn literal_paths_win_over_patterns_and_ids_must_be_numbers() {
    let app = spawn_app().await;
    let response = app
        .send(
            Method::PATCH,
            "/api/v1/comments/bulk",
            Some(&app.admin_token),
            Some(&json!({"status": "spam"})),
        )
        .await;
    assert_eq!(response.headers()["allow"], "POST");
    assert_problem(response, StatusCode::METHOD_NOT_ALLOWED).await;
    for path in [
        "/api/v1/users/abc",
        "/api/v1/users/-1",
        "/api/v1/comments/1.5",
    ] {
        assert_problem(
            app.get_as(path, &app.admin_token).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
}

#[actix_web::test]
async fn whole_numbers_written_with_a_fraction_are_integers() {
    let app = spawn_app().await;
    let section = json_of(
        app.send(
            Method::POST,
            "/api/v1/sections",
            Some(&app.admin_token),
            Some(&json!({"name": "S1", "position": 1.0})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(section["position"], 1);
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/sections",
            Some(&app.admin_token),
            Some(&json!({"name": "S2", "position": 1.5})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[actix_web::test]
async fn lengths_are_judged_as_sent_and_blank_text_is_refused() {
    let app = spawn_app().await;
    let padded = format!("{} ", "س".repeat(100));
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/sections",
            Some(&app.admin_token),
            Some(&json!({"name": padded})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for blank in ["\u{feff}", "\u{3000} ", "\t"] {
        assert_problem(
            app.send(
                Method::POST,
                "/api/v1/sections",
                Some(&app.admin_token),
                Some(&json!({"name": blank})),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let list = json_of(app.get("/api/v1/sections").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 0);
}
