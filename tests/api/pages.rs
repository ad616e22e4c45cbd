//! Pages: the resource, its roles, slugs and redirects, ETags, nesting, and every bad input.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, assert_problem_type, encode, json_of, spawn_app};

impl TestApp {
    /// Creates a page as the admin.
    async fn page(&self, body: Value) -> Value {
        json_of(
            self.send(
                Method::POST,
                "/api/v1/pages",
                Some(&self.admin_token),
                Some(&body),
            )
            .await,
            StatusCode::CREATED,
        )
        .await
    }

    /// A page's current ETag, as an editor reads it.
    async fn page_etag(&self, id: &Value) -> String {
        let read = self
            .get_as(&format!("/api/v1/pages/{id}"), &self.admin_token)
            .await;
        assert_eq!(read.status(), StatusCode::OK);
        read.headers()["etag"].to_str().unwrap().to_owned()
    }
}

#[actix_web::test]
async fn editors_write_pages_with_arabic_slugs_and_anyone_reads_the_published_ones() {
    let app = spawn_app().await;
    let editor = app.staff("editor").await;
    let created = app
        .send(
            Method::POST,
            "/api/v1/pages",
            Some(&editor.token),
            Some(&json!({
                "title": " من نحن ", "body": "صحيفة **المفيد** مستقلة.", "status": "published",
                "menu_order": 3, "meta_description": "من نحن وكيف نعمل"
            })),
        )
        .await;
    let location = created.headers()["location"].to_str().unwrap().to_owned();
    let etag = created.headers()["etag"].to_str().unwrap().to_owned();
    let page = json_of(created, StatusCode::CREATED).await;
    assert_eq!(page["title"], "من نحن");
    assert_eq!(page["slug"], "من-نحن");
    assert_eq!(page["status"], "published");
    assert_eq!(page["menu_order"], 3);
    assert_eq!(page["lang"], "ar");
    assert_eq!(page["dir"], "rtl");
    assert_eq!(page["parent_id"], Value::Null);
    assert_eq!(page["meta_description"], "من نحن وكيف نعمل");
    assert_eq!(
        page["body_html"],
        "<p>صحيفة <strong>المفيد</strong> مستقلة.</p>\n"
    );
    assert!(page["published_at"].is_string(), "{page}");
    assert_eq!(location, format!("/api/v1/pages/{}", encode("من-نحن")));

    for path in [format!("/api/v1/pages/{}", page["id"]), location] {
        let response = app.get(&path).await;
        assert_eq!(response.headers()["cache-control"], "public, max-age=60");
        assert_eq!(response.headers()["etag"].to_str().unwrap(), etag);
        assert_eq!(json_of(response, StatusCode::OK).await, page, "{path}");
    }
    let not_modified = app
        .request(Method::GET, &format!("/api/v1/pages/{}", page["id"]))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);

    let list = json_of(app.get("/api/v1/pages").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["data"][0]["slug"], "من-نحن");
    assert!(
        list["data"][0].get("body").is_none(),
        "lists carry no bodies"
    );
}

