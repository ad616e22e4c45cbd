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
    fn sql(self) -> &'static str {
        match self {
            Self::Articles => "SELECT id FROM articles WHERE id = $1 FOR UPDATE",
            Self::Comments => "SELECT id FROM comments WHERE id = $1 FOR UPDATE",
            Self::Media => "SELECT id FROM media WHERE id = $1 FOR UPDATE",
            Self::Menus => "SELECT id FROM menus WHERE id = $1 FOR UPDATE",
            Self::Pages => "SELECT id FROM pages WHERE id = $1 FOR UPDATE",
            Self::Sections => "SELECT id FROM sections WHERE id = $1 FOR UPDATE",
            Self::Users => "SELECT id FROM users WHERE id = $1 FOR UPDATE",
            Self::WebhookEndpoints => "SELECT id FROM webhook_endpoints WHERE id = $1 FOR UPDATE",
        }
    }
}

/// Locks row `id` of `table` until the transaction ends; whether a lock was taken (only on
/// PostgreSQL). A caller that read the row before locking it reads it again when this is
/// true. A missing row locks nothing and is no error: the read that follows finds nothing.
pub fn lock_row(conn: &mut DbConnection, table: Locked, id: i64) -> QueryResult<bool> {
    if let DbConnection::Postgres(_) = conn {
        diesel::sql_query(table.sql())
            .bind::<diesel::sql_types::BigInt, _>(id)
            .execute(conn)?;
        return Ok(true);
    }
    Ok(false)
}
