//! `/api/v1/articles`: read by anyone (published ones), written by staff.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::derived::{Derived, RenderSlots};
use super::dto::{
    Article, ArticleFilters, ArticleSummary, CreateArticle, RelatedArticles, RelatedParams,
    UpdateArticle,
};
use super::dto::{Correction, CreateCorrection};
use super::operations;
use super::preview::{self, CreatePreview, PreviewLink, PreviewParams};
use super::totals::ListTotals;
use super::workflow::Readable;
use crate::config::Settings;
use crate::db::{DbConnection, DbError, Store};
use crate::events::keys;
use crate::http::auth::{AnyStaff, Caller, EditorOrAdmin};
use crate::http::cache::readers_unaffected;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, created, respond};
use crate::http::docs::*;
use crate::http::pagination::{CursorParams, PageParams, Paginated, bad_query, respond_page_with};
use crate::http::redirect::respond_lookup;
use crate::http::{ApiError, JsonBody};
use crate::links::encode_segment;
use crate::search::Engine;
use crate::slugs::Reference;

/// Articles, newest first by default; with `q`, a search, best match first.
///
/// Anonymous callers (and staff who do not ask for a `status`) see published articles whose
/// `published_at` has passed. Staff may list other statuses; authors see only their own
/// unpublished articles.
///
/// A search ranks rather than filters: every word of `q` is optional, and articles that
/// match more of them, in weightier fields (title, then tags, excerpt, body), and closer
/// together come first. `"quoted phrases"` must appear as written (also «…»), `-word`
/// excludes. Arabic is normalized and lightly stemmed, English stemmed (Snowball). When a word
/// looks misspelled, `meta.suggestion` holds the query spelled as the archive spells it; a
/// word found nowhere in the archive is then searched as so corrected ("showing results
/// for"), and a word the archive has is searched as typed ("did you mean").
#[utoipa::path(
    tag = "articles",
    operation_id = "listArticles",
    security((), ("bearer" = [])),
    params(PageParams, CursorParams, ArticleFilters),
    responses(
        (status = 200, description = "A page of articles (without bodies)", body = Paginated<ArticleSummary>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next (by cursor, except for searches), last"),
                    ("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/articles")]
// One extractor per thing a list reads: splitting them into structs would only hide them.
#[allow(clippy::too_many_arguments)]
pub async fn list_articles(
    req: HttpRequest,
    caller: Caller,
    page: web::Query<PageParams>,
    cursor: web::Query<CursorParams>,
    filters: web::Query<ArticleFilters>,
    store: web::Data<Store>,
    engine: web::Data<Engine>,
    totals: web::Data<ListTotals>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let cursor = cursor.into_inner().checked(&page)?;
    let page = page.into_inner().page()?;
    let filters = filters.into_inner();
    let viewer = caller.staff().cloned();
    let by_cursor = cursor.is_some();
    let bounded = operations::is_bounded(&filters, page, by_cursor);
    let list = move |c: &mut DbConnection| {
        let now = crate::time::now();
        operations::list(
            c,
            &engine,
            &totals,
            viewer.as_ref(),
            &filters,
            page,
            cursor.as_deref(),
            now,
        )
    };
    let found = if bounded {
        store.read(list).await?
    } else {
        store.run(list).await?
    };
    let mut meta = page.meta(found.total);
    if by_cursor {
        meta.page = None;
    }
    meta.suggestion = found.suggestion;
    meta.total_is_estimate = found.total_is_estimate;
    meta.next_cursor = found.next_cursor;
    let keys = keys::of_list(keys::ARTICLES, &found.data);
    respond_page_with(&req, found.data, meta, caller.audience(&settings))
        .map(|response| keys::tag(response, &keys))
}

/// One article, by id or slug (percent-encoded UTF-8 works). An old slug answers 301 with
/// the current URL. Unpublished articles are 404 to anyone who may not see them.
#[utoipa::path(
    tag = "articles",
    operation_id = "getArticle",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug"), PreviewParams),
    responses(
        (status = 200, description = "The article", body = Article,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "An old slug: `Location` has the current URL",
            headers(("Location" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/articles/{id}")]
pub async fn get_article(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    preview: web::Query<PreviewParams>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    if let Some(token) = preview.into_inner().preview_token {
        let article = store
            .run(move |c| preview::open(c, &reference, &token, crate::time::now()))
            .await?;
        let mut response = respond(&req, StatusCode::OK, &article, Audience::Private)?;
        response.headers_mut().insert(
            actix_web::http::header::HeaderName::from_static("x-robots-tag"),
            actix_web::http::header::HeaderValue::from_static("noindex"),
        );
        return Ok(response);
    }
    let readable = Readable::for_viewer(caller.staff());
    let found = store
        .read(move |c| {
            operations::get(c, &reference, readable, crate::time::now()).map_err(DbError::from)
        })
        .await?;
    let audience = caller.audience(&settings);
    respond_lookup(&req, "article", found, audience, |article| {
        respond(&req, StatusCode::OK, &article, audience)
            .map(|response| keys::tag(response, &keys::of_one(&article)))
    })
}

/// Write an article.
///
/// Authors create drafts or submit for review; editors may publish at once, or schedule by
/// publishing with a future `published_at`.
#[utoipa::path(
    tag = "articles",
    operation_id = "createArticle",
    security(("bearer" = [])),
    request_body = CreateArticle,
    responses(
        (status = 201, description = "Created", body = Article,
            headers(("Location" = String), ("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/articles")]
pub async fn create_article(
    req: HttpRequest,
    staff: AnyStaff,
    body: JsonBody<CreateArticle>,
    store: web::Data<Store>,
    slots: web::Data<RenderSlots>,
) -> Result<HttpResponse, ApiError> {
    let input = body.validated().await?;
    let format = input.body_format.unwrap_or_default();
    let derived = Derived::of_request(input.body.clone(), format, &store, &slots).await?;
    let article = store
        .write(move |c| operations::create(c, &staff.0, &input, &derived, crate::time::now()))
        .await?;
    created(&req, &article, &location(&article.summary.slug))
}

/// Change an article, or move it through the workflow.
///
/// A new slug leaves the old one redirecting. Publishing without a `published_at` stamps
/// the current time.
#[utoipa::path(
    tag = "articles",
    operation_id = "updateArticle",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id or slug"),
        IfMatchHeader,
    ),
    request_body = UpdateArticle,
    responses(
        (status = 200, description = "Updated", body = Article, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    req: HttpRequest,
    staff: AnyStaff,
    path: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<UpdateArticle>,
    store: web::Data<Store>,
    slots: web::Data<RenderSlots>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let input = body.validated().await?;
    let derived = match &input.body {
        Some(body) => {
            let format = match input.body_format {
                Some(format) => format,
                None => {
                    let reference = reference.clone();
                    store
                        .query(move |c| operations::body_format(c, &reference))
                        .await?
                }
            };
            Some(Derived::of_request(body.clone(), format, &store, &slots).await?)
        }
        None => None,
    };
    let article = store
        .write(move |c| {
            let now = crate::time::now();
            operations::update(
                c,
                &staff.0,
                &reference,
                &input,
                derived.as_ref(),
                &if_match,
                now,
            )
        })
        .await?;
    respond(&req, StatusCode::OK, &article, Audience::Private)
}

/// Delete an article with its comments.
#[utoipa::path(
    tag = "articles",
    operation_id = "deleteArticle",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The article's id or slug"),
        IfMatchHeader,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    staff: AnyStaff,
    path: web::Path<String>,
    if_match: IfMatch,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    store
        .write(move |c| operations::delete(c, &staff.0, &reference, &if_match, crate::time::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Articles related to one: other published articles most like it (the telling words of its
/// title, tags and body, searched in the same index as `q`), those of its section first among
/// equals; never the article itself; a stable order.
#[utoipa::path(
    tag = "articles",
    operation_id = "listRelatedArticles",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug"), RelatedParams),
    responses(
        (status = 200, description = "Related articles, best first", body = RelatedArticles,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "An old slug: `Location` has the current URL",
            headers(("Location" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/articles/{id}/related")]
pub async fn list_related_articles(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    params: web::Query<RelatedParams>,
    store: web::Data<Store>,
    engine: web::Data<Engine>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let limit = params.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(bad_query("limit", "must be between 1 and 20".into()));
    }
    let reference = Reference::parse(&path.into_inner());
    let readable = Readable::for_viewer(caller.staff());
    let found = store
        .run(move |c| {
            let now = crate::time::now();
            operations::related(c, &engine, &reference, readable, limit as usize, now)
        })
        .await?;
    let audience = caller.audience(&settings);
    respond_lookup(&req, "article", found, audience, |data| {
        let keys = keys::of_list(keys::ARTICLES, &data);
        respond(&req, StatusCode::OK, &RelatedArticles { data }, audience)
            .map(|response| keys::tag(response, &keys))
    })
}

/// A preview link for a draft (or any article the caller may edit): a signed token that lets
/// an anonymous frontend read this one article, as it is at each read, at
/// `GET /api/v1/articles/{id}?preview_token=…`. It expires (1 hour by default, at most 7
/// days), opens no other article, and stops working when the article is deleted or an editor
/// revokes its previews.
#[utoipa::path(
    tag = "articles",
    operation_id = "createArticlePreview",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug")),
    request_body(content = CreatePreview, description = "How long the link works; the body may be left out"),
    responses(
        (status = 201, description = "A preview link", body = PreviewLink,
            headers(("Location" = String, description = "The article as the token shows it"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/articles/{id}/preview")]
pub async fn create_article_preview(
    req: HttpRequest,
    staff: AnyStaff,
    path: web::Path<String>,
    body: JsonBody<CreatePreview>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let input = body.validated_or_default().await?;
    let link = store
        .write(move |c| preview::issue(c, &staff.0, &reference, &input, crate::time::now()))
        .await?;
    let location = link.url.clone();
    Ok(readers_unaffected(created(&req, &link, &location)?))
}

/// Revoke every preview link of the article issued so far (editors).
#[utoipa::path(
    tag = "articles",
    operation_id = "revokeArticlePreviews",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[delete("/articles/{id}/preview")]
pub async fn revoke_article_previews(
    _editor: EditorOrAdmin,
    path: web::Path<String>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    store
        .write(move |c| preview::revoke(c, &reference, crate::time::now()))
        .await?;
    Ok(readers_unaffected(HttpResponse::NoContent().finish()))
}

/// Append a correction to a published article (editors): a dated note shown in the article's
/// `corrections` and in its JSON-LD (`correction`), and sent as an `article.corrected` event.
/// A draft is edited, not corrected: 422 `not-published`.
#[utoipa::path(
    tag = "articles",
    operation_id = "createArticleCorrection",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug")),
    request_body = CreateCorrection,
    responses(
        (status = 201, description = "Appended", body = Correction,
            headers(("Location" = String, description = "The corrected article"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/articles/{id}/corrections")]
pub async fn create_article_correction(
    req: HttpRequest,
    editor: EditorOrAdmin,
    path: web::Path<String>,
    body: JsonBody<CreateCorrection>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let input = body.validated().await?;
    let article = store
        .write(move |c| {
            operations::correct(c, &editor.0, &reference, &input.note, crate::time::now())
        })
        .await?;
    let correction = article
        .corrections
        .last()
        .cloned()
        .ok_or(ApiError::Internal)?;
    let location = format!("/api/v1/articles/{}", article.summary.id);
    created(&req, &correction, &location)
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_articles)
        .service(create_article_preview)
        .service(revoke_article_previews)
        .service(create_article_correction)
        .service(create_article)
        .service(get_article)
        .service(update_article)
        .service(delete_article)
        .service(list_related_articles);
}

/// Where an article lives.
fn location(slug: &str) -> String {
    format!("/api/v1/articles/{}", encode_segment(slug))
}
