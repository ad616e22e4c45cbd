//! The problem responses every route may answer with, as reusable OpenAPI components.
//! Routes list the ones they can return: `(status = 404, response = NotFound)`.

#![allow(dead_code)] // The tuple fields exist for the schema; they are never constructed.

use utoipa::ToResponse;

use super::error::Problem;

/// Malformed JSON, or a query parameter out of bounds.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct BadRequest(Problem);

/// No token, or a token that is invalid, expired or revoked.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("WWW-Authenticate" = String, description = "`Bearer realm=\"sahifa\"`"))
)]
pub struct Unauthorized(Problem);

/// The caller's role does not allow this.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Forbidden(Problem);

/// No such resource (or one the caller may not see).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct NotFound(Problem);

/// The change conflicts with the current state (a taken slug or email, a resource in use).
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Conflict(Problem);

/// `If-Match` does not match the resource's current ETag: nothing was written.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PreconditionFailed(Problem);

/// The request body is over the configured limit.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct PayloadTooLarge(Problem);

/// The request body is not declared as JSON.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct UnsupportedMediaType(Problem);

/// The body is JSON of the wrong shape, or breaks a rule; or a query parameter holds a
/// control character. `errors` names each field.
#[derive(ToResponse)]
#[response(content_type = "application/problem+json")]
pub struct Unprocessable(Problem);

/// Rate limited.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))
)]
pub struct TooManyRequests(Problem);

/// Every database connection stayed busy for the acquire timeout: retry shortly.
#[derive(ToResponse)]
#[response(
    content_type = "application/problem+json",
    headers(("Retry-After" = u32, description = "Seconds to wait before retrying"))
)]
pub struct ServiceUnavailable(Problem);
