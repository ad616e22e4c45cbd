//! `/api/v1/pages`: published pages read by anyone, every page read and written by editors.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreatePage, Page, PageFilters, PageSummary, UpdatePage};
use super::operations::{self, Readable};
use crate::articles::derived::RenderSlots;
use crate::config::Settings;
use crate::db::Store;
use crate::events::keys;
use crate::http::auth::{Caller, EditorOrAdmin};
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, created, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};
use crate::http::redirect::respond_lookup;
use crate::http::{ApiError, JsonBody};
use crate::links::encode_segment;
use crate::slugs::Reference;

/// Pages in menu order (`menu_order`, then title).
///
/// Everyone sees published pages. Editors and admins may ask for other statuses
/// (`status=draft|archived|any`).
#[utoipa::path(
    tag = "pages",
    operation_id = "listPages",
    security((), ("bearer" = [])),
    params(PageParams, PageFilters),
    responses(
        (status = 200, description = "A page of pages (without bodies)", body = Paginated<PageSummary>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/pages")]
pub async fn list_pages(
    req: HttpRequest,
    caller: Caller,
    params: web::Query<PageParams>,
    filters: web::Query<PageFilters>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let filters = filters.into_inner();
    let viewer = caller.staff().cloned();
    let pages = store
        .run(move |c| operations::list(c, viewer.as_ref(), &filters, page))
        .await?;
    let keys = keys::of_list(keys::PAGES, &pages.0);
    respond_page(&req, page, pages, caller.audience(&settings))
        .map(|response| keys::tag(response, &keys))
}

/// One page, by id or slug (percent-encoded UTF-8 works). An old slug answers 301 with the
/// current URL. Unpublished pages are 404 to anyone but editors and admins.
#[utoipa::path(
    tag = "pages",
    operation_id = "getPage",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The page's id or slug")),
    responses(
        (status = 200, description = "The page", body = Page,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "An old slug: `Location` has the current URL",
            headers(("Location" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/pages/{id}")]
pub async fn get_page(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let readable = Readable::for_viewer(caller.staff());
    let found = store
        .query(move |c| operations::get(c, &reference, readable))
        .await?;
    let audience = caller.audience(&settings);
    respond_lookup(&req, "page", found, audience, |page| {
        respond(&req, StatusCode::OK, &page, audience)
            .map(|response| keys::tag(response, &keys::of_one(&page)))
    })
}

/// Create a page.
#[utoipa::path(
    tag = "pages",
    operation_id = "createPage",
    security(("bearer" = [])),
    request_body = CreatePage,
    responses(
        (status = 201, description = "Created", body = Page,
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
#[post("/pages")]
pub async fn create_page(
    req: HttpRequest,
    editor: EditorOrAdmin,
    body: JsonBody<CreatePage>,
    store: web::Data<Store>,
    slots: web::Data<RenderSlots>,
) -> Result<HttpResponse, ApiError> {
    let input = body.validated().await?;
    let body_html = operations::render(input.body.clone(), &slots).await?;
    let page = store
        .write(move |c| operations::create(c, &editor.0, &input, &body_html, crate::time::now()))
        .await?;
    created(&req, &page, &location(&page.summary.slug))
}

/// Change a page. A new slug leaves the old one redirecting; a new parent may not be the
/// page itself or one below it.
#[utoipa::path(
    tag = "pages",
    operation_id = "updatePage",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The page's id or slug"),
        IfMatchHeader,
    ),
    request_body = UpdatePage,
    responses(
        (status = 200, description = "Updated", body = Page, headers(("ETag" = String))),
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
#[patch("/pages/{id}")]
pub async fn update_page(
    req: HttpRequest,
    editor: EditorOrAdmin,
    path: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<UpdatePage>,
    store: web::Data<Store>,
    slots: web::Data<RenderSlots>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let input = body.validated().await?;
    let body_html = match &input.body {
        Some(body) => Some(operations::render(body.clone(), &slots).await?),
        None => None,
    };
    let page = store
        .write(move |c| {
            let now = crate::time::now();
            operations::update(c, &editor.0, &reference, input, body_html, &if_match, now)
        })
        .await?;
    respond(&req, StatusCode::OK, &page, Audience::Private)
}

/// Delete a page. Refused with 409 while pages remain inside it.
#[utoipa::path(
    tag = "pages",
    operation_id = "deletePage",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The page's id or slug"),
        IfMatchHeader,
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/pages/{id}")]
pub async fn delete_page(
    _editor: EditorOrAdmin,
    path: web::Path<String>,
    if_match: IfMatch,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    store
        .write(move |c| operations::delete(c, &reference, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Where a page lives.
fn location(slug: &str) -> String {
    format!("/api/v1/pages/{}", encode_segment(slug))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_pages)
        .service(create_page)
        .service(get_page)
        .service(update_page)
        .service(delete_page);
}
