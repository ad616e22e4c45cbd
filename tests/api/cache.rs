//! The in-process cache of anonymous reads never serves stale data: every visible change
//! made through the server shows on the very next request. (Changes made elsewhere, by other
//! instances: `instances.rs`.)

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{json_of, spawn_app_with};

#[actix_web::test]
async fn every_write_readers_can_see_shows_on_the_next_read() {
    let app = spawn_app_with(&[
        ("SAHIFA_RESPONSE_CACHE", "on"),
        ("SAHIFA_COMMENT_RATE_PER_IP", "1000"),
    ])
    .await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let first = app.published(section, "الأول", json!({})).await;
    let list = || async { json_of(app.get("/api/v1/articles").await, StatusCode::OK).await };
    assert_eq!(list().await["meta"]["total"], 1);
    assert_eq!(
        list().await["meta"]["total"],
        1,
        "a second read, from the cache"
    );

    app.published(section, "الثاني", json!({})).await;
    assert_eq!(list().await["meta"]["total"], 2, "a new article");

    let path = format!("/api/v1/articles/{}", first["id"]);
    app.get(&path).await;
    app.send(
        Method::PATCH,
        &path,
        Some(&app.admin_token),
        Some(&json!({"title": "الأول معدلا"})),
    )
    .await;
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await["title"],
        "الأول معدلا"
    );

    // A comment waiting for moderation changes nothing readers see; its approval does.
    let comments = format!("{path}/comments");
    assert_eq!(
        json_of(app.get(&comments).await, StatusCode::OK).await["meta"]["total"],
        0
    );
    let posted = app
        .send(
            Method::POST,
            &comments,
            None,
            Some(&json!({"author_name": "سارة", "author_email": "s@x.example", "body": "تعليق"})),
        )
        .await;
    let id = json_of(posted, StatusCode::ACCEPTED).await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        json_of(app.get(&comments).await, StatusCode::OK).await["meta"]["total"],
        0
    );
    app.send(
        Method::PATCH,
        &format!("/api/v1/comments/{id}"),
        Some(&app.admin_token),
        Some(&json!({"status": "approved"})),
    )
    .await;
    assert_eq!(
        json_of(app.get(&comments).await, StatusCode::OK).await["meta"]["total"],
        1
    );
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await["comment_count"],
        1
    );

    // An author renaming themselves changes every article's byline.
    app.send(
        Method::PATCH,
        "/api/v1/auth/me",
        Some(&app.admin_token),
        Some(&json!({"display_name": "رئيس التحرير"})),
    )
    .await;
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await["author"]["display_name"],
        "رئيس التحرير"
    );

    app.send(Method::DELETE, &path, Some(&app.admin_token), None)
        .await;
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(list().await["meta"]["total"], 1);
}

#[actix_web::test]
async fn cached_reads_revalidate_and_staff_reads_bypass_the_cache() {
    let app = spawn_app_with(&[("SAHIFA_RESPONSE_CACHE", "on")]).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    app.published(section, "منشور", json!({})).await;
    let first = app.get("/api/v1/articles").await;
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let again = app.get("/api/v1/articles").await;
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(again.headers()["cache-control"], "public, max-age=60");
    assert!(again.headers().contains_key("link"));
    let revalidated = app
        .request(Method::GET, "/api/v1/articles")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.headers()["etag"].to_str().unwrap(), etag);

    app.article(&app.admin_token.clone(), section, "مسودة", json!({}))
        .await;
    let staff = json_of(
        app.get_as("/api/v1/articles?status=any", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(staff["meta"]["total"], 2);
    let readers = json_of(
        app.get("/api/v1/articles?status=any").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        readers["status"], 401,
        "errors are never cached as successes"
    );
}

/// The cache keeps serving after a scheduled article falls due: the first read after that
/// moment learns the next one. (It once stopped serving anything from then on.) Seen from
/// outside by changing an article behind the server's back: a cached read still shows the
/// old title.
#[actix_web::test]
async fn the_cache_keeps_serving_after_a_scheduled_publication() {
    let app = spawn_app_with(&[("SAHIFA_RESPONSE_CACHE", "on")]).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    app.published(section, "خبر مجدول", json!({"published_at": soon}))
        .await;
    let article = app.published(section, "خبر منشور", json!({})).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;

    let list = json_of(app.get("/api/v1/articles").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 2, "the scheduled article is due");
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await["title"],
        "خبر منشور"
    );
    retitle_behind_the_server(&app, &article);
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await["title"],
        "خبر منشور",
        "answered from memory"
    );
}

/// A revalidation that finds nothing in memory (the entry was evicted, or a write cleared
/// the cache) is still answered 304 and fills the cache, so the next requests for the URL
/// do not go to the database.
#[actix_web::test]
async fn a_revalidation_that_misses_fills_the_cache() {
    let app = spawn_app_with(&[("SAHIFA_RESPONSE_CACHE", "on")]).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let article = app.published(section, "خبر", json!({})).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let etag = app.get(&path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    // Any visible write clears the cache.
    app.published(section, "خبر آخر", json!({})).await;
    app.data.writes_heard().await;

    let revalidated = app
        .request(Method::GET, &path)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(revalidated.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(revalidated.headers()["cache-control"], "public, max-age=60");

    retitle_behind_the_server(&app, &article);
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await["title"],
        "خبر",
        "the revalidation filled the cache"
    );
    let other = app
        .request(Method::GET, &path)
        .header("if-none-match", "\"something-else\"")
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), StatusCode::OK, "another ETag gets the body");
}

/// Changes an article in the database without the server knowing (no invalidation): a read
/// that still shows the old title was answered from memory.
fn retitle_behind_the_server(app: &crate::helpers::TestApp, article: &serde_json::Value) {
    app.data.execute_unannounced(&format!(
        "UPDATE articles SET title = 'changed behind the server' WHERE id = {}",
        article["id"]
    ));
}
