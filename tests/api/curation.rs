//! Front-page curation and linked translations (issue 21): breaking news with an expiry,
//! featured articles in homepage slots, both an editor's right; translations linked for
//! `hreflang`.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{assert_problem, assert_problem_type, ids, json_of, spawn_app};

#[actix_web::test]
async fn editors_feature_articles_in_slots_and_readers_list_them_in_order() {
    let app = spawn_app().await;
    let section = app.section("الرئيسية", None).await["id"].as_i64().unwrap();
    let a = app
        .published(section, "أ", json!({"featured": true, "position": 2}))
        .await;
    let b = app
        .published(section, "ب", json!({"featured": true, "position": 1}))
        .await;
    let _plain = app.published(section, "ج", json!({})).await;
    let c = app.published(section, "د", json!({"featured": true})).await;
    assert_eq!(a["featured"], true);
    assert_eq!(a["position"], 2);

    let list = json_of(
        app.get("/api/v1/articles?featured=true&sort=position")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        ids(&list),
        [
            b["id"].as_i64().unwrap(),
            a["id"].as_i64().unwrap(),
            c["id"].as_i64().unwrap()
        ],
        "slots first, smallest first; then the unslotted, newest first"
    );
    assert_eq!(list["meta"]["total"], 3);
    let others = json_of(
        app.get("/api/v1/articles?featured=false").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(others["meta"]["total"], 1);

    // Unfeaturing is an editor's act too.
    let editor = app.staff("editor").await;
    let patched = json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/articles/{}", a["id"]),
            Some(&editor.token),
            Some(&json!({"featured": false, "position": null})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(patched["featured"], false);
    assert_eq!(patched["position"], Value::Null);
    let list = json_of(
        app.get("/api/v1/articles?featured=true&sort=position")
            .await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["meta"]["total"], 2);
}

#[actix_web::test]
async fn breaking_news_expires_by_itself() {
    let app = spawn_app().await;
    let section = app.section("عاجل", None).await["id"].as_i64().unwrap();
    let until = (chrono::Utc::now() + chrono::Duration::seconds(2)).to_rfc3339();
    let short = app
        .published(
            section,
            "انفجار في الميناء",
            json!({"breaking": true, "breaking_until": until}),
        )
        .await;
    let long = app
        .published(section, "زلزال", json!({"breaking": true}))
        .await;
    assert_eq!(short["breaking"], true);
    let hours = (long["breaking_until"]
        .as_str()
        .unwrap()
        .parse::<chrono::DateTime<chrono::Utc>>()
        .unwrap()
        - chrono::Utc::now())
    .num_minutes();
    assert!(
        (700..=720).contains(&hours),
        "12 hours by default: {hours} min"
    );

    let list = json_of(
        app.get("/api/v1/articles?breaking=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(list["meta"]["total"], 2);
    tokio::time::sleep(Duration::from_millis(2500)).await;
    // Read through the response cache: the expiry must end the cached answer too.
    let list = json_of(
        app.get("/api/v1/articles?breaking=true").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ids(&list), [long["id"].as_i64().unwrap()]);
    let read = json_of(
        app.get(&format!("/api/v1/articles/{}", short["id"])).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["breaking"], false);
}

#[actix_web::test]
async fn authors_may_not_set_or_clear_curation() {
    let app = spawn_app().await;
    let section = app.section("رأي", None).await["id"].as_i64().unwrap();
    let author = app.staff("author").await;
    for field in [
        json!({"featured": true}),
        json!({"breaking": true}),
        json!({"position": 1}),
    ] {
        let mut body = json!({"title": "مقال", "body": "نص.", "section_id": section});
        for (k, v) in field.as_object().unwrap() {
            body[k] = v.clone();
        }
        let response = app
            .send(
                Method::POST,
                "/api/v1/articles",
                Some(&author.token),
                Some(&body),
            )
            .await;
        assert_problem_type(response, "role-required").await;
    }
    let own = app
        .article(&author.token, section, "مقالي", json!({}))
        .await;
    let response = app
        .send(
            Method::PATCH,
            &format!("/api/v1/articles/{}", own["id"]),
            Some(&author.token),
            Some(&json!({"featured": false})),
        )
        .await;
    assert_problem_type(response, "role-required").await;
    let bad = app.get("/api/v1/articles?featured=maybe").await;
    assert_problem(bad, StatusCode::BAD_REQUEST).await;
    // A search sorted by slot ranks by relevance: the index knows no slots.
    let searched = app.get("/api/v1/articles?q=x&sort=position").await;
    assert_eq!(searched.status(), StatusCode::OK);
}

#[actix_web::test]
async fn linked_translations_list_each_other_when_published() {
    let app = spawn_app().await;
    let section = app.section("العالم", None).await["id"].as_i64().unwrap();
    let arabic = app
        .published(section, "طوكيو وواشنطن", json!({"lang": "ar"}))
        .await;
    let ar = arabic["id"].as_i64().unwrap();
    let english = app
        .published(
            section,
            "Tokyo and Washington",
            json!({"lang": "en", "translation_of": ar}),
        )
        .await;
    let en = english["id"].as_i64().unwrap();
    let french = app
        .article(
            &app.admin_token.clone(),
            section,
            "Tokyo et Washington",
            json!({"lang": "fr", "translation_of": en}),
        )
        .await;
    assert_eq!(french["translation_of"], ar, "groups stay one level deep");

    let read = json_of(
        app.get(&format!("/api/v1/articles/{ar}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(
        read["translations"],
        json!([{"lang": "en", "id": en, "slug": english["slug"], "url": null}]),
        "the French draft is not shown to readers"
    );
    let read = json_of(
        app.get(&format!("/api/v1/articles/{en}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["translation_of"], ar);
    assert_eq!(read["translations"][0]["id"], ar);
    assert_eq!(read["translations"][0]["lang"], "ar");

    for bad in [
        json!({"translation_of": 999999}),
        json!({"translation_of": ar}),
    ] {
        let response = app
            .send(
                Method::PATCH,
                &format!("/api/v1/articles/{ar}"),
                Some(&app.admin_token),
                Some(&bad),
            )
            .await;
        assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    json_of(
        app.send(
            Method::PATCH,
            &format!("/api/v1/articles/{en}"),
            Some(&app.admin_token),
            Some(&json!({"translation_of": null})),
        )
        .await,
        StatusCode::OK,
    )
    .await;
    let read = json_of(
        app.get(&format!("/api/v1/articles/{ar}")).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(read["translations"], json!([]));
}
