//! Search and related articles: Arabic normalization both ways, visibility, ranking,
//! snippets, hostile queries, and the index kept in step with every write.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, encode, ids, json_of, spawn_app, spawn_app_in};

/// A reader's search for `query`: the list answer (200).
pub async fn search(app: &TestApp, query: &str) -> Value {
    json_of(
        app.get(&format!("/api/v1/articles?q={}", encode(query)))
            .await,
        StatusCode::OK,
    )
    .await
}

/// A server with one section, «العالم».
pub async fn newsroom() -> (TestApp, i64) {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    (app, section)
}

/// Each pair is two spellings readers and writers use for the same word: an article written
/// one way is found by a query typed the other way, in both directions.
#[actix_web::test]
async fn every_arabic_spelling_variant_finds_the_other_in_both_directions() {
    let (app, section) = newsroom().await;
    let cases = [
        ("tashkeel", "الأَمْنُ الغِذَائِيُّ", "الامن الغذائي"),
        ("shadda and tanween", "مُدَرِّسٌ", "مدرس"),
        ("tatweel", "الاقتصـــاد", "الاقتصاد"),
        ("alef with hamza above", "أسواق", "اسواق"),
        ("alef with hamza below", "إعلام", "اعلام"),
        ("alef with madda", "آسيا", "اسيا"),
        ("alef wasla", "ٱلمهرجان", "المهرجان"),
        ("alef maqsura", "مستشفى", "مستشفي"),
        ("taa marbuta", "جامعة", "جامعه"),
        ("hamza on waw", "مؤتمر", "موتمر"),
        ("hamza on yaa", "رئيس", "رييس"),
        ("arabic-indic digits", "عام ٢٠٢٦", "عام 2026"),
        ("persian digits", "۱۹۹۸", "1998"),
        ("definite article", "التعاون", "تعاون"),
        ("waw + article", "والتعاون", "التعاون"),
        ("bi + article", "بالمدينة", "المدينة"),
        ("li + article", "للطلاب", "الطلاب"),
        ("plural suffix", "المعلمون", "معلم"),
    ];
    for (name, written, typed) in cases {
        let a = app
            .published(
                section,
                &format!("أ {name}"),
                json!({"body": format!("خبر فيه {written} وغيره.")}),
            )
            .await;
        let b = app
            .published(
                section,
                &format!("ب {name}"),
                json!({"body": format!("خبر فيه {typed} وغيره.")}),
            )
            .await;
        for query in [typed, written] {
            let found = ids(&search(&app, query).await);
            assert!(
                found.contains(&a["id"].as_i64().unwrap()),
                "{name}: `{query}` misses `{written}`"
            );
            assert!(
                found.contains(&b["id"].as_i64().unwrap()),
                "{name}: `{query}` misses `{typed}`"
            );
        }
    }
}

#[actix_web::test]
async fn latin_text_is_found_case_and_accent_insensitively() {
    let (app, section) = newsroom().await;
    let article = app
        .published(
            section,
            "Café culture returns",
            json!({"lang": "en", "body": "The CAFÉ reopened in Zürich."}),
        )
        .await;
    for query in ["cafe", "CAFÉ", "zurich", "Zürich reopened"] {
        assert_eq!(
            ids(&search(&app, query).await),
            [article["id"].as_i64().unwrap()],
            "{query}"
        );
    }
}

