//! Row locks for the writes that read a row, check the caller's `If-Match` against it, and
//! write it back compare-and-set on its `version`.
//!
//! On PostgreSQL (read committed) two such writes of one row could both read version n; the
//! second one's compare-and-set then matched no row and it answered 412 although its caller
//! had sent no `If-Match` at all. Locking the row before reading it makes concurrent writes of
//! one row wait for each other, each reading the row as the one before it left it. SQLite runs
//! every write on one writer thread, one after another, and needs no lock.

use diesel::RunQueryDsl;
use diesel::result::QueryResult;

use super::DbConnection;

/// The tables whose rows a write locks before reading them.
#[derive(Debug, Clone, Copy)]
pub enum Locked {
    Articles,
    Comments,
    Media,
    Menus,
    Pages,
    Sections,
    Users,
    WebhookEndpoints,
}

impl Locked {
    fn table(self) -> &'static str {
        match self {
            Self::Articles => "articles",
            Self::Comments => "comments",
            Self::Media => "media",
            Self::Menus => "menus",
            Self::Pages => "pages",
            Self::Sections => "sections",
            Self::Users => "users",
            Self::WebhookEndpoints => "webhook_endpoints",
        }
    }
}

/// Locks row `id` of `table` until the transaction ends; whether a lock was taken (only on
/// PostgreSQL). A caller that read the row before locking it reads it again when this is
/// true. A missing row locks nothing and is no error: the read that follows finds nothing.
pub fn lock_row(conn: &mut DbConnection, table: Locked, id: i64) -> QueryResult<bool> {
    lock_rows(conn, table, &[id])
}

/// Locks the rows `ids` of `table` in one statement, in id order (so that two writes locking
/// overlapping sets cannot each hold a row the other waits for), until the transaction ends.
/// As [`lock_row`]: whether locks were taken; missing rows lock nothing.
pub fn lock_rows(conn: &mut DbConnection, table: Locked, ids: &[i64]) -> QueryResult<bool> {
    if let DbConnection::Postgres(pg) = conn {
        // Rows are locked as the sorted scan returns them: in id order.
        let sql = format!(
            "SELECT id FROM {} WHERE id = ANY($1) ORDER BY id FOR UPDATE",
            table.table()
        );
        diesel::sql_query(sql)
            .bind::<diesel::sql_types::Array<diesel::sql_types::BigInt>, _>(ids)
            .execute(pg)?;
        return Ok(true);
    }
    Ok(false)
}
