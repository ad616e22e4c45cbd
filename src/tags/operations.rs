//! What can be done with tags: list the ones readers can see. Tags are written through
//! their articles (`articles::operations`).

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::dto::Tag;
use super::model;
use crate::db::DbConnection;
use crate::http::pagination::Page;

/// Tags on at least one visible article, most used first, with the total.
pub fn list(c: &mut DbConnection, page: Page, now: NaiveDateTime) -> QueryResult<(Vec<Tag>, u64)> {
    let (rows, total) = model::visible_counts(c, now, page.offset(), page.limit())?;
    let site = crate::links::current();
    let tags = rows
        .into_iter()
        .map(|t| Tag {
            id: t.id,
            url: site.tag_url(t.id, &t.slug),
            name: t.name,
            slug: t.slug,
            article_count: t.count,
        })
        .collect();
    Ok((tags, total as u64))
}
