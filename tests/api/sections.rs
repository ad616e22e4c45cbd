//! Sections: nesting, ordering, counts, slugs, roles, and every bad input.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, encode, json_of, spawn_app};

#[actix_web::test]
async fn editors_create_sections_with_arabic_slugs_readable_by_anyone() {
    let app = spawn_app().await;
    let editor = app.staff("editor").await;
    let created = app
        .send(
            Method::POST,
            "/api/v1/sections",
            Some(&editor.token),
            Some(&json!({
                "name": "  الاقتصاد والبنوك ", "description": "الأسواق والمصارف", "position": 2
            })),
        )
        .await;
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let section = json_of(created, StatusCode::CREATED).await;
    assert_eq!(section["name"], "الاقتصاد والبنوك");
    assert_eq!(section["slug"], "الاقتصاد-والبنوك");
    assert_eq!(section["description"], "الأسواق والمصارف");
    assert_eq!(section["position"], 2);
    assert_eq!(section["parent_id"], Value::Null);
    assert_eq!(section["article_count"], 0);
    assert_eq!(
        location,
        format!("/api/v1/sections/{}", encode("الاقتصاد-والبنوك"))
    );

    for path in [
        format!("/api/v1/sections/{}", section["id"]),
        location.clone(),
    ] {
        let response = app.get(&path).await;
        assert_eq!(response.headers()["cache-control"], "public, max-age=60");
        assert_eq!(json_of(response, StatusCode::OK).await, section, "{path}");
    }
}

