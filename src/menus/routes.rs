//! `/api/v1/menus`: read by anyone, written by editors.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateMenu, Menu, MenuSummary, UpdateMenu};
use super::operations;
use crate::config::Settings;
use crate::db::Store;
use crate::http::auth::{Caller, EditorOrAdmin};
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, created, respond};
use crate::http::docs::*;
use crate::http::{ApiError, JsonBody};

/// Every menu (names only), by slug.
#[utoipa::path(
    tag = "menus",
    operation_id = "listMenus",
    security((), ("bearer" = [])),
    responses(
        (status = 200, description = "The menus", body = Vec<MenuSummary>, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/menus")]
pub async fn list_menus(
    req: HttpRequest,
    caller: Caller,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let menus = store.query(operations::list).await?;
    respond(&req, StatusCode::OK, &menus, caller.audience(&settings))
}

/// One menu with its links in order, each resolved to its target's slug and public address.
/// Readers do not get links to unpublished articles or pages (nor the links nested under
/// them); staff get every link.
#[utoipa::path(
    tag = "menus",
    operation_id = "getMenu",
    security((), ("bearer" = [])),
    params(("slug" = String, Path, description = "The menu's slug", example = "header")),
    responses(
        (status = 200, description = "The menu", body = Menu, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/menus/{slug}")]
pub async fn get_menu(
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let staff = caller.staff().is_some();
    let menu = store
        .run(move |c| operations::get(c, &slug, staff, crate::time::now()))
        .await?;
    respond(&req, StatusCode::OK, &menu, caller.audience(&settings))
}

/// Create a menu (editors). Each link names its target by `type` and `target_id`, or an
/// external `url`; links nest one level (`children`).
#[utoipa::path(
    tag = "menus",
    operation_id = "createMenu",
    security(("bearer" = [])),
    request_body = CreateMenu,
    responses(
        (status = 201, description = "Created", body = Menu,
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
#[post("/menus")]
pub async fn create_menu(
    req: HttpRequest,
    _editor: EditorOrAdmin,
    body: JsonBody<CreateMenu>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let input = body.validated().await?;
    let menu = store
        .write(move |c| operations::create(c, &input, crate::time::now()))
        .await?;
    let location = format!(
        "/api/v1/menus/{}",
        crate::links::encode_segment(&menu.menu.slug)
    );
    created(&req, &menu, &location)
}

/// Rename a menu or replace its links (editors), with `If-Match`.
#[utoipa::path(
    tag = "menus",
    operation_id = "updateMenu",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The menu's slug"), IfMatchHeader),
    request_body = UpdateMenu,
    responses(
        (status = 200, description = "Updated", body = Menu, headers(("ETag" = String))),
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
#[patch("/menus/{slug}")]
pub async fn update_menu(
    req: HttpRequest,
    _editor: EditorOrAdmin,
    path: web::Path<String>,
    if_match: IfMatch,
    body: JsonBody<UpdateMenu>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    let input = body.validated().await?;
    let menu = store
        .write(move |c| operations::update(c, &slug, &input, &if_match, crate::time::now()))
        .await?;
    respond(&req, StatusCode::OK, &menu, Audience::Private)
}

/// Delete a menu (editors).
#[utoipa::path(
    tag = "menus",
    operation_id = "deleteMenu",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The menu's slug"), IfMatchHeader),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/menus/{slug}")]
pub async fn delete_menu(
    _editor: EditorOrAdmin,
    path: web::Path<String>,
    if_match: IfMatch,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let slug = path.into_inner();
    store
        .write(move |c| operations::delete(c, &slug, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_menus)
        .service(create_menu)
        .service(get_menu)
        .service(update_menu)
        .service(delete_menu);
}
