//! What the media endpoints read and write, and the media object articles carry.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::model::MediaRow;
use crate::articles::dto::language_tag;
use crate::http::formats::LanguageTag;
use crate::http::input::{line, line_opt, nullable_line, nullable_trimmed, trimmed_opt};
use crate::time::Timestamp;

/// Where rendition URLs point.
#[derive(Debug, Clone)]
pub struct Urls {
    /// `SAHIFA_MEDIA_PUBLIC_URL` (a CDN or the bucket), else `/media`, served by Sahifa.
    pub base: String,
}

/// The base of the URLs articles show, set by the server at start from its configuration
/// (articles are built far from the media service; the setting is one per process).
static PUBLIC_BASE: std::sync::RwLock<String> = std::sync::RwLock::new(String::new());

impl Urls {
    /// Makes `base` the one articles show.
    pub fn make_public(base: &str) {
        if let Ok(mut current) = PUBLIC_BASE.write() {
            *current = base.to_owned();
        }
    }

    /// The URLs articles show: the configured base, else `/media` on this server.
    pub fn public() -> Self {
        let base = PUBLIC_BASE.read().map(|b| b.clone()).unwrap_or_default();
        Self {
            base: if base.is_empty() {
                "/media".into()
            } else {
                base
            },
        }
    }

    pub fn file(&self, blob_key: &str, name: &str) -> String {
        format!("{}/{blob_key}/{name}", self.base.trim_end_matches('/'))
    }
}

/// A point of interest in the image, as fractions of its width and height from the top
/// left: crops keep it in view.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FocalPoint {
    #[validate(range(min = 0.0, max = 1.0))]
    #[schema(example = 0.5, minimum = 0.0, maximum = 1.0)]
    pub x: f64,
    #[validate(range(min = 0.0, max = 1.0))]
    #[schema(example = 0.35, minimum = 0.0, maximum = 1.0)]
    pub y: f64,
}

/// Alt text and caption in one more language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Translation {
    /// BCP 47 tag of the language.
    #[serde(deserialize_with = "line::<_, 64>")]
    #[validate(custom(function = "language_tag"))]
    #[schema(value_type = LanguageTag)]
    pub lang: String,
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(max = 300))]
    #[schema(example = "The defence ministers in Tokyo", max_length = 300)]
    pub alt: Option<String>,
    #[serde(default, deserialize_with = "trimmed_opt::<_, 1000>")]
    #[validate(length(max = 1000))]
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
}

/// A translation as stored, by language.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct StoredText {
    pub alt: Option<String>,
    pub caption: Option<String>,
}

/// One file made from an upload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Rendition {
    /// Unguessable, and never changes content: cache it forever.
    #[schema(example = "/media/3f2a…/w640.webp")]
    pub url: String,
    #[schema(example = 640)]
    pub width: u32,
    #[schema(example = 427)]
    pub height: u32,
    /// `webp`, or the source's format (`jpeg`, `png`, `gif`).
    #[schema(example = "webp")]
    pub format: String,
    /// Size of the file in bytes.
    pub bytes: u64,
    /// For crops around the focal point: `16x9`, `4x3` or `1x1`.
    pub crop: Option<String>,
}

/// A rendition as stored in the row (the URL is made when shown).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredRendition {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub format: String,
    pub bytes: u64,
    pub crop: Option<String>,
}

/// `processing` until the renditions exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaStatus {
    Processing,
    Ready,
    Failed,
}

/// A media item, as staff see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Media {
    #[schema(example = 12)]
    pub id: i64,
    pub status: MediaStatus,
    #[schema(example = "tokyo.jpg")]
    pub filename: String,
    /// Sniffed from the bytes: `jpeg`, `png`, `webp` or `gif`.
    #[schema(example = "jpeg")]
    pub format: String,
    #[schema(example = "image/jpeg")]
    pub mime_type: String,
    /// Size of the upload in bytes.
    pub bytes: i64,
    /// After the EXIF orientation was applied.
    #[schema(example = 4000)]
    pub width: i32,
    #[schema(example = 2667)]
    pub height: i32,
    #[schema(example = "وزيرا الدفاع في طوكيو")]
    pub alt: String,
    pub caption: Option<String>,
    #[schema(example = "رويترز")]
    pub credit: Option<String>,
    /// The language of `alt` and `caption`.
    #[schema(example = "ar")]
    pub lang: String,
    pub focal_point: FocalPoint,
    /// `alt` and `caption` in other languages.
    pub translations: Vec<Translation>,
    pub uploader_id: Option<i64>,
    /// A BlurHash of the image, to draw while it loads.
    #[schema(example = "LEHV6nWB2yk8pyo0adR*.7kCMdnj")]
    pub placeholder: Option<String>,
    #[schema(example = "#6a7b8c")]
    pub dominant_color: Option<String>,
    /// The cleaned original: the uploaded pixels, oriented, without any metadata.
    pub original: Rendition,
    /// Empty while `processing`.
    pub renditions: Vec<Rendition>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// A media item as an article shows it: alt, caption and credit in the article's language
