//! Events out (issue 20): webhook endpoints, signed deliveries with retries and a log,
//! surrogate keys, and the live stream. A receiver runs in the test's runtime; the stream is
//! read as a client reads it.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    TestApp, TestData, assert_problem, assert_problem_type, json_of, spawn_app_in, spawn_app_with,
};

/// Test receivers listen on 127.0.0.1, which the guard refuses unless told otherwise.
const PRIVATE_OK: (&str, &str) = ("SAHIFA_WEBHOOKS_ALLOW_PRIVATE", "true");
/// Retries within a test's patience.
const FAST_RETRIES: [(&str, &str); 4] = [
    PRIVATE_OK,
    ("SAHIFA_WEBHOOKS_BACKOFF_BASE_SECS", "1"),
    ("SAHIFA_WEBHOOKS_BACKOFF_CAP_SECS", "1"),
    ("SAHIFA_JOB_POLL_MS", "100"),
];

/// One request a receiver got.
#[derive(Debug, Clone)]
struct Received {
    id: String,
    timestamp: String,
    signature: String,
    body: String,
}

impl Received {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }
}

/// A webhook receiver: records every request, answers `status`.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Received>>>,
    status: Arc<AtomicU16>,
}

impl Receiver {
    fn start() -> Self {
        let got = Arc::new(Mutex::new(Vec::new()));
        let status = Arc::new(AtomicU16::new(200));
        let (state, answer) = (got.clone(), status.clone());
        let server = HttpServer::new(move || {
            let state = state.clone();
            let answer = answer.clone();
            App::new().default_service(web::to(move |req: HttpRequest, body: web::Bytes| {
                let state = state.clone();
                let answer = answer.clone();
                async move {
                    let header = |name: &str| {
                        req.headers()
                            .get(name)
                            .and_then(|v| v.to_str().ok())
                            .unwrap_or_default()
                            .to_owned()
                    };
                    state.lock().unwrap().push(Received {
                        id: header("webhook-id"),
                        timestamp: header("webhook-timestamp"),
                        signature: header("webhook-signature"),
                        body: String::from_utf8_lossy(&body).into_owned(),
                    });
                    let status =
                        actix_web::http::StatusCode::from_u16(answer.load(Ordering::SeqCst))
                            .unwrap();
                    HttpResponse::build(status).body("received")
                }
            }))
        })
        .workers(1)
        .bind(("127.0.0.1", 0))
        .unwrap();
        let port = server.addrs()[0].port();
        actix_web::rt::spawn(server.run());
        Self {
            url: format!("http://127.0.0.1:{port}/hook"),
            got,
            status,
        }
    }

