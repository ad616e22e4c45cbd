//! The root of the OpenAPI document, and what is stated on the whole of it. Paths and schemas
//! are collected from the route registrations themselves (`routes`, through
//! utoipa-actix-web), so a route cannot exist undocumented.

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
        (name = "jobs", description = "Background jobs: deliveries, renditions, imports, maintenance (admins only)"),
        (name = "media", description = "The media library: photos with credits and renditions (staff only; files at unguessable URLs)"),
        (name = "pages", description = "Pages that are not articles (about us, contact, policies): nested, ordered; written by editors"),
        (name = "redirects", description = "Old links of an imported site, and where their items live now"),
        (name = "syndication", description = "RSS, Atom and JSON feeds, sitemaps and the Google News sitemap, at the public site's URLs (needs SAHIFA_PUBLIC_URL); the changes feed for static builds"),
        (name = "webhooks", description = "Signed webhooks (admins only). Events: article.published (also when a scheduled article falls due), article.updated (published articles), article.unpublished, article.deleted, article.corrected (a correction was appended), section.created/updated/deleted, page.published/updated/unpublished/deleted, comment.created (pending, for moderation tools; never the commenter's email), comment.approved, media.created/updated/deleted, and cache.purge, whose data.keys are the surrogate keys to purge (every public read carries its keys in Surrogate-Key and Cache-Tag: article-{id}, section-{id}, tag-{id}, author-{id}, page-{id}, media-{id}, and articles, sections, tags, pages, comments, feeds, sitemaps, changes for lists). A delivery is POST {id, type, timestamp, data} (data: the resource as anonymous readers see it, or {id, slug, url} once they no longer do) with the Standard Webhooks headers webhook-id (the event id, the same on every retry and replay), webhook-timestamp and webhook-signature (v1, and base64 HMAC-SHA256 of id.timestamp.body, keyed by the base64 after whsec_). Events are written in the transaction of the change (a rolled-back change sends nothing, a committed one is never lost) and sent by the job runner: 10 s timeout, no redirects followed, retries with exponential backoff and jitter for 72 hours (SAHIFA_WEBHOOKS_RETRY_FOR_SECS), at least once and in no guaranteed order (event ids increase in commit order). An endpoint failing for 5 days (SAHIFA_WEBHOOKS_DISABLE_AFTER_SECS) is disabled with its reason. URLs resolving to loopback, private, link-local or metadata addresses are refused when saved and at every delivery, unless SAHIFA_WEBHOOKS_ALLOW_PRIVATE=true"),
        (name = "events", description = "The live stream: Server-Sent Events of public article events (published, updated, unpublished, deleted, corrected), resumable with Last-Event-ID, across every instance sharing a PostgreSQL database"),
        (name = "api-keys", description = "Scoped API keys for build servers and scripts (admins only). Send `Authorization: Bearer sk_live_…`. A key acts for the admin who created it, never beyond its scopes: content:read (everything staff can read, drafts included), content:write (articles, pages, sections, tags, menus), comments:moderate (the moderation queue and moderation), media:write, webhooks:manage, admin (everything). A request outside the key's scopes is 403 scope-required; session endpoints (/auth/…) take no key. The secret is shown once, at creation; only its SHA-256 hash is kept. Every request looks the key up, so a revocation holds at once on every instance. Each key has its own rate limit (429 with Retry-After) and a last_used_at (written at most once a minute). Everything a key does is in the audit trail with its id."),
        (name = "menus", description = "Menus: named, ordered lists of links to sections, articles, pages, tags or external URLs, nested one level, for headers, footers and homepage blocks. Editors write them; anyone reads them, without links to what readers cannot see"),
        (name = "audit", description = "The audit trail (admins only): every staff write and every security event, append-only; kept SAHIFA_AUDIT_KEEP_DAYS days (365; 0 keeps it for ever)"),
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

/// The problem responses, by component name, and the status whose problem types each may
/// carry (`None`: only `about:blank`).
const PROBLEM_RESPONSES: [(&str, Option<u16>); 11] = [
    ("BadRequest", Some(400)),
    ("Unauthorized", Some(401)),
    ("Forbidden", Some(403)),
    ("NotFound", Some(404)),
    ("Conflict", Some(409)),
    ("PreconditionFailed", Some(412)),
    ("PayloadTooLarge", Some(413)),
    ("UnsupportedMediaType", Some(415)),
    ("Unprocessable", Some(422)),
    ("TooManyRequests", Some(429)),
    ("ServiceUnavailable", Some(503)),
];

