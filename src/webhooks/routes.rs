//! `/api/v1/webhooks`: webhook endpoints, their delivery log and replays, for admins.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};

use super::dto::{
    CreateEndpoint, Delivery, DeliveryDetail, DeliveryFilters, Endpoint, EndpointWithSecret,
    ReplayFailed, Replayed, UpdateEndpoint,
};
use super::{guard, operations};
use crate::config::Settings;
use crate::db::Store;
use crate::http::auth::AdminOnly;
use crate::http::cache::readers_unaffected;
use crate::http::conditional::{Audience, IfMatch, IfMatchHeader, created, respond};
use crate::http::docs::*;
use crate::http::pagination::{PageParams, Paginated, respond_page};
use crate::http::problem_types::ProblemType;
use crate::http::{ApiError, JsonBody};

/// Webhook endpoints, oldest first (secrets are never listed).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhooks",
    security(("bearer" = [])),
    params(PageParams),
    responses(
        (status = 200, description = "A page of endpoints", body = Paginated<Endpoint>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    req: HttpRequest,
    _admin: AdminOnly,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let page = params.into_inner().page()?;
    let endpoints = store.query(move |c| operations::list(c, page)).await?;
    respond_page(&req, page, endpoints, Audience::Private)
}

/// Register an endpoint. The answer holds its signing `secret`, shown this once.
///
/// Every event the endpoint subscribes to is POSTed to it as JSON, signed as the Standard
/// Webhooks specification says (`webhook-id`, `webhook-timestamp`, `webhook-signature`).
/// Retried with exponential backoff and jitter for `SAHIFA_WEBHOOKS_RETRY_FOR_SECS` (three
/// days by default); delivered at least once, in no guaranteed order.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "createWebhook",
    security(("bearer" = [])),
    request_body = CreateEndpoint,
    responses(
        (status = 201, description = "Created, with its secret", body = EndpointWithSecret,
            headers(("Location" = String), ("ETag" = String))),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    req: HttpRequest,
    _admin: AdminOnly,
    body: JsonBody<CreateEndpoint>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let input = body.validated().await?;
    operations::check_events(&input.events)?;
    admitted(&input.url, &settings).await?;
    let endpoint = store
        .write(move |c| operations::create(c, &input, crate::time::now()))
        .await?;
    let location = format!("/api/v1/webhooks/{}", endpoint.endpoint.id);
    Ok(readers_unaffected(created(&req, &endpoint, &location)?))
}

/// One endpoint (without its secret).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhook",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id")),
    responses(
        (status = 200, description = "The endpoint", body = Endpoint, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/webhooks/{id:\\d+}")]
pub async fn get_webhook(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let endpoint = store.run(move |c| operations::get(c, id)).await?;
    respond(&req, StatusCode::OK, &endpoint, Audience::Private)
}

/// Change an endpoint. Setting a disabled endpoint `active` again clears `disabled_reason`.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "updateWebhook",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id"), IfMatchHeader),
    request_body = UpdateEndpoint,
    responses(
        (status = 200, description = "Updated", body = Endpoint, headers(("ETag" = String))),
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
#[patch("/webhooks/{id:\\d+}")]
pub async fn update_webhook(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    if_match: IfMatch,
    body: JsonBody<UpdateEndpoint>,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let input = body.validated().await?;
    if let Some(events) = &input.events {
        operations::check_events(events)?;
    }
    if let Some(url) = &input.url {
        admitted(url, &settings).await?;
    }
    let endpoint = store
        .write(move |c| operations::update(c, id, &input, &if_match, crate::time::now()))
        .await?;
    Ok(readers_unaffected(respond(
        &req,
        StatusCode::OK,
        &endpoint,
        Audience::Private,
    )?))
}

/// Delete an endpoint, with its delivery log. Pending deliveries are dropped.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "deleteWebhook",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id"), IfMatchHeader),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 412, response = PreconditionFailed),
    )
)]
#[delete("/webhooks/{id:\\d+}")]
pub async fn delete_webhook(
    _admin: AdminOnly,
    id: web::Path<i64>,
    if_match: IfMatch,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    store
        .write(move |c| operations::delete(c, id, &if_match))
        .await?;
    Ok(readers_unaffected(HttpResponse::NoContent().finish()))
}

/// Rotate the signing secret. The answer holds the new one; the previous one keeps signing
/// too (a second `v1,` signature) for 24 hours, so receivers can switch without a gap.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "rotateWebhookSecret",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id")),
    responses(
        (status = 200, description = "The endpoint with its new secret", body = EndpointWithSecret),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[post("/webhooks/{id:\\d+}/secret")]
pub async fn rotate_webhook_secret(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let endpoint = store
        .write(move |c| operations::rotate_secret(c, id, crate::time::now()))
        .await?;
    Ok(readers_unaffected(respond(
        &req,
        StatusCode::OK,
        &endpoint,
        Audience::Private,
    )?))
}

/// An endpoint's delivery log, newest first: each delivery's state, attempts, last status,
/// latency and answer excerpt.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "listWebhookDeliveries",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id"), DeliveryFilters, PageParams),
    responses(
        (status = 200, description = "A page of deliveries", body = Paginated<Delivery>,
            headers(("Link" = String, description = "RFC 8288 links: first, prev, next, last"),
                    ("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    )
)]
#[get("/webhooks/{id:\\d+}/deliveries")]
pub async fn list_webhook_deliveries(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    filters: web::Query<DeliveryFilters>,
    params: web::Query<PageParams>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let page = params.into_inner().page()?;
    let filters = filters.into_inner();
    let deliveries = store
        .run(move |c| operations::list_deliveries(c, id, &filters, page))
        .await?;
    respond_page(&req, page, deliveries, Audience::Private)
}

/// One delivery, with every attempt.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "getWebhookDelivery",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Endpoint id"),
        ("delivery" = i64, Path, description = "Delivery id"),
    ),
    responses(
        (status = 200, description = "The delivery", body = DeliveryDetail, headers(("ETag" = String))),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
    )
)]
#[get("/webhooks/{id:\\d+}/deliveries/{delivery:\\d+}")]
pub async fn get_webhook_delivery(
    req: HttpRequest,
    _admin: AdminOnly,
    path: web::Path<(i64, i64)>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let detail = store
        .run(move |c| operations::get_delivery(c, id, delivery))
        .await?;
    respond(&req, StatusCode::OK, &detail, Audience::Private)
}

/// Send a delivery's event again, as a new delivery with the same event id.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "replayWebhookDelivery",
    security(("bearer" = [])),
    params(
        ("id" = i64, Path, description = "Endpoint id"),
        ("delivery" = i64, Path, description = "Delivery id"),
    ),
    responses(
        (status = 202, description = "Queued", body = Delivery),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
    )
)]
#[post("/webhooks/{id:\\d+}/deliveries/{delivery:\\d+}/replay")]
pub async fn replay_webhook_delivery(
    req: HttpRequest,
    _admin: AdminOnly,
    path: web::Path<(i64, i64)>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let (id, delivery) = path.into_inner();
    let queued = store
        .write(move |c| operations::replay(c, id, delivery, crate::time::now()))
        .await?;
    Ok(readers_unaffected(respond(
        &req,
        StatusCode::ACCEPTED,
        &queued,
        Audience::Private,
    )?))
}

