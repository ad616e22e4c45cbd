//! What can be done with comments: readers read approved ones and submit their own;
//! moderators see everything (emails and addresses included) and decide.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::dto::{CommentArticle, PublicComment, StaffComment, SubmitComment};
use super::model::{self, CommentRow, CommentStatus, MAX_DEPTH, NewComment};
use super::spam::{self, Verdict};
use crate::articles::model::{self as articles, SummaryRow};
use crate::articles::workflow::Readable;
use crate::db::DbConnection;
use crate::http::conditional::IfMatch;
use crate::http::pagination::Page;
use crate::http::{ApiError, ProblemType};
use crate::slugs::{self, Lookup, Reference};

/// The approved comments of an article `readable` may read, oldest first, with the total.
pub fn approved(
    c: &mut DbConnection,
    reference: &Reference,
    readable: Readable,
    page: Page,
    now: NaiveDateTime,
) -> QueryResult<Lookup<(Vec<PublicComment>, u64)>> {
    Ok(
        match slugs::look_up(c, reference, |a: &SummaryRow| readable.allows(a, now))? {
            Lookup::Found(article) => {
                let (rows, total) =
                    model::approved_page(c, article.id, page.offset(), page.limit())?;
                Lookup::Found((rows.iter().map(PublicComment::from).collect(), total as u64))
            }
            Lookup::Moved(slug) => Lookup::Moved(slug),
            Lookup::NotFound => Lookup::NotFound,
        },
    )
}

/// A reader's comment on a published article, filed as pending (or, when it looks like
/// spam, as spam: the caller tells the submitter `pending` either way). Returns its id and
/// the verdict.
pub fn submit(
    c: &mut DbConnection,
    reference: &Reference,
    input: &SubmitComment,
    client_ip: &str,
    now: NaiveDateTime,
) -> Result<(i64, Verdict), ApiError> {
    let verdict = spam::judge(&input.body, input.website.as_deref());
    let article = slugs::target::<SummaryRow>(c, reference)?
        .filter(|a| a.is_visible(now))
        .ok_or_else(|| ApiError::not_found("article"))?;
    if !article.comments_open {
        return Err(ApiError::Conflict(
            ProblemType::CommentsClosed,
            "comments are closed on this article".into(),
        ));
    }
    let depth = reply_depth(c, article.id, input.parent_id)?;
    let status = match verdict {
        Verdict::Ham => CommentStatus::Pending,
        Verdict::Honeypot | Verdict::TooManyLinks => CommentStatus::Spam,
    };
    let id = model::insert(
        c,
        &NewComment {
            article_id: article.id,
            parent_id: input.parent_id,
            depth,
            author_name: &input.author_name,
            author_email: &input.author_email,
            body: &input.body,
            status: status.as_str(),
            client_ip: Some(client_ip),
            author_url: None,
            created_at: now,
            updated_at: now,
        },
    )?;
    if let Some(row) = model::find(c, id)? {
        announce(c, &row, "comment.created", now)?;
    }
    Ok((id, verdict))
}

/// A comment event for moderation tools and readers' pages: the comment as readers would see
/// it (never its email or address), its article and status.
fn announce(
    c: &mut DbConnection,
    row: &CommentRow,
    event_type: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let mut data = serde_json::to_value(PublicComment::from(row)).unwrap_or_default();
    if let Some(object) = data.as_object_mut() {
        object.insert("article_id".into(), row.article_id.into());
        object.insert("status".into(), row.status().as_str().into());
    }
    let event = crate::events::Event {
        event_type,
        data,
        section_id: None,
    };
    if event_type == "comment.approved" {
        crate::events::emit_with_purge(
            c,
            &event,
            &crate::events::keys::comment_purge(row.article_id),
            now,
        )
    } else {
        crate::events::emit(c, &event, now).map(|_| ())
    }
}

/// After a comment moved from `before` to its row's status: `comment.approved` when readers
/// now see it, a purge of its article's comments when they no longer do.
fn moderated(
    c: &mut DbConnection,
    before: CommentStatus,
    row: &CommentRow,
    now: NaiveDateTime,
) -> QueryResult<()> {
    match (
        before == CommentStatus::Approved,
        row.status() == CommentStatus::Approved,
    ) {
        (false, true) => announce(c, row, "comment.approved", now),
        (true, false) => {
            crate::events::purge(c, &crate::events::keys::comment_purge(row.article_id), now)
        }
        _ => Ok(()),
    }
}

