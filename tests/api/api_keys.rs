//! Scoped API keys (issue 21): a key acts for the admin who created it, never beyond its
//! scopes nor its creator's current role; its secret is shown once and only hashed; a
//! revocation or an expiry holds at once; each key has its own rate limit.

use std::time::Duration;

use reqwest::{Method, StatusCode, multipart};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, TestData, assert_problem, assert_problem_type, json_of, spawn_app, spawn_app_in,
};

/// Creates a key as `token` (an admin); the 201 answer, secret included.
pub async fn create_key(app: &TestApp, token: &str, scopes: &[&str], extra: Value) -> Value {
    let mut body = json!({"name": format!("key for {}", scopes.join(" ")), "scopes": scopes});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            body.insert(k.clone(), v.clone());
        }
    }
    json_of(
        app.send(Method::POST, "/api/v1/api-keys", Some(token), Some(&body))
            .await,
        StatusCode::CREATED,
    )
    .await
}

/// Creates a key as the first admin; its secret.
pub async fn secret_for(app: &TestApp, scopes: &[&str]) -> String {
    let token = app.admin_token.clone();
    let key = create_key(app, &token, scopes, json!({})).await;
    key["secret"].as_str().unwrap().to_owned()
}

/// The number of keys the admin sees listed.
async fn key_count(app: &TestApp) -> i64 {
    json_of(
        app.get_as("/api/v1/api-keys", &app.admin_token).await,
        StatusCode::OK,
    )
    .await["meta"]["total"]
        .as_i64()
        .unwrap()
}

/// Every value of `column` in `table`, as text (NULLs left out), read behind the server's back.
pub fn column_values(data: &TestData, table: &str, column: &str) -> Vec<String> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Cell {
        #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
        v: Option<String>,
    }
    let url = sahifa::config::DatabaseUrl::parse(&data.database_url).unwrap();
    let mut conn = sahifa::db::ConnectionManager::new(url)
        .connect_now()
        .unwrap();
    diesel::sql_query(format!("SELECT CAST({column} AS TEXT) AS v FROM {table}"))
        .load::<Cell>(&mut conn)
        .unwrap()
        .into_iter()
        .filter_map(|cell| cell.v)
        .collect()
}

const API_KEY_COLUMNS: [&str; 11] = [
    "id",
    "name",
    "prefix",
    "secret_hash",
    "scopes",
    "rate_limit",
    "created_by",
    "created_at",
    "expires_at",
    "last_used_at",
    "revoked_at",
];

/// A response that was not refused for want of a scope (any other answer is fine).
async fn assert_not_scope_refused(response: reqwest::Response, what: &str) -> StatusCode {
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(
        !text.contains("/problems/scope-required"),
        "{what}: refused for its scope: {status} {text}"
    );
    status
}

#[actix_web::test]
async fn every_write_endpoint_refuses_a_key_without_its_scope() {
    let app = spawn_app().await;
    let content_read = secret_for(&app, &["content:read"]).await;
    let media_write = secret_for(&app, &["media:write"]).await;
    let content_write = secret_for(&app, &["content:write"]).await;

    let document = json_of(app.get("/openapi.json").await, StatusCode::OK).await;
    let mut checked = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/auth/") {
            continue;
        }
        for (method, _) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let url = fill_path_params(path);
            // `content:read` covers no write; `media:write` covers no content write, and
            // `content:write` no media write.
            let other = if path.starts_with("/api/v1/media") {
                &content_write
            } else {
                &media_write
            };
            for secret in [&content_read, other] {
                let response = app
                    .send(method.clone(), &url, Some(secret), Some(&json!({})))
                    .await;
                let status = response.status();
                let text = response.text().await.unwrap();
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {url} with a key lacking its scope: {text}"
                );
                let body: Value = serde_json::from_str(&text).unwrap();
                assert_eq!(
                    body["type"], "/problems/scope-required",
                    "{method} {url}: {body}"
                );
            }
            checked.push(format!("{method} {path}"));
        }
    }
    // The document lists the write endpoints this test is about (and the new ones too).
    for expected in [
        "POST /api/v1/articles",
        "PATCH /api/v1/articles/{id}",
        "DELETE /api/v1/articles/{id}",
        "POST /api/v1/articles/{id}/comments",
        "POST /api/v1/sections",
        "POST /api/v1/pages",
        "POST /api/v1/media",
        "PATCH /api/v1/comments/{id}",
        "POST /api/v1/comments/bulk",
        "POST /api/v1/webhooks",
        "POST /api/v1/users",
        "POST /api/v1/jobs/{id}/retry",
        "POST /api/v1/api-keys",
        "DELETE /api/v1/api-keys/{id}",
    ] {
        assert!(
            checked.iter().any(|c| c == expected),
            "{expected} not in the document: {checked:?}"
        );
    }
}

