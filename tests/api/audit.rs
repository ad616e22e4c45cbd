//! The audit trail (issue 21): every staff write and every security event, with who, which
//! operation, on what, the names (never the values) of the fields set, from where and under
//! which request id. Read-only, for admins.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::api_keys::{column_values, create_key, secret_for};
use crate::helpers::{TestApp, assert_problem, assert_problem_type, json_of, spawn_app_with};

const AUDIT_COLUMNS: [&str; 11] = [
    "id",
    "at",
    "actor_user_id",
    "actor_key_id",
    "action",
    "resource_type",
    "resource_id",
    "fields",
    "outcome",
    "client_ip",
    "request_id",
];

async fn newsroom() -> TestApp {
    spawn_app_with(&[("SAHIFA_COMMENT_RATE_PER_IP", "1000")]).await
}

/// One page of `/audit?{query}`, as the admin.
async fn audit(app: &TestApp, query: &str) -> Value {
    json_of(
        app.get_as(&format!("/api/v1/audit?{query}"), &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await
}

/// The entries of `/audit?{query}` (first page of up to 100).
async fn entries(app: &TestApp, query: &str) -> Vec<Value> {
    let page = audit(app, &format!("per_page=100&{query}")).await;
    page["data"].as_array().unwrap().clone()
}

/// Every entry, every page, as one JSON text.
async fn whole_trail(app: &TestApp) -> String {
    let mut all = Vec::new();
    for page in 1u32.. {
        let body = audit(app, &format!("per_page=100&page={page}")).await;
        all.extend(body["data"].as_array().unwrap().iter().cloned());
        if u64::from(page) >= body["meta"]["total_pages"].as_u64().unwrap() {
            break;
        }
    }
    assert!(!all.is_empty());
    Value::from(all).to_string()
}

/// Every cell of the audit_log table, read behind the server's back.
fn whole_table(app: &TestApp) -> String {
    AUDIT_COLUMNS
        .iter()
        .flat_map(|column| column_values(&app.data, "audit_log", column))
        .collect::<Vec<_>>()
        .join("\n")
}

fn total_of(page: &Value) -> u64 {
    page["meta"]["total"].as_u64().unwrap()
}

fn request_id_of(response: &reqwest::Response) -> String {
    response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn fields_of(entry: &Value) -> Vec<&str> {
    entry["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect()
}

#[actix_web::test]
async fn a_staff_write_is_recorded_with_names_not_values() {
    let app = newsroom().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let editor = app.staff("editor").await;
    let article = app
        .article(&editor.token, section, "عنوان أول", json!({}))
        .await;
    let id = article["id"].as_i64().unwrap();

    let title = "عنوان سري لا يُسجَّل";
    let excerpt = "a distinctive excerpt value";
    let response = app
        .send(
            Method::PATCH,
            &format!("/api/v1/articles/{id}"),
            Some(&editor.token),
            Some(&json!({"title": title, "excerpt": excerpt})),
        )
        .await;
    let request_id = request_id_of(&response);
    json_of(response, StatusCode::OK).await;

    let found = entries(&app, "action=updateArticle").await;
    assert_eq!(found.len(), 1, "{found:?}");
    let entry = &found[0];
    assert_eq!(entry["actor_user_id"], editor.id, "{entry}");
    assert!(entry["actor_key_id"].is_null(), "{entry}");
    assert_eq!(entry["action"], "updateArticle");
    assert_eq!(entry["resource_type"], "articles");
    assert_eq!(entry["resource_id"], id.to_string());
    let mut fields = fields_of(entry);
    fields.sort_unstable();
    assert_eq!(fields, ["excerpt", "title"], "{entry}");
    assert_eq!(entry["outcome"], "success");
    assert_eq!(entry["client_ip"], "127.0.0.1", "{entry}");
    assert_eq!(entry["request_id"], request_id.as_str(), "{entry}");
    assert!(
        entry["at"].as_str().is_some_and(|at| at.ends_with('Z')),
        "{entry}"
    );
    assert!(entry["id"].as_i64().is_some(), "{entry}");
    let text = entry.to_string();
    assert!(!text.contains(title) && !text.contains(excerpt), "{entry}");

    // The create was recorded too, with no id in its path.
    let created = entries(&app, "action=createArticle").await;
    assert_eq!(created.len(), 1, "{created:?}");
    assert_eq!(created[0]["actor_user_id"], editor.id);
    assert_eq!(created[0]["resource_type"], "articles");
    assert!(fields_of(&created[0]).contains(&"title"), "{}", created[0]);

    // A request id the client sends is the one recorded.
    let mine = "audit-test-request-0001";
    let deleted = app
        .request(Method::DELETE, &format!("/api/v1/articles/{id}"))
        .bearer_auth(&editor.token)
        .header("x-request-id", mine)
        .send()
        .await
        .unwrap();
    assert!(deleted.status().is_success(), "{}", deleted.status());
    assert_eq!(request_id_of(&deleted), mine);
    let found = entries(&app, "action=deleteArticle").await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["request_id"], mine);
    assert_eq!(found[0]["resource_id"], id.to_string());
    assert_eq!(found[0]["fields"], json!([]));

    // Reads are not recorded.
    let before = total_of(&audit(&app, "").await);
    for path in [
        "/api/v1/articles?status=any",
        "/api/v1/users",
        "/api/v1/sections",
    ] {
        assert_eq!(
            app.get_as(path, &app.admin_token).await.status(),
            StatusCode::OK
        );
    }
    assert_eq!(total_of(&audit(&app, "").await), before);
}

#[actix_web::test]
async fn actions_are_the_documented_operation_ids() {
    let app = newsroom().await;
    let editor = app.staff("editor").await;
    let user_path = format!("/api/v1/users/{}", editor.id);
    json_of(
        app.send(
            Method::PATCH,
            &user_path,
            Some(&app.admin_token),
            Some(&json!({"display_name": "محرر"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let key = create_key(&app, &app.admin_token.clone(), &["content:read"], json!({})).await;
    let key_path = format!("/api/v1/api-keys/{}", key["id"]);
    json_of(
        app.send(Method::DELETE, &key_path, Some(&app.admin_token), None)
            .await,
        StatusCode::OK,
    )
    .await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let article = app.published(section, "مقال", json!({})).await;
    let comment = json_of(
        app.send(
            Method::POST,
            &format!("/api/v1/articles/{}/comments", article["id"]),
            None,
            Some(&json!({"author_name": "قارئ", "author_email": "r@example.org", "body": "تعليق"})),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let comment_id = comment["id"].as_i64().unwrap();
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/comments/{comment_id}"),
            Some(&app.admin_token),
            Some(&json!({"status": "approved"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    let all = entries(&app, "").await;
    let find = |action: &str| {
        all.iter()
            .find(|e| e["action"] == action)
            .unwrap_or_else(|| panic!("no {action} in {all:#?}"))
            .clone()
    };
    let created = find("createUser");
    assert_eq!(created["resource_type"], "users");
    assert!(created["resource_id"].is_null(), "{created}");
    let updated = find("updateUser");
    assert_eq!(updated["resource_type"], "users");
    assert_eq!(updated["resource_id"], editor.id.to_string());
    assert_eq!(updated["fields"], json!(["display_name"]));
    let key_created = find("createApiKey");
    assert_eq!(key_created["resource_type"], "api-keys");
    let revoked = find("revokeApiKey");
    assert_eq!(revoked["resource_type"], "api-keys");
    assert_eq!(revoked["resource_id"], key["id"].to_string());
    let section_created = find("createSection");
    assert_eq!(section_created["resource_type"], "sections");
    let moderated = find("moderateComment");
    assert_eq!(moderated["resource_type"], "comments");
    assert_eq!(moderated["resource_id"], comment_id.to_string());
    assert_eq!(moderated["fields"], json!(["status"]));
    // An anonymous reader's comment is no staff write.
    assert!(
        all.iter().all(|e| e["action"] != "createComment"),
        "{all:#?}"
    );
    // No entry is named after a path rather than an operation.
    for entry in &all {
        let action = entry["action"].as_str().unwrap();
        assert!(
            !action.contains('/') && !action.contains(' '),
            "an undocumented action name: {entry}"
        );
    }
}

#[actix_web::test]
async fn a_write_with_a_key_names_the_key_and_its_creator() {
    let app = newsroom().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let creator = app.staff("admin").await;
    let key = create_key(
        &app,
        &creator.token,
        &["content:write", "content:read"],
        json!({}),
    )
    .await;
    let key_id = key["id"].as_i64().unwrap();
    let secret = key["secret"].as_str().unwrap();
    let other = create_key(&app, &creator.token, &["content:read"], json!({})).await;

    let article = app.article(secret, section, "عبر المفتاح", json!({})).await;
    // Reads with the key add nothing.
    for _ in 0..3 {
        assert_eq!(
            app.get_as("/api/v1/articles?status=any", secret)
                .await
                .status(),
            StatusCode::OK
        );
    }

    let by_key = entries(&app, &format!("key={key_id}")).await;
    assert_eq!(by_key.len(), 1, "{by_key:#?}");
    let entry = &by_key[0];
    assert_eq!(entry["action"], "createArticle");
    assert_eq!(entry["actor_key_id"], key_id);
    assert_eq!(entry["actor_user_id"], creator.id);
    assert_eq!(entry["resource_type"], "articles");
    assert_eq!(entry["client_ip"], "127.0.0.1");
    assert!(!entry.to_string().contains(secret), "{entry}");
    assert_eq!(
        entries(&app, &format!("key={}", other["id"])).await.len(),
        0
    );

    // By actor: the key's write and the creator's own (creating the keys).
    let by_actor = entries(&app, &format!("actor={}", creator.id)).await;
    let mut actions: Vec<&str> = by_actor
        .iter()
        .filter(|e| e["resource_type"] != "auth")
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        ["createApiKey", "createApiKey", "createArticle"],
        "{by_actor:#?}"
    );
    assert!(
        by_actor
            .iter()
            .filter(|e| e["action"] == "createApiKey")
            .all(|e| e["actor_key_id"].is_null()),
        "{by_actor:#?}"
    );

    // An edit through the key names the article.
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/articles/{}", article["id"]),
            Some(secret),
            Some(&json!({"body": "نص جديد"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    // A key with the admin scope reads the trail; another key may not.
    let admin_key = secret_for(&app, &["admin"]).await;
    let read = json_of(
        app.get_as(
            &format!(
                "/api/v1/audit?resource_type=articles&resource_id={}",
                article["id"]
            ),
            &admin_key,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(total_of(&read), 1, "{read}");
    assert_eq!(read["data"][0]["action"], "updateArticle");
    assert_eq!(read["data"][0]["actor_key_id"], key_id);
    assert_eq!(read["data"][0]["actor_user_id"], creator.id);
    assert_eq!(read["data"][0]["fields"], json!(["body"]));
    assert_problem_type(app.get_as("/api/v1/audit", secret).await, "scope-required").await;
}

#[actix_web::test]
async fn logins_failed_logins_and_refresh_token_reuse_are_recorded() {
    let app = newsroom().await;
    // `staff` logs the new editor in.
    let editor = app.staff("editor").await;
    let succeeded = entries(&app, &format!("action=login.succeeded&actor={}", editor.id)).await;
    assert_eq!(succeeded.len(), 1, "{succeeded:#?}");
    assert_eq!(succeeded[0]["outcome"], "success");
    assert_eq!(succeeded[0]["resource_type"], "auth");
    assert_eq!(succeeded[0]["client_ip"], "127.0.0.1");
    assert!(
        succeeded[0]["request_id"]
            .as_str()
            .is_some_and(|r| !r.is_empty())
    );

    let wrong = "a wrong password, not recorded";
    let refused = app.login(&editor.email, wrong).await;
    let request_id = request_id_of(&refused);
    assert_problem_type(refused, "wrong-credentials").await;
    let failed = entries(&app, "action=login.failed").await;
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0]["outcome"], "failure");
    assert_eq!(failed[0]["actor_user_id"], editor.id);
    assert_eq!(failed[0]["request_id"], request_id.as_str());
    assert_eq!(failed[0]["resource_type"], "auth");

    // An unknown account: recorded with no actor, and without the email tried.
    let stranger = "nobody-here@sahifa.test";
    assert_problem_type(app.login(stranger, wrong).await, "wrong-credentials").await;
    let failed = entries(&app, "action=login.failed").await;
    assert_eq!(failed.len(), 2, "{failed:#?}");
    assert!(failed[0]["actor_user_id"].is_null(), "{}", failed[0]);
    assert_eq!(failed[0]["outcome"], "failure");

    // A refresh token used twice.
    let refreshed = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": editor.refresh_token})),
        )
        .await;
    json_of(refreshed, StatusCode::OK).await;
    assert_eq!(entries(&app, "action=refresh_token.reused").await.len(), 0);
    let reused = app
        .send(
            Method::POST,
            "/api/v1/auth/refresh",
            None,
            Some(&json!({"refresh_token": editor.refresh_token})),
        )
        .await;
    let request_id = request_id_of(&reused);
    assert_problem_type(reused, "refresh-token-reused").await;
    let reuse = entries(&app, "action=refresh_token.reused").await;
    assert_eq!(reuse.len(), 1, "{reuse:#?}");
    assert_eq!(reuse[0]["outcome"], "failure");
    assert_eq!(reuse[0]["resource_type"], "auth");
    assert_eq!(reuse[0]["request_id"], request_id.as_str());

    let auth = entries(&app, "resource_type=auth").await;
    assert!(auth.len() >= 5, "{auth:#?}");
    let text = whole_trail(&app).await;
    for secret in [
        wrong,
        stranger,
        editor.password.as_str(),
        editor.refresh_token.as_str(),
    ] {
        assert!(!text.contains(secret), "{secret} in the trail");
        assert!(!whole_table(&app).contains(secret), "{secret} in audit_log");
    }
}

#[actix_web::test]
async fn no_password_or_secret_reaches_the_trail() {
    let app = newsroom().await;
    let author = app.staff("author").await;
    let new_password = "a completely new password 7391";
    let changed = app
        .send(
            Method::POST,
            "/api/v1/auth/password",
            Some(&author.token),
            Some(&json!({"current_password": author.password, "new_password": new_password})),
        )
        .await;
    json_of(changed, StatusCode::OK).await;
    assert_eq!(
        app.login(&author.email, new_password).await.status(),
        StatusCode::OK
    );
    // A wrong current password is refused and records no change.
    let wrong_current = "not my current password at all";
    let refused = app
        .send(
            Method::POST,
            "/api/v1/auth/password",
            Some(&author.token),
            Some(&json!({"current_password": wrong_current, "new_password": "yet another long password"})),
        )
        .await;
    assert!(refused.status().is_client_error(), "{}", refused.status());

    let change = entries(&app, "action=changePassword").await;
    assert_eq!(change.len(), 1, "only the change is recorded: {change:#?}");
    assert_eq!(change[0]["actor_user_id"], author.id);
    assert_eq!(change[0]["resource_type"], "auth");
    let mut fields = fields_of(&change[0]);
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["current_password", "new_password"],
        "{}",
        change[0]
    );

    // The admin sets a password too (creating the account, then resetting it).
    let reset = "a password the admin set 4412";
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/users/{}", author.id),
            Some(&app.admin_token),
            Some(&json!({"password": reset})),
        )
        .await,
        StatusCode::OK,
    )
    .await;

    let key = create_key(&app, &app.admin_token.clone(), &["admin"], json!({})).await;
    let secret = key["secret"].as_str().unwrap();
    assert!(!entries(&app, "action=createApiKey").await.is_empty());
    // And is used, for a write.
    app.section("قسم", None).await;
    json_of(
        app.send(
            Method::POST,
            "/api/v1/sections",
            Some(secret),
            Some(&json!({"name": "قسم المفتاح"})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(entries(&app, &format!("key={}", key["id"])).await.len(), 1);

    let trail = whole_trail(&app).await;
    let table = whole_table(&app);
    for value in [
        author.password.as_str(),
        new_password,
        wrong_current,
        reset,
        secret,
        &secret["sk_live_".len()..],
        author.token.as_str(),
        app.admin_token.as_str(),
    ] {
        assert!(!trail.contains(value), "{value} in /audit: {trail}");
        assert!(!table.contains(value), "{value} in audit_log: {table}");
    }
}

#[actix_web::test]
async fn the_trail_is_filtered_and_paginated_for_admins_only() {
    let app = newsroom().await;
    let editor = app.staff("editor").await;
    let s1 = app.section("أولى", None).await["id"].as_i64().unwrap();
    let s2 = app.section("ثانية", None).await["id"].as_i64().unwrap();
    let a1 = app.article(&editor.token, s1, "مقال ١", json!({})).await;
    let a2 = app.article(&editor.token, s2, "مقال ٢", json!({})).await;
    for (article, title) in [(&a1, "تعديل ١"), (&a2, "تعديل ٢"), (&a1, "تعديل ٣")]
    {
        json_of(
            app.send(
                Method::PATCH,
                &format!("/api/v1/articles/{}", article["id"]),
                Some(&editor.token),
                Some(&json!({"title": title})),
            )
            .await,
            StatusCode::OK,
        )
        .await;
    }

    // By actor.
    let by_editor = entries(&app, &format!("actor={}", editor.id)).await;
    let writes: Vec<&Value> = by_editor
        .iter()
        .filter(|e| e["resource_type"] == "articles")
        .collect();
    assert_eq!(writes.len(), 5, "{by_editor:#?}");
    assert!(by_editor.iter().all(|e| e["actor_user_id"] == editor.id));
    let me = json_of(
        app.get_as("/api/v1/auth/me", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    let by_admin = entries(&app, &format!("actor={}", me["id"])).await;
    assert!(by_admin.iter().all(|e| e["actor_user_id"] == me["id"]));
    assert!(by_admin.iter().any(|e| e["action"] == "createSection"));
    assert!(by_admin.iter().all(|e| e["resource_type"] != "articles"));

    // By action, and by resource.
    assert_eq!(entries(&app, "action=updateArticle").await.len(), 3);
    assert_eq!(entries(&app, "action=createSection").await.len(), 2);
    assert_eq!(entries(&app, "action=noSuchThing").await.len(), 0);
    let on_a1 = entries(
        &app,
        &format!("resource_type=articles&resource_id={}", a1["id"]),
    )
    .await;
    assert_eq!(on_a1.len(), 2, "{on_a1:#?}");
    assert!(on_a1.iter().all(|e| e["action"] == "updateArticle"));
    assert_eq!(entries(&app, "resource_type=articles").await.len(), 5);
    assert_eq!(
        entries(
            &app,
            &format!("resource_type=sections&resource_id={}", a1["id"])
        )
        .await
        .len(),
        0
    );
    let combined = entries(
        &app,
        &format!(
            "actor={}&action=updateArticle&resource_id={}",
            editor.id, a2["id"]
        ),
    )
    .await;
    assert_eq!(combined.len(), 1, "{combined:#?}");

    // Newest first, page by page.
    let all = entries(&app, "").await;
    let ids: Vec<i64> = all.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first: {ids:?}");
    assert_eq!(all[0]["action"], "updateArticle");
    assert_eq!(all[0]["resource_id"], a1["id"].to_string());
    let total = all.len() as u64;
    assert!(total >= 10, "{all:#?}");
    let first = audit(&app, "per_page=3").await;
    assert_eq!(total_of(&first), total);
    assert_eq!(first["meta"]["per_page"], 3);
    assert_eq!(first["meta"]["total_pages"], total.div_ceil(3));
    let second = audit(&app, "per_page=3&page=2").await;
    let paged: Vec<i64> = [&first, &second]
        .iter()
        .flat_map(|p| p["data"].as_array().unwrap().iter())
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(paged, ids[..6]);
    let past_the_end = audit(&app, &format!("per_page=3&page={}", total + 1)).await;
    assert_eq!(past_the_end["data"], json!([]));
    assert_problem(
        app.get_as("/api/v1/audit?per_page=1000", &app.admin_token)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        app.get_as("/api/v1/audit?since=yesterday", &app.admin_token)
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;

    // Since and until: a boundary at a whole second between two writes.
    let now = chrono::Utc::now();
    let boundary = chrono::DateTime::<chrono::Utc>::from_timestamp(now.timestamp() + 1, 0).unwrap();
    let wait = (boundary - now).to_std().unwrap() + Duration::from_millis(150);
    tokio::time::sleep(wait).await;
    let after = app.section("بعد الحد", None).await;
    let boundary = boundary.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let since = entries(&app, &format!("since={boundary}")).await;
    assert_eq!(since.len(), 1, "{since:#?}");
    assert_eq!(since[0]["resource_id"], Value::Null);
    assert_eq!(since[0]["action"], "createSection");
    assert!(since[0]["id"].as_i64() > all[0]["id"].as_i64());
    let until = entries(&app, &format!("until={boundary}")).await;
    assert_eq!(until.len() as u64, total, "{until:#?}");
    assert_eq!(until[0]["id"], all[0]["id"]);
    assert_eq!(
        entries(&app, &format!("since={boundary}&until={boundary}"))
            .await
            .len(),
        0
    );
    assert!(after["id"].as_i64().is_some());

    // Admins only.
    assert_problem_type(
        app.get_as("/api/v1/audit", &editor.token).await,
        "role-required",
    )
    .await;
    let author = app.staff("author").await;
    assert_problem_type(
        app.get_as("/api/v1/audit", &author.token).await,
        "role-required",
    )
    .await;
    assert_problem_type(app.get("/api/v1/audit").await, "authentication-required").await;

    // And read-only: no method changes it.
    let before = total_of(&audit(&app, "").await);
    for method in [Method::POST, Method::PUT, Method::PATCH, Method::DELETE] {
        let response = app
            .send(
                method.clone(),
                "/api/v1/audit",
                Some(&app.admin_token),
                Some(&json!({"action": "forged"})),
            )
            .await;
        assert_eq!(
            response.status(),
            StatusCode::METHOD_NOT_ALLOWED,
            "{method} /audit"
        );
        let allow = response.headers()["allow"].to_str().unwrap().to_owned();
        assert!(
            allow.contains("GET") && !allow.contains(method.as_str()),
            "{allow}"
        );
    }
    assert_eq!(total_of(&audit(&app, "").await), before);
    assert_eq!(entries(&app, "action=forged").await.len(), 0);
}

#[actix_web::test]
async fn a_refused_or_failed_write_records_nothing() {
    let app = newsroom().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let editor = app.staff("editor").await;
    let article = app.article(&editor.token, section, "الأصل", json!({})).await;
    let path = format!("/api/v1/articles/{}", article["id"]);
    let etag = app.get_as(&path, &editor.token).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(&editor.token),
            Some(&json!({"title": "تعديل أول"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let before = total_of(&audit(&app, "").await);

    let mut refused = Vec::new();
    let mut attempt =
        async |method: Method, path: &str, token: &str, body: Value, if_match: Option<&str>| {
            let request_id = format!("refused-{}", refused.len());
            let mut request = app
                .request(method, path)
                .bearer_auth(token)
                .header("x-request-id", &request_id)
                .json(&body);
            if let Some(etag) = if_match {
                request = request.header("if-match", etag);
            }
            let response = request.send().await.unwrap();
            let status = response.status();
            refused.push(request_id);
            status
        };
    let admin = app.admin_token.clone();
    // Invalid input: 422.
    assert_eq!(
        attempt(
            Method::PATCH,
            &path,
            &editor.token,
            json!({"title": ""}),
            None
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        attempt(
            Method::PATCH,
            &path,
            &editor.token,
            json!({"no_such_field": 1}),
            None
        )
        .await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // A stale If-Match: 412.
    assert_eq!(
        attempt(
            Method::PATCH,
            &path,
            &editor.token,
            json!({"title": "تعديل ثان"}),
            Some(&etag)
        )
        .await,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        attempt(Method::DELETE, &path, &editor.token, json!({}), Some(&etag)).await,
        StatusCode::PRECONDITION_FAILED
    );
    // Not allowed: an author on another's draft (not even shown), an editor on users.
    let author = app.staff("author").await;
    let before = before + 2; // creating the author, and its login
    assert_eq!(
        attempt(
            Method::PATCH,
            &path,
            &author.token,
            json!({"title": "ليس لي"}),
            None
        )
        .await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        attempt(
            Method::POST,
            "/api/v1/users",
            &editor.token,
            json!({"email": "x@sahifa.test", "display_name": "x", "role": "admin", "password": "long enough password"}),
            None
        )
        .await,
        StatusCode::FORBIDDEN
    );
    // Nothing there: 404.
    assert_eq!(
        attempt(
            Method::PATCH,
            "/api/v1/articles/999999",
            &editor.token,
            json!({"title": "x"}),
            None
        )
        .await,
        StatusCode::NOT_FOUND
    );
    // Refused inside the write: a section that does not exist, a webhook to nowhere.
    let status = attempt(
        Method::PATCH,
        &path,
        &editor.token,
        json!({"title": "قسم مفقود", "section_id": 999999}),
        None,
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    let status = attempt(
        Method::POST,
        "/api/v1/webhooks",
        &admin,
        json!({"url": "http://127.0.0.1:9/hook", "events": ["article.*"]}),
        None,
    )
    .await;
    assert!(status.is_client_error(), "{status}");
    // Failing in the database: an email already taken, a section still in use.
    assert_eq!(
        attempt(
            Method::POST,
            "/api/v1/users",
            &admin,
            json!({"email": editor.email, "display_name": "x", "role": "author", "password": "long enough password"}),
            None
        )
        .await,
        StatusCode::CONFLICT
    );
    assert_eq!(
        attempt(
            Method::DELETE,
            &format!("/api/v1/sections/{section}"),
            &admin,
            json!({}),
            None
        )
        .await,
        StatusCode::CONFLICT
    );

    let after = entries(&app, "").await;
    assert_eq!(after.len() as u64, before, "{after:#?}");
    for request_id in &refused {
        assert!(
            after.iter().all(|e| e["request_id"] != request_id.as_str()),
            "{request_id} was recorded: {after:#?}"
        );
    }
    let unchanged = json_of(app.get_as(&path, &editor.token).await, StatusCode::OK).await;
    assert_eq!(unchanged["title"], "تعديل أول");
}

#[actix_web::test]
async fn commenters_emails_never_reach_the_trail() {
    let app = newsroom().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let article = app.published(section, "مقال للنقاش", json!({})).await;
    let email = "reader.private.address@example.org";
    let name = "قارئة مجهولة";
    let comment = json_of(
        app.send(
            Method::POST,
            &format!("/api/v1/articles/{}/comments", article["id"]),
            None,
            Some(&json!({"author_name": name, "author_email": email, "body": "رأيي في المقال"})),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    let id = comment["id"].as_i64().unwrap();
    let editor = app.staff("editor").await;
    // Staff see the email, in the moderation queue.
    let queued = json_of(
        app.get_as(&format!("/api/v1/comments/{id}"), &editor.token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert!(queued.to_string().contains(email), "{queued}");
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/comments/{id}"),
            Some(&editor.token),
            Some(&json!({"status": "approved"})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let moderated = entries(&app, "action=moderateComment").await;
    assert_eq!(moderated.len(), 1, "{moderated:#?}");
    assert_eq!(moderated[0]["actor_user_id"], editor.id);
    assert_eq!(moderated[0]["resource_id"], id.to_string());

    // A staff member's own comment, with an email, through a key too.
    let key = secret_for(&app, &["content:write", "comments:moderate"]).await;
    let staff_email = "staff.comment.address@example.org";
    let posted = app
        .send(
            Method::POST,
            &format!("/api/v1/articles/{}/comments", article["id"]),
            Some(&key),
            Some(&json!({"author_name": "المحرر", "author_email": staff_email, "body": "ردّ"})),
        )
        .await;
    assert!(posted.status().is_success(), "{}", posted.status());
    let bulk = app
        .send(
            Method::POST,
            "/api/v1/comments/bulk",
            Some(&key),
            Some(&json!({"ids": [id], "status": "spam"})),
        )
        .await;
    assert!(bulk.status().is_success(), "{}", bulk.text().await.unwrap());

    let trail = whole_trail(&app).await;
    let table = whole_table(&app);
    for value in [email, staff_email, name, "example.org"] {
        assert!(!trail.contains(value), "{value} in /audit: {trail}");
        assert!(!table.contains(value), "{value} in audit_log: {table}");
    }
}

/// A database with the schema in place and `rows` of `(at, action)` already in the trail, as
/// a server finds it when it starts.
fn trail_before_start(rows: &[(&str, &str)]) -> std::sync::Arc<crate::helpers::TestData> {
    let data = crate::helpers::TestData::new();
    let url = sahifa::config::DatabaseUrl::parse(&data.database_url).unwrap();
    let (store, _) = sahifa::db::Store::open(&url, 1, Duration::from_secs(10)).unwrap();
    drop(store);
    for (at, action) in rows {
        data.execute(&format!(
            "INSERT INTO audit_log (at, action, resource_type, fields, outcome) \
             VALUES ('{at}', '{action}', 'test', '', 'success')"
        ));
    }
    data
}

#[actix_web::test]
async fn old_entries_are_pruned_and_recent_ones_kept() {
    let recent = (chrono::Utc::now() - chrono::Duration::days(3))
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    let rows = [
        ("2001-01-01 00:00:00", "ancient.entry"),
        (recent.as_str(), "recent.entry"),
    ];

    let data = trail_before_start(&rows);
    let app = crate::helpers::spawn_app_in(
        data,
        &[
            ("SAHIFA_JOB_POLL_MS", "100"),
            ("SAHIFA_AUDIT_KEEP_DAYS", "30"),
        ],
    )
    .await;
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while !entries(&app, "action=ancient.entry").await.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "an entry older than SAHIFA_AUDIT_KEEP_DAYS was not pruned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(entries(&app, "action=recent.entry").await.len(), 1);

    // 0 keeps everything.
    let data = trail_before_start(&rows);
    let app = crate::helpers::spawn_app_in(
        data,
        &[
            ("SAHIFA_JOB_POLL_MS", "100"),
            ("SAHIFA_AUDIT_KEEP_DAYS", "0"),
        ],
    )
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert_eq!(entries(&app, "action=ancient.entry").await.len(), 1);
    assert_eq!(entries(&app, "action=recent.entry").await.len(), 1);
}
