//! Writing the changes feed, inside the transaction of the change.
//!
//! What readers see is decided from the item as the write left it and the last entry
//! logged for it: an item readers now see is `created` (first seen) or `updated`; one they
//! saw and no longer see is `unpublished`, or `deleted` when it is gone. Writes readers never
//! saw (drafts) log nothing, so the feed reveals no unpublished work.
//!
//! The same decision emits the outbox's events (`crate::events`): each entry logged for an
//! article, section or page is also an event (`article.published`, `section.updated`, …) and
//! a `cache.purge` of what it made stale, in the same transaction.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde_json::json;

use super::model::{self, NewChange};
use crate::articles::Status;
use crate::db::DbConnection;
use crate::jobs::{self, Job, Kind};

pub const ARTICLE: &str = "article";
pub const SECTION: &str = "section";
pub const PAGE: &str = "page";
pub const TAG: &str = "tag";

/// The job that logs a scheduled article when it falls due (no write happens then).
pub const DUE: &str = "changes.due";

fn seen(last: Option<&str>) -> bool {
    matches!(last, Some("created" | "updated"))
}

/// What readers see of an item after a write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Visible,
    Hidden,
    Gone,
}

impl State {
    fn of(deleting: bool, visible: bool) -> Self {
        match (deleting, visible) {
            (true, _) => Self::Gone,
            (false, true) => Self::Visible,
            (false, false) => Self::Hidden,
        }
    }
}

/// Logs what readers see of `resource` `id` now (with its slug and URL, a tombstone's
/// page); the action logged, if any.
fn record(
    c: &mut DbConnection,
    (resource, id): (&str, i64),
    state: State,
    slug: &str,
    url: Option<&str>,
    now: NaiveDateTime,
) -> QueryResult<Option<&'static str>> {
    let last = model::last_action(c, resource, id)?;
    let action = match (state, seen(last.as_deref())) {
        (State::Visible, false) => "created",
        (State::Visible, true) => "updated",
        (State::Gone, true) => "deleted",
        (State::Hidden, true) => "unpublished",
        (_, false) => return Ok(None),
    };
    model::insert(
        c,
        &NewChange {
            resource,
            resource_id: id,
            action,
            slug,
            url,
            changed_at: now,
        },
    )?;
    Ok(Some(action))
}

/// What readers no longer see: enough to find and remove it.
fn tombstone(id: i64, slug: &str, url: Option<&str>) -> serde_json::Value {
    json!({ "id": id, "slug": slug, "url": url })
}

/// After an article was written (or is about to be deleted: `deleting`). Its tags' pages
/// change with it. A scheduled article is logged by a job when it falls due.
pub fn article(
    c: &mut DbConnection,
    id: i64,
    deleting: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let rows = crate::articles::model::summary_rows(c, &[id])?;
    let Some(row) = rows.first() else {
        return Ok(());
    };
    let published = row.status() == Status::Published;
    let visible = published && row.published_at.is_some_and(|at| at <= now);
    if !deleting
        && published
        && let Some(due) = row.published_at.filter(|at| *at > now)
    {
        let key = format!("{DUE}:{id}:{}", due.and_utc().timestamp_micros());
        let mut job = Job::new(DUE, json!({ "id": id }), now);
        job.run_at = due;
        job.unique_key = Some(&key);
        jobs::enqueue(c, &job)?;
    }
    let url = crate::articles::operations::summaries(c, &rows)?
        .pop()
        .and_then(|a| a.url);
    let Some(action) = record(
        c,
        (ARTICLE, id),
        State::of(deleting, visible),
        &row.slug,
        url.as_deref(),
        now,
    )?
    else {
        return Ok(());
    };
    let tags = crate::tags::model::of_article(c, id)?;
    let (event_type, data) = match action {
        "created" | "updated" => {
            let data = match crate::articles::operations::get(
                c,
                &crate::slugs::Reference::Id(id),
                crate::articles::workflow::Readable::Visible,
                now,
            )? {
                crate::slugs::Lookup::Found(article) => {
                    serde_json::to_value(article).unwrap_or_default()
                }
                _ => tombstone(id, &row.slug, url.as_deref()),
            };
            let event = if action == "created" {
                "article.published"
            } else {
                "article.updated"
            };
            (event, data)
        }
        "unpublished" => (
            "article.unpublished",
            tombstone(id, &row.slug, url.as_deref()),
        ),
        _ => ("article.deleted", tombstone(id, &row.slug, url.as_deref())),
    };
    let tag_ids: Vec<i64> = tags.iter().map(|(tag, _)| *tag).collect();
    crate::events::emit_with_purge(
        c,
        &crate::events::Event {
            event_type,
            data,
            section_id: Some(row.section_id),
        },
        &crate::events::keys::article_purge(id, &tag_ids),
        now,
    )?;
    {
        let site = crate::links::current();
        for (tag, slug) in tags {
            // An article leaving readers' view may carry tags no reader has seen (given in
            // the same write): a tag is listed then only if the feed has shown it before.
            if !visible && !deleting && model::last_action(c, TAG, tag)?.is_none() {
                continue;
            }
            let url = site.tag_url(tag, &slug);
            model::insert(
                c,
                &NewChange {
                    resource: TAG,
                    resource_id: tag,
                    action: "updated",
                    slug: &slug,
                    url: url.as_deref(),
                    changed_at: now,
                },
            )?;
        }
    }
    Ok(())
}