#[actix_web::test]
async fn every_endpoint_refuses_a_bad_or_revoked_key() {
    let app = spawn_app().await;
    let key = create_key(&app, &app.admin_token.clone(), &["admin"], json!({})).await;
    let revoked = key["secret"].as_str().unwrap().to_owned();
    json_of(
        app.send(
            Method::DELETE,
            &format!("/api/v1/api-keys/{}", key["id"]),
            Some(&app.admin_token),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let garbage = "sk_live_xxx".to_owned();

    let document = json_of(app.get("/openapi.json").await, StatusCode::OK).await;
    let mut checked = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") {
            continue;
        }
        for (method, operation) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            // Session endpoints that take no bearer token (logging in) ignore the header.
            if path.starts_with("/api/v1/auth/")
                && method == Method::POST
                && !path.ends_with("/password")
            {
                continue;
            }
            // Required query parameters are given, so that only the key can be wrong.
            let query: Vec<String> = operation["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["in"] == "query" && p["required"] == true)
                .map(|p| format!("{}=1", p["name"].as_str().unwrap()))
                .collect();
            let mut url = fill_path_params(path);
            if !query.is_empty() {
                url = format!("{url}?{}", query.join("&"));
            }
            for secret in [&garbage, &revoked] {
                let body = (method != Method::GET).then(|| json!({}));
                let response = app
                    .send(method.clone(), &url, Some(secret), body.as_ref())
                    .await;
                let status = response.status();
                // Never wait on an endless answer (a stream served to a bad key).
                let text = tokio::time::timeout(Duration::from_secs(10), response.text())
                    .await
                    .map(|t| t.unwrap_or_default())
                    .unwrap_or_else(|_| "(no end to the body)".into());
                assert_eq!(
                    status,
                    StatusCode::UNAUTHORIZED,
                    "{method} {url} with a bad key: {text}"
                );
                assert!(
                    text.contains("/problems/invalid-token"),
                    "{method} {url}: {text}"
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 40, "{checked} operations");
}

/// `/api/v1/things/{id}/more/{delivery}` → `/api/v1/things/999999/more/999999`.
fn fill_path_params(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            if segment.starts_with('{') && segment.ends_with('}') {
                "999999"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[actix_web::test]
async fn a_key_with_the_scope_is_let_through() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();

    let content_write = secret_for(&app, &["content:write"]).await;
    let created = app
        .send(
            Method::POST,
            "/api/v1/articles",
            Some(&content_write),
            Some(&json!({"title": "عبر المفتاح", "body": "نص.", "section_id": section})),
        )
        .await;
    assert_eq!(
        assert_not_scope_refused(created, "content:write POST /articles").await,
        StatusCode::CREATED
    );

    let media_write = secret_for(&app, &["media:write"]).await;
    let form = multipart::Form::new().part(
        "file",
        multipart::Part::bytes(b"not really an image".to_vec()).file_name("x.png"),
    );
    let upload = app
        .request(Method::POST, "/api/v1/media")
        .bearer_auth(&media_write)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_not_scope_refused(upload, "media:write POST /media").await;
    let listed = app.get_as("/api/v1/media", &media_write).await;
    assert_eq!(
        assert_not_scope_refused(listed, "media:write GET /media").await,
        StatusCode::OK
    );

    let moderate = secret_for(&app, &["comments:moderate"]).await;
    let patched = app
        .send(
            Method::PATCH,
            "/api/v1/comments/999999",
            Some(&moderate),
            Some(&json!({"status": "approved"})),
        )
        .await;
    assert_eq!(
        assert_not_scope_refused(patched, "comments:moderate PATCH /comments/{id}").await,
        StatusCode::NOT_FOUND
    );
    let queue = app.get_as("/api/v1/comments", &moderate).await;
    assert_eq!(
        assert_not_scope_refused(queue, "comments:moderate GET /comments").await,
        StatusCode::OK
    );

    let webhooks = secret_for(&app, &["webhooks:manage"]).await;
    let hooks = app.get_as("/api/v1/webhooks", &webhooks).await;
    assert_eq!(
        assert_not_scope_refused(hooks, "webhooks:manage GET /webhooks").await,
        StatusCode::OK
    );

    let admin = secret_for(&app, &["admin"]).await;
    for path in [
        "/api/v1/users",
        "/api/v1/api-keys",
        "/api/v1/jobs",
        "/api/v1/webhooks",
        "/api/v1/articles?status=any",
    ] {
        let response = app.get_as(path, &admin).await;
        assert_eq!(
            assert_not_scope_refused(response, &format!("admin GET {path}")).await,
            StatusCode::OK,
            "{path}"
        );
    }

    // Reads need their scope too.
    for (secret, path) in [
        (&webhooks, "/api/v1/articles"),
        (&webhooks, "/api/v1/media"),
        (&content_write, "/api/v1/users"),
        (&media_write, "/api/v1/webhooks"),
        (&moderate, "/api/v1/api-keys"),
        (&content_write, "/api/v1/comments"),
    ] {
        assert_problem_type(app.get_as(path, secret).await, "scope-required").await;
    }
}

#[actix_web::test]
async fn session_endpoints_refuse_keys_and_a_bad_key_is_refused() {
    let app = spawn_app().await;
    let admin = secret_for(&app, &["admin"]).await;
    assert_problem_type(
        app.get_as("/api/v1/auth/me", &admin).await,
        "scope-required",
    )
    .await;
    let change = app
        .send(
            Method::POST,
            "/api/v1/auth/password",
            Some(&admin),
            Some(&json!({"current_password": "x", "new_password": "a brand new password"})),
        )
        .await;
    assert_problem_type(change, "scope-required").await;
    let rename = app
        .send(
            Method::PATCH,
            "/api/v1/auth/me",
            Some(&admin),
            Some(&json!({"display_name": "مفتاح"})),
        )
        .await;
    assert_problem_type(rename, "scope-required").await;

    for garbage in [
        "sk_live_xxx",
        "sk_live_",
        "sk_live_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    ] {
        assert_problem_type(
            app.get_as("/api/v1/articles", garbage).await,
            "invalid-token",
        )
        .await;
    }
    // A key one character off is refused too.
    let mut altered = admin.clone();
    let last = altered.pop().unwrap();
    altered.push(if last == 'A' { 'B' } else { 'A' });
    assert_problem_type(app.get_as("/api/v1/users", &altered).await, "invalid-token").await;
}

#[actix_web::test]
async fn a_content_read_key_reads_drafts() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let token = app.admin_token.clone();
    let draft = app.article(&token, section, "مسودة", json!({})).await;
    assert_eq!(draft["status"], "draft", "{draft}");
    app.published(section, "منشور", json!({})).await;
    let path = format!("/api/v1/articles/{}", draft["id"]);

    let reader = secret_for(&app, &["content:read"]).await;
    let read = json_of(app.get_as(&path, &reader).await, StatusCode::OK).await;
    assert_eq!(read["id"], draft["id"]);
    let drafts = json_of(
        app.get_as("/api/v1/articles?status=draft", &reader).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(drafts["meta"]["total"], 1, "{drafts}");
    assert_eq!(drafts["data"][0]["id"], draft["id"]);

    assert_problem(app.get(&path).await, StatusCode::NOT_FOUND).await;

    // Reading is all it may do.
    let edit = app
        .send(
            Method::PATCH,
            &path,
            Some(&reader),
            Some(&json!({"title": "تعديل"})),
        )
        .await;
    assert_problem_type(edit, "scope-required").await;
    let unchanged = json_of(app.get_as(&path, &token).await, StatusCode::OK).await;
    assert_eq!(unchanged["title"], "مسودة");
}

#[actix_web::test]
async fn a_content_write_key_writes_as_its_creator() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let creator = app.staff("admin").await;
    let key = create_key(&app, &creator.token, &["content:write"], json!({})).await;
    assert_eq!(key["created_by"], creator.id, "{key}");
    let secret = key["secret"].as_str().unwrap();

    let article = app
        .article(secret, section, "كتبه المفتاح", json!({}))
        .await;
    assert_eq!(article["author"]["id"], creator.id, "{article}");

    // The key may edit and delete what it wrote.
    let path = format!("/api/v1/articles/{}", article["id"]);
    let edited = json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(secret),
            Some(&json!({"title": "عُدّل بالمفتاح"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(edited["title"], "عُدّل بالمفتاح");
}

#[actix_web::test]
async fn the_secret_is_shown_once_and_only_its_hash_is_kept() {
    let app = spawn_app().await;
    let key = create_key(
        &app,
        &app.admin_token.clone(),
        &["content:read", "media:write"],
        json!({"name": "بناء الموقع", "rate_limit_per_minute": 120}),
    )
    .await;
    let secret = key["secret"].as_str().unwrap().to_owned();
    let prefix = key["prefix"].as_str().unwrap().to_owned();
    assert!(
        prefix.starts_with("sk_live_") && prefix.len() > "sk_live_".len(),
        "{key}"
    );
    assert!(
        secret.starts_with(&prefix) && secret.len() > prefix.len() + 20,
        "{key}"
    );
    assert_eq!(key["name"], "بناء الموقع");
    assert_eq!(key["scopes"], json!(["content:read", "media:write"]));
    assert_eq!(key["rate_limit_per_minute"], 120);
    assert!(
        key["revoked_at"].is_null() && key["expires_at"].is_null(),
        "{key}"
    );
    assert!(key["last_used_at"].is_null(), "{key}");
    for field in ["id", "created_by", "created_at"] {
        assert!(!key[field].is_null(), "{field} in {key}");
    }

    // A second key gets another secret.
    let other = secret_for(&app, &["content:read"]).await;
    assert_ne!(other, secret);

    let path = format!("/api/v1/api-keys/{}", key["id"]);
    let read = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    assert!(read.get("secret").is_none(), "{read}");
    assert!(!read.to_string().contains(&secret), "{read}");
    assert_eq!(read["prefix"], prefix.as_str());
    let listed = json_of(
        app.get_as("/api/v1/api-keys", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["meta"]["total"], 2);
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k.get("secret").is_none()),
        "{listed}"
    );
    assert!(!listed.to_string().contains(&secret));
    assert!(!listed.to_string().contains(&other));

    // The database holds neither secret, in any column.
    for column in API_KEY_COLUMNS {
        for value in column_values(&app.data, "api_keys", column) {
            assert!(
                !value.contains(&secret) && !value.contains(&other),
                "api_keys.{column} holds a secret: {value}"
            );
        }
    }
    // And the key works.
    let used = app.get_as("/api/v1/media", &secret).await;
    assert_eq!(used.status(), StatusCode::OK);
    let read = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    assert!(
        !read["last_used_at"].is_null(),
        "last_used_at is set: {read}"
    );
}

#[actix_web::test]
async fn a_revoked_key_is_refused_at_once_on_every_instance() {
    let app = spawn_app().await;
    let key = create_key(&app, &app.admin_token.clone(), &["content:read"], json!({})).await;
    let secret = key["secret"].as_str().unwrap();
    let path = format!("/api/v1/api-keys/{}", key["id"]);
    let second = spawn_app_in(app.data.clone(), &[]).await;

    for instance in [&app, &second] {
        assert_eq!(
            instance.get_as("/api/v1/articles", secret).await.status(),
            StatusCode::OK
        );
    }
    let revoked = json_of(
        app.send(Method::DELETE, &path, Some(&app.admin_token), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(!revoked["revoked_at"].is_null(), "{revoked}");
    assert!(revoked.get("secret").is_none(), "{revoked}");
    for instance in [&app, &second] {
        assert_problem_type(
            instance.get_as("/api/v1/articles", secret).await,
            "invalid-token",
        )
        .await;
    }
    // Still listed, for the record; revoking again changes nothing.
    let again = json_of(
        second
            .send(Method::DELETE, &path, Some(&second.admin_token), None)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(again["revoked_at"], revoked["revoked_at"]);
    assert_eq!(key_count(&app).await, 1);
    assert_problem(
        app.send(
            Method::DELETE,
            "/api/v1/api-keys/999999",
            Some(&app.admin_token),
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn an_expired_key_is_refused() {
    let app = spawn_app().await;
    let expires = chrono::Utc::now() + chrono::Duration::seconds(2);
    let key = create_key(
        &app,
        &app.admin_token.clone(),
        &["content:read"],
        json!({"expires_at": expires.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)}),
    )
    .await;
    assert!(!key["expires_at"].is_null(), "{key}");
    let secret = key["secret"].as_str().unwrap();
    assert_eq!(
        app.get_as("/api/v1/articles", secret).await.status(),
        StatusCode::OK
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_problem_type(
        app.get_as("/api/v1/articles", secret).await,
        "invalid-token",
    )
    .await;
}

#[actix_web::test]
async fn each_key_has_its_own_rate_limit() {
    let app = spawn_app().await;
    let key = create_key(
        &app,
        &app.admin_token.clone(),
        &["content:read"],
        json!({"rate_limit_per_minute": 3}),
    )
    .await;
    assert_eq!(key["rate_limit_per_minute"], 3);
    let secret = key["secret"].as_str().unwrap();
    let other = secret_for(&app, &["content:read"]).await;
    for n in 1..=3 {
        assert_eq!(
            app.get_as("/api/v1/articles", secret).await.status(),
            StatusCode::OK,
            "request {n}"
        );
    }
    let limited = app.get_as("/api/v1/articles", secret).await;
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=60).contains(&retry_after),
        "Retry-After: {retry_after}"
    );
    assert_problem_type(limited, "rate-limited").await;
    // Another key, and the admin's own session, are not held back.
    assert_eq!(
        app.get_as("/api/v1/articles", &other).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_as("/api/v1/articles", &app.admin_token)
            .await
            .status(),
        StatusCode::OK
    );
}

#[actix_web::test]
async fn bad_input_and_non_admins_create_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token.clone();
    secret_for(&app, &["content:read"]).await;
    assert_eq!(key_count(&app).await, 1);
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    for body in [
        json!({"name": "x", "scopes": ["content:delete"]}),
        json!({"name": "x", "scopes": ["Admin"]}),
        json!({"name": "x", "scopes": []}),
        json!({"name": "", "scopes": ["content:read"]}),
        json!({"name": "x", "scopes": ["content:read"], "expires_at": past}),
        json!({"name": "x", "scopes": ["content:read"], "rate_limit_per_minute": 0}),
    ] {
        let response = app
            .send(Method::POST, "/api/v1/api-keys", Some(&admin), Some(&body))
            .await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}"
        );
        assert_problem_type(response, "validation-failed").await;
    }
    let missing = app
        .send(
            Method::POST,
            "/api/v1/api-keys",
            Some(&admin),
            Some(&json!({"name": "x"})),
        )
        .await;
    assert!(missing.status().is_client_error(), "{}", missing.status());
    assert_eq!(key_count(&app).await, 1);

    let body = json!({"name": "x", "scopes": ["admin"]});
    for role in ["author", "editor"] {
        let staff = app.staff(role).await;
        let response = app
            .send(
                Method::POST,
                "/api/v1/api-keys",
                Some(&staff.token),
                Some(&body),
            )
            .await;
        assert_problem_type(response, "role-required").await;
        assert_problem_type(
            app.get_as("/api/v1/api-keys", &staff.token).await,
            "role-required",
        )
        .await;
    }
    assert_problem_type(
        app.send(Method::POST, "/api/v1/api-keys", None, Some(&body))
            .await,
        "authentication-required",
    )
    .await;
    assert_problem_type(app.get("/api/v1/api-keys").await, "authentication-required").await;
    assert_eq!(key_count(&app).await, 1);
}

#[actix_web::test]
async fn a_key_never_does_more_than_its_creator_may() {
    let app = spawn_app().await;
    let creator = app.staff("admin").await;
    let key = create_key(&app, &creator.token, &["admin"], json!({})).await;
    let secret = key["secret"].as_str().unwrap();
    assert_eq!(
        app.get_as("/api/v1/users", secret).await.status(),
        StatusCode::OK
    );

    let user_path = format!("/api/v1/users/{}", creator.id);
    json_of(
        app.send(
            Method::PATCH,
            &user_path,
            Some(&app.admin_token),
            Some(&json!({"role": "editor"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_problem_type(app.get_as("/api/v1/users", secret).await, "role-required").await;
    assert_problem_type(
        app.get_as("/api/v1/api-keys", secret).await,
        "role-required",
    )
    .await;
    // It may still do what an editor may.
    assert_eq!(
        app.get_as("/api/v1/articles?status=any", secret)
            .await
            .status(),
        StatusCode::OK
    );

    // A deactivated creator's keys stop working altogether.
    json_of(
        app.send(
            Method::PATCH,
            &user_path,
            Some(&app.admin_token),
            Some(&json!({"role": "admin", "active": false})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_problem_type(
        app.get_as("/api/v1/articles", secret).await,
        "invalid-token",
    )
    .await;

    // Deleting the creator: either refused, or done with the keys gone — never a 500, and
    // never a key left working for nobody.
    let deleted = app
        .send(Method::DELETE, &user_path, Some(&app.admin_token), None)
        .await;
    let status = deleted.status();
    let text = deleted.text().await.unwrap();
    assert!(
        status == StatusCode::NO_CONTENT || status == StatusCode::CONFLICT,
        "deleting a key's creator: {status} {text}"
    );
    assert_problem_type(
        app.get_as("/api/v1/articles", secret).await,
        "invalid-token",
    )
    .await;
}
