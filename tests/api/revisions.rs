//! Revisions (issue 21): every save of an article or page is kept, listed, compared word by
//! word (tashkeel-only changes shown as such) and restored as an edit.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, json_of, spawn_app};

async fn revisions(app: &TestApp, token: &str, article: i64) -> Value {
    json_of(
        app.get_as(&format!("/api/v1/articles/{article}/revisions"), token)
            .await,
        StatusCode::OK,
    )
    .await
}

async fn patch(app: &TestApp, token: &str, article: i64, body: Value) -> Value {
    let path = format!("/api/v1/articles/{article}");
    json_of(
        app.send(Method::PATCH, &path, Some(token), Some(&body))
            .await,
        StatusCode::OK,
    )
    .await
}

#[actix_web::test]
async fn every_save_is_a_revision_with_its_editor_and_fields() {
    let app = spawn_app().await;
    let section = app.section("سياسة", None).await["id"].as_i64().unwrap();
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let article = app
        .article(
            &author.token,
            section,
            "العنوان الأول",
            json!({"tags": ["اليابان"]}),
        )
        .await;
    let id = article["id"].as_i64().unwrap();
    patch(&app, &author.token, id, json!({"title": "العنوان الثاني"})).await;
    patch(&app, &editor.token, id, json!({"body": "نص جديد تماما."})).await;

    let list = revisions(&app, &editor.token, id).await;
    assert_eq!(list["meta"]["total"], 3);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data[0]["editor_id"], editor.id, "newest first");
    assert_eq!(data[1]["title"], "العنوان الثاني");
    assert_eq!(data[2]["editor_id"], author.id);
    assert!(
        data[0].get("fields").is_none(),
        "lists leave the fields out"
    );

    let first = data[2]["id"].as_i64().unwrap();
    let one = json_of(
        app.get_as(
            &format!("/api/v1/articles/{id}/revisions/{first}"),
            &editor.token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let fields = &one["fields"];
    assert_eq!(fields["title"], "العنوان الأول");
    assert_eq!(fields["tags"], json!(["اليابان"]));
    assert_eq!(fields["section_id"], section);
    assert_eq!(fields["status"], "draft");
    assert!(fields["body"].as_str().unwrap().starts_with("فقرة أولى"));
}

#[actix_web::test]
async fn a_diff_names_the_changed_fields_and_shows_tashkeel_only_changes_as_such() {
    let app = spawn_app().await;
    let section = app.section("عالم", None).await["id"].as_i64().unwrap();
    let token = app.admin_token.clone();
    let article = app
        .article(
            &token,
            section,
            "زيارة إلى عمان",
            json!({"body": "وصل الوزير إلى عمان صباح اليوم."}),
        )
        .await;
    let id = article["id"].as_i64().unwrap();
    patch(
        &app,
        &token,
        id,
        json!({"body": "وصل الوزير إلى عَمّان صباح اليوم."}),
    )
    .await;
    patch(
        &app,
        &token,
        id,
        json!({"title": "زيارة رسمية إلى عمان", "tags": ["الأردن"]}),
    )
    .await;
    let list = revisions(&app, &token, id).await;
    let ids: Vec<i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .rev()
        .collect();

    let diff = |from: i64, to: i64| {
        let app = &app;
        let token = token.clone();
        async move {
            json_of(
                app.get_as(
                    &format!("/api/v1/articles/{id}/revisions/diff?from={from}&to={to}"),
                    &token,
                )
                .await,
                StatusCode::OK,
            )
            .await
        }
    };
    let vowelled = diff(ids[0], ids[1]).await;
    assert_eq!(vowelled["changed"], json!(["body"]));
    assert_eq!(vowelled["tashkeel_only"], true);
    let ops = vowelled["body"].as_array().unwrap();
    let tashkeel: Vec<&Value> = ops.iter().filter(|o| o["op"] == "tashkeel").collect();
    assert_eq!(tashkeel.len(), 1, "{ops:?}");
    assert_eq!(tashkeel[0]["text"], "عَمّان");
    assert_eq!(tashkeel[0]["before"], "عمان");
    assert!(
        ops.iter()
            .all(|o| o["op"] != "insert" && o["op"] != "delete")
    );

    let retitled = diff(ids[1], ids[2]).await;
    let mut changed: Vec<String> = serde_json::from_value(retitled["changed"].clone()).unwrap();
    changed.sort();
    assert_eq!(changed, ["tags", "title"]);
    assert_eq!(retitled["tashkeel_only"], false);
    let inserted: Vec<&str> = retitled["title"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["op"] == "insert")
        .map(|o| o["text"].as_str().unwrap())
        .collect();
    assert_eq!(inserted.concat().trim(), "رسمية");

    // Revisions of another article are not found here.
    let other = app.article(&token, section, "مقال آخر", json!({})).await;
    let other_rev = revisions(&app, &token, other["id"].as_i64().unwrap()).await["data"][0]["id"]
        .as_i64()
        .unwrap();
    let response = app
        .get_as(
            &format!(
                "/api/v1/articles/{id}/revisions/diff?from={}&to={other_rev}",
                ids[0]
            ),
            &token,
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND).await;
}

#[actix_web::test]
async fn restoring_is_an_edit_with_if_match_and_makes_a_new_revision() {
    let app = spawn_app().await;
    let section = app.section("اقتصاد", None).await["id"].as_i64().unwrap();
    let author = app.staff("author").await;
    let article = app
        .article(
            &author.token,
            section,
            "أسعار الذهب ترتفع",
            json!({"body": "النص الأول."}),
        )
        .await;
    let id = article["id"].as_i64().unwrap();
    patch(
        &app,
        &author.token,
        id,
        json!({"title": "أسعار الذهب تهبط", "body": "النص الثاني."}),
    )
    .await;
    let list = revisions(&app, &author.token, id).await;
    let first = list["data"][1]["id"].as_i64().unwrap();
    let restore = format!("/api/v1/articles/{id}/revisions/{first}/restore");

    let stale = app
        .request(Method::POST, &restore)
        .bearer_auth(&author.token)
        .header("if-match", "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    assert_eq!(
        revisions(&app, &author.token, id).await["meta"]["total"],
        2,
        "nothing written"
    );

    let current = app
        .get_as(&format!("/api/v1/articles/{id}"), &author.token)
        .await;
    let etag = current.headers()["etag"].to_str().unwrap().to_owned();
    let restored = app
        .request(Method::POST, &restore)
        .bearer_auth(&author.token)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    let restored = json_of(restored, StatusCode::OK).await;
    assert_eq!(restored["title"], "أسعار الذهب ترتفع");
    assert_eq!(restored["body"], "النص الأول.");
    assert_eq!(restored["status"], "draft");
    let after = revisions(&app, &author.token, id).await;
    assert_eq!(after["meta"]["total"], 3, "the restore is a revision too");
    assert_eq!(after["data"][0]["title"], "أسعار الذهب ترتفع");

    // A revision of another article cannot be restored through this one.
    let other = app.article(&author.token, section, "آخر", json!({})).await;
    let other_rev = revisions(&app, &author.token, other["id"].as_i64().unwrap()).await["data"][0]
        ["id"]
        .as_i64()
        .unwrap();
    let response = app
        .send(
            Method::POST,
            &format!("/api/v1/articles/{id}/revisions/{other_rev}/restore"),
            Some(&author.token),
            None,
        )
        .await;
    assert_problem(response, StatusCode::NOT_FOUND).await;
}

#[actix_web::test]
async fn authors_see_only_their_own_articles_revisions() {
    let app = spawn_app().await;
    let section = app.section("رياضة", None).await["id"].as_i64().unwrap();
    let owner = app.staff("author").await;
    let other = app.staff("author").await;
    let editor = app.staff("editor").await;
    let article = app
        .article(&owner.token, section, "مباراة", json!({}))
        .await;
    let id = article["id"].as_i64().unwrap();
    let path = format!("/api/v1/articles/{id}/revisions");

    assert_eq!(
        app.get_as(&path, &owner.token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_as(&path, &editor.token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_as(&path, &app.admin_token).await.status(),
        StatusCode::OK
    );
    assert_problem(app.get_as(&path, &other.token).await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get(&path).await, StatusCode::UNAUTHORIZED).await;

    // A co-author named in the byline sees them too.
    patch(
        &app,
        &editor.token,
        id,
        json!({"authors": [owner.id, other.id]}),
    )
    .await;
    assert_eq!(
        app.get_as(&path, &other.token).await.status(),
        StatusCode::OK
    );

    // Restoring obeys the edit's rules: an author cannot touch a published article.
    patch(&app, &editor.token, id, json!({"status": "published"})).await;
    let first = revisions(&app, &owner.token, id).await["data"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let response = app
        .send(
            Method::POST,
            &format!("{path}/{first}/restore"),
            Some(&owner.token),
            None,
        )
        .await;
    assert_problem(response, StatusCode::FORBIDDEN).await;
}

#[actix_web::test]
async fn pages_keep_revisions_too() {
    let app = spawn_app().await;
    let token = app.admin_token.clone();
    let page = json_of(
        app.send(
            Method::POST,
            "/api/v1/pages",
            Some(&token),
            Some(&json!({"title": "من نحن", "body": "صحيفة مستقلة."})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    let id = page["id"].as_i64().unwrap();
    let path = format!("/api/v1/pages/{id}");
    json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(&token),
            Some(&json!({"body": "صحيفة مستقلة منذ ٢٠٠٢."})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let list = json_of(
        app.get_as(&format!("{path}/revisions"), &token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["meta"]["total"], 2);
    let first = list["data"][1]["id"].as_i64().unwrap();
    let restored = json_of(
        app.send(
            Method::POST,
            &format!("{path}/revisions/{first}/restore"),
            Some(&token),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(restored["body"], "صحيفة مستقلة.");
    let author = app.staff("author").await;
    assert_problem(
        app.get_as(&format!("{path}/revisions"), &author.token)
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
}
