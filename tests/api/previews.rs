//! Draft previews (issue 21): a signed, expiring token lets an anonymous frontend read one
//! draft as it is now, privately, until it expires, is revoked, or the article is deleted.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, assert_problem_type, json_of, spawn_app};

async fn preview(app: &TestApp, token: &str, article: i64, body: Option<Value>) -> Value {
    json_of(
        app.send(
            Method::POST,
            &format!("/api/v1/articles/{article}/preview"),
            Some(token),
            body.as_ref(),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

#[actix_web::test]
async fn a_preview_token_shows_the_draft_as_it_is_now_privately() {
    let app = spawn_app().await;
    let section = app.section("محليات", None).await["id"].as_i64().unwrap();
    let author = app.staff("author").await;
    let draft = app
        .article(&author.token, section, "مسودة سرية", json!({}))
        .await;
    let id = draft["id"].as_i64().unwrap();
    assert_problem(
        app.get(&format!("/api/v1/articles/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let link = preview(&app, &author.token, id, None).await;
    let token = link["token"].as_str().unwrap();
    let url = link["url"].as_str().unwrap();
    assert!(url.contains(token) && url.starts_with(&format!("/api/v1/articles/{id}?")));
    let expires: chrono::DateTime<chrono::Utc> =
        link["expires_at"].as_str().unwrap().parse().unwrap();
    let hour = (expires - chrono::Utc::now()).num_seconds();
    assert!((3500..=3600).contains(&hour), "an hour by default: {hour}");

    for _ in 0..2 {
        let response = app.get(url).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()["cache-control"], "private, no-store");
        assert_eq!(response.headers()["x-robots-tag"], "noindex");
        assert!(response.headers().get("surrogate-key").is_none());
        let article: Value = response.json().await.unwrap();
        assert_eq!(article["title"], "مسودة سرية");
        assert_eq!(article["status"], "draft");
    }
    // The draft as it is at each read, never a stored copy.
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/articles/{id}"),
            Some(&author.token),
            Some(&json!({"title": "مسودة معدلة"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let article = json_of(app.get(url).await, StatusCode::OK).await;
    assert_eq!(article["title"], "مسودة معدلة");

    // The token opens no other article.
    let other = app
        .article(&author.token, section, "مسودة أخرى", json!({}))
        .await;
    let other_id = other["id"].as_i64().unwrap();
    let response = app
        .get(&format!(
            "/api/v1/articles/{other_id}?preview_token={token}"
        ))
        .await;
    assert_problem(response, StatusCode::NOT_FOUND).await;
}

#[actix_web::test]
async fn tampered_expired_revoked_and_deleted_previews_stop_working() {
    let app = spawn_app().await;
    let section = app.section("ثقافة", None).await["id"].as_i64().unwrap();
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let id = app
        .article(&author.token, section, "معرض الكتاب", json!({}))
        .await["id"]
        .as_i64()
        .unwrap();

    let link = preview(&app, &author.token, id, None).await;
    let token = link["token"].as_str().unwrap().to_owned();
    let mut tampered: Vec<char> = token.chars().collect();
    tampered[5] = if tampered[5] == 'A' { 'B' } else { 'A' };
    let tampered: String = tampered.into_iter().collect();
    for bad in [tampered.as_str(), "garbage", ""] {
        let response = app
            .get(&format!("/api/v1/articles/{id}?preview_token={bad}"))
            .await;
        assert_problem_type(response, "invalid-preview-token").await;
    }

    let short = preview(&app, &author.token, id, Some(json!({"expires_in": 1}))).await;
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert_problem_type(
        app.get(short["url"].as_str().unwrap()).await,
        "invalid-preview-token",
    )
    .await;

    for bad in [
        json!({"expires_in": 0}),
        json!({"expires_in": 604801}),
        json!({"ttl": 5}),
    ] {
        let response = app
            .send(
                Method::POST,
                &format!("/api/v1/articles/{id}/preview"),
                Some(&author.token),
                Some(&bad),
            )
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    // A week is the longest.
    let week = preview(&app, &author.token, id, Some(json!({"expires_in": 604800}))).await;
    assert!(week["expires_at"].is_string());

    // Only editors revoke; revoking ends every token issued so far, not later ones.
    let revoke = format!("/api/v1/articles/{id}/preview");
    assert_problem(
        app.send(Method::DELETE, &revoke, Some(&author.token), None)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_eq!(
        app.get(link["url"].as_str().unwrap()).await.status(),
        StatusCode::OK
    );
    let revoked = app
        .send(Method::DELETE, &revoke, Some(&editor.token), None)
        .await;
    assert_eq!(revoked.status(), StatusCode::NO_CONTENT);
    assert_problem_type(
        app.get(link["url"].as_str().unwrap()).await,
        "invalid-preview-token",
    )
    .await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    let fresh = preview(&app, &author.token, id, None).await;
    assert_eq!(
        app.get(fresh["url"].as_str().unwrap()).await.status(),
        StatusCode::OK
    );

    // Deleting the article ends its previews.
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/articles/{id}"),
            Some(&editor.token),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get(fresh["url"].as_str().unwrap()).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn only_those_who_may_edit_an_article_make_its_preview() {
    let app = spawn_app().await;
    let section = app.section("صحة", None).await["id"].as_i64().unwrap();
    let owner = app.staff("author").await;
    let other = app.staff("author").await;
    let id = app
        .article(&owner.token, section, "لقاحات", json!({}))
        .await["id"]
        .as_i64()
        .unwrap();
    let path = format!("/api/v1/articles/{id}/preview");
    assert_problem(
        app.send(Method::POST, &path, None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.send(Method::POST, &path, Some(&other.token), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let missing = app
        .send(
            Method::POST,
            "/api/v1/articles/999999/preview",
            Some(&owner.token),
            None,
        )
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND).await;
}
