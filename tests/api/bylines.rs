//! Bylines, sources and corrections (issue 21): several authors in order, a free-text credit,
//! the agency of wire copy, dated corrections in the JSON, the JSON-LD and the events, and a
//! `content_updated_at` that only the text moves.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, assert_problem_type, json_of, spawn_app, spawn_app_with};

#[actix_web::test]
async fn articles_carry_their_authors_in_order_a_byline_and_their_source() {
    let app = spawn_app_with(&[("SAHIFA_PUBLIC_URL", "https://almufeed.example/")]).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let first = app.staff("author").await;
    let second = app.staff("author").await;
    let article = app
        .published(
            section,
            "طوكيو وواشنطن تبحثان توسيع التعاون الأمني",
            json!({
                "authors": [second.id, first.id],
                "byline": "خاص – القاهرة",
                "source": "Kyodo",
                "source_url": "https://english.kyodonews.net/news/1",
            }),
        )
        .await;
    let id = article["id"].as_i64().unwrap();
    let read = json_of(
        app.get(&format!("/api/v1/articles/{id}")).await,
        StatusCode::OK,
    )
    .await;
    let authors: Vec<i64> = read["authors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(authors, [second.id, first.id], "in the order given");
    assert!(
        read["authors"][0]["display_name"]
            .as_str()
            .unwrap()
            .starts_with("author")
    );
    assert!(read["authors"][0].get("email").is_none());
    assert_eq!(read["byline"], "خاص – القاهرة");
    assert_eq!(read["source"], "Kyodo");
    assert_eq!(read["source_url"], "https://english.kyodonews.net/news/1");
    let ld_authors = read["json_ld"]["author"].as_array().unwrap();
    assert_eq!(ld_authors.len(), 2);
    assert_eq!(read["json_ld"]["sourceOrganization"]["name"], "Kyodo");

    // Feeds name every author.
    let feed: Value = app.get("/feeds/feed.json").await.json().await.unwrap();
    let item = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["title"] == "طوكيو وواشنطن تبحثان توسيع التعاون الأمني")
        .unwrap()
        .clone();
    assert_eq!(item["authors"].as_array().unwrap().len(), 2);
    let rss = app.get("/feeds/rss.xml").await.text().await.unwrap();
    for author in read["authors"].as_array().unwrap() {
        let name = author["display_name"].as_str().unwrap();
        assert!(
            rss.contains(&format!("<dc:creator>{name}</dc:creator>")),
            "{rss}"
        );
    }

    // Lists carry them too, and a PATCH replaces or clears them.
    let list = json_of(app.get("/api/v1/articles").await, StatusCode::OK).await;
    assert_eq!(list["data"][0]["authors"].as_array().unwrap().len(), 2);
    let patched = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/articles/{id}"),
            Some(&app.admin_token),
            Some(
                &json!({"authors": [first.id], "byline": null, "source": null, "source_url": null}),
            ),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["authors"].as_array().unwrap().len(), 1);
    assert_eq!(patched["byline"], Value::Null);
    assert_eq!(patched["source"], Value::Null);
}

#[actix_web::test]
async fn bad_bylines_and_sources_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let token = app.admin_token.clone();
    let before = json_of(
        app.get_as("/api/v1/articles?status=any", &token).await,
        StatusCode::OK,
    )
    .await["meta"]["total"]
        .clone();
    for bad in [
        json!({"authors": [999999]}),
        json!({"authors": []}),
        json!({"authors": [1, 1]}),
        json!({"source_url": "javascript:alert(1)"}),
        json!({"source_url": "not a url"}),
        json!({"byline": "x".repeat(201)}),
        json!({"source": "x".repeat(101)}),
    ] {
        let mut body = json!({"title": "مقال", "body": "نص.", "section_id": section});
        for (k, v) in bad.as_object().unwrap() {
            body[k] = v.clone();
        }
        let response = app
            .send(Method::POST, "/api/v1/articles", Some(&token), Some(&body))
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    let after = json_of(
        app.get_as("/api/v1/articles?status=any", &token).await,
        StatusCode::OK,
    )
    .await["meta"]["total"]
        .clone();
    assert_eq!(before, after, "no article was created");
}