/// Send again every failed delivery of the endpoint created at or after `since`, and every
/// event since then it subscribes to but missed while it was inactive (disabled or switched
/// off): the way to recover after a receiver's outage.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "replayFailedWebhookDeliveries",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "Endpoint id")),
    request_body = ReplayFailed,
    responses(
        (status = 202, description = "Queued", body = Replayed),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
    )
)]
#[post("/webhooks/{id:\\d+}/replay")]
pub async fn replay_failed_webhook_deliveries(
    req: HttpRequest,
    _admin: AdminOnly,
    id: web::Path<i64>,
    body: JsonBody<ReplayFailed>,
    store: web::Data<Store>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    let since = body.validated().await?.since.naive();
    let replayed = store
        .write(move |c| operations::replay_failed(c, id, since, crate::time::now()))
        .await?;
    Ok(readers_unaffected(respond(
        &req,
        StatusCode::ACCEPTED,
        &Replayed { replayed },
        Audience::Private,
    )?))
}

/// A URL the guard lets endpoints use, or the problem saying why not (judged after the rest
/// of the body, so a body with several faults is refused for its shape first).
async fn admitted(url: &str, settings: &Settings) -> Result<(), ApiError> {
    guard::admit(url, settings.webhooks.allow_private)
        .await
        .map(|_| ())
        .map_err(|refusal| ApiError::Typed(ProblemType::WebhookAddressRefused, refusal))
}

/// Registers this slice's routes (each one lands in the OpenAPI document).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_webhooks)
        .service(create_webhook)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_webhook_secret)
        .service(list_webhook_deliveries)
        .service(get_webhook_delivery)
        .service(replay_webhook_delivery)
        .service(replay_failed_webhook_deliveries);
}
