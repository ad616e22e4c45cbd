//! The `events` table (the outbox).

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::DbConnection;
use crate::db::schema::events;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub id: i64,
    pub event_type: String,
    pub payload: String,
    pub public: bool,
    pub section_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = events)]
pub struct NewEvent<'a> {
    pub event_type: &'a str,
    pub payload: &'a str,
    pub public: bool,
    pub section_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// Any number: every writer of events takes the same lock.
const ORDER_LOCK: i64 = 0x5341_4849_4641_0001;

/// Writes an event. On PostgreSQL the transaction first takes a transaction-scoped advisory
/// lock, held until it commits: ids are then handed out in commit order, so a stream that
/// resumes after id N can never miss an event committed later with a smaller id. (SQLite's
/// one writer commits in id order already.) The price is that writers of events commit one
/// after another; the lock is taken at the end of the change's work, just before its commit.
pub fn insert(conn: &mut DbConnection, new: &NewEvent<'_>) -> QueryResult<i64> {
    if let DbConnection::Postgres(_) = conn {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
            .bind::<BigInt, _>(ORDER_LOCK)
            .execute(conn)?;
    }
    diesel::insert_into(events::table)
        .values(new)
        .returning(events::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<EventRow>> {
    events::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
        .optional()
}

/// Public events after `after`, oldest first, at most `limit`.
pub fn public_after(conn: &mut DbConnection, after: i64, limit: i64) -> QueryResult<Vec<EventRow>> {
    events::table
        .filter(events::public.eq(true))
        .filter(events::id.gt(after))
        .order(events::id.asc())
        .limit(limit)
        .select(EventRow::as_select())
        .load(conn)
}

/// The last event's id (0 when there is none).
pub fn last_id(conn: &mut DbConnection) -> QueryResult<i64> {
    events::table
        .select(diesel::dsl::max(events::id))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
}

/// Forgets events written before `before` (with their deliveries: the log is kept as long).
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    use crate::db::schema::webhook_deliveries as d;
    let old = events::table
        .filter(events::created_at.lt(before))
        .select(events::id);
    diesel::delete(d::table.filter(d::event_id.eq_any(old))).execute(conn)?;
    diesel::delete(events::table.filter(events::created_at.lt(before))).execute(conn)
}
