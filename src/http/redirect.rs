//! 301 answers for old slugs.

use super::ApiError;
use super::conditional::Audience;
use crate::links::encode_segment;
use crate::slugs::Lookup;
use actix_web::HttpRequest;
use actix_web::HttpResponse;
use actix_web::http::header;
use percent_encoding::percent_decode_str;

/// A 301 to the same URL with the path segment `old` replaced by `new` (query kept). Only for
/// a caller who may read the target (see [`crate::slugs::look_up`]); cached publicly for an
/// hour when the target is public, never when only the caller's token lets them see it.
pub fn moved_permanently(
    req: &HttpRequest,
    old: &str,
    new: &str,
    audience: Audience,
) -> HttpResponse {
    let path: Vec<String> = req
        .path()
        .split('/')
        .map(|segment| {
            if percent_decode_str(segment).decode_utf8_lossy() == old {
                encode_segment(new)
            } else {
                segment.to_owned()
            }
        })
        .collect();
    let mut location = path.join("/");
    if !req.query_string().is_empty() {
        location.push('?');
        location.push_str(req.query_string());
    }
    let cache_control = match audience {
        Audience::Public { .. } => "public, max-age=3600",
        Audience::Private => "private, no-store",
    };
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, cache_control))
        .finish()
}

/// Answers what a reader's reference led to: `found` through `respond`, a redirect to the
/// same URL at the current slug, or the same 404 (naming `what`) whether the resource is
/// missing or hidden.
pub fn respond_lookup<T>(
    req: &HttpRequest,
    what: &str,
    found: Lookup<T>,
    audience: Audience,
    respond: impl FnOnce(T) -> Result<HttpResponse, ApiError>,
) -> Result<HttpResponse, ApiError> {
    match found {
        Lookup::Found(value) => respond(value),
        Lookup::Moved(slug) => {
            let old = req.match_info().get("id").unwrap_or_default();
            let old = percent_decode_str(old).decode_utf8_lossy();
            Ok(moved_permanently(req, &old, &slug, audience))
        }
        Lookup::NotFound => Err(ApiError::not_found(what)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn the_old_segment_is_replaced_and_the_new_one_encoded() {
        let req = TestRequest::get()
            .uri("/api/v1/articles/old-slug/comments?page=2")
            .to_http_request();
        let response = moved_permanently(&req, "old-slug", "العالم", Audience::Private);
        assert_eq!(response.status(), 301);
        assert_eq!(
            response.headers().get(header::LOCATION).unwrap(),
            "/api/v1/articles/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85/comments?page=2"
        );
        assert_eq!(
            response.headers().get(header::CACHE_CONTROL).unwrap(),
            "private, no-store"
        );
    }
}
