//! `/api/v1/api-keys`: scoped API keys, for admins.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};

use super::dto::{ApiKey, ApiKeyWithSecret, CreateApiKey};
use super::operations;
use crate::config::Settings;
use crate::db::Store;
use crate::http::auth::AdminOnly;
use crate::http::cache::readers_unaffected;
use crate::http::conditional::{Audience, created, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};
use crate::http::{ApiError, JsonBody};

/// API keys, newest first (never their secrets).
#[utoipa::path(
    tag = "api-keys",
    operation_id = "listApiKeys",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of keys", body = Paginated<ApiKey>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 429, response = TooManyRequests),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/api-keys")]
pub async fn list_api_keys(
    req: HttpRequest,
    _admin: AdminOnly,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let keys = store.run(move |c| operations::list(c, page)).await?;
    respond_page(&req, page, keys, Audience::Private)
}

/// Create a key. The answer is the only one that holds its `secret`: only a hash is kept.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "createApiKey",
    security(("bearer" = [])),
    request_body = CreateApiKey,
    responses(
        (status = 201, description = "Created; the secret is shown this once", body = ApiKeyWithSecret,
            headers(("Location" = String), ("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    )
)]
#[post("/api-keys")]
pub async fn create_api_key(
    req: HttpRequest,
    admin: AdminOnly,
    body: JsonBody<CreateApiKey>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let input = body.validated().await?;
    let default_limit = settings.api_key_rate_limit;
    let key = store
        .write(move |c| operations::create(c, &admin.0, &input, default_limit, crate::time::now()))
        .await?;
    let location = format!("/api/v1/api-keys/{}", key.key.id);
    Ok(readers_unaffected(created(&req, &key, &location)?))
}

/// One key (without its secret).
#[utoipa::path(
    tag = "api-keys",
    operation_id = "getApiKey",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Key id")),
    responses(
        (status = 200, description = "The key", body = ApiKey, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 429, response = TooManyRequests),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/api-keys/{id:\\d+}")]
pub async fn get_api_key(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let key = store.run(move |c| operations::get(c, id)).await?;
    respond(
        &req,
        actix_web::http::StatusCode::OK,
        &key,
        Audience::Private,
    )
}

/// Revoke a key: every instance refuses it from the next request on. The key stays listed,
/// with `revoked_at`, for the record.
#[utoipa::path(
    tag = "api-keys",
    operation_id = "revokeApiKey",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Key id")),
    responses(
        (status = 200, description = "Revoked", body = ApiKey),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 429, response = TooManyRequests),
    )
)]
#[delete("/api-keys/{id:\\d+}")]
pub async fn revoke_api_key(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let key = store
        .write(move |c| operations::revoke(c, id, crate::time::now()))
        .await?;
    Ok(readers_unaffected(respond(
        &req,
        actix_web::http::StatusCode::OK,
        &key,
        Audience::Private,
    )?))
}

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_api_keys)
        .service(create_api_key)
        .service(get_api_key)
        .service(revoke_api_key);
}
