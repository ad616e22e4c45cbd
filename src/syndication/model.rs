//! The queries behind feeds and sitemaps. Each is a range over an index: the articles'
//! `(status, published_at)` index serves months and the last 48 hours, so a month's sitemap
//! costs one range scan however large the archive.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::articles::Status;
use crate::articles::model::SummaryRow;
use crate::db::schema::{articles, pages, sections};
use crate::db::{DbConnection, MultiBackend};

/// Published articles with `published_at` in `[from, to)`, oldest first: a range of the
/// `(status, published_at)` index.
fn published_in<'a>(
    from: NaiveDateTime,
    to: NaiveDateTime,
) -> articles::BoxedQuery<'a, MultiBackend> {
    articles::table
        .into_boxed()
        .filter(articles::status.eq(Status::Published.as_str()))
        .filter(articles::published_at.ge(from))
        .filter(articles::published_at.lt(to))
        .order((articles::published_at.asc(), articles::id.asc()))
}

/// Published, due articles with `published_at` in `[from, to)`, oldest first, skipping
/// `offset` and at most `limit`.
pub fn published_between(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<SummaryRow>> {
    published_in(from, to)
        .offset(offset)
        .limit(limit)
        .select(SummaryRow::as_select())
        .load(conn)
}

/// Whether a published article has `published_at` in `[from, to)` at position `offset`
/// (0: any at all), by the same index.
pub fn has_published_between(
    conn: &mut DbConnection,
    from: NaiveDateTime,
    to: NaiveDateTime,
    offset: i64,
) -> QueryResult<bool> {
    published_in(from, to)
        .offset(offset)
        .select(articles::id)
        .first::<i64>(conn)
        .optional()
        .map(|found| found.is_some())
}

/// The first and last `published_at` of published articles due by `now`.
pub fn published_span(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<(NaiveDateTime, NaiveDateTime)>> {
    let visible = || {
        articles::table
            .filter(articles::status.eq(Status::Published.as_str()))
            .filter(articles::published_at.le(now))
    };
    let first: Option<NaiveDateTime> = visible()
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)?;
    let last: Option<NaiveDateTime> = visible()
        .select(diesel::dsl::max(articles::published_at))
        .first(conn)?;
    Ok(first.zip(last))
}

/// `(id, slug, updated_at)` of every section.
pub fn sections(conn: &mut DbConnection) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    sections::table
        .order(sections::id.asc())
        .select((sections::id, sections::slug, sections::updated_at))
        .load(conn)
}

/// `(id, slug, updated_at)` of published pages.
pub fn published_pages(
    conn: &mut DbConnection,
    limit: i64,
) -> QueryResult<Vec<(i64, String, NaiveDateTime)>> {
    pages::table
        .filter(pages::status.eq("published"))
        .order(pages::id.asc())
        .limit(limit)
        .select((pages::id, pages::slug, pages::updated_at))
        .load(conn)
}