#[actix_web::test]
async fn only_published_due_articles_are_found_and_the_index_follows_every_write() {
    let (app, section) = newsroom().await;
    let draft = app
        .article(
            &app.admin_token.clone(),
            section,
            "مسودة عن الزلزال",
            json!({}),
        )
        .await;
    let scheduled = app
        .published(
            section,
            "الزلزال غدا",
            json!({"published_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(search(&app, "الزلزال").await["meta"]["total"], 0);
    let staff = json_of(
        app.get_as(
            &format!("/api/v1/articles?status=any&q={}", encode("الزلزال")),
            &app.admin_token,
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        staff["meta"]["total"], 2,
        "staff may search their unpublished work"
    );

    let path = format!("/api/v1/articles/{}", draft["id"]);
    app.send(
        Method::PATCH,
        &path,
        Some(&app.admin_token),
        Some(&json!({"status": "published"})),
    )
    .await;
    assert_eq!(
        ids(&search(&app, "الزلزال").await),
        [draft["id"].as_i64().unwrap()]
    );

    app.send(
        Method::PATCH,
        &path,
        Some(&app.admin_token),
        Some(&json!({"title": "تقرير عن الفيضان"})),
    )
    .await;
    assert_eq!(
        search(&app, "الزلزال").await["meta"]["total"],
        0,
        "the old title is gone from the index"
    );
    assert_eq!(search(&app, "الفيضان").await["meta"]["total"], 1);

    app.send(
        Method::PATCH,
        &path,
        Some(&app.admin_token),
        Some(&json!({"tags": ["كوارث طبيعية"]})),
    )
    .await;
    assert_eq!(
        search(&app, "كوارث").await["meta"]["total"],
        1,
        "tags are indexed"
    );

    app.send(
        Method::PATCH,
        &path,
        Some(&app.admin_token),
        Some(&json!({"status": "draft"})),
    )
    .await;
    assert_eq!(
        search(&app, "الفيضان").await["meta"]["total"],
        0,
        "unpublished again"
    );
    app.send(
        Method::PATCH,
        &path,
        Some(&app.admin_token),
        Some(&json!({"status": "published"})),
    )
    .await;
    app.send(Method::DELETE, &path, Some(&app.admin_token), None)
        .await;
    assert_eq!(search(&app, "الفيضان").await["meta"]["total"], 0, "deleted");
    assert_eq!(scheduled["status"], "published");
}

#[actix_web::test]
async fn titles_outrank_bodies_and_hits_carry_marked_snippets_of_the_original_text() {
    let (app, section) = newsroom().await;
    let in_body = app
        .published(
            section,
            "أخبار متفرقة",
            json!({"body": "تمهيد طويل. ثم ذُكِرَ التَّعاوُن الأَمْنِيّ مرة واحدة: 5 < 6 & \"هنا\"."}),
        )
        .await;
    let in_title = app
        .published(
            section,
            "التعاون الأمني بين البلدين",
            json!({"body": "نص لا يذكر الموضوع."}),
        )
        .await;
    let hits = search(&app, "التعاون الامني").await;
    assert_eq!(
        ids(&hits),
        [
            in_title["id"].as_i64().unwrap(),
            in_body["id"].as_i64().unwrap()
        ]
    );
    let snippet = hits["data"][1]["snippet"].as_str().unwrap();
    assert!(
        snippet.contains("<mark>التَّعاوُن</mark> <mark>الأَمْنِيّ</mark>"),
        "{snippet}"
    );
    assert!(
        snippet.contains("5 &lt; 6 &amp; &quot;هنا&quot;"),
        "escaped: {snippet}"
    );
    assert!(
        hits["data"][0]["snippet"].is_string(),
        "a title hit still has a snippet"
    );
    let plain = json_of(app.get("/api/v1/articles").await, StatusCode::OK).await;
    assert!(
        plain["data"][0].get("snippet").is_none(),
        "no snippet outside search"
    );
}

#[actix_web::test]
async fn search_combines_with_filters_sorts_and_pages() {
    let app = spawn_app().await;
    let world = app.section("العالم", None).await["id"].as_i64().unwrap();
    let sport = app.section("رياضة", None).await["id"].as_i64().unwrap();
    let mut world_ids = Vec::new();
    for n in 0..3 {
        world_ids.push(
            app.published(
                world,
                &format!("مباراة ودية رقم {n}"),
                json!({"published_at": format!("2026-0{}-01T00:00:00Z", n + 1)}),
            )
            .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let in_sport = app.published(sport, "مباراة القمة", json!({})).await["id"]
        .as_i64()
        .unwrap();
    let get = |query: String| {
        let app = &app;
        async move {
            json_of(
                app.get(&format!("/api/v1/articles?{query}")).await,
                StatusCode::OK,
            )
            .await
        }
    };
    let q = encode("مباراة");
    assert_eq!(get(format!("q={q}")).await["meta"]["total"], 4);
    assert_eq!(
        ids(&get(format!("q={q}&section={sport}")).await),
        [in_sport]
    );
    let oldest = get(format!("q={q}&section={world}&sort=published_at")).await;
    assert_eq!(ids(&oldest), world_ids);
    let page = get(format!("q={q}&per_page=2&page=2")).await;
    assert_eq!(page["meta"]["total"], 4);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
}

#[actix_web::test]
async fn hostile_or_empty_queries_never_break_the_search() {
    let (app, section) = newsroom().await;
    app.published(section, "خبر عادي", json!({})).await;
    for query in [
        "\"",
        "\"\"",
        "*",
        "-",
        "NEAR(a b)",
        "a OR",
        "AND",
        "title:x",
        "^x",
        "(((",
        "'; DROP TABLE articles; --",
        "«»؟،",
        "   ",
        "%",
        "\\",
        "x\"y",
        "ّ",
        "ـــ",
    ] {
        let response = app
            .get(&format!("/api/v1/articles?q={}", encode(query)))
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{query:?}");
        let body: Value = response.json().await.unwrap();
        assert!(body["data"].is_array(), "{query:?}");
    }
    assert_problem(
        app.get(&format!("/api/v1/articles?q={}", "x".repeat(201)))
            .await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        app.get("/api/v1/articles?sort=relevance").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        json_of(app.get("/api/v1/articles").await, StatusCode::OK).await["meta"]["total"],
        1,
        "the table survived"
    );
}

#[actix_web::test]
async fn related_articles_rank_shared_tags_section_and_text_and_never_the_article_itself() {
    let app = spawn_app().await;
    let world = app.section("العالم", None).await["id"].as_i64().unwrap();
    let sport = app.section("رياضة", None).await["id"].as_i64().unwrap();
    let base = app
        .published(
            world,
            "اليابان تعزز التعاون الدفاعي",
            json!({"tags": ["اليابان", "الدفاع"]}),
        )
        .await;
    let two_tags = app
        .published(sport, "مقال آخر", json!({"tags": ["اليابان", "الدفاع"]}))
        .await;
    let one_tag = app
        .published(sport, "عنوان مختلف", json!({"tags": ["اليابان"]}))
        .await;
    // The same words in two sections: the article's own section first.
    let same_section = app.published(world, "التعاون في المنطقة", json!({})).await;
    let other_section = app.published(sport, "التعاون في المنطقة", json!({})).await;
    let unrelated = app.published(sport, "نتائج الدوري", json!({})).await;
    let draft = app
        .article(
            &app.admin_token.clone(),
            world,
            "اليابان مسودة",
            json!({"tags": ["اليابان", "الدفاع"]}),
        )
        .await;
    let related = json_of(
        app.get(&format!("/api/v1/articles/{}/related?limit=10", base["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    let got = ids(&related);
    let id = |v: &Value| v["id"].as_i64().unwrap();
    assert_eq!(got[0], id(&two_tags), "{got:?}");
    assert!(
        got.contains(&id(&one_tag)) && got.contains(&id(&same_section)),
        "{got:?}"
    );
    let position = |v: &Value| got.iter().position(|x| *x == id(v));
    assert!(
        position(&same_section) < position(&other_section) || position(&other_section).is_none(),
        "the same section first among equals: {got:?}"
    );
    assert!(!got.contains(&id(&base)), "never itself");
    assert!(!got.contains(&id(&unrelated)), "{got:?}");
    assert!(!got.contains(&id(&draft)), "never unpublished");
    let again = json_of(
        app.get(&format!("/api/v1/articles/{}/related?limit=10", base["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&again), got, "deterministic");
    let two = json_of(
        app.get(&format!("/api/v1/articles/{}/related?limit=2", base["id"]))
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&two), got[..2]);
    assert_problem(
        app.get(&format!("/api/v1/articles/{}/related", draft["id"]))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    for bad in ["limit=0", "limit=21", "limit=x"] {
        assert_problem(
            app.get(&format!("/api/v1/articles/{}/related?{bad}", base["id"]))
                .await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
}

async fn related(app: &TestApp, article: &Value) -> Vec<i64> {
    ids(&json_of(
        app.get(&format!(
            "/api/v1/articles/{}/related?limit=20",
            article["id"]
        ))
        .await,
        StatusCode::OK,
    )
    .await)
}

/// Related articles come from the index, which follows every write: an older article's list
/// learns of newer articles, of retagging, and of what readers may no longer see.
#[actix_web::test]
async fn related_lists_follow_later_writes() {
    let app = spawn_app().await;
    let world = app.section("العالم", None).await["id"].as_i64().unwrap();
    let sport = app.section("رياضة", None).await["id"].as_i64().unwrap();
    let base = app
        .published(world, "قمة المناخ", json!({"tags": ["المناخ", "الطاقة"]}))
        .await;
    let id = |v: &Value| v["id"].as_i64().unwrap();
    let patch = |article: &Value, body: Value| {
        let path = format!("/api/v1/articles/{}", article["id"]);
        let app = &app;
        async move {
            let response = app
                .send(Method::PATCH, &path, Some(&app.admin_token), Some(&body))
                .await;
            assert_eq!(response.status(), StatusCode::OK);
        }
    };

    let newer = app
        .published(sport, "عنوان بعيد", json!({"tags": ["المناخ", "الطاقة"]}))
        .await;
    let retagged = app.published(sport, "نتائج الدوري", json!({})).await;
    assert_eq!(
        related(&app, &base).await,
        [id(&newer)],
        "a newer article joins"
    );

    patch(&retagged, json!({"tags": ["المناخ", "الطاقة", "آخر"]})).await;
    let got = related(&app, &base).await;
    assert!(got.contains(&id(&retagged)), "retagging is seen: {got:?}");

    patch(&newer, json!({"status": "archived"})).await;
    assert_eq!(
        related(&app, &base).await,
        [id(&retagged)],
        "unpublished leaves"
    );
    app.send(
        Method::DELETE,
        &format!("/api/v1/articles/{}", retagged["id"]),
        Some(&app.admin_token),
        None,
    )
    .await;
    assert_eq!(
        related(&app, &base).await,
        Vec::<i64>::new(),
        "deleted leaves"
    );

    let scheduled = app
        .article(
            &app.admin_token.clone(),
            sport,
            "قريبا",
            json!({"tags": ["المناخ"], "status": "published", "published_at": "2999-01-01T00:00:00Z"}),
        )
        .await;
    assert!(
        !related(&app, &base).await.contains(&id(&scheduled)),
        "scheduled articles wait for their time"
    );

    let republished = app
        .published(sport, "مقال جديد", json!({"tags": ["الطاقة"]}))
        .await;
    assert_eq!(related(&app, &base).await, [id(&republished)]);
}

#[actix_web::test]
async fn an_index_that_is_missing_is_rebuilt_at_start() {
    let data = crate::helpers::TestData::new();
    let dir = data.dir.path().join("index");
    let dir = dir.to_str().unwrap();
    let app = spawn_app_in(data.clone(), &[("SAHIFA_SEARCH_DIR", dir)]).await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let article = app.published(section, "خبر عن المطر", json!({})).await;
    assert_eq!(ids(&search(&app, "المطر").await).len(), 1);
    // Another server on the same data, with an empty directory of its own, builds its index.
    let elsewhere = data.dir.path().join("elsewhere");
    let restarted = spawn_app_in(
        data.clone(),
        &[("SAHIFA_SEARCH_DIR", elsewhere.to_str().unwrap())],
    )
    .await;
    assert_eq!(
        ids(&search(&restarted, "المطر").await),
        [article["id"].as_i64().unwrap()]
    );
}