/// States which problem `type`s exist and which each response may carry, so a client can
/// branch on them and a contract test can hold the server to them: the `Problem` schema's
/// `type` lists them all (with their titles in its description), and each problem response
/// narrows it to the types of its status (a 404, 413 or 415 may also be `about:blank`).
fn document_problem_types(doc: &mut serde_json::Value) {
    use crate::http::ProblemType;
    use serde_json::{Value, json};
    let types_of = |status: Option<u16>| -> Vec<Value> {
        let mut types: Vec<Value> = ProblemType::ALL
            .into_iter()
            .filter(|p| Some(p.status().as_u16()) == status)
            .map(|p| Value::from(p.uri()))
            .collect();
        // Plain HTTP errors: an unknown route, a body over the general limit, a body that
        // is not JSON.
        if matches!(status, None | Some(404 | 413 | 415)) {
            types.push(Value::from("about:blank"));
        }
        types
    };
    let Some(components) = doc.get_mut("components") else {
        return;
    };
    if let Some(kind) = components.pointer_mut("/schemas/Problem/properties/type") {
        let mut all: Vec<Value> = ProblemType::ALL
            .into_iter()
            .map(|p| Value::from(p.uri()))
            .collect();
        all.push(Value::from("about:blank"));
        kind["enum"] = Value::Array(all);
        let listing: String = ProblemType::ALL
            .into_iter()
            .map(|p| format!("\n- `{}` ({}): {}", p.uri(), p.status().as_u16(), p.title()))
            .collect();
        let description = kind["description"].as_str().unwrap_or_default().to_owned();
        kind["description"] = Value::from(format!("{description}\n\nThe types:{listing}"));
    }
    for (name, status) in PROBLEM_RESPONSES {
        let Some(content) = components.pointer_mut(&format!(
            "/responses/{name}/content/application~1problem+json"
        )) else {
            continue;
        };
        content["schema"] = json!({
            "allOf": [
                {"$ref": "#/components/schemas/Problem"},
                {"properties": {"type": {"enum": types_of(status)}}}
            ]
        });
    }
}

/// Text fields that may span lines (and passwords, which are never trimmed or judged as
/// lines); every other text field a client sends is one line.
const MULTI_LINE_FIELDS: [&str; 7] = [
    "body",
    "excerpt",
    "description",
    "caption",
    "password",
    "current_password",
    "new_password",
];

/// ECMA-262 patterns for [`crate::text::controls`]: no C0 control character but tab (one
/// line), or but tab, line feed and carriage return (several lines).
const ONE_LINE: &str = r"^[^\u0000-\u0008\u000A-\u001F]*$";
const MANY_LINES: &str = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F]*$";
/// [`ONE_LINE`] with at least one character that is not a space (what `\S` said alone).
const ONE_LINE_NOT_BLANK: &str =
    r"^[^\u0000-\u0008\u000A-\u001F]*[^\s\u0000-\u001F][^\u0000-\u0008\u000A-\u001F]*$";

