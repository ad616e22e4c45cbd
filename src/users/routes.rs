//! `/api/v1/users`: staff accounts, for admins only.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{CreateUser, UpdateUser, User};
use super::model::{self, NewUser, UserChanges, UserRow};
use super::{Role, normalize_email};
use crate::auth::{password, refresh};
use crate::db::{DbConnection, Store};
use crate::http::auth::AdminOnly;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, with_links};
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
    let (rows, total) = store
        .query(move |c| model::list(c, page.offset(), page.limit()))
        .await?;
    let meta = page.meta(total as u64);
    let body = Paginated {
        data: rows.iter().map(User::from).collect(),
        meta,
    };
    let response = respond(&req, StatusCode::OK, &body, Audience::Private)?;
    Ok(with_links(response, &req, &meta))
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
    let user = store
        .query(move |c| model::find(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    respond(&req, StatusCode::OK, &User::from(&user), Audience::Private)
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
    let hash = password::hash(input.password)
        .await
        .map_err(ApiError::internal)?;
    let user = store
        .write(move |c| {
            let email = normalize_email(&input.email);
            ensure_email_free(c, &email, None)?;
            let now = crate::time::now();
            Ok::<_, ApiError>(model::insert(
                c,
                &NewUser {
                    email: &email,
                    display_name: &input.display_name,
                    role: input.role.as_str(),
                    active: input.active.unwrap_or(true),
                    password_hash: &hash,
                    created_at: now,
                    updated_at: now,
                },
            )?)
        })
        .await?;
    let mut response = respond(
        &req,
        StatusCode::CREATED,
        &User::from(&user),
        Audience::Private,
    )?;
    if let Ok(location) = header::HeaderValue::from_str(&format!("/api/v1/users/{}", user.id)) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
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
    staff: AdminOnly,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<UpdateUser>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let admin = staff.0.id;
    let id = id.into_inner();
    let input = body.validated().await?;
    if id == admin && (input.role.is_some_and(|r| r != Role::Admin) || input.active == Some(false))
    {
        return Err(ApiError::Conflict(
            "admins cannot demote or deactivate themselves; ask another admin".into(),
        ));
    }
    let hash = match input.password {
        Some(password) => Some(password::hash(password).await.map_err(ApiError::internal)?),
        None => None,
    };
    let user = store
        .write(move |c| {
            let current = found(model::find(c, id)?)?;
            if_match.check_value(&User::from(&current))?;
            let email = input.email.as_deref().map(normalize_email);
            if let Some(email) = &email {
                ensure_email_free(c, email, Some(id))?;
            }
            let ends_sessions = hash.is_some()
                || input.role.is_some_and(|r| r != current.role())
                || (input.active == Some(false) && current.active);
            let changes = UserChanges {
                email,
                display_name: input.display_name,
                role: input.role.map(|r| r.as_str().to_owned()),
                active: input.active,
                password_hash: hash,
                token_version: ends_sessions.then_some(current.token_version + 1),
            };
            let now = crate::time::now();
            let updated = model::update(c, id, current.version, &changes, now)?
                .ok_or(ApiError::PreconditionFailed)?;
            if ends_sessions {
                refresh::revoke_all_for_user(c, id, now)?;
            }
            Ok::<_, ApiError>(updated)
        })
        .await?;
    respond(&req, StatusCode::OK, &User::from(&user), Audience::Private)
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
    staff: AdminOnly,
    id: web::Path<i64>,
    if_match: IfMatch,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let admin = staff.0.id;
    let id = id.into_inner();
    if id == admin {
        return Err(ApiError::Conflict("admins cannot delete themselves".into()));
    }
    store
        .write(move |c| {
            let current = found(model::find(c, id)?)?;
            if_match.check_value(&User::from(&current))?;
            model::delete(c, id).map_err(|e| match ApiError::from(e) {
                ApiError::Conflict(_) => ApiError::Conflict(
                    "the user still authors content; deactivate them instead".into(),
                ),
                other => other,
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

fn found(user: Option<UserRow>) -> Result<UserRow, ApiError> {
    user.ok_or_else(|| ApiError::not_found("user"))
}

fn ensure_email_free(
    c: &mut DbConnection,
    email: &str,
    except: Option<i64>,
) -> Result<(), ApiError> {
    match model::find_by_email(c, email)? {
        Some(other) if Some(other.id) != except => Err(ApiError::Conflict(format!(
            "another user already has the email {email}"
        ))),
        _ => Ok(()),
    }
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(delete_user);
}
