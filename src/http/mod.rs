//! What every endpoint shares: the error model, the JSON extractor, routing fallbacks.
//! Nothing here knows about a particular resource.

pub mod error;
pub mod json;
pub mod problem;
pub mod routing;

pub use error::{ApiError, Problem};
pub use json::ValidatedJson;
