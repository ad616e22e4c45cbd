//! `/feeds/…`, `/sitemap.xml` and `/sitemaps/…`: what aggregators, feed readers and crawlers
//! read. Always the public view, whoever asks.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::feeds;
use super::operations::{self, FeedScope, MonthFile};
use crate::config::Settings;
use crate::db::Store;
use crate::events::keys::{self, Keys};
use crate::http::ApiError;
use crate::http::conditional::{Audience, respond_as};
use crate::http::docs::*;

/// What a feed is narrowed to. Unknown sections, tags and authors are 404s (a tag or an
/// author only seen on unpublished work counts as unknown).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// A section's id or slug; its subsections are included.
    #[param(example = "العالم", min_length = 1, pattern = r"\S")]
    pub section: Option<String>,
    /// A tag's name or slug.
    #[param(example = "اليابان", min_length = 1, pattern = r"\S")]
    pub tag: Option<String>,
    /// An author's user id.
    #[param(example = 7, minimum = 1)]
    pub author: Option<i64>,
    /// Only articles in this language (a BCP 47 tag; `ar` includes `ar-EG`). Also the
    /// feed's declared language; without it, `SAHIFA_SITE_LANG`.
    #[param(value_type = Option<crate::http::formats::LanguageTag>)]
    pub lang: Option<String>,
}

impl FeedParams {
    fn scope(self) -> Result<FeedScope, ApiError> {
        let lang = match self.lang {
            None => None,
            Some(lang) if crate::text::is_valid_language_tag(&lang) => {
                Some(crate::text::canonical_language_tag(&lang))
            }
            Some(_) => {
                return Err(ApiError::invalid(
                    "lang",
                    "expected a BCP 47 language tag such as ar or en-GB",
                ));
            }
        };
        let blank = |v: Option<String>, name: &str| match v {
            Some(v) if v.trim().is_empty() => Err(ApiError::invalid(name, "must not be empty")),
            other => Ok(other),
        };
        Ok(FeedScope {
            section: blank(self.section, "section")?,
            tag: blank(self.tag, "tag")?,
            author: self.author,
            lang,
        })
    }
}

enum Format {
    Rss,
    Atom,
    Json,
}

async fn feed(
    req: HttpRequest,
    params: FeedParams,
    format: Format,
    store: &Store,
    settings: &Settings,
) -> Result<HttpResponse, ApiError> {
    let scope = params.scope()?;
    let self_path = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    let feed = store
        .query(move |c| Ok(operations::feed(c, &scope, &self_path, crate::time::now())))
        .await??;
    let (body, content_type) = match format {
        Format::Rss => (
            feeds::rss(&feed).into_bytes(),
            "application/rss+xml; charset=utf-8",
        ),
        Format::Atom => (
            feeds::atom(&feed).into_bytes(),
            "application/atom+xml; charset=utf-8",
        ),
        Format::Json => (
            feeds::json_feed(&feed),
            "application/feed+json; charset=utf-8",
        ),
    };
    let response = respond_as(&req, StatusCode::OK, body, content_type, public(settings));
    Ok(keys::tag(response, &Keys::of(&[keys::FEEDS])))
}

fn public(settings: &Settings) -> Audience {
    Audience::Public {
        max_age: settings.cache_max_age.as_secs(),
    }
}