/// Every string a client sends states, as a `pattern`, the control-character rule the
/// server holds it to, so a client (or a contract fuzzer) validating against the document
/// agrees with the server about every value: the properties of the schemas request bodies
/// use, and the free-text query parameters. Strings whose pattern already names their
/// letters (slugs, language tags) need nothing more; a bare `\S` ("not blank") is combined.
fn document_text_rules(doc: &mut serde_json::Value) {
    use serde_json::Value;
    let mut request_schemas = std::collections::BTreeSet::new();
    if let Some(paths) = doc["paths"].as_object_mut() {
        for operation in paths
            .values_mut()
            .filter_map(Value::as_object_mut)
            .flat_map(|item| {
                item.values_mut()
                    .filter_map(Value::as_object_mut)
                    .collect::<Vec<_>>()
            })
        {
            if let Some(body) = operation.get("requestBody") {
                collect_refs(body, &mut request_schemas);
            }
            for parameter in operation
                .get_mut("parameters")
                .and_then(Value::as_array_mut)
                .into_iter()
                .flatten()
            {
                if parameter.get("in").is_some_and(|place| place == "query")
                    && let Some(schema) = parameter.get_mut("schema")
                {
                    state_text_rule(schema, false);
                }
            }
        }
    }
    let Some(schemas) = doc
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    else {
        return;
    };
    // What those schemas refer to is sent too (an article's featured image, its tags).
    loop {
        let before = request_schemas.len();
        for name in request_schemas.clone() {
            if let Some(schema) = schemas.get(&name) {
                collect_refs(schema, &mut request_schemas);
            }
        }
        if request_schemas.len() == before {
            break;
        }
    }
    for name in &request_schemas {
        let Some(schema) = schemas.get_mut(name) else {
            continue;
        };
        state_text_rule(schema, false);
        if let Some(properties) = schema.get_mut("properties").and_then(Value::as_object_mut) {
            for (field, property) in properties {
                state_text_rule(property, MULTI_LINE_FIELDS.contains(&field.as_str()));
            }
        }
    }
}

/// Adds the control-character pattern to a string schema (and to the string items of an
/// array schema).
fn state_text_rule(schema: &mut serde_json::Value, many_lines: bool) {
    use serde_json::Value;
    if let Some(items) = schema.get_mut("items") {
        state_text_rule(items, many_lines);
    }
    let is_string = match schema.get("type") {
        Some(Value::String(t)) => t == "string",
        Some(Value::Array(types)) => types.iter().any(|t| t == "string"),
        _ => false,
    };
    if !is_string || schema.get("enum").is_some() {
        return;
    }
    let pattern = match schema.get("pattern").and_then(Value::as_str) {
        None if many_lines => MANY_LINES,
        None => ONE_LINE,
        Some(r"\S") => ONE_LINE_NOT_BLANK,
        // A pattern that lists the letters allowed already leaves control characters out.
        Some(_) => return,
    };
    schema["pattern"] = Value::from(pattern);
}

/// The names of the component schemas `value` refers to.
fn collect_refs(value: &serde_json::Value, into: &mut std::collections::BTreeSet<String>) {
    use serde_json::Value;
    match value {
        Value::Object(fields) => {
            for (key, item) in fields {
                match (key.as_str(), item) {
                    ("$ref", Value::String(target)) => {
                        if let Some(name) = target.strip_prefix("#/components/schemas/") {
                            into.insert(name.to_owned());
                        }
                    }
                    _ => collect_refs(item, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|item| collect_refs(item, into)),
        _ => {}
    }
}

/// Any request that needs the database may meet a saturated connection pool: every
/// operation but the liveness probe (which never touches it) may answer 503.
pub fn document_saturation(doc: &mut Document) {
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

/// Operations whose JSON body may be left out entirely (the server then takes its defaults):
/// utoipa marks a body optional only by making it nullable too, which it is not.
const OPTIONAL_BODIES: &[&str] = &["createArticlePreview"];

/// Marks the bodies of [`OPTIONAL_BODIES`] as not required.
pub fn document_optional_bodies(doc: &mut Document) {
    use utoipa::openapi::Required;
    for item in doc.paths.paths.values_mut() {
        let operations = [&mut item.post, &mut item.put, &mut item.patch];
        for operation in operations.into_iter().flatten() {
            let optional = operation
                .operation_id
                .as_deref()
                .is_some_and(|id| OPTIONAL_BODIES.contains(&id));
            if let (true, Some(utoipa::openapi::RefOr::T(body))) =
                (optional, operation.request_body.as_mut())
            {
                body.required = Some(Required::False);
            }
        }
    }
}

/// The document as served and committed in `openapi/openapi.json`, with the text rules
/// ([`document_text_rules`]) and the problem types ([`document_problem_types`]) stated:
/// pretty JSON with a final newline.
pub fn to_json(doc: &Document) -> String {
    let mut value = serde_json::to_value(doc).expect("the document serializes");
    document_text_rules(&mut value);
    document_problem_types(&mut value);
    let mut json = serde_json::to_string_pretty(&value).expect("the document serializes");
    json.push('\n');
    json
}
