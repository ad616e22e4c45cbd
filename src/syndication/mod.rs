//! What news channels read instead of our JSON: RSS, Atom and JSON feeds, sitemaps (with the
//! Google News sitemap). Every URL in them is the public site's (`links`); without
//! `SAHIFA_PUBLIC_URL` they answer a 404 that says so.

pub mod feeds;
pub mod model;
pub mod operations;
pub mod routes;
pub mod sitemaps;
