//! Logging: the tracing subscriber, and the middleware that gives every request an id, a span
//! and one summary line.
//!
//! What is logged per request is method, path, status and latency — never headers, query
//! strings or bodies, so tokens, passwords and commenters' emails cannot reach a log line.

use std::io::IsTerminal;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

use actix_web::web;

use crate::config::LogFormat;
use crate::metrics::Metrics;

/// The header that carries the request id in both directions.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Installs the global subscriber. Fails when `filter` is not a valid `RUST_LOG` directive.
pub fn init(filter: &str, format: LogFormat) -> Result<(), String> {
    let filter = EnvFilter::try_new(filter).map_err(|e| e.to_string())?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
    };
    result.map_err(|e| e.to_string())
}

/// Takes the caller's `X-Request-Id` when it is a sane token (so ids can be followed across
/// services), otherwise makes one; runs the request inside a span carrying it; echoes it on the
/// response; logs one line when the response is ready.
pub async fn request_context(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&REQUEST_ID)
        .filter(|v| is_acceptable_id(v.as_bytes()))
        .cloned()
        .unwrap_or_else(|| {
            HeaderValue::from_str(&uuid::Uuid::new_v4().to_string())
                .expect("a UUID is a valid header value")
        });
    req.headers_mut().insert(REQUEST_ID, id.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %id.to_str().unwrap_or_default(),
        method = %bounded(req.method().as_str()),
        path = %bounded(req.path()),
    );
    let started = Instant::now();
    let method = known_method(req.method());
    let mut response = next.call(req).instrument(span.clone()).await?;
    response.headers_mut().insert(REQUEST_ID, id);
    let status = response.status().as_u16();
    let elapsed = started.elapsed();
    let micros = elapsed.as_micros() as u64;
    if let Some(metrics) = response.request().app_data::<web::Data<Metrics>>() {
        let route = response.request().match_pattern();
        metrics.observe(
            method,
            route.as_deref().unwrap_or("unmatched"),
            status,
            elapsed.as_secs_f64(),
        );
    }
    span.in_scope(|| {
        tracing::info!(status, latency_us = micros, "request finished");
    });
    Ok(response)
}

/// The method as a metrics label: one of the methods the server knows, or `OTHER`. Clients
/// may send any token as a method (a 60 KB one is legal HTTP), and every distinct label value
/// is a time series kept for the life of the process.
fn known_method(method: &Method) -> &'static str {
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    KNOWN
        .iter()
        .find(|known| *known == method)
        .map_or("OTHER", |known| known.as_str())
}

/// The longest method or path a log line carries, in bytes; longer ones are cut and marked.
const MAX_LOGGED: usize = 256;

/// Client-chosen text (the method, the path) cut to [`MAX_LOGGED`] bytes for the log, at a
/// character boundary.
fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_LOGGED {
        return text.into();
    }
    let mut end = MAX_LOGGED;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…({} bytes)", &text[..end], text.len()).into()
}

/// Ids from outside are accepted only when short and made of URL-safe characters, so a
/// hostile value cannot forge log lines or bloat them.
fn is_acceptable_id(raw: &[u8]) -> bool {
    (1..=128).contains(&raw.len())
        && raw
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invented_methods_are_one_label_and_long_text_is_cut_for_the_log() {
        assert_eq!(known_method(&Method::PATCH), "PATCH");
        let invented = Method::from_bytes("M".repeat(60_000).as_bytes()).unwrap();
        assert_eq!(known_method(&invented), "OTHER");
        assert_eq!(bounded("/api/v1/articles"), "/api/v1/articles");
        let long = "ع".repeat(1000);
        let cut = bounded(&long);
        assert!(cut.len() < MAX_LOGGED + 32, "{cut}");
        assert!(cut.ends_with("…(2000 bytes)"), "{cut}");
    }

    #[test]
    fn request_ids_from_outside_must_be_short_and_plain() {
        assert!(is_acceptable_id(b"3f2b9c1e-req.42:a_b"));
        assert!(!is_acceptable_id(b""));
        assert!(!is_acceptable_id(b"id with spaces"));
        assert!(!is_acceptable_id(b"line\nbreak"));
        assert!(!is_acceptable_id(&[b'a'; 129]));
    }
}
