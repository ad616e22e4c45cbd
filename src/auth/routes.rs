//! `/api/v1/auth/*`: log in, refresh, log out, and one's own account.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use super::dto::{ChangePassword, LoginRequest, RefreshRequest, TokenPair, UpdateMe};
use super::operations::{self, LoginLimits};
use super::tokens::TokenKeys;
use crate::config::Settings;
use crate::db::Store;
use crate::http::auth::AnyStaff;
use crate::http::cache::readers_unaffected;
use crate::http::client_ip::ClientIp;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, respond};
use crate::http::docs::*;
use crate::http::{ApiError, JsonBody};
use crate::users::dto::User;

/// Log in with email and password.
///
/// A wrong email and a wrong password get the same answer, in the same time.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenPair),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    ip: ClientIp,
    body: JsonBody<LoginRequest>,
    limits: web::Data<LoginLimits>,
    store: web::Data<Store>,
    keys: web::Data<TokenKeys>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let LoginRequest { email, password } = body.validated().await?;
    let ttl = settings.refresh_token_ttl;
    let pair = operations::login(
        &store,
        keys.into_inner(),
        &limits,
        ip.0,
        &email,
        password,
        ttl,
    )
    .await?;
    Ok(readers_unaffected(respond(
        &req,
        StatusCode::OK,
        &pair,
        Audience::Private,
    )?))
}

/// Exchange a refresh token for a new pair.
///
/// Refresh tokens are single use. Presenting one that was already used revokes every token of
/// that login, on the assumption that it was stolen.
#[utoipa::path(
    tag = "auth",
    operation_id = "refreshToken",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = TokenPair),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh_token(
    req: HttpRequest,
    body: JsonBody<RefreshRequest>,
    store: web::Data<Store>,
    keys: web::Data<TokenKeys>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let presented = body.validated().await?.refresh_token;
    let ttl = settings.refresh_token_ttl;
    let pair = operations::refresh(&store, keys.into_inner(), presented, ttl).await?;
    Ok(readers_unaffected(respond(
        &req,
        StatusCode::OK,
        &pair,
        Audience::Private,
    )?))
}

/// Log out: revoke the session the refresh token belongs to.
///
/// Answers 204 whether or not the token was known, so it reveals nothing.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "The session is revoked"),
        (status = 400, response = BadRequest),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    body: JsonBody<RefreshRequest>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let presented = body.validated().await?.refresh_token;
    operations::logout(&store, presented).await?;
    Ok(readers_unaffected(HttpResponse::NoContent().finish()))
}

/// The caller's own account.
#[utoipa::path(
    tag = "auth",
    operation_id = "getMe",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = User,
            headers(("ETag" = String, description = "For If-Match on PATCH"))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
    )
)]
#[get("/auth/me")]
pub async fn get_me(
    req: HttpRequest,
    staff: AnyStaff,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let user = operations::me(&store, &staff.0).await?;
    respond(&req, StatusCode::OK, &user, Audience::Private)
}

/// Change one's own display name.
#[utoipa::path(
    tag = "auth",
    operation_id = "updateMe",
    security(("bearer" = [])),
    request_body = UpdateMe,
    params(IfMatchHeader),
    responses(
        (status = 200, description = "Updated", body = User,
            headers(("ETag" = String, description = "The new ETag"))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[patch("/auth/me")]
pub async fn update_me(
    req: HttpRequest,
    staff: AnyStaff,
    if_match: IfMatch,
    body: JsonBody<UpdateMe>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let input = body.validated().await?;
    let user = operations::update_me(&store, &staff.0, input, if_match).await?;
    respond(&req, StatusCode::OK, &user, Audience::Private)
}

/// Change one's own password.
///
/// Every other session of the account ends; the response carries a fresh token pair for this
/// one.
#[utoipa::path(
    tag = "auth",
    operation_id = "changePassword",
    security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed; a new token pair", body = TokenPair),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 409, response = Conflict),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    req: HttpRequest,
    staff: AnyStaff,
    body: JsonBody<ChangePassword>,
    limits: web::Data<LoginLimits>,
    store: web::Data<Store>,
    keys: web::Data<TokenKeys>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let ChangePassword {
        current_password,
        new_password,
    } = body.validated().await?;
    let pair = operations::change_password(
        &store,
        keys.into_inner(),
        &limits,
        &staff.0,
        current_password,
        new_password,
        settings.refresh_token_ttl,
    )
    .await?;
    Ok(readers_unaffected(respond(
        &req,
        StatusCode::OK,
        &pair,
        Audience::Private,
    )?))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(login)
        .service(refresh_token)
        .service(logout)
        .service(get_me)
        .service(update_me)
        .service(change_password);
}