/// After a section was created or changed, or before it is deleted (sections are public).
pub fn section(
    c: &mut DbConnection,
    id: i64,
    deleting: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some(row) = crate::sections::model::find(c, id)? else {
        return Ok(());
    };
    let paths = crate::sections::operations::paths(c)?;
    let path = paths.get(&id).map(Vec::as_slice).unwrap_or_default();
    let url = crate::links::current().section_url(id, &row.slug, path);
    let Some(action) = record(
        c,
        (SECTION, id),
        State::of(deleting, true),
        &row.slug,
        url.as_deref(),
        now,
    )?
    else {
        return Ok(());
    };
    let data = match action {
        "deleted" => tombstone(id, &row.slug, url.as_deref()),
        _ => serde_json::to_value(crate::sections::operations::view(c, &row, now)?)
            .unwrap_or_default(),
    };
    crate::events::emit_with_purge(
        c,
        &crate::events::Event {
            event_type: match action {
                "created" => "section.created",
                "deleted" => "section.deleted",
                _ => "section.updated",
            },
            data,
            section_id: Some(id),
        },
        &crate::events::keys::section_purge(id),
        now,
    )
}

/// A section's name, slug or parent changed: its visible articles read differently now (their
/// section's name, their URL when it holds the section's path), and when its path changed,
/// so do its subsections' URLs. Each is logged `updated`.
pub fn section_changed(
    c: &mut DbConnection,
    id: i64,
    path_changed: bool,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let within = crate::sections::tree::with_descendants(&crate::sections::model::edges(c)?, id);
    if path_changed {
        for sub in within.iter().filter(|s| **s != id) {
            section(c, *sub, false, now)?;
        }
    }
    let mut after = 0;
    loop {
        let rows = crate::articles::model::visible_in_sections(c, &within, after, 1_000, now)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id;
        for article in crate::articles::operations::summaries(c, &rows)? {
            model::insert(
                c,
                &NewChange {
                    resource: ARTICLE,
                    resource_id: article.id,
                    action: "updated",
                    slug: &article.slug,
                    url: article.url.as_deref(),
                    changed_at: now,
                },
            )?;
        }
    }
}

/// After a page was written, or before it is deleted.
pub fn page(c: &mut DbConnection, id: i64, deleting: bool, now: NaiveDateTime) -> QueryResult<()> {
    let Some(row) = crate::pages::model::find(c, id)? else {
        return Ok(());
    };
    let url = crate::links::current().page_url(id, &row.slug);
    let Some(action) = record(
        c,
        (PAGE, id),
        State::of(deleting, row.is_published()),
        &row.slug,
        url.as_deref(),
        now,
    )?
    else {
        return Ok(());
    };
    let (event_type, data) = match action {
        "created" | "updated" => (
            if action == "created" {
                "page.published"
            } else {
                "page.updated"
            },
            serde_json::to_value(crate::pages::operations::view(
                c,
                row.clone(),
                crate::pages::operations::Readable::Published,
            )?)
            .unwrap_or_default(),
        ),
        "unpublished" => ("page.unpublished", tombstone(id, &row.slug, url.as_deref())),
        _ => ("page.deleted", tombstone(id, &row.slug, url.as_deref())),
    };
    crate::events::emit_with_purge(
        c,
        &crate::events::Event {
            event_type,
            data,
            section_id: None,
        },
        &crate::events::keys::page_purge(id),
        now,
    )
}

/// The job kind that logs scheduled articles as they fall due.
pub fn kinds(registry: jobs::Registry) -> jobs::Registry {
    registry.with(Kind::new(DUE, |ctx| async move {
        let id = ctx
            .payload
            .get("id")
            .and_then(serde_json::Value::as_i64)
            .ok_or("the payload names no article")?;
        ctx.store
            .write(move |c| {
                article(c, id, false, crate::time::now()).map_err(crate::db::DbError::from)
            })
            .await
            .map_err(|e| e.to_string())
    }))
}
