//! Old links that keep working: the paths imported items had on the site they came from
//! (`/2024/05/12/old-slug/`, `/?p=12`, `/category/news/`), and where each item lives now.
//! `GET /api/v1/redirects?path=…` answers a frontend or an edge worker, which then answers
//! 301; the path is resolved only to what the caller may read.

pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;
