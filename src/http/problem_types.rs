//! The problems a client can branch on: each has a stable `type` URI, a title and a status.
//!
//! A client tells a taken slug from a section that still has articles (both 409) by the
//! problem's `type`, never by parsing its `detail`. The URIs are references relative to the
//! server (`/problems/slug-taken`), where each is described ([`page`]); the OpenAPI document
//! lists them on the `Problem` schema, and `docs/problems.md` is generated from this list.
//! Plain HTTP errors that say everything by their status keep `about:blank`: 404 for an
//! unknown route, 405, 413, 415.

use actix_web::ResponseError;
use actix_web::http::StatusCode;

/// Every problem type, in the order of their status codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemType {
    MalformedBody,
    InvalidQuery,
    InvalidHeader,
    AuthenticationRequired,
    InvalidToken,
    WrongCredentials,
    InvalidRefreshToken,
    RefreshTokenReused,
    RoleRequired,
    WorkflowForbidden,
    NotFound,
    BodyTimeout,
    UploadTooLarge,
    UnsupportedImage,
    SlugTaken,
    EmailTaken,
    SectionNotEmpty,
    PageHasSubpages,
    CommentsClosed,
    OwnAccount,
    UserHasContent,
    EditConflict,
    JobRunning,
    MediaInUse,
    EventExpired,
    Conflict,
    PreconditionFailed,
    ValidationFailed,
    InvalidImage,
    ImageTooLarge,
    WebhookAddressRefused,
    ScopeRequired,
    InvalidPreviewToken,
    NotPublished,
    RateLimited,
    Unavailable,
    Internal,
}

impl ProblemType {
    pub const ALL: [Self; 37] = [
        Self::MalformedBody,
        Self::InvalidQuery,
        Self::InvalidHeader,
        Self::AuthenticationRequired,
        Self::InvalidToken,
        Self::WrongCredentials,
        Self::InvalidRefreshToken,
        Self::RefreshTokenReused,
        Self::RoleRequired,
        Self::WorkflowForbidden,
        Self::NotFound,
        Self::BodyTimeout,
        Self::UploadTooLarge,
        Self::UnsupportedImage,
        Self::SlugTaken,
        Self::EmailTaken,
        Self::SectionNotEmpty,
        Self::PageHasSubpages,
        Self::CommentsClosed,
        Self::OwnAccount,
        Self::UserHasContent,
        Self::EditConflict,
        Self::JobRunning,
        Self::MediaInUse,
        Self::EventExpired,
        Self::Conflict,
        Self::PreconditionFailed,
        Self::ValidationFailed,
        Self::InvalidImage,
        Self::ImageTooLarge,
        Self::WebhookAddressRefused,
        Self::ScopeRequired,
        Self::InvalidPreviewToken,
        Self::NotPublished,
        Self::RateLimited,
        Self::Unavailable,
        Self::Internal,
    ];

