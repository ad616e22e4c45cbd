//! An in-process cache of anonymous read responses, invalidated exactly.
//!
//! Readers far outnumber writers in a newsroom, and every anonymous reader of a URL gets the
//! same bytes. The first anonymous `GET` of a URL under `/api/v1/` whose answer is public
//! (`Cache-Control: public`) stores the response; later ones are answered from memory,
//! including `If-None-Match` revalidations.
//!
//! Exactness rests on two rules:
//! - every successful write that can change what readers see bumps a *generation*, and an
//!   entry is only served while the generation it was filled under is current (a reader that
//!   races a write tags its entry with the generation it started under, so it can never serve
//!   the older data afterwards);
//! - readers' views also change with time alone (a scheduled article falls due), so entries
//!   expire at the next scheduled publication known when they were filled; the first read
//!   after that moment looks up the one after it.
//!
//! The generation lives in this process. On SQLite this process is the only writer (one
//! machine, one process). On PostgreSQL several instances share the database, so each one
//! also listens for the others' writes: every committed change readers can see is announced
//! by a trigger (`NOTIFY sahifa_readers_view`), and the cache forgets everything when it
//! hears one ([`crate::db::listener`]). An instance serves nothing from memory until it is listening, nor while its
//! listening connection is lost (it could miss a write), and starts afresh once it listens
//! again. The window left: another instance's write reaches this one's cache a few
//! milliseconds after it commits (the notification's trip and the listener's poll interval),
//! or up to two seconds when the listening connection hangs without failing; this instance's
//! own writes are seen at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;

use crate::db::listener::{self, Channel, Hearer};
use crate::db::{DbConnection, Store};

/// The channel announcing every committed change readers can see.
pub const CHANNEL: Channel = Channel {
    name: "sahifa_readers_view",
    application_name: APPLICATION_NAME,
    poll: listener::POLL_INTERVAL,
};

/// How the cache's listening connection names itself to PostgreSQL.
pub const APPLICATION_NAME: &str = "sahifa cache listener";

/// Keeps `cache` hearing the writes of every instance sharing the PostgreSQL database at
/// `url`, for as long as it exists.
pub async fn listen(url: String, cache: &web::Data<ResponseCache>) {
    listener::listen(url, CHANNEL, &cache.clone().into_inner()).await;
}

impl Hearer for ResponseCache {
    fn heard(&self) {
        self.forget_all();
    }

    fn set_hearing(&self, hearing: bool) {
        self.hears_every_write.store(hearing, Ordering::SeqCst);
    }
}

/// The next instant at which readers' views change without a write (a scheduled
/// publication), or `None`.
pub type NextChange =
    fn(&mut DbConnection, NaiveDateTime) -> diesel::QueryResult<Option<NaiveDateTime>>;

struct Entry {
    generation: u64,
    /// Unix microseconds after which the entry is stale.
    expires: i64,
    status: StatusCode,
    /// The response's headers, except its length (set anew on every replay): a boxed slice
    /// rather than a `HeaderMap`, whose hash index and spare capacity cost more than the
    /// handful of headers a read carries.
    headers: Box<[(HeaderName, HeaderValue)]>,
    /// The body, LZ4-compressed (its length first). JSON with Arabic text shrinks to about a
    /// third, so the same memory holds about three times as many responses, and a hit costs
    /// a decompression of microseconds (measured in `bench/`: see its README).
    compressed_body: Box<[u8]>,
}

impl Entry {
    fn header(&self, name: &HeaderName) -> Option<&HeaderValue> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// The body as it was stored; `None` only if the compressed bytes were damaged.
    fn body(&self) -> Option<web::Bytes> {
        lz4_flex::decompress_size_prepended(&self.compressed_body)
            .ok()
            .map(web::Bytes::from)
    }
}

/// Bytes an entry keeps beyond its key, body and header bytes (the entry itself, its `Arc`,
/// the cache's slot, allocator rounding), so that the capacity bounds memory, not just
/// bodies.
const ENTRY_OVERHEAD: usize = 384;