#[actix_web::test]
async fn editors_append_dated_corrections_to_published_articles_only() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let published = app.published(section, "تصريح الوزير", json!({})).await;
    let id = published["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}/corrections");
    let note = json!({"note": "نُسب التصريح خطأً إلى وزير الخارجية، والصحيح أنه لوزير الدفاع."});

    assert_problem(
        app.send(Method::POST, &path, None, Some(&note)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem_type(
        app.send(Method::POST, &path, Some(&author.token), Some(&note))
            .await,
        "role-required",
    )
    .await;
    assert_problem(
        app.send(
            Method::POST,
            &path,
            Some(&editor.token),
            Some(&json!({"note": ""})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let correction = json_of(
        app.send(Method::POST, &path, Some(&editor.token), Some(&note))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(correction["note"], note["note"]);
    assert!(correction["date"].is_string());

    let read = json_of(
        app.get(&format!("/api/v1/articles/{id}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["corrections"].as_array().unwrap().len(), 1);
    assert_eq!(read["corrections"][0]["note"], note["note"]);
    let ld = &read["json_ld"]["correction"];
    assert_eq!(ld[0]["@type"], "CorrectionComment");
    assert_eq!(ld[0]["text"], note["note"]);

    // A draft is edited, not corrected.
    let draft = app
        .article(&author.token, section, "مسودة", json!({}))
        .await;
    let response = app
        .send(
            Method::POST,
            &format!("/api/v1/articles/{}/corrections", draft["id"]),
            Some(&editor.token),
            Some(&note),
        )
        .await;
    assert_problem_type(response, "not-published").await;
    let draft = json_of(
        app.get_as(&format!("/api/v1/articles/{}", draft["id"]), &editor.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(draft["corrections"], json!([]));
}

#[actix_web::test]
async fn a_correction_is_an_article_corrected_event_on_the_stream() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let published = app.published(section, "خبر", json!({})).await;
    let id = published["id"].as_i64().unwrap();
    json_of(
        app.send(
            Method::POST,
            &format!("/api/v1/articles/{id}/corrections"),
            Some(&app.admin_token),
            Some(&json!({"note": "صُحّح التاريخ."})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let mut stream = app
        .request(Method::GET, "/api/v1/stream?last_event_id=0")
        .send()
        .await
        .unwrap();
    let mut text = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !text.contains("article.corrected") && tokio::time::Instant::now() < deadline {
        match tokio::time::timeout(Duration::from_secs(1), stream.chunk()).await {
            Ok(Ok(Some(chunk))) => text.push_str(&String::from_utf8_lossy(&chunk)),
            _ => continue,
        }
    }
    assert!(text.contains("event: article.corrected"), "{text}");
    assert!(text.contains("صُحّح التاريخ."));
}

#[actix_web::test]
async fn content_updated_at_moves_only_when_the_text_changes() {
    let app = spawn_app_with(&[("SAHIFA_COMMENT_RATE_PER_IP", "1000")]).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let published = app.published(section, "خبر عاجل", json!({})).await;
    let id = published["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}");
    let start = read(&app, &path).await;
    // Times are shown to the second.
    tokio::time::sleep(Duration::from_millis(1100)).await;

    // A comment, its approval and a new tag are not the text.
    let comment = json_of(
        app.send(
            Method::POST,
            &format!("{path}/comments"),
            None,
            Some(&json!({"author_name": "قارئ", "author_email": "reader@example.com", "body": "تعليق مفيد جدا"})),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/comments/{}", comment["id"]),
            Some(&app.admin_token),
            Some(&json!({"status": "approved"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&json!({"tags": ["جديد"]})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let after_tags = read(&app, &path).await;
    assert_eq!(after_tags["comment_count"], 1);
    assert_eq!(
        after_tags["content_updated_at"],
        start["content_updated_at"]
    );
    assert_ne!(after_tags["updated_at"], start["updated_at"]);
    tokio::time::sleep(Duration::from_millis(1100)).await;

    json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&json!({"title": "خبر عاجل محدث"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let after_title = read(&app, &path).await;
    assert_ne!(
        after_title["content_updated_at"],
        start["content_updated_at"]
    );
    assert_eq!(
        after_title["json_ld"]["dateModified"],
        after_title["content_updated_at"]
    );
}

async fn read(app: &crate::helpers::TestApp, path: &str) -> Value {
    json_of(app.get_as(path, &app.admin_token).await, StatusCode::OK).await
}
