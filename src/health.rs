//! Liveness and readiness probes.

use actix_web::{HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::Store;
use crate::http::error::{ApiError, Problem};

/// The state of the process or of its dependencies.
#[derive(Serialize, ToSchema)]
#[schema(as = HealthStatus)]
pub struct Status {
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process answers. Never touches the database.
#[utoipa::path(
    tag = "system",
    operation_id = "getHealth",
    responses((status = 200, description = "The process is alive", body = Status))
)]
#[get("/health")]
pub async fn health() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(Status { status: "ok" })
}

/// Readiness: the database answers a query.
#[utoipa::path(
    tag = "system",
    operation_id = "getReady",
    responses(
        (status = 200, description = "The database answers", body = Status),
        (status = 503, description = "The database does not answer", body = Problem,
            content_type = "application/problem+json",
            headers(("Retry-After" = u32, description = "Seconds to wait before asking again")))
    )
)]
#[get("/ready")]
pub async fn ready(store: web::Data<Store>) -> Result<HttpResponse, ApiError> {
    if store.ping().await {
        Ok(HttpResponse::Ok()
            .insert_header(("Cache-Control", "no-store"))
            .json(Status { status: "ready" }))
    } else {
        Err(ApiError::Unavailable {
            retry_after_secs: 5,
        })
    }
}