#[derive(Clone)]
struct ByteWeighter;

impl quick_cache::Weighter<String, Arc<Entry>> for ByteWeighter {
    fn weight(&self, key: &String, entry: &Arc<Entry>) -> u64 {
        let headers: usize = entry
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len() + 64)
            .sum();
        (key.len() + entry.compressed_body.len() + headers + ENTRY_OVERHEAD) as u64
    }
}

pub struct ResponseCache {
    entries: quick_cache::sync::Cache<String, Arc<Entry>, ByteWeighter>,
    generation: AtomicU64,
    /// Unix microseconds of the next scheduled publication (`i64::MAX`: none; `i64::MIN`:
    /// unknown, so nothing is served until it is known).
    next_change: AtomicI64,
    find_next_change: NextChange,
    /// Held while `next_change` is looked up and stored, so that the value stored last comes
    /// from the query that started last (and saw every write committed before it).
    lookup_turn: tokio::sync::Mutex<()>,
    /// Whether every write that could make an entry stale reaches [`ResponseCache::invalidate`]
    /// or [`ResponseCache::forget_all`]: always for a single writer process, only while
    /// [`listener`] is listening for a shared database. Nothing is served or kept otherwise.
    hears_every_write: AtomicBool,
}

fn micros(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp_micros()
}

impl ResponseCache {
    /// A cache holding at most `capacity_bytes` of responses, for a database this process
    /// alone writes to.
    pub fn new(capacity_bytes: u64, find_next_change: NextChange) -> Self {
        let cache = Self::deaf(capacity_bytes, find_next_change);
        cache.hears_every_write.store(true, Ordering::SeqCst);
        cache
    }

    /// A cache for a database other processes write to: it serves nothing until
    /// [`listen`] hears their writes.
    pub fn shared(capacity_bytes: u64, find_next_change: NextChange) -> Self {
        Self::deaf(capacity_bytes, find_next_change)
    }

    fn deaf(capacity_bytes: u64, find_next_change: NextChange) -> Self {
        Self {
            entries: quick_cache::sync::Cache::with_options(
                quick_cache::OptionsBuilder::new()
                    .estimated_items_capacity((capacity_bytes / 4096).max(16) as usize)
                    .weight_capacity(capacity_bytes)
                    // Half the capacity for entries seen once (quick_cache's default keeps 3 %
                    // for them): a newsroom's reads move from one set of URLs to another
                    // (a story breaks, a search trends), and with 3 % a new set took seconds
                    // of misses to displace the old one (measured at 10,000 articles, 5 s of
                    // related lists right after article pages and comment lists: p90 19 ms
                    // with 3 %, 5 ms with half).
                    .hot_allocation(0.5)
                    .build()
                    .expect("valid cache options"),
                ByteWeighter,
                Default::default(),
                Default::default(),
            ),
            generation: AtomicU64::new(0),
            next_change: AtomicI64::new(i64::MIN),
            find_next_change,
            lookup_turn: tokio::sync::Mutex::new(()),
            hears_every_write: AtomicBool::new(false),
        }
    }

