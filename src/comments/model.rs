//! Comment rows, the queries on them, and the article's approved-comment counter.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{articles, comments};
use crate::db::{DbConnection, MultiBackend};

/// Replies nest at most this deep (a top-level comment has depth 0).
pub const MAX_DEPTH: i32 = 4;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum CommentStatus {
    Pending,
    Approved,
    Spam,
    Trash,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Spam => "spam",
            Self::Trash => "trash",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "spam" => Some(Self::Spam),
            "trash" => Some(Self::Trash),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct CommentRow {
    pub id: i64,
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub author_name: String,
    pub author_email: String,
    pub body: String,
    pub status: String,
    pub client_ip: Option<String>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The commenter's website, as an import brought it (native comments have none).
    pub author_url: Option<String>,
}

impl CommentRow {
    pub fn status(&self) -> CommentStatus {
        CommentStatus::parse(&self.status).unwrap_or(CommentStatus::Pending)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = comments)]
pub struct NewComment<'a> {
    pub article_id: i64,
    pub parent_id: Option<i64>,
    pub depth: i32,
    pub author_name: &'a str,
    pub author_email: &'a str,
    pub body: &'a str,
    pub status: &'a str,
    pub client_ip: Option<&'a str>,
    pub author_url: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<CommentRow>> {
    comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_many(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<CommentRow>> {
    comments::table
        .filter(comments::id.eq_any(ids))
        .select(CommentRow::as_select())
        .load(conn)
}

/// Inserts a comment and, when it goes straight in as approved, counts it.
pub fn insert(conn: &mut DbConnection, new: &NewComment<'_>) -> QueryResult<i64> {
    let id = diesel::insert_into(comments::table)
        .values(new)
        .returning(comments::id)
        .get_result(conn)?;
    if new.status == CommentStatus::Approved.as_str() {
        adjust_count(conn, new.article_id, 1)?;
    }
    Ok(id)
}

/// Replaces what an imported comment says (an import run again), as a change.
pub fn overwrite_imported(
    conn: &mut DbConnection,
    id: i64,
    author_name: &str,
    author_email: &str,
    body: &str,
    author_url: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(comments::table.find(id))
        .set((
            comments::author_name.eq(author_name),
            comments::author_email.eq(author_email),
            comments::body.eq(body),
            comments::author_url.eq(author_url),
            comments::version.eq(comments::version + 1),
            comments::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves a comment to `status`, keeping the article's counter exact; `None` when the row
/// changed since it was read.
pub fn set_status(
    conn: &mut DbConnection,
    current: &CommentRow,
    status: CommentStatus,
    now: NaiveDateTime,
) -> QueryResult<Option<CommentRow>> {
    let updated: Option<CommentRow> = diesel::update(
        comments::table
            .filter(comments::id.eq(current.id))
            .filter(comments::version.eq(current.version)),
    )
    .set((
        comments::status.eq(status.as_str()),
        comments::version.eq(current.version + 1),
        comments::updated_at.eq(now),
    ))
    .returning(comments::all_columns)
    .get_result(conn)
    .optional()?;
    if updated.is_some() {
        let was = current.status() == CommentStatus::Approved;
        let is = status == CommentStatus::Approved;
        if was != is {
            adjust_count(conn, current.article_id, if is { 1 } else { -1 })?;
        }
    }
    Ok(updated)
}

/// Deletes a comment; its replies move up to its parent (one level shallower), so a thread
/// never points at a comment that is gone.
pub fn delete(conn: &mut DbConnection, current: &CommentRow) -> QueryResult<()> {
    let replies: Vec<i64> = comments::table
        .filter(comments::parent_id.eq(current.id))
        .select(comments::id)
        .load(conn)?;
    diesel::update(comments::table.filter(comments::parent_id.eq(current.id)))
        .set(comments::parent_id.eq(current.parent_id))
        .execute(conn)?;
    lift_subtree(conn, &replies)?;
    diesel::delete(comments::table.find(current.id)).execute(conn)?;
    if current.status() == CommentStatus::Approved {
        adjust_count(conn, current.article_id, -1)?;
    }
    Ok(())
}

/// Decrements the depth of `roots` and everything below them.
fn lift_subtree(conn: &mut DbConnection, roots: &[i64]) -> QueryResult<()> {
    let mut level = roots.to_vec();
    while !level.is_empty() {
        diesel::update(comments::table.filter(comments::id.eq_any(&level)))
            .set(comments::depth.eq(comments::depth - 1))
            .execute(conn)?;
        level = comments::table
            .filter(comments::parent_id.eq_any(&level))
            .select(comments::id)
            .load(conn)?;
    }
    Ok(())
}

/// The only place the counter changes: an exact increment in the same transaction as the
/// change that causes it, so reads never recount.
fn adjust_count(conn: &mut DbConnection, article_id: i64, delta: i64) -> QueryResult<()> {
    diesel::update(articles::table.find(article_id))
        .set(articles::comment_count.eq(articles::comment_count + delta))
        .execute(conn)?;
    Ok(())
}

/// Approved comments of an article, oldest first, and their total.
pub fn approved_page(
    conn: &mut DbConnection,
    article_id: i64,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<CommentRow>, i64)> {
    let base = || {
        comments::table
            .filter(comments::article_id.eq(article_id))
            .filter(comments::status.eq(CommentStatus::Approved.as_str()))
    };
    let total = base().count().get_result(conn)?;
    let rows = base()
        .order((comments::created_at.asc(), comments::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(CommentRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// The moderation queue: newest first, optionally by status and article.
pub fn queue(
    conn: &mut DbConnection,
    status: Option<CommentStatus>,
    article_id: Option<i64>,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<CommentRow>, i64)> {
    let filtered = || {
        let mut query = comments::table.into_boxed::<MultiBackend>();
        if let Some(status) = status {
            query = query.filter(comments::status.eq(status.as_str()));
        }
        if let Some(article) = article_id {
            query = query.filter(comments::article_id.eq(article));
        }
        query
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order((comments::created_at.desc(), comments::id.desc()))
        .offset(offset)
        .limit(limit)
        .select(CommentRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// `(id, title, slug)` of the given articles, for the moderation view.
pub fn article_titles(
    conn: &mut DbConnection,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, String)>> {
    articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::title, articles::slug))
        .load(conn)
}
