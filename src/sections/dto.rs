//! What the section endpoints read and write.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::model::SectionRow;
use crate::http::formats::Slug;
use crate::http::input::{line, line_opt, nullable, nullable_trimmed, trimmed_opt};
use crate::time::Timestamp;

#[derive(Debug, Serialize, ToSchema)]
pub struct Section {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "الاقتصاد والبنوك")]
    pub name: String,
    #[schema(example = "الاقتصاد-والبنوك")]
    pub slug: String,
    /// The section's page on the public site (`SAHIFA_PUBLIC_URL` and `SAHIFA_URL_SECTION`),
    /// Arabic slugs percent-encoded; null when no public URL is configured.
    #[schema(
        example = "https://almufeed.example/%D8%A7%D9%84%D8%A7%D9%82%D8%AA%D8%B5%D8%A7%D8%AF",
        format = "uri"
    )]
    pub url: Option<String>,
    #[schema(example = "الأسواق والمصارف والمال والأعمال")]
    pub description: Option<String>,
    /// The enclosing section, if any.
    pub parent_id: Option<i64>,
    /// Sort key among siblings (ascending), then name.
    #[schema(example = 0)]
    pub position: i32,
    /// Published articles in this section and the sections below it.
    #[schema(example = 12)]
    pub article_count: i64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Section {
    pub fn new(row: &SectionRow, article_count: i64, url: Option<String>) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            slug: row.slug.clone(),
            url,
            description: row.description.clone(),
            parent_id: row.parent_id,
            position: row.position,
            article_count,
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateSection {
    #[serde(deserialize_with = "line::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "العالم", min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: String,
    /// Generated from the name when absent. Must already be in slug form (lower-case,
    /// hyphens, no punctuation); a slug in use is a 409.
    #[serde(default, deserialize_with = "line_opt::<_, 80>")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::slugs::section_slug")
    )]
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "trimmed_opt::<_, 500>")]
    #[validate(length(max = 500))]
    #[schema(example = "أخبار السياسة والعلاقات الدولية", max_length = 500)]
    pub description: Option<String>,
    #[serde(default)]
    pub parent_id: Option<i64>,
    #[serde(default)]
    #[validate(range(min = -100000, max = 100000))]
    #[schema(minimum = -100000, maximum = 100000)]
    pub position: Option<i32>,
}

/// A change to a section. Absent fields stay as they are; `null` clears `description` or
/// `parent_id`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSection {
    #[serde(default, deserialize_with = "line_opt::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub name: Option<String>,
    /// A new slug; the old one keeps resolving with a 301.
    #[serde(default, deserialize_with = "line_opt::<_, 80>")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::slugs::section_slug")
    )]
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "nullable_trimmed::<_, 500>")]
    #[validate(length(max = 500))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    #[serde(default)]
    #[validate(range(min = -100000, max = 100000))]
    #[schema(minimum = -100000, maximum = 100000)]
    pub position: Option<i32>,
}
