//! What an article credits and links to: its authors in byline order, the corrections
//! editors append to it, and its translations.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::dto::Correction;
use super::model::SummaryRow;
use crate::articles::Status;
use crate::db::DbConnection;
use crate::db::schema::{
    article_authors, article_corrections, article_translations, articles, users,
};
use crate::http::ApiError;

/// Authors of each article in `ids`, in order; articles without rows are left out (their
/// creator is then the byline).
pub fn authors_of(c: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, Vec<i64>>> {
    let rows: Vec<(i64, i64)> = article_authors::table
        .filter(article_authors::article_id.eq_any(ids))
        .order((article_authors::article_id, article_authors::position))
        .select((article_authors::article_id, article_authors::user_id))
        .load(c)?;
    let mut out: HashMap<i64, Vec<i64>> = HashMap::new();
    for (article, user) in rows {
        out.entry(article).or_default().push(user);
    }
    Ok(out)
}

/// Replaces an article's authors. Each must be an active staff account, named once.
pub fn set_authors(c: &mut DbConnection, article_id: i64, authors: &[i64]) -> Result<(), ApiError> {
    let mut seen = authors.to_vec();
    seen.sort_unstable();
    seen.dedup();
    if seen.len() != authors.len() {
        return Err(ApiError::invalid("authors", "names an author twice"));
    }
    let active: i64 = users::table
        .filter(users::id.eq_any(authors))
        .filter(users::active.eq(true))
        .count()
        .get_result(c)?;
    if active != authors.len() as i64 {
        return Err(ApiError::invalid(
            "authors",
            "every author must be an active staff account",
        ));
    }
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(article_id)))
        .execute(c)?;
    // One insert per author: batch inserts do not exist on the store-agnostic connection.
    for (position, user) in authors.iter().enumerate() {
        diesel::insert_into(article_authors::table)
            .values((
                article_authors::article_id.eq(article_id),
                article_authors::user_id.eq(*user),
                article_authors::position.eq(position as i32),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// Whether `user` is among an article's authors.
pub fn is_author(c: &mut DbConnection, article_id: i64, user: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        article_authors::table
            .filter(article_authors::article_id.eq(article_id))
            .filter(article_authors::user_id.eq(user)),
    ))
    .get_result(c)
}

/// An article's corrections, oldest first.
pub fn corrections_of(c: &mut DbConnection, article_id: i64) -> QueryResult<Vec<Correction>> {
    let rows: Vec<(i64, String, NaiveDateTime)> = article_corrections::table
        .filter(article_corrections::article_id.eq(article_id))
        .order(article_corrections::id)
        .select((
            article_corrections::id,
            article_corrections::note,
            article_corrections::created_at,
        ))
        .load(c)?;
    Ok(rows
        .into_iter()
        .map(|(id, note, at)| Correction {
            id,
            note,
            date: at.into(),
        })
        .collect())
}

pub fn insert_correction(
    c: &mut DbConnection,
    article_id: i64,
    note: &str,
    editor: i64,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(article_corrections::table)
        .values((
            article_corrections::article_id.eq(article_id),
            article_corrections::note.eq(note),
            article_corrections::editor_id.eq(editor),
            article_corrections::created_at.eq(now),
        ))
        .returning(article_corrections::id)
        .get_result(c)
}

/// The article `id` translates, if any.
pub fn original_of(c: &mut DbConnection, id: i64) -> QueryResult<Option<i64>> {
    article_translations::table
        .find(id)
        .select(article_translations::original_id)
        .first(c)
        .optional()
}

/// Links `id` to the group of `original` (or unlinks it). Groups stay one level deep: naming
/// a translation links to the article it translates.
pub fn set_original(c: &mut DbConnection, id: i64, original: Option<i64>) -> Result<(), ApiError> {
    let root = match original {
        Some(original) => Some(original_of(c, original)?.unwrap_or(original)),
        None => None,
    };
    let exists = match root {
        Some(root) => {
            diesel::select(diesel::dsl::exists(articles::table.find(root))).get_result(c)?
        }
        None => true,
    };
    if root == Some(id) || !exists {
        return Err(ApiError::invalid(
            "translation_of",
            "must name another existing article",
        ));
    }
    diesel::delete(article_translations::table.find(id)).execute(c)?;
    if let Some(root) = root {
        diesel::insert_into(article_translations::table)
            .values((
                article_translations::article_id.eq(id),
                article_translations::original_id.eq(root),
            ))
            .execute(c)?;
    }
    Ok(())
}

/// The published articles of `root`'s translation group (`root` and those that translate
/// it), but not `except`.
pub fn translations(
    c: &mut DbConnection,
    root: i64,
    except: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<SummaryRow>> {
    // The group's ids first (by index), then their rows: one query with `id = root OR id IN
    // (members)` made PostgreSQL scan every article for each article read.
    let mut ids: Vec<i64> = article_translations::table
        .filter(article_translations::original_id.eq(root))
        .select(article_translations::article_id)
        .load(c)?;
    ids.push(root);
    ids.retain(|id| *id != except);
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    articles::table
        .filter(articles::id.eq_any(ids))
        .filter(articles::status.eq(Status::Published.as_str()))
        .filter(articles::published_at.le(now))
        .order(articles::id)
        .select(SummaryRow::as_select())
        .load(c)
}