    /// The last part of the type URI: stable, never reused for another meaning.
    pub fn slug(self) -> &'static str {
        self.describe().0
    }

    /// The `type` member: a URI reference to this problem's description on the server.
    pub fn uri(self) -> String {
        format!("{PREFIX}{}", self.slug())
    }

    /// The `title` member: the same for every occurrence of the type.
    pub fn title(self) -> &'static str {
        self.describe().1
    }

    pub fn status(self) -> StatusCode {
        self.describe().2
    }

    /// When it happens and what a client should do, for the documentation.
    pub fn description(self) -> &'static str {
        self.describe().3
    }

    /// The type a `type` URI names.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.slug() == slug)
    }

    fn describe(self) -> (&'static str, &'static str, StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            Self::MalformedBody => (
                "malformed-body",
                "Malformed request body",
                S::BAD_REQUEST,
                "The body is not JSON at all, is empty, repeats a key in an object, or could not \
                 be read. Fix the client; retrying the same body fails the same way.",
            ),
            Self::InvalidQuery => (
                "invalid-query",
                "Invalid query parameter",
                S::BAD_REQUEST,
                "A query parameter cannot be parsed or is out of its bounds; `errors` names it.",
            ),
            Self::InvalidHeader => (
                "invalid-header",
                "Invalid request header",
                S::BAD_REQUEST,
                "A request header that the operation reads (`If-Match`) is malformed.",
            ),
            Self::AuthenticationRequired => (
                "authentication-required",
                "Authentication required",
                S::UNAUTHORIZED,
                "The operation needs a bearer token and none was sent. Log in \
                 (`POST /api/v1/auth/login`) and send `Authorization: Bearer <access token>`.",
            ),
            Self::InvalidToken => (
                "invalid-token",
                "Invalid token",
                S::UNAUTHORIZED,
                "The `Authorization` header is not `Bearer <token>`, or the token is malformed, \
                 expired or revoked (a role or password change ends every session). Refresh it \
                 or log in again. A wrong token is never treated as anonymous.",
            ),
            Self::WrongCredentials => (
                "wrong-credentials",
                "Wrong email or password",
                S::UNAUTHORIZED,
                "The email and password do not match an active account. Which of the two was \
                 wrong is not said.",
            ),
            Self::InvalidRefreshToken => (
                "invalid-refresh-token",
                "Invalid refresh token",
                S::UNAUTHORIZED,
                "The refresh token is unknown, expired or revoked: log in again.",
            ),
            Self::RefreshTokenReused => (
                "refresh-token-reused",
                "Refresh token reused",
                S::UNAUTHORIZED,
                "A refresh token was presented a second time, which happens when one was \
                 stolen: the whole session is revoked. Log in again.",
            ),
            Self::RoleRequired => (
                "role-required",
                "Role required",
                S::FORBIDDEN,
                "The caller's role does not allow this operation; `detail` names the role \
                 needed.",
            ),
            Self::WorkflowForbidden => (
                "workflow-forbidden",
                "Not allowed by the editorial workflow",
                S::FORBIDDEN,
                "The role allows the operation in general, but not on this resource or to this \
                 status: authors write and submit their own drafts; editors publish, archive \
                 and change the work of others.",
            ),
            Self::NotFound => (
                "not-found",
                "Not found",
                S::NOT_FOUND,
                "No such resource, or one the caller may not see (unpublished work is not \
                 found for readers, whatever its status).",
            ),
            Self::BodyTimeout => (
                "body-timeout",
                "Request body timeout",
                S::REQUEST_TIMEOUT,
                "The request body did not arrive in time, or arrived slowly while too many \
                 others did; the connection is closed. Retry on a new connection.",
            ),
            Self::UploadTooLarge => (
                "upload-too-large",
                "Upload too large",
                S::PAYLOAD_TOO_LARGE,
                "The uploaded file is larger than `SAHIFA_MEDIA_MAX_BYTES` (20 MiB by default); \
                 `detail` gives the limit. Nothing was stored.",
            ),
            Self::UnsupportedImage => (
                "unsupported-image",
                "Unsupported image type",
                S::UNSUPPORTED_MEDIA_TYPE,
                "The uploaded bytes are not a JPEG, PNG, WebP or GIF image. The type is judged \
                 from the content, never from the file name or `Content-Type`; SVG is refused \
                 (it can carry scripts). Nothing was stored.",
            ),
            Self::SlugTaken => (
                "slug-taken",
                "Slug taken",
                S::CONFLICT,
                "Another resource of the same kind already has the slug given explicitly. \
                 Choose another, or omit it to have one generated.",
            ),
            Self::EmailTaken => (
                "email-taken",
                "Email taken",
                S::CONFLICT,
                "Another staff account already has this email (compared case-insensitively).",
            ),
            Self::SectionNotEmpty => (
                "section-not-empty",
                "Section not empty",
                S::CONFLICT,
                "The section still has articles or subsections: move or delete them first.",
            ),
            Self::PageHasSubpages => (
                "page-has-subpages",
                "Page has subpages",
                S::CONFLICT,
                "The page still has pages inside it: move or delete them first.",
            ),
            Self::CommentsClosed => (
                "comments-closed",
                "Comments closed",
                S::CONFLICT,
                "The article does not take comments.",
            ),
            Self::OwnAccount => (
                "own-account",
                "Own account protected",
                S::CONFLICT,
                "Admins cannot demote, deactivate or delete themselves, so a newsroom always \
                 keeps an admin: ask another admin.",
            ),
            Self::UserHasContent => (
                "user-has-content",
                "User still authors content",
                S::CONFLICT,
                "The account still authors articles: deactivate it instead of deleting it.",
            ),
            Self::EditConflict => (
                "edit-conflict",
                "Changed meanwhile",
                S::CONFLICT,
                "The resource changed while the operation ran; nothing was written. Read it \
                 again and retry.",
            ),
            Self::JobRunning => (
                "job-running",
                "Job running",
                S::CONFLICT,
                "The job is being run by a worker now: it can be retried once it has failed \
                 again or is dead.",
            ),
            Self::MediaInUse => (
                "media-in-use",
                "Media in use",
                S::CONFLICT,
                "Articles still show the media item; `detail` names those the caller may \
                 read. Remove it from them, or delete with `?force=true` (they lose it).",
            ),
            Self::EventExpired => (
                "event-expired",
                "Event no longer kept",
                S::CONFLICT,
                "The delivery's event is older than the outbox keeps events \
                 (`SAHIFA_EVENTS_KEEP_DAYS`), so it cannot be sent again. Nothing was queued.",
            ),
            Self::Conflict => (
                "conflict",
                "Conflict",
                S::CONFLICT,
                "The change conflicts with related resources or with a unique value.",
            ),
            Self::PreconditionFailed => (
                "precondition-failed",
                "Precondition failed",
                S::PRECONDITION_FAILED,
                "`If-Match` does not name the resource's current ETag: someone changed it since \
                 it was read. Nothing was written; read it again, then decide.",
            ),
            Self::InvalidImage => (
                "invalid-image",
                "Invalid image",
                S::UNPROCESSABLE_ENTITY,
                "The file is empty, truncated or corrupt: it cannot be decoded. Nothing was \
                 stored.",
            ),
            Self::ImageTooLarge => (
                "image-too-large",
                "Image has too many pixels",
                S::UNPROCESSABLE_ENTITY,
                "The image's header announces more pixels than allowed \
                 (`SAHIFA_MEDIA_MAX_PIXELS`, 50 million by default) or a side longer than \
                 16,383 pixels; it was refused before being decoded. Nothing was stored.",
            ),
            Self::ScopeRequired => (
                "scope-required",
                "API key scope required",
                S::FORBIDDEN,
                "The request was made with an API key whose scopes do not cover it; `detail` \
                 names the scope needed (`content:read`, `content:write`, `comments:moderate`, \
                 `media:write`, `webhooks:manage` or `admin`). Session endpoints (`/auth/…`) \
                 take no API key at all. Nothing was changed.",
            ),
            Self::InvalidPreviewToken => (
                "invalid-preview-token",
                "Invalid preview token",
                S::UNAUTHORIZED,
                "The `preview_token` is malformed, tampered with, expired, or was revoked by an \
                 editor. Ask for a new one with `POST /api/v1/articles/{id}/preview`. A valid \
                 token for another article, or for a deleted one, is a 404 instead.",
            ),
            Self::NotPublished => (
                "not-published",
                "Not published",
                S::UNPROCESSABLE_ENTITY,
                "The operation applies only to a published article (a correction is a note to \
                 readers about what they read); drafts are simply edited. Nothing was changed.",
            ),
            Self::WebhookAddressRefused => (
                "webhook-address-refused",
                "Webhook address refused",
                S::UNPROCESSABLE_ENTITY,
                "The webhook URL is an IP address, or a name that resolves to one, that Sahifa \
                 will not call: loopback, private, link-local (cloud metadata), carrier-grade \
                 NAT or reserved, or the name does not resolve at all. Use a public address; \
                 for receivers on a private network, the operator sets \
                 `SAHIFA_WEBHOOKS_ALLOW_PRIVATE=true`. Nothing was saved.",
            ),
            Self::ValidationFailed => (
                "validation-failed",
                "Validation failed",
                S::UNPROCESSABLE_ENTITY,
                "The body is JSON of the wrong shape, or a value breaks a rule (a length, a \
                 pattern, a nesting limit, a reference to nothing); `errors` names each field \
                 with its messages.",
            ),
            Self::RateLimited => (
                "rate-limited",
                "Too many requests",
                S::TOO_MANY_REQUESTS,
                "Too many attempts from this address or for this account; `Retry-After` says \
                 when to try again.",
            ),
            Self::Unavailable => (
                "unavailable",
                "Service unavailable",
                S::SERVICE_UNAVAILABLE,
                "The server is busy (every database connection or render slot stayed taken) or \
                 its database does not answer; `Retry-After` says when to try again.",
            ),
            Self::Internal => (
                "internal-error",
                "Internal error",
                S::INTERNAL_SERVER_ERROR,
                "Something unexpected happened; it was logged with the request id.",
            ),
        }
    }
}

