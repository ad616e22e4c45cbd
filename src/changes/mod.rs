//! The changes feed (`GET /api/v1/changes`): what readers can see that was created, updated,
//! unpublished or deleted, in commit order, so a static build fetches only what changed
//! since its last build. Entries are written in the same transaction as the change
//! ([`log`]); an article scheduled for later gets its entry from a job when it falls due.

pub mod cursor;
pub mod dto;
pub mod log;
pub mod model;
pub mod operations;
pub mod routes;