    /// Forgets everything, for a write made elsewhere (heard, or possibly missed). Blocking:
    /// called from the listener's blocking tasks, never from an async worker. The next reader
    /// looks up the next scheduled publication again, since that write may have moved it.
    fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        // Taken so that a lookup which started before the write cannot store its older
        // answer after this.
        let _turn = self.lookup_turn.blocking_lock();
        self.next_change.store(i64::MIN, Ordering::SeqCst);
        self.entries.clear();
    }

    /// Forgets everything and re-reads when readers' views next change by themselves.
    /// Called after every write that readers can see, before its response is sent.
    pub async fn invalidate(&self, store: &Store) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        let _turn = self.lookup_turn.lock().await;
        self.look_up_next_change(store).await;
    }

    /// Once the next scheduled publication is due, every entry is stale: one reader looks up
    /// the publication after it (the others go to the handlers meanwhile, and what they fill
    /// is tagged with the past moment, so it is never served).
    async fn catch_up(&self, store: &Store, now: i64) {
        if now < self.next_change.load(Ordering::SeqCst) {
            return;
        }
        if let Ok(_turn) = self.lookup_turn.try_lock()
            && now >= self.next_change.load(Ordering::SeqCst)
        {
            self.look_up_next_change(store).await;
        }
    }

    /// Call with `lookup_turn` held.
    async fn look_up_next_change(&self, store: &Store) {
        let find = self.find_next_change;
        let next = store.query(move |c| find(c, crate::time::now())).await;
        let next = match next {
            Ok(Some(at)) => micros(at),
            Ok(None) => i64::MAX,
            // Unknown: nothing is served from memory until a later read or write learns it.
            Err(_) => i64::MIN,
        };
        self.next_change.store(next, Ordering::SeqCst);
        self.entries.clear();
    }

    fn is_fresh(&self, entry: &Entry, now: i64) -> bool {
        entry.generation == self.generation.load(Ordering::SeqCst) && now < entry.expires
    }
}

/// A write's declaration that its success changes nothing readers see (a login, a comment
/// waiting for moderation): the cache keeps what it holds. Every other successful write
/// forgets everything, so a new resource is safe by default. Set with
/// [`readers_unaffected`].
#[derive(Debug, Clone, Copy)]
struct ReadersUnaffected;

/// Marks a write's response as leaving readers' views unchanged (see [`ReadersUnaffected`]).
pub fn readers_unaffected(mut response: HttpResponse) -> HttpResponse {
    response.extensions_mut().insert(ReadersUnaffected);
    response
}

