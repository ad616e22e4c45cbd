//! The search engine (issue 16): ranked retrieval where every word is optional, phrases and
//! exclusions, English stemming, spelling suggestions, and the index as a derived copy of the
//! store: never showing what readers may not see while it lags, catching up after a crash,
//! rebuilt beside itself while serving, kept per instance on a shared PostgreSQL database.

use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{
    ADMIN_EMAIL, ADMIN_PASSWORD, Process, TestApp, TestData, admin_token, encode, ids, json_of,
    sahifa_command, spawn_app_in,
};
use crate::search::{newsroom, search};

fn id(article: &Value) -> i64 {
    article["id"].as_i64().unwrap()
}

async fn with_body(app: &TestApp, section: i64, title: &str, body: &str) -> Value {
    app.published(section, title, json!({"body": body})).await
}

/// The queries of the issue that found nothing, because no relevant article had every word:
/// each finds its article now.
#[actix_web::test]
async fn every_word_is_optional_and_articles_matching_more_words_rank_first() {
    let (app, section) = newsroom().await;
    let cases = [
        (
            "gold price",
            "Gold hits a record as investors seek safety",
            "Bullion rose again.",
        ),
        (
            "charging stations",
            "A new charging network for electric cars",
            "Drivers will find a station every 50 km.",
        ),
        (
            "طبيب نفسي",
            "الطب النفسي في المدارس",
            "يحتاج الطلاب إلى طبيب مختص.",
        ),
        (
            "تأهل المنتخب لكأس العالم",
            "المنتخب يبلغ نهائيات كأس العالم",
            "فرحة في الشوارع بعد المباراة.",
        ),
    ];
    let mut expected = Vec::new();
    for (_, title, body) in cases {
        expected.push(id(&with_body(&app, section, title, body).await));
    }
    with_body(&app, section, "Oil prices fall", "Crude slipped on Monday.").await;
    for ((query, ..), want) in cases.iter().zip(&expected) {
        let found = ids(&search(&app, query).await);
        assert!(found.contains(want), "{query}: {found:?}");
    }

    // More of the words, and closer together, rank higher.
    let both_close = with_body(&app, section, "تقرير", "ارتفعت أسعار النفط هذا الأسبوع.").await;
    let both_far = with_body(
        &app,
        section,
        "تقرير آخر",
        "ارتفعت أسعار القمح والسكر والأرز والقهوة والشاي، وتراجع النفط.",
    )
    .await;
    let one = with_body(&app, section, "تقرير ثالث", "تراجعت أسعار القمح.").await;
    let found = ids(&search(&app, "أسعار النفط").await);
    let at = |a: &Value| found.iter().position(|x| *x == id(a)).unwrap();
    assert!(at(&both_close) < at(&both_far), "{found:?}");
    assert!(at(&both_far) < at(&one), "{found:?}");
}

#[actix_web::test]
async fn quoted_phrases_must_appear_and_minus_excludes() {
    let (app, section) = newsroom().await;
    let phrase = with_body(&app, section, "كأس العالم", "انطلقت البطولة.").await;
    let apart = with_body(&app, section, "العالم يترقب", "كأس البطولة المحلية.").await;
    let found = ids(&search(&app, "\"كأس العالم\"").await);
    assert_eq!(found, [id(&phrase)]);
    let found = ids(&search(&app, "«كأس العالم»").await);
    assert_eq!(found, [id(&phrase)]);
    let found = ids(&search(&app, "كأس -المحلية").await);
    assert_eq!(
        found,
        [id(&phrase)],
        "the excluded word's article is left out"
    );
    let both = ids(&search(&app, "كأس العالم").await);
    assert!(both.contains(&id(&apart)) && both.contains(&id(&phrase)));
}

#[actix_web::test]
async fn english_is_stemmed_with_snowball() {
    let (app, section) = newsroom().await;
    let a = with_body(
        &app,
        section,
        "Flu vaccine for elderly people",
        "Clinics open.",
    )
    .await;
    let b = with_body(&app, section, "Preventing diabetes", "Walking helps.").await;
    assert_eq!(
        ids(&search(&app, "flu vaccines for the elderly").await),
        [id(&a)]
    );
    assert_eq!(ids(&search(&app, "diabetes prevention").await), [id(&b)]);
}

