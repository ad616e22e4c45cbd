//! `/api/v1/articles`: read by anyone (published ones), written by staff.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::NaiveDateTime;
use diesel::Connection;

use super::Status;
use super::dto::{
    Article, ArticleFilters, ArticleSummary, CreateArticle, RelatedArticles, RelatedParams, Sort,
    StatusFilter, UpdateArticle,
};
use super::model::{self, ArticleChanges, ArticleRow, ListQuery, NewArticle, Scope};
use super::workflow;
use crate::auth::StaffUser;
use crate::config::Settings;
use crate::db::{DbConnection, Store};
use crate::http::auth::{AnyStaff, Caller};
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, respond};
use crate::http::docs::*;
use crate::http::pagination::bad_query;
use crate::http::pagination::{PageParams, Paginated, with_links};
use crate::http::redirect::{encode_segment, moved_permanently};
use crate::http::{ApiError, JsonBody};
use crate::search::snippet::{SNIPPET_WORDS, snippet};
use crate::search::{self, Analyzer};
use crate::sections::{model as sections, tree};
use crate::slugs::{self, Reference, Resolved, Resource};
use crate::users::Role;
use crate::{tags, text};

/// Articles, newest first by default.
///
/// Anonymous callers (and staff who do not ask for a `status`) see published articles whose
/// `published_at` has passed. Staff may list other statuses; authors see only their own
/// unpublished articles.
#[utoipa::path(
    tag = "articles",
    operation_id = "listArticles",
    security((), ("bearer" = [])),
    params(PageParams, ArticleFilters),
    responses(
        (status = 200, description = "A page of articles (without bodies)", body = Paginated<ArticleSummary>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/articles")]
pub async fn list_articles(
    req: HttpRequest,
    caller: Caller,
    page: web::Query<PageParams>,
    filters: web::Query<ArticleFilters>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let page = page.into_inner().page()?;
    let filters = filters.into_inner();
    let now = crate::time::now();
    let (scope, own_only) = scope_for(&caller, filters.status)?;
    let text_query = match wanted_text(filters.q.as_deref(), filters.sort)? {
        Wanted::Everything => None,
        Wanted::Matching(query) => Some(query),
        Wanted::Nothing => {
            // Nothing searchable in `q` (only punctuation or operators): nothing matches.
            let meta = page.meta(0);
            let empty: Paginated<ArticleSummary> = Paginated { data: vec![], meta };
            let response = respond(&req, StatusCode::OK, &empty, caller.audience(&settings))?;
            return Ok(with_links(response, &req, &meta));
        }
    };
    let backend = store.backend();
    let (data, total) = store
        .query(move |c| {
            let section_ids = match &filters.section {
                None => None,
                Some(section) => Some(match sections::resolve_id(c, &Reference::parse(section))? {
                    Some(id) => tree::with_descendants(&sections::edges(c)?, id),
                    None => Vec::new(),
                }),
            };
            let tag_id = match &filters.tag {
                None => None,
                // An unknown tag matches nothing (id 0 is never assigned).
                Some(tag) => Some(tags::model::id_for(c, tag)?.unwrap_or(0)),
            };
            let query = ListQuery {
                scope,
                own_unpublished_only: own_only,
                section_ids,
                tag_id,
                author_id: filters.author,
                published_after: filters.published_after.map(|t| t.naive()),
                published_before: filters.published_before.map(|t| t.naive()),
                sort: filters.sort.unwrap_or(if text_query.is_some() {
                    Sort::Relevance
                } else {
                    Sort::NewestFirst
                }),
                search: text_query.clone().map(|s| (backend, s)),
                now,
            };
            let (rows, total) = model::list(c, &query, page.offset(), page.limit())?;
            let mut summaries = model::summaries(c, &rows)?;
            if let Some(text_query) = &text_query {
                add_snippets(c, &mut summaries, text_query)?;
            }
            Ok((summaries, total))
        })
        .await?;
    let meta = page.meta(total as u64);
    let response = respond(
        &req,
        StatusCode::OK,
        &Paginated { data, meta },
        caller.audience(&settings),
    )?;
    Ok(with_links(response, &req, &meta))
}

/// What a list's `q` asks for.
enum Wanted {
    /// No `q`: no text condition.
    Everything,
    /// A `q` with nothing searchable in it (only punctuation, operators).
    Nothing,
    Matching(search::Query),
}

fn wanted_text(q: Option<&str>, sort: Option<Sort>) -> Result<Wanted, ApiError> {
    let Some(q) = q else {
        if sort == Some(Sort::Relevance) {
            return Err(bad_query(
                "sort",
                "`relevance` needs a search query `q`".into(),
            ));
        }
        return Ok(Wanted::Everything);
    };
    if q.chars().count() > 200 {
        return Err(bad_query("q", "at most 200 characters".into()));
    }
    Ok(search::Query::parse(q, Analyzer::default()).map_or(Wanted::Nothing, Wanted::Matching))
}

/// Puts on each hit the passage that matched: from its body, else its excerpt, else its
/// title (a tag-only match shows the plain excerpt).
fn add_snippets(
    c: &mut DbConnection,
    hits: &mut [ArticleSummary],
    query: &search::Query,
) -> diesel::QueryResult<()> {
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    let bodies = model::bodies(c, &ids)?;
    for hit in hits {
        let body = bodies
            .get(&hit.id)
            .map(|b| text::plain_text(b))
            .unwrap_or_default();
        hit.snippet = Some(
            snippet(&body, query, Analyzer::default(), SNIPPET_WORDS)
                .or_else(|| snippet(&hit.excerpt, query, Analyzer::default(), SNIPPET_WORDS))
                .or_else(|| snippet(&hit.title, query, Analyzer::default(), SNIPPET_WORDS))
                .unwrap_or_else(|| text::html::escape(&hit.excerpt)),
        );
    }
    Ok(())
}

/// Which articles a caller's list covers.
fn scope_for(
    caller: &Caller,
    asked: Option<StatusFilter>,
) -> Result<(Scope, Option<i64>), ApiError> {
    let Some(asked) = asked else {
        return Ok((Scope::Visible, None));
    };
    let Some(user) = caller.staff() else {
        return match asked {
            StatusFilter::Published => Ok((Scope::Visible, None)),
            _ => Err(ApiError::Unauthorized(
                "listing articles by status needs a bearer token".into(),
            )),
        };
    };
    let scope = match asked {
        StatusFilter::Draft => Scope::Status(Status::Draft),
        StatusFilter::Review => Scope::Status(Status::Review),
        StatusFilter::Published => Scope::Status(Status::Published),
        StatusFilter::Archived => Scope::Status(Status::Archived),
        StatusFilter::Scheduled => Scope::Scheduled,
        StatusFilter::Any => Scope::Every,
    };
    let own_only = (!user.role.at_least(Role::Editor)).then_some(user.id);
    Ok((scope, own_only))
}

/// One article, by id or slug (percent-encoded UTF-8 works). An old slug answers 301 with
/// the current URL. Unpublished articles are 404 to anyone who may not see them.
#[utoipa::path(
    tag = "articles",
    operation_id = "getArticle",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug")),
    responses(
        (status = 200, description = "The article", body = Article,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "An old slug: `Location` has the current URL",
            headers(("Location" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/articles/{id}")]
pub async fn get_article(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let segment = path.into_inner();
    let reference = Reference::parse(&segment);
    let viewer = caller.staff().cloned();
    let found = store
        .query(move |c| {
            let id = match model::resolve(c, &reference)? {
                Resolved::Found(id) => id,
                other => return Ok(Err(other)),
            };
            let Some(row) = model::find(c, id)? else {
                return Ok(Err(Resolved::NotFound));
            };
            if !workflow::may_read(viewer.as_ref(), &row.summary, crate::time::now()) {
                return Ok(Err(Resolved::NotFound));
            }
            Ok(Ok(view(c, row)?))
        })
        .await?;
    match found {
        Ok(article) => respond(&req, StatusCode::OK, &article, caller.audience(&settings)),
        Err(Resolved::Moved { slug }) => Ok(moved_permanently(&req, &segment, &slug)),
        Err(_) => Err(ApiError::not_found("article")),
    }
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
) -> Result<HttpResponse, ApiError> {
    let user = staff.0;
    let input = body.validated().await?;
    let status = input.status.unwrap_or(Status::Draft);
    workflow::may_create(&user, status).map_err(|m| ApiError::Forbidden(m.into()))?;
    if let Some(slug) = &input.slug {
        slugs::check_explicit(slug, Resource::Article).map_err(|m| ApiError::invalid("slug", m))?;
    }
    let article = store
        .write(move |c| {
            let id = insert_new(c, user.id, &input, crate::time::now())?;
            let row = model::find(c, id)?.ok_or(ApiError::Internal)?;
            Ok::<_, ApiError>(view(c, row)?)
        })
        .await?;
    let mut response = respond(&req, StatusCode::CREATED, &article, Audience::Private)?;
    let location = format!("/api/v1/articles/{}", encode_segment(&article.summary.slug));
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
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
) -> Result<HttpResponse, ApiError> {
    let user = staff.0;
    let reference = Reference::parse(&path.into_inner());
    let input = body.validated().await?;
    if let Some(slug) = &input.slug {
        slugs::check_explicit(slug, Resource::Article).map_err(|m| ApiError::invalid("slug", m))?;
    }
    if let Some(next) = input.status {
        workflow::may_move_to(&user, next).map_err(|m| ApiError::Forbidden(m.into()))?;
    }
    let article = store
        .write(move |c| {
            let now = crate::time::now();
            let current = find_for_write(c, &user, &reference, now)?;
            if_match.check_value(&view(c, current.clone())?)?;
            let changes = changes_for(c, &current, &input, now)?;
            if !model::update(c, &current.summary, &changes, now)? {
                return Err(ApiError::PreconditionFailed);
            }
            if let Some(names) = &input.tags {
                tags::model::set_for_article(
                    c,
                    current.summary.id,
                    &trimmed_tags(Some(names)),
                    now,
                )?;
            }
            search::index_article(c, current.summary.id)?;
            let row = model::find(c, current.summary.id)?.ok_or(ApiError::Internal)?;
            Ok::<_, ApiError>(view(c, row)?)
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
    let user = staff.0;
    let reference = Reference::parse(&path.into_inner());
    store
        .write(move |c| {
            let current = find_for_write(c, &user, &reference, crate::time::now())?;
            if_match.check_value(&view(c, current.clone())?)?;
            search::remove_article(c, current.summary.id)?;
            model::delete(c, current.summary.id)?;
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Articles related to one: other published articles ranked by shared tags, same section and
/// text similarity; never the article itself; a stable order.
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
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let limit = params.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(bad_query("limit", "must be between 1 and 20".into()));
    }
    let segment = path.into_inner();
    let reference = Reference::parse(&segment);
    let viewer = caller.staff().cloned();
    let found = store
        .query(move |c| {
            let now = crate::time::now();
            let id = match model::resolve(c, &reference)? {
                Resolved::Found(id) => id,
                other => return Ok(Err(other)),
            };
            let readable = model::find(c, id)?
                .is_some_and(|a| workflow::may_read(viewer.as_ref(), &a.summary, now));
            if !readable {
                return Ok(Err(Resolved::NotFound));
            }
            let ids = search::related::related_ids(c, id, limit as usize, now)?;
            let mut rows = model::summary_rows(c, &ids)?;
            rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
            Ok(Ok(model::summaries(c, &rows)?))
        })
        .await?;
    match found {
        Ok(data) => respond(
            &req,
            StatusCode::OK,
            &RelatedArticles { data },
            caller.audience(&settings),
        ),
        Err(Resolved::Moved { slug }) => Ok(moved_permanently(&req, &segment, &slug)),
        Err(_) => Err(ApiError::not_found("article")),
    }
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_articles)
        .service(create_article)
        .service(get_article)
        .service(update_article)
        .service(delete_article)
        .service(list_related_articles);
}

/// Stores a new article by `author_id` with everything derived from its input (slug,
/// excerpt, rendered body, reading time, tags); returns its id. Permissions are the caller's
/// business.
pub(crate) fn insert_new(
    c: &mut DbConnection,
    author_id: i64,
    input: &CreateArticle,
    now: NaiveDateTime,
) -> Result<i64, ApiError> {
    let status = input.status.unwrap_or(Status::Draft);
    ensure_section(c, input.section_id)?;
    let (excerpt, excerpt_is_custom) = match &input.excerpt {
        Some(excerpt) if !excerpt.is_empty() => (excerpt.clone(), true),
        _ => (text::excerpt(&input.body, text::EXCERPT_CHARS), false),
    };
    let published_at = match (status, input.published_at) {
        (_, Some(at)) => Some(at.naive()),
        (Status::Published, None) => Some(now),
        _ => None,
    };
    let lang = text::canonical_language_tag(input.lang.as_deref().unwrap_or("ar"));
    let image = input.featured_image.as_ref();
    let body_html = text::markdown::render(&input.body);
    let id = insert_with_free_slug(c, input.slug.as_deref(), &input.title, |c, slug| {
        model::insert(
            c,
            &NewArticle {
                title: &input.title,
                slug,
                excerpt: &excerpt,
                excerpt_is_custom,
                body: &input.body,
                body_html: &body_html,
                status: status.as_str(),
                section_id: input.section_id,
                author_id,
                featured_image_url: image.map(|i| i.url.as_str()),
                featured_image_alt: image.and_then(|i| i.alt.as_deref()),
                featured_image_caption: image.and_then(|i| i.caption.as_deref()),
                lang: &lang,
                meta_title: non_empty(input.meta_title.as_deref()),
                meta_description: non_empty(input.meta_description.as_deref()),
                reading_time_minutes: text::reading_time_minutes(&input.body) as i32,
                comments_open: input.comments_open.unwrap_or(true),
                published_at,
                created_at: now,
                updated_at: now,
            },
        )
    })?;
    tags::model::set_for_article(c, id, &trimmed_tags(input.tags.as_deref()), now)?;
    search::index_article(c, id)?;
    Ok(id)
}

/// Inserts with the explicit slug, or with the first free slug made from the title.
///
/// Writers of one title take turns ([`slugs::take_turns`]), but two different titles can
/// still reach one slug (`خبر 2` and the second `خبر`): on PostgreSQL the second insert then
/// meets the first in the unique index; it runs in a savepoint, so the next free slug is
/// tried instead of failing the request. (SQLite serializes writers.)
fn insert_with_free_slug(
    c: &mut DbConnection,
    explicit: Option<&str>,
    title: &str,
    insert: impl Fn(&mut DbConnection, &str) -> diesel::QueryResult<i64>,
) -> Result<i64, ApiError> {
    for _ in 0..5 {
        let slug = choose_slug(c, explicit, title, None)?;
        match c.transaction(|c| insert(c, &slug)) {
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) if explicit.is_none() => continue,
            other => return Ok(other?),
        }
    }
    Err(ApiError::Conflict(
        "could not find a free slug; try again".into(),
    ))
}

/// The API view of a stored article.
fn view(c: &mut DbConnection, row: ArticleRow) -> diesel::QueryResult<Article> {
    let summary = model::summaries(c, std::slice::from_ref(&row.summary))?
        .pop()
        .ok_or(diesel::result::Error::NotFound)?;
    Ok(Article {
        summary,
        body: row.body,
        body_html: row.body_html,
    })
}

/// The article a write targets: 404 when the caller may not even see it, 403 when they may
/// see but not change it.
fn find_for_write(
    c: &mut DbConnection,
    user: &StaffUser,
    reference: &Reference,
    now: NaiveDateTime,
) -> Result<ArticleRow, ApiError> {
    let row = model::resolve_id(c, reference)?
        .map(|id| model::find(c, id))
        .transpose()?
        .flatten()
        .filter(|row| workflow::may_read(Some(user), &row.summary, now))
        .ok_or_else(|| ApiError::not_found("article"))?;
    workflow::may_edit(user, row.summary.author_id, row.summary.status())
        .map_err(|m| ApiError::Forbidden(m.into()))?;
    Ok(row)
}

/// The column changes a PATCH asks for, with everything derived from them.
fn changes_for(
    c: &mut DbConnection,
    current: &ArticleRow,
    input: &UpdateArticle,
    now: NaiveDateTime,
) -> Result<ArticleChanges, ApiError> {
    let row = &current.summary;
    if let Some(section) = input.section_id {
        ensure_section(c, section)?;
    }
    let slug = match &input.slug {
        Some(slug) if *slug != row.slug => {
            Some(choose_slug(c, Some(slug), &row.title, Some(row.id))?)
        }
        _ => None,
    };
    let body = input.body.as_deref().unwrap_or(&current.body);
    let body_changed = input.body.as_ref().is_some_and(|b| *b != current.body);
    let (excerpt, excerpt_is_custom) = match &input.excerpt {
        Some(Some(excerpt)) if !excerpt.is_empty() => (Some(excerpt.clone()), Some(true)),
        Some(_) => (Some(text::excerpt(body, text::EXCERPT_CHARS)), Some(false)),
        None if body_changed && !current.excerpt_is_custom => {
            (Some(text::excerpt(body, text::EXCERPT_CHARS)), None)
        }
        None => (None, None),
    };
    let next_status = input.status.unwrap_or(row.status());
    let published_at = match input.published_at {
        Some(at) => Some(at.map(|t| t.naive())),
        // Publishing something never published: stamp it now.
        None if next_status == Status::Published && row.published_at.is_none() => Some(Some(now)),
        None => None,
    };
    let image = input.featured_image.as_ref();
    Ok(ArticleChanges {
        title: input.title.clone(),
        slug,
        excerpt,
        excerpt_is_custom,
        body: body_changed.then(|| body.to_owned()),
        body_html: body_changed.then(|| text::markdown::render(body)),
        status: input.status.map(|s| s.as_str().to_owned()),
        section_id: input.section_id,
        featured_image_url: image.map(|i| i.as_ref().map(|i| i.url.clone())),
        featured_image_alt: image.map(|i| i.as_ref().and_then(|i| i.alt.clone())),
        featured_image_caption: image.map(|i| i.as_ref().and_then(|i| i.caption.clone())),
        lang: input.lang.as_deref().map(text::canonical_language_tag),
        meta_title: input
            .meta_title
            .clone()
            .map(|t| t.filter(|t| !t.is_empty())),
        meta_description: input
            .meta_description
            .clone()
            .map(|t| t.filter(|t| !t.is_empty())),
        reading_time_minutes: body_changed.then(|| text::reading_time_minutes(body) as i32),
        comments_open: input.comments_open,
        published_at,
    })
}

fn ensure_section(c: &mut DbConnection, id: i64) -> Result<(), ApiError> {
    sections::find(c, id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::invalid("section_id", "no section has this id"))
}

/// The explicit slug (409 when another article has it), or one generated from the title.
fn choose_slug(
    c: &mut DbConnection,
    explicit: Option<&str>,
    title: &str,
    except: Option<i64>,
) -> Result<String, ApiError> {
    match explicit {
        Some(slug) => {
            slugs::take_turns(c, Resource::Article, slug)?;
            if model::slug_taken(c, slug, except)? {
                return Err(ApiError::Conflict(format!("the slug `{slug}` is taken")));
            }
            Ok(slug.to_owned())
        }
        None => {
            let base = slugs::usable(text::slugify(title), Resource::Article);
            slugs::take_turns(c, Resource::Article, &base)?;
            Ok(slugs::first_free(&base, |s| {
                model::slug_taken(c, s, except)
            })?)
        }
    }
}

/// The tags to store: trimmed, one per key (الأمن and الامن are one tag; the first
/// spelling wins), none whose key is empty.
fn trimmed_tags(tags: Option<&[String]>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    tags.unwrap_or_default()
        .iter()
        .map(|t| t.trim().to_owned())
        .filter(|t| {
            let key = tags::key(t);
            !key.is_empty() && seen.insert(key)
        })
        .collect()
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}
