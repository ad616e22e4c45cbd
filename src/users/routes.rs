//! `/api/v1/users`: staff accounts, for admins only.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateUser, UpdateUser, User};
use super::operations::{self, NewAccount};
use super::password;
use crate::db::Store;
use crate::http::auth::AdminOnly;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, created, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};
use crate::http::{ApiError, JsonBody};

/// A page of staff accounts, oldest first.
#[utoipa::path(
    tag = "users",
    operation_id = "listUsers",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of users", body = Paginated<User>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 422, response = Unprocessable),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
    )
)]
#[get("/users")]
pub async fn list_users(
    req: HttpRequest,
    _admin: AdminOnly,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let users = store.query(move |c| operations::list(c, page)).await?;
    respond_page(&req, page, users, Audience::Private)
}

/// One staff account.
#[utoipa::path(
    tag = "users",
    operation_id = "getUser",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = User, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/users/{id:\\d+}")]
pub async fn get_user(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let user = store.run(move |c| operations::get(c, id)).await?;
    respond(&req, StatusCode::OK, &user, Audience::Private)
}

/// Create a staff account.
#[utoipa::path(
    tag = "users",
    operation_id = "createUser",
    security(("bearer" = [])),
    request_body = CreateUser,
    responses(
        (status = 201, description = "Created", body = User,
            headers(("Location" = String, description = "The new user's URL"), ("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/users")]
pub async fn create_user(
    req: HttpRequest,
    _admin: AdminOnly,
    body: JsonBody<CreateUser>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let input = body.validated().await?;
    let mut account = NewAccount::new(
        &input.email,
        Some(&input.display_name),
        input.role,
        &input.password,
    )?;
    account.active = input.active.unwrap_or(true);
    let hash = password::hash(input.password)
        .await
        .map_err(ApiError::internal)?;
    let user = store
        .write(move |c| operations::create(c, &account, &hash, crate::time::now()))
        .await?;
    created(&req, &user, &format!("/api/v1/users/{}", user.id))
}

/// Change a staff account.
///
/// Changing the role or the password, or deactivating, ends every session of the user at
/// once. Admins cannot demote, deactivate or delete themselves (so there is always an admin).
#[utoipa::path(
    tag = "users",
    operation_id = "updateUser",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "User id"),
        IfMatchHeader,
    ),
    request_body = UpdateUser,
    responses(
        (status = 200, description = "Updated", body = User, headers(("ETag" = String))),
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
#[patch("/users/{id:\\d+}")]
pub async fn update_user(
    req: HttpRequest,
    admin: AdminOnly,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<UpdateUser>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let mut input = body.validated().await?;
    let hash = match input.password.take() {
        Some(password) => Some(password::hash(password).await.map_err(ApiError::internal)?),
        None => None,
    };
    let user = store
        .write(move |c| {
            let now = crate::time::now();
            operations::update(c, admin.0.id, id, input, hash, &if_match, now)
        })
        .await?;
    respond(&req, StatusCode::OK, &user, Audience::Private)
}

/// Delete a staff account and its sessions.
///
/// Refused with 409 while the user still authors content: deactivate them instead.
#[utoipa::path(
    tag = "users",
    operation_id = "deleteUser",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "User id"),
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
#[delete("/users/{id:\\d+}")]
pub async fn delete_user(
    admin: AdminOnly,
    id: web::Path<i64>,
    if_match: IfMatch,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    store
        .write(move |c| operations::delete(c, admin.0.id, id, &if_match))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(delete_user);
}
