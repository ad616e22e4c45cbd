//! `/api/v1/tags`: the tags in use, for tag clouds and tag pages.

use actix_web::{HttpRequest, HttpResponse, get, web};

use super::dto::Tag;
use super::operations;
use crate::config::Settings;
use crate::db::Store;
use crate::events::keys;
use crate::http::ApiError;
use crate::http::auth::Caller;
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};

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
        (status = 422, response = Unprocessable),
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
    let tags = store
        .query(move |c| operations::list(c, page, crate::time::now()))
        .await?;
    let keys = keys::of_list(keys::TAGS, &tags.0);
    respond_page(&req, page, tags, caller.audience(&settings))
        .map(|response| keys::tag(response, &keys))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_tags);
}
