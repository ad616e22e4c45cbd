//! Syndication (issue 19): canonical URLs, feeds, sitemaps, structured data and the changes
//! feed, read the way aggregators and crawlers read them.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, encode, json_of, spawn_app, spawn_app_with};

const SITE: [(&str, &str); 6] = [
    ("SAHIFA_PUBLIC_URL", "https://almufeed.example/"),
    ("SAHIFA_URL_ARTICLE", "/{section_path}/{slug}"),
    ("SAHIFA_URL_TAG", "/tag/{slug}"),
    ("SAHIFA_URL_AUTHOR", "/author/{id}"),
    ("SAHIFA_SITE_NAME", "المفيد"),
    ("SAHIFA_SITE_LOGO", "https://almufeed.example/logo.png"),
];

async fn site() -> TestApp {
    spawn_app_with(&SITE).await
}

async fn text(app: &TestApp, path: &str) -> (StatusCode, String, String) {
    let response = app.get(path).await;
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, content_type, response.text().await.unwrap())
}

#[actix_web::test]
async fn every_item_carries_its_public_url_with_arabic_percent_encoded() {
    let app = site().await;
    let world = app.section("العالم", None).await;
    let gulf = app.section("الخليج", world["id"].as_i64()).await;
    let article = app
        .published(
            gulf["id"].as_i64().unwrap(),
            "قمة الخليج",
            json!({"tags": ["النفط"]}),
        )
        .await;
    let base = "https://almufeed.example";
    let expected = format!(
        "{base}/{}/{}/{}",
        encode("العالم"),
        encode("الخليج"),
        encode("قمة-الخليج")
    );
    assert_eq!(article["url"], expected.as_str());
    assert!(article["url"].as_str().unwrap().is_ascii());
    assert_eq!(
        article["section"]["url"],
        format!("{base}/{}/{}", encode("العالم"), encode("الخليج")).as_str()
    );
    assert_eq!(
        article["author"]["url"],
        format!("{base}/author/{}", article["author"]["id"]).as_str()
    );
    let read = json_of(
        app.get(&format!("/api/v1/articles/{}", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["url"], expected.as_str());
    let list = json_of(app.get("/api/v1/articles").await, StatusCode::OK).await;
    assert_eq!(list["data"][0]["url"], expected.as_str());
    let sections = json_of(app.get("/api/v1/sections").await, StatusCode::OK).await;
    assert!(
        sections["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["url"].as_str().unwrap().starts_with(base))
    );
    let tags = json_of(app.get("/api/v1/tags").await, StatusCode::OK).await;
    assert_eq!(
        tags["data"][0]["url"],
        format!("{base}/tag/{}", encode("النفط")).as_str()
    );
    let page = json_of(
        app.send(
            Method::POST,
            "/api/v1/pages",
            Some(&app.admin_token),
            Some(&json!({"title": "من نحن", "body": "x", "status": "published"})),
        )
        .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(page["url"], format!("{base}/{}", encode("من-نحن")).as_str());

    // Without configuration: null URLs, and feeds and sitemaps say what to set.
    let bare = spawn_app().await;
    let section = bare.section("عام", None).await;
    let article = bare
        .published(section["id"].as_i64().unwrap(), "خبر", json!({}))
        .await;
    assert_eq!(article["url"], Value::Null);
    assert_eq!(article["section"]["url"], Value::Null);
    assert_eq!(article["author"]["url"], Value::Null);
    for path in [
        "/feeds/rss.xml",
        "/feeds/atom.xml",
        "/feeds/feed.json",
        "/sitemap.xml",
        "/sitemaps/news.xml",
        "/sitemaps/articles-2026-11.xml",
    ] {
        let problem = assert_problem(bare.get(path).await, StatusCode::NOT_FOUND).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("SAHIFA_PUBLIC_URL"),
            "{path}: {problem}"
        );
    }
}

#[actix_web::test]
async fn feeds_hold_the_newest_published_articles_of_their_scope_and_nothing_unpublished() {
    let app = site().await;
    let world = app.section("العالم", None).await["id"].as_i64().unwrap();
    let gulf = app.section("الخليج", Some(world)).await["id"]
        .as_i64()
        .unwrap();
    let sport = app.section("رياضة", None).await["id"].as_i64().unwrap();
    let a = app
        .published(
            gulf,
            "قمة <الخليج> & \"النفط\"",
            json!({"tags": ["النفط"], "body": "نصٌّ **عربي** بالتشكيل"}),
        )
        .await;
    let b = app.published(world, "اجتماع في طوكيو", json!({})).await;
    let c = app
        .published(
            sport,
            "Final score",
            json!({"lang": "en", "tags": ["football"]}),
        )
        .await;
    app.article(
        &app.admin_token.clone(),
        gulf,
        "مسودة سرية",
        json!({"tags": ["سر"]}),
    )
    .await;
    app.published(
        gulf,
        "مجدول لاحقا",
        json!({"published_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    let archived = app.published(gulf, "مقال مؤرشف", json!({})).await;
    let etag = app
        .get(&format!("/api/v1/articles/{}", archived["id"]))
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let moved = app
        .request(
            Method::PATCH,
            &format!("/api/v1/articles/{}", archived["id"]),
        )
        .bearer_auth(&app.admin_token)
        .header("if-match", etag)
        .json(&json!({"status": "archived"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), StatusCode::OK);

    let (status, content_type, xml) = text(&app, "/feeds/rss.xml").await;
    assert_eq!(status, StatusCode::OK, "{xml}");
    assert!(
        content_type.starts_with("application/rss+xml"),
        "{content_type}"
    );
    let channel = rss::Channel::read_from(xml.as_bytes()).expect("RSS parses");
    let titles: Vec<&str> = channel.items().iter().filter_map(|i| i.title()).collect();
    assert_eq!(
        titles,
        ["Final score", "اجتماع في طوكيو", "قمة <الخليج> & \"النفط\""]
    );
    assert_eq!(channel.language(), Some("ar"));
    let first = &channel.items()[2];
    assert_eq!(first.link(), a["url"].as_str());
    assert!(
        first.content().unwrap().contains("<strong>عربي</strong>"),
        "{xml}"
    );
    assert_eq!(first.dublin_core_ext().unwrap().creators().len(), 1);
    assert!(first.categories().iter().any(|c| c.name() == "النفط"));

    let in_world = rss::Channel::read_from(
        text(
            &app,
            &format!("/feeds/rss.xml?section={}", encode("العالم")),
        )
        .await
        .2
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        in_world.items().len(),
        2,
        "the subsection's article is in its parent's feed"
    );
    let tagged = rss::Channel::read_from(
        text(&app, &format!("/feeds/rss.xml?tag={}", encode("النفط")))
            .await
            .2
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(tagged.items().len(), 1);
    let by_author = text(
        &app,
        &format!("/feeds/rss.xml?author={}", a["author"]["id"]),
    )
    .await;
    assert_eq!(by_author.0, StatusCode::OK);
    let english =
        rss::Channel::read_from(text(&app, "/feeds/rss.xml?lang=en").await.2.as_bytes()).unwrap();
    assert_eq!(english.language(), Some("en"));
    assert_eq!(english.items().len(), 1);
    assert_eq!(english.items()[0].link(), c["url"].as_str());

    let (status, content_type, atom) = text(&app, "/feeds/atom.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/atom+xml"));
    let feed: atom_syndication::Feed = atom.parse().expect("Atom parses");
    assert_eq!(feed.lang(), Some("ar"));
    assert_eq!(feed.entries().len(), 3);
    let (status, content_type, json) = text(&app, "/feeds/feed.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(content_type.starts_with("application/feed+json"));
    let json: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
    assert_eq!(json["items"].as_array().unwrap().len(), 3);
    assert_eq!(json["items"][1]["id"], b["url"]);

    // ETag and 304, from the handler and from the response cache alike.
    let response = app.get("/feeds/rss.xml").await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let again = app
        .request(Method::GET, "/feeds/rss.xml")
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // Bad input.
    for (path, status) in [
        (
            "/feeds/rss.xml?section=no-such-section",
            StatusCode::NOT_FOUND,
        ),
        ("/feeds/atom.xml?tag=no-such-tag", StatusCode::NOT_FOUND),
        ("/feeds/feed.json?author=999999", StatusCode::NOT_FOUND),
        (
            "/feeds/rss.xml?lang=not_a_tag!!",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/feeds/rss.xml?lang=", StatusCode::UNPROCESSABLE_ENTITY),
        ("/feeds/rss.xml?section=", StatusCode::UNPROCESSABLE_ENTITY),
        ("/feeds/rss.xml?author=abc", StatusCode::BAD_REQUEST),
    ] {
        assert_problem(app.get(path).await, status).await;
    }
    // A tag seen only on a draft is as unknown as one that does not exist.
    assert_problem(
        app.get(&format!("/feeds/rss.xml?tag={}", encode("سر")))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[actix_web::test]
async fn sitemaps_list_published_work_within_the_protocol() {
    let app = site().await;
    let world = app.section("العالم", None).await["id"].as_i64().unwrap();
    let a = app
        .published(
            world,
            "قمة الخليج",
            json!({"tags": ["النفط"], "published_at": "2026-11-05T10:00:00Z"}),
        )
        .await;
    let b = app.published(world, "خبر اليوم", json!({})).await;
    app.article(&app.admin_token.clone(), world, "مسودة", json!({}))
        .await;
    app.published(
        world,
        "مجدول",
        json!({"published_at": "2099-01-01T00:00:00Z"}),
    )
    .await;
    app.send(
        Method::POST,
        "/api/v1/pages",
        Some(&app.admin_token),
        Some(&json!({"title": "من نحن", "body": "x", "status": "published"})),
    )
    .await;
    app.send(
        Method::POST,
        "/api/v1/pages",
        Some(&app.admin_token),
        Some(&json!({"title": "صفحة مسودة", "body": "x"})),
    )
    .await;

    let (status, content_type, index) = text(&app, "/sitemap.xml").await;
    assert_eq!(status, StatusCode::OK, "{index}");
    assert!(content_type.starts_with("application/xml"));
    let locs = xml_texts(&index, "loc");
    assert!(
        locs.contains(&"https://almufeed.example/sitemaps/articles-2026-11.xml".to_owned()),
        "{index}"
    );
    assert!(
        locs.iter().all(|l| !l.contains("2099")),
        "no month of scheduled work: {index}"
    );
    let mut article_locs = Vec::new();
    for loc in &locs {
        let path = loc.strip_prefix("https://almufeed.example").unwrap();
        let (status, _, xml) = text(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(xml.contains("xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\""));
        let urls = xml_texts(&xml, "loc");
        assert!(urls.len() <= 50_000 && xml.len() <= 50 * 1024 * 1024);
        assert!(
            urls.iter()
                .all(|u| u.is_ascii() && u.starts_with("https://almufeed.example/"))
        );
        if path.starts_with("/sitemaps/articles-") {
            assert_eq!(
                xml_texts(&xml, "lastmod").len(),
                urls.len(),
                "every article has lastmod"
            );
            article_locs.extend(urls);
        } else if path == "/sitemaps/pages.xml" {
            assert_eq!(
                urls,
                [format!("https://almufeed.example/{}", encode("من-نحن"))]
            );
        }
    }
    article_locs.sort();
    let mut want = vec![
        a["url"].as_str().unwrap().to_owned(),
        b["url"].as_str().unwrap().to_owned(),
    ];
    want.sort();
    assert_eq!(article_locs, want);

    let (status, _, news) = text(&app, "/sitemaps/news.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(news.contains("xmlns:news=\"http://www.google.com/schemas/sitemap-news/0.9\""));
    assert_eq!(
        xml_texts(&news, "loc"),
        [b["url"].as_str().unwrap()],
        "only the last 48 hours"
    );
    assert_eq!(xml_texts(&news, "news:name"), ["المفيد"]);
    assert_eq!(xml_texts(&news, "news:language"), ["ar"]);
    assert_eq!(xml_texts(&news, "news:title"), ["خبر اليوم"]);
    assert_eq!(xml_texts(&news, "news:publication_date").len(), 1);

    for path in [
        "/sitemaps/articles-2026-13.xml",
        "/sitemaps/nothing.xml",
        "/sitemaps/articles-2020-01.xml",
        "/sitemaps/pages",
    ] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND).await;
    }
}

/// The text of every `<name>` element, read with an XML parser.
fn xml_texts(xml: &str, name: &str) -> Vec<String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut found = Vec::new();
    let mut inside = false;
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) if e.name().as_ref() == name.as_bytes() => inside = true,
            Event::End(e) if e.name().as_ref() == name.as_bytes() => inside = false,
            Event::Text(t) if inside => found.push(t.decode().unwrap().into_owned()),
            Event::GeneralRef(r) if inside => {
                let entity = String::from_utf8_lossy(&r).into_owned();
                let text = quick_xml::escape::resolve_predefined_entity(&entity).unwrap_or("");
                if let Some(last) = found.last_mut() {
                    last.push_str(text)
                } else {
                    found.push(text.into())
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    found
}

#[actix_web::test]
async fn articles_carry_news_article_structured_data() {
    let app = site().await;
    let world = app.section("العالم", None).await["id"].as_i64().unwrap();
    let long = "كلمة ".repeat(30) + "نهاية";
    let article = app.published(world, &long, json!({"tags": ["النفط", "الخليج"], "featured_image": {"url": "https://cdn.example/a.jpg"}})).await;
    let ld = &article["json_ld"];
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "NewsArticle");
    let headline = ld["headline"].as_str().unwrap();
    assert!(
        headline.chars().count() <= 110 && long.starts_with(headline) && headline.ends_with("كلمة"),
        "{headline}"
    );
    assert_eq!(ld["image"], json!(["https://cdn.example/a.jpg"]));
    assert!(ld["datePublished"].is_string() && ld["dateModified"].is_string());
    assert_eq!(ld["author"][0]["@type"], "Person");
    assert_eq!(ld["author"][0]["url"], article["author"]["url"]);
    assert_eq!(ld["publisher"]["@type"], "Organization");
    assert_eq!(ld["publisher"]["name"], "المفيد");
    assert_eq!(
        ld["publisher"]["logo"]["url"],
        "https://almufeed.example/logo.png"
    );
    assert_eq!(ld["mainEntityOfPage"]["@id"], article["url"]);
    assert_eq!(ld["inLanguage"], "ar");
    assert_eq!(ld["articleSection"], "العالم");
    assert_eq!(ld["keywords"], "النفط, الخليج");
    assert_eq!(ld["isAccessibleForFree"], true);
}

async fn changes(app: &TestApp, since: Option<&str>) -> Value {
    changes_at_least(app, since, 0).await
}

/// The changes after `since`, once at least `n` are listed: on PostgreSQL a change shows
/// once every transaction that began before it has ended, and the tests of other databases
/// on the same server run transactions too.
async fn changes_at_least(app: &TestApp, since: Option<&str>, n: usize) -> Value {
    let path = match since {
        Some(cursor) => format!("/api/v1/changes?since={cursor}"),
        None => "/api/v1/changes".into(),
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let page = json_of(app.get(&path).await, StatusCode::OK).await;
        if page["data"].as_array().unwrap().len() >= n || std::time::Instant::now() > deadline {
            return page;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

fn summary(page: &Value) -> Vec<(String, i64, String)> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["resource"].as_str().unwrap().to_owned(),
                c["id"].as_i64().unwrap(),
                c["action"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn the_changes_feed_lists_what_readers_see_change_with_tombstones() {
    let app = site().await;
    let start = changes(&app, None).await;
    let cursor = start["meta"]["next_cursor"].as_str().unwrap().to_owned();
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let draft = app
        .article(&app.admin_token.clone(), section, "مسودة", json!({}))
        .await;
    let a = app
        .published(section, "قمة", json!({"tags": ["النفط"]}))
        .await;
    let id = a["id"].as_i64().unwrap();
    let page = changes_at_least(&app, Some(&cursor), 3).await;
    assert_eq!(
        summary(&page),
        [
            ("section".into(), section, "created".into()),
            ("article".into(), id, "created".into()),
            (
                "tag".into(),
                page["data"][2]["id"].as_i64().unwrap(),
                "updated".into()
            )
        ]
    );
    let draft_id = draft["id"].as_i64().unwrap();
    assert!(
        summary(&page)
            .iter()
            .all(|(r, i, _)| r != "article" || *i != draft_id)
    );
    assert_eq!(page["data"][1]["url"], a["url"]);
    let cursor = page["meta"]["next_cursor"].as_str().unwrap().to_owned();

    let etag = app.get(&format!("/api/v1/articles/{id}")).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let unpublished = app
        .request(Method::PATCH, &format!("/api/v1/articles/{id}"))
        .bearer_auth(&app.admin_token)
        .header("if-match", etag)
        .json(&json!({"status": "draft", "tags": ["النفط", "سري جدا"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(unpublished.status(), StatusCode::OK);
    let b = app.published(section, "خبر", json!({})).await;
    let b_id = b["id"].as_i64().unwrap();
    let deleted = app
        .send(
            Method::DELETE,
            &format!("/api/v1/articles/{b_id}"),
            Some(&app.admin_token),
            None,
        )
        .await;
    assert_eq!(deleted.status(), StatusCode::NO_CONTENT);
    let page = changes_at_least(&app, Some(&cursor), 4).await;
    let seen: Vec<(String, i64, String)> = summary(&page)
        .into_iter()
        .filter(|(r, _, _)| r == "article")
        .collect();
    assert_eq!(
        seen,
        [
            ("article".into(), id, "unpublished".into()),
            ("article".into(), b_id, "created".into()),
            ("article".into(), b_id, "deleted".into())
        ]
    );
    // A tag given in the write that hid the article was never seen by readers: not listed.
    let tags: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["resource"] == "tag")
        .map(|c| c["slug"].as_str().unwrap())
        .collect();
    assert_eq!(tags, ["النفط"], "{page}");
    let tombstone = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "deleted")
        .unwrap();
    assert_eq!(tombstone["url"], b["url"]);
    // Nothing new: the same cursor back, no entries.
    let next = page["meta"]["next_cursor"].as_str().unwrap();
    let empty = changes(&app, Some(next)).await;
    assert_eq!(empty["data"], json!([]));
    assert_eq!(empty["meta"]["next_cursor"], next);

    // A cursor altered by one character, or from another database: 422.
    let mut altered: Vec<char> = next.chars().collect();
    altered[5] = if altered[5] == 'A' { 'B' } else { 'A' };
    let altered: String = altered.into_iter().collect();
    assert_problem(
        app.get(&format!("/api/v1/changes?since={altered}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let other = site().await;
    assert_problem(
        other.get(&format!("/api/v1/changes?since={next}")).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    for bad in ["?since=", "?since=%20", "?limit=0", "?limit=1001"] {
        assert_problem(
            app.get(&format!("/api/v1/changes{bad}")).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
}

#[actix_web::test]
async fn a_build_paging_during_concurrent_writes_misses_no_change() {
    let app = std::sync::Arc::new(site().await);
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let app = app.clone();
            actix_web::rt::spawn(async move {
                let mut ids = Vec::new();
                for n in 0..10 {
                    let a = app
                        .published(section, &format!("خبر {w} {n}"), json!({}))
                        .await;
                    ids.push(a["id"].as_i64().unwrap());
                }
                ids
            })
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut cursor: Option<String> = None;
    let mut finished = false;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/changes?limit=3&since={c}"),
            None => "/api/v1/changes?limit=3".into(),
        };
        let page = json_of(app.get(&path).await, StatusCode::OK).await;
        for change in page["data"].as_array().unwrap() {
            if change["resource"] == "article" {
                assert!(
                    seen.insert(change["id"].as_i64().unwrap()),
                    "listed twice: {change}"
                );
            }
        }
        cursor = Some(page["meta"]["next_cursor"].as_str().unwrap().to_owned());
        // Once every writer is done, page on until all 40 were seen (on PostgreSQL a
        // change shows once the transactions before it have ended).
        if finished
            && page["meta"]["has_more"] == false
            && (seen.len() == 40 || std::time::Instant::now() > deadline)
        {
            break;
        }
        finished = writers.iter().all(|w| w.is_finished());
    }
    let mut written = std::collections::HashSet::new();
    for writer in writers {
        written.extend(writer.await.unwrap());
    }
    assert_eq!(seen, written);
}

/// PostgreSQL hands out sequence numbers at insert, not at commit: a change written by a
/// transaction that is still running must hold back every later change, or a build that
/// pages past them would never see it.
#[actix_web::test]
async fn a_change_committed_late_is_listed_before_the_changes_that_overtook_it() {
    use diesel::connection::SimpleConnection;
    let data = crate::helpers::TestData::new();
    if !data.is_postgres() {
        return; // SQLite has one writer: commits come in sequence order.
    }
    let app = crate::helpers::spawn_app_in(data.clone(), &SITE).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let start = changes_at_least(&app, None, 1).await;
    let cursor = start["meta"]["next_cursor"].as_str().unwrap().to_owned();

    // A slow writer: its change is written first, and committed last.
    let url = sahifa::config::DatabaseUrl::parse(&data.database_url).unwrap();
    let mut slow = sahifa::db::ConnectionManager::new(url)
        .connect_now()
        .unwrap();
    slow.batch_execute(
        "BEGIN; INSERT INTO changes (resource, resource_id, action, slug, url, changed_at) \
         VALUES ('page', 999, 'created', 'slow', NULL, now())",
    )
    .unwrap();
    let fast = app.published(section, "سريع", json!({})).await;
    actix_web::rt::time::sleep(std::time::Duration::from_millis(300)).await;
    let response = app.get(&format!("/api/v1/changes?since={cursor}")).await;
    assert_eq!(
        response.headers()["cache-control"],
        "private, no-store",
        "an answer cut short by a running transaction is kept by no cache"
    );
    let meanwhile = json_of(response, StatusCode::OK).await;
    assert_eq!(
        meanwhile["data"],
        json!([]),
        "nothing shows past a running transaction"
    );
    assert_eq!(meanwhile["meta"]["next_cursor"], cursor.as_str());

    slow.batch_execute("COMMIT").unwrap();
    let after = changes_at_least(&app, Some(&cursor), 2).await;
    let listed = summary(&after);
    assert_eq!(listed[0], ("page".into(), 999, "created".into()));
    assert!(listed.contains(&(
        "article".into(),
        fast["id"].as_i64().unwrap(),
        "created".into()
    )));
}

#[actix_web::test]
async fn moving_a_section_lists_its_articles_and_subsections_at_their_new_urls() {
    let app = site().await;
    let world = app.section("العالم", None).await["id"].as_i64().unwrap();
    let gulf = app.section("الخليج", Some(world)).await["id"]
        .as_i64()
        .unwrap();
    let article = app.published(gulf, "قمة", json!({})).await;
    app.article(&app.admin_token.clone(), gulf, "مسودة", json!({}))
        .await;
    let cursor = changes_at_least(&app, None, 3).await["meta"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let etag = app
        .get(&format!("/api/v1/sections/{world}"))
        .await
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let renamed = app
        .request(Method::PATCH, &format!("/api/v1/sections/{world}"))
        .bearer_auth(&app.admin_token)
        .header("if-match", etag)
        .json(&json!({"slug": "دولي"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), StatusCode::OK);
    let page = changes_at_least(&app, Some(&cursor), 3).await;
    assert_eq!(
        summary(&page),
        [
            ("section".into(), world, "updated".into()),
            ("section".into(), gulf, "updated".into()),
            (
                "article".into(),
                article["id"].as_i64().unwrap(),
                "updated".into()
            ),
        ],
        "the draft is not listed"
    );
    let moved = json_of(
        app.get(&format!("/api/v1/articles/{}", article["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(page["data"][2]["url"], moved["url"]);
    assert!(moved["url"].as_str().unwrap().contains(&encode("دولي")));
}
