//! Keeps a server's index current between searches: a task applies the change log when
//! woken (on PostgreSQL, by another instance's write, heard through LISTEN/NOTIFY on
//! [`CHANNEL`]) and every [`POLL`] in any case (the fallback when a notification is missed),
//! and swaps in a generation that `sahifa reindex` has built. It ends when the engine is
//! dropped (the server stopped). It has a database connection of its own: index work never
//! takes one a request is waiting for.

use std::sync::{Arc, Weak};
use std::time::Duration;

use actix_web::rt::task::spawn_blocking;
use actix_web::rt::time::timeout;

use super::Engine;
use crate::config::DatabaseUrl;
use crate::db::listener::{self, Channel, Hearer};
use crate::db::{ConnectionManager, DbConnection};

/// The channel the change log's trigger notifies (migration `…_search_changes`).
pub const CHANNEL: Channel = Channel {
    name: "sahifa_search",
    application_name: "sahifa search listener",
    poll: listener::POLL_INTERVAL,
};

/// The longest the index waits before looking at the log again.
pub const POLL: Duration = Duration::from_millis(250);

impl Hearer for Engine {
    fn heard(&self) {
        self.wake.notify_one();
    }

    /// Missed notifications are covered by polling.
    fn set_hearing(&self, _hearing: bool) {}
}

/// Starts keeping `engine` current with the store at `url` (and listening, on PostgreSQL).
pub async fn start(engine: &Arc<Engine>, url: &DatabaseUrl) {
    if let DatabaseUrl::Postgres(url) = url {
        listener::listen(url.clone(), CHANNEL, engine).await;
    }
    actix_web::rt::spawn(keep_current(Arc::downgrade(engine), url.clone()));
}

async fn keep_current(engine: Weak<Engine>, url: DatabaseUrl) {
    let mut connection: Option<DbConnection> = None;
    loop {
        let Some(strong) = engine.upgrade() else {
            return;
        };
        let _ = timeout(POLL, strong.wake.notified()).await;
        let url = url.clone();
        let mut conn = connection.take();
        let work = spawn_blocking(move || {
            let result = (|| {
                let conn = match &mut conn {
                    Some(conn) => conn,
                    None => conn.insert(
                        ConnectionManager::new(url)
                            .connect_now()
                            .map_err(|e| e.to_string())?,
                    ),
                };
                strong
                    .follow_rebuild(conn)
                    .and_then(|()| strong.apply(conn))
                    .map_err(|e| e.to_string())
            })();
            // A connection that failed is dropped; the next round connects again.
            (result.is_ok().then_some(conn).flatten(), result)
        });
        match work.await {
            Ok((kept, Ok(_))) => connection = kept,
            Ok((_, Err(error))) => tracing::warn!(%error, "could not update the search index"),
            // Cancelled: the runtime is shutting down.
            Err(_) => return,
        }
    }
}
