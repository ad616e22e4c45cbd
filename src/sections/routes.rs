//! `/api/v1/sections`: read by anyone, written by editors.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateSection, Section, UpdateSection};
use super::operations;
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

/// All sections, ordered by `position`, then name.
#[utoipa::path(
    tag = "sections",
    operation_id = "listSections",
    security((), ("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of sections", body = Paginated<Section>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String), ("Cache-Control" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/sections")]
pub async fn list_sections(
    req: HttpRequest,
    caller: Caller,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let sections = store
        .query(move |c| operations::list(c, page, crate::time::now()))
        .await?;
    let keys = keys::of_list(keys::SECTIONS, &sections.0);
    respond_page(&req, page, sections, caller.audience(&settings))
        .map(|response| keys::tag(response, &keys))
}

/// One section, by id or slug. An old slug answers 301 with the current URL.
#[utoipa::path(
    tag = "sections",
    operation_id = "getSection",
    security((), ("bearer" = [])),
    params(("id" = String, Path, description = "The section's id or slug (percent-encoded UTF-8)")),
    responses(
        (status = 200, description = "The section", body = Section,
            headers(("ETag" = String), ("Cache-Control" = String))),
        (status = 301, description = "An old slug: `Location` has the current URL",
            headers(("Location" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    )
)]
#[get("/sections/{id}")]
pub async fn get_section(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let found = store
        .query(move |c| operations::get(c, &reference, crate::time::now()))
        .await?;
    let audience = caller.audience(&settings);
    respond_lookup(&req, "section", found, audience, |section| {
        respond(&req, StatusCode::OK, &section, audience)
            .map(|response| keys::tag(response, &keys::of_one(&section)))
    })
}

/// Create a section.
#[utoipa::path(
    tag = "sections",
    operation_id = "createSection",
    security(("bearer" = [])),
    request_body = CreateSection,
    responses(
        (status = 201, description = "Created", body = Section,
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
#[post("/sections")]
pub async fn create_section(
    req: HttpRequest,
    _editor: EditorOrAdmin,
    body: JsonBody<CreateSection>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let input = body.validated().await?;
    let section = store
        .write(move |c| operations::create(c, &input, crate::time::now()))
        .await?;
    created(&req, &section, &location(&section.slug))
}

/// Change a section. A new slug leaves the old one redirecting; a new parent may not be the
/// section itself or one below it.
#[utoipa::path(
    tag = "sections",
    operation_id = "updateSection",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The section's id or slug"),
        IfMatchHeader,
    ),
    request_body = UpdateSection,
    responses(
        (status = 200, description = "Updated", body = Section, headers(("ETag" = String))),
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
#[patch("/sections/{id}")]
pub async fn update_section(
    req: HttpRequest,
    _editor: EditorOrAdmin,
    path: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<UpdateSection>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    let input = body.validated().await?;
    let section = store
        .write(move |c| operations::update(c, &reference, input, &if_match, crate::time::now()))
        .await?;
    respond(&req, StatusCode::OK, &section, Audience::Private)
}

/// Delete a section. Refused with 409 while articles or subsections remain in it.
#[utoipa::path(
    tag = "sections",
    operation_id = "deleteSection",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The section's id or slug"),
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
#[delete("/sections/{id}")]
pub async fn delete_section(
    _editor: EditorOrAdmin,
    path: web::Path<String>,
    if_match: IfMatch,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let reference = Reference::parse(&path.into_inner());
    store
        .write(move |c| operations::delete(c, &reference, &if_match, crate::time::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Where a section lives.
fn location(slug: &str) -> String {
    format!("/api/v1/sections/{}", encode_segment(slug))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_sections)
        .service(create_section)
        .service(get_section)
        .service(update_section)
        .service(delete_section);
}
