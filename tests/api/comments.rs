//! Comments: submission, privacy, threads, moderation per role, counts, anti-spam, bad input.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, encode, json_of, spawn_app_with};

const EMAIL: &str = "reader.private@example.com";

fn comment(body: &str) -> Value {
    json!({"author_name": "سارة", "author_email": EMAIL, "body": body})
}

async fn with_article() -> (TestApp, Value) {
    let app = spawn_app_with(&[("SAHIFA_COMMENT_RATE_PER_IP", "1000")]).await;
    let section = app.section("العالم", None).await;
    let article = app
        .published(section["id"].as_i64().unwrap(), "مقال للنقاش", json!({}))
        .await;
    (app, article)
}

async fn submit(app: &TestApp, article: &Value, body: Value) -> reqwest::Response {
    app.send(
        Method::POST,
        &format!("/api/v1/articles/{}/comments", article["id"]),
        None,
        Some(&body),
    )
    .await
}

/// Submits and approves a comment; returns its id.
async fn approved(app: &TestApp, article: &Value, body: Value) -> i64 {
    let id = json_of(submit(app, article, body).await, StatusCode::ACCEPTED).await["id"]
        .as_i64()
        .unwrap();
    moderate(app, id, "approved").await;
    id
}

async fn moderate(app: &TestApp, id: i64, status: &str) -> Value {
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            Some(&app.admin_token),
            Some(&json!({"status": status})),
        )
        .await,
        StatusCode::OK,
    )
    .await
}

