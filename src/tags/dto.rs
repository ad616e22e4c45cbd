use serde::Serialize;
use utoipa::ToSchema;

/// A tag and how many published articles carry it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    /// As first written; filter articles with `?tag=` and this name or the slug.
    #[schema(example = "الولايات المتحدة")]
    pub name: String,
    #[schema(example = "الولايات-المتحدة")]
    pub slug: String,
    #[schema(example = 14)]
    pub article_count: i64,
}