/// The middleware: answers cacheable reads from memory, fills on misses, invalidates after
/// writes.
pub async fn response_cache(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let Some(cache) = req.app_data::<web::Data<ResponseCache>>().cloned() else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let method = req.method().clone();
    if method == Method::GET {
        return cached_read(req, next, &cache).await;
    }
    let is_write = matches!(
        method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let store = req.app_data::<web::Data<Store>>().cloned();
    let response = next.call(req).await?.map_into_boxed_body();
    let unaffected = response
        .response()
        .extensions()
        .contains::<ReadersUnaffected>();
    if is_write
        && !unaffected
        && response.status().is_success()
        && let Some(store) = store
    {
        cache.invalidate(&store).await;
    }
    Ok(response)
}

/// The public reads kept: the API, feeds and sitemaps (not `/media`, whose files are
/// immutable and cached by browsers and CDNs forever).
fn is_cached_path(path: &str) -> bool {
    (path.starts_with("/api/v1/") && path != "/api/v1/stream")
        || path.starts_with("/feeds/")
        || path.starts_with("/sitemaps/")
        || path == "/sitemap.xml"
}

async fn cached_read(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    cache: &ResponseCache,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let anonymous = !req.headers().contains_key(header::AUTHORIZATION);
    if !anonymous || !is_cached_path(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let key = req
        .uri()
        .path_and_query()
        .map_or_else(|| req.path().to_owned(), |pq| pq.as_str().to_owned());
    let now = chrono::Utc::now().timestamp_micros();
    if let Some(store) = req.app_data::<web::Data<Store>>() {
        cache.catch_up(store, now).await;
    }
    // The validators the client holds: the response is compared with them here, so that a
    // revalidation that misses still fills the cache (a handler would answer it with a 304,
    // which has no body to keep).
    let if_none_match: Vec<HeaderValue> = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .cloned()
        .collect();
    if now >= cache.next_change.load(Ordering::SeqCst)
        || !cache.hears_every_write.load(Ordering::SeqCst)
    {
        // Nothing filled now could be served (the next change is unknown, or a write may go
        // unheard): no cache at all.
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // One request per URL goes to the handler on a miss; the others wait for its response
    // instead of running the same queries (after a write clears the cache, the hot URLs are
    // all missed at once).
    let guard = loop {
        match cache.entries.get_value_or_guard_async(&key).await {
            Ok(entry) if cache.is_fresh(&entry, now) => {
                let response = if revalidates(&if_none_match, &entry) {
                    Some(not_modified(|name| entry.header(name)))
                } else {
                    entry.body().map(|body| replay(&entry, body))
                };
                if let Some(response) = response {
                    let (request, _) = req.into_parts();
                    return Ok(ServiceResponse::new(request, response));
                }
                // Undecodable (never expected): drop it and answer from the handler.
                cache.entries.remove_if(&key, |e| Arc::ptr_eq(e, &entry));
            }
            Ok(stale) => {
                cache.entries.remove_if(&key, |e| Arc::ptr_eq(e, &stale));
            }
            Err(guard) => break guard,
        }
    };
    let mut req = req;
    req.headers_mut().remove(header::IF_NONE_MATCH);
    // Taken before the handler reads the database: an entry filled from a read that raced
    // a write is tagged with the older generation, and never served after it.
    let generation = cache.generation.load(Ordering::SeqCst);
    let expires = cache.next_change.load(Ordering::SeqCst);
    let response = next.call(req).await?;
    let is_public = response
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    if response.status() != StatusCode::OK || !is_public {
        // Not kept: dropping the guard lets the next waiting request run its own.
        drop(guard);
        let response = response.map_into_boxed_body();
        let etag = response
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok());
        if response.status() == StatusCode::OK
            && etag.is_some_and(|etag| matches_any(&if_none_match, etag))
        {
            let (request, response) = response.into_parts();
            return Ok(ServiceResponse::new(
                request,
                not_modified(|name| response.headers().get(name)),
            ));
        }
        return Ok(response);
    }
    let (request, response) = response.into_parts();
    let (head, body) = response.into_parts();
    let body = actix_web::body::to_bytes(body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("unreadable response body"))?;
    let entry = Arc::new(Entry {
        generation,
        expires,
        status: head.status(),
        headers: head
            .headers()
            .iter()
            .filter(|(name, _)| *name != header::CONTENT_LENGTH)
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect(),
        // Exactly the compressed size: a buffer with spare capacity would keep it for as
        // long as the entry.
        compressed_body: lz4_flex::compress_prepend_size(&body).into_boxed_slice(),
    });
    // Fails only when a write cleared the cache meanwhile; the response is still this one.
    let _ = guard.insert(entry.clone());
    let response = if revalidates(&if_none_match, &entry) {
        not_modified(|name| entry.header(name))
    } else {
        replay(&entry, body)
    };
    Ok(ServiceResponse::new(request, response))
}

/// Whether the client already holds the entry's ETag (and gets a 304).
fn revalidates(if_none_match: &[HeaderValue], entry: &Entry) -> bool {
    entry
        .header(&header::ETAG)
        .and_then(|etag| etag.to_str().ok())
        .is_some_and(|etag| matches_any(if_none_match, etag))
}

/// The stored response, with `body`.
fn replay(entry: &Entry, body: web::Bytes) -> HttpResponse {
    let mut response = HttpResponse::build(entry.status).body(body);
    for (name, value) in &entry.headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

/// Whether `If-None-Match` values name `etag` (weak comparison, as RFC 9110 asks for it).
fn matches_any(if_none_match: &[HeaderValue], etag: &str) -> bool {
    if_none_match
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|tag| {
            let tag = tag.trim();
            tag == "*" || tag.trim_start_matches("W/") == etag.trim_start_matches("W/")
        })
}

/// A 304 for a response with these headers: only its validator and caching rules.
fn not_modified<'h>(header: impl Fn(&HeaderName) -> Option<&'h HeaderValue>) -> HttpResponse {
    let mut response = HttpResponse::NotModified().finish();
    for name in [header::ETAG, header::CACHE_CONTROL] {
        if let Some(value) = header(&name) {
            response.headers_mut().insert(name, value.clone());
        }
    }
    response
}
