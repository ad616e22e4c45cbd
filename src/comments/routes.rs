//! `/api/v1/articles/{id}/comments`: readers read approved comments and submit their own.

use std::net::IpAddr;

use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{Accepted, PublicComment, SubmitComment};
use super::model::CommentStatus;
use super::operations;
use super::spam::Verdict;
use crate::articles::workflow::Readable;
use crate::config::Settings;
use crate::db::Store;
use crate::events::keys;
use crate::http::auth::Caller;
use crate::http::cache::readers_unaffected;
use crate::http::client_ip::ClientIp;
use crate::http::docs::*;
use crate::http::error::Problem;
use crate::http::pagination::{PageParams, Paginated, respond_page};
use crate::http::rate_limit::KeyedLimiter;
use crate::http::redirect::respond_lookup;
use crate::http::{ApiError, JsonBody};
use crate::slugs::Reference;

/// Comments accepted per client address.
pub struct CommentLimits(pub KeyedLimiter<IpAddr>);

/// The approved comments of a published article, oldest first.
///
/// Each carries `parent_id`, so a frontend can build threads.
#[utoipa::path(
    tag = "comments",
    operation_id = "listArticleComments",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug"), PageParams),
    responses(
        (status = 200, description = "A page of approved comments", body = Paginated<PublicComment>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "An old slug: `Location` has the current URL",
            headers(("Location" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/articles/{id}/comments")]
pub async fn list_article_comments(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let reference = Reference::parse(&path.into_inner());
    let readable = Readable::for_viewer(caller.staff());
    let found = store
        .query(move |c| operations::approved(c, &reference, readable, page, crate::time::now()))
        .await?;
    let audience = caller.audience(&settings);
    respond_lookup(&req, "article", found, audience, |comments| {
        respond_page(&req, page, comments, audience)
            .map(|response| keys::tag(response, &keys::Keys::of(&[keys::COMMENTS])))
    })
}

/// Comment on a published article. No account needed.
///
/// The comment waits for moderation: the answer is 202 with status `pending`. Limited per
/// client address.
#[utoipa::path(
    tag = "comments",
    operation_id = "createComment",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The article's id or slug")),
    request_body = SubmitComment,
    responses(
        (status = 202, description = "Received; published once approved", body = Accepted),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 409, description = "Comments are closed on this article", body = Problem,
            content_type = "application/problem+json"),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/articles/{id}/comments")]
pub async fn create_comment(
    _caller: Caller,
    ip: ClientIp,
    path: web::Path<String>,
    body: JsonBody<SubmitComment>,
    limits: web::Data<CommentLimits>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    limits.0.check(&ip.0)?;
    let reference = Reference::parse(&path.into_inner());
    let input = body.validated().await?;
    let (id, verdict) = store
        .write(move |c| {
            operations::submit(c, &reference, &input, &ip.0.to_string(), crate::time::now())
        })
        .await?;
    if verdict != Verdict::Ham {
        tracing::info!(comment_id = id, ?verdict, "comment filed as spam");
    }
    // A spam verdict is never revealed: the bot sees what a reader sees. Readers see the
    // comment only once a moderator approves it (that write changes their view).
    Ok(readers_unaffected(
        HttpResponse::Accepted()
            .insert_header(("Cache-Control", "no-store"))
            .json(Accepted {
                id,
                status: CommentStatus::Pending,
            }),
    ))
}

/// Registers this slice's public routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_article_comments).service(create_comment);
}
