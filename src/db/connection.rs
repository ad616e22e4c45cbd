//! The connection type over both backends, and how each connection is set up.

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::r2d2::R2D2Connection;
use diesel::sqlite::SqliteConnection;
use diesel::{Connection, ConnectionError};

use crate::config::DatabaseUrl;

/// One connection to either store. Queries written with the Diesel DSL against this type run
/// on both; backend-specific SQL (full-text search) matches on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// Which store a deployment runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of(url: &DatabaseUrl) -> Self {
        match url {
            DatabaseUrl::Sqlite(_) => Self::Sqlite,
            DatabaseUrl::Postgres(_) => Self::Postgres,
        }
    }

    /// The store `conn` talks to.
    pub fn of_connection(conn: &DbConnection) -> Self {
        match conn {
            DbConnection::Sqlite(_) => Self::Sqlite,
            DbConnection::Postgres(_) => Self::Postgres,
        }
    }
}

/// Set on every SQLite connection: WAL so readers never block the writer, `NORMAL` sync (safe
/// in WAL mode: a process crash loses nothing committed, a power cut can lose the last
/// commits but never corrupts), enforced foreign keys, a busy timeout so a writer waits for
/// the lock instead of failing at once, and `optimize`, which refreshes the planner's
/// statistics when tables have grown. Without statistics SQLite may join the search index
/// the slow way round (from every article into the index instead of from the index's
/// matches): 3.8 s instead of 21 ms for a search on 10,000 articles.
///
/// Each connection's page cache is 256 KiB instead of SQLite's 2 MiB: hot reads are answered
/// from the response cache, the operating system caches the file anyway, and five
/// connections' 2 MiB were a sixth of the server's memory under load (at 10,000 articles,
/// uncached searches, related lists and article reads ran no slower with 256 KiB).
///
/// The busy timeout comes first: the pragmas after it may need a lock another connection
/// holds for a moment (`optimize` may run ANALYZE), and must wait for it rather than fail
/// with "database is locked" while the connection is being set up.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 5000;
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
PRAGMA temp_store = MEMORY;
PRAGMA cache_size = -256;
PRAGMA optimize = 0x10002;";

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("{0}")]
    Connect(#[from] ConnectionError),
    #[error("{0}")]
    Setup(#[from] diesel::result::Error),
}

/// `url` with `gssencmode=disable` unless it chooses a mode itself. libpq's default
/// (`prefer`) initializes Kerberos on every connection, and Kerberos aborts the process
/// (`k5_mutex_lock: Assertion 'r == 0' failed`) when it exits while a pool thread is still
/// connecting: seen once in CI as a `sahifa migrate` killed by SIGABRT (rust-lang/rust#75527,
/// diesel-rs/diesel#3226). GSS encryption is rare; a deployment that uses it says so.
pub fn without_gss_encryption(url: &str) -> String {
    if url.contains("gssencmode=") {
        return url.to_owned();
    }
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}gssencmode=disable")
}

/// Opens connections for the r2d2 pool, choosing the backend from the parsed URL (never by
/// trial: a PostgreSQL URL must never fall back to creating an SQLite file of that name).
#[derive(Debug)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        Self { url }
    }

    pub fn connect_now(&self) -> Result<DbConnection, ConnectError> {
        match &self.url {
            DatabaseUrl::Sqlite(path) => {
                let mut conn = SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(SQLITE_PRAGMAS)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseUrl::Postgres(url) => {
                let mut conn = PgConnection::establish(&without_gss_encryption(url))?;
                conn.batch_execute("SET TIME ZONE 'UTC'")?;
                Ok(DbConnection::Postgres(conn))
            }
        }
    }
}

impl diesel::r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        self.connect_now()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        Ok(conn.ping()?)
    }

    fn has_broken(&self, conn: &mut DbConnection) -> bool {
        conn.is_broken()
    }
}

/// Runs `work` in a transaction that takes the write lock up front.
///
/// On SQLite a plain `BEGIN` starts as a reader; when it later writes while another writer
/// holds the lock, SQLite answers `SQLITE_BUSY` at once (the busy timeout cannot help, since
/// waiting could deadlock). `BEGIN IMMEDIATE` takes the lock first, so writers queue on the
/// busy timeout instead of failing. PostgreSQL needs no such care.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_begun_with(conn, "BEGIN IMMEDIATE", "BEGIN", work)
}

/// Opens the transaction of a write (see [`write_transaction`]), to be ended with
/// `commit_inner` or `rollback_inner`.
pub(super) fn begin_write(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")
        }
        DbConnection::Postgres(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN"),
    }
}

/// Runs `work` in one consistent, read-only view of the database: every query sees the same
/// snapshot whatever is written meanwhile (a repeatable-read transaction on PostgreSQL; any
/// SQLite transaction already is one).
pub fn read_snapshot<T, E, F>(conn: &mut DbConnection, work: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    transaction_begun_with(
        conn,
        "BEGIN",
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        work,
    )
}

/// A transaction opened with backend-specific SQL, committed when `work` succeeds and rolled
/// back when it fails. Diesel's own transaction manager of the inner connection tracks it, so
/// `conn.transaction` inside `work` nests as a savepoint.
fn transaction_begun_with<T, E, F>(
    conn: &mut DbConnection,
    sqlite_begin: &str,
    postgres_begin: &str,
    work: F,
) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, sqlite_begin)?,
        DbConnection::Postgres(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, postgres_begin)?
        }
    }
    match work(conn) {
        Ok(value) => {
            if let Err(commit_error) = commit_inner(conn) {
                let _ = rollback_inner(conn);
                return Err(commit_error.into());
            }
            Ok(value)
        }
        Err(error) => {
            rollback_inner(conn)?;
            Err(error)
        }
    }
}

pub(super) fn commit_inner(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::commit_transaction(c),
        DbConnection::Postgres(c) => AnsiTransactionManager::commit_transaction(c),
    }
}

pub(super) fn rollback_inner(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => AnsiTransactionManager::rollback_transaction(c),
        DbConnection::Postgres(c) => AnsiTransactionManager::rollback_transaction(c),
    }
}

#[cfg(test)]
mod tests {
    use super::without_gss_encryption;

    #[test]
    fn postgres_urls_skip_gss_encryption_unless_they_choose() {
        assert_eq!(
            without_gss_encryption("postgres://u@h/db"),
            "postgres://u@h/db?gssencmode=disable"
        );
        assert_eq!(
            without_gss_encryption("postgres://u@h/db?sslmode=disable"),
            "postgres://u@h/db?sslmode=disable&gssencmode=disable"
        );
        let chosen = "postgres://u@h/db?gssencmode=require";
        assert_eq!(without_gss_encryption(chosen), chosen);
    }
}
