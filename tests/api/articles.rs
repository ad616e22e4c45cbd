//! Articles: fields, Arabic slugs, workflow and roles, visibility and scheduling, caching,
//! lost updates, sanitizing, filters, and every bad input.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_problem, assert_problem_type, encode, ids, json_of, spawn_app,
};

async fn newsroom() -> (TestApp, i64) {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await;
    (app, section["id"].as_i64().unwrap())
}

async fn patch(app: &TestApp, token: &str, id: &Value, body: Value) -> reqwest::Response {
    app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{id}"),
        Some(token),
        Some(&body),
    )
    .await
}

#[actix_web::test]
async fn an_article_carries_every_field_derived_the_newsroom_way() {
    let (app, section) = newsroom().await;
    let author = app.staff("author").await;
    let response = app
        .send(Method::POST, "/api/v1/articles", Some(&author.token), Some(&json!({
            "title": "  طوكيو وواشنطن تبحثان «توسيع» التعاون الأمنيّ؟ ",
            "body": "التقى وزير الدفاع الياباني **نظيره** الأمريكي على هامش قمة دولية. وناقش الجانبان سبل تعزيز التحالف.\n\n## تفاصيل\n\nواتفق الطرفان على تحسين التنسيق.",
            "section_id": section,
            "tags": ["اليابان", " الولايات المتحدة "],
            "featured_image": {"url": "https://cdn.example.com/tokyo.jpg", "alt": "طوكيو"},
            "meta_title": "طوكيو وواشنطن",
        })))
        .await;
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let article = json_of(response, StatusCode::CREATED).await;
    assert_eq!(
        article["title"],
        "طوكيو وواشنطن تبحثان «توسيع» التعاون الأمنيّ؟"
    );
    assert_eq!(article["slug"], "طوكيو-وواشنطن-تبحثان-توسيع-التعاون-الأمني");
    assert_eq!(
        location,
        format!(
            "/api/v1/articles/{}",
            encode("طوكيو-وواشنطن-تبحثان-توسيع-التعاون-الأمني")
        )
    );
    assert_eq!(article["status"], "draft");
    assert_eq!(
        article["excerpt"],
        "التقى وزير الدفاع الياباني نظيره الأمريكي على هامش قمة دولية. وناقش الجانبان سبل تعزيز التحالف."
    );
    assert!(
        article["body_html"]
            .as_str()
            .unwrap()
            .contains("<strong>نظيره</strong>")
    );
    assert!(
        article["body_html"]
            .as_str()
            .unwrap()
            .contains("<h2>تفاصيل</h2>")
    );
    assert_eq!(article["lang"], "ar");
    assert_eq!(article["dir"], "rtl");
    assert_eq!(article["reading_time_minutes"], 1);
    assert_eq!(article["comment_count"], 0);
    assert_eq!(article["comments_open"], true);
    assert_eq!(article["published_at"], Value::Null);
    assert_eq!(article["tags"], json!(["اليابان", "الولايات المتحدة"]));
    assert_eq!(
        article["section"],
        json!({"id": section, "name": "العالم", "slug": "العالم", "url": null})
    );
    assert_eq!(
        article["author"],
        json!({"id": author.id, "display_name": format!("author {}", &author.email[6..author.email.find('@').unwrap()]), "url": null})
    );
    assert_eq!(
        article["featured_image"],
        json!({"url": "https://cdn.example.com/tokyo.jpg", "alt": "طوكيو", "caption": null})
    );
    assert_eq!(article["meta_title"], "طوكيو وواشنطن");
    assert_eq!(article["meta_description"], Value::Null);
    assert!(
        !article.to_string().contains(&author.email),
        "never an email"
    );
}

