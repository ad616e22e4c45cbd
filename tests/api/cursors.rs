//! Keyset pagination of article lists (`?cursor=`), and totals that stay exact while the
//! server keeps them between changes. Run on both stores.

use std::collections::HashSet;

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::*;

/// The `Link` header's target for `rel`, if any.
fn link(response: &reqwest::Response, rel: &str) -> Option<String> {
    let header = response.headers().get("link")?.to_str().ok()?.to_owned();
    header.split(", ").find_map(|part| {
        let (url, params) = part.split_once(">; ")?;
        (params == format!("rel=\"{rel}\"")).then(|| url.trim_start_matches('<').to_owned())
    })
}

/// Follows `next` links from `first` to the end: every id seen, in order, and the requests.
async fn walk(app: &TestApp, first: &str, token: Option<&str>) -> (Vec<i64>, usize) {
    let mut ids = Vec::new();
    let mut next = Some(first.to_owned());
    let mut requests = 0;
    while let Some(url) = next {
        requests += 1;
        assert!(requests < 200, "the walk ends");
        let response = app.send(Method::GET, &url, token, None).await;
        next = link(&response, "next");
        let body = json_of(response, StatusCode::OK).await;
        if requests > 1 {
            assert!(
                body["meta"].get("page").is_none(),
                "a page asked by cursor has no number: {}",
                body["meta"]
            );
        }
        assert_eq!(
            body["meta"]["next_cursor"].is_string(),
            next.is_some(),
            "next_cursor and the next link agree"
        );
        ids.extend(crate::helpers::ids(&body));
    }
    (ids, requests)
}

async fn ids_by_page(app: &TestApp, query: &str, token: Option<&str>) -> Vec<i64> {
    let url = if query.contains("per_page=") {
        format!("/api/v1/articles?{query}")
    } else {
        format!("/api/v1/articles?per_page=100&{query}")
    };
    let body = json_of(
        app.send(Method::GET, &url, token, None).await,
        StatusCode::OK,
    )
    .await;
    crate::helpers::ids(&body)
}

#[actix_web::test]
async fn following_next_by_cursor_visits_every_article_once_in_every_order() {
    let app = spawn_app().await;
    let section = app.section("أرشيف", None).await["id"].as_i64().unwrap();
    // Ties on the sort key (same second, same title) are broken by id.
    for n in 0..9 {
        let at = format!("2025-0{}-01T10:00:00Z", 1 + n % 3);
        let title = format!("خبر الأرشيف {}", n % 4);
        app.published(section, &title, json!({"published_at": at}))
            .await;
    }
    for n in 0..8 {
        app.published(section, &format!("خبر اليوم {n}"), json!({}))
            .await;
    }
    for sort in ["-published_at", "published_at", "-updated_at", "title"] {
        let expected = ids_by_page(&app, &format!("sort={sort}"), None).await;
        assert_eq!(expected.len(), 17);
        let first = format!("/api/v1/articles?per_page=4&sort={sort}");
        let response = app.get(&first).await;
        let next = link(&response, "next").expect("a next link");
        assert!(next.contains("cursor="), "next uses the cursor: {next}");
        assert!(
            next.contains(&format!("sort={sort}")),
            "keeps the sort: {next}"
        );
        assert!(
            !next.contains("&page=") && !next.contains("?page="),
            "{next}"
        );
        let (ids, requests) = walk(&app, &first, None).await;
        assert_eq!(ids, expected, "sort {sort}: the walk is the list");
        assert_eq!(requests, 5);
    }
    // A section's list walks the same way, and so does a last page that is exactly full.
    let (ids, requests) = walk(
        &app,
        &format!("/api/v1/articles?per_page=17&section={section}"),
        None,
    )
    .await;
    assert_eq!((ids.len(), requests), (17, 1));
}

