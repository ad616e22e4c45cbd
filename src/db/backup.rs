//! Online backups of the SQLite store, and restoring one.
//!
//! A backup is `VACUUM INTO`: SQLite writes a consistent, compacted copy of the database as of
//! one read transaction, while the server goes on taking writes (WAL mode lets readers and the
//! writer proceed together). PostgreSQL deployments use `pg_dump` instead.
//!
//! Every process that opens an SQLite store holds a *shared* lock on `<database>.lock` for as
//! long as it runs; a restore takes it *exclusively*, so it refuses to replace a database that a
//! server (or any other `sahifa` command) is using.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::SqliteConnection;

/// A lock held on a database's lock file while it is open.
#[derive(Clone)]
pub struct DatabaseLock {
    _file: Arc<File>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("backups of PostgreSQL are made with pg_dump (see the README)")]
    NotSqlite,
    #[error("{0} already exists; choose a new file for the backup")]
    TargetExists(PathBuf),
    #[error("the database is in use by a running sahifa (stop it before restoring)")]
    InUse,
    #[error("{path} is not a usable Sahifa backup: {reason}")]
    BadBackup { path: PathBuf, reason: String },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("{0}")]
    Database(String),
}

impl From<diesel::result::Error> for BackupError {
    fn from(e: diesel::result::Error) -> Self {
        Self::Database(e.to_string())
    }
}

impl From<diesel::ConnectionError> for BackupError {
    fn from(e: diesel::ConnectionError) -> Self {
        Self::Database(e.to_string())
    }
}

fn lock_path(database: &Path) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn open_lock_file(database: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(database))
}

/// Marks `database` as in use for as long as the returned lock lives. Never blocks: a
/// restore in progress holds the lock exclusively only for an instant.
pub fn hold_shared(database: &Path) -> std::io::Result<DatabaseLock> {
    let file = open_lock_file(database)?;
    file.lock_shared()?;
    Ok(DatabaseLock {
        _file: Arc::new(file),
    })
}

#[derive(Debug, QueryableByName)]
struct CheckRow {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

/// What a verified database holds.
#[derive(Debug)]
pub struct Verified {
    pub articles: i64,
    pub schema_version: String,
}

/// Checks that `path` is an intact SQLite database with Sahifa's schema, written by this
/// version or an older one.
pub fn verify(path: &Path) -> Result<Verified, BackupError> {
    let bad = |reason: String| BackupError::BadBackup {
        path: path.to_owned(),
        reason,
    };
    if !path.is_file() {
        return Err(bad("no such file".into()));
    }
    let mut conn =
        SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| bad(e.to_string()))?;
    let check: Vec<CheckRow> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut conn)
        .map_err(|e| bad(format!("not an SQLite database ({e})")))?;
    if check.len() != 1 || check[0].integrity_check != "ok" {
        let problems: Vec<String> = check.into_iter().map(|r| r.integrity_check).collect();
        return Err(bad(format!(
            "integrity check failed: {}",
            problems.join("; ")
        )));
    }
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        version: String,
    }
    let versions: Vec<Version> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations ORDER BY version")
            .load(&mut conn)
            .map_err(|_| bad("it has no Sahifa schema".into()))?;
    let newest = versions
        .last()
        .map(|v| v.version.clone())
        .ok_or_else(|| bad("it has no Sahifa schema".into()))?;
    let known = super::migrations::known_versions(super::Backend::Sqlite);
    if let Some(unknown) = versions.iter().find(|v| !known.contains(&v.version)) {
        return Err(bad(format!(
            "it was made by a newer Sahifa (migration {}); restore it with that version",
            unknown.version
        )));
    }
    let articles: i64 = crate::db::schema::articles::table
        .count()
        .get_result(&mut conn)
        .map_err(|e| bad(e.to_string()))?;
    Ok(Verified {
        articles,
        schema_version: newest,
    })
}

/// Writes a consistent copy of the live database at `database` to `target` (a new file),
/// then verifies the copy.
pub fn backup(database: &Path, target: &Path) -> Result<Verified, BackupError> {
    if target.exists() {
        return Err(BackupError::TargetExists(target.to_owned()));
    }
    let mut conn = SqliteConnection::establish(&database.to_string_lossy())?;
    conn.batch_execute("PRAGMA busy_timeout = 10000")?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target.to_string_lossy())
        .execute(&mut conn)?;
    verify(target)
}

/// Replaces the database at `database` with the verified backup at `source`, refusing when
/// the database is in use.
pub fn restore(source: &Path, database: &Path) -> Result<Verified, BackupError> {
    let verified = verify(source)?;
    let lock = open_lock_file(database)?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(TryLockError::WouldBlock) => return Err(BackupError::InUse),
        Err(TryLockError::Error(e)) => return Err(e.into()),
    }
    // Copy next to the target, flush it to disk, then swap it in: a crash leaves either the
    // old database or the new one, never half of one.
    let mut staging = database.as_os_str().to_owned();
    staging.push(".restoring");
    let staging = PathBuf::from(staging);
    std::fs::copy(source, &staging)?;
    File::open(&staging)?.sync_all()?;
    // The old database's write-ahead log must not be replayed onto the restored one.
    for suffix in ["-wal", "-shm"] {
        let mut side = database.as_os_str().to_owned();
        side.push(suffix);
        match std::fs::remove_file(PathBuf::from(side)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    }
    std::fs::rename(&staging, database)?;
    if let Some(dir) = database.parent().filter(|d| !d.as_os_str().is_empty()) {
        File::open(dir)?.sync_all()?;
    }
    drop(lock);
    Ok(verified)
}
