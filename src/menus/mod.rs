//! Menus: named, ordered lists of links to a section, an article, a page, a tag or an external
//! URL, nested one level, for a site's header, footer and homepage blocks («أقسام تهمك»).
//! Editors write them; anyone reads them, without the links to what readers cannot see.

pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;
