//! The `changes` table.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::db::DbConnection;
use crate::db::schema::changes;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = changes)]
pub struct ChangeRow {
    pub seq: i64,
    pub resource: String,
    pub resource_id: i64,
    pub action: String,
    pub slug: String,
    pub url: Option<String>,
    pub changed_at: NaiveDateTime,
    pub tx: i64,
}

#[derive(Insertable)]
#[diesel(table_name = changes)]
pub struct NewChange<'a> {
    pub resource: &'a str,
    pub resource_id: i64,
    pub action: &'a str,
    pub slug: &'a str,
    pub url: Option<&'a str>,
    pub changed_at: NaiveDateTime,
}

pub fn insert(conn: &mut DbConnection, new: &NewChange<'_>) -> QueryResult<()> {
    diesel::insert_into(changes::table)
        .values(new)
        .execute(conn)
        .map(|_| ())
}

/// The last action logged for an item, if any.
pub fn last_action(
    conn: &mut DbConnection,
    resource: &str,
    id: i64,
) -> QueryResult<Option<String>> {
    changes::table
        .filter(changes::resource.eq(resource))
        .filter(changes::resource_id.eq(id))
        .order(changes::seq.desc())
        .select(changes::action)
        .first(conn)
        .optional()
}

/// Entries after `(tx, seq)`, in `(tx, seq)` order, whose transaction is below `horizon`
/// (every transaction below it has ended), at most `limit`: one range of an index however
/// deep the cursor (an `OR` of the two columns would walk the index from its start).
pub fn after(
    conn: &mut DbConnection,
    position: (i64, i64),
    horizon: i64,
    limit: i64,
) -> QueryResult<Vec<ChangeRow>> {
    let (tx, seq) = position;
    match conn {
        // One writer, `tx` always 0: the primary key is the order.
        DbConnection::Sqlite(_) => changes::table
            .filter(changes::seq.gt(seq))
            .order(changes::seq.asc())
            .limit(limit)
            .select(ChangeRow::as_select())
            .load(conn),
        // A row comparison, which PostgreSQL reads as a range of `changes_order`.
        DbConnection::Postgres(_) => diesel::sql_query(
            "SELECT seq, resource, resource_id, action, slug, url, changed_at, tx FROM changes \
             WHERE (tx, seq) > ($1, $2) AND tx < $3 ORDER BY tx, seq LIMIT $4",
        )
        .bind::<BigInt, _>(tx)
        .bind::<BigInt, _>(seq)
        .bind::<BigInt, _>(horizon)
        .bind::<BigInt, _>(limit)
        .load(conn),
    }
}

/// Whether some entry is held back by `horizon` (written by a transaction that may still be
/// running, or that ended after the horizon was read).
pub fn held_back(conn: &mut DbConnection, horizon: i64) -> QueryResult<bool> {
    changes::table
        .filter(changes::tx.ge(horizon))
        .select(changes::seq)
        .first::<i64>(conn)
        .optional()
        .map(|row| row.is_some())
}

/// The transaction below which every transaction that may write here has ended: on
/// PostgreSQL the oldest one still running (or the next to start), leaving out those known to
/// belong to other databases of the server, whose long transactions (a restore, a batch job,
/// another application) would otherwise hold this feed back; an in-progress transaction whose
/// database cannot be seen counts as ours. On SQLite, where one writer commits in order and
/// `tx` is 0, anything above 0.
pub fn horizon(conn: &mut DbConnection) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Horizon {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        horizon: i64,
    }
    match conn {
        DbConnection::Sqlite(_) => Ok(1),
        DbConnection::Postgres(_) => diesel::sql_query(
            "WITH snap AS (SELECT pg_current_snapshot() AS s), \
             elsewhere AS ( \
                 SELECT backend_xid::text::bigint AS xid32 FROM pg_stat_activity \
                 WHERE datname IS NOT NULL AND datname <> current_database() \
                   AND backend_xid IS NOT NULL) \
             SELECT COALESCE( \
                 (SELECT min(x::text::bigint) FROM snap, pg_snapshot_xip(snap.s) AS x \
                  WHERE (x::text::bigint & 4294967295) NOT IN (SELECT xid32 FROM elsewhere)), \
                 (SELECT pg_snapshot_xmax(s)::text::bigint FROM snap)) AS horizon",
        )
        .get_result::<Horizon>(conn)
        .map(|h| h.horizon),
    }
}