#[actix_web::test]
async fn a_cursor_walk_survives_concurrent_publishing() {
    let app = spawn_app().await;
    let section = app.section("عاجل", None).await["id"].as_i64().unwrap();
    let mut before = Vec::new();
    for n in 0..30 {
        let at = format!("2025-03-{:02}T08:00:00Z", 1 + n % 28);
        before.push(
            app.published(section, &format!("قبل {n}"), json!({"published_at": at}))
                .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let expected = ids_by_page(&app, "", None).await;
    // Walk newest first, five at a time, while a newsroom publishes a story between each
    // page (newer than every page walked, so each shifts the numbered pages by one).
    let mut seen = Vec::new();
    let mut next = Some("/api/v1/articles?per_page=5".to_owned());
    let mut by_number = Vec::new();
    let mut n = 0;
    while let Some(url) = next {
        let title = format!("جديد {n}");
        let (response, _) =
            futures_util::join!(app.get(&url), app.published(section, &title, json!({})));
        n += 1;
        next = link(&response, "next");
        let body = json_of(response, StatusCode::OK).await;
        seen.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].as_i64().unwrap()),
        );
        // The same page by number, for contrast.
        let numbered = ids_by_page(&app, &format!("per_page=5&page={n}"), None).await;
        by_number.extend(numbered);
    }
    let news: HashSet<i64> = seen
        .iter()
        .copied()
        .filter(|id| !expected.contains(id))
        .collect();
    let old: Vec<i64> = seen
        .iter()
        .copied()
        .filter(|id| expected.contains(id))
        .collect();
    assert_eq!(
        old, expected,
        "every older article once, in order, none skipped"
    );
    assert!(
        news.len() <= 1,
        "at most the story published with the first page: {news:?}"
    );
    let unique: HashSet<i64> = by_number.iter().copied().collect();
    assert!(
        unique.len() < by_number.len(),
        "numbered pages repeat articles under the same inserts (what the cursor avoids)"
    );
    let _ = before;
}

