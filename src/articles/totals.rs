//! The totals of article lists (`meta.total`), counted once per change rather than on every
//! request.
//!
//! Counting the visible articles of a million-article archive reads a million index entries:
//! tens of milliseconds on SQLite, more on PostgreSQL, for every page of every list. The total
//! only changes when an article does (or when a scheduled one falls due, or breaking news
//! expires), so each server keeps the totals it counted, keyed by the list's filters, beside
//! the value of a counter (`list_versions`) that every article change moves in its own
//! transaction. A total is served while the counter has not moved and its time has not
//! passed; otherwise it is counted again. One indexed read of one row replaces the count,
//! and the total stays exact, on every instance sharing a PostgreSQL database too.
//!
//! Why the counter is read before counting: under PostgreSQL's read committed, a change that
//! commits between the two reads is then in the count but not in the counter, which only
//! makes the next request count again; never the other way round.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{self, ListQuery};
use crate::db::DbConnection;
use crate::db::schema::list_versions;

/// The counter moved by every change to an article.
const ARTICLES: &str = "articles";

/// Lists whose totals are kept (by distinct filters); the least used are forgotten first.
const CAPACITY: usize = 4_096;

/// Moves the articles' counter; call in the transaction that changes an article. The row is
/// locked until the transaction ends, so counter values follow commit order.
pub fn articles_changed(conn: &mut DbConnection) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO list_versions (name, version) VALUES ('articles', 1) \
         ON CONFLICT (name) DO UPDATE SET version = list_versions.version + 1",
    )
    .execute(conn)?;
    Ok(())
}

fn articles_version(conn: &mut DbConnection) -> QueryResult<i64> {
    Ok(list_versions::table
        .find(ARTICLES)
        .select(list_versions::version)
        .first(conn)
        .optional()?
        .unwrap_or(0))
}

#[derive(Debug, Clone, Copy)]
struct Total {
    /// When readers' views next change by themselves (a publication falls due, breaking news
    /// expires); the total is counted again from then.
    valid_until: Option<NaiveDateTime>,
    count: i64,
}

/// The totals this server counted, keyed by the counter's value and the list's filters
/// (totals of older values are never asked for again, and age out).
pub struct ListTotals {
    entries: quick_cache::sync::Cache<String, Total>,
}

impl Default for ListTotals {
    fn default() -> Self {
        Self {
            entries: quick_cache::sync::Cache::new(CAPACITY),
        }
    }
}

impl ListTotals {
    /// How many articles `q` lists, counted at most once per change.
    pub fn total(&self, conn: &mut DbConnection, q: &ListQuery) -> QueryResult<i64> {
        let key = format!("{}|{}", articles_version(conn)?, key_of(q));
        let count = |conn: &mut DbConnection| -> QueryResult<Total> {
            Ok(Total {
                valid_until: model::next_publication(conn, q.now)?,
                count: model::count(conn, q)?,
            })
        };
        // One request counts; the others that ask for the same list meanwhile wait for its
        // answer instead of counting too (after a write, every reader of the front page
        // misses at once: 64 counts of 100 ms each on two cores).
        let total = self.entries.get_or_insert_with(&key, || count(conn))?;
        if total.valid_until.is_none_or(|until| q.now < until) {
            return Ok(total.count);
        }
        let total = count(conn)?;
        self.entries.insert(key, total);
        Ok(total.count)
    }
}

/// What a list's total depends on: every filter and who asks, not its order or the time
/// (named one by one, so that a new filter cannot be left out of the key).
fn key_of(q: &ListQuery) -> String {
    let ListQuery {
        scope,
        readable,
        section_ids,
        tag_id,
        author_id,
        lang,
        published_after,
        published_before,
        featured,
        breaking,
        sort: _,
        now: _,
    } = q;
    format!(
        "{scope:?}|{readable:?}|{section_ids:?}|{tag_id:?}|{author_id:?}|{lang:?}|\
         {published_after:?}|{published_before:?}|{featured:?}|{breaking:?}"
    )
}
