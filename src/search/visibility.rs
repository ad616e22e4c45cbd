//! Which documents of a segment are published, kept per segment: checking "visible to
//! readers" on fast fields for every document a frequent word matches was most of a
//! search's time at a million articles. A segment never changes (an edited article is a new
//! document elsewhere), so its published documents are found once, and so are those already
//! due then: time only moves on, so they stay visible, and only the few scheduled ones need
//! their date read.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::{BitSet, DocId, SegmentReader};

use super::fields::{PUBLISHED, column};

/// The published documents of one segment.
pub struct Published {
    docs: BitSet,
    /// Those of them due at `as_of`.
    due: BitSet,
    /// When they were found (microseconds).
    as_of: i64,
}

impl Published {
    /// Whether `doc` is visible at `now`; `None` when its publication time must be read to
    /// tell (a scheduled article, or a `now` before these were found).
    pub fn visible(&self, doc: DocId, now: i64) -> Option<bool> {
        if !self.docs.contains(doc) {
            Some(false)
        } else if now >= self.as_of && self.due.contains(doc) {
            Some(true)
        } else {
            None
        }
    }
}

/// Segments seen by this process, at most those of the searchers in use.
static SEGMENTS: Mutex<Option<HashMap<SegmentId, Arc<Published>>>> = Mutex::new(None);

/// The published documents of `segment`, found on first use.
pub fn published(segment: &SegmentReader) -> tantivy::Result<Arc<Published>> {
    let id = segment.segment_id();
    if let Some(found) = SEGMENTS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .as_ref()
        .and_then(|m| m.get(&id))
    {
        return Ok(found.clone());
    }
    let fast = segment.fast_fields();
    let status = fast.u64(column::STATUS)?;
    let published_at = fast.i64(column::PUBLISHED_AT)?;
    let as_of = super::micros(crate::time::now());
    let mut docs = BitSet::with_max_value(segment.max_doc());
    let mut due = BitSet::with_max_value(segment.max_doc());
    for doc in 0..segment.max_doc() {
        if status.first(doc) == Some(PUBLISHED) {
            docs.insert(doc);
            if published_at.first(doc).is_some_and(|at| at <= as_of) {
                due.insert(doc);
            }
        }
    }
    let found = Arc::new(Published { docs, due, as_of });
    let mut segments = SEGMENTS.lock().unwrap_or_else(|e| e.into_inner());
    let map = segments.get_or_insert_with(HashMap::new);
    // Merged-away segments are forgotten once as many segments as a large index has have
    // been seen (each costs a bit per document).
    if map.len() >= 256 {
        map.clear();
    }
    map.insert(id, found.clone());
    Ok(found)
}
