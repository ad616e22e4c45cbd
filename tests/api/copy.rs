//! `sahifa copy`: a newsroom moves between stores with every row intact, and back.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestData, json_of, sahifa_command, spawn_app_in};

/// What two servers on copies of one newsroom must answer identically.
async fn snapshot(app: &TestApp) -> Vec<Value> {
    let mut views = Vec::new();
    for path in [
        "/api/v1/articles?status=any&per_page=100",
        "/api/v1/sections?per_page=100",
        "/api/v1/tags?per_page=100",
        "/api/v1/users?per_page=100",
        "/api/v1/comments?per_page=100",
        "/api/v1/articles?q=%D8%A7%D9%84%D8%AA%D8%B9%D8%A7%D9%88%D9%86",
        "/api/v1/articles/1/comments",
        "/api/v1/articles/1/related",
        "/api/v1/pages?status=any&per_page=100",
    ] {
        views.push(json_of(app.get_as(path, &app.admin_token).await, StatusCode::OK).await);
    }
    views
}

fn copy(from: &str, to: &str, data: &TestData) -> std::process::Output {
    sahifa_command(data)
        .args(["copy", "--from", from, "--to", to])
        .output()
        .unwrap()
}

#[actix_web::test]
async fn a_newsroom_round_trips_through_another_store_unchanged() {
    let source = TestData::new();
    let app = spawn_app_in(source.clone(), &[]).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let child = app.section("آسيا", Some(section)).await["id"]
        .as_i64()
        .unwrap();
    // A section whose parent has a higher id than itself.
    let late_parent = app.section("قسم لاحق", None).await["id"].as_i64().unwrap();
    app.send(
        Method::PATCH,
        &format!("/api/v1/sections/{section}"),
        Some(&app.admin_token),
        Some(&json!({"parent_id": late_parent})),
    )
    .await;
    // Pages, one inside a page with a higher id, with an old slug.
    let mut pages = Vec::new();
    for (title, menu_order) in [("الفريق", 0), ("من نحن", 1)] {
        let body =
            json!({"title": title, "body": "نص", "status": "published", "menu_order": menu_order});
        let created = app
            .send(
                Method::POST,
                "/api/v1/pages",
                Some(&app.admin_token),
                Some(&body),
            )
            .await;
        pages.push(json_of(created, StatusCode::CREATED).await);
    }
    let (team, about) = (&pages[0], &pages[1]);
    app.send(
        Method::PATCH,
        &format!("/api/v1/pages/{}", team["id"]),
        Some(&app.admin_token),
        Some(&json!({"parent_id": about["id"], "slug": "team"})),
    )
    .await;
    let author = app.staff("author").await;
    let article = app
        .published(
            child,
            "التعاون الإقليمي في آسيا",
            json!({"tags": ["آسيا", "التعاون"]}),
        )
        .await;
    app.article(
        &author.token,
        section,
        "مسودة الكاتب",
        json!({"tags": ["التعاون"]}),
    )
    .await;
    app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", article["id"]),
        Some(&app.admin_token),
        Some(&json!({"slug": "تعاون-آسيا"})),
    )
    .await;
    let comment = app.send(Method::POST, &format!("/api/v1/articles/{}/comments", article["id"]), None,
        Some(&json!({"author_name": "سارة", "author_email": "sara@example.com", "body": "تعليق"}))).await;
    let comment_id = comment.json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    app.send(
        Method::PATCH,
        &format!("/api/v1/comments/{comment_id}"),
        Some(&app.admin_token),
        Some(&json!({"status": "approved"})),
    )
    .await;
    let before = snapshot(&app).await;

    let middle = tempfile::tempdir().unwrap();
    let middle_url = format!("sqlite:{}", middle.path().join("copy.db").display());
    let out = copy(&source.database_url, &middle_url, &source);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("copied and verified"));
    let target = TestData::new();
    let out = copy(&middle_url, &target.database_url, &target);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let copied = spawn_app_in(target.clone(), &[]).await;
    assert_eq!(snapshot(&copied).await, before);
    // Old slugs, password hashes and sessions came along.
    let old = copied
        .get(&format!(
            "/api/v1/articles/{}",
            crate::helpers::encode("التعاون-الإقليمي-في-آسيا")
        ))
        .await;
    assert_eq!(old.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        copied.login(&author.email, &author.password).await.status(),
        StatusCode::OK
    );
    let refreshed = copied
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": author.refresh_token})),
        )
        .await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    // New rows get fresh ids above the copied ones.
    let next = copied.published(child, "خبر بعد النقل", json!({})).await;
    assert!(next["id"].as_i64().unwrap() > article["id"].as_i64().unwrap() + 1);

    // A second copy into a database that is no longer empty is refused and changes nothing.
    let out = copy(&middle_url, &target.database_url, &target);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("empty database"));
    let total = json_of(
        copied
            .get_as("/api/v1/articles?status=any", &copied.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(total["meta"]["total"], 3);
}

/// Every table of the store's schema is copied, or left out on purpose with a reason: a
/// table a later change adds cannot be silently left behind by `sahifa copy`.
#[test]
fn every_table_is_copied_or_left_out_on_purpose() {
    use sahifa::copy::{COPIED, EXCLUDED};
    let data = TestData::new();
    let url = sahifa::config::DatabaseUrl::parse(&data.database_url).unwrap();
    let (store, _) = sahifa::db::Store::open(&url, 1, std::time::Duration::from_secs(10)).unwrap();
    let mut conn = store.connection().unwrap();
    let tables = sahifa::db::table_names(&mut conn).unwrap();
    assert!(tables.iter().any(|t| t == "articles"), "{tables:?}");
    let excluded = |table: &str| {
        EXCLUDED
            .iter()
            .any(|(name, _)| match name.strip_suffix('*') {
                Some(prefix) => table.starts_with(prefix),
                None => table == *name,
            })
    };
    let neither: Vec<&String> = tables
        .iter()
        .filter(|t| !COPIED.contains(&t.as_str()) && !excluded(t))
        .collect();
    assert!(
        neither.is_empty(),
        "tables neither copied nor excluded by `sahifa copy` (src/copy.rs): {neither:?}"
    );
    for copied in COPIED {
        assert!(
            tables.iter().any(|t| t == copied),
            "{copied} is not a table"
        );
        assert!(!excluded(copied), "{copied} is both copied and excluded");
    }
}
