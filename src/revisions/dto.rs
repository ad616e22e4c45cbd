//! Revisions' wire types.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::diff::DiffOp;
use super::model::RevisionRow;
use crate::time::Timestamp;

/// A revision: what the article or page was after one save.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    #[schema(example = 120)]
    pub id: i64,
    /// Who saved it (`null` for an import).
    #[schema(example = 7)]
    pub editor_id: Option<i64>,
    /// When.
    pub created_at: Timestamp,
    /// The title then, for lists.
    #[schema(example = "طوكيو وواشنطن تبحثان توسيع التعاون الأمني")]
    pub title: String,
    /// Every editable field as it was (the fields of the resource's PATCH body, plus
    /// `status` and `published_at`). Lists leave it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub fields: Option<serde_json::Value>,
}

impl Revision {
    pub fn new(row: &RevisionRow, with_fields: bool) -> Self {
        let fields: serde_json::Value = serde_json::from_str(&row.snapshot).unwrap_or_default();
        Self {
            id: row.id,
            editor_id: row.editor_id,
            created_at: row.created_at.into(),
            title: fields["title"].as_str().unwrap_or_default().to_owned(),
            fields: with_fields.then_some(fields),
        }
    }
}

/// Which two revisions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The older revision.
    pub from: i64,
    /// The newer revision.
    pub to: i64,
}

/// What changed between two revisions.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDiff {
    pub from: i64,
    pub to: i64,
    /// The names of the fields that differ.
    #[schema(example = json!(["title", "body"]))]
    pub changed: Vec<String>,
    /// The title, word by word.
    pub title: Vec<DiffOp>,
    /// The body (its source), word by word.
    pub body: Vec<DiffOp>,
    /// True when the only change to the text (title and body) is in Arabic diacritics.
    pub tashkeel_only: bool,
}
