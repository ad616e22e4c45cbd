//! What the article endpoints read and write.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::{Validate, ValidationError};

use super::Status;
use super::derived::BodyFormat;
use super::model::SummaryRow;
use crate::http::formats::{LanguageTag, Slug, TagName};
use crate::http::input::{
    line, line_opt, nullable, nullable_line, nullable_trimmed, nullable_web_url, trimmed,
    trimmed_opt, web_url, web_url_opt,
};
use crate::text::Direction;
use crate::text::controls::{Lines, describe, first_disallowed};
use crate::time::Timestamp;

pub const MAX_TAGS: usize = 20;

/// The section an article is in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionRef {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "العالم")]
    pub name: String,
    #[schema(example = "العالم")]
    pub slug: String,
    /// The section's page on the public site (`SAHIFA_PUBLIC_URL` and `SAHIFA_URL_SECTION`);
    /// null when no public URL is configured.
    #[schema(
        example = "https://almufeed.example/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85",
        format = "uri"
    )]
    pub url: Option<String>,
}

/// Who wrote an article. Never an email.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorRef {
    #[schema(example = 7)]
    pub id: i64,
    #[schema(example = "ليلى حسن")]
    pub display_name: String,
    /// The author's page on the public site (`SAHIFA_URL_AUTHOR`); null when no public URL is
    /// configured.
    #[schema(
        example = "https://almufeed.example/author/%D9%84%D9%8A%D9%84%D9%89-%D8%AD%D8%B3%D9%86",
        format = "uri"
    )]
    pub url: Option<String>,
}

/// A featured image hosted elsewhere, as sent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeaturedImage {
    /// An absolute `http` or `https` URL. It is stored as parsed (see
    /// `FeaturedImageView.url`), which may make it longer.
    #[serde(deserialize_with = "web_url::<_, 2000>")]
    #[validate(length(max = 6000))]
    #[schema(
        example = "https://cdn.example.com/2026/11/tokyo.jpg",
        format = "uri",
        max_length = 2000
    )]
    pub url: String,
    /// Text for readers who cannot see the image.
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(max = 300))]
    #[schema(example = "وزيرا الدفاع الياباني والأمريكي في طوكيو", max_length = 300)]
    pub alt: Option<String>,
    #[serde(default, deserialize_with = "trimmed_opt::<_, 500>")]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub caption: Option<String>,
}

/// A featured image as an article shows it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FeaturedImageView {
    /// The URL as stored: parsed, with scheme and host lower-cased and spaces, quotes, angle
    /// brackets and non-ASCII characters percent-encoded, so it is safe in an attribute.
    #[schema(example = "https://cdn.example.com/2026/11/tokyo.jpg", format = "uri")]
    pub url: String,
    /// Text for readers who cannot see the image.
    #[schema(example = "وزيرا الدفاع الياباني والأمريكي في طوكيو")]
    pub alt: Option<String>,
    pub caption: Option<String>,
}

