//! Menus' wire types.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::http::formats::Slug;
use crate::http::input::{line, line_opt, web_url_opt};
use crate::time::Timestamp;

/// What a link points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum LinkType {
    Section,
    Article,
    Page,
    Tag,
    /// An external address (`url`).
    Url,
}

impl LinkType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Section => "section",
            Self::Article => "article",
            Self::Page => "page",
            Self::Tag => "tag",
            Self::Url => "url",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Section,
            Self::Article,
            Self::Page,
            Self::Tag,
            Self::Url,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// A menu in the list of menus.
#[derive(Debug, Serialize, ToSchema)]
pub struct MenuSummary {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "header")]
    pub slug: String,
    #[schema(example = "القائمة الرئيسية")]
    pub name: String,
    pub updated_at: Timestamp,
}

/// A menu with its links, in order.
#[derive(Debug, Serialize, ToSchema)]
pub struct Menu {
    #[serde(flatten)]
    pub menu: MenuSummary,
    pub items: Vec<MenuItem>,
}

/// A link, as readers get it: the target's public address and slug resolved.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MenuItem {
    #[schema(example = "الاقتصاد")]
    pub label: String,
    /// A tagline shown with the link («أقسام تهمك» gives each section one).
    #[schema(example = "أسواق المال والطاقة والشركات")]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub link_type: LinkType,
    /// The section, article, page or tag linked to.
    #[schema(example = 3)]
    pub target_id: Option<i64>,
    /// The target's slug, for frontends that build their own links.
    #[schema(example = "الاقتصاد")]
    pub slug: Option<String>,
    /// The target's page on the public site, or the external address.
    #[schema(format = "uri")]
    pub url: Option<String>,
    /// Links nested under this one (one level).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<MenuItem>,
}

/// A link to write. `target_id` names the section, article, page or tag; `url` the external
/// address (`type: url`).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuItemInput {
    #[serde(deserialize_with = "line::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "الاقتصاد", min_length = 1, max_length = 100)]
    pub label: String,
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub link_type: LinkType,
    #[serde(default)]
    pub target_id: Option<i64>,
    #[serde(default, deserialize_with = "web_url_opt::<_, 2000>")]
    #[schema(format = "uri", max_length = 2000)]
    pub url: Option<String>,
    /// Links nested under this one; they hold no children of their own.
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub children: Vec<MenuChildInput>,
}

/// A nested link: like [`MenuItemInput`], without children (menus nest one level).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MenuChildInput {
    #[serde(deserialize_with = "line::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub label: String,
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub description: Option<String>,
    #[serde(rename = "type")]
    pub link_type: LinkType,
    #[serde(default)]
    pub target_id: Option<i64>,
    #[serde(default, deserialize_with = "web_url_opt::<_, 2000>")]
    #[schema(format = "uri", max_length = 2000)]
    pub url: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateMenu {
    /// Lower-case letters (any script), digits and hyphens.
    #[serde(deserialize_with = "line::<_, 80>")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::slugs::article_slug")
    )]
    #[schema(value_type = Slug, example = "header")]
    pub slug: String,
    #[serde(deserialize_with = "line::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "القائمة الرئيسية", min_length = 1, max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub items: Vec<MenuItemInput>,
}

/// A change to a menu: a new name, or a new list of links replacing the old one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMenu {
    #[serde(default, deserialize_with = "line_opt::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50), nested)]
    #[schema(max_items = 50)]
    pub items: Option<Vec<MenuItemInput>>,
}
