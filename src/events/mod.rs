//! Events out (the outbox): every change that leaves Sahifa — to webhook endpoints
//! (`crate::webhooks`), to the live stream ([`stream`]) and, as `cache.purge`, to CDNs — is
//! first an `events` row written **in the transaction of the change** ([`emit`]). A change
//! that commits always has its events, and one that rolls back has none; delivery happens
//! afterwards, from the rows, in the job runner and the stream.
//!
//! What is emitted is decided where the changes feed decides what readers saw change
//! (`changes::log`): publishing, editing a published item, unpublishing and deleting are
//! events; editing a draft is not. Comments and media emit from their own operations.

pub mod keys;
pub mod model;
pub mod routes;
pub mod stream;

use crate::db::DbConnection;
use chrono::NaiveDateTime;
use diesel::QueryResult;
use serde_json::{Value, json};

/// Every event type, in the order the documentation lists them. A subscription names these,
/// a family (`article.*`) or everything (`*`).
pub const TYPES: &[&str] = &[
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.deleted",
    "article.corrected",
    "section.created",
    "section.updated",
    "section.deleted",
    "page.published",
    "page.updated",
    "page.unpublished",
    "page.deleted",
    "comment.created",
    "comment.approved",
    "media.created",
    "media.updated",
    "media.deleted",
    CACHE_PURGE,
];

pub const CACHE_PURGE: &str = "cache.purge";

/// The events the live stream shows: what a reader of the site sees happen to articles.
pub const STREAMED: &[&str] = &[
    "article.published",
    "article.updated",
    "article.unpublished",
    "article.deleted",
    "article.corrected",
];

/// Whether `pattern` (an event type, `family.*` or `*`) names a known event.
pub fn is_known_pattern(pattern: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix(".*") {
        Some(family) => TYPES
            .iter()
            .any(|t| t.split_once('.').is_some_and(|(f, _)| f == family)),
        None => TYPES.contains(&pattern),
    }
}

/// Whether a subscription to `patterns` receives `event_type`.
pub fn subscribed(patterns: &[String], event_type: &str) -> bool {
    patterns.iter().any(|p| {
        p == "*"
            || p == event_type
            || p.strip_suffix(".*")
                .is_some_and(|family| event_type.split_once('.').is_some_and(|(f, _)| f == family))
    })
}

/// An event to write.
#[derive(Debug, Clone)]
pub struct Event<'a> {
    pub event_type: &'a str,
    /// The resource as the public API shows it (or its id, slug and URL when readers no
    /// longer see it).
    pub data: Value,
    /// The live stream's section filter.
    pub section_id: Option<i64>,
}

/// Writes `event` in the caller's transaction, and one delivery to each active webhook
/// endpoint subscribed to it (each sent by a job). Returns the event's id.
pub fn emit(c: &mut DbConnection, event: &Event<'_>, now: NaiveDateTime) -> QueryResult<i64> {
    let id = model::insert(
        c,
        &model::NewEvent {
            event_type: event.event_type,
            payload: &event.data.to_string(),
            public: STREAMED.contains(&event.event_type),
            section_id: event.section_id,
            created_at: now,
        },
    )?;
    crate::webhooks::operations::fan_out(c, id, event.event_type, now)?;
    Ok(id)
}

/// Emits `event` and the `cache.purge` of `keys` that goes with it.
pub fn emit_with_purge(
    c: &mut DbConnection,
    event: &Event<'_>,
    keys: &keys::Keys,
    now: NaiveDateTime,
) -> QueryResult<()> {
    emit(c, event, now)?;
    purge(c, keys, now)
}

/// Emits a `cache.purge` of `keys` (nothing when there are none).
pub fn purge(c: &mut DbConnection, keys: &keys::Keys, now: NaiveDateTime) -> QueryResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    emit(
        c,
        &Event {
            event_type: CACHE_PURGE,
            data: json!({ "keys": keys.as_slice() }),
            section_id: None,
        },
        now,
    )
    .map(|_| ())
}

/// The body a receiver gets, and the stream's `data`: the Standard Webhooks payload form.
pub fn envelope(row: &model::EventRow) -> Value {
    let data: Value = serde_json::from_str(&row.payload).unwrap_or(Value::Null);
    json!({
        "id": event_id(row.id),
        "type": row.event_type,
        "timestamp": crate::time::Timestamp::from(row.created_at),
        "data": data,
    })
}

/// An event's public id (`webhook-id`): the same on every retry and replay, for receivers to
/// deduplicate.
pub fn event_id(id: i64) -> String {
    format!("evt_{id}")
}

/// Forgets events older than `keep` (and their delivery log), hourly: the outbox is the
/// stream's resume window and the replay window, not an archive (the changes feed is).
pub fn prune_kind(keep: std::time::Duration) -> crate::jobs::Kind {
    crate::jobs::Kind::new("maintenance.prune_events", move |ctx| async move {
        let before = crate::time::now() - chrono::Duration::from_std(keep).unwrap_or_default();
        let deleted = ctx
            .store
            .write(move |c| model::prune(c, before).map_err(crate::db::DbError::from))
            .await
            .map_err(|e| e.to_string())?;
        if deleted > 0 {
            tracing::info!(deleted, "pruned the outbox");
        }
        Ok(())
    })
    .every(std::time::Duration::from_secs(3600))
}
