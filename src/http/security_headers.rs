//! Headers that tell browsers how far to trust a response.
//!
//! - `X-Content-Type-Options: nosniff` on every response: a browser must never guess a type
//!   other than the one declared (a JSON body with HTML in a field, sniffed as a page, would
//!   run its scripts).
//! - A restrictive `Content-Security-Policy` on the interactive documentation under `/docs`,
//!   the only HTML Sahifa serves: its scripts, styles and data come from this server alone,
//!   nothing may frame it, and no plugin or inline script runs. Swagger UI needs inline
//!   styles (it sets `style` attributes) and `data:` images (its icons).

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::Next;

/// The policy of the documentation pages.
pub const DOCS_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
    connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
    frame-ancestors 'none'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let is_docs = req.path() == "/docs" || req.path().starts_with("/docs/");
    let mut response = next.call(req).await?;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if is_docs {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(DOCS_POLICY),
        );
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    Ok(response)
}
