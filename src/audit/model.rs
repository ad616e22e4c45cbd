//! Audit rows: appended, listed, and pruned by age — never updated.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::audit_log;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_key_id: Option<i64>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub fields: String,
    pub outcome: String,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewEntry {
    pub at: NaiveDateTime,
    pub actor_user_id: Option<i64>,
    pub actor_key_id: Option<i64>,
    pub action: String,
    pub resource_type: String,
    pub resource_id: Option<String>,
    pub fields: String,
    pub outcome: String,
    pub client_ip: Option<String>,
    pub request_id: Option<String>,
}

pub fn insert(conn: &mut DbConnection, entry: &NewEntry) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)
        .map(drop)
}

/// What a listing is narrowed to.
#[derive(Debug, Default)]
pub struct Filter {
    pub actor_user_id: Option<i64>,
    pub actor_key_id: Option<i64>,
    pub resource_type: Option<String>,
    pub resource_id: Option<String>,
    pub action: Option<String>,
    pub since: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// Newest first.
pub fn list(
    conn: &mut DbConnection,
    filter: &Filter,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let query = || {
        let mut q = audit_log::table.into_boxed();
        if let Some(user) = filter.actor_user_id {
            q = q.filter(audit_log::actor_user_id.eq(user));
        }
        if let Some(key) = filter.actor_key_id {
            q = q.filter(audit_log::actor_key_id.eq(key));
        }
        if let Some(kind) = &filter.resource_type {
            q = q.filter(audit_log::resource_type.eq(kind.clone()));
        }
        if let Some(id) = &filter.resource_id {
            q = q.filter(audit_log::resource_id.eq(id.clone()));
        }
        if let Some(action) = &filter.action {
            q = q.filter(audit_log::action.eq(action.clone()));
        }
        if let Some(since) = filter.since {
            q = q.filter(audit_log::at.ge(since));
        }
        if let Some(until) = filter.until {
            q = q.filter(audit_log::at.lt(until));
        }
        q
    };
    let total = query().count().get_result(conn)?;
    let rows = query()
        .order(audit_log::id.desc())
        .offset(offset)
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Deletes entries older than `before` (the retention job; nothing else deletes).
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(audit_log::table.filter(audit_log::at.lt(before))).execute(conn)
}