#[actix_web::test]
async fn a_misspelled_query_carries_a_suggestion_from_the_archive() {
    let (app, section) = newsroom().await;
    for n in 0..3 {
        with_body(
            &app,
            section,
            &format!("الاقتصاد المصري {n}"),
            "نمو الاقتصاد.",
        )
        .await;
        with_body(
            &app,
            section,
            &format!("The economy grows {n}"),
            "Markets rose.",
        )
        .await;
    }
    // A word found nowhere is searched as its correction, and the answer says so.
    let found = search(&app, "الاقتصاظ").await;
    assert_eq!(found["meta"]["total"], 3, "{found}");
    assert_eq!(found["meta"]["suggestion"], "الاقتصاد", "{found}");
    // Nothing like it at all: nothing found, and nothing suggested.
    let nothing = search(&app, "زقزقة").await;
    assert_eq!(nothing["meta"]["total"], 0);
    assert!(nothing["meta"].get("suggestion").is_none(), "{nothing}");
    let found = search(&app, "econmy").await;
    assert_eq!(found["meta"]["suggestion"], "economy", "{found}");
    // The suggestion keeps the words that were right.
    let found = search(&app, "econmy grows").await;
    assert_eq!(found["meta"]["suggestion"], "economy grows", "{found}");
    let right = search(&app, "economy").await;
    assert!(right["meta"].get("suggestion").is_none(), "{right}");
    // A word the archive has, but one edit from a far more frequent one.
    for n in 0..21 {
        with_body(&app, section, &format!("Inflation report {n}"), "Prices.").await;
    }
    let rare = with_body(&app, section, "Inflaton", "A typo in a title.").await;
    let found = search(&app, "inflaton").await;
    assert_eq!(ids(&found), [id(&rare)]);
    assert_eq!(found["meta"]["suggestion"], "inflation", "{found}");
}

/// A word's neighbours in the vocabulary are kept between searches; a new article's words
/// are suggested at once all the same.
#[actix_web::test]
async fn a_suggestion_follows_the_words_of_new_articles() {
    let (app, section) = newsroom().await;
    with_body(&app, section, "Harbour news", "Ships.").await;
    for _ in 0..2 {
        let found = search(&app, "glorbnik").await;
        assert!(found["meta"].get("suggestion").is_none(), "{found}");
    }
    with_body(&app, section, "Glorbnic festival", "Music.").await;
    let found = search(&app, "glorbnik").await;
    assert_eq!(found["meta"]["suggestion"], "glorbnic", "{found}");
    assert_eq!(found["meta"]["total"], 1, "{found}");
}