/// An article as it appears in lists: everything but the body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleSummary {
    #[schema(example = 42)]
    pub id: i64,
    #[schema(example = "طوكيو وواشنطن تبحثان توسيع التعاون الأمني")]
    pub title: String,
    #[schema(example = "طوكيو-وواشنطن-تبحثان-توسيع-التعاون-الأمني")]
    pub slug: String,
    #[schema(example = "التقى وزير الدفاع الياباني نظيره الأمريكي على هامش قمة دولية.")]
    pub excerpt: String,
    /// Where readers find the article on the public site (`SAHIFA_PUBLIC_URL` and
    /// `SAHIFA_URL_ARTICLE`), Arabic slugs percent-encoded as browsers send them; null when
    /// no public URL is configured.
    #[schema(
        example = "https://almufeed.example/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85/%D8%B7%D9%88%D9%83%D9%8A%D9%88",
        format = "uri"
    )]
    pub url: Option<String>,
    pub status: Status,
    pub section: SectionRef,
    #[schema(example = json!(["اليابان", "الولايات المتحدة"]))]
    pub tags: Vec<String>,
    /// Who created the article: its owner in the workflow.
    pub author: AuthorRef,
    /// Every author, in byline order.
    pub authors: Vec<AuthorRef>,
    /// Free-text credit shown with the authors, e.g. «خاص – القاهرة».
    #[schema(example = "خاص – القاهرة")]
    pub byline: Option<String>,
    /// The agency of wire copy.
    #[schema(example = "Kyodo")]
    pub source: Option<String>,
    #[schema(example = "https://english.kyodonews.net/", format = "uri")]
    pub source_url: Option<String>,
    /// Breaking news now.
    pub breaking: bool,
    /// When it stops being breaking news.
    pub breaking_until: Option<Timestamp>,
    /// On the homepage.
    pub featured: bool,
    /// The homepage slot, smallest first.
    pub position: Option<i32>,
    pub featured_image: Option<FeaturedImageView>,
    /// The featured media library item, with alt, caption and credit in the article's
    /// language when it has them, and its renditions.
    pub featured_media: Option<crate::media::dto::MediaView>,
    /// BCP 47 language tag of the content.
    #[schema(example = "ar")]
    pub lang: String,
    /// Text direction, derived from `lang`.
    pub dir: Direction,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    #[schema(example = 3)]
    pub reading_time_minutes: i32,
    /// Approved comments.
    #[schema(example = 5)]
    pub comment_count: i64,
    pub comments_open: bool,
    /// When the article became (or becomes, when scheduled) visible to readers.
    pub published_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Moves on every save.
    pub updated_at: Timestamp,
    /// Moves only when the text (title, excerpt, body) changes: not for comments, counters,
    /// tags or workflow.
    pub content_updated_at: Timestamp,
    /// Search results only: the passage that matched, HTML-escaped, matches in `<mark>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "…ناقش الجانبان سبل تعزيز <mark>التعاون</mark> بين البلدين…")]
    pub snippet: Option<String>,
}

impl ArticleSummary {
    /// The summary of a stored article, given its section, author and tags.
    pub fn new(
        row: &SummaryRow,
        section: SectionRef,
        author: AuthorRef,
        authors: Vec<AuthorRef>,
        tags: Vec<String>,
        featured_media: Option<crate::media::dto::MediaView>,
        url: Option<String>,
    ) -> Self {
        Self {
            id: row.id,
            title: row.title.clone(),
            slug: row.slug.clone(),
            excerpt: row.excerpt.clone(),
            url,
            status: row.status(),
            section,
            tags,
            author,
            authors,
            byline: row.byline.clone(),
            source: row.source.clone(),
            source_url: row.source_url.clone(),
            breaking: row
                .breaking_until
                .is_some_and(|until| until > crate::time::now()),
            breaking_until: row.breaking_until.map(Into::into),
            featured: row.featured,
            position: row.position,
            featured_image: row
                .featured_image_url
                .as_ref()
                .map(|url| FeaturedImageView {
                    url: url.clone(),
                    alt: row.featured_image_alt.clone(),
                    caption: row.featured_image_caption.clone(),
                }),
            featured_media,
            lang: row.lang.clone(),
            dir: crate::text::direction(&row.lang),
            meta_title: row.meta_title.clone(),
            meta_description: row.meta_description.clone(),
            reading_time_minutes: row.reading_time_minutes,
            comment_count: row.comment_count,
            comments_open: row.comments_open,
            published_at: row.published_at.map(Into::into),
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
            content_updated_at: row.content_updated_at.unwrap_or(row.updated_at).into(),
            snippet: None,
        }
    }
}

/// A whole article.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Article {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    /// The source, in `body_format`.
    #[schema(example = "التقى وزير الدفاع الياباني **نظيره الأمريكي** على هامش قمة دولية.")]
    pub body: String,
    /// `markdown` (the default), or `html` (imported bodies): what `body` is written in.
    pub body_format: BodyFormat,
    /// The body rendered to HTML and sanitized: safe to insert into a page as is.
    #[schema(
        example = "<p>التقى وزير الدفاع الياباني <strong>نظيره الأمريكي</strong> على هامش قمة دولية.</p>"
    )]
    pub body_html: String,
    /// A schema.org `NewsArticle` for the article's page, to embed verbatim in
    /// `<script type="application/ld+json">`: headline (at most 110 characters, cut between
    /// words), images (the 16:9, 4:3 and 1:1 crops of the featured media), dates, author,
    /// publisher (`SAHIFA_SITE_NAME`, `SAHIFA_SITE_LOGO`), `mainEntityOfPage`, language,
    /// section, keywords. Properties that need a URL are left out when no public URL is
    /// configured.
    #[schema(value_type = Object, example = json!({"@context": "https://schema.org", "@type": "NewsArticle", "headline": "طوكيو وواشنطن تبحثان توسيع التعاون الأمني"}))]
    pub json_ld: serde_json::Value,
    /// Corrections editors appended, oldest first.
    pub corrections: Vec<Correction>,
    /// The article this one translates (the first of its translation group).
    pub translation_of: Option<i64>,
    /// The same story in other languages, published (for `hreflang`).
    pub translations: Vec<Translation>,
}

