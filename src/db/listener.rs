//! Hearing the writes of the other instances that share a PostgreSQL database.
//!
//! Triggers announce committed changes on channels: `sahifa_readers_view` for every change
//! readers can see (migration `2026-11-27-000008_readers_view_notifications`; the response
//! cache forgets everything), `sahifa_search` for every entry of the search change log (the
//! search index applies it). For each [`Hearer`], one connection of its own `LISTEN`s on its
//! channel. Diesel exposes
//! received notifications but not the socket to wait on, so the connection is polled: every
//! [`POLL_INTERVAL`] a short blocking task reads what has arrived (a non-blocking `recv`),
//! and every [`HEARTBEAT_INTERVAL`] it runs a query, so that a connection that died silently
//! is noticed too; a poll that takes longer than [`STALL_LIMIT`] (a connection that hangs)
//! stops the cache from serving until it returns.
//!
//! The polling is a task of the server's runtime, each poll a blocking task of it, rather
//! than a thread of its own: when the runtime shuts down it waits for blocking tasks, so no
//! call into libpq is still running when the process exits (one that was crashed the
//! process in OpenSSL's exit-time cleanup).
//!
//! While the connection is down the hearer is told it may miss writes ([`Hearer::set_hearing`]);
//! once it listens again it is told it may have missed some ([`Hearer::heard`]). Polling ends
//! when the hearer is dropped (the server stopped).

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use actix_web::rt::task::spawn_blocking;
use actix_web::rt::time::{sleep, timeout};
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::{Connection, ConnectionResult, QueryResult};

/// What hears a channel. Both methods block (they run on the blocking pool).
pub trait Hearer: Send + Sync + 'static {
    /// Something was announced, or may have been while nobody listened.
    fn heard(&self);
    /// Whether every announcement is being heard (the connection listens) or may be missed.
    fn set_hearing(&self, hearing: bool);
}

/// A channel to listen on, and how the listening connection names itself to PostgreSQL
/// (`pg_stat_activity`).
#[derive(Debug, Clone, Copy)]
pub struct Channel {
    pub name: &'static str,
    pub application_name: &'static str,
    /// How often arrived notifications are read: the longest an announcement waits here,
    /// beyond its own trip ([`POLL_INTERVAL`] where staleness matters).
    pub poll: Duration,
}

/// How often the response cache and the search index read arrived notifications: the
/// longest another instance's write can be served stale here, beyond the notification's
/// own trip.
pub const POLL_INTERVAL: Duration = Duration::from_millis(5);

/// How often the connection is checked with a query.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(1);

/// How long a poll may take before the connection counts as hanging (a poll is a `recv` on
/// data already arrived, or a `SELECT 1`: milliseconds).
const STALL_LIMIT: Duration = Duration::from_secs(2);

/// How long to wait before connecting again after the connection failed.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// Keeps `hearer` hearing `channel` of the PostgreSQL database at `url` (announcements by
/// any instance), for as long as the hearer exists. Returns after the first attempt to
/// listen, so that an instance which could listen hears from its first request on.
pub async fn listen<H: Hearer>(url: String, channel: Channel, hearer: &Arc<H>) {
    let hearer: Weak<dyn Hearer> = Arc::downgrade(hearer) as Weak<dyn Hearer>;
    let first = start_listening(url.clone(), channel, hearer.clone()).await;
    actix_web::rt::spawn(keep_listening(url, channel, hearer, first));
}

async fn keep_listening(
    url: String,
    channel: Channel,
    cache: Weak<dyn Hearer>,
    first: Option<PgConnection>,
) {
    let mut listening = first;
    let mut last_attempt = Instant::now();
    let mut last_heartbeat = Instant::now();
    loop {
        sleep(channel.poll).await;
        if cache.strong_count() == 0 {
            return;
        }
        let Some(mut conn) = listening.take() else {
            if last_attempt.elapsed() >= RECONNECT_DELAY {
                last_attempt = Instant::now();
                listening = start_listening(url.clone(), channel, cache.clone()).await;
            }
            continue;
        };
        let heartbeat = last_heartbeat.elapsed() >= HEARTBEAT_INTERVAL;
        if heartbeat {
            last_heartbeat = Instant::now();
        }
        let weak = cache.clone();
        let mut polling = spawn_blocking(move || {
            let outcome = poll(&mut conn, heartbeat, &weak);
            (conn, outcome)
        });
        let polled = match timeout(STALL_LIMIT, &mut polling).await {
            Ok(polled) => polled,
            Err(_) => {
                // The connection hangs (a peer gone without closing it: the query waits for
                // TCP to give up). Announcements may be stuck behind it.
                set_hearing(&cache, false);
                tracing::warn!(
                    channel = channel.name,
                    "the connection that hears other instances' writes stopped answering"
                );
                let polled = polling.await;
                // Whatever arrived meanwhile was read by this very poll; nothing was missed.
                if matches!(polled, Ok((_, Ok(())))) {
                    set_hearing(&cache, true);
                }
                polled
            }
        };
        match polled {
            Ok((conn, Ok(()))) => listening = Some(conn),
            Ok((_, Err(error))) => {
                set_hearing(&cache, false);
                tracing::warn!(
                    %error,
                    channel = channel.name,
                    "lost the connection that hears other instances' writes"
                );
                last_attempt = Instant::now();
            }
            // The blocking task was cancelled: the runtime is shutting down.
            Err(_) => return,
        }
    }
}

fn set_hearing(hearer: &Weak<dyn Hearer>, hearing: bool) {
    if let Some(hearer) = hearer.upgrade() {
        hearer.set_hearing(hearing);
    }
}

/// Connects and listens; on success the hearer is told it may have missed announcements
/// (while nobody listened), then that it hears them.
async fn start_listening(
    url: String,
    channel: Channel,
    hearer: Weak<dyn Hearer>,
) -> Option<PgConnection> {
    let connected = spawn_blocking(move || {
        let conn = connect(&url, channel)?;
        if let Some(hearer) = hearer.upgrade() {
            hearer.heard();
            hearer.set_hearing(true);
        }
        Ok::<_, diesel::ConnectionError>(conn)
    })
    .await;
    match connected {
        Ok(Ok(conn)) => {
            tracing::info!(
                channel = channel.name,
                "listening for other instances' writes"
            );
            Some(conn)
        }
        Ok(Err(error)) => {
            tracing::warn!(
                %error,
                channel = channel.name,
                "cannot listen for other instances' writes"
            );
            None
        }
        Err(_) => None,
    }
}

fn connect(url: &str, channel: Channel) -> ConnectionResult<PgConnection> {
    let mut conn = PgConnection::establish(&super::connection::without_gss_encryption(url))?;
    conn.batch_execute(&format!(
        "SET application_name = '{}'; LISTEN {}",
        channel.application_name, channel.name
    ))
    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

/// Reads what has arrived (after a heartbeat query, when one is due) and tells the hearer if
/// any notification came. Blocking: runs on the blocking pool.
fn poll(conn: &mut PgConnection, heartbeat: bool, cache: &Weak<dyn Hearer>) -> QueryResult<()> {
    if heartbeat {
        conn.batch_execute("SELECT 1")?;
    }
    let mut heard = false;
    // All are consumed: one forgetting covers any number of writes.
    for notification in conn.notifications_iter() {
        notification?;
        heard = true;
    }
    if heard && let Some(hearer) = cache.upgrade() {
        hearer.heard();
    }
    Ok(())
}