#[actix_web::test]
async fn unpublished_pages_are_hidden_from_readers_and_authors_even_through_old_slugs() {
    let app = spawn_app().await;
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let draft = app
        .page(json!({"title": "سياسة الخصوصية", "body": "مسودة"}))
        .await;
    assert_eq!(draft["status"], "draft");
    assert_eq!(draft["published_at"], Value::Null);
    let id = &draft["id"];
    let by_slug = format!("/api/v1/pages/{}", encode("سياسة-الخصوصية"));
    for path in [format!("/api/v1/pages/{id}"), by_slug.clone()] {
        assert_problem_type(app.get(&path).await, "not-found").await;
        assert_problem_type(app.get_as(&path, &author.token).await, "not-found").await;
        json_of(app.get_as(&path, &editor.token).await, StatusCode::OK).await;
    }
    // A renamed draft: its old slug does not redirect readers (that would reveal it).
    let etag = app.page_etag(id).await;
    let renamed = app
        .request(Method::PATCH, &format!("/api/v1/pages/{id}"))
        .bearer_auth(&editor.token)
        .header("if-match", &etag)
        .json(&json!({"slug": "privacy"}))
        .send()
        .await
        .unwrap();
    json_of(renamed, StatusCode::OK).await;
    assert_problem_type(app.get(&by_slug).await, "not-found").await;
    let moved = app.get_as(&by_slug, &editor.token).await;
    assert_eq!(moved.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.headers()["location"], "/api/v1/pages/privacy");

    // Lists: readers see published pages only, and may not ask for the others.
    let list = json_of(app.get("/api/v1/pages").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 0);
    assert_problem_type(
        app.get("/api/v1/pages?status=draft").await,
        "authentication-required",
    )
    .await;
    assert_problem_type(
        app.get_as("/api/v1/pages?status=any", &author.token).await,
        "role-required",
    )
    .await;
    let drafts = json_of(
        app.get_as("/api/v1/pages?status=draft", &editor.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(drafts["meta"]["total"], 1);

    // Published: readers see it, and the old slug now redirects them too.
    let etag = app.page_etag(id).await;
    let published = app
        .request(Method::PATCH, &format!("/api/v1/pages/{id}"))
        .bearer_auth(&editor.token)
        .header("if-match", &etag)
        .json(&json!({"status": "published"}))
        .send()
        .await
        .unwrap();
    let published = json_of(published, StatusCode::OK).await;
    assert!(published["published_at"].is_string());
    let moved = app.get(&by_slug).await;
    assert_eq!(moved.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.headers()["location"], "/api/v1/pages/privacy");
    json_of(app.get("/api/v1/pages/privacy").await, StatusCode::OK).await;

    // Archived again: hidden again, and the first publication date is kept.
    let etag = app.page_etag(id).await;
    let archived = app
        .request(Method::PATCH, &format!("/api/v1/pages/{id}"))
        .bearer_auth(&editor.token)
        .header("if-match", &etag)
        .json(&json!({"status": "archived"}))
        .send()
        .await
        .unwrap();
    let archived = json_of(archived, StatusCode::OK).await;
    assert_eq!(archived["published_at"], published["published_at"]);
    assert_problem_type(app.get("/api/v1/pages/privacy").await, "not-found").await;
    assert_problem_type(app.get(&by_slug).await, "not-found").await;
}

#[actix_web::test]
async fn only_editors_and_admins_write_pages() {
    let app = spawn_app().await;
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let page = app
        .page(json!({"title": "اتصل بنا", "body": "البريد", "status": "published"}))
        .await;
    let path = format!("/api/v1/pages/{}", page["id"]);
    let create = json!({"title": "صفحة", "body": "نص"});
    let change = json!({"title": "اتصلوا بنا"});
    for (token, kind) in [
        (None, "authentication-required"),
        (Some(author.token.as_str()), "role-required"),
    ] {
        let refused = [
            app.send(Method::POST, "/api/v1/pages", token, Some(&create))
                .await,
            app.send(Method::PATCH, &path, token, Some(&change)).await,
            app.send(Method::DELETE, &path, token, None).await,
        ];
        for response in refused {
            assert_problem_type(response, kind).await;
        }
    }
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await,
        page,
        "nothing changed"
    );
    let list = json_of(app.get("/api/v1/pages").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 1);

    for token in [&editor.token, &app.admin_token] {
        let made = json_of(
            app.send(Method::POST, "/api/v1/pages", Some(token), Some(&create))
                .await,
            StatusCode::CREATED,
        )
        .await;
        let path = format!("/api/v1/pages/{}", made["id"]);
        json_of(
            app.send(Method::PATCH, &path, Some(token), Some(&change))
                .await,
            StatusCode::OK,
        )
        .await;
        let deleted = app.send(Method::DELETE, &path, Some(token), None).await;
        assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
        assert_problem_type(app.get_as(&path, token).await, "not-found").await;
    }
}

#[actix_web::test]
async fn page_slugs_are_unique_and_renames_redirect() {
    let app = spawn_app().await;
    let first = app
        .page(json!({"title": "فريق التحرير", "body": "أ", "status": "published"}))
        .await;
    let second = app
        .page(json!({"title": "فريق التحرير", "body": "ب", "status": "published"}))
        .await;
    assert_eq!(first["slug"], "فريق-التحرير");
    assert_eq!(second["slug"], "فريق-التحرير-2");
    assert_problem_type(
        app.send(
            Method::POST,
            "/api/v1/pages",
            Some(&app.admin_token),
            Some(&json!({"title": "x", "body": "x", "slug": "فريق-التحرير"})),
        )
        .await,
        "slug-taken",
    )
    .await;
    // Pages have their own slugs: an article or a section may share one.
    app.section("فريق التحرير", None).await;

    let renamed = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/pages/{}", first["id"]),
            Some(&app.admin_token),
            Some(&json!({"slug": "editorial-team"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(renamed["slug"], "editorial-team");
    let moved = app
        .get(&format!("/api/v1/pages/{}?lang=ar", encode("فريق-التحرير")))
        .await;
    assert_eq!(moved.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        moved.headers()["location"],
        "/api/v1/pages/editorial-team?lang=ar"
    );
    // The freed slug may be taken by another page, which then wins over the redirect.
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/pages/{}", second["id"]),
            Some(&app.admin_token),
            Some(&json!({"slug": "فريق-التحرير"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let now = json_of(
        app.get(&format!("/api/v1/pages/{}", encode("فريق-التحرير")))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(now["id"], second["id"]);
}

#[actix_web::test]
async fn page_writes_honour_if_match() {
    let app = spawn_app().await;
    let page = app
        .page(json!({"title": "الشروط", "body": "نص", "status": "published"}))
        .await;
    let path = format!("/api/v1/pages/{}", page["id"]);
    let etag = app.page_etag(&page["id"]).await;
    let with = |tag: &str, body: Value| {
        app.request(Method::PATCH, &path)
            .bearer_auth(&app.admin_token)
            .header("if-match", tag.to_owned())
            .json(&body)
            .send()
    };
    let updated = json_of(
        with(&etag, json!({"title": "شروط الاستخدام"}))
            .await
            .unwrap(),
        StatusCode::OK,
    )
    .await;
    assert_eq!(updated["title"], "شروط الاستخدام");
    // The old tag is stale now: refused, and nothing changes.
    assert_problem_type(
        with(&etag, json!({"title": "لن يحدث"})).await.unwrap(),
        "precondition-failed",
    )
    .await;
    assert_problem_type(
        with("not-a-tag", json!({"title": "لن يحدث"}))
            .await
            .unwrap(),
        "invalid-header",
    )
    .await;
    let stale_delete = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem_type(stale_delete, "precondition-failed").await;
    assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, updated);
    let current = app.page_etag(&page["id"]).await;
    let deleted = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &current)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
}

#[actix_web::test]
async fn pages_nest_in_menu_order_and_hide_unpublished_parents() {
    let app = spawn_app().await;
    let about = app
        .page(json!({"title": "من نحن", "body": "أ", "status": "published"}))
        .await;
    let about_id = about["id"].as_i64().unwrap();
    for (title, order) in [("الفريق", 2), ("التاريخ", 1), ("الجوائز", 1)] {
        app.page(json!({
            "title": title, "body": "ب", "status": "published",
            "parent_id": about_id, "menu_order": order
        }))
        .await;
    }
    app.page(json!({"title": "مسودة فرعية", "body": "ج", "parent_id": about_id}))
        .await;
    let children = json_of(
        app.get(&format!("/api/v1/pages?parent={}", encode("من-نحن")))
            .await,
        StatusCode::OK,
    )
    .await;
    let titles: Vec<&str> = children["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["التاريخ", "الجوائز", "الفريق"]);
    let top = json_of(app.get("/api/v1/pages?parent=none").await, StatusCode::OK).await;
    assert_eq!(top["meta"]["total"], 1);
    assert_eq!(top["data"][0]["id"], about_id);

    // Cycles are refused, at any depth; a page with subpages is not deleted.
    let team = children["data"][2]["id"].as_i64().unwrap();
    let grandchild = app
        .page(json!({"title": "المحررون", "body": "د", "parent_id": team}))
        .await;
    for (target, parent) in [
        (about_id, about_id),
        (about_id, grandchild["id"].as_i64().unwrap()),
    ] {
        let problem = assert_problem(
            app.send(
                Method::PATCH,
                &format!("/api/v1/pages/{target}"),
                Some(&app.admin_token),
                Some(&json!({"parent_id": parent})),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"]["parent_id"].is_array(), "{problem}");
    }
    assert_problem_type(
        app.send(
            Method::DELETE,
            &format!("/api/v1/pages/{about_id}"),
            Some(&app.admin_token),
            None,
        )
        .await,
        "page-has-subpages",
    )
    .await;

    // A published page inside a draft does not show readers the draft's id.
    let hidden = app.page(json!({"title": "قيد الإعداد", "body": "هـ"})).await;
    let inside = app
        .page(json!({
            "title": "صفحة داخلية", "body": "و", "status": "published",
            "parent_id": hidden["id"]
        }))
        .await;
    let path = format!("/api/v1/pages/{}", inside["id"]);
    assert_eq!(
        json_of(app.get(&path).await, StatusCode::OK).await["parent_id"],
        Value::Null
    );
    assert_eq!(
        json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await["parent_id"],
        hidden["id"]
    );
    let under_hidden = json_of(
        app.get(&format!("/api/v1/pages?parent={}", hidden["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(under_hidden["meta"]["total"], 0);
}

#[actix_web::test]
async fn pages_filter_by_language() {
    let app = spawn_app().await;
    app.page(json!({"title": "من نحن", "body": "أ", "status": "published"}))
        .await;
    let english = app
        .page(json!({"title": "About us", "body": "a", "status": "published", "lang": "EN"}))
        .await;
    assert_eq!(english["lang"], "en");
    assert_eq!(english["dir"], "ltr");
    let list = json_of(app.get("/api/v1/pages?lang=en").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["data"][0]["slug"], "about-us");
    assert_problem_type(app.get("/api/v1/pages?lang=-").await, "invalid-query").await;
    assert_problem_type(
        app.get("/api/v1/pages?status=secret").await,
        "invalid-query",
    )
    .await;
}

#[actix_web::test]
async fn bad_page_input_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let page = app
        .page(json!({"title": "الأسئلة الشائعة", "body": "نص", "status": "published"}))
        .await;
    let path = format!("/api/v1/pages/{}", page["id"]);
    let creates = [
        (json!({"title": "", "body": "x"}), "title"),
        (json!({"title": "   ", "body": "x"}), "title"),
        (json!({"title": "x", "body": ""}), "body"),
        (json!({"title": "x".repeat(301), "body": "x"}), "title"),
        (
            json!({"title": "x", "body": "x", "slug": "Not A Slug"}),
            "slug",
        ),
        (json!({"title": "x", "body": "x", "slug": "123"}), "slug"),
        (
            json!({"title": "x", "body": "x", "lang": "not a tag"}),
            "lang",
        ),
        (
            json!({"title": "x", "body": "x", "parent_id": 999_999}),
            "parent_id",
        ),
        (
            json!({"title": "x", "body": "x", "menu_order": 100_001}),
            "menu_order",
        ),
        (json!({"title": "x", "body": "![صورة](media:1)"}), "body"),
    ];
    for (body, field) in creates {
        let problem = assert_problem_type(
            app.send(
                Method::POST,
                "/api/v1/pages",
                Some(&app.admin_token),
                Some(&body),
            )
            .await,
            "validation-failed",
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{body}: {problem}");
    }
    for body in [
        json!({"title": "x", "body": "x", "status": "scheduled"}),
        json!({"title": "x", "body": "x", "author_id": 1}),
        json!({"title": 5, "body": "x"}),
        json!(["title"]),
    ] {
        assert_problem_type(
            app.send(
                Method::POST,
                "/api/v1/pages",
                Some(&app.admin_token),
                Some(&body),
            )
            .await,
            "validation-failed",
        )
        .await;
    }
    let not_json = app
        .request(Method::POST, "/api/v1/pages")
        .bearer_auth(&app.admin_token)
        .header("content-type", "application/json")
        .body("{\"title\": ")
        .send()
        .await
        .unwrap();
    assert_problem_type(not_json, "malformed-body").await;

    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"body": ""}), "body"),
        (json!({"parent_id": page["id"]}), "parent_id"),
        (json!({"parent_id": 999_999}), "parent_id"),
        (json!({"lang": "??"}), "lang"),
        (json!({"slug": "a--b"}), "slug"),
    ] {
        let problem = assert_problem_type(
            app.send(Method::PATCH, &path, Some(&app.admin_token), Some(&body))
                .await,
            "validation-failed",
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{body}: {problem}");
    }
    assert_problem_type(
        app.send(
            Method::PATCH,
            "/api/v1/pages/999999",
            Some(&app.admin_token),
            Some(&json!({"title": "x"})),
        )
        .await,
        "not-found",
    )
    .await;
    assert_eq!(json_of(app.get(&path).await, StatusCode::OK).await, page);
    let list = json_of(
        app.get_as("/api/v1/pages?status=any", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["meta"]["total"], 1, "no partial write");
}
