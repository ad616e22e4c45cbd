//! `/api/v1/comments`: the moderation queue, for editors and admins. The only place a
//! commenter's email and address are shown.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{BulkModerate, BulkResult, Moderate, QueueFilters, StaffComment};
use super::operations;
use crate::db::Store;
use crate::http::auth::EditorOrAdmin;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};
use crate::http::{ApiError, JsonBody};

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
        (status = 422, response = Unprocessable),
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
    let comments = store
        .query(move |c| operations::queue(c, status, article.as_deref(), page))
        .await?;
    respond_page(&req, page, comments, Audience::Private)
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
    let comment = store.run(move |c| operations::get(c, id)).await?;
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
        .write(move |c| operations::moderate(c, id, status, &if_match, crate::time::now()))
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
    let BulkModerate { ids, status } = body.validated().await?;
    let updated = store
        .write(move |c| operations::moderate_many(c, &ids, status, crate::time::now()))
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
        .write(move |c| operations::delete(c, id, &if_match))
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
