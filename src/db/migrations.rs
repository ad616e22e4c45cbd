//! Migrations, embedded in the binary: one folder per backend.

use diesel::migration::MigrationSource;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use super::DbConnection;

const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// What `migrate` did.
#[derive(Debug)]
pub struct MigrationReport {
    /// Versions applied by this call, oldest first.
    pub applied: Vec<String>,
    /// The newest version the database is now at.
    pub current: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error(
        "the database was migrated by a newer Sahifa (it has migration {version}, which this \
         binary does not know); run a newer sahifa, or restore a backup made by this version"
    )]
    NewerDatabase { version: String },
    #[error("migrations failed: {0}")]
    Failed(String),
}

fn failed(e: impl std::fmt::Display) -> MigrateError {
    MigrateError::Failed(e.to_string())
}

/// The migration versions this binary knows for `backend`.
pub fn known_versions(backend: super::Backend) -> Vec<String> {
    let source = match backend {
        super::Backend::Sqlite => SQLITE,
        super::Backend::Postgres => POSTGRES,
    };
    MigrationSource::<super::connection::MultiBackend>::migrations(&source)
        .map(|all| all.iter().map(|m| m.name().version().to_string()).collect())
        .unwrap_or_default()
}

/// Applies pending migrations, after refusing a database that has migrations this binary
/// does not know (it was written by a newer version, whose schema we cannot serve safely).
pub fn migrate(conn: &mut DbConnection) -> Result<MigrationReport, MigrateError> {
    let source = match conn {
        DbConnection::Sqlite(_) => SQLITE,
        DbConnection::Postgres(_) => POSTGRES,
    };
    let known: Vec<String> =
        MigrationSource::<super::connection::MultiBackend>::migrations(&source)
            .map_err(failed)?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect();
    let mut present: Vec<String> = conn
        .applied_migrations()
        .map_err(failed)?
        .into_iter()
        .map(|v| v.to_string())
        .collect();
    if let Some(version) = present.iter().find(|v| !known.contains(v)) {
        return Err(MigrateError::NewerDatabase {
            version: version.clone(),
        });
    }
    // The versions borrow the connection; own them before using it again.
    let applied: Vec<String> = conn
        .run_pending_migrations(source)
        .map_err(failed)?
        .into_iter()
        .map(|v| v.to_string())
        .collect();
    present.extend(applied.iter().cloned());
    present.sort();
    Ok(MigrationReport {
        applied,
        current: present.pop(),
    })
}
