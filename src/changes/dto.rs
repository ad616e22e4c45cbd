//! What the changes feed answers.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::time::Timestamp;

/// What changed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Resource {
    Article,
    Section,
    Page,
    Tag,
}

/// How readers' view of it changed.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// Readers see it for the first time (published, or a scheduled article fell due).
    Created,
    /// Readers saw it and it changed: fetch it again.
    Updated,
    /// Readers no longer see it (unpublished, archived): remove its page.
    Unpublished,
    /// It is gone: remove its page (a tombstone).
    Deleted,
}

/// One change, in commit order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Change {
    pub resource: Resource,
    #[schema(example = 42)]
    pub id: i64,
    pub action: Action,
    /// The slug at the time of the change.
    #[schema(example = "قمة-الخليج")]
    pub slug: String,
    /// Its page on the public site at the time of the change (a tombstone's page to remove);
    /// null when no public URL was configured.
    #[schema(format = "uri")]
    pub url: Option<String>,
    pub changed_at: Timestamp,
    /// Resuming from here lists the changes after this one.
    pub cursor: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesMeta {
    /// Where to resume: after the last change listed, or where `since` was when nothing is
    /// new. Keep it for the next build.
    pub next_cursor: String,
    /// Whether more changes follow at once (fetch again with `next_cursor`).
    pub has_more: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ChangesPage {
    pub data: Vec<Change>,
    pub meta: ChangesMeta,
    /// False when entries after these were held back (PostgreSQL: written by a transaction
    /// that was still running): the answer must not be kept by any cache.
    #[serde(skip)]
    pub complete: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChangesParams {
    /// A cursor from an earlier answer (`meta.next_cursor` or a change's `cursor`); absent:
    /// from the beginning. Only cursors this database made are accepted (422 otherwise).
    #[param(
        pattern = "^[A-Za-z0-9_-]{44}$",
        example = "AQAAAAAAAAAAAAAAAAAAACSJfhO6-uljf0r8Zfiy0LAG"
    )]
    pub since: Option<String>,
    /// At most this many changes (1 to 1,000; 100 by default).
    #[param(minimum = 1, maximum = 1000, example = 100)]
    pub limit: Option<i64>,
}
