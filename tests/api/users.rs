//! Staff accounts: admins only, every rule and every bad input.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, assert_problem, json_of, spawn_app};

fn new_user(email: &str) -> Value {
    json!({"email": email, "display_name": "Test User", "role": "author", "password": "a long enough password"})
}

#[actix_web::test]
async fn only_admins_may_touch_users() {
    let app = spawn_app().await;
    let editor = app.staff("editor").await;
    let author = app.staff("author").await;
    let target = format!("/api/v1/users/{}", author.id);
    let body = new_user("new@sahifa.test");
    let patch = json!({"display_name": "x"});
    let requests: [(Method, &str, Option<&Value>); 5] = [
        (Method::GET, "/api/v1/users", None),
        (Method::POST, "/api/v1/users", Some(&body)),
        (Method::GET, &target, None),
        (Method::PATCH, &target, Some(&patch)),
        (Method::DELETE, &target, None),
    ];
    for (method, path, body) in requests {
        assert_problem(
            app.send(method.clone(), path, None, body).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        for token in [&editor.token, &author.token] {
            assert_problem(
                app.send(method.clone(), path, Some(token), body).await,
                StatusCode::FORBIDDEN,
            )
            .await;
        }
    }
    // Nothing was created, changed or deleted along the way.
    let list = json_of(
        app.get_as("/api/v1/users", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["meta"]["total"], 3);
    let still = json_of(app.get_as(&target, &app.admin_token).await, StatusCode::OK).await;
    assert_ne!(still["display_name"], "x");
}

#[actix_web::test]
async fn admins_create_read_update_and_delete_users() {
    let app = spawn_app().await;
    let created = app
        .send(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin_token),
            Some(&json!({
                "email": "  Nour@Newsroom.Example ", "display_name": " نور ", "role": "editor",
                "password": "correct horse battery staple"
            })),
        )
        .await;
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let user = json_of(created, StatusCode::CREATED).await;
    assert_eq!(user["email"], "nour@newsroom.example");
    assert_eq!(user["display_name"], "نور");
    assert_eq!(user["role"], "editor");
    assert_eq!(user["active"], true);
    assert!(user.get("password").is_none() && user.get("password_hash").is_none());
    assert_eq!(location, format!("/api/v1/users/{}", user["id"]));
    assert_eq!(
        app.login("nour@newsroom.example", "correct horse battery staple")
            .await
            .status(),
        StatusCode::OK
    );

    let fetched = app.get_as(&location, &app.admin_token).await;
    let etag = fetched.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(fetched.headers()["cache-control"], "private, no-store");
    assert_eq!(json_of(fetched, StatusCode::OK).await, user);

    let updated = app
        .request(Method::PATCH, &location)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .json(&json!({"role": "author", "display_name": "Nour"}))
        .send()
        .await
        .unwrap();
    let updated = json_of(updated, StatusCode::OK).await;
    assert_eq!(updated["role"], "author");

    // A stale ETag: 412, and nothing is deleted.
    let stale = app
        .request(Method::DELETE, &location)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(
        app.get_as(&location, &app.admin_token).await.status(),
        StatusCode::OK
    );

    let deleted = app
        .send(Method::DELETE, &location, Some(&app.admin_token), None)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get_as(&location, &app.admin_token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.send(Method::DELETE, &location, Some(&app.admin_token), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        app.login("nour@newsroom.example", "correct horse battery staple")
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
}

#[actix_web::test]
async fn bad_user_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let cases = [
        (
            json!({"email": "not-an-email", "display_name": "A", "role": "author", "password": "a long enough password"}),
            "email",
        ),
        (
            json!({"email": "a@b.test", "display_name": "", "role": "author", "password": "a long enough password"}),
            "display_name",
        ),
        (
            json!({"email": "a@b.test", "display_name": "x".repeat(101), "role": "author", "password": "a long enough password"}),
            "display_name",
        ),
        (
            json!({"email": "a@b.test", "display_name": "A", "role": "root", "password": "a long enough password"}),
            "role",
        ),
        (
            json!({"email": "a@b.test", "display_name": "A", "role": "author", "password": "short"}),
            "password",
        ),
        (
            json!({"email": "a@b.test", "display_name": "A", "role": "author", "password": "p".repeat(257)}),
            "password",
        ),
        (
            json!({"email": "a@b.test", "display_name": "A", "role": "author", "password": "a long enough password", "is_admin": true}),
            "is_admin",
        ),
        (
            json!({"email": "a@b.test", "role": "author", "password": "a long enough password"}),
            "display_name",
        ),
        (
            json!({"email": "a@b.test", "display_name": 5, "role": "author", "password": "a long enough password"}),
            "display_name",
        ),
    ];
    for (body, field) in cases {
        let problem = assert_problem(
            app.send(
                Method::POST,
                "/api/v1/users",
                Some(&app.admin_token),
                Some(&body),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    let list = json_of(
        app.get_as("/api/v1/users", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["meta"]["total"], 1, "only the admin exists");

    let author = app.staff("author").await;
    let path = format!("/api/v1/users/{}", author.id);
    let before = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    for body in [
        json!({"email": "nope"}),
        json!({"role": "owner"}),
        json!({"active": "yes"}),
        json!({"password": "short"}),
        json!({"nickname": "x"}),
    ] {
        assert_problem(
            app.send(Method::PATCH, &path, Some(&app.admin_token), Some(&body))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    assert_eq!(
        json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await,
        before
    );
    for path in [
        "/api/v1/users/999999",
        "/api/v1/users/abc",
        "/api/v1/users/-1",
    ] {
        assert_problem(
            app.get_as(path, &app.admin_token).await,
            StatusCode::NOT_FOUND,
        )
        .await;
    }
}

#[actix_web::test]
async fn emails_are_unique_whatever_their_case() {
    let app = spawn_app().await;
    let first = app
        .send(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin_token),
            Some(&new_user("dup@sahifa.test")),
        )
        .await;
    assert_eq!(first.status(), StatusCode::CREATED);
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/users",
            Some(&app.admin_token),
            Some(&new_user("DUP@Sahifa.test")),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let other = app.staff("author").await;
    assert_problem(
        app.send(
            Method::PATCH,
            &format!("/api/v1/users/{}", other.id),
            Some(&app.admin_token),
            Some(&json!({"email": ADMIN_EMAIL.to_uppercase()})),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
}

#[actix_web::test]
async fn admins_cannot_lock_themselves_out() {
    let app = spawn_app().await;
    let me = json_of(
        app.get_as("/api/v1/auth/me", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    let path = format!("/api/v1/users/{}", me["id"]);
    for body in [json!({"active": false}), json!({"role": "editor"})] {
        assert_problem(
            app.send(Method::PATCH, &path, Some(&app.admin_token), Some(&body))
                .await,
            StatusCode::CONFLICT,
        )
        .await;
    }
    assert_problem(
        app.send(Method::DELETE, &path, Some(&app.admin_token), None)
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_eq!(
        app.get_as("/api/v1/auth/me", &app.admin_token)
            .await
            .status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn the_user_list_is_paginated_with_links() {
    let app = spawn_app().await;
    for _ in 0..4 {
        app.staff("author").await;
    }
    let response = app
        .get_as("/api/v1/users?per_page=2&page=2", &app.admin_token)
        .await;
    let link = response.headers()["link"].to_str().unwrap().to_owned();
    let body = json_of(response, StatusCode::OK).await;
    assert_eq!(
        body["meta"],
        json!({"page": 2, "per_page": 2, "total": 5, "total_pages": 3})
    );
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
    assert!(
        link.contains("</api/v1/users?per_page=2&page=3>; rel=\"next\""),
        "{link}"
    );
    assert!(
        link.contains("rel=\"prev\"")
            && link.contains("rel=\"first\"")
            && link.contains("rel=\"last\""),
        "{link}"
    );
    for bad in [
        "per_page=0",
        "per_page=101",
        "page=0",
        "page=abc",
        "per_page=-3",
    ] {
        let problem = assert_problem(
            app.get_as(&format!("/api/v1/users?{bad}"), &app.admin_token)
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(problem["detail"].as_str().is_some(), "{problem}");
    }
}
