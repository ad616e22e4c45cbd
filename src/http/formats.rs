//! Named string formats for the OpenAPI document, for rules the server checks in code: the
//! document states them as patterns, so a client (or a contract fuzzer) validating against it
//! agrees with the server about every value. Each pattern is the same constant the check is
//! tested against.

use std::borrow::Cow;

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::{PartialSchema, ToSchema};

macro_rules! string_format {
    ($(#[$doc:meta])* $name:ident, $description:expr, $build:expr) => {
        $(#[$doc])*
        pub struct $name;

        impl PartialSchema for $name {
            fn schema() -> RefOr<Schema> {
                let builder = ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some($description));
                let build: fn(ObjectBuilder) -> ObjectBuilder = $build;
                RefOr::T(Schema::Object(build(builder).build()))
            }
        }

        impl ToSchema for $name {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }
        }
    };
}

string_format!(
    /// A slug given explicitly.
    Slug,
    "A URL slug: lower-case Latin letters, digits and Arabic letters (no tashkeel or \
     tatweel) in runs joined by single hyphens; not only digits (that would read as an id).",
    |b| b
        .min_length(Some(1))
        .max_length(Some(crate::text::MAX_SLUG_CHARS))
        .pattern(Some(crate::slugs::SLUG_PATTERN))
        .examples([serde_json::json!("الاقتصاد-والبنوك")])
);

string_format!(
    /// A BCP 47 language tag.
    LanguageTag,
    "A well-formed BCP 47 language tag (`ar`, `ar-EG`, `en`, `zh-Hant-TW`); its direction \
     (`dir`) is derived from it.",
    |b| b
        .min_length(Some(2))
        .max_length(Some(64))
        .pattern(Some(crate::text::lang::LANGUAGE_TAG_PATTERN))
        .examples([serde_json::json!("ar")])
);

string_format!(
    /// A tag as written on an article.
    TagName,
    "A tag: 1 to 50 characters, not only spaces. Tags that normalize alike (الأمن / الامن) \
     are one tag, written as first given; a tag of punctuation alone is dropped.",
    |b| b
        .min_length(Some(1))
        .max_length(Some(50))
        .pattern(Some(r"\S"))
        .examples([serde_json::json!("اليابان")])
);