/// The same story in another language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Translation {
    #[schema(example = "en")]
    pub lang: String,
    #[schema(example = 43)]
    pub id: i64,
    #[schema(example = "tokyo-washington-security")]
    pub slug: String,
    #[schema(format = "uri")]
    pub url: Option<String>,
}

/// A dated note telling readers what was corrected.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Correction {
    #[schema(example = 3)]
    pub id: i64,
    #[schema(example = "نُسب التصريح خطأً إلى وزير الخارجية، والصحيح أنه لوزير الدفاع.")]
    pub note: String,
    /// When it was issued.
    pub date: Timestamp,
}

/// Appending a correction.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCorrection {
    #[serde(deserialize_with = "trimmed::<_, 2000>")]
    #[validate(length(min = 1, max = 2000))]
    #[schema(
        example = "نُسب التصريح خطأً إلى وزير الخارجية، والصحيح أنه لوزير الدفاع.",
        min_length = 1,
        max_length = 2000
    )]
    pub note: String,
}

#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateArticle {
    #[serde(deserialize_with = "line::<_, 300>")]
    #[validate(length(min = 1, max = 300))]
    #[schema(
        example = "طوكيو وواشنطن تبحثان توسيع التعاون الأمني",
        min_length = 1,
        max_length = 300,
        pattern = r"\S"
    )]
    pub title: String,
    /// Generated from the title when absent (`-2`, `-3` … when taken). Given explicitly it
    /// must be in slug form, and a taken one is a 409.
    #[serde(default, deserialize_with = "line_opt::<_, 80>")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::slugs::article_slug")
    )]
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    /// Derived from the body (whole sentences) when absent.
    #[serde(default, deserialize_with = "trimmed_opt::<_, 1000>")]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub excerpt: Option<String>,
    /// Markdown.
    #[validate(length(min = 1, max = 200000))]
    #[schema(
        example = "التقى وزير الدفاع الياباني **نظيره الأمريكي** على هامش قمة دولية.",
        min_length = 1,
        max_length = 200000
    )]
    pub body: String,
    /// What `body` is written in: `markdown` (the default) or `html` (sanitized with the same
    /// allowlist as rendered Markdown; media library images are Markdown only).
    #[serde(default)]
    pub body_format: Option<BodyFormat>,
    /// Defaults to `draft`. Authors may create `draft` or `review` only.
    #[serde(default)]
    pub status: Option<Status>,
    #[schema(example = 1)]
    pub section_id: i64,
    #[serde(default)]
    #[validate(custom(function = "tag_list"))]
    #[schema(value_type = Option<Vec<TagName>>, example = json!(["اليابان", "الدفاع"]), max_items = 20)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    #[validate(nested)]
    pub featured_image: Option<FeaturedImage>,
    /// A media library item (`/api/v1/media`) to feature; the article then shows it as
    /// `featured_media`. Inline images are written `![alt](media:ID)` in the body.
    #[serde(default)]
    #[schema(example = 12)]
    pub featured_media_id: Option<i64>,
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
    /// Defaults to true.
    #[serde(default)]
    pub comments_open: Option<bool>,
    /// When published without it: now. In the future: scheduled.
    #[serde(default)]
    pub published_at: Option<Timestamp>,
    /// The article's authors, in order (staff user ids, at most 10). Without it the creator
    /// is the only author.
    #[serde(default)]
    #[validate(length(min = 1, max = 10))]
    #[schema(example = json!([7, 12]), min_items = 1, max_items = 10)]
    pub authors: Option<Vec<i64>>,
    /// Free-text credit shown with the authors, e.g. «خاص – القاهرة».
    #[serde(default, deserialize_with = "line_opt::<_, 200>")]
    #[validate(length(max = 200))]
    #[schema(example = "خاص – القاهرة", max_length = 200)]
    pub byline: Option<String>,
    /// The agency of wire copy.
    #[serde(default, deserialize_with = "line_opt::<_, 100>")]
    #[validate(length(max = 100))]
    #[schema(example = "Kyodo", max_length = 100)]
    pub source: Option<String>,
    /// Where the agency published it: an absolute http or https URL.
    #[serde(default, deserialize_with = "web_url_opt::<_, 2000>")]
    #[schema(
        example = "https://english.kyodonews.net/",
        format = "uri",
        max_length = 2000
    )]
    pub source_url: Option<String>,
    /// Breaking news (editors): until `breaking_until`, or for 12 hours without it.
    #[serde(default)]
    pub breaking: Option<bool>,
    /// When the article stops being breaking news (editors).
    #[serde(default)]
    pub breaking_until: Option<Timestamp>,
    /// On the homepage (editors).
    #[serde(default)]
    pub featured: Option<bool>,
    /// The homepage slot, smallest first (editors).
    #[serde(default)]
    #[validate(range(min = 0, max = 1000))]
    #[schema(minimum = 0, maximum = 1000, example = 1)]
    pub position: Option<i32>,
    /// The article this one translates; their `translations` then list each other.
    #[serde(default)]
    #[schema(example = 42)]
    pub translation_of: Option<i64>,
}

