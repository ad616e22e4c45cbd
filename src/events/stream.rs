//! The live stream's machinery: one pump per process reads new public events from the
//! outbox and broadcasts them to every subscriber; a subscriber that resumes
//! (`Last-Event-ID`) first reads what it missed from the outbox, a page at a time.
//!
//! Subscribers cost no database connection: the pump holds none between reads, and a
//! resuming subscriber borrows one from the pool for each page of its backlog. They cost
//! little memory: the broadcast ring ([`CAPACITY`] events) is shared, and each subscriber
//! keeps its cursor, its section filter and the task that writes to its socket. A
//! subscriber that falls [`CAPACITY`] events behind (a client that does not read) is
//! disconnected at its next turn; it resumes from its last event id without a gap.
//!
//! The pump wakes when this process commits a write, when another PostgreSQL instance's event
//! is announced (`NOTIFY sahifa_events`), and every [`POLL`] in any case.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::sync::{Notify, broadcast};

use super::model::{self, EventRow};
use crate::config::DatabaseUrl;
use crate::db::Store;
use crate::db::listener::{self, Channel, Hearer};

/// Events a subscriber may fall behind before it is disconnected.
pub const CAPACITY: usize = 256;

/// The longest the pump waits before looking at the outbox again.
pub const POLL: Duration = Duration::from_millis(250);

/// How many events a resuming subscriber reads per page of its backlog.
pub const BACKLOG_PAGE: i64 = 200;

/// Streams tolerate tens of milliseconds, so this connection is read less often than the
/// cache's (each read is a blocking task).
pub const CHANNEL: Channel = Channel {
    name: "sahifa_events",
    application_name: "sahifa events listener",
    poll: Duration::from_millis(50),
};

/// One event as the stream sends it.
#[derive(Debug)]
pub struct Streamed {
    pub id: i64,
    pub event_type: String,
    pub section_id: Option<i64>,
    /// The envelope, serialized once for every subscriber.
    pub data: String,
}

impl From<&EventRow> for Streamed {
    fn from(row: &EventRow) -> Self {
        Self {
            id: row.id,
            event_type: row.event_type.clone(),
            section_id: row.section_id,
            data: super::envelope(row).to_string(),
        }
    }
}

/// The process's broadcaster.
pub struct Broadcaster {
    sender: broadcast::Sender<Arc<Streamed>>,
    /// The last event broadcast: a new subscriber starts after it.
    last: AtomicI64,
    wake: Notify,
    subscribers: AtomicUsize,
}

impl Hearer for Broadcaster {
    fn heard(&self) {
        self.wake.notify_one();
    }

    /// Missed notifications are covered by polling.
    fn set_hearing(&self, _hearing: bool) {}
}

impl Broadcaster {
    /// Starts the pump (and, on PostgreSQL, listening for other instances' events).
    pub async fn start(store: Store, url: &DatabaseUrl) -> Result<Arc<Self>, crate::db::DbError> {
        let last = store.query(model::last_id).await?;
        let (sender, _) = broadcast::channel(CAPACITY);
        let broadcaster = Arc::new(Self {
            sender,
            last: AtomicI64::new(last),
            wake: Notify::new(),
            subscribers: AtomicUsize::new(0),
        });
        if let DatabaseUrl::Postgres(url) = url {
            listener::listen(url.clone(), CHANNEL, &broadcaster).await;
        }
        actix_web::rt::spawn(pump(Arc::downgrade(&broadcaster), store));
        Ok(broadcaster)
    }

    /// A new subscriber: its receiver, and the last event id broadcast before it (taken
    /// after subscribing, so no event falls between the two).
    pub fn subscribe(&self) -> (broadcast::Receiver<Arc<Streamed>>, i64) {
        let receiver = self.sender.subscribe();
        (receiver, self.last.load(Ordering::SeqCst))
    }

    /// How many streams are open (for `/metrics` and the bench).
    pub fn subscribers(&self) -> usize {
        self.subscribers.load(Ordering::Relaxed)
    }

    pub fn opened(&self) {
        self.subscribers.fetch_add(1, Ordering::Relaxed);
    }

    pub fn closed(&self) {
        self.subscribers.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The shortest time between two reads of the outbox: under a burst of writes the pump reads
/// at most this often, each read taking every event committed meanwhile.
const MIN_READ_INTERVAL: Duration = Duration::from_millis(10);

async fn pump(broadcaster: Weak<Broadcaster>, store: Store) {
    // This process's commits wake the pump at once; other instances' events are announced by
    // NOTIFY. The next wake is registered before each read, so a commit during it is not
    // missed.
    let mut committed = Box::pin(crate::db::COMMITTED.notified());
    committed.as_mut().enable();
    let mut last_read = tokio::time::Instant::now();
    loop {
        let Some(strong) = broadcaster.upgrade() else {
            return;
        };
        let _ = tokio::time::timeout(POLL, async {
            tokio::select! {
                _ = committed.as_mut() => {}
                _ = strong.wake.notified() => {}
            }
        })
        .await;
        committed = Box::pin(crate::db::COMMITTED.notified());
        committed.as_mut().enable();
        tokio::time::sleep_until(last_read + MIN_READ_INTERVAL).await;
        last_read = tokio::time::Instant::now();
        loop {
            let after = strong.last.load(Ordering::SeqCst);
            let rows = match store
                .query(move |c| model::public_after(c, after, BACKLOG_PAGE))
                .await
            {
                Ok(rows) => rows,
                Err(e) => {
                    tracing::warn!(error = %e, "the live stream could not read the outbox");
                    break;
                }
            };
            let full = rows.len() as i64 == BACKLOG_PAGE;
            for row in &rows {
                // The cursor moves before the send: a subscriber that reads it after
                // subscribing either gets this event from the ring or starts after it.
                strong.last.store(row.id, Ordering::SeqCst);
                let _ = strong.sender.send(Arc::new(Streamed::from(row)));
            }
            if !full {
                break;
            }
        }
    }
}