/// The moderation queue, newest first, optionally by status and article (id or slug).
pub fn queue(
    c: &mut DbConnection,
    status: Option<CommentStatus>,
    article: Option<&str>,
    page: Page,
) -> QueryResult<(Vec<StaffComment>, u64)> {
    let article_id = match article {
        None => None,
        // An unknown article has no comments (ids start at 1).
        Some(reference) => {
            Some(articles::resolve_id(c, &Reference::parse(reference))?.unwrap_or(0))
        }
    };
    let (rows, total) = model::queue(c, status, article_id, page.offset(), page.limit())?;
    Ok((staff_views(c, &rows)?, total as u64))
}

/// One comment, as moderators see it.
pub fn get(c: &mut DbConnection, id: i64) -> Result<StaffComment, ApiError> {
    let row = found(model::find(c, id)?)?;
    Ok(staff_view(c, &row)?)
}

/// Moves one comment to `status`.
pub fn moderate(
    c: &mut DbConnection,
    id: i64,
    status: CommentStatus,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<StaffComment, ApiError> {
    crate::db::lock_row(c, crate::db::Locked::Comments, id)?;
    let current = found(model::find(c, id)?)?;
    if_match.check_value(&staff_view(c, &current)?)?;
    let row = model::set_status(c, &current, status, now)?.ok_or(ApiError::PreconditionFailed)?;
    moderated(c, current.status(), &row, now)?;
    Ok(staff_view(c, &row)?)
}

/// Moves many comments to `status`, all or nothing; returns how many changed.
pub fn moderate_many(
    c: &mut DbConnection,
    ids: &[i64],
    status: CommentStatus,
    now: NaiveDateTime,
) -> Result<usize, ApiError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    crate::db::lock_rows(c, crate::db::Locked::Comments, &ids)?;
    let rows = model::find_many(c, &ids)?;
    let missing: Vec<String> = ids
        .iter()
        .filter(|id| !rows.iter().any(|r| r.id == **id))
        .map(ToString::to_string)
        .collect();
    if !missing.is_empty() {
        return Err(ApiError::invalid(
            "ids",
            format!(
                "no comments with the ids {}; nothing was changed",
                missing.join(", ")
            ),
        ));
    }
    let mut updated = 0;
    for row in rows.iter().filter(|r| r.status() != status) {
        let changed = model::set_status(c, row, status, now)?.ok_or(ApiError::Conflict(
            ProblemType::EditConflict,
            "a comment changed meanwhile; nothing was changed".into(),
        ))?;
        moderated(c, row.status(), &changed, now)?;
        updated += 1;
    }
    Ok(updated)
}

/// Deletes a comment; its replies move up a level.
pub fn delete(c: &mut DbConnection, id: i64, if_match: &IfMatch) -> Result<(), ApiError> {
    crate::db::lock_row(c, crate::db::Locked::Comments, id)?;
    let current = found(model::find(c, id)?)?;
    if_match.check_value(&staff_view(c, &current)?)?;
    model::delete(c, &current)?;
    if current.status() == CommentStatus::Approved {
        crate::events::purge(
            c,
            &crate::events::keys::comment_purge(current.article_id),
            crate::time::now(),
        )?;
    }
    Ok(())
}

/// The depth of a new comment: 0, or one below an approved comment of the same article.
fn reply_depth(
    c: &mut DbConnection,
    article_id: i64,
    parent: Option<i64>,
) -> Result<i32, ApiError> {
    let Some(parent) = parent else {
        return Ok(0);
    };
    let parent = model::find(c, parent)?
        .filter(|p| p.article_id == article_id && p.status() == CommentStatus::Approved)
        .ok_or_else(|| {
            ApiError::invalid(
                "parent_id",
                "no published comment of this article has this id",
            )
        })?;
    if parent.depth >= MAX_DEPTH {
        return Err(ApiError::invalid(
            "parent_id",
            format!("replies nest at most {} levels deep", MAX_DEPTH + 1),
        ));
    }
    Ok(parent.depth + 1)
}

fn found(row: Option<CommentRow>) -> Result<CommentRow, ApiError> {
    row.ok_or_else(|| ApiError::not_found("comment"))
}

fn staff_view(c: &mut DbConnection, row: &CommentRow) -> QueryResult<StaffComment> {
    Ok(staff_views(c, std::slice::from_ref(row))?.remove(0))
}

/// Moderators' views of some comments, with their articles' titles in one query.
fn staff_views(c: &mut DbConnection, rows: &[CommentRow]) -> QueryResult<Vec<StaffComment>> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.article_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let titles: HashMap<i64, CommentArticle> = model::article_titles(c, &ids)?
        .into_iter()
        .map(|(id, title, slug)| (id, CommentArticle { id, title, slug }))
        .collect();
    Ok(rows
        .iter()
        .map(|row| {
            let article = titles
                .get(&row.article_id)
                .cloned()
                .unwrap_or(CommentArticle {
                    id: row.article_id,
                    title: String::new(),
                    slug: String::new(),
                });
            StaffComment::new(row, article)
        })
        .collect())
}
