//! What the comment endpoints read and write.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::model::{CommentRow, CommentStatus};
use crate::http::input::{line, line_opt, trimmed};
use crate::time::Timestamp;

/// A comment as readers see it. There is deliberately no field for the email or address.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicComment {
    #[schema(example = 12)]
    pub id: i64,
    /// The comment this one replies to; build threads from it.
    pub parent_id: Option<i64>,
    #[schema(example = "سارة")]
    pub author_name: String,
    /// Plain text, as written.
    #[schema(example = "تحليل ممتاز.\nشكراً للكاتب.")]
    pub body: String,
    /// The body escaped for HTML, line breaks kept (`<p>`, `<br>`).
    #[schema(example = "<p>تحليل ممتاز.<br>شكراً للكاتب.</p>")]
    pub body_html: String,
    pub created_at: Timestamp,
}

impl From<&CommentRow> for PublicComment {
    fn from(row: &CommentRow) -> Self {
        Self {
            id: row.id,
            parent_id: row.parent_id,
            author_name: row.author_name.clone(),
            body: row.body.clone(),
            body_html: crate::text::html::paragraphs(&row.body),
            created_at: row.created_at.into(),
        }
    }
}

/// A reader's comment. "Your email address will not be published; required fields are
/// marked *": name, email and body are required.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitComment {
    #[serde(deserialize_with = "line::<_, 100>")]
    #[validate(length(min = 1, max = 100))]
    #[schema(example = "سارة", min_length = 1, max_length = 100, pattern = r"\S")]
    pub author_name: String,
    /// Never published.
    #[serde(deserialize_with = "line::<_, 254>")]
    #[validate(email, length(max = 254))]
    #[schema(example = "sara@example.com", format = Email, max_length = 254)]
    pub author_email: String,
    /// Plain text; line breaks are kept.
    #[serde(deserialize_with = "trimmed::<_, 5000>")]
    #[validate(length(min = 1, max = 5000))]
    #[schema(
        example = "تحليل ممتاز، شكراً للكاتب.",
        min_length = 1,
        max_length = 5000,
        pattern = r"\S"
    )]
    pub body: String,
    /// Reply to this approved comment of the same article.
    #[serde(default)]
    pub parent_id: Option<i64>,
    /// Leave empty. A hidden form field: only bots fill it in.
    #[serde(default, deserialize_with = "line_opt::<_, 500>")]
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub website: Option<String>,
}

/// A comment received and waiting for moderation.
#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    #[schema(example = 12)]
    pub id: i64,
    /// Always `pending`: a comment is published once an editor approves it.
    pub status: CommentStatus,
}

/// The article a comment belongs to, in the moderation view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommentArticle {
    pub id: i64,
    pub title: String,
    pub slug: String,
}

/// A comment as moderators see it, with the commenter's email and address.
#[derive(Debug, Serialize, ToSchema)]
pub struct StaffComment {
    pub id: i64,
    pub article: CommentArticle,
    pub parent_id: Option<i64>,
    /// 0 for a top-level comment.
    pub depth: i32,
    pub author_name: String,
    #[schema(format = Email)]
    pub author_email: String,
    /// The address the comment came from, when known.
    pub client_ip: Option<String>,
    /// The commenter's website, as an import brought it (native comments have none).
    pub author_url: Option<String>,
    pub body: String,
    pub status: CommentStatus,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl StaffComment {
    pub fn new(row: &CommentRow, article: CommentArticle) -> Self {
        Self {
            id: row.id,
            article,
            parent_id: row.parent_id,
            depth: row.depth,
            author_name: row.author_name.clone(),
            author_email: row.author_email.clone(),
            client_ip: row.client_ip.clone(),
            author_url: row.author_url.clone(),
            body: row.body.clone(),
            status: row.status(),
            created_at: row.created_at.into(),
            updated_at: row.updated_at.into(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Moderate {
    pub status: CommentStatus,
}

/// Many comments moved to one status at once, all or nothing.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkModerate {
    #[validate(length(min = 1, max = 100))]
    #[schema(example = json!([12, 13, 14]), min_items = 1, max_items = 100)]
    pub ids: Vec<i64>,
    pub status: CommentStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BulkResult {
    /// How many comments changed status (the others already had it).
    #[schema(example = 3)]
    pub updated: usize,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueFilters {
    /// Only comments with this status.
    #[param(inline)]
    pub status: Option<CommentStatus>,
    /// Only comments on this article (id or slug).
    pub article: Option<String>,
}
