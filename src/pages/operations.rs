//! What can be done with pages: the logic behind the endpoints and imports. Each operation
//! runs on one connection, inside the caller's transaction for writes.
//!
//! Who reads what: editors and admins every page, everyone else published pages only. A
//! page hidden from a reader is a 404 to them, its old slugs do not redirect, and a published
//! page does not show them the id of an unpublished parent.

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::PageStatus;
use super::dto::{CreatePage, Page, PageFilters, PageStatusFilter, PageSummary, UpdatePage};
use super::model::{self, ListQuery, NewPage, PageChanges, PageRow};
use crate::articles::derived::{BodyFormat, Derived, ImageSources, RenderSlots};
use crate::auth::StaffUser;
use crate::db::DbConnection;
use crate::http::conditional::IfMatch;
use crate::http::pagination::{Page as PageRequest, bad_query};
use crate::http::{ApiError, ProblemType};
use crate::sections::tree;
use crate::slugs::{self, Lookup, Reference};
use crate::text;
use crate::users::Role;

/// Which pages a viewer may read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readable {
    Published,
    Everything,
}

impl Readable {
    pub fn for_viewer(viewer: Option<&StaffUser>) -> Self {
        match viewer {
            Some(user) if user.role.at_least(Role::Editor) => Self::Everything,
            _ => Self::Published,
        }
    }

    pub fn allows(self, page: &PageRow) -> bool {
        self == Self::Everything || page.is_published()
    }
}

/// A page of pages in menu order, with the total, as `viewer` may see them.
pub fn list(
    c: &mut DbConnection,
    viewer: Option<&StaffUser>,
    filters: &PageFilters,
    page: PageRequest,
) -> Result<(Vec<PageSummary>, u64), ApiError> {
    let readable = Readable::for_viewer(viewer);
    let status = match filters.status {
        None | Some(PageStatusFilter::Published) => Some(PageStatus::Published),
        Some(asked) => {
            if readable != Readable::Everything {
                return Err(match viewer {
                    None => ApiError::Unauthorized(
                        ProblemType::AuthenticationRequired,
                        "listing unpublished pages needs an editor's bearer token".into(),
                    ),
                    Some(_) => ApiError::Forbidden(
                        ProblemType::RoleRequired,
                        "only editors and admins see unpublished pages".into(),
                    ),
                });
            }
            match asked {
                PageStatusFilter::Draft => Some(PageStatus::Draft),
                PageStatusFilter::Archived => Some(PageStatus::Archived),
                _ => None,
            }
        }
    };
    let lang = match filters.lang.as_deref() {
        None => None,
        Some(tag) if text::is_valid_language_tag(tag) => Some(text::canonical_language_tag(tag)),
        Some(_) => {
            return Err(bad_query(
                "lang",
                "must be a BCP 47 language tag such as `ar` or `en`".into(),
            ));
        }
    };
    let parent = match filters.parent.as_deref() {
        None => None,
        Some("none") => Some(None),
        Some(reference) => match readable_target(c, &Reference::parse(reference), readable)? {
            Some(parent) => Some(Some(parent.id)),
            // A parent the viewer may not see has, for them, no pages inside it.
            None => return Ok((Vec::new(), 0)),
        },
    };
    let query = ListQuery {
        status,
        parent,
        lang,
    };
    let (rows, total) = model::list(c, &query, page.offset(), page.limit())?;
    Ok((summaries(c, &rows, readable)?, total as u64))
}

/// One page for `readable`: the page, a redirect from an old slug, or nothing.
pub fn get(
    c: &mut DbConnection,
    reference: &Reference,
    readable: Readable,
) -> QueryResult<Lookup<Page>> {
    Ok(
        match slugs::look_up(c, reference, |p: &PageRow| readable.allows(p))? {
            Lookup::Found(row) => Lookup::Found(view(c, row, readable)?),
            Lookup::Moved(slug) => Lookup::Moved(slug),
            Lookup::NotFound => Lookup::NotFound,
        },
    )
}

/// Renders a page body before its write (off the async workers, within the render budget,
/// as for articles). Media library images (`media:ID`) are refused: pages do not record the
/// items they show, so deleting an item could leave a page pointing at purged files.
pub async fn render(body: String, slots: &RenderSlots) -> Result<String, ApiError> {
    if let Some(id) = text::markdown::media_references(&body).first() {
        return Err(ApiError::invalid(
            "body",
            format!(
                "pages cannot show media library images yet (`media:{id}`); link the \
                 image's URL instead"
            ),
        ));
    }
    Ok(
        Derived::of_request_body(body, BodyFormat::Markdown, ImageSources::new(), slots)
            .await?
            .body_html,
    )
}

/// Stores a new page; `body_html` is what [`render`] made of its body.
pub fn create(
    c: &mut DbConnection,
    editor: &StaffUser,
    input: &CreatePage,
    body_html: &str,
    now: NaiveDateTime,
) -> Result<Page, ApiError> {
    if let Some(parent) = input.parent_id {
        ensure_exists(c, parent)?;
    }
    let status = input.status.unwrap_or(PageStatus::Draft);
    let lang = text::canonical_language_tag(input.lang.as_deref().unwrap_or("ar"));
    let row = slugs::insert_with_free_slug::<PageRow, _>(
        c,
        input.slug.as_deref(),
        &input.title,
        |c, slug| {
            model::insert(
                c,
                &NewPage {
                    title: &input.title,
                    slug,
                    body: &input.body,
                    body_html,
                    status: status.as_str(),
                    parent_id: input.parent_id,
                    menu_order: input.menu_order.unwrap_or(0),
                    lang: &lang,
                    meta_title: non_empty(input.meta_title.as_deref()),
                    meta_description: non_empty(input.meta_description.as_deref()),
                    published_at: (status == PageStatus::Published).then_some(now),
                    created_at: now,
                    updated_at: now,
                },
            )
        },
    )?;
    crate::changes::log::page(c, row.id, false, now)?;
    crate::revisions::operations::record_page(c, &row, Some(editor.id), now)?;
    Ok(view(c, row, Readable::Everything)?)
}