#[actix_web::test]
async fn staff_walk_drafts_and_scheduled_articles_by_cursor() {
    let app = spawn_app().await;
    let section = app.section("مسودات", None).await["id"].as_i64().unwrap();
    let token = app.admin_token.clone();
    for n in 0..5 {
        app.article(&token, section, &format!("مسودة {n}"), json!({}))
            .await;
        app.published(section, &format!("منشور {n}"), json!({}))
            .await;
    }
    app.published(
        section,
        "مجدول",
        json!({"published_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    for sort in ["-published_at", "published_at"] {
        let expected = ids_by_page(&app, &format!("status=any&sort={sort}"), Some(&token)).await;
        assert_eq!(expected.len(), 11);
        let (ids, _) = walk(
            &app,
            &format!("/api/v1/articles?status=any&per_page=3&sort={sort}"),
            Some(&token),
        )
        .await;
        assert_eq!(
            ids, expected,
            "{sort}: drafts (no date) after the dated ones"
        );
    }
    // Readers never page into unpublished work through a cursor either.
    let (ids, _) = walk(&app, "/api/v1/articles?per_page=2", None).await;
    assert_eq!(ids.len(), 5);
    // A cursor a staff list gave out (after the scheduled article, at the top) only positions.
    let staff_cursor = {
        let response = app
            .get_as("/api/v1/articles?status=any&per_page=1", &token)
            .await;
        let next = link(&response, "next").unwrap();
        next.split("cursor=").nth(1).unwrap().to_owned()
    };
    let body = json_of(
        app.get(&format!("/api/v1/articles?cursor={staff_cursor}"))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["meta"]["total"], 5, "{body}");
    for article in body["data"].as_array().unwrap() {
        assert_eq!(article["status"], "published");
    }
}

#[actix_web::test]
async fn bad_cursors_are_refused_with_a_problem() {
    let app = spawn_app().await;
    let section = app.section("أخبار", None).await["id"].as_i64().unwrap();
    for n in 0..3 {
        app.published(section, &format!("خبر {n}"), json!({})).await;
    }
    let response = app.get("/api/v1/articles?per_page=1").await;
    let next = link(&response, "next").unwrap();
    let cursor = next.split("cursor=").nth(1).unwrap().to_owned();
    // A control character is refused before the cursor is read, as in every parameter.
    assert_problem(
        app.get("/api/v1/articles?cursor=%00%FF").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for url in [
        "/api/v1/articles?cursor=not-a-cursor".to_owned(),
        "/api/v1/articles?cursor=%C3%A9t%C3%A9".to_owned(),
        format!("/api/v1/articles?cursor={}", "A".repeat(5000)),
        format!("/api/v1/articles?cursor={cursor}&page=2"),
        format!("/api/v1/articles?cursor={cursor}&q=%D8%AE%D8%A8%D8%B1"),
        format!("/api/v1/articles?cursor={cursor}&sort=title"),
        format!("/api/v1/articles?cursor={cursor}&sort=position"),
    ] {
        let problem = assert_problem_type(app.get(&url).await, "invalid-query").await;
        assert!(
            problem["errors"].get("cursor").is_some(),
            "{url}: {problem}"
        );
    }
    // Page 1 with a cursor is no contradiction.
    let body = json_of(
        app.get(&format!(
            "/api/v1/articles?per_page=1&page=1&cursor={cursor}"
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(body["data"].as_array().unwrap().len(), 1);
    // A search is paged by number: its next link says so.
    let response = app
        .get("/api/v1/articles?q=%D8%AE%D8%A8%D8%B1&per_page=1")
        .await;
    let next = link(&response, "next").unwrap();
    assert!(
        next.contains("page=2") && !next.contains("cursor"),
        "{next}"
    );
}

#[actix_web::test]
async fn kept_totals_follow_every_change_and_the_clock() {
    let app = spawn_app().await;
    let section = app.section("محليات", None).await["id"].as_i64().unwrap();
    let other = app.section("دوليات", None).await["id"].as_i64().unwrap();
    let total = |query: &'static str| {
        let app = &app;
        async move {
            let body = json_of(
                app.get(&format!("/api/v1/articles?{query}")).await,
                StatusCode::OK,
            )
            .await;
            body["meta"]["total"].as_i64().unwrap()
        }
    };
    let mut ids = Vec::new();
    for n in 0..4 {
        ids.push(
            app.published(section, &format!("محلي {n}"), json!({}))
                .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    assert_eq!(total("").await, 4);
    assert_eq!(total("").await, 4, "served again from the kept total");
    app.published(other, "دولي", json!({})).await;
    assert_eq!(total("").await, 5, "a publication counts at once");
    let token = app.admin_token.clone();
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/articles/{}", ids[0]),
            Some(&token),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_eq!(total("").await, 4, "a deletion too");
    let moved = app
        .send(
            Method::PATCH,
            &format!("/api/v1/articles/{}", ids[1]),
            Some(&token),
            Some(&json!({"section_id": other})),
        )
        .await;
    assert_eq!(moved.status(), StatusCode::OK);
    let (first, second) = (
        format!("/api/v1/articles?section={section}"),
        format!("/api/v1/articles?section={other}"),
    );
    let (in_section, in_other) = futures_util::join!(app.get(&first), app.get(&second));
    let in_section = json_of(in_section, StatusCode::OK).await;
    let in_other = json_of(in_other, StatusCode::OK).await;
    assert_eq!(
        (
            in_section["meta"]["total"].as_i64(),
            in_other["meta"]["total"].as_i64()
        ),
        (Some(2), Some(2)),
        "a move changes both sections' totals"
    );
    // A scheduled article counts from the moment it falls due, with no write in between.
    let due = (chrono::Utc::now() + chrono::Duration::seconds(2))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    app.published(section, "موعد", json!({"published_at": due}))
        .await;
    assert_eq!(total("").await, 4, "not yet");
    tokio::time::sleep(std::time::Duration::from_millis(3200)).await;
    assert_eq!(total("").await, 5, "due now");
}

#[actix_web::test]
async fn a_total_kept_by_one_instance_follows_another_instances_writes_at_once() {
    // Without the response cache, which has its own tests: this is about the kept totals.
    let off = [("SAHIFA_RESPONSE_CACHE", "off")];
    let first = spawn_app_with(&off).await;
    let second = spawn_app_in(first.data.clone(), &off).await;
    let section = first.section("منوعات", None).await["id"].as_i64().unwrap();
    let total = |app: &TestApp| {
        let url = app.url("/api/v1/articles");
        let client = app.client.clone();
        async move {
            let body: serde_json::Value =
                client.get(url).send().await.unwrap().json().await.unwrap();
            body["meta"]["total"].as_i64().unwrap()
        }
    };
    for n in 0..3 {
        first
            .published(section, &format!("منوع {n}"), json!({}))
            .await;
        assert_eq!(
            total(&second).await,
            n + 1,
            "the other instance counts it at once"
        );
        assert_eq!(total(&second).await, n + 1);
    }
}
