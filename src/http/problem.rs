//! The safety net that makes every error response a problem document.
//!
//! Handlers already answer with [`ApiError`](super::ApiError) problems. This middleware
//! catches the rest: errors raised by middleware (CORS), the router's own 404/405, and anything
//! that produced an error status with another body. Nothing leaves the server as an HTML or
//! plain-text error page.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

use super::error::{PROBLEM_JSON, Problem};

pub async fn problem_middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    // Handlers' errors arrive here already rendered as responses, and the CORS middleware
    // inside this one answers refusals with responses too; an `Err` cannot be rendered here
    // (holding a clone of the request would break routing), so it passes through.
    let response = next.call(req).await?.map_into_boxed_body();
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if !(status.is_client_error() || status.is_server_error()) || is_problem {
        return Ok(response);
    }
    let detail = match status.as_u16() {
        500..=599 => "An unexpected error occurred; it has been logged.".to_owned(),
        _ => response
            .response()
            .error()
            .map(ToString::to_string)
            .filter(|d| !d.is_empty())
            .unwrap_or_else(|| status.canonical_reason().unwrap_or("Error").to_owned()),
    };
    if status.is_server_error()
        && let Some(error) = response.response().error()
    {
        tracing::error!(error = %error, "unhandled server error");
    }
    let (request, old) = response.into_parts();
    let mut new: HttpResponse = Problem::new(status, detail).into_response();
    // Keep the headers that carry meaning (Allow, WWW-Authenticate, Retry-After, CORS).
    for (name, value) in old.headers() {
        let replaced = [
            header::CONTENT_TYPE,
            header::CONTENT_LENGTH,
            header::CACHE_CONTROL,
        ];
        if !replaced.contains(name) {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(request, new))
}
