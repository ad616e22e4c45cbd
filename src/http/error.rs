//! One error type for every failure a client can see, rendered as an RFC 9457 problem.
//!
//! Handlers return `Result<_, ApiError>`; extractor failures of actix itself are mapped here
//! too, and [`problem_middleware`](super::problem::problem_middleware) turns any error response
//! that slipped past (a 404 for an unknown route, a CORS refusal) into the same shape.

use std::collections::BTreeMap;
use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use super::problem_types::ProblemType;
use crate::db::{DbError, StoreError};

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Field name → messages, as in the `errors` member of a validation problem.
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// An RFC 9457 problem details body.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "/problems/validation-failed",
    "title": "Validation failed",
    "status": 422,
    "detail": "The request body has invalid fields.",
    "errors": {"title": ["must not be empty"]}
}))]
pub struct Problem {
    /// What kind of problem this is, to branch on: a URI reference to its description on
    /// this server (`/problems/slug-taken`; see `docs/problems.md`), or `about:blank` when the
    /// status says it all (an unknown route, 405, 413, 415).
    #[serde(rename = "type")]
    #[schema(format = "uri-reference")]
    pub kind: String,
    /// The problem type's title (for `about:blank`, the HTTP reason phrase).
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for a human.
    pub detail: String,
    /// For validation problems: each invalid field with its messages.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(inline, nullable = false, value_type = Option<std::collections::HashMap<String, Vec<String>>>)]
    pub errors: Option<FieldErrors>,
}

impl Problem {
    /// A problem of type `about:blank`: the status says it all.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        Self {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
        }
    }

    /// A problem of a documented type.
    pub fn typed(problem: ProblemType, detail: impl Into<String>) -> Self {
        Self {
            kind: problem.uri(),
            title: problem.title().into(),
            status: problem.status().as_u16(),
            detail: detail.into(),
            errors: None,
        }
    }

    /// The response for this problem, with the problem media type.
    pub fn into_response(self) -> HttpResponse {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        HttpResponse::build(status)
            .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .body(serde_json::to_string(&self).unwrap_or_default())
    }
}

/// Every failure a handler can report. Each variant answers with its documented problem
/// type ([`ApiError::problem_type`]); the ones that carry a [`ProblemType`] share a status
/// between several types.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// [`ProblemType::MalformedBody`] or [`ProblemType::InvalidHeader`].
    #[error("{1}")]
    BadRequest(ProblemType, String),
    /// A query parameter out of its bounds: a 400 naming it, shaped like a validation problem.
    #[error("{detail}")]
    BadQuery { detail: String, errors: FieldErrors },
    /// No token where one is needed, or a token or credentials that are invalid.
    #[error("{1}")]
    Unauthorized(ProblemType, String),
    /// [`ProblemType::RoleRequired`] or [`ProblemType::WorkflowForbidden`].
    #[error("{1}")]
    Forbidden(ProblemType, String),
    /// No such resource (or one the caller may not see).
    #[error("{0}")]
    NotFound(String),
    /// No route at all: a plain 404 (`about:blank`).
    #[error("{0}")]
    NoRoute(String),
    #[error("the method is not allowed on this resource")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("{1}")]
    Conflict(ProblemType, String),
    /// Any other documented problem, answered with its type's status.
    #[error("{1}")]
    Typed(ProblemType, String),
    #[error("the resource has changed since it was read (If-Match does not match its ETag)")]
    PreconditionFailed,
    /// The request body did not arrive in time; the connection is closed.
    #[error("the request body did not arrive in time")]
    RequestTimeout,
    #[error("the request body is larger than the limit of {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Validation { detail: String, errors: FieldErrors },
    #[error("too many requests; retry after {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    #[error("the service is busy; retry after {retry_after_secs} s")]
    Unavailable { retry_after_secs: u64 },
    /// Something unexpected. The cause is logged where it happened; clients see a generic text.
    #[error("internal error")]
    Internal,
}

