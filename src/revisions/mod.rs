//! Revisions of articles and pages: every save stores a snapshot of the editable fields with
//! its editor and time, in the save's transaction. Listed, compared word by word (right for
//! Arabic: a change of diacritics alone is shown as such) and restored through the same
//! operation as an edit. Kept all by default; `SAHIFA_REVISIONS_KEEP` bounds them.

pub mod diff;
pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;
