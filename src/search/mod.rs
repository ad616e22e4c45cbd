//! Full-text search over articles, and related articles, on an embedded tantivy index.
//!
//! The database stays the source of truth; the index is derived from it and kept per
//! process ([`Engine`], in `SAHIFA_SEARCH_DIR`). Every change to an article writes a row to
//! a change log in the same transaction ([`changes`]); the index applies the log, records how
//! far it got in its own commits, and catches up at start (after a crash, or when another
//! instance wrote to a shared PostgreSQL database meanwhile). A search first applies what the
//! log holds beyond the index, so a write is found by the next search; a background task
//! ([`applier`]) keeps it current between searches, woken by PostgreSQL's LISTEN/NOTIFY.
//!
//! Text is analyzed by Sahifa itself ([`analysis`]: the Arabic normalizer and light stemmer,
//! Snowball for English), the same way for what is indexed and what is asked. A reader's
//! query is parsed by [`query`], never by tantivy's query language; [`ranking`] runs it.
//! Snippets are cut from the *original* text (with its tashkeel) by [`snippet`].
//!
//! Readers never see what they may not read, even while an index lags: the index filters on
//! its own status and dates, and every page is checked again against the store by the caller
//! (`articles::operations`).

pub mod analysis;
pub mod applier;
pub mod changes;
mod engine;
pub mod fields;
pub mod query;
pub mod ranking;
pub mod related;
pub mod snippet;
mod source;
mod suggest;
mod synonyms;
mod visibility;

pub use engine::{Engine, SearchError, build, database_id, rebuild};
pub use query::Query;
pub use ranking::{Condition, Order};

use crate::db::DbConnection;

/// A page of a search.
#[derive(Debug, Default)]
pub struct Found {
    /// Article ids, best first.
    pub ids: Vec<i64>,
    /// How many articles match in all.
    pub total: u64,
    /// `total` is a lower bound (at least [`ranking::COUNTED_EXACTLY`] match).
    pub estimated: bool,
    /// The query spelled as the index's vocabulary suggests, when a word seems misspelled.
    pub suggestion: Option<String>,
    /// The query searched: the one asked, with the words found nowhere corrected (snippets
    /// mark what it matched).
    pub searched: Option<Query>,
}

impl Engine {
    /// Searches for `query` (typed as `raw`) among the articles meeting `filter`; spelling
    /// suggestions come from the articles visible at `now` (microseconds), whoever asks.
    #[allow(clippy::too_many_arguments)]
    pub fn find(
        &self,
        conn: &mut DbConnection,
        raw: &str,
        query: &Query,
        filter: &[Condition],
        order: Order,
        offset: usize,
        limit: usize,
        now: i64,
    ) -> Result<Found, SearchError> {
        self.catch_up(conn)?;
        let generation = self.current();
        let (searcher, fields) = (generation.searcher(), generation.fields);
        let corrections =
            suggest::corrections(&searcher, &fields, &generation.neighbours, query, now)?;
        let query = suggest::corrected(query, &corrections);
        let hits = ranking::search(&searcher, &fields, &query, filter, order, offset, limit)?;
        Ok(Found {
            ids: hits.ids,
            total: hits.total,
            estimated: hits.estimated,
            suggestion: suggest::spelled(raw, &corrections),
            searched: Some(query),
        })
    }

    /// Up to `limit` ids of articles visible at `now` (microseconds) related to article `id`,
    /// best first; none when it does not exist.
    pub fn related(
        &self,
        conn: &mut DbConnection,
        id: i64,
        now: i64,
        limit: usize,
    ) -> Result<Vec<i64>, SearchError> {
        self.catch_up(conn)?;
        let Some(article) = source::articles(conn, &[id])?.pop() else {
            return Ok(Vec::new());
        };
        let (searcher, fields) = self.searcher();
        Ok(related::related(&searcher, &fields, &article, now, limit)?)
    }
}

/// A time as the index stores it.
pub fn micros(at: chrono::NaiveDateTime) -> i64 {
    source::micros(at)
}
