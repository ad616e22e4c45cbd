//! `/api/v1/sections`: read by anyone, written by editors.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateSection, Section, UpdateSection};
use super::model::{self, NewSection, SectionChanges, SectionRow};
use super::tree;
use crate::config::Settings;
use crate::db::{DbConnection, Store};
use crate::http::auth::{Caller, EditorOrAdmin};
use crate::http::conditional::{IfMatch, IfMatchHeader, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, with_links};
use crate::http::redirect::{encode_segment, moved_permanently};
use crate::http::{ApiError, JsonBody};
use crate::slugs::{self, Reference, Resolved, Resource};
use crate::text;

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
    let all = store
        .query(|c| model::all_with_counts(c, crate::time::now()))
        .await?;
    let meta = page.meta(all.len() as u64);
    let data = all
        .iter()
        .skip(page.offset() as usize)
        .take(page.limit() as usize)
        .map(|(row, count)| Section::new(row, *count))
        .collect();
    let body = Paginated { data, meta };
    let response = respond(&req, StatusCode::OK, &body, caller.audience(&settings))?;
    Ok(with_links(response, &req, &meta))
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
    let segment = path.into_inner();
    let reference = Reference::parse(&segment);
    let found = store
        .query(move |c| {
            let id = match model::resolve(c, &reference)? {
                Resolved::Found(id) => id,
                other => return Ok(Err(other)),
            };
            let all = model::all_with_counts(c, crate::time::now())?;
            Ok(Ok(all.into_iter().find(|(row, _)| row.id == id)))
        })
        .await?;
    match found {
        Ok(Some((row, count))) => respond(
            &req,
            StatusCode::OK,
            &Section::new(&row, count),
            caller.audience(&settings),
        ),
        Err(Resolved::Moved { slug }) => Ok(moved_permanently(&req, &segment, &slug)),
        _ => Err(ApiError::not_found("section")),
    }
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
    if let Some(slug) = &input.slug {
        slugs::check_explicit(slug, Resource::Section).map_err(|m| ApiError::invalid("slug", m))?;
    }
    let row = store.write(move |c| insert_new(c, &input)).await?;
    let mut response = respond(
        &req,
        StatusCode::CREATED,
        &Section::new(&row, 0),
        crate::http::conditional::Audience::Private,
    )?;
    let location = format!("/api/v1/sections/{}", encode_segment(&row.slug));
    if let Ok(value) = header::HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
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
    if let Some(slug) = &input.slug {
        slugs::check_explicit(slug, Resource::Section).map_err(|m| ApiError::invalid("slug", m))?;
    }
    let (row, count) = store
        .write(move |c| {
            let now = crate::time::now();
            let current = find_for_write(c, &reference)?;
            let count = count_of(c, current.id, now)?;
            if_match.check_value(&Section::new(&current, count))?;
            if let Some(Some(parent)) = input.parent_id {
                model::find(c, parent)?
                    .ok_or_else(|| ApiError::invalid("parent_id", "no section has this id"))?;
                if tree::would_cycle(&model::edges(c)?, current.id, parent) {
                    return Err(ApiError::invalid(
                        "parent_id",
                        "a section cannot be inside itself or one of its subsections",
                    ));
                }
            }
            let slug = match &input.slug {
                Some(slug) if *slug != current.slug => {
                    Some(choose_slug(c, Some(slug), &current.name, Some(current.id))?)
                }
                _ => None,
            };
            let changes = SectionChanges {
                name: input.name,
                slug,
                description: input.description.map(|d| d.filter(|d| !d.is_empty())),
                parent_id: input.parent_id,
                position: input.position,
            };
            let row =
                model::update(c, &current, &changes, now)?.ok_or(ApiError::PreconditionFailed)?;
            let count = count_of(c, row.id, now)?;
            Ok::<_, ApiError>((row, count))
        })
        .await?;
    respond(
        &req,
        StatusCode::OK,
        &Section::new(&row, count),
        crate::http::conditional::Audience::Private,
    )
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
        .write(move |c| {
            let current = find_for_write(c, &reference)?;
            let count = count_of(c, current.id, crate::time::now())?;
            if_match.check_value(&Section::new(&current, count))?;
            if model::has_articles(c, current.id)? {
                return Err(ApiError::Conflict(
                    "the section still has articles; move or delete them first".into(),
                ));
            }
            if model::has_children(c, current.id)? {
                return Err(ApiError::Conflict(
                    "the section still has subsections; move or delete them first".into(),
                ));
            }
            model::delete(c, current.id)?;
            Ok::<_, ApiError>(())
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Stores a new section (slug generated unless given); returns it.
pub(crate) fn insert_new(
    c: &mut DbConnection,
    input: &CreateSection,
) -> Result<SectionRow, ApiError> {
    if let Some(parent) = input.parent_id {
        model::find(c, parent)?
            .ok_or_else(|| ApiError::invalid("parent_id", "no section has this id"))?;
    }
    let slug = choose_slug(c, input.slug.as_deref(), &input.name, None)?;
    let now = crate::time::now();
    Ok(model::insert(
        c,
        &NewSection {
            name: &input.name,
            slug: &slug,
            description: input.description.as_deref().filter(|d| !d.is_empty()),
            parent_id: input.parent_id,
            position: input.position.unwrap_or(0),
            created_at: now,
            updated_at: now,
        },
    )?)
}

fn find_for_write(c: &mut DbConnection, reference: &Reference) -> Result<SectionRow, ApiError> {
    model::resolve_id(c, reference)?
        .map(|id| model::find(c, id))
        .transpose()?
        .flatten()
        .ok_or_else(|| ApiError::not_found("section"))
}

fn count_of(c: &mut DbConnection, id: i64, now: chrono::NaiveDateTime) -> Result<i64, ApiError> {
    Ok(model::all_with_counts(c, now)?
        .into_iter()
        .find(|(row, _)| row.id == id)
        .map_or(0, |(_, count)| count))
}

/// The explicit slug (409 when another section has it), or one generated from the name.
fn choose_slug(
    c: &mut DbConnection,
    explicit: Option<&str>,
    name: &str,
    except: Option<i64>,
) -> Result<String, ApiError> {
    match explicit {
        Some(slug) => {
            slugs::take_turns(c, Resource::Section, slug)?;
            if model::slug_taken(c, slug, except)? {
                return Err(ApiError::Conflict(format!("the slug `{slug}` is taken")));
            }
            Ok(slug.to_owned())
        }
        None => {
            let base = slugs::usable(text::slugify(name), Resource::Section);
            slugs::take_turns(c, Resource::Section, &base)?;
            Ok(slugs::first_free(&base, |s| {
                model::slug_taken(c, s, except)
            })?)
        }
    }
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_sections)
        .service(create_section)
        .service(get_section)
        .service(update_section)
        .service(delete_section);
}
