//! Reading the changes feed.

use super::cursor::CursorKey;
use super::dto::{Action, Change, ChangesMeta, ChangesPage, Resource};
use super::model;
use crate::db::DbConnection;
use crate::http::ApiError;

pub const DEFAULT_LIMIT: i64 = 100;
pub const MAX_LIMIT: i64 = 1000;

/// The changes after `since` (from the beginning without it), at most `limit`.
pub fn list(
    c: &mut DbConnection,
    key: &CursorKey,
    since: Option<&str>,
    limit: Option<i64>,
) -> Result<ChangesPage, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        ));
    }
    let position = match since {
        None => (0, 0),
        Some(cursor) => key.decode(cursor).ok_or_else(|| {
            ApiError::invalid(
                "since",
                "not a cursor of this database: it was altered, or comes from another one \
                 (start over without `since`)",
            )
        })?,
    };
    let horizon = model::horizon(c)?;
    let mut rows = model::after(c, position, horizon, limit + 1)?;
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let last = rows.last().map_or(position, |r| (r.tx, r.seq));
    // Only a complete answer may be kept by caches: one cut short by a running transaction
    // changes when that transaction ends, which may announce nothing to the caches.
    let complete = has_more || !model::held_back(c, horizon)?;
    let data = rows
        .into_iter()
        .map(|row| Change {
            cursor: key.encode((row.tx, row.seq)),
            resource: match row.resource.as_str() {
                "section" => Resource::Section,
                "page" => Resource::Page,
                "tag" => Resource::Tag,
                _ => Resource::Article,
            },
            id: row.resource_id,
            action: match row.action.as_str() {
                "created" => Action::Created,
                "unpublished" => Action::Unpublished,
                "deleted" => Action::Deleted,
                _ => Action::Updated,
            },
            slug: row.slug,
            url: row.url,
            changed_at: row.changed_at.into(),
        })
        .collect();
    Ok(ChangesPage {
        data,
        meta: ChangesMeta {
            next_cursor: key.encode(last),
            has_more,
        },
        complete,
    })
}
