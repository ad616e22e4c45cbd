use serde::Serialize;
use utoipa::ToSchema;

/// A tag and how many published articles carry it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    #[schema(example = 9)]
    pub id: i64,
    /// As first written; filter articles with `?tag=` and this name or the slug.
    #[schema(example = "الولايات المتحدة")]
    pub name: String,
    #[schema(example = "الولايات-المتحدة")]
    pub slug: String,
    /// The tag's page on the public site (`SAHIFA_PUBLIC_URL` and `SAHIFA_URL_TAG`); null
    /// when no public URL is configured.
    #[schema(
        example = "https://almufeed.example/tag/%D8%A7%D9%84%D9%8A%D8%A7%D8%A8%D8%A7%D9%86",
        format = "uri"
    )]
    pub url: Option<String>,
    #[schema(example = 14)]
    pub article_count: i64,
}
