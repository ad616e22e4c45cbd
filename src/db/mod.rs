//! The store: one connection type over SQLite or PostgreSQL, the pool, migrations, and the
//! helper that runs blocking Diesel work off the async workers.
//!
//! This module knows nothing of HTTP or of any resource: it hands out connections and
//! transactions, and the resource slices write their queries against [`DbConnection`].

pub mod backup;
mod connection;
pub mod listener;
mod locks;
mod migrations;
pub mod schema;
mod writer;

use std::sync::Arc;
use std::time::Duration;

use diesel::RunQueryDsl;
use diesel::r2d2::Pool;

pub use connection::{
    Backend, ConnectError, ConnectionManager, DbConnection, MultiBackend, read_snapshot,
    write_transaction,
};
pub use locks::{Locked, lock_row, lock_rows};
pub use migrations::{MigrateError, MigrationReport, migrate};

use crate::config::DatabaseUrl;

/// The names of the tables in the database `conn` talks to (its public schema on
/// PostgreSQL), sorted.
pub fn table_names(conn: &mut DbConnection) -> diesel::QueryResult<Vec<String>> {
    #[derive(diesel::QueryableByName)]
    struct Name {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    let sql = match conn {
        DbConnection::Sqlite(_) => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        DbConnection::Postgres(_) => {
            "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        }
    };
    Ok(diesel::sql_query(sql)
        .load::<Name>(conn)?
        .into_iter()
        .map(|n| n.name)
        .collect())
}

/// A pooled store shared by every worker. Cloning is cheap.
#[derive(Clone)]
pub struct Store {
    pool: Pool<ConnectionManager>,
    backend: Backend,
    /// How long a unit of work waits for a free connection before giving up.
    acquire_timeout: Duration,
    /// SQLite: the one connection that writes (see [`writer`]); PostgreSQL writes from the pool.
    writer: Option<writer::Writer>,
    /// SQLite: marks the file as in use, so a restore cannot replace it under us.
    _lock: Option<backup::DatabaseLock>,
    /// The public site, made current around every unit of work (see `links`).
    site: Arc<crate::links::Site>,
}

/// How long start-up, maintenance and CLI work waits for a connection: unlike a request,
/// it has no client to answer quickly, and at start the pool is still filling.
const PATIENT_ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why the store could not be opened at start.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot open the database {url}: {source}")]
    Connect { url: String, source: ConnectError },
    #[error(transparent)]
    Migrate(#[from] MigrateError),
    #[error("cannot lock the database file: {0}")]
    Lock(std::io::Error),
}

/// Why a unit of database work did not run.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Every connection stayed busy for the whole acquire timeout.
    #[error("no database connection became free in time")]
    Saturated,
    /// The blocking task was cancelled or panicked.
    #[error("the database task did not complete")]
    TaskFailed,
}

/// A query that failed, or could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

/// Notified after every write this process committed, for whoever follows the database from
/// inside the process (the live stream's pump reads new events then rather than at its next
/// periodic look). Only current waiters are woken: a follower registers before it reads.
pub static COMMITTED: std::sync::LazyLock<tokio::sync::Notify> =
    std::sync::LazyLock::new(tokio::sync::Notify::new);

impl Store {
    /// Opens the database, applies pending migrations (refusing a database from a newer
    /// binary), then builds the pool. Errors here are start-up errors, reported verbatim.
    pub fn open(
        url: &DatabaseUrl,
        pool_size: u32,
        acquire_timeout: Duration,
    ) -> Result<(Self, MigrationReport), OpenError> {
        let lock = match url {
            DatabaseUrl::Sqlite(path) => Some(backup::hold_shared(path).map_err(OpenError::Lock)?),
            DatabaseUrl::Postgres(_) => None,
        };
        let manager = ConnectionManager::new(url.clone());
        // Connect once by hand: r2d2 would retry a bad path until its timeout, and the first
        // error is the useful one.
        let mut first = manager.connect_now().map_err(|source| OpenError::Connect {
            url: url.redacted(),
            source,
        })?;
        let report = migrate(&mut first)?;
        drop(first);
        let writer = match url {
            DatabaseUrl::Sqlite(_) => Some(
                writer::Writer::start(ConnectionManager::new(url.clone())).map_err(|source| {
                    OpenError::Connect {
                        url: url.redacted(),
                        source,
                    }
                })?,
            ),
            DatabaseUrl::Postgres(_) => None,
        };
        let pool = Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(acquire_timeout)
            // A checkout must not cost a round trip; broken connections are detected by
            // `has_broken` and replaced.
            .test_on_check_out(false)
            // Not `build`: it waits for the idle connection within the *acquire* timeout,
            // which may be shorter than a PostgreSQL connect. The connection above proved the
            // database reachable; the pool fills in the background.
            .build_unchecked(manager);
        let backend = Backend::of(url);
        Ok((
            Self {
                pool,
                backend,
                acquire_timeout,
                writer,
                _lock: lock,
                site: Arc::default(),
            },
            report,
        ))
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The same store, building `url` fields for `site`.
    pub fn for_site(self, site: crate::links::Site) -> Self {
        Self {
            site: Arc::new(site),
            ..self
        }
    }

    /// The same store for work that should wait for a connection rather than fail fast
    /// (start-up, maintenance, CLI commands): request handlers keep the configured
    /// `SAHIFA_DB_ACQUIRE_TIMEOUT_MS`, which may be a few milliseconds.
    pub fn patient(&self) -> Self {
        Self {
            acquire_timeout: PATIENT_ACQUIRE_TIMEOUT.max(self.acquire_timeout),
            ..self.clone()
        }
    }

    /// Runs `work` on a pooled connection on the blocking thread pool, inside the caller's
    /// tracing span (so its log lines keep the request id).
    pub async fn run<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.pool.clone();
        let acquire_timeout = self.acquire_timeout;
        let span = tracing::Span::current();
        let site = self.site.clone();
        actix_web::rt::task::spawn_blocking(move || {
            let _entered = span.enter();
            let mut conn = pool
                .get_timeout(acquire_timeout)
                .map_err(|_| StoreError::Saturated)?;
            crate::links::scope(&site, || work(&mut conn))
        })
        .await
        .map_err(|_| StoreError::TaskFailed)?
    }

    /// Runs a short, bounded read (one article, one list page) at once on this worker when
    /// the store is SQLite and a connection is free; otherwise as [`Store::run`] does.
    ///
    /// Handing a read of a few hundred microseconds to the blocking pool costs two thread
    /// wake-ups (there and back): at 64 connections on two cores, futex waits and context
    /// switches were 43 % of the server's time in `perf`. A PostgreSQL read waits on the
    /// network, which must not stall a worker, and a read finding no free connection must not
    /// wait for one here either. Only reads whose cost is bounded belong here: a worker serves
    /// nothing else while one runs.
    pub async fn read<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        if self.backend != Backend::Sqlite {
            return self.run(work).await;
        }
        let Some(mut conn) = self.pool.try_get() else {
            return self.run(work).await;
        };
        // A panic ends this request, as one on the blocking pool would, not the worker.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            crate::links::scope(&self.site, || work(&mut conn))
        }))
        .map_err(|_| StoreError::TaskFailed)?
    }

    /// Runs plain queries (no transaction of their own) off the async workers.
    pub async fn query<T, F>(&self, work: F) -> Result<T, DbError>
    where
        F: FnOnce(&mut DbConnection) -> diesel::QueryResult<T> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| work(conn).map_err(DbError::from))
            .await
    }

    /// Runs `work` inside a write transaction (see [`write_transaction`]): on SQLite queued
    /// for the writer thread, where it may share its commit with other writes; it is
    /// answered once committed. `work` failing undoes only its own changes.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + From<diesel::result::Error> + Send + 'static,
    {
        // A staff request's first write carries its audit entry into the same transaction.
        let audit = crate::audit::context::pending(crate::time::now());
        let audited = audit.is_some();
        let work = move |c: &mut DbConnection| {
            let out = work(c)?;
            if let Some(entry) = &audit {
                crate::audit::model::insert(c, entry)?;
            }
            Ok(out)
        };
        let written = match &self.writer {
            Some(writer) => {
                let deadline = std::time::Instant::now() + self.acquire_timeout;
                let site = self.site.clone();
                writer
                    .write(deadline, move |c| crate::links::scope(&site, || work(c)))
                    .await
            }
            None => self.run(move |conn| write_transaction(conn, work)).await,
        };
        if written.is_ok() {
            if audited {
                crate::audit::context::mark_recorded();
            }
            COMMITTED.notify_waiters();
        }
        written
    }

    /// A pooled connection for blocking callers (CLI commands). Request handlers use
    /// [`Store::run`] and friends, which keep Diesel off the async workers.
    pub fn connection(
        &self,
    ) -> Result<diesel::r2d2::PooledConnection<ConnectionManager>, StoreError> {
        self.pool
            .get_timeout(PATIENT_ACQUIRE_TIMEOUT.max(self.acquire_timeout))
            .map_err(|_| StoreError::Saturated)
    }

    /// `(connections, idle)` in the pool.
    pub fn pool_state(&self) -> (u32, u32) {
        let state = self.pool.state();
        (state.connections, state.idle_connections)
    }

    /// Refreshes the query planner's statistics where tables changed much (SQLite;
    /// PostgreSQL's autovacuum does this by itself). Run hourly by the server.
    pub async fn optimize(&self) {
        if self.backend != Backend::Sqlite {
            return;
        }
        let outcome = self
            .patient()
            .run(|c| {
                use diesel::connection::SimpleConnection;
                c.batch_execute("PRAGMA optimize").map_err(DbError::from)
            })
            .await;
        if let Err(error) = outcome {
            tracing::warn!(%error, "PRAGMA optimize failed");
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        self.run(|conn| {
            diesel::sql_query("SELECT 1")
                .execute(conn)
                .map_err(|_| StoreError::TaskFailed)
        })
        .await
        .is_ok()
    }
}
