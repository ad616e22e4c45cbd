//! Media rows, the article–media links, and the queries on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{article_media, articles, media};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: i64,
    pub uploader_id: Option<i64>,
    pub filename: String,
    pub blob_key: String,
    pub format: String,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub status: String,
    pub alt: String,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub lang: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub translations: String,
    pub renditions: String,
    pub placeholder: Option<String>,
    pub dominant_color: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = media)]
pub struct NewMedia<'a> {
    pub uploader_id: Option<i64>,
    pub filename: &'a str,
    pub blob_key: &'a str,
    pub format: &'a str,
    pub byte_size: i64,
    pub width: i32,
    pub height: i32,
    pub status: &'a str,
    pub alt: &'a str,
    pub caption: Option<&'a str>,
    pub credit: Option<&'a str>,
    pub lang: &'a str,
    pub focal_x: f64,
    pub focal_y: f64,
    pub translations: &'a str,
    pub renditions: &'a str,
    pub placeholder: Option<&'a str>,
    pub dominant_color: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A change; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = media)]
pub struct MediaChanges {
    pub alt: Option<String>,
    pub caption: Option<Option<String>>,
    pub credit: Option<Option<String>>,
    pub lang: Option<String>,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    pub translations: Option<String>,
    pub status: Option<String>,
    pub renditions: Option<String>,
    pub placeholder: Option<Option<String>>,
    pub dominant_color: Option<Option<String>>,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<MediaRow>> {
    media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<MediaRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    media::table
        .filter(media::id.eq_any(ids))
        .select(MediaRow::as_select())
        .load(conn)
}

pub fn insert(conn: &mut DbConnection, new: &NewMedia<'_>) -> QueryResult<MediaRow> {
    diesel::insert_into(media::table)
        .values(new)
        .returning(media::all_columns)
        .get_result(conn)
}

/// Applies a change if the row is still at `version`; `None` when it was not.
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    version: i64,
    changes: &MediaChanges,
    now: NaiveDateTime,
) -> QueryResult<Option<MediaRow>> {
    diesel::update(media::table.find(id).filter(media::version.eq(version)))
        .set((
            changes,
            media::version.eq(version + 1),
            media::updated_at.eq(now),
        ))
        .returning(media::all_columns)
        .get_result(conn)
        .optional()
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    diesel::delete(media::table.find(id)).execute(conn)
}

/// How many items share a folder of files (equal uploads do).
pub fn count_with_blob(conn: &mut DbConnection, blob_key: &str) -> QueryResult<i64> {
    media::table
        .filter(media::blob_key.eq(blob_key))
        .count()
        .get_result(conn)
}

/// The distinct file folders after `after`, in order, a page at a time (for `sahifa copy
/// --media-to`).
pub fn blob_keys_after(
    conn: &mut DbConnection,
    after: &str,
    limit: i64,
) -> QueryResult<Vec<String>> {
    media::table
        .select(media::blob_key)
        .filter(media::blob_key.gt(after))
        .distinct()
        .order(media::blob_key.asc())
        .limit(limit)
        .load(conn)
}

/// What the staff list filters on.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    /// Words looked for in alt, caption, credit and filename (each must appear somewhere).
    pub words: Vec<String>,
    pub format: Option<String>,
    pub uploader_id: Option<i64>,
    pub from: Option<NaiveDateTime>,
    pub to: Option<NaiveDateTime>,
}

pub fn list(
    conn: &mut DbConnection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<MediaRow>, i64)> {
    let query = || {
        let mut q = media::table.into_boxed::<crate::db::MultiBackend>();
        for word in &filter.words {
            let pattern = format!("%{}%", escape_like(word));
            q = q.filter(
                media::alt
                    .like(pattern.clone())
                    .escape('\\')
                    .or(media::caption.like(pattern.clone()).escape('\\'))
                    .or(media::credit.like(pattern.clone()).escape('\\'))
                    .or(media::filename.like(pattern.clone()).escape('\\'))
                    .or(media::translations.like(pattern).escape('\\')),
            );
        }
        if let Some(format) = &filter.format {
            q = q.filter(media::format.eq(format.clone()));
        }
        if let Some(uploader) = filter.uploader_id {
            q = q.filter(media::uploader_id.eq(uploader));
        }
        if let Some(from) = filter.from {
            q = q.filter(media::created_at.ge(from));
        }
        if let Some(to) = filter.to {
            q = q.filter(media::created_at.lt(to));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order(media::id.desc())
        .offset(offset)
        .limit(limit)
        .select(MediaRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

fn escape_like(word: &str) -> String {
    word.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// The ids of the articles that use an item, newest first.
pub fn usage(conn: &mut DbConnection, media_id: i64) -> QueryResult<Vec<i64>> {
    article_media::table
        .filter(article_media::media_id.eq(media_id))
        .order(article_media::article_id.desc())
        .select(article_media::article_id)
        .load(conn)
}

/// Replaces an article's links with `media_ids`.
pub fn link_article(
    conn: &mut DbConnection,
    article_id: i64,
    media_ids: &[i64],
) -> QueryResult<()> {
    diesel::delete(article_media::table.filter(article_media::article_id.eq(article_id)))
        .execute(conn)?;
    for media_id in media_ids {
        diesel::insert_into(article_media::table)
            .values((
                article_media::article_id.eq(article_id),
                article_media::media_id.eq(media_id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The articles whose featured image an item is.
pub fn featuring(conn: &mut DbConnection, media_id: i64) -> QueryResult<Vec<i64>> {
    articles::table
        .filter(articles::featured_media_id.eq(media_id))
        .select(articles::id)
        .load(conn)
}

/// Clears the featured media of the articles that show it (a forced delete).
pub fn unfeature(conn: &mut DbConnection, media_id: i64) -> QueryResult<usize> {
    diesel::update(articles::table.filter(articles::featured_media_id.eq(media_id)))
        .set(articles::featured_media_id.eq(None::<i64>))
        .execute(conn)
}
