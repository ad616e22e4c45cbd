//! The audit trail: who changed what, when, from where — every staff write and every
//! security event.
//!
//! Staff writes are recorded without each operation's help: the caller's identity and the
//! route's operation are noted in the request's [`context`] when the caller is
//! authenticated, the names of the fields the body carries when it is parsed, and
//! [`crate::db::Store::write`] appends the entry inside the write's own transaction — so a
//! change that commits always has its entry, and a rolled-back one has none. Security events
//! that change nothing (a failed login, a reused refresh token) are written by
//! [`security`]. Entries hold names, never values: no password, secret or email reaches them.

pub mod context;
pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;

pub use operations::security;
