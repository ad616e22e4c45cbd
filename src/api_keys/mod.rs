//! Scoped API keys: credentials for build servers and scripts that are not a person's
//! password. A key acts for the admin who created it, never with more than that person's
//! current role, and never beyond its scopes ([`scopes`]). Keys are looked up on every
//! request, so a revocation holds at once on every instance.

pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;
pub mod scopes;

pub use operations::{KeyLimits, authenticate};
pub use scopes::Scope;

/// What every key's secret starts with, so a leaked one is recognized (secret scanners match
/// it) and told apart from an access token.
pub const SECRET_PREFIX: &str = "sk_live_";
