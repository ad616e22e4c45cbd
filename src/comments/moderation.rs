//! `/api/v1/comments`: the moderation queue, for editors and admins. The only place a
//! commenter's email and address are shown.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{BulkModerate, BulkResult, CommentArticle, Moderate, QueueFilters, StaffComment};
use super::model::{self, CommentRow};
use crate::articles::model as articles;
use crate::db::{DbConnection, Store};
use crate::http::auth::EditorOrAdmin;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, with_links};
use crate::http::{ApiError, JsonBody};
use crate::slugs::Reference;

/// The moderation queue, newest first.
#[utoipa::path(
    tag = "moderation",
    operation_id = "listComments",
    security(("bearer" = [])),
    params(QueueFilters, PageParams),
    responses(
        (status = 200, description = "A page of comments with commenters' emails", body = Paginated<StaffComment>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"), ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
#[get("/comments")]
pub async fn list_comments(
    req: HttpRequest,
    _editor: EditorOrAdmin,
    filters: web::Query<QueueFilters>,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let QueueFilters { status, article } = filters.into_inner();
    let (data, total) = store
        .query(move |c| {
            let article_id = match &article {
                None => None,
                // An unknown article has no comments (ids start at 1).
                Some(reference) => {
                    Some(articles::resolve_id(c, &Reference::parse(reference))?.unwrap_or(0))
                }
            };
            let (rows, total) = model::queue(c, status, article_id, page.offset(), page.limit())?;
            Ok((staff_views(c, &rows)?, total))
        })
        .await?;
    let meta = page.meta(total as u64);
    let response = respond(
        &req,
        StatusCode::OK,
        &Paginated { data, meta },
        Audience::Private,
    )?;
    Ok(with_links(response, &req, &meta))
}

/// One comment, with the commenter's email and address.
#[utoipa::path(
    tag = "moderation",
    operation_id = "getComment",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Comment id")),
    responses(
        (status = 200, description = "The comment", body = StaffComment, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/comments/{id:\\d+}")]
pub async fn get_comment(
    req: HttpRequest,
    _editor: EditorOrAdmin,
    id: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let comment = store
        .run(move |c| {
            let row = found(model::find(c, id)?)?;
            Ok::<_, ApiError>(staff_view(c, &row)?)
        })
        .await?;
    respond(&req, StatusCode::OK, &comment, Audience::Private)
}

/// Approve, hold, mark as spam or trash a comment. The article's `comment_count` follows.
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderateComment",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Comment id"),
        IfMatchHeader,
    ),
    request_body = Moderate,
    responses(
        (status = 200, description = "Moderated", body = StaffComment, headers(("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/comments/{id:\\d+}")]
pub async fn moderate_comment(
    req: HttpRequest,
    _editor: EditorOrAdmin,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<Moderate>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let status = body.validated().await?.status;
    let comment = store
        .write(move |c| {
            let current = found(model::find(c, id)?)?;
            if_match.check_value(&staff_view(c, &current)?)?;
            let row = model::set_status(c, &current, status, crate::time::now())?
                .ok_or(ApiError::PreconditionFailed)?;
            Ok::<_, ApiError>(staff_view(c, &row)?)
        })
        .await?;
    respond(&req, StatusCode::OK, &comment, Audience::Private)
}

/// Move many comments to one status at once: all of them, or none when an id is unknown.
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderateComments",
    security(("bearer" = [])),
    request_body = BulkModerate,
    responses(
        (status = 200, description = "Moderated", body = BulkResult),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/comments/bulk")]
pub async fn moderate_comments(
    _editor: EditorOrAdmin,
    body: JsonBody<BulkModerate>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let BulkModerate { mut ids, status } = body.validated().await?;
    ids.sort_unstable();
    ids.dedup();
    let updated = store
        .write(move |c| {
            let rows = model::find_many(c, &ids)?;
            let missing: Vec<String> = ids
                .iter()
                .filter(|id| !rows.iter().any(|r| r.id == **id))
                .map(ToString::to_string)
                .collect();
            if !missing.is_empty() {
                return Err(ApiError::invalid(
                    "ids",
                    format!(
                        "no comments with the ids {}; nothing was changed",
                        missing.join(", ")
                    ),
                ));
            }
            let now = crate::time::now();
            let mut updated = 0;
            for row in rows.iter().filter(|r| r.status() != status) {
                model::set_status(c, row, status, now)?.ok_or(ApiError::Conflict(
                    "a comment changed meanwhile; nothing was changed".into(),
                ))?;
                updated += 1;
            }
            Ok::<_, ApiError>(updated)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(BulkResult { updated }))
}

/// Delete a comment for good. Its replies move up to its parent.
#[utoipa::path(
    tag = "moderation",
    operation_id = "deleteComment",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Comment id"),
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
#[delete("/comments/{id:\\d+}")]
pub async fn delete_comment(
    _editor: EditorOrAdmin,
    id: web::Path<i64>,
    if_match: IfMatch,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    store
        .write(move |c| {
            let current = found(model::find(c, id)?)?;
            if_match.check_value(&staff_view(c, &current)?)?;
            model::delete(c, &current)?;
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers the moderation routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_comments)
        .service(moderate_comments)
        .service(get_comment)
        .service(moderate_comment)
        .service(delete_comment);
}

fn found(row: Option<CommentRow>) -> Result<CommentRow, ApiError> {
    row.ok_or_else(|| ApiError::not_found("comment"))
}

fn staff_view(c: &mut DbConnection, row: &CommentRow) -> diesel::QueryResult<StaffComment> {
    Ok(staff_views(c, std::slice::from_ref(row))?.remove(0))
}

/// Moderation views of `rows`, with their articles' titles loaded in one query.
fn staff_views(
    c: &mut DbConnection,
    rows: &[CommentRow],
) -> diesel::QueryResult<Vec<StaffComment>> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.article_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let titles: HashMap<i64, CommentArticle> = model::article_titles(c, &ids)?
        .into_iter()
        .map(|(id, title, slug)| (id, CommentArticle { id, title, slug }))
        .collect();
    Ok(rows
        .iter()
        .map(|row| {
            let article = titles
                .get(&row.article_id)
                .cloned()
                .unwrap_or(CommentArticle {
                    id: row.article_id,
                    title: String::new(),
                    slug: String::new(),
                });
            StaffComment::new(row, article)
        })
        .collect())
}
