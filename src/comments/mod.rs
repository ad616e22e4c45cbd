//! Comments: readers write them without an account, editors moderate them.
//!
//! Privacy: a commenter's email and address are kept for moderation and appear only in the
//! staff endpoints; every public representation is built from [`dto::PublicComment`], which
//! has no field for them.

pub mod dto;
pub mod model;
pub mod moderation;
pub mod operations;
pub mod routes;
pub mod spam;
