//! Hearing the writes of the other instances that share a PostgreSQL database.
//!
//! Triggers announce every committed change readers can see on the channel [`CHANNEL`]
//! (migration `2026-11-27-000008_readers_view_notifications`). One connection of its own
//! `LISTEN`s there; each announcement makes the cache forget everything. Diesel exposes
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
//! While the connection is down the cache serves nothing (a write could go unheard); once it
//! listens again it forgets everything filled before and serves again. Polling ends when the
//! cache is dropped (the server stopped).

use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use actix_web::rt::task::spawn_blocking;
use actix_web::rt::time::{sleep, timeout};
use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::{Connection, ConnectionResult, QueryResult};

use super::ResponseCache;

/// The channel the triggers notify.
pub const CHANNEL: &str = "sahifa_readers_view";

/// How the listening connection names itself to PostgreSQL (`pg_stat_activity`).
pub const APPLICATION_NAME: &str = "sahifa cache listener";

/// How often arrived notifications are read: the longest another instance's write can be
/// served stale here, beyond the notification's own trip.
const POLL_INTERVAL: Duration = Duration::from_millis(5);

/// How often the connection is checked with a query.
const HEARTBEAT_INTERVAL: Duration = Duration::from_secs(1);

/// How long a poll may take before the connection counts as hanging (a poll is a `recv` on
/// data already arrived, or a `SELECT 1`: milliseconds).
const STALL_LIMIT: Duration = Duration::from_secs(2);

/// How long to wait before connecting again after the connection failed.
const RECONNECT_DELAY: Duration = Duration::from_secs(1);

/// Keeps `cache` hearing the writes made to the PostgreSQL database at `url` (by any
/// instance), for as long as the cache exists. Returns after the first attempt to listen,
/// so that an instance which could listen caches from its first request on.
pub async fn listen(url: String, cache: &web::Data<ResponseCache>) {
    let cache = Arc::downgrade(&cache.clone().into_inner());
    let first = start_listening(url.clone(), cache.clone()).await;
    actix_web::rt::spawn(keep_listening(url, cache, first));
}

async fn keep_listening(url: String, cache: Weak<ResponseCache>, first: Option<PgConnection>) {
    let mut listening = first;
    let mut last_attempt = Instant::now();
    let mut last_heartbeat = Instant::now();
    loop {
        sleep(POLL_INTERVAL).await;
        if cache.strong_count() == 0 {
            return;
        }
        let Some(mut conn) = listening.take() else {
            if last_attempt.elapsed() >= RECONNECT_DELAY {
                last_attempt = Instant::now();
                listening = start_listening(url.clone(), cache.clone()).await;
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
                // TCP to give up). Announcements may be stuck behind it, so stop serving from
                // memory until it answers or fails.
                set_hearing(&cache, false);
                tracing::warn!(
                    "the connection that hears other instances' writes stopped answering; \
                     serving every read from the database until it does"
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
                    "lost the connection that hears other instances' writes; serving every \
                     read from the database until it is back"
                );
                last_attempt = Instant::now();
            }
            // The blocking task was cancelled: the runtime is shutting down.
            Err(_) => return,
        }
    }
}

fn set_hearing(cache: &Weak<ResponseCache>, hearing: bool) {
    if let Some(cache) = cache.upgrade() {
        cache.set_hearing(hearing);
    }
}

/// Connects and listens; on success the cache forgets what it holds (it may predate writes
/// nobody heard) and serves again.
async fn start_listening(url: String, cache: Weak<ResponseCache>) -> Option<PgConnection> {
    let connected = spawn_blocking(move || {
        let conn = connect(&url)?;
        if let Some(cache) = cache.upgrade() {
            cache.forget_all();
            cache.set_hearing(true);
        }
        Ok::<_, diesel::ConnectionError>(conn)
    })
    .await;
    match connected {
        Ok(Ok(conn)) => {
            tracing::info!("listening for other instances' writes");
            Some(conn)
        }
        Ok(Err(error)) => {
            tracing::warn!(
                %error,
                "cannot listen for other instances' writes; serving every read from the \
                 database until it can"
            );
            None
        }
        Err(_) => None,
    }
}

fn connect(url: &str) -> ConnectionResult<PgConnection> {
    let mut conn = PgConnection::establish(url)?;
    conn.batch_execute(&format!(
        "SET application_name = '{APPLICATION_NAME}'; LISTEN {CHANNEL}"
    ))
    .map_err(|e| diesel::ConnectionError::BadConnection(e.to_string()))?;
    Ok(conn)
}

/// Reads what has arrived (after a heartbeat query, when one is due) and makes the cache
/// forget everything if any notification came. Blocking: runs on the blocking pool.
fn poll(conn: &mut PgConnection, heartbeat: bool, cache: &Weak<ResponseCache>) -> QueryResult<()> {
    if heartbeat {
        conn.batch_execute("SELECT 1")?;
    }
    let mut heard = false;
    // All are consumed: one forgetting covers any number of writes.
    for notification in conn.notifications_iter() {
        notification?;
        heard = true;
    }
    if heard && let Some(cache) = cache.upgrade() {
        cache.forget_all();
    }
    Ok(())
}
