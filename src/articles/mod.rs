//! Articles: the newsroom's content. Authors write, editors publish, readers read.

pub mod bylines;
pub mod cursor;
pub mod derived;
pub mod dto;
pub mod model;
pub mod operations;
pub mod preview;
pub mod routes;
pub mod structured;
pub mod totals;
pub mod workflow;

pub use workflow::Status;