    fn all(&self) -> Vec<Received> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until a request matching `wanted` arrives.
    async fn wait_for(&self, what: &str, wanted: impl Fn(&Received) -> bool) -> Received {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(found) = self.all().into_iter().find(|r| wanted(r)) {
                return found;
            }
            assert!(
                Instant::now() < deadline,
                "no {what} arrived; got {:?}",
                self.all().iter().map(Received::json).collect::<Vec<_>>()
            );
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn wait_for_type(&self, event_type: &str, id: i64) -> Received {
        self.wait_for(event_type, |r| {
            let body = r.json();
            body["type"] == event_type && body["data"]["id"] == id
        })
        .await
    }
}

async fn endpoint(app: &TestApp, url: &str, events: Value) -> Value {
    json_of(
        app.send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&app.admin_token),
            Some(&json!({"url": url, "events": events, "description": "الموقع الثابت"})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await
}

/// Checks a delivery's signature as the Standard Webhooks specification defines it.
fn verify(secret: &str, received: &Received) {
    let timestamp: i64 = received.timestamp.parse().expect("a unix timestamp");
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    let expected =
        sahifa::webhooks::signing::sign(secret, &received.id, timestamp, received.body.as_bytes())
            .unwrap();
    assert!(
        received.signature.split(' ').any(|s| s == expected),
        "{} does not hold {expected}",
        received.signature
    );
}

#[actix_web::test]
async fn admins_manage_endpoints_and_see_the_secret_once() {
    let app = spawn_app_with(&[PRIVATE_OK]).await;
    let created = endpoint(&app, "http://127.0.0.1:9/hook", json!(["article.*"])).await;
    let secret = created["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("whsec_"), "{created}");
    assert_eq!(created["active"], true);
    let id = created["id"].as_i64().unwrap();
    let path = format!("/api/v1/webhooks/{id}");

    let read = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    assert!(read.get("secret").is_none(), "{read}");
    let listed = json_of(
        app.get_as("/api/v1/webhooks", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["meta"]["total"], 1);
    assert!(!listed.to_string().contains(&secret));

    let patched = json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&json!({"events": ["cache.purge", "section.*"], "active": false})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["events"], json!(["cache.purge", "section.*"]));
    assert_eq!(patched["active"], false);

    let rotated = json_of(
        app.send(
            Method::POST,
            &format!("{path}/secret"),
            Some(&app.admin_token),
            None,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let new_secret = rotated["secret"].as_str().unwrap();
    assert!(new_secret.starts_with("whsec_") && new_secret != secret);

    let deleted = app
        .send(Method::DELETE, &path, Some(&app.admin_token), None)
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    assert_problem(
        app.get_as(&path, &app.admin_token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    // Its log went with it: replaying from it is a 404.
    assert_problem(
        app.send(
            Method::POST,
            &format!("{path}/replay"),
            Some(&app.admin_token),
            Some(&json!({"since": "2020-01-01T00:00:00Z"})),
        )
        .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn only_admins_reach_webhooks() {
    let app = spawn_app_with(&[PRIVATE_OK]).await;
    let created = endpoint(&app, "http://127.0.0.1:9/hook", json!(["*"])).await;
    let id = created["id"].as_i64().unwrap();
    let body = json!({"url": "http://127.0.0.1:9/x", "events": ["*"]});
    for role in ["editor", "author"] {
        let staff = app.staff(role).await;
        for (method, path) in [
            (Method::GET, "/api/v1/webhooks".to_owned()),
            (Method::POST, "/api/v1/webhooks".to_owned()),
            (Method::GET, format!("/api/v1/webhooks/{id}")),
            (Method::PATCH, format!("/api/v1/webhooks/{id}")),
            (Method::DELETE, format!("/api/v1/webhooks/{id}")),
            (Method::POST, format!("/api/v1/webhooks/{id}/secret")),
            (Method::GET, format!("/api/v1/webhooks/{id}/deliveries")),
            (Method::POST, format!("/api/v1/webhooks/{id}/replay")),
        ] {
            let response = app
                .send(method.clone(), &path, Some(&staff.token), Some(&body))
                .await;
            assert_problem(response, StatusCode::FORBIDDEN).await;
            let response = app.send(method, &path, None, Some(&body)).await;
            assert_problem(response, StatusCode::UNAUTHORIZED).await;
        }
    }
    let still = json_of(
        app.get_as(&format!("/api/v1/webhooks/{id}"), &app.admin_token)
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(still["events"], json!(["*"]));
}

#[actix_web::test]
async fn hostile_endpoints_are_refused_and_nothing_is_saved() {
    // Without SAHIFA_WEBHOOKS_ALLOW_PRIVATE.
    let app = spawn_app_with(&[]).await;
    for url in [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "http://10.0.0.7/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/",
        "http://0.0.0.0/",
    ] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/webhooks",
                Some(&app.admin_token),
                Some(&json!({"url": url, "events": ["article.published"]})),
            )
            .await;
        let problem = assert_problem_type(response, "webhook-address-refused").await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("SAHIFA_WEBHOOKS_ALLOW_PRIVATE")
        );
    }
    for body in [
        json!({"url": "ftp://example.com/hook", "events": ["article.published"]}),
        json!({"url": "file:///etc/passwd", "events": ["article.published"]}),
        json!({"url": "https://example.com/hook", "events": ["article.exploded"]}),
        json!({"url": "https://example.com/hook", "events": ["nope.*"]}),
        json!({"url": "https://example.com/hook", "events": []}),
        json!({"url": "https://example.com/hook"}),
        json!({"url": "not a url", "events": ["*"]}),
        json!({"url": "https://example.com/hook", "events": ["*"], "secret": "mine"}),
    ] {
        let response = app
            .send(
                Method::POST,
                "/api/v1/webhooks",
                Some(&app.admin_token),
                Some(&body),
            )
            .await;
        assert_problem_type(response, "validation-failed").await;
    }
    let listed = json_of(
        app.get_as("/api/v1/webhooks", &app.admin_token).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(listed["meta"]["total"], 0, "{listed}");
}

#[actix_web::test]
async fn publishing_is_delivered_signed_and_logged() {
    let receiver = Receiver::start();
    let app = spawn_app_with(&[PRIVATE_OK]).await;
    let hook = endpoint(
        &app,
        &receiver.url,
        json!(["article.*", "section.*", "cache.purge"]),
    )
    .await;
    let secret = hook["secret"].as_str().unwrap().to_owned();
    let section = app.section("العالم", None).await;
    let section_id = section["id"].as_i64().unwrap();
    let created = receiver.wait_for_type("section.created", section_id).await;
    verify(&secret, &created);

    // A draft is nobody's news.
    let draft = app
        .article(&app.admin_token.clone(), section_id, "مسودة", json!({}))
        .await;
    let article = app.published(section_id, "طوكيو وواشنطن", json!({})).await;
    let id = article["id"].as_i64().unwrap();
    let published = receiver.wait_for_type("article.published", id).await;
    verify(&secret, &published);
    let body = published.json();
    assert_eq!(body["id"], published.id, "the body's id is the webhook-id");
    assert!(published.id.starts_with("evt_"));
    assert_eq!(body["data"]["title"], "طوكيو وواشنطن");
    assert_eq!(body["data"]["body_html"], article["body_html"]);
    let purge = receiver
        .wait_for("cache.purge", |r| {
            r.json()["type"] == "cache.purge"
                && r.json()["data"]["keys"]
                    .as_array()
                    .is_some_and(|k| k.contains(&json!(format!("article-{id}"))))
        })
        .await;
    verify(&secret, &purge);
    let keys = purge.json()["data"]["keys"].clone();
    assert!(
        keys.as_array().unwrap().contains(&json!("articles")),
        "{keys}"
    );
    assert!(
        !keys.to_string().contains("section-"),
        "an article's purge spares its section: {keys}"
    );

    let path = format!("/api/v1/articles/{id}");
    let edited = app
        .send(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&json!({"title": "عنوان جديد"})),
        )
        .await;
    assert_eq!(edited.status(), StatusCode::OK);
    let updated = receiver.wait_for_type("article.updated", id).await;
    assert_eq!(updated.json()["data"]["title"], "عنوان جديد");
    app.send(
        Method::PATCH,
        &path,
        Some(&app.admin_token),
        Some(&json!({"status": "draft"})),
    )
    .await;
    receiver.wait_for_type("article.unpublished", id).await;
    app.send(
        Method::PATCH,
        &path,
        Some(&app.admin_token),
        Some(&json!({"status": "published"})),
    )
    .await;
    app.send(Method::DELETE, &path, Some(&app.admin_token), None)
        .await;
    let deleted = receiver.wait_for_type("article.deleted", id).await;
    assert_eq!(deleted.json()["data"]["slug"], article["slug"]);

    let draft_id = draft["id"].as_i64().unwrap();
    assert!(
        !receiver
            .all()
            .iter()
            .any(|r| r.json()["data"]["id"] == draft_id
                && r.json()["type"].as_str().unwrap().starts_with("article.")),
        "a draft leaves no trace"
    );
    // Each event is sent once here (the receiver answered 200 every time).
    let mut ids: Vec<String> = receiver.all().into_iter().map(|r| r.id).collect();
    let total = ids.len();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), total);

    let log = json_of(
        app.get_as(
            &format!(
                "/api/v1/webhooks/{}/deliveries?event=article.published",
                hook["id"]
            ),
            &app.admin_token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let first = &log["data"][0];
    assert_eq!(first["state"], "succeeded", "{log}");
    assert_eq!(first["last_status"], 200);
    assert_eq!(first["response_excerpt"], "received");
    assert!(first["last_latency_ms"].as_i64().is_some());
    assert_eq!(log["meta"]["total"], 2, "published twice: {log}");
}

#[actix_web::test]
async fn comment_events_never_carry_the_commenters_email() {
    let receiver = Receiver::start();
    let app = spawn_app_with(&[PRIVATE_OK]).await;
    let hook = endpoint(&app, &receiver.url, json!(["comment.*", "cache.purge"])).await;
    let section = app.section("رأي", None).await;
    let article = app
        .published(section["id"].as_i64().unwrap(), "مقال", json!({}))
        .await;
    let submitted = app
        .send(
            Method::POST,
            &format!("/api/v1/articles/{}/comments", article["id"]),
            None,
            Some(&json!({
                "author_name": "سارة", "author_email": "sara.secret@example.com",
                "body": "تحليل ممتاز."
            })),
        )
        .await;
    assert_eq!(submitted.status(), StatusCode::ACCEPTED);
    let created = receiver
        .wait_for("comment.created", |r| r.json()["type"] == "comment.created")
        .await;
    verify(hook["secret"].as_str().unwrap(), &created);
    let comment_id = created.json()["data"]["id"].as_i64().unwrap();
    assert_eq!(created.json()["data"]["status"], "pending");
    app.send(
        Method::PATCH,
        &format!("/api/v1/comments/{comment_id}"),
        Some(&app.admin_token),
        Some(&json!({"status": "approved"})),
    )
    .await;
    receiver.wait_for_type("comment.approved", comment_id).await;
    for received in receiver.all() {
        assert!(!received.body.contains("sara.secret"), "{}", received.body);
    }
}

#[actix_web::test]
async fn a_failing_receiver_gets_the_event_again_with_the_same_id() {
    let receiver = Receiver::start();
    receiver.status.store(503, Ordering::SeqCst);
    let app = spawn_app_with(&FAST_RETRIES).await;
    let hook = endpoint(&app, &receiver.url, json!(["article.published"])).await;
    let section = app.section("اقتصاد", None).await;
    let article = app
        .published(section["id"].as_i64().unwrap(), "الذهب", json!({}))
        .await;
    let id = article["id"].as_i64().unwrap();
    let first = receiver.wait_for_type("article.published", id).await;
    receiver
        .wait_for("a retry", |_| receiver_len(&receiver) >= 2)
        .await;
    receiver.status.store(200, Ordering::SeqCst);
    let deliveries_path = format!("/api/v1/webhooks/{}/deliveries", hook["id"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let delivery = loop {
        let log = json_of(
            app.get_as(&deliveries_path, &app.admin_token).await,
            StatusCode::OK,
        )
        .await;
        if log["data"][0]["state"] == "succeeded" {
            break log["data"][0].clone();
        }
        assert!(Instant::now() < deadline, "never delivered: {log}");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(delivery["attempts"].as_i64().unwrap() >= 2, "{delivery}");
    let detail = json_of(
        app.get_as(
            &format!("{deliveries_path}/{}", delivery["id"]),
            &app.admin_token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let attempts = detail["attempts_log"].as_array().unwrap();
    assert_eq!(attempts[0]["status"], 503, "{detail}");
    assert_eq!(attempts.last().unwrap()["status"], 200, "{detail}");
    assert!(receiver.all().iter().all(|r| r.id == first.id));

    // A replay sends the same event again, as a new delivery.
    let replayed = json_of(
        app.send(
            Method::POST,
            &format!("{deliveries_path}/{}/replay", delivery["id"]),
            Some(&app.admin_token),
            None,
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(replayed["event_id"], first.id);
    assert_ne!(replayed["id"], delivery["id"]);
    let before = receiver.all().len();
    receiver
        .wait_for("the replay", |_| receiver_len(&receiver) > before)
        .await;
}

fn receiver_len(receiver: &Receiver) -> usize {
    receiver.got.lock().unwrap().len()
}

#[actix_web::test]
async fn an_endpoint_that_keeps_failing_is_disabled_with_a_reason() {
    let receiver = Receiver::start();
    receiver.status.store(500, Ordering::SeqCst);
    let mut vars = FAST_RETRIES.to_vec();
    vars.push(("SAHIFA_WEBHOOKS_DISABLE_AFTER_SECS", "2"));
    let app = spawn_app_with(&vars).await;
    let hook = endpoint(&app, &receiver.url, json!(["article.published"])).await;
    let section = app.section("رياضة", None).await;
    app.published(section["id"].as_i64().unwrap(), "المباراة", json!({}))
        .await;
    let path = format!("/api/v1/webhooks/{}", hook["id"]);
    let deadline = Instant::now() + Duration::from_secs(30);
    let disabled = loop {
        let read = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
        if read["active"] == false {
            break read;
        }
        assert!(Instant::now() < deadline, "never disabled: {read}");
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .unwrap()
            .contains("500"),
        "{disabled}"
    );
    assert!(disabled["failing_since"].is_string());
    // Set active again, it is clean.
    let enabled = json_of(
        app.send(
            Method::PATCH,
            &path,
            Some(&app.admin_token),
            Some(&json!({"active": true})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(enabled["disabled_reason"], Value::Null);
    assert_eq!(enabled["failing_since"], Value::Null);
    // The failed delivery can be replayed once the receiver is back.
    receiver.status.store(200, Ordering::SeqCst);
    let replayed = json_of(
        app.send(
            Method::POST,
            &format!("{path}/replay"),
            Some(&app.admin_token),
            Some(&json!({"since": "2020-01-01T00:00:00Z"})),
        )
        .await,
        StatusCode::ACCEPTED,
    )
    .await;
    assert_eq!(replayed["replayed"], 1, "{replayed}");
}

#[actix_web::test]
async fn a_change_that_rolls_back_sends_nothing() {
    let receiver = Receiver::start();
    let app = spawn_app_with(&[PRIVATE_OK]).await;
    let hook = endpoint(&app, &receiver.url, json!(["*"])).await;
    let section = app.section("محليات", None).await;
    let section_id = section["id"].as_i64().unwrap();
    let first = app
        .published(section_id, "الأول", json!({"slug": "awal"}))
        .await;
    receiver
        .wait_for_type("article.published", first["id"].as_i64().unwrap())
        .await;
    let before = json_of(
        app.get_as(
            &format!("/api/v1/webhooks/{}/deliveries", hook["id"]),
            &app.admin_token,
        )
        .await,
        StatusCode::OK,
    )
    .await["meta"]["total"]
        .clone();
    // A taken slug: refused after validation, inside the write.
    let refused = app
        .send(
            Method::POST,
            "/api/v1/articles",
            Some(&app.admin_token),
            Some(
                &json!({"title": "ثان", "body": "نص", "section_id": section_id,
                         "status": "published", "slug": "awal"}),
            ),
        )
        .await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let after = json_of(
        app.get_as(
            &format!("/api/v1/webhooks/{}/deliveries", hook["id"]),
            &app.admin_token,
        )
        .await,
        StatusCode::OK,
    )
    .await["meta"]["total"]
        .clone();
    assert_eq!(before, after);
}

#[actix_web::test]
async fn public_reads_name_their_surrogate_keys() {
    let app = spawn_app_with(&[]).await;
    let section = app.section("العالم", None).await;
    let article = app
        .published(section["id"].as_i64().unwrap(), "خبر", json!({}))
        .await;
    let id = article["id"].as_i64().unwrap();
    let response = app.get(&format!("/api/v1/articles/{id}")).await;
    let keys = response.headers()["surrogate-key"]
        .to_str()
        .unwrap()
        .to_owned();
    let tags = response.headers()["cache-tag"].to_str().unwrap().to_owned();
    let keys: Vec<&str> = keys.split(' ').collect();
    assert!(keys.contains(&format!("article-{id}").as_str()), "{keys:?}");
    assert!(
        keys.contains(&format!("section-{}", section["id"]).as_str()),
        "{keys:?}"
    );
    assert!(
        keys.contains(&format!("author-{}", article["author"]["id"]).as_str()),
        "{keys:?}"
    );
    assert_eq!(tags.split(',').collect::<Vec<_>>(), keys);
    // Served again from the response cache, with the same keys.
    let again = app.get(&format!("/api/v1/articles/{id}")).await;
    assert_eq!(again.headers()["surrogate-key"], response_keys(&keys));

    let list = app.get("/api/v1/articles").await;
    let list_keys = list.headers()["surrogate-key"].to_str().unwrap();
    assert!(list_keys.split(' ').any(|k| k == "articles"), "{list_keys}");
    assert!(
        list_keys.split(' ').any(|k| k == format!("article-{id}")),
        "{list_keys}"
    );
    let sections = app.get("/api/v1/sections").await;
    assert!(
        sections.headers()["surrogate-key"]
            .to_str()
            .unwrap()
            .contains("sections")
    );

    // A staff member's read is private: nothing for a CDN to key.
    let private = app
        .get_as(&format!("/api/v1/articles/{id}"), &app.admin_token)
        .await;
    assert!(private.headers().get("surrogate-key").is_none());
}

fn response_keys(keys: &[&str]) -> String {
    keys.join(" ")
}

/// Reads server-sent events from a streaming response until `count` events arrived.
async fn read_events(response: &mut reqwest::Response, count: usize) -> Vec<(i64, String, Value)> {
    let mut buffer = String::new();
    let mut events = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while events.len() < count {
        let remaining = deadline.saturating_duration_since(Instant::now());
        let chunk = actix_web::rt::time::timeout(remaining, response.chunk())
            .await
            .expect("events in time")
            .unwrap()
            .expect("the stream stays open");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let (mut id, mut kind, mut data) = (None, None, None);
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("id: ") {
                    id = v.parse().ok();
                } else if let Some(v) = line.strip_prefix("event: ") {
                    kind = Some(v.to_owned());
                } else if let Some(v) = line.strip_prefix("data: ") {
                    data = serde_json::from_str(v).ok();
                }
            }
            if let (Some(id), Some(kind), Some(data)) = (id, kind, data) {
                events.push((id, kind, data));
            }
        }
    }
    events
}

#[actix_web::test]
async fn the_live_stream_follows_publications_and_resumes_without_a_gap() {
    let data = TestData::new();
    let app = spawn_app_in(data.clone(), &[]).await;
    let world = app.section("العالم", None).await;
    let sport = app.section("رياضة", None).await;
    let mut stream = app.get("/api/v1/stream").await;
    assert_eq!(stream.status(), StatusCode::OK);
    assert_eq!(stream.headers()["content-type"], "text/event-stream");
    let mut world_only = app
        .get(&format!("/api/v1/stream?section={}", world["id"]))
        .await;

    let first = app
        .published(world["id"].as_i64().unwrap(), "أول", json!({}))
        .await;
    let second = app
        .published(sport["id"].as_i64().unwrap(), "ثان", json!({}))
        .await;
    let got = read_events(&mut stream, 2).await;
    assert_eq!(got[0].1, "article.published");
    assert_eq!(got[0].2["data"]["id"], first["id"]);
    assert_eq!(got[1].2["data"]["id"], second["id"]);
    assert!(got[0].0 < got[1].0);
    let world_events = read_events(&mut world_only, 1).await;
    assert_eq!(world_events[0].2["data"]["id"], first["id"]);

    // Missed while away: a third and a fourth; resuming after the first gets 2, 3, 4.
    drop(stream);
    let third = app
        .published(world["id"].as_i64().unwrap(), "ثالث", json!({}))
        .await;
    app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", third["id"]),
        Some(&app.admin_token),
        Some(&json!({"title": "ثالث معدّل"})),
    )
    .await;
    let mut resumed = app
        .request(Method::GET, "/api/v1/stream")
        .header("Last-Event-ID", got[0].0.to_string())
        .send()
        .await
        .unwrap();
    let replayed = read_events(&mut resumed, 3).await;
    let kinds: Vec<(&str, &Value)> = replayed
        .iter()
        .map(|(_, k, d)| (k.as_str(), &d["data"]["id"]))
        .collect();
    assert_eq!(
        kinds,
        [
            ("article.published", &second["id"]),
            ("article.published", &third["id"]),
            ("article.updated", &third["id"]),
        ]
    );
    assert_eq!(replayed[0].0, got[1].0);

    // Bad input.
    assert_problem(
        app.get("/api/v1/stream?section=nowhere").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let bad = app
        .request(Method::GET, "/api/v1/stream")
        .header("Last-Event-ID", "yesterday")
        .send()
        .await
        .unwrap();
    assert_problem_type(bad, "invalid-header").await;
}

/// Two processes on one PostgreSQL database: a stream on the second hears what is published
/// through the first (NOTIFY), within a second or two — not by its own periodic look alone.
#[actix_web::test]
async fn a_stream_on_one_instance_hears_publications_through_another() {
    let data = TestData::new();
    if !data.is_postgres() {
        return;
    }
    let vars = [
        ("SAHIFA_ADMIN_EMAIL", crate::helpers::ADMIN_EMAIL),
        ("SAHIFA_ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD),
    ];
    let first = crate::helpers::Process::serve_on(data.clone(), &vars);
    let a = first.wait_until_listening();
    let second = crate::helpers::Process::serve_on(data.clone(), &vars);
    let b = second.wait_until_listening();
    let client = reqwest::Client::new();
    let token = crate::helpers::admin_token(&client, &a).await;
    let section: Value = client
        .post(format!("{a}/api/v1/sections"))
        .bearer_auth(&token)
        .json(&json!({"name": "عاجل"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut stream = client
        .get(format!("{b}/api/v1/stream"))
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    for n in 0..3 {
        let sent = Instant::now();
        let article: Value = client
            .post(format!("{a}/api/v1/articles"))
            .bearer_auth(&token)
            .json(&json!({"title": format!("خبر عاجل {n}"), "body": "نص.",
                          "section_id": section["id"], "status": "published"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let got = read_events(&mut stream, 1).await;
        assert_eq!(got[0].2["data"]["id"], article["id"]);
        assert!(
            sent.elapsed() < Duration::from_secs(2),
            "{:?}",
            sent.elapsed()
        );
    }
}

#[actix_web::test]
async fn a_scheduled_article_is_announced_when_it_falls_due() {
    let receiver = Receiver::start();
    let app = spawn_app_with(&FAST_RETRIES).await;
    endpoint(&app, &receiver.url, json!(["article.published"])).await;
    let section = app.section("عاجل", None).await;
    let due = chrono::Utc::now() + chrono::Duration::seconds(2);
    let article = app
        .published(
            section["id"].as_i64().unwrap(),
            "مجدول",
            json!({"published_at": due.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}),
        )
        .await;
    let id = article["id"].as_i64().unwrap();
    actix_web::rt::time::sleep(Duration::from_millis(500)).await;
    assert!(receiver.all().is_empty(), "announced before its time");
    let announced = receiver.wait_for_type("article.published", id).await;
    assert_eq!(announced.json()["data"]["title"], "مجدول");
    assert!(chrono::Utc::now() >= due - chrono::Duration::seconds(1));
}

#[actix_web::test]
async fn bad_changes_to_an_endpoint_change_nothing() {
    let app = spawn_app_with(&[]).await;
    // An IP literal is judged without DNS.
    let created = endpoint(
        &app,
        "http://93.184.216.34/hook",
        json!(["article.published"]),
    )
    .await;
    let path = format!("/api/v1/webhooks/{}", created["id"]);
    for (body, slug) in [
        (
            json!({"url": "http://127.0.0.1/hook"}),
            "webhook-address-refused",
        ),
        (json!({"url": "gopher://example.com/"}), "validation-failed"),
        (json!({"events": ["article.exploded"]}), "validation-failed"),
        (json!({"events": []}), "validation-failed"),
        (json!({"secret": "whsec_mine"}), "validation-failed"),
        (json!({"active": "yes"}), "validation-failed"),
    ] {
        let response = app
            .send(Method::PATCH, &path, Some(&app.admin_token), Some(&body))
            .await;
        assert_problem_type(response, slug).await;
    }
    let stale = app
        .request(Method::PATCH, &path)
        .bearer_auth(&app.admin_token)
        .header("If-Match", "\"not-the-current-one\"")
        .json(&json!({"description": "x"}))
        .send()
        .await
        .unwrap();
    assert_problem(stale, StatusCode::PRECONDITION_FAILED).await;
    let read = json_of(app.get_as(&path, &app.admin_token).await, StatusCode::OK).await;
    assert_eq!(read["url"], "http://93.184.216.34/hook");
    assert_eq!(read["events"], json!(["article.published"]));
    assert_eq!(read["description"], "الموقع الثابت");

    for (body, status) in [
        (
            json!({"since": "yesterday"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({}), StatusCode::UNPROCESSABLE_ENTITY),
    ] {
        let response = app
            .send(
                Method::POST,
                &format!("{path}/replay"),
                Some(&app.admin_token),
                Some(&body),
            )
            .await;
        assert_problem(response, status).await;
    }
    let unknown = app
        .get_as(
            &format!("{path}/deliveries?event=article.exploded"),
            &app.admin_token,
        )
        .await;
    assert_problem(unknown, StatusCode::BAD_REQUEST).await;
    let missing = app
        .send(
            Method::POST,
            &format!("{path}/deliveries/999/replay"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND).await;
}

/// The stream is anonymous: drafts, their edits and articles scheduled for later never
/// appear in it, live or replayed from the outbox.
#[actix_web::test]
async fn the_live_stream_never_shows_unpublished_work() {
    let app = spawn_app_with(&[]).await;
    let section = app.section("داخلي", None).await;
    let section_id = section["id"].as_i64().unwrap();
    let mut stream = app.get("/api/v1/stream").await;
    let token = app.admin_token.clone();
    let draft = app
        .article(&token, section_id, "مسودة سرية", json!({}))
        .await;
    app.send(
        Method::PATCH,
        &format!("/api/v1/articles/{}", draft["id"]),
        Some(&token),
        Some(&json!({"title": "مسودة سرية معدلة"})),
    )
    .await;
    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    app.published(
        section_id,
        "مجدول سري",
        json!({"published_at": later.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)}),
    )
    .await;
    let public = app.published(section_id, "خبر منشور", json!({})).await;
    let live = read_events(&mut stream, 1).await;
    assert_eq!(live[0].2["data"]["id"], public["id"], "{:?}", live[0]);
    let mut replayed = app
        .request(Method::GET, "/api/v1/stream")
        .header("Last-Event-ID", "0")
        .send()
        .await
        .unwrap();
    let again = read_events(&mut replayed, 1).await;
    assert_eq!(again[0].2["data"]["id"], public["id"]);
    assert!(!again[0].2.to_string().contains("سري"));
}