#[actix_web::test]
async fn language_decides_direction() {
    let (app, section) = newsroom().await;
    for (lang, canonical, dir) in [
        ("en", "en", "ltr"),
        ("AR-eg", "ar-EG", "rtl"),
        ("fa", "fa", "rtl"),
        ("he", "he", "rtl"),
        ("ur-PK", "ur-PK", "rtl"),
        ("ku-Latn", "ku-Latn", "ltr"),
        ("zh-hant-tw", "zh-Hant-TW", "ltr"),
    ] {
        let article = app
            .published(section, &format!("title {lang}"), json!({"lang": lang}))
            .await;
        assert_eq!(article["lang"], canonical, "{lang}");
        assert_eq!(article["dir"], dir, "{lang}");
    }
}

#[actix_web::test]
async fn articles_resolve_by_id_by_arabic_slug_and_by_percent_encoded_slug() {
    let (app, section) = newsroom().await;
    let article = app
        .published(
            section,
            "الاقتصـــاد الياباني ينمو ٢٫١٪ في الربع الثالث",
            json!({}),
        )
        .await;
    assert_eq!(article["slug"], "الاقتصاد-الياباني-ينمو-2-1-في-الربع-الثالث");
    let by_id = json_of(
        app.get(&format!("/api/v1/articles/{}", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    let by_slug = json_of(
        app.get(&format!(
            "/api/v1/articles/{}",
            encode(article["slug"].as_str().unwrap())
        ))
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(by_id, article);
    assert_eq!(by_slug, article);
}

#[actix_web::test]
async fn generated_slugs_count_up_and_explicit_ones_must_be_free_and_well_formed() {
    let (app, section) = newsroom().await;
    let a = app.published(section, "قمة الرياض", json!({})).await;
    let b = app.published(section, "قمة الرياض!", json!({})).await;
    let c = app.published(section, "قِمَّة الرِّيَاض", json!({})).await;
    assert_eq!(
        (a["slug"].as_str(), b["slug"].as_str(), c["slug"].as_str()),
        (
            Some("قمة-الرياض"),
            Some("قمة-الرياض-2"),
            Some("قمة-الرياض-3")
        )
    );
    let explicit = app
        .published(section, "عنوان", json!({"slug": "my-slug"}))
        .await;
    assert_eq!(explicit["slug"], "my-slug");
    let body = json!({"title": "x", "body": "y", "section_id": section, "slug": "my-slug"});
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/articles",
            Some(&app.admin_token),
            Some(&body),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    let emoji = app.published(section, "🎉🎉", json!({})).await;
    assert_eq!(emoji["slug"], "article");
    let digits = app.published(section, "2026", json!({})).await;
    assert_eq!(digits["slug"], "article-2026");
}

#[actix_web::test]
async fn a_changed_slug_redirects_the_old_url_permanently() {
    let (app, section) = newsroom().await;
    let article = app.published(section, "عنوان قديم", json!({})).await;
    let changed = json_of(
        patch(
            &app,
            &app.admin_token,
            &article["id"],
            json!({"slug": "عنوان-جديد"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["slug"], "عنوان-جديد");
    let old = app
        .get(&format!("/api/v1/articles/{}?utm=x", encode("عنوان-قديم")))
        .await;
    assert_eq!(old.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        old.headers()["location"],
        format!("/api/v1/articles/{}?utm=x", encode("عنوان-جديد"))
    );
    // Following it arrives at the article.
    let followed = json_of(
        app.get(old.headers()["location"].to_str().unwrap()).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(followed["id"], article["id"]);
    // A second rename: both older slugs lead to the newest.
    patch(
        &app,
        &app.admin_token,
        &article["id"],
        json!({"slug": "الأحدث"}),
    )
    .await;
    for old in ["عنوان-قديم", "عنوان-جديد"] {
        let response = app.get(&format!("/api/v1/articles/{}", encode(old))).await;
        assert_eq!(
            response.headers()["location"],
            format!("/api/v1/articles/{}", encode("الأحدث")),
            "{old}"
        );
    }
}

#[actix_web::test]
async fn unpublished_articles_are_404_to_readers_and_other_authors() {
    let (app, section) = newsroom().await;
    let author = app.staff("author").await;
    let other = app.staff("author").await;
    let editor = app.staff("editor").await;
    let draft = app
        .article(&author.token, section, "مسودة سرية", json!({}))
        .await;
    let path = format!("/api/v1/articles/{}", draft["id"]);
    let by_slug = format!(
        "/api/v1/articles/{}",
        encode(draft["slug"].as_str().unwrap())
    );
    assert_problem(app.get(&path).await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get(&by_slug).await, StatusCode::NOT_FOUND).await;
    assert_problem(app.get_as(&path, &other.token).await, StatusCode::NOT_FOUND).await;
    assert_eq!(
        app.get_as(&path, &author.token).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_as(&path, &editor.token).await.status(),
        StatusCode::OK
    );
    let list = json_of(app.get("/api/v1/articles").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 0);
    // Writes by someone who cannot see it: 404 too, and nothing changes.
    assert_problem(
        patch(&app, &other.token, &draft["id"], json!({"title": "x"})).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.send(Method::DELETE, &path, Some(&other.token), None)
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(
        json_of(app.get_as(&path, &author.token).await, StatusCode::OK).await["title"],
        "مسودة سرية"
    );
}

#[actix_web::test]
async fn authors_submit_for_review_and_editors_publish() {
    let (app, section) = newsroom().await;
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let body = json!({"title": "خبر", "body": "نص", "section_id": section, "status": "published"});
    assert_problem(
        app.send(
            Method::POST,
            "/api/v1/articles",
            Some(&author.token),
            Some(&body),
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let draft = app
        .article(&author.token, section, "خبر عاجل", json!({}))
        .await;
    let id = &draft["id"];
    assert_problem(
        patch(&app, &author.token, id, json!({"status": "published"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        patch(&app, &author.token, id, json!({"status": "archived"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let review = json_of(
        patch(&app, &author.token, id, json!({"status": "review"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(review["status"], "review");
    assert_eq!(review["published_at"], Value::Null);

    let published = json_of(
        patch(&app, &editor.token, id, json!({"status": "published"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(published["status"], "published");
    let stamped = published["published_at"].as_str().unwrap();
    assert!(stamped.ends_with('Z') && stamped.len() == 20, "{stamped}");
    assert_eq!(
        json_of(
            app.get(&format!("/api/v1/articles/{id}")).await,
            StatusCode::OK
        )
        .await["status"],
        "published"
    );

    // Once published, it is the editors': the author can no longer change or delete it.
    assert_problem(
        patch(&app, &author.token, id, json!({"title": "تعديل"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/articles/{id}"),
            Some(&author.token),
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;

    let archived = json_of(
        patch(&app, &editor.token, id, json!({"status": "archived"})).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        archived["published_at"], published["published_at"],
        "archiving keeps the date"
    );
    assert_problem(
        app.get(&format!("/api/v1/articles/{id}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn authors_cannot_touch_other_authors_articles() {
    let (app, section) = newsroom().await;
    let author = app.staff("author").await;
    let other = app.staff("author").await;
    let theirs = app.published(section, "مقال منشور", json!({})).await;
    assert_problem(
        patch(&app, &author.token, &theirs["id"], json!({"title": "x"})).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        app.send(
            Method::DELETE,
            &format!("/api/v1/articles/{}", theirs["id"]),
            Some(&author.token),
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let own = app
        .article(&other.token, section, "مسودتي", json!({}))
        .await;
    let path = format!("/api/v1/articles/{}", own["id"]);
    assert_eq!(
        app.send(Method::DELETE, &path, Some(&other.token), None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get_as(&path, &app.admin_token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn every_role_against_every_article_write() {
    let (app, section) = newsroom().await;
    let author = app.staff("author").await;
    let editor = app.staff("editor").await;
    let create = json!({"title": "عنوان", "body": "نص", "section_id": section});
    assert_problem(
        app.send(Method::POST, "/api/v1/articles", None, Some(&create))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    for token in [&author.token, &editor.token, &app.admin_token] {
        assert_eq!(
            app.send(Method::POST, "/api/v1/articles", Some(token), Some(&create))
                .await
                .status(),
            StatusCode::CREATED
        );
    }
    let target = app.published(section, "هدف", json!({})).await;
    let path = format!("/api/v1/articles/{}", target["id"]);
    assert_problem(
        app.send(Method::PATCH, &path, None, Some(&json!({"title": "x"})))
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_problem(
        app.send(Method::DELETE, &path, None, None).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        patch(
            &app,
            &editor.token,
            &target["id"],
            json!({"title": "تعديل المحرر"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        patch(
            &app,
            &app.admin_token,
            &target["id"],
            json!({"title": "تعديل المدير"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        app.send(Method::DELETE, &path, Some(&editor.token), None)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
}

#[actix_web::test]
async fn scheduled_articles_appear_at_their_time_without_any_job() {
    let (app, section) = newsroom().await;
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(3)).to_rfc3339();
    let scheduled = app
        .published(section, "خبر مجدول", json!({"published_at": soon}))
        .await;
    let far = app
        .published(
            section,
            "خبر بعيد",
            json!({"published_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
    let path = format!("/api/v1/articles/{}", scheduled["id"]);
    assert_problem(app.get(&path).await, StatusCode::NOT_FOUND).await;
    assert_eq!(
        json_of(app.get("/api/v1/articles").await, StatusCode::OK).await["meta"]["total"],
        0
    );
    let staff = json_of(
        app.get_as("/api/v1/articles?status=scheduled", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(staff["meta"]["total"], 2);

    tokio::time::sleep(Duration::from_millis(3500)).await;
    assert_eq!(app.get(&path).await.status(), StatusCode::OK);
    let list = json_of(app.get("/api/v1/articles").await, StatusCode::OK).await;
    assert_eq!(list["meta"]["total"], 1);
    assert_eq!(list["data"][0]["id"], scheduled["id"]);
    assert_problem(
        app.get(&format!("/api/v1/articles/{}", far["id"])).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn reads_carry_etags_and_public_or_private_cache_control() {
    let (app, section) = newsroom().await;
    let article = app.published(section, "خبر", json!({})).await;
    for path in [
        format!("/api/v1/articles/{}", article["id"]),
        "/api/v1/articles".to_owned(),
        "/api/v1/tags".to_owned(),
    ] {
        let anonymous = app.get(&path).await;
        assert_eq!(
            anonymous.headers()["cache-control"],
            "public, max-age=60",
            "{path}"
        );
        let etag = anonymous.headers()["etag"].to_str().unwrap().to_owned();
        let revalidated = app
            .request(Method::GET, &path)
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert!(revalidated.bytes().await.unwrap().is_empty());
        let staff = app.get_as(&path, &app.admin_token).await;
        assert_eq!(
            staff.headers()["cache-control"],
            "private, no-store",
            "{path}"
        );
    }
    // A change makes the old ETag stale.
    let path = format!("/api/v1/articles/{}", article["id"]);
    let etag = app.get(&path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    patch(
        &app,
        &app.admin_token,
        &article["id"],
        json!({"title": "خبر معدل"}),
    )
    .await;
    let after = app
        .request(Method::GET, &path)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), StatusCode::OK);
}

#[actix_web::test]
async fn a_stale_if_match_writes_nothing() {
    let (app, section) = newsroom().await;
    let article = app.published(section, "الأصل", json!({})).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let etag = app.get_as(&path, &app.admin_token).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let first = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .json(&json!({"title": "التعديل الأول"}))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    let second = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .json(&json!({"title": "التعديل الثاني"}))
        .send()
        .await
        .unwrap();
    assert_problem(second, StatusCode::PRECONDITION_FAILED).await;
    let delete = app
        .request(Method::DELETE, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .send()
        .await
        .unwrap();
    assert_problem(delete, StatusCode::PRECONDITION_FAILED).await;
    let now = json_of(app.get(&path).await, StatusCode::OK).await;
    assert_eq!(now["title"], "التعديل الأول");
    let malformed = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", "no-quotes")
        .json(&json!({"title": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(malformed, StatusCode::BAD_REQUEST).await;
    // A body the document refuses is refused as invalid whatever the If-Match says: the
    // client learns what to fix before it learns to re-read.
    let bad_slug = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.admin_token)
        .header("if-match", &etag)
        .json(&json!({"slug": "AAA"}))
        .send()
        .await
        .unwrap();
    assert_problem_type(bad_slug, "validation-failed").await;
}

#[actix_web::test]
async fn hostile_markdown_is_sanitized() {
    let (app, section) = newsroom().await;
    let body = "فقرة.\n\n<script>alert('x')</script>\n\n<img src=x onerror=alert(1)>\n\n[اضغط](javascript:alert(1)) و[رابط](https://example.com)\n\n<a href=\"data:text/html,x\">x</a>\n\n<iframe src=\"https://evil.example\"></iframe>";
    let article = app.published(section, "خبيث", json!({"body": body})).await;
    let html = article["body_html"].as_str().unwrap().to_lowercase();
    for forbidden in ["<script", "onerror", "javascript:", "data:", "<iframe"] {
        assert!(!html.contains(forbidden), "{forbidden} in {html}");
    }
    assert!(
        html.contains(r#"<a href="https://example.com" rel="noopener noreferrer">"#),
        "{html}"
    );
    assert_eq!(article["body"], body, "the source is kept as written");
    assert!(!article["excerpt"].as_str().unwrap().contains('<'));
}

#[actix_web::test]
async fn excerpts_are_derived_until_one_is_given() {
    let (app, section) = newsroom().await;
    let article = app
        .published(section, "مقتطف", json!({"body": "جملة أولى. جملة ثانية."}))
        .await;
    assert_eq!(article["excerpt"], "جملة أولى. جملة ثانية.");
    let changed = json_of(
        patch(
            &app,
            &app.admin_token,
            &article["id"],
            json!({"body": "نص جديد تماما."}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(changed["excerpt"], "نص جديد تماما.");
    let custom = json_of(
        patch(
            &app,
            &app.admin_token,
            &article["id"],
            json!({"excerpt": "ملخص المحرر"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(custom["excerpt"], "ملخص المحرر");
    let body_again = json_of(
        patch(
            &app,
            &app.admin_token,
            &article["id"],
            json!({"body": "نص ثالث."}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        body_again["excerpt"], "ملخص المحرر",
        "a given excerpt stays"
    );
    let derived = json_of(
        patch(
            &app,
            &app.admin_token,
            &article["id"],
            json!({"excerpt": null}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(derived["excerpt"], "نص ثالث.");
}

#[actix_web::test]
async fn nullable_fields_clear_with_null_and_stay_when_absent() {
    let (app, section) = newsroom().await;
    let article = app.published(section, "صورة", json!({"featured_image": {"url": "https://x.example/a.jpg"}, "meta_description": "وصف"})).await;
    let kept = json_of(
        patch(
            &app,
            &app.admin_token,
            &article["id"],
            json!({"title": "صورة 2"}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(kept["featured_image"]["url"], "https://x.example/a.jpg");
    assert_eq!(kept["meta_description"], "وصف");
    let cleared = json_of(
        patch(
            &app,
            &app.admin_token,
            &article["id"],
            json!({"featured_image": null, "meta_description": null, "comments_open": false}),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(cleared["featured_image"], Value::Null);
    assert_eq!(cleared["meta_description"], Value::Null);
    assert_eq!(cleared["comments_open"], false);
}

#[actix_web::test]
async fn bad_article_input_is_refused_field_by_field_and_nothing_is_written() {
    let (app, section) = newsroom().await;
    let base = json!({"title": "عنوان", "body": "نص", "section_id": section});
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let without = |field: &str| {
        let mut body = base.clone();
        body.as_object_mut().unwrap().remove(field);
        body
    };
    let cases = [
        (with("title", json!("")), "title"),
        (with("title", json!("ع".repeat(301))), "title"),
        (with("title", json!(12)), "title"),
        (without("title"), "title"),
        (with("body", json!("")), "body"),
        (without("body"), "body"),
        (with("section_id", json!(999)), "section_id"),
        (with("section_id", json!("العالم")), "section_id"),
        (without("section_id"), "section_id"),
        (with("slug", json!("ليس slug صالح")), "slug"),
        (with("slug", json!("12345")), "slug"),
        (with("lang", json!("arabic")), "lang"),
        (with("lang", json!("en_US")), "lang"),
        (with("status", json!("live")), "status"),
        (
            with("featured_image", json!({"url": "javascript:alert(1)"})),
            "featured_image.url",
        ),
        (
            with("featured_image", json!({"url": "not a url"})),
            "featured_image.url",
        ),
        (
            with("featured_image", json!({"url": "/relative.jpg"})),
            "featured_image.url",
        ),
        (
            with(
                "featured_image",
                json!({"url": "https://x.example/a.jpg", "alt": "a".repeat(301)}),
            ),
            "featured_image.alt",
        ),
        (
            with(
                "featured_image",
                json!({"url": "https://x.example/a.jpg", "width": 5}),
            ),
            "featured_image.width",
        ),
        (
            with(
                "tags",
                json!((0..21).map(|n| format!("t{n}")).collect::<Vec<_>>()),
            ),
            "tags",
        ),
        (with("tags", json!(["  "])), "tags"),
        (with("tags", json!(["t".repeat(51)])), "tags"),
        (with("tags", json!("اليابان")), "tags"),
        (with("excerpt", json!("e".repeat(1001))), "excerpt"),
        (with("meta_title", json!("m".repeat(201))), "meta_title"),
        (
            with("meta_description", json!("m".repeat(501))),
            "meta_description",
        ),
        (with("published_at", json!("tomorrow")), "published_at"),
        (with("comments_open", json!("yes")), "comments_open"),
        (with("author_id", json!(1)), "author_id"),
    ];
    for (body, field) in cases {
        let problem = assert_problem(
            app.send(
                Method::POST,
                "/api/v1/articles",
                Some(&app.admin_token),
                Some(&body),
            )
            .await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    let all = json_of(
        app.get_as("/api/v1/articles?status=any", &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(all["meta"]["total"], 0, "nothing was created");

    let article = app.published(section, "ثابت", json!({"tags": ["أ"]})).await;
    for (body, field) in [
        (json!({"title": ""}), "title"),
        (json!({"body": ""}), "body"),
        (json!({"section_id": 4242}), "section_id"),
        (json!({"lang": "xx-invalid-tag-1234567890"}), "lang"),
        (json!({"status": "gone"}), "status"),
        (json!({"tags": [" "]}), "tags"),
        (
            json!({"featured_image": {"url": "ftp://x.example/a.jpg"}}),
            "featured_image.url",
        ),
        (json!({"slug": "Bad Slug"}), "slug"),
        (json!({"unknown": true}), "unknown"),
    ] {
        let problem = assert_problem(
            patch(&app, &app.admin_token, &article["id"], body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(problem["errors"][field].is_array(), "{field}: {problem}");
    }
    let unchanged = json_of(
        app.get(&format!("/api/v1/articles/{}", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(unchanged, article);
}

#[actix_web::test]
async fn lists_filter_by_section_with_children_tag_author_dates_and_sort() {
    let app = spawn_app().await;
    let economy = app.section("الاقتصاد", None).await["id"].as_i64().unwrap();
    let banks = app.section("البنوك", Some(economy)).await["id"]
        .as_i64()
        .unwrap();
    let world = app.section("العالم", None).await["id"].as_i64().unwrap();
    let editor = app.staff("editor").await;
    let a = app
        .published(
            economy,
            "ألف",
            json!({"tags": ["الأمن"], "published_at": "2026-01-01T00:00:00Z"}),
        )
        .await;
    let b = app
        .published(
            banks,
            "باء",
            json!({"tags": ["الامن", "بنوك"], "published_at": "2026-02-01T00:00:00Z"}),
        )
        .await;
    let c = app
        .article(
            &editor.token,
            world,
            "جيم",
            json!({"status": "published", "published_at": "2026-03-01T00:00:00Z"}),
        )
        .await;
    let app_ref = &app;
    let get = |query: String| {
        let app = app_ref;
        let path = format!("/api/v1/articles?{query}");
        async move { json_of(app.get(&path).await, StatusCode::OK).await }
    };
    let (a, b, c) = (
        a["id"].as_i64().unwrap(),
        b["id"].as_i64().unwrap(),
        c["id"].as_i64().unwrap(),
    );
    assert_eq!(ids(&get(String::new()).await), [c, b, a], "newest first");
    assert_eq!(ids(&get("sort=published_at".into()).await), [a, b, c]);
    assert_eq!(ids(&get("sort=title".into()).await), [a, b, c]);
    assert_eq!(
        ids(&get(format!("section={economy}")).await),
        [b, a],
        "children included"
    );
    assert_eq!(
        ids(&get(format!("section={}", encode("البنوك"))).await),
        [b]
    );
    assert_eq!(
        ids(&get(format!("section={}", encode("لا-يوجد"))).await),
        Vec::<i64>::new()
    );
    assert_eq!(
        ids(&get(format!("tag={}", encode("الأمن"))).await),
        [b, a],
        "tags compare normalized"
    );
    assert_eq!(ids(&get(format!("tag={}", encode("بنوك"))).await), [b]);
    assert_eq!(ids(&get(format!("author={}", editor.id)).await), [c]);
    assert_eq!(
        ids(&get(
            "published_after=2026-01-15T00:00:00Z&published_before=2026-02-15T00:00:00Z".into()
        )
        .await),
        [b]
    );
    let listed = get("per_page=1".into()).await;
    assert!(
        listed["data"][0].get("body").is_none(),
        "lists carry no bodies"
    );
    assert!(listed["data"][0].get("body_html").is_none());

    let tags = without_ids(json_of(app.get("/api/v1/tags").await, StatusCode::OK).await);
    assert_eq!(
        tags["data"][0],
        json!({"name": "الأمن", "slug": "الأمن", "url": null, "article_count": 2})
    );
    assert_eq!(tags["meta"]["total"], 2);

    for bad in [
        "sort=popular",
        "published_after=yesterday",
        "status=secret",
        "author=abc",
        "per_page=1000",
    ] {
        assert_problem(
            app.get(&format!("/api/v1/articles?{bad}")).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
}

#[actix_web::test]
async fn staff_list_by_status_and_authors_see_only_their_own_drafts() {
    let (app, section) = newsroom().await;
    let author = app.staff("author").await;
    let other = app.staff("author").await;
    app.article(&author.token, section, "مسودتي", json!({}))
        .await;
    app.article(&other.token, section, "مسودة غيري", json!({}))
        .await;
    app.published(section, "منشور", json!({})).await;
    let total = |token: String, query: &'static str| {
        let app = &app;
        async move {
            json_of(
                app.get_as(&format!("/api/v1/articles?{query}"), &token)
                    .await,
                StatusCode::OK,
            )
            .await["meta"]["total"]
                .clone()
        }
    };
    assert_eq!(total(app.admin_token.clone(), "status=draft").await, 2);
    assert_eq!(total(app.admin_token.clone(), "status=any").await, 3);
    assert_eq!(
        total(app.admin_token.clone(), "").await,
        1,
        "default is the readers' view"
    );
    assert_eq!(total(author.token.clone(), "status=draft").await, 1);
    assert_eq!(total(author.token.clone(), "status=any").await, 2);
    assert_problem(
        app.get("/api/v1/articles?status=draft").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(
        json_of(
            app.get("/api/v1/articles?status=published").await,
            StatusCode::OK
        )
        .await["meta"]["total"],
        1
    );
}

#[actix_web::test]
async fn a_bad_token_on_a_public_route_is_401_not_anonymous() {
    let (app, section) = newsroom().await;
    let article = app.published(section, "عام", json!({})).await;
    for path in [
        "/api/v1/articles".to_owned(),
        format!("/api/v1/articles/{}", article["id"]),
        "/api/v1/sections".to_owned(),
        "/api/v1/tags".to_owned(),
    ] {
        let response = app
            .request(Method::GET, &path)
            .bearer_auth("expired.or.forged")
            .send()
            .await
            .unwrap();
        assert_problem(response, StatusCode::UNAUTHORIZED).await;
    }
}

#[actix_web::test]
async fn tags_that_normalize_alike_are_merged_into_the_first_spelling() {
    let (app, section) = newsroom().await;
    let article = app
        .published(
            section,
            "وسوم",
            json!({"tags": [" الأمن ", "الامن", "Rust", "RUST", "ـــ"]}),
        )
        .await;
    assert_eq!(article["tags"], json!(["الأمن", "Rust"]));
}

#[actix_web::test]
async fn tags_are_shared_and_counted_over_visible_articles_only() {
    let (app, section) = newsroom().await;
    app.published(section, "أ", json!({"tags": ["اليابان"]}))
        .await;
    app.published(section, "ب", json!({"tags": ["اليابان", "الصين"]}))
        .await;
    app.article(
        &app.admin_token.clone(),
        section,
        "مسودة",
        json!({"tags": ["الصين", "سري"]}),
    )
    .await;
    let tags = without_ids(json_of(app.get("/api/v1/tags").await, StatusCode::OK).await);
    assert_eq!(
        tags["data"],
        json!([
            {"name": "اليابان", "slug": "اليابان", "url": null, "article_count": 2},
            {"name": "الصين", "slug": "الصين", "url": null, "article_count": 1},
        ])
    );
}

/// A page of tags without their ids (which depend on the order tags were first written).
fn without_ids(mut page: Value) -> Value {
    for tag in page["data"].as_array_mut().unwrap() {
        assert!(tag["id"].is_i64(), "{tag}");
        tag.as_object_mut().unwrap().remove("id");
    }
    page
}

#[actix_web::test]
async fn articles_written_at_once_may_introduce_the_same_new_tag() {
    let (app, section) = newsroom().await;
    let creates = (0..8).map(|n| {
        let request = app
            .request(Method::POST, "/api/v1/articles")
            .bearer_auth(&app.admin_token)
            .json(&json!({"title": format!("متزامن {n}"), "body": "نص", "section_id": section, "tags": ["وسم جديد", format!("خاص {n}")]}));
        async move { request.send().await.unwrap().status() }
    });
    let statuses = futures_util::future::join_all(creates).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    let tags = json_of(
        app.get_as(
            "/api/v1/articles?status=any&tag=%D9%88%D8%B3%D9%85%20%D8%AC%D8%AF%D9%8A%D8%AF",
            &app.admin_token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(tags["meta"]["total"], 8);
}

#[actix_web::test]
async fn articles_written_at_once_with_one_title_get_distinct_slugs() {
    let (app, section) = newsroom().await;
    let creates = (0..8).map(|_| {
        let request = app
            .request(Method::POST, "/api/v1/articles")
            .bearer_auth(&app.admin_token)
            .json(&json!({"title": "عنوان واحد", "body": "نص", "section_id": section}));
        async move { request.send().await.unwrap() }
    });
    let mut slugs = Vec::new();
    for response in futures_util::future::join_all(creates).await {
        slugs.push(
            json_of(response, StatusCode::CREATED).await["slug"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 8, "{slugs:?}");
}
