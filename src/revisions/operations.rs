//! Recording a revision on every save, and reading, comparing and restoring them.
//!
//! A revision is a JSON object of the resource's editable fields, named as its PATCH body
//! names them, so a restore is that body sent again (through the same operation as an edit:
//! the same role rules, `If-Match`, and a new revision).

use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde_json::{Map, Value, json};

use super::diff;
use super::dto::{Revision, RevisionDiff};
use super::model::{self, RevisionRow};
use crate::articles::model::ArticleRow;
use crate::articles::{bylines, workflow};
use crate::auth::StaffUser;
use crate::db::DbConnection;
use crate::http::ApiError;
use crate::http::pagination::Page;
use crate::pages::model::PageRow;
use crate::slugs::{self, Reference};
use crate::time::Timestamp;
use crate::users::Role;

/// What a revision belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Article,
    Page,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Page => "page",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Page => "page",
        }
    }
}

/// Fields a restore leaves as they are now: the address, and the workflow (restoring the
/// words of an earlier draft must not unpublish or reschedule the article).
const NOT_RESTORED: &[&str] = &["slug", "status", "published_at"];

/// Stores the article as it is now as a revision by `editor`.
pub fn record_article(
    c: &mut DbConnection,
    id: i64,
    editor: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let Some(row) = crate::articles::model::find(c, id)? else {
        return Ok(());
    };
    let tags = crate::tags::model::names_of(c, &[id])?
        .remove(&id)
        .unwrap_or_default();
    let authors = bylines::authors_of(c, &[id])?
        .remove(&id)
        .unwrap_or_else(|| vec![row.summary.author_id]);
    let snapshot = article_fields(&row, tags, authors);
    model::insert(
        c,
        Kind::Article.as_str(),
        id,
        editor,
        &snapshot.to_string(),
        now,
    )?;
    Ok(())
}

fn article_fields(row: &ArticleRow, tags: Vec<String>, authors: Vec<i64>) -> Value {
    let s = &row.summary;
    let image = s.featured_image_url.as_ref().map(|url| {
        let mut image = Map::new();
        image.insert("url".into(), json!(url));
        if let Some(alt) = &s.featured_image_alt {
            image.insert("alt".into(), json!(alt));
        }
        if let Some(caption) = &s.featured_image_caption {
            image.insert("caption".into(), json!(caption));
        }
        Value::Object(image)
    });
    json!({
        "title": s.title,
        "slug": s.slug,
        "excerpt": row.excerpt_is_custom.then_some(&s.excerpt),
        "body": row.body,
        "body_format": row.body_format,
        "status": s.status,
        "published_at": s.published_at.map(Timestamp::from),
        "section_id": s.section_id,
        "tags": tags,
        "authors": authors,
        "byline": s.byline,
        "source": s.source,
        "source_url": s.source_url,
        "featured_image": image,
        "featured_media_id": s.featured_media_id,
        "lang": s.lang,
        "meta_title": s.meta_title,
        "meta_description": s.meta_description,
        "comments_open": s.comments_open,
    })
}

/// Stores the page as it is now as a revision by `editor`.
pub fn record_page(
    c: &mut DbConnection,
    row: &PageRow,
    editor: Option<i64>,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let snapshot = json!({
        "title": row.title,
        "slug": row.slug,
        "body": row.body,
        "status": row.status,
        "published_at": row.published_at.map(Timestamp::from),
        "parent_id": row.parent_id,
        "menu_order": row.menu_order,
        "lang": row.lang,
        "meta_title": row.meta_title,
        "meta_description": row.meta_description,
    });
    model::insert(
        c,
        Kind::Page.as_str(),
        row.id,
        editor,
        &snapshot.to_string(),
        now,
    )?;
    Ok(())
}

/// The id of the resource whose revisions `viewer` asks for: 404 when they may not see them.
/// Authors see the revisions of their own articles (created or co-written); editors and admins
/// see all; pages are editors' work.
fn resource_for(
    c: &mut DbConnection,
    viewer: &StaffUser,
    kind: Kind,
    reference: &Reference,
    now: NaiveDateTime,
) -> Result<i64, ApiError> {
    let not_found = || ApiError::not_found(kind.name());
    match kind {
        Kind::Article => {
            let row = slugs::target::<crate::articles::model::SummaryRow>(c, reference)?
                .ok_or_else(not_found)?;
            // A co-author named in the byline counts as the article's own.
            let own = row.author_id == viewer.id || bylines::is_author(c, row.id, viewer.id)?;
            let readable = own || workflow::may_read(Some(viewer), &row, now);
            if readable && (viewer.role.at_least(Role::Editor) || own) {
                Ok(row.id)
            } else {
                Err(not_found())
            }
        }
        Kind::Page => {
            if !viewer.role.at_least(Role::Editor) {
                return Err(not_found());
            }
            let row = slugs::target::<PageRow>(c, reference)?.ok_or_else(not_found)?;
            Ok(row.id)
        }
    }
}

