//! Crash safety: concurrent writes against a real `sahifa` process that is killed with
//! SIGKILL at random moments and restarted on the same data. Every write that was
//! acknowledged (a 2xx received) must be there, intact; nothing half-written may be visible;
//! the SQLite file must pass `PRAGMA integrity_check`.
//!
//! Bounded by default (3 kills); `SAHIFA_CRASH_KILLS=N` runs longer, `SAHIFA_TEST_BINARY`
//! points it at another build (CI uses the release binary). Run with `--nocapture` to see
//! the figures.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, Process, TestData, admin_token};

/// What was sent, and whether the server acknowledged it.
#[derive(Debug, Clone)]
enum Write {
    Article {
        title: String,
        body: String,
        tags: Vec<String>,
    },
    Comment {
        article: i64,
        body: String,
    },
    User {
        email: String,
    },
}

#[derive(Default)]
struct Ledger {
    /// Acknowledged writes, by the id the server returned.
    acknowledged: Vec<(i64, Write)>,
    /// Writes sent but not acknowledged (the connection died): they may or may not exist.
    unacknowledged: Vec<Write>,
}

/// A small deterministic generator (the kill times must be reproducible).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// Where a writer writes.
#[derive(Clone)]
struct Target {
    client: Client,
    base: String,
    token: String,
    section: i64,
    /// Published articles to comment on.
    articles: Vec<i64>,
}

/// One writer: sends writes until its connection to the server dies.
async fn writer(target: Target, ledger: Arc<Mutex<Ledger>>, worker: usize, round: usize) {
    let Target {
        client,
        base,
        token,
        section,
        articles: targets,
    } = target;
    for n in 0.. {
        let tag = format!("kill{round}w{worker}n{n}");
        let (write, request) = match n % 3 {
            0 => {
                let write = Write::Article {
                    title: format!("مقال {tag}"),
                    body: format!("نص المقال {tag} مع فقرة.\n\nوفقرة ثانية {tag}."),
                    tags: vec![
                        format!("وسم {tag}"),
                        "أزمة".to_owned(),
                        format!("t{worker}"),
                    ],
                };
                let Write::Article { title, body, tags } = &write else {
                    unreachable!()
                };
                let request = client.post(format!("{base}/api/v1/articles")).bearer_auth(&token).json(&json!({
                    "title": title, "body": body, "tags": tags, "section_id": section, "status": "published"
                }));
                (write, request)
            }
            1 if !targets.is_empty() => {
                let article = targets[n % targets.len()];
                let write = Write::Comment {
                    article,
                    body: format!("تعليق {tag}"),
                };
                let Write::Comment { body, .. } = &write else {
                    unreachable!()
                };
                let request = client
                    .post(format!("{base}/api/v1/articles/{article}/comments"))
                    .json(&json!({
                        "author_name": "قارئ", "author_email": "reader@example.com", "body": body
                    }));
                (write, request)
            }
            _ => {
                let write = Write::User {
                    email: format!("{tag}@crash.test"),
                };
                let Write::User { email } = &write else {
                    unreachable!()
                };
                let request = client.post(format!("{base}/api/v1/users")).bearer_auth(&token).json(&json!({
                    "email": email, "display_name": tag, "role": "author", "password": "a long enough password"
                }));
                (write, request)
            }
        };
        match request.send().await {
            Ok(response) if response.status().is_success() => {
                let id = response
                    .json::<Value>()
                    .await
                    .ok()
                    .and_then(|b| b["id"].as_i64());
                let mut ledger = ledger.lock().unwrap();
                match id {
                    Some(id) => ledger.acknowledged.push((id, write)),
                    None => ledger.unacknowledged.push(write),
                }
            }
            Ok(response) => panic!("a write was refused: {}", response.status()),
            Err(_) => {
                ledger.lock().unwrap().unacknowledged.push(write);
                return;
            }
        }
    }
}

