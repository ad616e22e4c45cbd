//! Periodic upkeep, run by the job runner (`jobs`) rather than by timers of each process: on
//! PostgreSQL one instance does each run, and a run a crash interrupted runs again.

use std::time::Duration;

use crate::db::DbError;
use crate::jobs::{Kind, Registry};

/// The kinds of periodic upkeep every server registers.
pub fn kinds(registry: Registry) -> Registry {
    registry
        .with(optimize())
        .with(prune_sessions())
        .with(prune_search_changes())
}

/// How long the search change log keeps an entry: an index that was down (or a copy of the
/// database) for longer is rebuilt at start instead of catching up.
pub const SEARCH_LOG_KEPT: Duration = Duration::from_secs(7 * 24 * 3600);

/// Refreshes the query planner's statistics where tables changed much (SQLite; PostgreSQL's
/// autovacuum does this by itself), hourly.
fn optimize() -> Kind {
    Kind::new("maintenance.optimize", |ctx| async move {
        ctx.store.optimize().await;
        Ok(())
    })
    .every(Duration::from_secs(3600))
}

/// Deletes refresh tokens past their expiry, daily: an expired token is refused whatever its
/// row says, and only live families need their used tokens (to detect reuse).
fn prune_sessions() -> Kind {
    Kind::new("maintenance.prune_sessions", |ctx| async move {
        let deleted = ctx
            .store
            .write(|c| {
                crate::auth::refresh::delete_expired(c, crate::time::now()).map_err(DbError::from)
            })
            .await
            .map_err(|e| e.to_string())?;
        if deleted > 0 {
            tracing::info!(deleted, "pruned expired refresh tokens");
        }
        Ok(())
    })
    .every(Duration::from_secs(24 * 3600))
}

/// Deletes search change log entries older than [`SEARCH_LOG_KEPT`], daily. Running indexes
/// apply entries within a second; the log is kept for the ones that are not running.
fn prune_search_changes() -> Kind {
    Kind::new("maintenance.prune_search_changes", |ctx| async move {
        let deleted = ctx
            .store
            .write(|c| {
                let before = crate::time::now()
                    - chrono::Duration::from_std(SEARCH_LOG_KEPT).unwrap_or_default();
                crate::search::changes::prune(c, before).map_err(DbError::from)
            })
            .await
            .map_err(|e| e.to_string())?;
        if deleted > 0 {
            tracing::info!(deleted, "pruned the search change log");
        }
        Ok(())
    })
    .every(Duration::from_secs(24 * 3600))
}
