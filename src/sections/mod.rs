//! Sections: how a newsroom organises its articles (العالم، الاقتصاد، …), nested through
//! `parent_id` and ordered by `position`.

pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;
pub mod tree;
