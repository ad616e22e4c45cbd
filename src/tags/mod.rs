//! Tags: free-form labels shared between articles. A tag is stored once; two spellings that
//! normalize alike (الأمن / الامن) are the same tag, shown as first written.

pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;

/// How tags are compared: the search normalizer (alef forms, ة/ه, case, diacritics).
pub fn key(name: &str) -> String {
    crate::text::normalize(name)
}
