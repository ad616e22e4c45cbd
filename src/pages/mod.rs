//! Pages: what a news site has besides articles (من نحن, اتصل بنا, سياسة الخصوصية, the
//! editorial policy). Editors and admins write them; anyone reads the published ones. They
//! nest through `parent_id` and are ordered among siblings by `menu_order`.

pub mod dto;
pub mod model;
pub mod operations;
pub mod routes;

pub use dto::PageStatus;
