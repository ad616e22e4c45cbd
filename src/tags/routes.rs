//! `/api/v1/tags`: the tags in use, for tag clouds and tag pages.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::Tag;
use super::model;
use crate::config::Settings;
use crate::db::Store;
use crate::http::ApiError;
use crate::http::auth::Caller;
use crate::http::conditional::respond;
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, with_links};

/// Tags on published articles, most used first.
#[utoipa::path(
    tag = "tags",
    operation_id = "listTags",
    security((), ("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of tags with counts", body = Paginated<Tag>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    req: HttpRequest,
    caller: Caller,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let (rows, total) = store
        .query(move |c| model::visible_counts(c, crate::time::now(), page.offset(), page.limit()))
        .await?;
    let meta = page.meta(total as u64);
    let data = rows
        .into_iter()
        .map(|t| Tag {
            name: t.name,
            slug: t.slug,
            article_count: t.count,
        })
        .collect();
    let response = respond(
        &req,
        StatusCode::OK,
        &Paginated { data, meta },
        caller.audience(&settings),
    )?;
    Ok(with_links(response, &req, &meta))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_tags);
}