/// when present.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaView {
    #[schema(example = 12)]
    pub id: i64,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub width: i32,
    pub height: i32,
    pub focal_point: FocalPoint,
    pub placeholder: Option<String>,
    pub dominant_color: Option<String>,
    pub renditions: Vec<Rendition>,
}

pub fn status(row: &MediaRow) -> MediaStatus {
    match row.status.as_str() {
        "ready" => MediaStatus::Ready,
        "failed" => MediaStatus::Failed,
        _ => MediaStatus::Processing,
    }
}

pub fn translations(row: &MediaRow) -> BTreeMap<String, StoredText> {
    serde_json::from_str(&row.translations).unwrap_or_default()
}

fn wire_translations(row: &MediaRow) -> Vec<Translation> {
    translations(row)
        .into_iter()
        .map(|(lang, text)| Translation {
            lang,
            alt: text.alt,
            caption: text.caption,
        })
        .collect()
}

pub fn stored_renditions(row: &MediaRow) -> Vec<StoredRendition> {
    serde_json::from_str(&row.renditions).unwrap_or_default()
}

/// The renditions (`original.*` apart) or, with `original`, only the original.
fn renditions(row: &MediaRow, urls: &Urls, original: bool) -> Vec<Rendition> {
    stored_renditions(row)
        .into_iter()
        .filter(|r| r.name.starts_with("original.") == original)
        .map(|r| Rendition {
            url: urls.file(&row.blob_key, &r.name),
            width: r.width,
            height: r.height,
            format: r.format,
            bytes: r.bytes,
            crop: r.crop,
        })
        .collect()
}

impl Media {
    pub fn new(row: &MediaRow, urls: &Urls) -> Self {
        let format = super::processing::Format::parse(&row.format);
        let extension = format.map_or("bin", |f| f.extension());
        Self {
            id: row.id,
            status: status(row),
            filename: row.filename.clone(),
            format: row.format.clone(),
            mime_type: format
                .map_or("application/octet-stream", |f| f.mime())
                .into(),
            bytes: row.byte_size,
            width: row.width,
            height: row.height,
            alt: row.alt.clone(),
            caption: row.caption.clone(),
            credit: row.credit.clone(),
            lang: row.lang.clone(),
            focal_point: FocalPoint {
                x: row.focal_x,
                y: row.focal_y,
            },
            translations: wire_translations(row),
            uploader_id: row.uploader_id,
            placeholder: row.placeholder.clone(),
            dominant_color: row.dominant_color.clone(),
            original: renditions(row, urls, true)
                .pop()
                .unwrap_or_else(|| Rendition {
                    url: urls.file(&row.blob_key, &format!("original.{extension}")),
                    width: row.width as u32,
                    height: row.height as u32,
                    format: row.format.clone(),
                    bytes: 0,
                    crop: None,
                }),
            renditions: renditions(row, urls, false),
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

impl MediaView {
    /// The item in `lang`: its own text when `lang` is its language (or has no
    /// translation), else the translation's, field by field.
    pub fn new(row: &MediaRow, urls: &Urls, lang: &str) -> Self {
        let primary = |tag: &str| tag.split('-').next().unwrap_or(tag).to_ascii_lowercase();
        let translation = if primary(&row.lang) == primary(lang) {
            StoredText::default()
        } else {
            let all = translations(row);
            let exact = all.iter().find(|(tag, _)| tag.eq_ignore_ascii_case(lang));
            exact
                .or_else(|| all.iter().find(|(tag, _)| primary(tag) == primary(lang)))
                .map(|(_, t)| t.clone())
                .unwrap_or_default()
        };
        Self {
            id: row.id,
            alt: translation.alt.unwrap_or_else(|| row.alt.clone()),
            caption: translation.caption.or_else(|| row.caption.clone()),
            credit: row.credit.clone(),
            width: row.width,
            height: row.height,
            focal_point: FocalPoint {
                x: row.focal_x,
                y: row.focal_y,
            },
            placeholder: row.placeholder.clone(),
            dominant_color: row.dominant_color.clone(),
            renditions: renditions(row, urls, false),
        }
    }
}

/// The text fields of an upload (multipart parts, or query parameters of a raw upload).
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadFields {
    /// The file's name (raw uploads; a multipart part carries its own).
    #[serde(default, deserialize_with = "line_opt::<_, 255>")]
    #[validate(length(max = 255))]
    #[param(max_length = 255)]
    pub filename: Option<String>,
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(max = 300))]
    #[param(max_length = 300)]
    pub alt: Option<String>,
    #[serde(default, deserialize_with = "trimmed_opt::<_, 1000>")]
    #[validate(length(max = 1000))]
    #[param(max_length = 1000)]
    pub caption: Option<String>,
    /// When absent, the copyright or artist embedded in the file, if any.
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(max = 300))]
    #[param(max_length = 300)]
    pub credit: Option<String>,
    /// BCP 47 tag of `alt` and `caption`; defaults to `ar`.
    #[serde(default, deserialize_with = "line_opt::<_, 64>")]
    #[validate(custom(function = "language_tag"))]
    #[param(value_type = Option<LanguageTag>)]
    pub lang: Option<String>,
    /// Focal point, 0 to 1 from the left; defaults to 0.5.
    #[serde(default)]
    #[validate(range(min = 0.0, max = 1.0))]
    #[param(minimum = 0.0, maximum = 1.0)]
    pub focal_x: Option<f64>,
    /// Focal point, 0 to 1 from the top; defaults to 0.5.
    #[serde(default)]
    #[validate(range(min = 0.0, max = 1.0))]
    #[param(minimum = 0.0, maximum = 1.0)]
    pub focal_y: Option<f64>,
}