fn revision(
    c: &mut DbConnection,
    kind: Kind,
    resource: i64,
    id: i64,
) -> Result<RevisionRow, ApiError> {
    model::find(c, kind.as_str(), resource, id)?.ok_or_else(|| ApiError::not_found("revision"))
}

/// A page of revisions, newest first.
pub fn list(
    c: &mut DbConnection,
    viewer: &StaffUser,
    kind: Kind,
    reference: &Reference,
    page: Page,
    now: NaiveDateTime,
) -> Result<(Vec<Revision>, u64), ApiError> {
    let resource = resource_for(c, viewer, kind, reference, now)?;
    let (rows, total) = model::list(c, kind.as_str(), resource, page.offset(), page.limit())?;
    Ok((
        rows.iter().map(|r| Revision::new(r, false)).collect(),
        total as u64,
    ))
}

/// One revision with every field.
pub fn get(
    c: &mut DbConnection,
    viewer: &StaffUser,
    kind: Kind,
    reference: &Reference,
    id: i64,
    now: NaiveDateTime,
) -> Result<Revision, ApiError> {
    let resource = resource_for(c, viewer, kind, reference, now)?;
    Ok(Revision::new(&revision(c, kind, resource, id)?, true))
}

/// What changed from one revision to another: the fields, and title and body word by word.
pub fn compare(
    c: &mut DbConnection,
    viewer: &StaffUser,
    kind: Kind,
    reference: &Reference,
    (from, to): (i64, i64),
    now: NaiveDateTime,
) -> Result<RevisionDiff, ApiError> {
    let resource = resource_for(c, viewer, kind, reference, now)?;
    let old = fields(&revision(c, kind, resource, from)?);
    let new = fields(&revision(c, kind, resource, to)?);
    let mut changed: Vec<String> = new
        .iter()
        .filter(|(name, value)| old.get(*name) != Some(*value))
        .map(|(name, _)| name.clone())
        .collect();
    changed.extend(old.keys().filter(|name| !new.contains_key(*name)).cloned());
    let text = |fields: &Map<String, Value>, name: &str| {
        fields
            .get(name)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let tashkeel_only = !changed.is_empty()
        && changed.iter().all(|name| {
            matches!(name.as_str(), "title" | "body" | "excerpt")
                && diff::only_tashkeel_differs(&text(&old, name), &text(&new, name))
        });
    Ok(RevisionDiff {
        from,
        to,
        title: diff::words(&text(&old, "title"), &text(&new, "title")),
        body: diff::words(&text(&old, "body"), &text(&new, "body")),
        changed,
        tashkeel_only,
    })
}

/// The PATCH body that puts back what revision `id` held (everything but the address and the
/// workflow; see [`NOT_RESTORED`]), for the edit operation to apply.
pub fn restoring<T: serde::de::DeserializeOwned + validator::Validate>(
    c: &mut DbConnection,
    viewer: &StaffUser,
    kind: Kind,
    reference: &Reference,
    id: i64,
    now: NaiveDateTime,
) -> Result<T, ApiError> {
    let resource = resource_for(c, viewer, kind, reference, now)?;
    let mut fields = fields(&revision(c, kind, resource, id)?);
    for name in NOT_RESTORED {
        fields.remove(*name);
    }
    let body = Value::Object(fields).to_string();
    let input: T = crate::http::json::parse(body.as_bytes())?;
    input
        .validate()
        .map_err(|e| ApiError::invalid("revision", e.to_string()))?;
    Ok(input)
}

fn fields(row: &RevisionRow) -> Map<String, Value> {
    match serde_json::from_str(&row.snapshot) {
        Ok(Value::Object(fields)) => fields,
        _ => Map::new(),
    }
}

/// The retention job: keeps the newest `keep` revisions of each article and page, hourly.
pub fn prune_kind(keep: u32) -> crate::jobs::Kind {
    crate::jobs::Kind::new("maintenance.prune_revisions", move |ctx| async move {
        let deleted = ctx
            .store
            .write(move |c| model::prune(c, keep).map_err(crate::db::DbError::from))
            .await
            .map_err(|e| e.to_string())?;
        if deleted > 0 {
            tracing::info!(deleted, "pruned old revisions");
        }
        Ok(())
    })
    .every(std::time::Duration::from_secs(3600))
}
