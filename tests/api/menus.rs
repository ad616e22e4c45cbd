//! Menus (issue 21): named, ordered, one level deep, written by editors, read by anyone
//! without links to unpublished targets.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, assert_problem_type, json_of, spawn_app};

#[actix_web::test]
async fn editors_write_menus_and_readers_get_them_without_unpublished_links() {
    let app = spawn_app().await;
    let economy = app.section("الاقتصاد", None).await;
    let sport = app.section("الرياضة", None).await;
    let published = app
        .published(economy["id"].as_i64().unwrap(), "الذهب", json!({}))
        .await;
    let draft = app
        .article(
            &app.admin_token.clone(),
            economy["id"].as_i64().unwrap(),
            "مسودة",
            json!({}),
        )
        .await;
    let editor = app.staff("editor").await;
    let body = json!({
        "slug": "sections-for-you",
        "name": "أقسام تهمك",
        "items": [
            {"label": "الاقتصاد", "description": "أسواق المال والطاقة", "type": "section", "target_id": economy["id"],
             "children": [
                {"label": "الذهب", "type": "article", "target_id": published["id"]},
                {"label": "مسودة", "type": "article", "target_id": draft["id"]}
             ]},
            {"label": "الرياضة", "description": "كرة القدم وأكثر", "type": "section", "target_id": sport["id"]},
            {"label": "كيودو", "type": "url", "url": "https://english.kyodonews.net/"},
            {"label": "خبر غير منشور", "type": "article", "target_id": draft["id"]}
        ]
    });
    let created = json_of(
        app.send(
            Method::POST,
            "/api/v1/menus",
            Some(&editor.token),
            Some(&body),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(
        created["items"].as_array().unwrap().len(),
        4,
        "staff see every link"
    );

    let read = json_of(
        app.get("/api/v1/menus/sections-for-you").await,
        StatusCode::OK,
    )
    .await;
    let items = read["items"].as_array().unwrap();
    let labels: Vec<&str> = items.iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert_eq!(
        labels,
        ["الاقتصاد", "الرياضة", "كيودو"],
        "in order, unpublished left out"
    );
    assert_eq!(items[0]["description"], "أسواق المال والطاقة");
    assert_eq!(items[0]["type"], "section");
    assert_eq!(items[0]["slug"], economy["slug"]);
    let children: Vec<&str> = items[0]["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["الذهب"]);
    assert_eq!(items[2]["url"], "https://english.kyodonews.net/");

    let list = json_of(app.get("/api/v1/menus").await, StatusCode::OK).await;
    assert_eq!(list[0]["slug"], "sections-for-you");

    // Publishing the draft brings its link back; an edit replaces the links.
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/articles/{}", draft["id"]),
            Some(&app.admin_token),
            Some(&json!({"status": "published"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let read = json_of(
        app.get("/api/v1/menus/sections-for-you").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["items"].as_array().unwrap().len(), 4);
    let etag = app.get("/api/v1/menus/sections-for-you").await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let updated = app
        .request(Method::PATCH, "/api/v1/menus/sections-for-you")
        .bearer_auth(&editor.token)
        .header("if-match", &etag)
        .json(&json!({"name": "أقسام", "items": [{"label": "الرياضة", "type": "section", "target_id": sport["id"]}]}))
        .send()
        .await
        .unwrap();
    let updated = json_of(updated, StatusCode::OK).await;
    assert_eq!(updated["items"].as_array().unwrap().len(), 1);
    let stale = app
        .request(Method::PATCH, "/api/v1/menus/sections-for-you")
        .bearer_auth(&editor.token)
        .header("if-match", &etag)
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let deleted = app
        .send(
            Method::DELETE,
            "/api/v1/menus/sections-for-you",
            Some(&editor.token),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get("/api/v1/menus/sections-for-you").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn bad_menus_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let section = app.section("الاقتصاد", None).await;
    let author = app.staff("author").await;
    let good = json!({"slug": "footer", "name": "التذييل", "items": []});
    assert_problem(
        app.send(Method::POST, "/api/v1/menus", None, Some(&good))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem_type(
        app.send(
            Method::POST,
            "/api/v1/menus",
            Some(&author.token),
            Some(&good),
        )
        .await,
        "role-required",
    )
    .await;
    let token = app.admin_token.clone();
    let item = |v: Value| json!({"slug": "footer", "name": "التذييل", "items": [v]});
    for bad in [
        item(json!({"label": "x", "type": "section", "target_id": 999999})),
        item(json!({"label": "x", "type": "url", "url": "javascript:alert(1)"})),
        item(json!({"label": "x", "type": "url"})),
        item(json!({"label": "x", "type": "section"})),
        item(
            json!({"label": "x", "type": "section", "target_id": section["id"], "url": "https://a.example/"}),
        ),
        item(json!({"label": "", "type": "section", "target_id": section["id"]})),
        item(json!({"label": "x", "type": "planet", "target_id": 1})),
        item(
            json!({"label": "x", "type": "section", "target_id": section["id"],
                    "children": [{"label": "y", "type": "section", "target_id": section["id"],
                                  "children": []}]}),
        ),
        json!({"slug": "Bad Slug", "name": "x"}),
        json!({"slug": "footer"}),
    ] {
        let response = app
            .send(Method::POST, "/api/v1/menus", Some(&token), Some(&bad))
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    assert_eq!(
        json_of(app.get("/api/v1/menus").await, StatusCode::OK).await,
        json!([])
    );
    json_of(
        app.send(Method::POST, "/api/v1/menus", Some(&token), Some(&good))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_problem_type(
        app.send(Method::POST, "/api/v1/menus", Some(&token), Some(&good))
            .await,
        "slug-taken",
    )
    .await;
}
