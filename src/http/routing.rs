//! What the router cannot say by itself: whether an unmatched request names a path that
//! exists under another method (405 with `Allow`) or no path at all (404).
//!
//! The table is built from the OpenAPI document, which utoipa-actix-web collects from the very
//! registrations that build the router, so the two cannot disagree.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;

use super::error::ApiError;

/// Every documented path with the methods it answers.
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<String>)>,
}

impl RouteTable {
    /// Builds the table from `doc`, plus the undocumented routes (`extra`).
    pub fn new(doc: &OpenApi, extra: &[(&str, &[&str])]) -> Self {
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let operations = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            let methods = operations
                .iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| (*m).to_owned())
                .collect();
            routes.push((ResourceDef::new(path.as_str()), methods));
        }
        for (path, methods) in extra {
            let methods = methods.iter().map(|m| (*m).to_owned()).collect();
            routes.push((ResourceDef::new(*path), methods));
        }
        Self { routes }
    }

    /// The methods a path answers to, or `None` when no route has that path.
    fn allowed(&self, path: &str) -> Option<Vec<String>> {
        let matching: Vec<&(ResourceDef, Vec<String>)> = self
            .routes
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .collect();
        // A literal path (`/comments/bulk`) wins over a pattern that also matches it
        // (`/comments/{id}`), as in the router itself.
        let literal: Vec<&(ResourceDef, Vec<String>)> = matching
            .iter()
            .copied()
            .filter(|(def, _)| !def.pattern().is_some_and(|p| p.contains('{')))
            .collect();
        let chosen = if literal.is_empty() {
            matching
        } else {
            literal
        };
        let mut allowed: Vec<String> = chosen
            .iter()
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        allowed.sort();
        allowed.dedup();
        (!allowed.is_empty()).then_some(allowed)
    }
}

/// The default service: 405 for a known path under the wrong method, otherwise 404.
pub async fn fallback(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    let not_found = || ApiError::NoRoute(format!("no resource at {}", req.path()));
    Err(match table.allowed(req.path()) {
        // The documented path shape matched but the route did not (a non-numeric id where
        // the route wants digits): there is no such resource.
        Some(allow) if allow.iter().any(|m| m == req.method().as_str()) => not_found(),
        Some(allow) => ApiError::MethodNotAllowed { allow },
        None => not_found(),
    })
}

/// Answers `HEAD` wherever `GET` is answered (RFC 9110 §9.3.2): the request is routed as a
/// `GET`, and the HTTP/1 codec, which remembers that the request was a `HEAD`, sends the
/// headers (ETag, Content-Length …) without the body.
pub async fn head_as_get(
    mut req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    if req.method() == actix_web::http::Method::HEAD {
        req.head_mut().method = actix_web::http::Method::GET;
    }
    next.call(req).await
}