/// A multipart upload, for the OpenAPI document (the server reads the parts itself, so the
/// fields are never read from this type).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The image: JPEG, PNG, WebP or GIF (first frame), judged by its bytes.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    #[schema(max_length = 300)]
    pub alt: Option<String>,
    #[schema(max_length = 1000)]
    pub caption: Option<String>,
    #[schema(max_length = 300)]
    pub credit: Option<String>,
    #[schema(value_type = Option<LanguageTag>)]
    pub lang: Option<String>,
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub focal_x: Option<f64>,
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub focal_y: Option<f64>,
}

/// A change to an item's text or focal point. Absent fields stay as they are; `null` clears
/// `caption` or `credit`.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMedia {
    #[serde(default, deserialize_with = "line_opt::<_, 300>")]
    #[validate(length(max = 300))]
    #[schema(max_length = 300)]
    pub alt: Option<String>,
    #[serde(default, deserialize_with = "nullable_trimmed::<_, 1000>")]
    #[validate(length(max = 1000))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub caption: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable_line::<_, 300>")]
    #[validate(length(max = 300))]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub credit: Option<Option<String>>,
    #[serde(default, deserialize_with = "line_opt::<_, 64>")]
    #[validate(custom(function = "language_tag"))]
    #[schema(value_type = Option<LanguageTag>)]
    pub lang: Option<String>,
    #[serde(default)]
    #[validate(nested)]
    pub focal_point: Option<FocalPoint>,
    /// Merged into the stored ones by `lang`. A translation without alt and caption removes
    /// that language.
    #[serde(default)]
    #[validate(length(max = 20), nested)]
    #[schema(max_items = 20)]
    pub translations: Option<Vec<Translation>>,
}

/// The staff list's filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MediaQuery {
    /// Words found in alt, caption (any language), credit or filename.
    #[serde(default, deserialize_with = "line_opt::<_, 200>")]
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// `jpeg`, `png`, `webp` or `gif`.
    #[serde(default, rename = "type")]
    #[param(rename = "type", inline)]
    pub format: Option<MediaFormat>,
    pub uploader: Option<i64>,
    /// Uploaded at or after.
    pub from: Option<Timestamp>,
    /// Uploaded before.
    pub to: Option<Timestamp>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 10000, default = 1)]
    pub page: Option<u32>,
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<u32>,
}

/// The accepted formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MediaFormat {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl MediaFormat {
    pub fn name(self) -> &'static str {
        match self {
            Self::Jpeg => "jpeg",
            Self::Png => "png",
            Self::Webp => "webp",
            Self::Gif => "gif",
        }
    }
}

/// `?force=true` deletes an item articles still use (they lose it).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeleteParams {
    #[serde(default)]
    pub force: bool,
}

/// An article that uses an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaUse {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub status: crate::articles::Status,
    /// Whether it is the article's featured image (else it is inline in its body).
    pub featured: bool,
}