#[actix_web::test]
async fn sections_list_in_position_then_name_order() {
    let app = spawn_app().await;
    for (name, position) in [("ب", 1), ("أ", 1), ("ج", 0), ("Technology", 5)] {
        app.send(
            Method::POST,
            "/api/v1/sections",
            Some(&app.admin_token),
            Some(&json!({"name": name, "position": position})),
        )
        .await;
    }
    let list = json_of(app.get("/api/v1/sections").await, StatusCode::OK).await;
    let names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ج", "أ", "ب", "Technology"]);
    assert_eq!(list["meta"]["total"], 4);
    let page = json_of(
        app.get("/api/v1/sections?per_page=3&page=2").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn sections_nest_and_cycles_are_refused() {
    let app = spawn_app().await;
    let economy = app.section("الاقتصاد", None).await;
    let banks = app.section("البنوك", economy["id"].as_i64()).await;
    let islamic = app.section("الصيرفة الإسلامية", banks["id"].as_i64()).await;
    assert_eq!(banks["parent_id"], economy["id"]);

    for (target, parent) in [
        (&economy, &economy),
        (&economy, &islamic),
        (&banks, &islamic),
    ] {
        let problem = assert_problem(
            app.send(
                Method::PATCH,
                &format!("/api/v1/sections/{}", target["id"]),
                Some(&app.admin_token),
                Some(&json!({"parent_id": parent["id"]})),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"]["parent_id"].is_array(), "{problem}");
    }
    // Moving a leaf elsewhere, and back to the top level, is fine.
    let moved = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/sections/{}", islamic["id"]),
            Some(&app.admin_token),
            Some(&json!({"parent_id": economy["id"]})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(moved["parent_id"], economy["id"]);
    let top = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/sections/{}", islamic["id"]),
            Some(&app.admin_token),
            Some(&json!({"parent_id": null})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(top["parent_id"], Value::Null);
    let missing = assert_problem(
        app.send(
            Method::POST,
            "/api/v1/sections",
            Some(&app.admin_token),
            Some(&json!({"name": "x", "parent_id": 9999})),
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(missing["errors"]["parent_id"].is_array());
}

#[actix_web::test]
async fn article_counts_cover_published_due_articles_of_the_section_and_its_children() {
    let app = spawn_app().await;
    let economy = app.section("الاقتصاد", None).await;
    let banks = app.section("البنوك", economy["id"].as_i64()).await;
    let e = economy["id"].as_i64().unwrap();
    let b = banks["id"].as_i64().unwrap();
    app.published(e, "خبر اقتصادي", json!({})).await;
    app.published(b, "خبر مصرفي", json!({})).await;
    app.article(&app.admin_token.clone(), b, "مسودة", json!({}))
        .await;
    app.published(
        b,
        "خبر مجدول",
        json!({"published_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    let counts = |list: &Value, id: i64| {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["article_count"]
            .clone()
    };
    let list = json_of(app.get("/api/v1/sections").await, StatusCode::OK).await;
    assert_eq!(counts(&list, e), 2);
    assert_eq!(counts(&list, b), 1);
    let one = json_of(
        app.get(&format!("/api/v1/sections/{e}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(one["article_count"], 2);
}

#[actix_web::test]
async fn a_section_in_use_cannot_be_deleted() {
    let app = spawn_app().await;
    let parent = app.section("العالم", None).await;
    let child = app.section("آسيا", parent["id"].as_i64()).await;
    app.article(
        &app.admin_token.clone(),
        child["id"].as_i64().unwrap(),
        "مسودة",
        json!({}),
    )
    .await;
    let problem = assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/sections/{}", parent["id"]),
            Some(&app.admin_token),
            None,
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("subsections"),
        "{problem}"
    );
    let problem = assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/sections/{}", child["id"]),
            Some(&app.admin_token),
            None,
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("articles"),
        "{problem}"
    );
    assert_eq!(
        app.get(&format!("/api/v1/sections/{}", child["id"]))
            .await
            .status(),
        StatusCode::OK
    );

    let empty = app.section("فارغ", None).await;
    assert_eq!(
        app.send(
            Method::DELETE,
            &format!("/api/v1/sections/{}", empty["id"]),
            Some(&app.admin_token),
            None
        )
        .await
        .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get(&format!("/api/v1/sections/{}", empty["id"])).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/sections/{}", empty["id"]),
            Some(&app.admin_token),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn only_editors_and_admins_write_sections() {
    let app = spawn_app().await;
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let section = app.section("رياضة", None).await;
    let path = format!("/api/v1/sections/{}", section["id"]);
    let create = json!({"name": "جديد"});
    let patch = json!({"name": "تغيير"});
    let requests: [(Method, &str, Option<&Value>); 3] = [
        (Method::POST, "/api/v1/sections", Some(&create)),
        (Method::PATCH, &path, Some(&patch)),
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
    let list = json_of(app.get("/api/v1/sections").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["data"][0]["name"], "رياضة");
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
async fn bad_section_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let cases = [
        (json!({"name": ""}), "name"),
        (json!({"name": "   "}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"name": 5}), "name"),
        (json!({}), "name"),
        (json!({"name": "ok", "slug": "Not A Slug!"}), "slug"),
        (json!({"name": "ok", "slug": "2026"}), "slug"),
        (json!({"name": "ok", "slug": "x".repeat(81)}), "slug"),
        (
            json!({"name": "ok", "description": "d".repeat(501)}),
            "description",
        ),
        (json!({"name": "ok", "position": 10_000_000}), "position"),
        (json!({"name": "ok", "position": "first"}), "position"),
        (json!({"name": "ok", "parent_id": "root"}), "parent_id"),
        (json!({"name": "ok", "colour": "red"}), "colour"),
    ];
    for (body, field) in cases {
        let problem = assert_problem(
            app.send(
                Method::POST,
                "/api/v1/sections",
                Some(&app.admin_token),
                Some(&body),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    let list = json_of(app.get("/api/v1/sections").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 0);

    let section = app.section("العالم", None).await;
    let path = format!("/api/v1/sections/{}", section["id"]);
    for body in [
        json!({"name": ""}),
        json!({"slug": "Bad Slug"}),
        json!({"parent_id": 777}),
        json!({"position": 1.5}),
        json!({"nope": 1}),
    ] {
        assert_problem(
            app.send(Method::PATCH, &path, Some(&app.admin_token), Some(&body))
                .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, section);
}

#[actix_web::test]
async fn slugs_are_unique_generated_ones_count_up_and_explicit_ones_conflict() {
    let app = spawn_app().await;
    let first = app.section("عيادات", None).await;
    let second = app.section("عيادات", None).await;
    let third = app.section("عِيَادَات", None).await;
    assert_eq!(first["slug"], "عيادات");
    assert_eq!(second["slug"], "عيادات-2");
    assert_eq!(third["slug"], "عيادات-3");
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/sections",
            Some(&app.admin_token),
            Some(&json!({"name": "x", "slug": "عيادات"})),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        app.send(
            Method::PATCH,
            &format!("/api/v1/sections/{}", second["id"]),
            Some(&app.admin_token),
            Some(&json!({"slug": "عيادات"})),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
}

#[actix_web::test]
async fn a_changed_slug_keeps_the_old_url_working_with_a_301() {
    let app = spawn_app().await;
    let section = app.section("سيارات", None).await;
    let renamed = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/sections/{}", section["id"]),
            Some(&app.admin_token),
            Some(&json!({"slug": "سيارات-وتقنية"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["slug"], "سيارات-وتقنية");
    let old = app
        .get(&format!("/api/v1/sections/{}", encode("سيارات")))
        .await;
    assert_eq!(old.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        old.headers()["location"],
        format!("/api/v1/sections/{}", encode("سيارات-وتقنية"))
    );
    // The old slug can be taken by a new section, and then it is that section's.
    let newcomer = app.section("سيارات", None).await;
    assert_eq!(newcomer["slug"], "سيارات");
    assert_eq!(
        json_of(
            app.get(&format!("/api/v1/sections/{}", encode("سيارات")))
                .await,
            StatusCode::OK
        )
        .await["id"],
        newcomer["id"]
    );
}

#[actix_web::test]
async fn section_writes_honour_if_match_and_reads_if_none_match() {
    let app = spawn_app().await;
    let section = app.section("ثقافة", None).await;
    let path = format!("/api/v1/sections/{}", section["id"]);
    let read = app.get(&path).await;
    let etag = read.headers()["etag"].to_str().unwrap().to_owned();
    let cached = app
        .request(Method::GET, &path)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cached.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(cached.headers()["etag"], etag.as_str());

    let with_token = app.get_as(&path, &app.admin_token).await;
    assert_eq!(with_token.headers()["cache-control"], "private, no-store");

    let patch = |tag: &str, name: &str| {
        app.request(Method::PATCH, &path)
            .bearer_auth(&app.admin_token)
            .header("if-match", tag.to_owned())
            .json(&json!({"name": name}))
            .send()
    };
    assert_eq!(
        patch(&etag, "ثقافة وفنون").await.unwrap().status(),
        StatusCode::OK
    );
    assert_problem(
        patch(&etag, "لن يحدث").await.unwrap(),
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let stale_delete = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(stale_delete, StatusCode::PRECONDITION_FAILED).await;
    let now = json_of(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(now["name"], "ثقافة وفنون");
}

#[actix_web::test]
async fn concurrent_section_edits_without_if_match_all_succeed() {
    // Each edit, asking no precondition, waits for the one before it (on PostgreSQL a lost
    // compare-and-set once answered 412 to a request that sent no If-Match).
    let app = spawn_app().await;
    let section = app.section("منوعات", None).await;
    let path = format!("/api/v1/sections/{}", section["id"]);
    let bodies: Vec<Value> = (0..16)
        .map(|n| json!({"description": format!("وصف {n}")}))
        .collect();
    let answers = app.patch_all_at_once(&path, &bodies).await;
    assert!(
        answers.iter().all(|s| *s == StatusCode::OK),
        "every edit succeeds: {answers:?}"
    );
    let after = json_of(app.get(&path).await, StatusCode::OK).await;
    assert!(after["description"].as_str().unwrap().starts_with("وصف "));
}