/// Changes a page. A new slug leaves the old one redirecting; a new parent may not be the
/// page itself or one below it; the first publication stamps `published_at`.
pub fn update(
    c: &mut DbConnection,
    editor: &StaffUser,
    reference: &Reference,
    input: UpdatePage,
    body_html: Option<String>,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<Page, ApiError> {
    let current = for_write(c, reference)?;
    if_match.check_value(&view(c, current.clone(), Readable::Everything)?)?;
    if let Some(Some(parent)) = input.parent_id {
        ensure_exists(c, parent)?;
        if tree::would_cycle(&model::edges(c)?, current.id, parent) {
            return Err(ApiError::invalid(
                "parent_id",
                "a page cannot be inside itself or one of its subpages",
            ));
        }
    }
    let slug = match &input.slug {
        Some(slug) if *slug != current.slug => Some(slugs::choose::<PageRow>(
            c,
            Some(slug),
            &current.title,
            Some(current.id),
        )?),
        _ => None,
    };
    let published_at = (input.status == Some(PageStatus::Published)
        && current.published_at.is_none())
    .then_some(Some(now));
    let changes = PageChanges {
        title: input.title,
        slug,
        body: input.body,
        body_html,
        status: input.status.map(|s| s.as_str().to_owned()),
        parent_id: input.parent_id,
        menu_order: input.menu_order,
        lang: input.lang.map(|tag| text::canonical_language_tag(&tag)),
        meta_title: input.meta_title.map(|t| t.filter(|t| !t.is_empty())),
        meta_description: input.meta_description.map(|d| d.filter(|d| !d.is_empty())),
        published_at,
    };
    let row = model::update(c, &current, &changes, now)?.ok_or(ApiError::PreconditionFailed)?;
    crate::changes::log::page(c, row.id, false, now)?;
    crate::revisions::operations::record_page(c, &row, Some(editor.id), now)?;
    Ok(view(c, row, Readable::Everything)?)
}

/// Deletes a page without subpages.
pub fn delete(
    c: &mut DbConnection,
    reference: &Reference,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    let current = for_write(c, reference)?;
    if_match.check_value(&view(c, current.clone(), Readable::Everything)?)?;
    if model::has_children(c, current.id)? {
        return Err(ApiError::Conflict(
            ProblemType::PageHasSubpages,
            "the page still has subpages; move or delete them first".into(),
        ));
    }
    crate::changes::log::page(c, current.id, true, crate::time::now())?;
    model::delete(c, current.id)?;
    Ok(())
}

/// The page as `readable` shows it.
pub fn view(c: &mut DbConnection, row: PageRow, readable: Readable) -> QueryResult<Page> {
    let summary = summaries(c, std::slice::from_ref(&row), readable)?.remove(0);
    Ok(Page {
        summary,
        body: row.body,
        body_html: row.body_html,
    })
}

/// Summaries of `rows`, each parent shown only when `readable` shows it too (one query).
fn summaries(
    c: &mut DbConnection,
    rows: &[PageRow],
    readable: Readable,
) -> QueryResult<Vec<PageSummary>> {
    let shown_parents = match readable {
        Readable::Everything => None,
        Readable::Published => {
            let parents: Vec<i64> = rows.iter().filter_map(|r| r.parent_id).collect();
            Some(if parents.is_empty() {
                Vec::new()
            } else {
                model::published_among(c, &parents)?
            })
        }
    };
    Ok(rows
        .iter()
        .map(|row| {
            let parent = row
                .parent_id
                .filter(|p| shown_parents.as_ref().is_none_or(|shown| shown.contains(p)));
            PageSummary::new(row, parent)
        })
        .collect())
}

/// The page a reference leads `readable` to, following an old slug.
fn readable_target(
    c: &mut DbConnection,
    reference: &Reference,
    readable: Readable,
) -> QueryResult<Option<PageRow>> {
    Ok(
        match slugs::look_up(c, reference, |p: &PageRow| readable.allows(p))? {
            Lookup::Found(row) => Some(row),
            Lookup::Moved(slug) => slugs::target(c, &Reference::Slug(slug))?,
            Lookup::NotFound => None,
        },
    )
}

/// The page `reference` names, locked for the rest of the write and read after the lock.
fn for_write(c: &mut DbConnection, reference: &Reference) -> Result<PageRow, ApiError> {
    let row: PageRow = slugs::target(c, reference)?.ok_or_else(|| ApiError::not_found("page"))?;
    if !crate::db::lock_row(c, crate::db::Locked::Pages, row.id)? {
        return Ok(row);
    }
    slugs::target(c, &Reference::Id(row.id))?.ok_or_else(|| ApiError::not_found("page"))
}

fn ensure_exists(c: &mut DbConnection, id: i64) -> Result<(), ApiError> {
    model::find(c, id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::invalid("parent_id", "no page has this id"))
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}