/// A change to an article. Absent fields stay as they are; `null` clears a nullable field
/// (`excerpt: null` goes back to the derived excerpt).
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticle {
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(min = 1, max = 300))]
    #[schema(min_length = 1, max_length = 300, pattern = r"\S")]
    pub title: Option<String>,
    /// A new slug; the old one keeps resolving with a 301.
    #[serde(default, deserialize_with = "line_opt::<_, 80>")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::slugs::article_slug")
    )]
    #[schema(value_type = Option<Slug>)]
    pub slug: Option<String>,
    #[serde(default, deserialize_with = "nullable_trimmed::<_, 1000>")]
    #[validate(length(max = 1000))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub excerpt: Option<Option<String>>,
    #[serde(default)]
    #[validate(length(min = 1, max = 200000))]
    #[schema(min_length = 1, max_length = 200000)]
    pub body: Option<String>,
    /// A new format for the body (sent alone, the current body is read in it). Absent: the
    /// article's current format.
    #[serde(default)]
    pub body_format: Option<BodyFormat>,
    #[serde(default)]
    pub status: Option<Status>,
    #[serde(default)]
    pub section_id: Option<i64>,
    #[serde(default)]
    #[validate(custom(function = "tag_list"))]
    #[schema(value_type = Option<Vec<TagName>>, max_items = 20)]
    pub tags: Option<Vec<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<FeaturedImage>)]
    pub featured_image: Option<Option<FeaturedImage>>,
    /// A media library item to feature; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, example = 12)]
    pub featured_media_id: Option<Option<i64>>,
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
    #[serde(default)]
    pub comments_open: Option<bool>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub published_at: Option<Option<Timestamp>>,
    /// The authors, in order, replacing the current list.
    #[serde(default)]
    #[validate(length(min = 1, max = 10))]
    #[schema(example = json!([7, 12]), min_items = 1, max_items = 10)]
    pub authors: Option<Vec<i64>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable_line::<_, 200>")]
    #[validate(length(max = 200))]
    #[schema(value_type = Option<String>, example = "خاص – القاهرة", max_length = 200)]
    pub byline: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable_line::<_, 100>")]
    #[validate(length(max = 100))]
    #[schema(value_type = Option<String>, example = "Kyodo", max_length = 100)]
    pub source: Option<Option<String>>,
    /// `null` clears it.
    #[serde(default, deserialize_with = "nullable_web_url::<_, 2000>")]
    #[schema(value_type = Option<String>, example = "https://english.kyodonews.net/", format = "uri", max_length = 2000)]
    pub source_url: Option<Option<String>>,
    /// Breaking news (editors): `true` until `breaking_until` (12 hours without it),
    /// `false` ends it.
    #[serde(default)]
    pub breaking: Option<bool>,
    /// When the article stops being breaking news (editors); `null` ends it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Timestamp>)]
    pub breaking_until: Option<Option<Timestamp>>,
    /// On the homepage (editors).
    #[serde(default)]
    pub featured: Option<bool>,
    /// The homepage slot, smallest first (editors); `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000, example = 1)]
    pub position: Option<Option<i32>>,
    /// The article this one translates; `null` unlinks it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>, example = 42)]
    pub translation_of: Option<Option<i64>>,
}