async fn count(app: &TestApp, article: &Value) -> i64 {
    json_of(
        app.get(&format!("/api/v1/articles/{}", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await["comment_count"]
        .as_i64()
        .unwrap()
}

#[actix_web::test]
async fn a_reader_comments_and_it_waits_for_moderation() {
    let (app, article) = with_article().await;
    let response = submit(&app, &article, comment("  تحليل ممتاز.\nشكراً للكاتب.  ")).await;
    let accepted = json_of(response, StatusCode::ACCEPTED).await;
    assert_eq!(accepted["status"], "pending");
    let id = accepted["id"].as_i64().unwrap();
    let list = json_of(
        app.get(&format!("/api/v1/articles/{}/comments", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["meta"]["total"], 0, "pending comments are not public");

    let staff = moderate(&app, id, "approved").await;
    assert_eq!(staff["author_email"], EMAIL);
    assert_eq!(staff["client_ip"], "127.0.0.1");
    assert_eq!(staff["body"], "تحليل ممتاز.\nشكراً للكاتب.");
    let list = json_of(
        app.get(&format!("/api/v1/articles/{}/comments", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["data"][0]["id"], id);
    assert_eq!(list["data"][0]["author_name"], "سارة");
    assert_eq!(list["data"][0]["body"], "تحليل ممتاز.\nشكراً للكاتب.");
    assert_eq!(
        list["data"][0]["body_html"],
        "<p>تحليل ممتاز.<br>شكراً للكاتب.</p>"
    );
    assert_eq!(list["data"][0]["parent_id"], Value::Null);
}

#[actix_web::test]
async fn the_commenters_email_and_address_never_appear_in_a_public_response() {
    let (app, article) = with_article().await;
    let first = approved(&app, &article, comment("تعليق أول")).await;
    approved(
        &app,
        &article,
        json!({"author_name": "علي", "author_email": EMAIL, "body": "رد", "parent_id": first}),
    )
    .await;
    let slug = encode(article["slug"].as_str().unwrap());
    for path in [
        format!("/api/v1/articles/{}/comments", article["id"]),
        format!("/api/v1/articles/{slug}/comments"),
        format!("/api/v1/articles/{}", article["id"]),
        "/api/v1/articles".to_owned(),
        "/api/v1/tags".to_owned(),
        "/api/v1/sections".to_owned(),
    ] {
        let bytes = app.get(&path).await.bytes().await.unwrap();
        let raw = String::from_utf8_lossy(&bytes);
        assert!(!raw.contains(EMAIL), "{path} leaks the email: {raw}");
        assert!(!raw.contains("reader.private"), "{path}");
        assert!(!raw.contains("127.0.0.1"), "{path} leaks the address");
    }
    let accepted = submit(&app, &article, comment("ثالث"))
        .await
        .bytes()
        .await
        .unwrap();
    assert!(!String::from_utf8_lossy(&accepted).contains(EMAIL));
}

#[actix_web::test]
async fn replies_thread_within_one_article_and_nest_a_bounded_depth() {
    let (app, article) = with_article().await;
    let other = app
        .published(
            article["section"]["id"].as_i64().unwrap(),
            "مقال آخر",
            json!({}),
        )
        .await;
    let root = approved(&app, &article, comment("جذر")).await;
    let reply = approved(
        &app,
        &article,
        json!({"author_name": "ب", "author_email": "b@x.example", "body": "رد", "parent_id": root}),
    )
    .await;
    let list = json_of(
        app.get(&format!("/api/v1/articles/{}/comments", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["data"][1]["parent_id"], root);
    assert_eq!(list["data"][1]["id"], reply);

    let across = assert_problem(
        submit(&app, &other, json!({"author_name": "ج", "author_email": "c@x.example", "body": "رد", "parent_id": root})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(across["errors"]["parent_id"].is_array(), "{across}");

    let pending = json_of(
        submit(&app, &article, comment("معلق")).await,
        StatusCode::ACCEPTED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    assert_problem(
        submit(&app, &article, json!({"author_name": "د", "author_email": "d@x.example", "body": "رد", "parent_id": pending})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let mut parent = reply;
    for _ in 0..3 {
        parent = approved(&app, &article, json!({"author_name": "ه", "author_email": "e@x.example", "body": "أعمق", "parent_id": parent})).await;
    }
    let too_deep = assert_problem(
        submit(&app, &article, json!({"author_name": "و", "author_email": "f@x.example", "body": "أعمق من اللازم", "parent_id": parent})).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        too_deep["errors"]["parent_id"][0]
            .as_str()
            .unwrap()
            .contains("levels"),
        "{too_deep}"
    );
}

#[actix_web::test]
async fn comments_are_refused_on_unpublished_articles_and_when_closed() {
    let (app, article) = with_article().await;
    let section = article["section"]["id"].as_i64().unwrap();
    let draft = app
        .article(&app.admin_token.clone(), section, "مسودة", json!({}))
        .await;
    assert_problem(
        submit(&app, &draft, comment("x")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let scheduled = app
        .published(
            section,
            "مجدول",
            json!({"published_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert_problem(
        submit(&app, &scheduled, comment("x")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/articles/{}/comments", draft["id"]))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let closed = app
        .published(section, "مغلق", json!({"comments_open": false}))
        .await;
    let problem = assert_problem(
        submit(&app, &closed, comment("x")).await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(problem["detail"].as_str().unwrap().contains("closed"));
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/articles/99999/comments",
            None,
            Some(&comment("x")),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let queue = json_of(
        app.get_as("/api/v1/comments", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(queue["meta"]["total"], 0, "nothing was stored");
}

#[actix_web::test]
async fn every_status_transition_keeps_the_count_exact() {
    let (app, article) = with_article().await;
    let a = json_of(
        submit(&app, &article, comment("أ")).await,
        StatusCode::ACCEPTED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let b = json_of(
        submit(&app, &article, comment("ب")).await,
        StatusCode::ACCEPTED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    assert_eq!(count(&app, &article).await, 0);
    for (id, status, expected) in [
        (a, "approved", 1),
        (b, "approved", 2),
        (a, "approved", 2),
        (a, "spam", 1),
        (a, "trash", 1),
        (a, "pending", 1),
        (a, "approved", 2),
        (b, "trash", 1),
        (b, "spam", 1),
        (b, "approved", 2),
    ] {
        let staff = moderate(&app, id, status).await;
        assert_eq!(staff["status"], status);
        assert_eq!(
            count(&app, &article).await,
            expected,
            "after {id} → {status}"
        );
    }
    let delete = app
        .send(
            Method::DELETE,
            &format!("/api/v1/comments/{a}"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    assert_eq!(count(&app, &article).await, 1);
    moderate(&app, b, "spam").await;
    let delete = app
        .send(
            Method::DELETE,
            &format!("/api/v1/comments/{b}"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(delete.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        count(&app, &article).await,
        0,
        "deleting a spam comment changes nothing"
    );
}

#[actix_web::test]
async fn deleting_a_comment_moves_its_replies_up() {
    let (app, article) = with_article().await;
    let root = approved(&app, &article, comment("جذر")).await;
    let middle = approved(&app, &article, json!({"author_name": "ب", "author_email": "b@x.example", "body": "وسط", "parent_id": root})).await;
    let leaf = approved(&app, &article, json!({"author_name": "ج", "author_email": "c@x.example", "body": "ورقة", "parent_id": middle})).await;
    app.send(
        Method::DELETE,
        &format!("/api/v1/comments/{middle}"),
        Some(&app.admin_token),
        None,
    )
    .await;
    let leaf_now = json_of(
        app.get_as(&format!("/api/v1/comments/{leaf}"), &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(leaf_now["parent_id"], root);
    assert_eq!(leaf_now["depth"], 1);
    assert_eq!(count(&app, &article).await, 2);
}

#[actix_web::test]
async fn only_editors_and_admins_moderate() {
    let (app, article) = with_article().await;
    let id = json_of(
        submit(&app, &article, comment("x")).await,
        StatusCode::ACCEPTED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let path = format!("/api/v1/comments/{id}");
    let status = json!({"status": "approved"});
    let bulk = json!({"ids": [id], "status": "approved"});
    let requests: [(Method, &str, Option<&Value>); 5] = [
        (Method::GET, "/api/v1/comments", None),
        (Method::GET, &path, None),
        (Method::PATCH, &path, Some(&status)),
        (Method::POST, "/api/v1/comments/bulk", Some(&bulk)),
        (Method::DELETE, &path, None),
    ];
    for (method, path, body) in &requests {
        assert_problem(
            app.send(method.clone(), path, None, *body).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_problem(
            app.send(method.clone(), path, Some(&author.token), *body)
                .await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    assert_eq!(count(&app, &article).await, 0, "nothing was approved");
    for (method, path, body) in requests {
        let response = app
            .send(method.clone(), path, Some(&editor.token), body)
            .await;
        assert!(
            response.status().is_success(),
            "{method} {path}: {}",
            response.status()
        );
    }
}

#[actix_web::test]
async fn the_queue_filters_by_status_and_article_and_bulk_moderation_is_all_or_nothing() {
    let (app, article) = with_article().await;
    let other = app
        .published(article["section"]["id"].as_i64().unwrap(), "آخر", json!({}))
        .await;
    let mut ids = Vec::new();
    for n in 0..3 {
        ids.push(
            json_of(
                submit(&app, &article, comment(&format!("تعليق {n}"))).await,
                StatusCode::ACCEPTED,
            )
            .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    json_of(
        submit(&app, &other, comment("على الآخر")).await,
        StatusCode::ACCEPTED,
    )
    .await;
    let queue = |query: String| {
        let app = &app;
        async move {
            json_of(
                app.get_as(&format!("/api/v1/comments?{query}"), &app.admin_token)
                    .await,
                StatusCode::OK,
            )
            .await
        }
    };
    assert_eq!(queue("status=pending".into()).await["meta"]["total"], 4);
    assert_eq!(
        queue(format!("status=pending&article={}", article["id"])).await["meta"]["total"],
        3
    );
    assert_eq!(
        queue(format!(
            "article={}",
            encode(other["slug"].as_str().unwrap())
        ))
        .await["meta"]["total"],
        1
    );
    let page = queue("per_page=2".into()).await;
    assert_eq!(page["data"][0]["author_email"], EMAIL, "staff see emails");
    assert_eq!(page["data"][0]["article"]["title"], "آخر", "newest first");

    let unknown = json!({"ids": [ids[0], 999_999], "status": "approved"});
    let problem = assert_problem(
        app.send(
            Method::POST,
            "/api/v1/comments/bulk",
            Some(&app.admin_token),
            Some(&unknown),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(
        problem["errors"]["ids"][0]
            .as_str()
            .unwrap()
            .contains("999999")
    );
    assert_eq!(count(&app, &article).await, 0, "nothing changed");

    let all = json!({"ids": ids, "status": "approved"});
    let result = json_of(
        app.send(
            Method::POST,
            "/api/v1/comments/bulk",
            Some(&app.admin_token),
            Some(&all),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(result["updated"], 3);
    assert_eq!(count(&app, &article).await, 3);
    let again = json_of(
        app.send(
            Method::POST,
            "/api/v1/comments/bulk",
            Some(&app.admin_token),
            Some(&all),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["updated"], 0);
    assert_eq!(queue("status=approved".into()).await["meta"]["total"], 3);
    assert_problem(
        app.get_as("/api/v1/comments?status=deleted", &app.admin_token)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
}

#[actix_web::test]
async fn the_honeypot_and_link_farms_file_spam_silently() {
    let (app, article) = with_article().await;
    let mut bot = comment("اشترِ الآن");
    bot["website"] = json!("https://spam.example");
    let accepted = json_of(submit(&app, &article, bot).await, StatusCode::ACCEPTED).await;
    assert_eq!(
        accepted["status"], "pending",
        "the bot sees what a reader sees"
    );
    let farm = comment("http://a.example http://b.example http://c.example http://d.example");
    json_of(submit(&app, &article, farm).await, StatusCode::ACCEPTED).await;
    let reader = comment("رأي عادي مع رابط https://source.example");
    json_of(submit(&app, &article, reader).await, StatusCode::ACCEPTED).await;
    let spam = json_of(
        app.get_as("/api/v1/comments?status=spam", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(spam["meta"]["total"], 2);
    let pending = json_of(
        app.get_as("/api/v1/comments?status=pending", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(pending["meta"]["total"], 1);
}

#[actix_web::test]
async fn comments_are_rate_limited_per_address() {
    let app = spawn_app_with(&[("SAHIFA_COMMENT_RATE_PER_IP", "2")]).await;
    let section = app.section("العالم", None).await;
    let article = app
        .published(section["id"].as_i64().unwrap(), "مقال", json!({}))
        .await;
    for _ in 0..2 {
        assert_eq!(
            submit(&app, &article, comment("x")).await.status(),
            StatusCode::ACCEPTED
        );
    }
    let limited = submit(&app, &article, comment("x")).await;
    assert!(
        limited.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    assert_problem(limited, StatusCode::TOO_MANY_REQUESTS).await;
    let queue = json_of(
        app.get_as("/api/v1/comments", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(queue["meta"]["total"], 2);
}

#[actix_web::test]
async fn bad_comments_are_refused_field_by_field_and_nothing_is_stored() {
    let (app, article) = with_article().await;
    let with = |field: &str, value: Value| {
        let mut body = comment("نص");
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = comment("نص");
        body.as_object_mut().unwrap().remove(field);
        body
    };
    for (body, field) in [
        (without("author_name"), "author_name"),
        (with("author_name", json!("   ")), "author_name"),
        (with("author_name", json!("ن".repeat(101))), "author_name"),
        (without("author_email"), "author_email"),
        (with("author_email", json!("not-an-email")), "author_email"),
        (with("author_email", json!("")), "author_email"),
        (without("body"), "body"),
        (with("body", json!("  \n ")), "body"),
        (with("body", json!("ن".repeat(5001))), "body"),
        (with("body", json!(["array"])), "body"),
        (with("parent_id", json!("one")), "parent_id"),
        (with("parent_id", json!(424242)), "parent_id"),
        (with("status", json!("approved")), "status"),
        (with("website", json!("w".repeat(501))), "website"),
    ] {
        let problem = assert_problem(
            submit(&app, &article, body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    let queue = json_of(
        app.get_as("/api/v1/comments", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(queue["meta"]["total"], 0);

    let id = json_of(
        submit(&app, &article, comment("x")).await,
        StatusCode::ACCEPTED,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    for body in [
        json!({"status": "published"}),
        json!({}),
        json!({"status": "approved", "body": "edited"}),
    ] {
        assert_problem(
            app.send(
                Method::PATCH,
                &format!("/api/v1/comments/{id}"),
                Some(&app.admin_token),
                Some(&body),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    for body in [
        json!({"ids": [], "status": "approved"}),
        json!({"ids": (1..=101).collect::<Vec<i64>>(), "status": "spam"}),
        json!({"ids": [id]}),
    ] {
        assert_problem(
            app.send(
                Method::POST,
                "/api/v1/comments/bulk",
                Some(&app.admin_token),
                Some(&body),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let stored = json_of(
        app.get_as(&format!("/api/v1/comments/{id}"), &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(stored["status"], "pending");
    assert_problem(
        app.get_as("/api/v1/comments/9999", &app.admin_token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn concurrent_moderations_without_if_match_all_succeed_and_keep_the_count_exact() {
    // Without `If-Match` a moderator asked for no precondition, so none may fail: on
    // PostgreSQL concurrent writes of one comment once answered 412 to all but one of them.
    let (app, article) = with_article().await;
    let id = approved(&app, &article, comment("x")).await;
    let path = format!("/api/v1/comments/{id}");
    let statuses = [
        "spam", "approved", "pending", "approved", "trash", "approved",
    ];
    let bodies: Vec<Value> = (0..24)
        .map(|n| json!({"status": statuses[n % statuses.len()]}))
        .collect();
    let answers = app.patch_all_at_once(&path, &bodies).await;
    assert!(
        answers.iter().all(|s| *s == StatusCode::OK),
        "every moderation succeeds: {answers:?}"
    );
    let last = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    let expected = i64::from(last["status"] == "approved");
    assert_eq!(
        count(&app, &article).await,
        expected,
        "the count follows the last status"
    );
}

#[actix_web::test]
async fn concurrent_bulk_moderations_of_overlapping_comments_all_succeed() {
    // Each bulk locks its comments in id order, whatever order its request lists them in, so
    // two bulks sharing comments wait for each other instead of deadlocking (PostgreSQL).
    let (app, article) = with_article().await;
    let mut ids = Vec::new();
    for n in 0..6 {
        ids.push(approved(&app, &article, comment(&format!("c{n}"))).await);
    }
    let bulks: Vec<Value> = (0..12)
        .map(|n| {
            let mut some: Vec<i64> = ids.iter().copied().skip(n % 3).collect();
            if n % 2 == 1 {
                some.reverse();
            }
            json!({"ids": some, "status": if n % 4 == 0 { "spam" } else { "approved" }})
        })
        .collect();
    let answers = futures_util::future::join_all(bulks.iter().map(|body| async {
        app.send(
            Method::POST,
            "/api/v1/comments/bulk",
            Some(&app.admin_token),
            Some(body),
        )
        .await
        .status()
    }))
    .await;
    assert!(
        answers.iter().all(|s| *s == StatusCode::OK),
        "every bulk moderation succeeds: {answers:?}"
    );
    let mut approved_now = 0;
    for id in &ids {
        let one = json_of(
            app.get_as(&format!("/api/v1/comments/{id}"), &app.admin_token)
                .await,
            StatusCode::OK,
        )
        .await;
        approved_now += i64::from(one["status"] == "approved");
    }
    assert_eq!(
        count(&app, &article).await,
        approved_now,
        "the count is exact"
    );
}

#[actix_web::test]
async fn moderation_honours_if_match_and_public_lists_revalidate() {
    let (app, article) = with_article().await;
    let id = approved(&app, &article, comment("x")).await;
    let path = format!("/api/v1/comments/{id}");
    let etag = app.get_as(&path, &app.admin_token).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    moderate(&app, id, "spam").await;
    let stale = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .json(&json!({"status": "approved"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let stale_delete = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(stale_delete, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(count(&app, &article).await, 0);

    let list_path = format!("/api/v1/articles/{}/comments", article["id"]);
    let list = app.get(&list_path).await;
    assert_eq!(list.headers()["cache-control"], "public, max-age=60");
    let tag = list.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .request(Method::GET, &list_path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    moderate(&app, id, "approved").await;
    let changed = app
        .request(Method::GET, &list_path)
        .header("if-none-match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
}

#[actix_web::test]
async fn comment_pages_are_oldest_first_and_old_slugs_redirect() {
    let (app, article) = with_article().await;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(approved(&app, &article, comment(&format!("{n}"))).await);
    }
    let page = json_of(
        app.get(&format!(
            "/api/v1/articles/{}/comments?per_page=2&page=2",
            article["id"]
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    let got: Vec<i64> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, ids[2..4]);
    assert_eq!(page["meta"]["total_pages"], 3);
    app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", article["id"]),
        Some(&app.admin_token),
        Some(&json!({"slug": "نقاش"})),
    )
    .await;
    let moved = app
        .get(&format!(
            "/api/v1/articles/{}/comments",
            encode(article["slug"].as_str().unwrap())
        ))
        .await;
    assert_eq!(moved.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        moved.headers()["location"],
        format!("/api/v1/articles/{}/comments", encode("نقاش"))
    );
}

#[actix_web::test]
async fn deleting_an_article_deletes_its_comments() {
    let (app, article) = with_article().await;
    approved(&app, &article, comment("x")).await;
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/articles/{}", article["id"]),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let queue = json_of(
        app.get_as("/api/v1/comments", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(queue["meta"]["total"], 0);
}
