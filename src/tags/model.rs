//! Tag rows, an article's tags, and counts.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{article_tags, articles, tags};
use crate::slugs::{self, Resource};

/// Finds the tag with `name`'s key, or creates it; returns its id.
///
/// Two articles written at once may both introduce the same new tag. On PostgreSQL the second
/// insert then meets the first's row in the unique index and fails; the insert runs in a
/// savepoint so that failure can be answered by reading the row the other writer committed.
/// (SQLite serializes writers, so it never races.)
fn find_or_create(conn: &mut DbConnection, name: &str, now: NaiveDateTime) -> QueryResult<i64> {
    let key = super::key(name);
    let existing = |conn: &mut DbConnection| {
        tags::table
            .filter(tags::key.eq(&key))
            .select(tags::id)
            .first::<i64>(conn)
            .optional()
    };
    if let Some(id) = existing(conn)? {
        return Ok(id);
    }
    let slug = slugs::usable(crate::text::slugify(name), Resource::Article);
    let inserted = conn.transaction(|conn| {
        diesel::insert_into(tags::table)
            .values((
                tags::name.eq(name),
                tags::key.eq(&key),
                tags::slug.eq(&slug),
                tags::created_at.eq(now),
            ))
            .returning(tags::id)
            .get_result(conn)
    });
    match inserted {
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => existing(conn)?.ok_or(diesel::result::Error::NotFound),
        other => other,
    }
}

/// Replaces an article's tags with `names` (already validated and deduplicated), in order.
pub fn set_for_article(
    conn: &mut DbConnection,
    article_id: i64,
    names: &[String],
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(article_id)))
        .execute(conn)?;
    for (position, name) in names.iter().enumerate() {
        let tag_id = find_or_create(conn, name, now)?;
        diesel::insert_into(article_tags::table)
            .values((
                article_tags::article_id.eq(article_id),
                article_tags::tag_id.eq(tag_id),
                article_tags::position.eq(position as i32),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The tag names of each article, in the order they were given.
/// `(id, slug)` of an article's tags.
pub fn of_article(conn: &mut DbConnection, article_id: i64) -> QueryResult<Vec<(i64, String)>> {
    article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq(article_id))
        .select((tags::id, tags::slug))
        .load(conn)
}

pub fn names_of(
    conn: &mut DbConnection,
    article_ids: &[i64],
) -> QueryResult<HashMap<i64, Vec<String>>> {
    let rows: Vec<(i64, String)> = article_tags::table
        .inner_join(tags::table)
        .filter(article_tags::article_id.eq_any(article_ids))
        .order((article_tags::article_id.asc(), article_tags::position.asc()))
        .select((article_tags::article_id, tags::name))
        .load(conn)?;
    let mut by_article: HashMap<i64, Vec<String>> = HashMap::new();
    for (article_id, name) in rows {
        by_article.entry(article_id).or_default().push(name);
    }
    Ok(by_article)
}

/// The id of the tag a filter value names (by name or slug, compared by key).
pub fn id_for(conn: &mut DbConnection, name_or_slug: &str) -> QueryResult<Option<i64>> {
    tags::table
        .filter(tags::key.eq(super::key(name_or_slug)))
        .select(tags::id)
        .first(conn)
        .optional()
}

/// A tag with how many published, due articles carry it.
#[derive(Debug, Queryable)]
pub struct TagCount {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub count: i64,
}

/// Tags on at least one visible article, most used first, with the total number of such tags.
pub fn visible_counts(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<TagCount>, i64)> {
    let visible = || {
        article_tags::table
            .inner_join(tags::table)
            .inner_join(articles::table)
            .filter(articles::status.eq("published"))
            .filter(articles::published_at.le(now))
    };
    let total: i64 = visible()
        .select(diesel::dsl::count(tags::id).aggregate_distinct())
        .get_result(conn)?;
    let rows = visible()
        .group_by((tags::id, tags::name, tags::slug))
        .select((tags::id, tags::name, tags::slug, diesel::dsl::count_star()))
        .order((diesel::dsl::count_star().desc(), tags::name.asc()))
        .offset(offset)
        .limit(limit)
        .load(conn)?;
    Ok((rows, total))
}

/// A tag's slug, by id.
pub fn slug_of(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    tags::table
        .find(id)
        .select(tags::slug)
        .first(conn)
        .optional()
}
