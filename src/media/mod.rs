//! The media library: uploaded photos with their alt text, caption, credit and focal point,
//! cleaned of every metadata block (no GPS position ever reaches a reader), with responsive
//! renditions, kept in a directory or an S3 bucket.
//!
//! `processing.rs` judges and transforms images (pure), `credit.rs` reads the credit a photo
//! carries; `storage.rs` keeps files and
//! `transfer.rs` moves them to another store;
//! `operations.rs` holds the rules; `routes.rs` the endpoints and the file server.

pub mod credit;
pub mod dto;
pub mod model;
pub mod operations;
pub mod processing;
pub mod routes;
pub mod storage;
pub mod transfer;