/// What every type URI starts with.
pub const PREFIX: &str = "/problems/";

/// The documentation of every type, as Markdown (`docs/problems.md` is this, committed, and a
/// test keeps it current).
pub fn markdown() -> String {
    let mut out = String::from(
        "# Problem types\n\n\
         Every error Sahifa answers is an RFC 9457 problem document \
         (`application/problem+json`). Its `type` tells a client what happened without parsing \
         `detail`: branch on it. Each URI is relative to the server, which describes the type \
         at that path. Plain HTTP errors whose status says everything keep `about:blank`: 404 \
         for an unknown route, 405 (with `Allow`), 413 (the body is over \
         `SAHIFA_MAX_BODY_BYTES`) and 415 (the body is not declared as JSON).\n\n\
         This file is generated from `src/http/problem_types.rs` \
         (`cargo run -- problems > docs/problems.md`).\n\n\
         | `type` | status | title | when, and what to do |\n\
         | --- | --- | --- | --- |\n",
    );
    for problem in ProblemType::ALL {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} |\n",
            problem.uri(),
            problem.status().as_u16(),
            problem.title(),
            problem.description()
        ));
    }
    out
}

/// A page describing one type, served at its URI (and `None` for an unknown one).
pub fn page(slug: &str) -> Option<String> {
    let problem = ProblemType::from_slug(slug)?;
    let escape = crate::text::html::escape;
    Some(format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title>\
         </head><body><h1>{title}</h1><p>HTTP {status}. <code>type</code>: \
         <code>{uri}</code></p><p>{description}</p><p><a href=\"{PREFIX}\">All problem \
         types</a></p></body></html>",
        title = escape(problem.title()),
        status = problem.status().as_u16(),
        uri = escape(&problem.uri()),
        description = escape(problem.description()),
    ))
}

