//! What the page endpoints read and write.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::model::PageRow;
use crate::articles::dto::language_tag;
use crate::http::formats::{LanguageTag, Slug};
use crate::http::input::{line, line_opt, nullable, nullable_line};
use crate::text::Direction;
use crate::time::Timestamp;

/// Where a page is: readers see `published` pages only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PageStatus {
    Draft,
    Published,
    Archived,
}

impl PageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "draft" => Some(Self::Draft),
            "published" => Some(Self::Published),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }
}

/// A page in a list: everything but its body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PageSummary {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "من نحن")]
    pub title: String,
    #[schema(example = "من-نحن")]
    pub slug: String,
    /// The page on the public site (`SAHIFA_PUBLIC_URL` and `SAHIFA_URL_PAGE`); null when no
    /// public URL is configured.
    #[schema(
        example = "https://almufeed.example/%D9%85%D9%86-%D9%86%D8%AD%D9%86",
        format = "uri"
    )]
    pub url: Option<String>,
    pub status: PageStatus,
    /// The enclosing page, if any (shown to readers only when that page is published too).
    pub parent_id: Option<i64>,
    /// Sort key among siblings (ascending), then title.
    #[schema(example = 0)]
    pub menu_order: i32,
    /// BCP 47 language tag of the content.
    #[schema(example = "ar")]
    pub lang: String,
    /// Text direction, derived from `lang`.
    pub dir: Direction,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    /// When the page was first published.
    pub published_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl PageSummary {
    /// The summary of `row`, with `parent_id` as the viewer may see it.
    pub fn new(row: &PageRow, parent_id: Option<i64>) -> Self {
        Self {
            id: row.id,
            title: row.title.clone(),
            slug: row.slug.clone(),
            url: crate::links::current().page_url(row.id, &row.slug),
            status: PageStatus::parse(&row.status).unwrap_or(PageStatus::Draft),
            parent_id,
            menu_order: row.menu_order,
            lang: row.lang.clone(),
            dir: crate::text::direction(&row.lang),
            meta_title: row.meta_title.clone(),
            meta_description: row.meta_description.clone(),
            published_at: row.published_at.map(Into::into),
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

/// A whole page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page {
    #[serde(flatten)]
    pub summary: PageSummary,
    /// Markdown source.
    #[schema(example = "صحيفة **المفيد** مستقلة، تأسست عام ٢٠٠٢.")]
    pub body: String,
    /// The body rendered to HTML and sanitized: safe to insert into a page as is.
    #[schema(example = "<p>صحيفة <strong>المفيد</strong> مستقلة، تأسست عام ٢٠٠٢.</p>")]
    pub body_html: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePage {
    #[serde(deserialize_with = "line::<_, 300>")]
    #[validate(length(min = 1, max = 300))]
    #[schema(example = "من نحن", min_length = 1, max_length = 300, pattern = r"\S")]
    pub title: String,
    /// Generated from the title when absent (`-2`, `-3` … when taken). Given explicitly it
    /// must be in slug form, and a taken one is a 409.
    #[serde(default, deserialize_with = "line_opt::<_, 80>")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::slugs::page_slug")
    )]
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    /// Markdown (the same syntax and sanitizing as articles; media library images are not
    /// available in pages yet: link an image by URL).
    #[validate(length(min = 1, max = 200000))]
    #[schema(
        example = "صحيفة **المفيد** مستقلة، تأسست عام ٢٠٠٢.",
        min_length = 1,
        max_length = 200000
    )]
    pub body: String,
    /// Defaults to `draft`.
    #[serde(default)]
    pub status: Option<PageStatus>,
    #[serde(default)]
    #[schema(example = json!(null))]
    pub parent_id: Option<i64>,
    /// Defaults to 0.
    #[serde(default)]
    #[validate(range(min = -100000, max = 100000))]
    #[schema(minimum = -100000, maximum = 100000)]
    pub menu_order: Option<i32>,
    /// BCP 47; defaults to `ar`.
    #[serde(default, deserialize_with = "line_opt::<_, 64>")]
    #[validate(custom(function = "language_tag"))]
    #[schema(value_type = Option<LanguageTag>)]
    pub lang: Option<String>,
    #[serde(default, deserialize_with = "line_opt::<_, 200>")]
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub meta_title: Option<String>,
    #[serde(default, deserialize_with = "line_opt::<_, 500>")]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub meta_description: Option<String>,
}

/// A change to a page. Absent fields stay as they are; `null` clears `parent_id`,
/// `meta_title` or `meta_description`.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePage {
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub title: Option<String>,
    /// A new slug; the old one keeps resolving with a 301.
    #[serde(default, deserialize_with = "line_opt::<_, 80>")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::slugs::page_slug")
    )]
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    /// Markdown.
    #[serde(default)]
    #[validate(length(min = 1, max = 200000))]
    #[schema(min_length = 1, max_length = 200000)]
    pub body: Option<String>,
    #[serde(default)]
    pub status: Option<PageStatus>,
    /// A page may not be inside itself or one of its subpages.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<Option<i64>>,
    #[serde(default)]
    #[validate(range(min = -100000, max = 100000))]
    #[schema(minimum = -100000, maximum = 100000)]
    pub menu_order: Option<i32>,
    #[serde(default, deserialize_with = "line_opt::<_, 64>")]
    #[validate(custom(function = "language_tag"))]
    #[schema(value_type = Option<LanguageTag>)]
    pub lang: Option<String>,
    #[serde(default, deserialize_with = "nullable_line::<_, 200>")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub meta_title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_line::<_, 500>")]
    #[validate(length(max = 500))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub meta_description: Option<Option<String>>,
}

/// Which pages a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PageStatusFilter {
    Draft,
    Published,
    Archived,
    Any,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageFilters {
    /// Only the pages directly inside this page (an id or slug); `none` for top-level pages.
    #[param(example = "من-نحن")]
    pub parent: Option<String>,
    /// Only pages in this language (BCP 47, compared canonically).
    #[param(value_type = Option<LanguageTag>, example = "ar")]
    pub lang: Option<String>,
    /// Other than `published`, for editors and admins only.
    #[param(inline)]
    pub status: Option<PageStatusFilter>,
}