/// How a list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
pub enum Sort {
    /// Newest first (the default).
    #[default]
    #[serde(rename = "-published_at")]
    NewestFirst,
    #[serde(rename = "published_at")]
    OldestFirst,
    /// Recently changed first.
    #[serde(rename = "-updated_at")]
    RecentlyUpdated,
    #[serde(rename = "title")]
    Title,
    /// Best match first; the default when `q` is given, and only allowed with it.
    #[serde(rename = "relevance")]
    Relevance,
    /// Featured articles' homepage slots (`position`) first, smallest first; then newest.
    /// With `q`, best match first (the search index knows no slots).
    #[serde(rename = "position")]
    Position,
}

/// Which articles a list shows. Anonymous callers see published, due articles; staff may ask
/// for other statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum StatusFilter {
    Draft,
    Review,
    Published,
    Archived,
    /// Scheduled: published with a `published_at` still in the future.
    Scheduled,
    /// Every status the caller may see.
    Any,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleFilters {
    /// Full-text search over titles, excerpts, bodies and tags, the way readers type:
    /// with or without tashkeel, any alef form, with or without the article «ال».
    #[param(example = "التعاون الأمني", max_length = 200)]
    pub q: Option<String>,
    /// A section id or slug; its subsections are included.
    #[param(example = "الاقتصاد-والبنوك")]
    pub section: Option<String>,
    /// A tag name or slug (compared the way search compares words).
    #[param(example = "اليابان")]
    pub tag: Option<String>,
    /// An author's user id.
    pub author: Option<i64>,
    /// Staff only (with a token).
    #[param(inline)]
    pub status: Option<StatusFilter>,
    /// Published at or after this instant.
    pub published_after: Option<Timestamp>,
    /// Published before this instant.
    pub published_before: Option<Timestamp>,
    /// The order; `relevance` (the default with `q`) needs `q`.
    /// Only featured articles (`true`), or only the others.
    pub featured: Option<bool>,
    /// Only articles that are breaking news now (`true`), or only the others.
    pub breaking: Option<bool>,
    #[param(inline)]
    pub sort: Option<Sort>,
}

/// A BCP 47 language tag, as every `lang` field takes it.
pub(crate) fn language_tag(tag: &str) -> Result<(), ValidationError> {
    if crate::text::is_valid_language_tag(tag) {
        Ok(())
    } else {
        Err(ValidationError::new("lang")
            .with_message("must be a BCP 47 language tag such as `ar`, `ar-EG` or `en`".into()))
    }
}

/// Each tag as sent: 1 to 50 characters, not only spaces (the document's `TagName`), at
/// most 20 of them. Repeats are not an error: they are merged when stored.
fn tag_list(tags: &[String]) -> Result<(), ValidationError> {
    let fail = |message: String| Err(ValidationError::new("tags").with_message(message.into()));
    if tags.len() > MAX_TAGS {
        return fail(format!("at most {MAX_TAGS} tags"));
    }
    for tag in tags {
        if !(1..=50).contains(&tag.chars().count()) {
            return fail("each tag must be 1 to 50 characters".into());
        }
        if crate::http::input::is_blank(tag) {
            return fail("a tag cannot be blank".into());
        }
        if let Some(c) = first_disallowed(tag, Lines::One) {
            return fail(format!("each tag {}", describe(c)));
        }
    }
    Ok(())
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RelatedParams {
    /// How many (1 to 20).
    #[param(minimum = 1, maximum = 20, default = 5)]
    pub limit: Option<u32>,
}

/// Articles related to another, best first.
#[derive(Debug, Serialize, ToSchema)]
pub struct RelatedArticles {
    pub data: Vec<ArticleSummary>,
}