/// The page listing every type.
pub fn index_page() -> String {
    let escape = crate::text::html::escape;
    let rows: String = ProblemType::ALL
        .iter()
        .map(|p| {
            format!(
                "<tr><td><a href=\"{uri}\"><code>{uri}</code></a></td><td>{status}</td>\
                 <td>{title}</td></tr>",
                uri = escape(&p.uri()),
                status = p.status().as_u16(),
                title = escape(p.title())
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Problem types\
         </title></head><body><h1>Problem types</h1><table><tr><th>type</th><th>status</th>\
         <th>title</th></tr>{rows}</table></body></html>"
    )
}

/// `GET /problems/` and `GET /problems/{slug}`: the descriptions the type URIs point to.
pub async fn serve_page(req: actix_web::HttpRequest) -> actix_web::HttpResponse {
    use actix_web::HttpResponse;
    let body = match req.match_info().get("slug") {
        None | Some("") => Some(index_page()),
        Some(slug) => page(slug),
    };
    match body {
        Some(body) => HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .insert_header(("Cache-Control", "public, max-age=86400"))
            .insert_header(("Content-Security-Policy", "default-src 'none'"))
            .body(body),
        None => {
            super::ApiError::NoRoute(format!("no problem type at {}", req.path())).error_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_has_its_own_slug_and_a_status_it_can_carry() {
        let mut slugs: Vec<&str> = ProblemType::ALL.iter().map(|p| p.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemType::ALL.len());
        for problem in ProblemType::ALL {
            assert_eq!(ProblemType::from_slug(problem.slug()), Some(problem));
            assert!(problem.status().is_client_error() || problem.status().is_server_error());
            assert!(
                problem
                    .slug()
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b == b'-')
            );
        }
        assert!(page("slug-taken").unwrap().contains("Slug taken"));
        assert!(page("nothing").is_none());
    }
}
