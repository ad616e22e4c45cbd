//! Several `sahifa` processes on one database (behind a load balancer): one consistent view.
//! Run against PostgreSQL in CI (the deployment this is for) and against SQLite too.

use std::sync::Arc;
use std::time::{Duration, Instant};

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

async fn patch(client: &Client, url: String, token: &str, body: Value) -> reqwest::Response {
    client
        .patch(url)
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap()
}

/// Two `sahifa` processes on one database, each with its base URL once it answers.
fn two_instances(
    data: &Arc<TestData>,
    vars: &[(&str, &str)],
) -> (Process, String, Process, String) {
    let first = Process::serve_on(data.clone(), vars);
    let a = first.wait_until_listening();
    let second = Process::serve_on(data.clone(), vars);
    let b = second.wait_until_listening();
    (first, a, second, b)
}

/// Logs the admin in through `base`; the token pair.
async fn log_in(client: &Client, base: &str) -> Value {
    let login = post(
        client,
        format!("{base}/api/v1/auth/login"),
        None,
        json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    )
    .await;
    assert_eq!(login.status(), StatusCode::OK);
    login.json().await.unwrap()
}

/// Publishes an article titled `title` (in a new section) through `base`.
async fn publish(client: &Client, base: &str, token: &str, title: &str) -> Value {
    let section: Value = post(
        client,
        format!("{base}/api/v1/sections"),
        Some(token),
        json!({"name": "العالم"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let article = post(
        client,
        format!("{base}/api/v1/articles"),
        Some(token),
        json!({
            "title": title, "body": "نص الخبر.", "section_id": section["id"], "status": "published"
        }),
    )
    .await;
    assert_eq!(article.status(), StatusCode::CREATED);
    article.json().await.unwrap()
}

#[actix_web::test]
async fn two_instances_share_writes_tokens_and_refresh_rotation() {
    let data = TestData::new();
    // No configured JWT secret: the generated one must be shared through the database.
    // No response cache: "on the next request" is exact on both stores this way (SQLite's
    // cache sees only its own process's writes; PostgreSQL's hears other instances' writes a
    // few milliseconds late: the last test).
    let vars = [
        ("SAHIFA_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SAHIFA_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("SAHIFA_RESPONSE_CACHE", "off"),
    ];
    let (_first, a, _second, b) = two_instances(&data, &vars);
    let client = Client::new();

    let pair = log_in(&client, &a).await;
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
    let article = publish(&client, &a, token, "خبر عبر الخادمين").await;
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
    let deactivate = patch(
        &client,
        format!("{b}/api/v1/users/{}", user["id"]),
        token,
        json!({"active": false}),
    )
    .await;
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
    let (_first, a, _second, b) = two_instances(&data, &vars);
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

/// With PostgreSQL every instance caches anonymous reads and hears the others' writes: a
/// change made anywhere (another instance, or SQL outside Sahifa) reaches every instance's
/// next reads within moments, a comment waiting for moderation empties no cache, and an
/// instance that loses its listening connection stops answering from memory until it listens
/// again. (SQLite: one process owns the file, so there is nothing to hear; several processes
/// on one SQLite file run with the cache off, as in the test above.)
#[actix_web::test]
async fn instances_on_postgresql_hear_each_others_writes() {
    let data = TestData::new();
    if !data.is_postgres() {
        return;
    }
    let vars = [
        ("SAHIFA_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SAHIFA_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("SAHIFA_COMMENT_RATE_PER_IP", "1000"),
    ];
    let (_first, a, second, b) = two_instances(&data, &vars);
    let client = Client::new();
    let login = log_in(&client, &a).await;
    let token = login["access_token"].as_str().unwrap();
    let article = publish(&client, &a, token, "العنوان الأول").await;
    let id = article["id"].as_i64().unwrap();
    let on_b = format!("{b}/api/v1/articles/{id}");
    let title_on_b = || async {
        let read: Value = client
            .get(&on_b)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        read["title"].as_str().unwrap().to_owned()
    };
    let retitle_unannounced = |title: &str| {
        data.execute_unannounced(&format!(
            "UPDATE articles SET title = '{title}' WHERE id = {id}"
        ))
    };
    // Whether B shows `title` within `within`.
    let b_shows = |title: &'static str, within: Duration| {
        let title_on_b = &title_on_b;
        async move {
            let start = Instant::now();
            while start.elapsed() < within {
                if title_on_b().await == title {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            false
        }
    };

    // B answers from memory: a change nobody announces does not show.
    data.writes_heard().await;
    assert_eq!(title_on_b().await, "العنوان الأول");
    retitle_unannounced("لم يعلن عنه");
    assert_eq!(
        title_on_b().await,
        "العنوان الأول",
        "B answered from its cache"
    );

    // A write through A reaches B.
    let patched = patch(
        &client,
        format!("{a}/api/v1/articles/{id}"),
        token,
        json!({"title": "عنوان عبر أ"}),
    )
    .await;
    assert_eq!(patched.status(), StatusCode::OK);
    assert!(
        b_shows("عنوان عبر أ", Duration::from_secs(2)).await,
        "B never showed A's write"
    );

    // So does a change made with SQL, outside every instance.
    data.execute(&format!(
        "UPDATE articles SET title = 'عنوان من psql' WHERE id = {id}"
    ));
    assert!(
        b_shows("عنوان من psql", Duration::from_secs(2)).await,
        "B never showed a change made in SQL"
    );

    // A comment waiting for moderation changes nothing readers see: B keeps its cache.
    // Its approval does change what they see, and empties it.
    data.writes_heard().await;
    assert_eq!(title_on_b().await, "عنوان من psql");
    retitle_unannounced("لم يعلن عنه");
    assert_eq!(
        title_on_b().await,
        "عنوان من psql",
        "B answered from its cache"
    );
    let comment: Value = post(
        &client,
        format!("{a}/api/v1/articles/{id}/comments"),
        None,
        json!({"author_name": "سارة", "author_email": "sara@example.test", "body": "تعليق"}),
    )
    .await
    .json()
    .await
    .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        title_on_b().await,
        "عنوان من psql",
        "a pending comment emptied B's cache"
    );
    let approved = patch(
        &client,
        format!("{a}/api/v1/comments/{}", comment["id"]),
        token,
        json!({"status": "approved"}),
    )
    .await;
    assert_eq!(approved.status(), StatusCode::OK);
    assert!(
        b_shows("لم يعلن عنه", Duration::from_secs(2)).await,
        "B never heard of the approval"
    );

    // B's listening connection dies: until it listens again, B answers from the database,
    // so a write it could not hear still shows.
    data.execute(&format!(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE application_name = '{}' AND datname = current_database()",
        sahifa::http::cache::APPLICATION_NAME
    ));
    tokio::time::sleep(Duration::from_millis(200)).await;
    retitle_unannounced("كتب أثناء الانقطاع");
    assert_eq!(
        title_on_b().await,
        "كتب أثناء الانقطاع",
        "B served from memory while it could not hear writes"
    );
    // Once it listens again, it caches again: a read repeats the one before it although the
    // title changed (unannounced) in between. Every change is a new title, so a B still
    // reading the database never repeats itself.
    let deadline = Instant::now() + Duration::from_secs(30);
    for n in 0.. {
        let shown = title_on_b().await;
        retitle_unannounced(&format!("بعد العودة {n}"));
        if title_on_b().await == shown {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "B did not cache again after its listening connection came back: {}",
            second.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
