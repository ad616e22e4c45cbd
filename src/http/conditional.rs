//! HTTP caching and lost-update protection: strong ETags, `If-None-Match` → 304,
//! `Cache-Control` by audience, and `If-Match` preconditions for writes.

use actix_web::dev::Payload;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::{FromRequest, HttpRequest, HttpResponse};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::problem_types::ProblemType;

/// Who may keep a copy of a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone (browsers, CDNs) for this many seconds.
    Public { max_age: u64 },
    /// The response depends on the caller's token: nobody may store it.
    Private,
}

impl Audience {
    fn cache_control(self) -> String {
        match self {
            Self::Public { max_age } => format!("public, max-age={max_age}"),
            Self::Private => "private, no-store".to_owned(),
        }
    }
}

/// A strong ETag over the exact bytes of a representation (128 bits of SHA-256), so equal
/// bodies have equal tags on every instance and across restarts.
pub fn etag_of(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!(
        "\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..16])
    )
}

/// The ETag a resource would be served with.
pub fn etag_for<T: Serialize>(value: &T) -> Result<String, ApiError> {
    let bytes = serde_json::to_vec(value).map_err(ApiError::internal)?;
    Ok(etag_of(&bytes))
}

/// Serializes `value` as the response body with its ETag and cache policy, or answers 304
/// when the request's `If-None-Match` already names that ETag.
pub fn respond<T: Serialize>(
    req: &HttpRequest,
    status: StatusCode,
    value: &T,
    audience: Audience,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    Ok(respond_bytes(req, status, body, audience))
}

/// A 201 for a new resource: its representation (private: only its writer sees it yet) and
/// its `Location`.
pub fn created<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    location: &str,
) -> Result<HttpResponse, ApiError> {
    let mut response = respond(req, StatusCode::CREATED, value, Audience::Private)?;
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}

/// [`respond`] for a body that is already serialized JSON.
pub fn respond_bytes(
    req: &HttpRequest,
    status: StatusCode,
    body: Vec<u8>,
    audience: Audience,
) -> HttpResponse {
    respond_as(req, status, body, "application/json", audience)
}

/// [`respond_bytes`] for a body of another type (feeds, sitemaps).
pub fn respond_as(
    req: &HttpRequest,
    status: StatusCode,
    body: Vec<u8>,
    content_type: &str,
    audience: Audience,
) -> HttpResponse {
    let etag = etag_of(&body);
    let cache_control = audience.cache_control();
    let is_read = matches!(*req.method(), Method::GET | Method::HEAD);
    if is_read && status == StatusCode::OK && none_match(req, &etag) {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, cache_control))
            .finish();
    }
    HttpResponse::build(status)
        .content_type(content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .body(body)
}

/// True when `If-None-Match` lists `etag` (weak comparison, as RFC 9110 prescribes here) or `*`.
fn none_match(req: &HttpRequest, etag: &str) -> bool {
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    req.headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| tag.trim() == "*" || opaque(tag) == etag)
}

/// The `If-Match` precondition of a write. A malformed header is reported (400) when the
/// handler checks it, after the caller's right to write has been established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IfMatch {
    /// No header: the write is unconditional.
    Absent,
    /// `*`: the resource must exist.
    Any,
    /// The resource's current ETag must be one of these (strong comparison).
    Tags(Vec<String>),
    /// The header could not be read; the message says why.
    Malformed(String),
}

impl IfMatch {
    /// Fails with 412 unless `current` satisfies the precondition (400 when malformed).
    pub fn check(&self, current: &str) -> Result<(), ApiError> {
        match self {
            Self::Absent | Self::Any => Ok(()),
            Self::Tags(tags) if tags.iter().any(|t| t == current) => Ok(()),
            Self::Tags(_) => Err(ApiError::PreconditionFailed),
            Self::Malformed(message) => Err(ApiError::BadRequest(
                ProblemType::InvalidHeader,
                message.clone(),
            )),
        }
    }

