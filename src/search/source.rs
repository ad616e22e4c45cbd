//! Reading articles from the store as the index sees them ([`Article`]).

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::fields::Article;
use crate::db::DbConnection;
use crate::db::schema::{article_tags, articles, tags};

type Row = (
    i64,
    String,
    String,
    String,
    String,
    Option<NaiveDateTime>,
    NaiveDateTime,
    i64,
    i64,
    i64,
);

fn columns() -> (
    articles::id,
    articles::title,
    articles::excerpt,
    articles::body,
    articles::status,
    articles::published_at,
    articles::updated_at,
    articles::section_id,
    articles::author_id,
    articles::version,
) {
    (
        articles::id,
        articles::title,
        articles::excerpt,
        articles::body,
        articles::status,
        articles::published_at,
        articles::updated_at,
        articles::section_id,
        articles::author_id,
        articles::version,
    )
}

/// The articles among `ids` that exist (a deleted one is simply absent).
pub fn articles(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<Article>> {
    let mut rows = Vec::with_capacity(ids.len());
    // Bounded IN lists: SQLite allows at most 32,766 parameters per statement.
    for chunk in ids.chunks(1000) {
        rows.extend(
            articles::table
                .filter(articles::id.eq_any(chunk))
                .select(columns())
                .load::<Row>(conn)?,
        );
    }
    with_tags(conn, rows)
}

/// Up to `limit` articles with ids above `after`, in id order (a full build reads the store
/// batch by batch).
pub fn batch_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<Article>> {
    let rows = articles::table
        .filter(articles::id.gt(after))
        .order(articles::id.asc())
        .limit(limit)
        .select(columns())
        .load::<Row>(conn)?;
    with_tags(conn, rows)
}

fn with_tags(conn: &mut DbConnection, rows: Vec<Row>) -> QueryResult<Vec<Article>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let mut tags_of: HashMap<i64, Vec<(i64, String)>> = HashMap::new();
    for chunk in ids.chunks(1000) {
        let pairs: Vec<(i64, i64, String)> = article_tags::table
            .inner_join(tags::table)
            .filter(article_tags::article_id.eq_any(chunk))
            .order((article_tags::article_id, article_tags::position))
            .select((article_tags::article_id, tags::id, tags::name))
            .load(conn)?;
        for (article, tag, name) in pairs {
            tags_of.entry(article).or_default().push((tag, name));
        }
    }
    Ok(rows
        .into_iter()
        .map(
            |(
                id,
                title,
                excerpt,
                body,
                status,
                published_at,
                updated_at,
                section_id,
                author_id,
                version,
            )| {
                let (tag_ids, tags) = tags_of.remove(&id).unwrap_or_default().into_iter().unzip();
                Article {
                    id,
                    title,
                    excerpt,
                    body: crate::text::plain_text(&body),
                    tags,
                    tag_ids,
                    status,
                    published_at: published_at.map(micros),
                    updated_at: micros(updated_at),
                    section_id,
                    author_id,
                    version,
                }
            },
        )
        .collect())
}

/// A time as the index stores it: microseconds since the epoch (UTC).
pub fn micros(at: NaiveDateTime) -> i64 {
    at.and_utc().timestamp_micros()
}