/// RSS 2.0: the newest published articles (`SAHIFA_FEED_SIZE`, 50 by default), with
/// `content:encoded` (whole bodies unless `SAHIFA_FEED_CONTENT=excerpt`), `dc:creator`,
/// categories (the section, then the tags) and the featured image as `media:content` and an
/// enclosure. Needs `SAHIFA_PUBLIC_URL`.
#[utoipa::path(
    tag = "syndication",
    operation_id = "rssFeed",
    security(()),
    params(FeedParams),
    responses(
        (status = 200, description = "An RSS 2.0 feed", content_type = "application/rss+xml", body = String,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/feeds/rss.xml")]
pub async fn rss_feed(
    req: HttpRequest,
    params: web::Query<FeedParams>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    feed(req, params.into_inner(), Format::Rss, &store, &settings).await
}

/// Atom 1.0: the same articles as the RSS feed, with `xml:lang`. Needs `SAHIFA_PUBLIC_URL`.
#[utoipa::path(
    tag = "syndication",
    operation_id = "atomFeed",
    security(()),
    params(FeedParams),
    responses(
        (status = 200, description = "An Atom 1.0 feed", content_type = "application/atom+xml", body = String,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/feeds/atom.xml")]
pub async fn atom_feed(
    req: HttpRequest,
    params: web::Query<FeedParams>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    feed(req, params.into_inner(), Format::Atom, &store, &settings).await
}

/// JSON Feed 1.1: the same articles as the RSS feed. Needs `SAHIFA_PUBLIC_URL`.
#[utoipa::path(
    tag = "syndication",
    operation_id = "jsonFeed",
    security(()),
    params(FeedParams),
    responses(
        (status = 200, description = "A JSON Feed 1.1", content_type = "application/feed+json", body = Object,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/feeds/feed.json")]
pub async fn json_feed(
    req: HttpRequest,
    params: web::Query<FeedParams>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    feed(req, params.into_inner(), Format::Json, &store, &settings).await
}

/// A sitemap (every one depends on what `sitemaps` names).
fn xml(req: &HttpRequest, body: Vec<u8>, settings: &Settings) -> HttpResponse {
    let response = respond_as(
        req,
        StatusCode::OK,
        body,
        "application/xml; charset=utf-8",
        public(settings),
    );
    keys::tag(response, &Keys::of(&[keys::SITEMAPS]))
}

/// The sitemap index: the sections, tags and pages sitemaps, then one article sitemap per
/// month (`/sitemaps/articles-2026-11.xml`; a month of more than 50,000 articles has
/// `-2`, `-3` … files too), newest first. Needs `SAHIFA_PUBLIC_URL`.
#[utoipa::path(
    tag = "syndication",
    operation_id = "sitemapIndex",
    security(()),
    responses(
        (status = 200, description = "A sitemap index", content_type = "application/xml", body = String,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, response = NotFound),
    )
)]
#[get("/sitemap.xml")]
pub async fn sitemap_index(
    req: HttpRequest,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let body = store
        .query(|c| Ok(operations::index(c, crate::time::now())))
        .await??;
    Ok(xml(&req, body, &settings))
}

/// One sitemap: `articles-YYYY-MM.xml` (a month's published articles, with `lastmod` and
/// their featured images), `sections.xml`, `tags.xml`, `pages.xml`, or `news.xml` (Google
/// News: articles published in the last 48 hours, at most 1,000, with the publication's
/// name and language from `SAHIFA_SITE_NAME` and `SAHIFA_SITE_LANG`). Needs
/// `SAHIFA_PUBLIC_URL`.
#[utoipa::path(
    tag = "syndication",
    operation_id = "sitemap",
    security(()),
    params(("file" = String, Path, description = "`articles-2026-11.xml`, `sections.xml`, `tags.xml`, `pages.xml` or `news.xml`", example = "articles-2026-11.xml")),
    responses(
        (status = 200, description = "A sitemap", content_type = "application/xml", body = String,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, response = NotFound),
    )
)]
#[get("/sitemaps/{file}")]
pub async fn sitemap(
    req: HttpRequest,
    file: web::Path<String>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let file = file.into_inner();
    let name = file
        .strip_suffix(".xml")
        .ok_or_else(|| ApiError::not_found("sitemap"))?
        .to_owned();
    let body = store
        .query(move |c| {
            let now = crate::time::now();
            Ok(match name.as_str() {
                "sections" => operations::sections_sitemap(c),
                "tags" => operations::tags_sitemap(c, now),
                "pages" => operations::pages_sitemap(c),
                "news" => operations::news(c, now),
                other => match MonthFile::parse(other) {
                    Some(month) => operations::month(c, month, now),
                    None => operations::configured_site()
                        .and_then(|_| Err(ApiError::not_found("sitemap"))),
                },
            })
        })
        .await??;
    Ok(xml(&req, body, &settings))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(rss_feed)
        .service(atom_feed)
        .service(json_feed)
        .service(sitemap_index)
        .service(sitemap);
}
