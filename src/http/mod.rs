//! What every endpoint shares: the error model, the JSON extractor, routing fallbacks.
//! Nothing here knows about a particular resource.

pub mod auth;
pub mod cache;
pub mod client_ip;
pub mod conditional;
pub mod docs;
pub mod error;
pub mod formats;
pub mod input;
pub mod json;
pub mod pagination;
pub mod problem;
pub mod problem_types;
pub mod rate_limit;
pub mod redirect;
pub mod routing;
pub mod security_headers;

pub use error::{ApiError, Problem};
pub use json::JsonBody;
pub use problem_types::ProblemType;
