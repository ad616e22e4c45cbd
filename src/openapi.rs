//! The root of the OpenAPI document. Paths and schemas are collected from the route
//! registrations themselves (utoipa-actix-web), so a route cannot exist undocumented.

use utoipa::openapi::OpenApi as Document;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::docs::*;
use crate::http::error::Problem;

/// The name of the bearer security scheme in the document.
pub const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sahifa",
        description = "A headless CMS for news publishers: sections, articles and comments as \
JSON, with Arabic as a first-class language.\n\nErrors are RFC 9457 problem documents \
(`application/problem+json`). Lists are paginated with `page`/`per_page` and an RFC 8288 `Link` \
header. Writes need a bearer token from `POST /api/v1/auth/login`.",
        license(name = "MIT", identifier = "MIT")
    ),
    servers((url = "/", description = "The server that serves this document")),
    tags(
        (name = "auth", description = "Logging in and out, token refresh, one's own account"),
        (name = "users", description = "Staff accounts and roles (admins only)"),
        (name = "articles", description = "The content: written by staff, read by everyone once published"),
        (name = "sections", description = "How articles are organised; nested, ordered"),
        (name = "tags", description = "Labels shared between articles"),
        (name = "comments", description = "Readers' comments: public reading and submission"),
        (name = "moderation", description = "The comment moderation queue (editors and admins)"),
        (name = "system", description = "Liveness and readiness, for load balancers and orchestrators"),
    ),
    components(
        schemas(Problem),
        responses(
            BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed,
            PayloadTooLarge, UnsupportedMediaType, Unprocessable, TooManyRequests,
            ServiceUnavailable
        )
    ),
    modifiers(&BearerScheme)
)]
struct RootDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            BEARER,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from `POST /api/v1/auth/login` or `/auth/refresh`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document's root: info, servers, tags and the security scheme, without paths.
pub fn root() -> Document {
    RootDoc::openapi()
}

/// The whole document, as the running server serves it.
pub fn document() -> Document {
    let mut doc = crate::startup::routed_app().1;
    document_saturation(&mut doc);
    doc
}

/// Any request that needs the database may meet a saturated connection pool: every
/// operation but the liveness probe (which never touches it) may answer 503.
fn document_saturation(doc: &mut Document) {
    use utoipa::openapi::{Ref, RefOr};
    for (path, item) in doc.paths.paths.iter_mut() {
        if path == "/health" {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .entry("503".into())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("ServiceUnavailable")));
        }
    }
}

/// The document as committed in `openapi/openapi.json`: pretty JSON with a final newline.
pub fn to_json(doc: &Document) -> String {
    let mut json = doc.to_pretty_json().expect("the document serializes");
    json.push('\n');
    json
}