#[actix_web::test]
async fn acknowledged_writes_survive_sigkill_and_nothing_half_written_shows() {
    let kills: usize = std::env::var("SAHIFA_CRASH_KILLS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let data = TestData::new();
    let vars = [
        ("SAHIFA_ADMIN_EMAIL", ADMIN_EMAIL),
        ("SAHIFA_ADMIN_PASSWORD", ADMIN_PASSWORD),
        ("SAHIFA_COMMENT_RATE_PER_IP", "1000000"),
        ("SAHIFA_LOGIN_RATE_PER_IP", "1000000"),
        ("SAHIFA_WORKERS", "2"),
    ];
    let client = Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    let ledger = Arc::new(Mutex::new(Ledger::default()));
    let mut rng = Lcg(20261127);
    let mut section = 0;
    let mut targets: Vec<i64> = Vec::new();

    for round in 0..kills {
        let mut server = Process::serve_on(data.clone(), &vars);
        let base = server.wait_until_listening();
        let token = admin_token(&client, &base).await;
        if round == 0 {
            let created: Value = client
                .post(format!("{base}/api/v1/sections"))
                .bearer_auth(&token)
                .json(&json!({"name": "أخبار عاجلة"}))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            section = created["id"].as_i64().unwrap();
            for n in 0..3 {
                let article: Value = client.post(format!("{base}/api/v1/articles")).bearer_auth(&token)
                    .json(&json!({"title": format!("هدف التعليقات {n}"), "body": "نص", "section_id": section, "status": "published"}))
                    .send().await.unwrap().json().await.unwrap();
                targets.push(article["id"].as_i64().unwrap());
            }
        }
        let target = Target {
            client: client.clone(),
            base: base.clone(),
            token: token.clone(),
            section,
            articles: targets.clone(),
        };
        let writers: Vec<_> = (0..4)
            .map(|worker| {
                actix_web::rt::spawn(writer(target.clone(), ledger.clone(), worker, round))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(300 + rng.next() % 900)).await;
        nix_kill(server.id());
        server.wait_exit(Duration::from_secs(10));
        for writer in writers {
            writer.await.unwrap();
        }
    }

    // Restart once more and check everything.
    let server = Process::serve_on(data.clone(), &vars);
    let base = server.wait_until_listening();
    let token = admin_token(&client, &base).await;
    let ledger = std::mem::take(&mut *ledger.lock().unwrap());
    let get = |path: String| {
        let (client, token) = (client.clone(), token.clone());
        async move { client.get(path).bearer_auth(token).send().await.unwrap() }
    };
    let mut by_kind: HashMap<&str, usize> = HashMap::new();
    for (id, write) in &ledger.acknowledged {
        match write {
            Write::Article { title, body, tags } => {
                let response = get(format!("{base}/api/v1/articles/{id}")).await;
                assert_eq!(response.status(), StatusCode::OK, "article {id} lost");
                let article: Value = response.json().await.unwrap();
                assert_eq!(article["title"], *title);
                assert_eq!(article["body"], *body);
                assert_eq!(article["tags"], json!(tags), "article {id} lost tags");
                *by_kind.entry("articles").or_default() += 1;
            }
            Write::Comment { article, body } => {
                let comment: Value = get(format!("{base}/api/v1/comments/{id}"))
                    .await
                    .json()
                    .await
                    .unwrap();
                assert_eq!(comment["body"], *body, "comment {id}");
                assert_eq!(comment["article"]["id"], *article);
                *by_kind.entry("comments").or_default() += 1;
            }
            Write::User { email } => {
                let user: Value = get(format!("{base}/api/v1/users/{id}"))
                    .await
                    .json()
                    .await
                    .unwrap();
                assert_eq!(user["email"], *email, "user {id}");
                *by_kind.entry("users").or_default() += 1;
            }
        }
    }
    // Nothing half-written: every article that exists — acknowledged or not — has all its
    // tags and is found by its own search terms; every unacknowledged user is whole.
    let all: Value = get(format!("{base}/api/v1/articles?status=any&per_page=100"))
        .await
        .json()
        .await
        .unwrap();
    let total = all["meta"]["total"].as_i64().unwrap();
    let mut page = 1;
    let mut seen = 0;
    loop {
        let listed: Value = get(format!(
            "{base}/api/v1/articles?status=any&per_page=100&page={page}"
        ))
        .await
        .json()
        .await
        .unwrap();
        let items = listed["data"].as_array().unwrap().clone();
        if items.is_empty() {
            break;
        }
        for article in items {
            seen += 1;
            let title = article["title"].as_str().unwrap();
            if let Some(tag) = title.strip_prefix("مقال ") {
                assert_eq!(
                    article["tags"].as_array().unwrap().len(),
                    3,
                    "half-written tags: {article}"
                );
                let found: Value = get(format!(
                    "{base}/api/v1/articles?status=any&q={}",
                    crate::helpers::encode(tag)
                ))
                .await
                .json()
                .await
                .unwrap();
                assert_eq!(found["meta"]["total"], 1, "the search index lost {tag}");
            }
        }
        page += 1;
    }
    assert_eq!(seen, total);
    drop(server);
    if !data.is_postgres() {
        #[derive(diesel::QueryableByName)]
        struct Check {
            #[diesel(sql_type = diesel::sql_types::Text)]
            integrity_check: String,
        }
        use diesel::{Connection, RunQueryDsl};
        let mut conn =
            diesel::sqlite::SqliteConnection::establish(data.sqlite_path().to_str().unwrap())
                .unwrap();
        let check: Vec<Check> = diesel::sql_query("PRAGMA integrity_check")
            .load(&mut conn)
            .unwrap();
        assert_eq!(check.len(), 1);
        assert_eq!(check[0].integrity_check, "ok");
    }
    println!(
        "crash safety: {kills} SIGKILLs; acknowledged writes checked: {} ({:?}); unacknowledged: {}; lost: 0; \
         articles present: {total}; integrity_check: {}",
        ledger.acknowledged.len(),
        by_kind,
        ledger.unacknowledged.len(),
        if data.is_postgres() {
            "n/a (PostgreSQL)"
        } else {
            "ok"
        }
    );
    assert!(
        by_kind.get("articles").copied().unwrap_or(0) > 0,
        "the writers wrote"
    );
}

fn nix_kill(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}
