//! Page rows and the queries on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::PageStatus;
use crate::db::schema::pages;
use crate::db::{DbConnection, MultiBackend};
use crate::slugs::{self, Resource, Slugged};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pages)]
pub struct PageRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub body: String,
    pub body_html: String,
    pub status: String,
    pub parent_id: Option<i64>,
    pub menu_order: i32,
    pub lang: String,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub published_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// `markdown`, or `html` for a page imported with an HTML body.
    pub body_format: String,
}

impl PageRow {
    /// Whether readers (anyone without an editor's token) see the page.
    pub fn is_published(&self) -> bool {
        self.status == PageStatus::Published.as_str()
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pages)]
pub struct NewPage<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub body: &'a str,
    pub body_html: &'a str,
    pub status: &'a str,
    pub parent_id: Option<i64>,
    pub menu_order: i32,
    pub lang: &'a str,
    pub meta_title: Option<&'a str>,
    pub meta_description: Option<&'a str>,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A change; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = pages)]
pub struct PageChanges {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub body: Option<String>,
    pub body_html: Option<String>,
    pub status: Option<String>,
    pub parent_id: Option<Option<i64>>,
    pub menu_order: Option<i32>,
    pub lang: Option<String>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub published_at: Option<Option<NaiveDateTime>>,
}

/// What a list asks for.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// `None`: every status.
    pub status: Option<PageStatus>,
    /// `Some(None)`: top-level pages only; `Some(Some(id))`: the pages directly inside `id`.
    pub parent: Option<Option<i64>>,
    /// A canonical BCP 47 tag.
    pub lang: Option<String>,
}

/// A page of pages in menu order (then title, then id), and how many match in all.
pub fn list(
    conn: &mut DbConnection,
    query: &ListQuery,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<PageRow>, i64)> {
    macro_rules! filtered {
        () => {{
            let mut q = pages::table.into_boxed::<MultiBackend>();
            if let Some(status) = query.status {
                q = q.filter(pages::status.eq(status.as_str()));
            }
            match query.parent {
                None => {}
                Some(None) => q = q.filter(pages::parent_id.is_null()),
                Some(Some(parent)) => q = q.filter(pages::parent_id.eq(parent)),
            }
            if let Some(lang) = &query.lang {
                q = q.filter(pages::lang.eq(lang.clone()));
            }
            q
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    let rows = filtered!()
        .order((pages::menu_order.asc(), pages::title.asc(), pages::id.asc()))
        .offset(offset)
        .limit(limit)
        .select(PageRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<PageRow>> {
    pages::table
        .find(id)
        .select(PageRow::as_select())
        .first(conn)
        .optional()
}

fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<PageRow>> {
    pages::table
        .filter(pages::slug.eq(slug))
        .select(PageRow::as_select())
        .first(conn)
        .optional()
}

impl Slugged for PageRow {
    const RESOURCE: Resource = Resource::Page;

    fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        find(conn, id)
    }

    fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Self>> {
        find_by_slug(conn, slug)
    }

    fn id(&self) -> i64 {
        self.id
    }

    fn slug(&self) -> &str {
        &self.slug
    }
}

/// The published ones among some page ids.
pub fn published_among(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<i64>> {
    pages::table
        .filter(pages::id.eq_any(ids))
        .filter(pages::status.eq(PageStatus::Published.as_str()))
        .select(pages::id)
        .load(conn)
}

pub fn insert(conn: &mut DbConnection, new: &NewPage<'_>) -> QueryResult<PageRow> {
    slugs::forget(conn, Resource::Page, new.slug)?;
    diesel::insert_into(pages::table)
        .values(new)
        .returning(pages::all_columns)
        .get_result(conn)
}

/// Applies `changes` if the row is still at its version; `None` when it is not. A changed
/// slug leaves a redirect behind.
pub fn update(
    conn: &mut DbConnection,
    current: &PageRow,
    changes: &PageChanges,
    now: NaiveDateTime,
) -> QueryResult<Option<PageRow>> {
    if let Some(slug) = changes.slug.as_deref().filter(|s| *s != current.slug) {
        slugs::forget(conn, Resource::Page, slug)?;
        slugs::remember(conn, Resource::Page, &current.slug, current.id, now)?;
    }
    diesel::update(
        pages::table
            .filter(pages::id.eq(current.id))
            .filter(pages::version.eq(current.version)),
    )
    .set((
        changes,
        pages::version.eq(current.version + 1),
        pages::updated_at.eq(now),
    ))
    .returning(pages::all_columns)
    .get_result(conn)
    .optional()
}

/// Marks a page's body as written in `format` (imports bring HTML).
pub fn set_body_format(conn: &mut DbConnection, id: i64, format: &str) -> QueryResult<()> {
    diesel::update(pages::table.find(id))
        .set(pages::body_format.eq(format))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    slugs::forget_target(conn, Resource::Page, id)?;
    diesel::delete(pages::table.find(id)).execute(conn)
}

pub fn has_children(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        pages::table.filter(pages::parent_id.eq(id)),
    ))
    .get_result(conn)
}

/// `(id, parent_id)` of every page (a site has tens of pages, so the tree is walked in
/// memory).
pub fn edges(conn: &mut DbConnection) -> QueryResult<Vec<(i64, Option<i64>)>> {
    pages::table
        .select((pages::id, pages::parent_id))
        .load(conn)
}
