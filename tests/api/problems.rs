//! Problems a client can branch on: each distinct problem has its own documented `type`;
//! plain HTTP errors keep `about:blank`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, assert_problem_type, spawn_app, spawn_app_with};

#[test]
fn the_problem_types_page_is_the_committed_one() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/problems.md")).unwrap();
    assert_eq!(
        committed,
        sahifa::http::problem_types::markdown(),
        "docs/problems.md is stale: run `cargo run -- problems > docs/problems.md`"
    );
}

#[actix_web::test]
async fn two_conflicts_of_one_status_have_different_types() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await;
    let taken = app
        .send(
            Method::POST,
            "/api/v1/sections",
            Some(&app.admin_token),
            Some(&json!({"name": "آخر", "slug": section["slug"]})),
        )
        .await;
    assert_problem_type(taken, "slug-taken").await;
    app.published(section["id"].as_i64().unwrap(), "خبر", json!({}))
        .await;
    let not_empty = app
        .send(
            Method::DELETE,
            &format!("/api/v1/sections/{}", section["id"]),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_problem_type(not_empty, "section-not-empty").await;
}

#[actix_web::test]
async fn each_kind_of_refusal_names_its_type() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let author = app.staff("author").await;

    let wrong = app
        .login(crate::helpers::ADMIN_EMAIL, "not the password")
        .await;
    assert_problem_type(wrong, "wrong-credentials").await;
    let anonymous = app
        .send(
            Method::POST,
            "/api/v1/sections",
            None,
            Some(&json!({"name": "x"})),
        )
        .await;
    assert_problem_type(anonymous, "authentication-required").await;
    let forged = app.get_as("/api/v1/auth/me", "not.a.token").await;
    assert_problem_type(forged, "invalid-token").await;
    let role = app.get_as("/api/v1/users", &author.token).await;
    assert_problem_type(role, "role-required").await;
    let workflow = app
        .send(
            Method::POST,
            "/api/v1/articles",
            Some(&author.token),
            Some(&json!({"title": "t", "body": "b", "section_id": section, "status": "published"})),
        )
        .await;
    assert_problem_type(workflow, "workflow-forbidden").await;
    assert_problem_type(app.get("/api/v1/articles/nothing").await, "not-found").await;
    let invalid = app
        .send(
            Method::POST,
            "/api/v1/sections",
            Some(&app.admin_token),
            Some(&json!({"name": ""})),
        )
        .await;
    let body = assert_problem_type(invalid, "validation-failed").await;
    assert!(body["errors"]["name"].is_array());
    let query = app.get("/api/v1/articles?per_page=1000").await;
    assert_problem_type(query, "invalid-query").await;
    let malformed = app
        .request(Method::POST, "/api/v1/sections")
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_problem_type(malformed, "malformed-body").await;
    let stale = app
        .request(Method::PATCH, &format!("/api/v1/sections/{section}"))
        .bearer_auth(&app.admin_token)
        .header("if-match", "\"stale\"")
        .json(&json!({"name": "جديد"}))
        .send()
        .await
        .unwrap();
    assert_problem_type(stale, "precondition-failed").await;
    let bad_header = app
        .request(Method::PATCH, &format!("/api/v1/sections/{section}"))
        .bearer_auth(&app.admin_token)
        .header("if-match", "no quotes")
        .json(&json!({"name": "جديد"}))
        .send()
        .await
        .unwrap();
    assert_problem_type(bad_header, "invalid-header").await;
}

#[actix_web::test]
async fn plain_http_errors_stay_about_blank() {
    let app = spawn_app_with(&[("SAHIFA_MAX_BODY_BYTES", "1024")]).await;
    let no_route = assert_problem(app.get("/no/such/route").await, StatusCode::NOT_FOUND).await;
    assert_eq!(no_route["type"], "about:blank");
    let method = app
        .request(Method::PUT, "/api/v1/articles")
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_problem(method, StatusCode::METHOD_NOT_ALLOWED).await["type"],
        "about:blank"
    );
    let large = app
        .request(Method::POST, "/api/v1/sections")
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body(format!("{{\"name\":\"{}\"}}", "x".repeat(2000)))
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_problem(large, StatusCode::PAYLOAD_TOO_LARGE).await["type"],
        "about:blank"
    );
    let not_json = app
        .request(Method::POST, "/api/v1/sections")
        .bearer_auth(&app.admin_token)
        .header("content-type", "text/plain")
        .body("name")
        .send()
        .await
        .unwrap();
    assert_eq!(
        assert_problem(not_json, StatusCode::UNSUPPORTED_MEDIA_TYPE).await["type"],
        "about:blank"
    );
}

#[actix_web::test]
async fn every_type_is_described_where_its_uri_points_and_in_the_contract() {
    let app = spawn_app().await;
    let document: Value = app.get("/openapi.json").await.json().await.unwrap();
    let listed = &document["components"]["schemas"]["Problem"]["properties"]["type"]["enum"];
    for problem in sahifa::http::ProblemType::ALL {
        let page = app.get(&problem.uri()).await;
        assert_eq!(page.status(), StatusCode::OK, "{}", problem.uri());
        let text = page.text().await.unwrap();
        assert!(text.contains(problem.title()), "{text}");
        assert!(
            listed
                .as_array()
                .unwrap()
                .contains(&Value::from(problem.uri())),
            "{} is not in the OpenAPI document",
            problem.uri()
        );
    }
    assert_eq!(app.get("/problems/").await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/problems/no-such-type").await.status(),
        StatusCode::NOT_FOUND
    );
}
