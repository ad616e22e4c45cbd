//! `/api/v1/auth/*`: log in, refresh, log out, and one's own account.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};

use super::dto::{ChangePassword, LoginRequest, RefreshRequest, TokenPair, UpdateMe};
use super::refresh::{self, Rotation};
use super::tokens::TokenKeys;
use super::{issue_pair, password};
use crate::config::Settings;
use crate::db::Store;
use crate::http::auth::AnyStaff;
use crate::http::client_ip::ClientIp;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, respond};
use crate::http::docs::*;
use crate::http::rate_limit::KeyedLimiter;
use crate::http::{ApiError, JsonBody};
use crate::users::dto::User;
use crate::users::model::{self, UserChanges};
use crate::users::normalize_email;

/// Login attempts are limited per client address and per account.
pub struct LoginLimits {
    pub per_ip: KeyedLimiter<std::net::IpAddr>,
    pub per_account: KeyedLimiter<String>,
}

const WRONG_CREDENTIALS: &str = "wrong email or password";

fn map_hash_error(e: password::HashTaskFailed) -> ApiError {
    ApiError::internal(e)
}

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
    let email = normalize_email(&email);
    limits.per_ip.check(&ip.0)?;
    limits.per_account.check(&email)?;
    let user = store
        .query(move |c| model::find_by_email(c, &email))
        .await?;
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let matches = password::verify(password, stored)
        .await
        .map_err(map_hash_error)?;
    let user = match user {
        Some(user) if matches && user.active => user,
        _ => return Err(ApiError::Unauthorized(WRONG_CREDENTIALS.into())),
    };
    let ttl = settings.refresh_token_ttl;
    let keys = keys.into_inner();
    let pair = store
        .write(move |c| Ok::<_, ApiError>(issue_pair(c, &keys, &user, ttl)?))
        .await?;
    tracing::info!(user_id = pair.user.id, "logged in");
    respond(&req, StatusCode::OK, &pair, Audience::Private)
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
    let keys = keys.into_inner();
    // Committed whatever the outcome: a detected reuse must revoke for good.
    let outcome = store
        .write(move |c| {
            let now = crate::time::now();
            let rotation = refresh::rotate(c, &presented, ttl, now)?;
            let Rotation::Rotated { user_id, token } = rotation else {
                return Ok::<_, ApiError>(Err(rotation));
            };
            match model::find(c, user_id)? {
                Some(user) if user.active => {
                    let access = keys.issue(user.id, user.role(), user.token_version);
                    Ok(Ok(TokenPair::new(access, token, &user)))
                }
                _ => Ok(Err(Rotation::Invalid)),
            }
        })
        .await?;
    match outcome {
        Ok(pair) => respond(&req, StatusCode::OK, &pair, Audience::Private),
        Err(Rotation::Reused) => {
            tracing::warn!("refresh token reuse detected; the login was revoked");
            Err(ApiError::Unauthorized(
                "this refresh token was already used; the whole session has been revoked".into(),
            ))
        }
        Err(_) => Err(ApiError::Unauthorized(
            "the refresh token is invalid, expired or revoked".into(),
        )),
    }
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
    store
        .write(move |c| {
            Ok::<_, ApiError>(refresh::revoke_family_of(
                c,
                &presented,
                crate::time::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
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
    let id = staff.0.id;
    let user = store
        .query(move |c| model::find(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    respond(&req, StatusCode::OK, &User::from(&user), Audience::Private)
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
    let id = staff.0.id;
    let changes = UserChanges {
        display_name: body.validated().await?.display_name,
        ..Default::default()
    };
    let user = store
        .write(move |c| {
            let current = model::find(c, id)?.ok_or_else(|| ApiError::not_found("user"))?;
            if_match.check_value(&User::from(&current))?;
            model::update(c, id, current.version, &changes, crate::time::now())?
                .ok_or(ApiError::PreconditionFailed)
        })
        .await?;
    respond(&req, StatusCode::OK, &User::from(&user), Audience::Private)
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
    let id = staff.0.id;
    let ChangePassword {
        current_password,
        new_password,
    } = body.validated().await?;
    let user = store
        .query(move |c| model::find(c, id))
        .await?
        .ok_or_else(|| ApiError::not_found("user"))?;
    // Guessing the current password through this endpoint is rate limited like logins.
    limits.per_account.check(&user.email)?;
    let matches = password::verify(current_password, Some(user.password_hash.clone()))
        .await
        .map_err(map_hash_error)?;
    if !matches {
        return Err(ApiError::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = password::hash(new_password).await.map_err(map_hash_error)?;
    let ttl = settings.refresh_token_ttl;
    let keys = keys.into_inner();
    let pair = store
        .write(move |c| {
            let now = crate::time::now();
            let changes = UserChanges {
                password_hash: Some(hash),
                token_version: Some(user.token_version + 1),
                ..Default::default()
            };
            let updated = model::update(c, id, user.version, &changes, now)?.ok_or(
                ApiError::Conflict("the account changed meanwhile; try again".into()),
            )?;
            refresh::revoke_all_for_user(c, id, now)?;
            Ok::<_, ApiError>(issue_pair(c, &keys, &updated, ttl)?)
        })
        .await?;
    respond(&req, StatusCode::OK, &pair, Audience::Private)
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
