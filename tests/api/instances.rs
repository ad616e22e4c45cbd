//! Several `sahifa` processes on one database (behind a load balancer): one consistent view.
//! Run against PostgreSQL in CI (the deployment this is for) and against SQLite too.

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Process, TestData};

async fn post(client: &Client, url: String, token: Option<&str>, body: Value) -> reqwest::Response {
    let mut request = client.post(url).json(&body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

#[actix_web::test]
async fn two_instances_share_writes_tokens_and_refresh_rotation() {
    let data = TestData::new();
    // No configured JWT secret: the generated one must be shared through the database.
    // Several processes on one database keep no in-process response cache (the default on
    // PostgreSQL; said explicitly so the test means the same on SQLite).
    let vars = [
        ("SAHIFA_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SAHIFA_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("SAHIFA_RESPONSE_CACHE", "off"),
    ];
    let first = Process::serve_on(data.clone(), &vars);
    let a = first.wait_until_listening();
    let second = Process::serve_on(data.clone(), &vars);
    let b = second.wait_until_listening();
    let client = Client::new();

    let login = post(
        &client,
        format!("{a}/api/v1/auth/login"),
        None,
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    )
    .await;
    assert_eq!(login.status(), StatusCode::OK);
    let pair: Value = login.json().await.unwrap();
    let token = pair["access_token"].as_str().unwrap();
    let me_on_b = client
        .get(format!("{b}/api/v1/auth/me"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        me_on_b.status(),
        StatusCode::OK,
        "a token from A is valid on B"
    );

    // A write through A is visible through B on the next request, even when B has just
    // answered the same read.
    let before: Value = client
        .get(format!("{b}/api/v1/articles"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(before["meta"]["total"], 0);
    let section: Value = post(
        &client,
        format!("{a}/api/v1/sections"),
        Some(token),
        json!({"name": "العالم"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let article: Value = post(&client, format!("{a}/api/v1/articles"), Some(token), json!({
        "title": "خبر عبر الخادمين", "body": "نص الخبر.", "section_id": section["id"], "status": "published"
    })).await.json().await.unwrap();
    let listed: Value = client
        .get(format!("{b}/api/v1/articles"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed["meta"]["total"], 1, "B answers the same read anew");
    let on_b: Value = client
        .get(format!("{b}/api/v1/articles/{}", article["id"]))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(on_b["title"], "خبر عبر الخادمين");
    let found: Value = client
        .get(format!(
            "{b}/api/v1/articles?q={}",
            crate::helpers::encode("الخادمين")
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found["meta"]["total"], 1, "the search index is shared too");

    // Refresh on B, then replay the old token on A: reuse is detected across instances.
    let refresh = pair["refresh_token"].as_str().unwrap();
    let rotated = post(
        &client,
        format!("{b}/api/v1/auth/refresh"),
        None,
        json!({"refresh_token": refresh}),
    )
    .await;
    assert_eq!(rotated.status(), StatusCode::OK);
    let rotated: Value = rotated.json().await.unwrap();
    let replay = post(
        &client,
        format!("{a}/api/v1/auth/refresh"),
        None,
        json!({"refresh_token": refresh}),
    )
    .await;
    assert_eq!(replay.status(), StatusCode::UNAUTHORIZED);
    let successor = post(
        &client,
        format!("{b}/api/v1/auth/refresh"),
        None,
        json!({"refresh_token": rotated["refresh_token"]}),
    )
    .await;
    assert_eq!(
        successor.status(),
        StatusCode::UNAUTHORIZED,
        "the whole family was revoked"
    );

    // Deactivating a user through B ends their session on A at once.
    let user: Value = post(&client, format!("{b}/api/v1/users"), Some(token), json!({
        "email": "writer@sahifa.test", "display_name": "كاتب", "role": "author", "password": "writer password 123"
    })).await.json().await.unwrap();
    let writer: Value = post(
        &client,
        format!("{a}/api/v1/auth/login"),
        None,
        json!({"email": "writer@sahifa.test", "password": "writer password 123"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let writer_token = writer["access_token"].as_str().unwrap();
    let deactivate = client
        .patch(format!("{b}/api/v1/users/{}", user["id"]))
        .bearer_auth(token)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(deactivate.status(), StatusCode::OK);
    let on_a = client
        .get(format!("{a}/api/v1/auth/me"))
        .bearer_auth(writer_token)
        .send()
        .await
        .unwrap();
    assert_eq!(on_a.status(), StatusCode::UNAUTHORIZED);
}

#[actix_web::test]
async fn concurrent_refreshes_of_one_token_on_two_instances_let_exactly_one_through() {
    let data = TestData::new();
    let vars = [
        ("SAHIFA_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SAHIFA_ADMIN_PASSWORD", ADMIN_PASSWORD),
    ];
    let first = Process::serve_on(data.clone(), &vars);
    let a = first.wait_until_listening();
    let second = Process::serve_on(data, &vars);
    let b = second.wait_until_listening();
    let client = Client::new();
    for _ in 0..5 {
        let pair: Value = post(
            &client,
            format!("{a}/api/v1/auth/login"),
            None,
            json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await
        .json()
        .await
        .unwrap();
        let body = json!({"refresh_token": pair["refresh_token"]});
        let (x, y) = futures_util::join!(
            post(
                &client,
                format!("{a}/api/v1/auth/refresh"),
                None,
                body.clone()
            ),
            post(
                &client,
                format!("{b}/api/v1/auth/refresh"),
                None,
                body.clone()
            ),
        );
        let ok = [x.status(), y.status()]
            .iter()
            .filter(|s| **s == StatusCode::OK)
            .count();
        assert_eq!(
            ok,
            1,
            "exactly one of two racing refreshes wins: {} {}",
            x.status(),
            y.status()
        );
    }
}
