//! Revision rows: appended on every save, listed newest first, pruned by count.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::revisions;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = revisions)]
pub struct RevisionRow {
    pub id: i64,
    pub resource_type: String,
    pub resource_id: i64,
    pub editor_id: Option<i64>,
    pub snapshot: String,
    pub created_at: NaiveDateTime,
}

pub fn insert(
    c: &mut DbConnection,
    kind: &str,
    resource_id: i64,
    editor_id: Option<i64>,
    snapshot: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(revisions::table)
        .values((
            revisions::resource_type.eq(kind),
            revisions::resource_id.eq(resource_id),
            revisions::editor_id.eq(editor_id),
            revisions::snapshot.eq(snapshot),
            revisions::created_at.eq(now),
        ))
        .returning(revisions::id)
        .get_result(c)
}

/// Newest first.
pub fn list(
    c: &mut DbConnection,
    kind: &str,
    resource_id: i64,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<RevisionRow>, i64)> {
    let query = || {
        revisions::table
            .filter(revisions::resource_type.eq(kind))
            .filter(revisions::resource_id.eq(resource_id))
    };
    let total = query().count().get_result(c)?;
    let rows = query()
        .order(revisions::id.desc())
        .offset(offset)
        .limit(limit)
        .select(RevisionRow::as_select())
        .load(c)?;
    Ok((rows, total))
}

/// One revision of one resource (a revision of another resource is not found).
pub fn find(
    c: &mut DbConnection,
    kind: &str,
    resource_id: i64,
    id: i64,
) -> QueryResult<Option<RevisionRow>> {
    revisions::table
        .find(id)
        .filter(revisions::resource_type.eq(kind))
        .filter(revisions::resource_id.eq(resource_id))
        .select(RevisionRow::as_select())
        .first(c)
        .optional()
}

/// The revision just before `id` of the same resource.
pub fn previous(
    c: &mut DbConnection,
    kind: &str,
    resource_id: i64,
    id: i64,
) -> QueryResult<Option<RevisionRow>> {
    revisions::table
        .filter(revisions::resource_type.eq(kind))
        .filter(revisions::resource_id.eq(resource_id))
        .filter(revisions::id.lt(id))
        .order(revisions::id.desc())
        .select(RevisionRow::as_select())
        .first(c)
        .optional()
}

/// Keeps the newest `keep` revisions of every resource; returns how many were deleted.
pub fn prune(c: &mut DbConnection, keep: u32) -> QueryResult<usize> {
    // Window functions exist on both stores (SQLite 3.25+); the derived table is needed
    // because neither may filter on a window function directly.
    diesel::sql_query(format!(
        "DELETE FROM revisions WHERE id IN (SELECT id FROM (SELECT id, ROW_NUMBER() OVER \
         (PARTITION BY resource_type, resource_id ORDER BY id DESC) AS n FROM revisions) AS \
         ranked WHERE n > {keep})"
    ))
    .execute(c)
}