impl ApiError {
    /// Logs `cause` (inside the request's span, so with its request id) and returns the
    /// generic 500 that reveals nothing of it.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::Internal
    }

    pub fn not_found(what: &str) -> Self {
        Self::NotFound(format!("{what} not found"))
    }

    /// A 400 for a body that is not what the operation reads.
    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::BadRequest(ProblemType::MalformedBody, detail.into())
    }

    /// A 401 for a token that cannot be used.
    pub fn invalid_token(detail: impl Into<String>) -> Self {
        Self::Unauthorized(ProblemType::InvalidToken, detail.into())
    }

    /// A 403 from the editorial workflow.
    pub fn workflow(detail: impl Into<String>) -> Self {
        Self::Forbidden(ProblemType::WorkflowForbidden, detail.into())
    }

    /// A 422 with one message on one field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.to_owned(), vec![message.into()]);
        Self::Validation {
            detail: format!("`{field}` is invalid"),
            errors,
        }
    }

    /// The documented type of this problem; `None` for the plain HTTP errors (`about:blank`).
    pub fn problem_type(&self) -> Option<ProblemType> {
        Some(match self {
            Self::BadRequest(kind, _)
            | Self::Unauthorized(kind, _)
            | Self::Forbidden(kind, _)
            | Self::Conflict(kind, _)
            | Self::Typed(kind, _) => *kind,
            Self::BadQuery { .. } => ProblemType::InvalidQuery,
            Self::NotFound(_) => ProblemType::NotFound,
            Self::PreconditionFailed => ProblemType::PreconditionFailed,
            Self::RequestTimeout => ProblemType::BodyTimeout,
            Self::Validation { .. } => ProblemType::ValidationFailed,
            Self::TooManyRequests { .. } => ProblemType::RateLimited,
            Self::Unavailable { .. } => ProblemType::Unavailable,
            Self::Internal => ProblemType::Internal,
            Self::NoRoute(_)
            | Self::MethodNotAllowed { .. }
            | Self::PayloadTooLarge { .. }
            | Self::UnsupportedMediaType(_) => return None,
        })
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::NoRoute(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            typed => typed
                .problem_type()
                .map_or(StatusCode::INTERNAL_SERVER_ERROR, ProblemType::status),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let status = self.status_code();
        let detail = match self {
            Self::Internal => "An unexpected error occurred; it has been logged.".to_owned(),
            other => other.to_string(),
        };
        let mut problem = match self.problem_type() {
            Some(kind) => Problem::typed(kind, detail),
            None => Problem::new(status, detail),
        };
        if let Self::Validation { errors, .. } | Self::BadQuery { errors, .. } = self {
            problem.errors = Some(errors.clone());
        }
        let mut response = problem.into_response();
        let headers = response.headers_mut();
        match self {
            Self::Unauthorized(..) => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    header::HeaderValue::from_static("Bearer realm=\"sahifa\""),
                );
            }
            Self::MethodNotAllowed { allow } => {
                if let Ok(value) = header::HeaderValue::from_str(&allow.join(", ")) {
                    headers.insert(header::ALLOW, value);
                }
            }
            Self::TooManyRequests { retry_after_secs } | Self::Unavailable { retry_after_secs } => {
                headers.insert(header::RETRY_AFTER, (*retry_after_secs).into());
            }
            _ => {}
        }
        if let Self::RequestTimeout = self {
            // The rest of the body may still come: the connection cannot be reused.
            response
                .head_mut()
                .set_connection_type(actix_web::http::ConnectionType::Close);
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Saturated => {
                tracing::warn!("database pool saturated");
                Self::Unavailable {
                    retry_after_secs: 1,
                }
            }
            StoreError::TaskFailed => Self::internal(error),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(error: DbError) -> Self {
        match error {
            DbError::Store(e) => e.into(),
            DbError::Query(e) => e.into(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match error {
            Error::NotFound => Self::NotFound("not found".into()),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => Self::Conflict(
                ProblemType::Conflict,
                "a resource with the same unique value already exists".into(),
            ),
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => Self::Conflict(
                ProblemType::Conflict,
                "the change conflicts with related resources".into(),
            ),
            other => Self::internal(other),
        }
    }
}
