//! `/api/v1/articles/{id}/comments`: readers read approved comments and submit their own.

use std::net::IpAddr;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};

use super::dto::{Accepted, PublicComment, SubmitComment};
use super::model::{self, CommentStatus, MAX_DEPTH, NewComment};
use super::spam::{self, Verdict};
use crate::articles::{model as articles, workflow};
use crate::config::Settings;
use crate::db::{DbConnection, Store};
use crate::http::auth::Caller;
use crate::http::client_ip::ClientIp;
use crate::http::conditional::respond;
use crate::http::docs::*;
use crate::http::error::Problem;
use crate::http::pagination::{PageParams, Paginated, with_links};
use crate::http::rate_limit::KeyedLimiter;
use crate::http::redirect::moved_permanently;
use crate::http::{ApiError, JsonBody};
use crate::slugs::{Reference, Resolved};

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
    let segment = path.into_inner();
    let reference = Reference::parse(&segment);
    let viewer = caller.staff().cloned();
    let found = store
        .query(move |c| {
            let id = match articles::resolve(c, &reference)? {
                Resolved::Found(id) => id,
                other => return Ok(Err(other)),
            };
            let readable = articles::find(c, id)?.is_some_and(|a| {
                workflow::may_read(viewer.as_ref(), &a.summary, crate::time::now())
            });
            if !readable {
                return Ok(Err(Resolved::NotFound));
            }
            Ok(Ok(model::approved_page(
                c,
                id,
                page.offset(),
                page.limit(),
            )?))
        })
        .await?;
    let (rows, total) = match found {
        Ok(page) => page,
        Err(Resolved::Moved { slug }) => return Ok(moved_permanently(&req, &segment, &slug)),
        Err(_) => return Err(ApiError::not_found("article")),
    };
    let meta = page.meta(total as u64);
    let body = Paginated {
        data: rows.iter().map(PublicComment::from).collect(),
        meta,
    };
    let response = respond(&req, StatusCode::OK, &body, caller.audience(&settings))?;
    Ok(with_links(response, &req, &meta))
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
    let verdict = spam::judge(&input.body, input.website.as_deref());
    let id = store
        .write(move |c| {
            let now = crate::time::now();
            let article = articles::resolve_id(c, &reference)?
                .map(|id| articles::find(c, id))
                .transpose()?
                .flatten()
                .filter(|a| a.summary.is_visible(now))
                .ok_or_else(|| ApiError::not_found("article"))?;
            if !article.summary.comments_open {
                return Err(ApiError::Conflict(
                    "comments are closed on this article".into(),
                ));
            }
            let depth = reply_depth(c, article.summary.id, input.parent_id)?;
            let status = match verdict {
                Verdict::Ham => CommentStatus::Pending,
                Verdict::Honeypot | Verdict::TooManyLinks => CommentStatus::Spam,
            };
            Ok::<_, ApiError>(model::insert(
                c,
                &NewComment {
                    article_id: article.summary.id,
                    parent_id: input.parent_id,
                    depth,
                    author_name: &input.author_name,
                    author_email: &input.author_email,
                    body: &input.body,
                    status: status.as_str(),
                    client_ip: Some(&ip.0.to_string()),
                    created_at: now,
                    updated_at: now,
                },
            )?)
        })
        .await?;
    if verdict != Verdict::Ham {
        tracing::info!(comment_id = id, ?verdict, "comment filed as spam");
    }
    // A spam verdict is never revealed: the bot sees what a reader sees.
    Ok(HttpResponse::Accepted()
        .insert_header(("Cache-Control", "no-store"))
        .json(Accepted {
            id,
            status: CommentStatus::Pending,
        }))
}

/// The depth of a new comment: 0, or one below an approved comment of the same article.
fn reply_depth(
    c: &mut DbConnection,
    article_id: i64,
    parent: Option<i64>,
) -> Result<i32, ApiError> {
    let Some(parent) = parent else {
        return Ok(0);
    };
    let parent = model::find(c, parent)?
        .filter(|p| p.article_id == article_id && p.status() == CommentStatus::Approved)
        .ok_or_else(|| {
            ApiError::invalid(
                "parent_id",
                "no published comment of this article has this id",
            )
        })?;
    if parent.depth >= MAX_DEPTH {
        return Err(ApiError::invalid(
            "parent_id",
            format!("replies nest at most {} levels deep", MAX_DEPTH + 1),
        ));
    }
    Ok(parent.depth + 1)
}

/// Registers this slice's public routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_article_comments).service(create_comment);
}