    /// Fails with 412 unless the value's ETag satisfies the precondition.
    pub fn check_value<T: Serialize>(&self, value: &T) -> Result<(), ApiError> {
        match self {
            Self::Absent | Self::Any => Ok(()),
            Self::Tags(_) => self.check(&etag_for(value)?),
            Self::Malformed(_) => self.check(""),
        }
    }

    fn parse(values: Vec<&HeaderValue>) -> Result<Self, ApiError> {
        if values.is_empty() {
            return Ok(Self::Absent);
        }
        let mut tags = Vec::new();
        for value in values {
            let text = value.to_str().map_err(|_| {
                ApiError::BadRequest(
                    ProblemType::InvalidHeader,
                    "If-Match is not valid text".into(),
                )
            })?;
            if text.trim() == "*" {
                return Ok(Self::Any);
            }
            tags.extend(entity_tags(text)?);
        }
        Ok(Self::Tags(tags))
    }
}

/// The strong entity tags of a list such as `"a", W/"b", "c,d"` (RFC 9110 §8.8.3: a quoted
/// tag may contain commas). Weak tags never match under `If-Match`'s strong comparison, so
/// they are dropped.
fn entity_tags(text: &str) -> Result<Vec<String>, ApiError> {
    let malformed = || {
        ApiError::BadRequest(
            ProblemType::InvalidHeader,
            format!("If-Match must be `*` or a list of quoted entity tags, got `{text}`"),
        )
    };
    let mut tags = Vec::new();
    let mut rest = text.trim_start_matches([' ', '\t', ',']);
    while !rest.is_empty() {
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(after) => (true, after),
            None => (false, rest),
        };
        let inner = quoted.strip_prefix('"').ok_or_else(malformed)?;
        let close = inner.find('"').ok_or_else(malformed)?;
        if !weak {
            tags.push(format!("\"{}\"", &inner[..close]));
        }
        rest = inner[close + 1..].trim_start_matches([' ', '\t']);
        if !rest.is_empty() {
            rest = rest.strip_prefix(',').ok_or_else(malformed)?;
            rest = rest.trim_start_matches([' ', '\t', ',']);
        }
    }
    Ok(tags)
}

/// The `If-Match` request header, for the OpenAPI document: optional, never `null`.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)] // Describes a header; the `IfMatch` extractor reads it.
pub struct IfMatchHeader {
    /// The ETag of the version you last read. When the resource changed since, the answer is
    /// 412 and nothing is written. Without it the write is unconditional.
    #[param(
        rename = "If-Match",
        required = false,
        example = "\"3q2-7w6Yh8aXbQ0eC2vLkA\""
    )]
    if_match: String,
}

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::parse(
            req.headers().get_all(header::IF_MATCH).collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_compares_strongly_and_parses_lists() {
        let parse = |v: &str| IfMatch::parse(vec![&HeaderValue::from_str(v).unwrap()]);
        assert_eq!(parse("*").unwrap(), IfMatch::Any);
        let tags = parse("\"a\", W/\"b\", \"c\"").unwrap();
        assert!(tags.check("\"a\"").is_ok());
        assert!(tags.check("\"c\"").is_ok());
        assert!(tags.check("\"b\"").is_err(), "weak tags never match");
        assert!(parse("abc").is_err());
        assert!(parse("\"unclosed").is_err());
        assert_eq!(
            parse("\"a,b\"").unwrap(),
            IfMatch::Tags(vec!["\"a,b\"".into()])
        );
        assert_eq!(IfMatch::parse(vec![]).unwrap(), IfMatch::Absent);
    }

    #[test]
    fn etags_are_quoted_and_depend_on_every_byte() {
        let a = etag_of(b"{\"id\":1}");
        assert!(a.starts_with('"') && a.ends_with('"'));
        assert_ne!(a, etag_of(b"{\"id\":2}"));
        assert_eq!(a, etag_of(b"{\"id\":1}"));
    }
}