/// A section «العالم» on a server started as a [`Process`].
async fn section_on(client: &Client, base: &str, token: &str) -> Value {
    client
        .post(format!("{base}/api/v1/sections"))
        .bearer_auth(token)
        .json(&json!({"name": "العالم"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// Suggestions come only from what readers can see: a word that only a draft, an article
/// in review or an embargoed one holds is never spelled out to anyone searching near it.
#[actix_web::test]
async fn suggestions_never_spell_out_words_only_unpublished_articles_hold() {
    let (app, section) = newsroom().await;
    let token = app.admin_token.clone();
    app.article(
        &token,
        section,
        "Zorblaxian merger talks",
        json!({"body": "Secret."}),
    )
    .await;
    app.article(
        &token,
        section,
        "Quuxfield takeover",
        json!({"status": "published", "published_at": "2999-01-01T00:00:00Z"}),
    )
    .await;
    for near in ["zorblaxiam", "quuxfeld"] {
        let found = search(&app, near).await;
        assert_eq!(found["meta"]["total"], 0, "{found}");
        assert!(found["meta"].get("suggestion").is_none(), "{near}: {found}");
    }
    // Once published, the same word is suggested.
    with_body(&app, section, "Zorblaxian vote", "Public now.").await;
    let found = search(&app, "zorblaxiam").await;
    assert_eq!(found["meta"]["suggestion"], "zorblaxian", "{found}");
}

/// The store decides: an article that is no longer visible is never shown, nor counted,
/// even by an index that has not heard of the change (here a change made behind the
/// server's back, with no entry in the change log).
#[actix_web::test]
async fn readers_never_see_unpublished_articles_even_while_the_index_lags() {
    let (app, section) = newsroom().await;
    let kept = with_body(&app, section, "قمة المناخ", "نص.").await;
    for (status, published_at) in [
        ("draft", "published_at"),
        ("review", "published_at"),
        ("archived", "published_at"),
        ("published", "'2999-01-01 00:00:00'"),
    ] {
        let hidden = with_body(&app, section, "قمة المناخ الثانية", "نص.").await;
        app.data.execute(&format!(
            "UPDATE articles SET status = '{status}', published_at = {published_at} WHERE id = {}",
            id(&hidden)
        ));
        let found = search(&app, "قمة المناخ").await;
        assert_eq!(ids(&found), [id(&kept)], "{status}");
        assert_eq!(found["meta"]["total"], 1, "{status}: not even counted");
        let related = json_of(
            app.get(&format!("/api/v1/articles/{}/related", id(&kept)))
                .await,
            StatusCode::OK,
        )
        .await;
        assert!(!ids(&related).contains(&id(&hidden)), "{status}");
        // Put back through the API so the next round starts clean.
        let response = app
            .send(
                Method::DELETE,
                &format!("/api/v1/articles/{}", id(&hidden)),
                Some(&app.admin_token),
                None,
            )
            .await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
    }
    // Deleted behind the server's back: gone from the page.
    let gone = with_body(&app, section, "قمة المناخ الثالثة", "نص.").await;
    app.data
        .execute(&format!("DELETE FROM articles WHERE id = {}", id(&gone)));
    assert_eq!(ids(&search(&app, "قمة المناخ").await), [id(&kept)]);
}

/// Bad queries answer 200 (nothing or something found) or a 400 problem, never a 500.
#[actix_web::test]
async fn hostile_queries_never_fail_the_server() {
    let (app, section) = newsroom().await;
    with_body(&app, section, "كأس العالم", "نص عن البطولة.").await;
    let long_text = "كأس ".repeat(2600);
    let many_words = (0..3000)
        .map(|n| format!("w{n}"))
        .collect::<Vec<_>>()
        .join(" ");
    let queries: Vec<String> = vec![
        "AND OR NOT ( ) * : ^ ~ [ ] { } + - ! \\\\ /".into(),
        "\"\"\"".into(),
        "\"كأس العالم".into(),
        "كأس\" العالم\"\"".into(),
        "-".into(),
        "--كأس".into(),
        "-كأس -العالم".into(),
        "title:كأس".into(),
        "كأس~2".into(),
        "*".into(),
        "ك".into(),
        long_text,
        many_words,
        "\u{202e}كأس\u{200f}".into(),
        "«».؟!،".into(),
    ];
    for query in &queries {
        let response = app
            .get(&format!("/api/v1/articles?q={}", encode(query)))
            .await;
        let status = response.status();
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "{status} for {:?}",
            query.chars().take(40).collect::<String>()
        );
    }
    for raw in ["%00", "x%00y"] {
        let status = app.get(&format!("/api/v1/articles?q={raw}")).await.status();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "NUL: {raw}");
    }
    for raw in ["%E2%80", "%FF%FE", "%C0%AF"] {
        let status = app.get(&format!("/api/v1/articles?q={raw}")).await.status();
        assert!(!status.is_server_error(), "{status} for {raw}");
    }
}

/// An edit is found by the next search, on the instance that made it and on another one
/// sharing the PostgreSQL database (each with its own index).
#[actix_web::test]
async fn a_published_edit_is_found_at_once_by_every_instance() {
    let (app, section) = newsroom().await;
    let article = with_body(&app, section, "عنوان قديم", "نص.").await;
    let other = spawn_app_in(app.data.clone(), &[]).await;
    let response = app
        .send(
            Method::PATCH,
            &format!("/api/v1/articles/{}", id(&article)),
            Some(&app.admin_token),
            Some(&json!({"title": "البرلمان يقر الموازنة"})),
        )
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(ids(&search(&app, "الموازنة").await), [id(&article)]);
    assert_eq!(ids(&search(&other, "الموازنة").await), [id(&article)]);
    assert!(ids(&search(&other, "قديم").await).is_empty());
}

/// Without any search to pull it, another instance's write reaches this instance's index
/// by itself (LISTEN/NOTIFY on PostgreSQL, polling in any case) within a second.
#[actix_web::test]
async fn the_index_follows_writes_in_the_background() {
    let data = TestData::new();
    let dir = data.dir.path().join("watched");
    let app = spawn_app_in(
        data.clone(),
        &[("SAHIFA_SEARCH_DIR", dir.to_str().unwrap())],
    )
    .await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let slot = dir.join("slot-0");
    let before = std::fs::read_to_string(slot.join("CURRENT")).unwrap();
    let meta = slot.join(before.trim()).join("meta.json");
    let committed = std::fs::read_to_string(&meta).unwrap();
    let started = Instant::now();
    with_body(&app, section, "خبر", "نص.").await;
    // The write was logged; the index commits it without being asked.
    while std::fs::read_to_string(&meta).unwrap() == committed {
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "not applied within a second"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn found(client: &Client, base: &str, query: &str) -> Vec<i64> {
    let response = client
        .get(format!("{base}/api/v1/articles?q={}", encode(query)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    ids(&response.json().await.unwrap())
}

fn server_vars(dir: &str) -> Vec<(&'static str, String)> {
    vec![
        ("SAHIFA_ADMIN_EMAIL", ADMIN_EMAIL.to_owned()),
        ("SAHIFA_ADMIN_PASSWORD", ADMIN_PASSWORD.to_owned()),
        ("SAHIFA_JWT_SECRET", "x".repeat(40)),
        ("SAHIFA_SEARCH_DIR", dir.to_owned()),
    ]
}

fn serve(data: &std::sync::Arc<TestData>, dir: &str) -> (Process, String) {
    let vars = server_vars(dir);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let process = Process::serve_on(data.clone(), &vars);
    let base = process.wait_until_listening();
    (process, base)
}

/// A change committed to the store but not yet to the index (the process killed in
/// between) is applied at the next start, from the checkpoint the index recorded: no rebuild.
#[actix_web::test]
async fn after_a_crash_the_index_catches_up_from_its_checkpoint() {
    let data = TestData::new();
    let dir = data.dir.path().join("index");
    let dir = dir.to_str().unwrap();
    let client = Client::new();
    let (mut process, base) = serve(&data, dir);
    let token = admin_token(&client, &base).await;
    let section = section_on(&client, &base, &token).await;
    let article: Value = client
        .post(format!("{base}/api/v1/articles"))
        .bearer_auth(&token)
        .json(&json!({"title": "عنوان أول", "body": "نص.", "section_id": section["id"], "status": "published"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(found(&client, &base, "عنوان").await, [id(&article)]);
    process.signal("KILL");
    process.wait_exit(Duration::from_secs(10));
    // What a write that committed just before the kill leaves: the article changed and its
    // change logged, the index not told.
    data.execute(&format!(
        "UPDATE articles SET title = 'الموازنة الجديدة', version = version + 1 WHERE id = {}",
        id(&article)
    ));
    data.execute(&format!(
        "INSERT INTO search_changes (article_id, changed_at) VALUES ({}, CURRENT_TIMESTAMP)",
        id(&article)
    ));
    let (process, base) = serve(&data, dir);
    assert_eq!(found(&client, &base, "الموازنة").await, [id(&article)]);
    assert!(found(&client, &base, "أول").await.is_empty());
    let log = process.log();
    assert!(log.contains("search index caught up"), "{log}");
    assert!(!log.contains("built the search index"), "no rebuild: {log}");
}

/// `sahifa reindex` builds a new generation beside the one in use; the running server
/// switches to it without a failed or empty search, and deletes the old one.
#[actix_web::test]
async fn reindex_builds_beside_the_index_in_use_and_the_server_switches_while_serving() {
    let data = TestData::new();
    let dir_path = data.dir.path().join("index");
    let dir = dir_path.to_str().unwrap().to_owned();
    let client = Client::new();
    let (process, base) = serve(&data, &dir);
    let token = admin_token(&client, &base).await;
    let section = section_on(&client, &base, &token).await;
    for n in 0..20 {
        let response = client
            .post(format!("{base}/api/v1/articles"))
            .bearer_auth(&token)
            .json(&json!({"title": format!("تقرير الطاقة {n}"), "body": "نص.", "section_id": section["id"], "status": "published"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let slot = dir_path.join("slot-0");
    let before = std::fs::read_to_string(slot.join("CURRENT")).unwrap();
    // Searches keep running while the new index is built and swapped in.
    let searching = {
        let (client, base) = (client.clone(), base.clone());
        actix_web::rt::spawn(async move {
            let started = Instant::now();
            let mut searches = 0;
            while started.elapsed() < Duration::from_secs(4) {
                assert_eq!(found(&client, &base, "الطاقة").await.len(), 20);
                searches += 1;
            }
            searches
        })
    };
    let mut reindex = sahifa_command(&data);
    reindex.env("SAHIFA_SEARCH_DIR", &dir).arg("reindex");
    let output = actix_web::rt::task::spawn_blocking(move || reindex.output().unwrap())
        .await
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = std::fs::read_to_string(slot.join("CURRENT")).unwrap();
    assert_ne!(before, after, "CURRENT names the new generation");
    assert!(searching.await.unwrap() > 0);
    let deadline = Instant::now() + Duration::from_secs(20);
    while slot.join(before.trim()).exists() {
        assert!(Instant::now() < deadline, "the old generation is deleted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        process
            .log()
            .contains("switched to the rebuilt search index")
    );
    // And it keeps following writes.
    let response = client
        .post(format!("{base}/api/v1/articles"))
        .bearer_auth(&token)
        .json(&json!({"title": "خبر لاحق", "body": "نص.", "section_id": section["id"], "status": "published"}))
        .send()
        .await
        .unwrap();
    let late: Value = response.json().await.unwrap();
    assert_eq!(found(&client, &base, "لاحق").await, [id(&late)]);
}
