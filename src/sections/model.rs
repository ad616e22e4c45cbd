//! Section rows and the queries on them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{articles, sections};
use crate::slugs::{self, Reference, Resource, Slugged};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sections)]
pub struct SectionRow {
    pub id: i64,
    pub name: String,
    pub slug: String,
    pub description: Option<String>,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = sections)]
pub struct NewSection<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub description: Option<&'a str>,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A change; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = sections)]
pub struct SectionChanges {
    pub name: Option<String>,
    pub slug: Option<String>,
    pub description: Option<Option<String>>,
    pub parent_id: Option<Option<i64>>,
    pub position: Option<i32>,
}

/// Every section, in display order: by position, then name.
pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<SectionRow>> {
    sections::table
        .order((
            sections::position.asc(),
            sections::name.asc(),
            sections::id.asc(),
        ))
        .select(SectionRow::as_select())
        .load(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<SectionRow>> {
    sections::table
        .find(id)
        .select(SectionRow::as_select())
        .first(conn)
        .optional()
}

fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<SectionRow>> {
    sections::table
        .filter(sections::slug.eq(slug))
        .select(SectionRow::as_select())
        .first(conn)
        .optional()
}

impl Slugged for SectionRow {
    const RESOURCE: Resource = Resource::Section;

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

/// The id of the section a reference names, following old slugs (sections are public).
pub fn resolve_id(conn: &mut DbConnection, reference: &Reference) -> QueryResult<Option<i64>> {
    Ok(slugs::target::<SectionRow>(conn, reference)?.map(|row| row.id))
}

pub fn insert(conn: &mut DbConnection, new: &NewSection<'_>) -> QueryResult<SectionRow> {
    slugs::forget(conn, Resource::Section, new.slug)?;
    diesel::insert_into(sections::table)
        .values(new)
        .returning(sections::all_columns)
        .get_result(conn)
}

/// Applies `changes` if the row is still at `expected_version`; `None` when it is not.
/// A changed slug leaves a redirect behind.
pub fn update(
    conn: &mut DbConnection,
    current: &SectionRow,
    changes: &SectionChanges,
    now: NaiveDateTime,
) -> QueryResult<Option<SectionRow>> {
    if let Some(slug) = changes.slug.as_deref().filter(|s| *s != current.slug) {
        slugs::forget(conn, Resource::Section, slug)?;
        slugs::remember(conn, Resource::Section, &current.slug, current.id, now)?;
    }
    diesel::update(
        sections::table
            .filter(sections::id.eq(current.id))
            .filter(sections::version.eq(current.version)),
    )
    .set((
        changes,
        sections::version.eq(current.version + 1),
        sections::updated_at.eq(now),
    ))
    .returning(sections::all_columns)
    .get_result(conn)
    .optional()
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    slugs::forget_target(conn, Resource::Section, id)?;
    diesel::delete(sections::table.find(id)).execute(conn)
}

pub fn has_children(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        sections::table.filter(sections::parent_id.eq(id)),
    ))
    .get_result(conn)
}

pub fn has_articles(conn: &mut DbConnection, id: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        articles::table.filter(articles::section_id.eq(id)),
    ))
    .get_result(conn)
}

/// Published, due articles per section (each section counted alone).
pub fn visible_counts(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = articles::table
        .filter(articles::status.eq("published"))
        .filter(articles::published_at.le(now))
        .group_by(articles::section_id)
        .select((articles::section_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// Every section in display order, each with its published article count rolled up over
/// its descendants.
pub fn all_with_counts(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<Vec<(SectionRow, i64)>> {
    let rows = all(conn)?;
    let direct = visible_counts(conn, now)?;
    let edges: Vec<(i64, Option<i64>)> = rows.iter().map(|r| (r.id, r.parent_id)).collect();
    let totals = super::tree::rolled_up(&edges, &direct);
    Ok(rows
        .into_iter()
        .map(|row| {
            let count = totals.get(&row.id).copied().unwrap_or(0);
            (row, count)
        })
        .collect())
}

/// `(id, name, slug)` of some sections, in no particular order.
pub fn names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String, String)>> {
    sections::table
        .filter(sections::id.eq_any(ids))
        .select((sections::id, sections::name, sections::slug))
        .load(conn)
}

/// `(id, parent_id, slug)` of every section.
pub fn slugs_and_parents(conn: &mut DbConnection) -> QueryResult<Vec<(i64, Option<i64>, String)>> {
    sections::table
        .select((sections::id, sections::parent_id, sections::slug))
        .load(conn)
}

/// `(id, parent_id)` of every section.
pub fn edges(conn: &mut DbConnection) -> QueryResult<Vec<(i64, Option<i64>)>> {
    sections::table
        .select((sections::id, sections::parent_id))
        .load(conn)
}
