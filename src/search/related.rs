//! Related articles: other published articles ranked by shared tags, same section, and
//! similarity of their text to this article's title.
//!
//! Finding them takes several index queries (3–30 ms from 10k to 100k articles), too slow
//! for a read that frontends put on every article page. So each article's candidates are
//! computed when it is written and stored in `related_articles`, and the written article
//! offers itself to the lists of the articles it found related (the evidence is mostly
//! symmetric), so that older articles learn of newer ones. A read is then one lookup plus a
//! visibility check by primary key. An article without a stored list (a database from before
//! the lists existed) has it computed on the read; `sahifa reindex` stores them all.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::{Analyzer, Query, matches};
use crate::db::schema::{article_search, article_tags, articles, related_articles};
use crate::db::{Backend, DbConnection};

/// How much each kind of evidence weighs.
const PER_SHARED_TAG: f64 = 3.0;
const SAME_SECTION: f64 = 2.0;
const TEXT_MATCH: f64 = 4.0;
/// Candidates considered from the tags and the section.
const CANDIDATES: i64 = 50;
/// Matches read per title word (see [`title_similarity`]).
const TERM_MATCHES: i64 = 200;
/// Candidates stored per article: more than a reader may ask for (20), so that a list still
/// fills when some of its articles have since been unpublished or deleted.
const KEPT: usize = 25;

/// Another article and how related it is; higher is closer.
type Scored = (i64, f64);

/// Ids of up to `limit` articles related to `id` that readers may see at `now` (never `id`
/// itself), best first; ties go to the newer article, then the higher id, so the order is
/// deterministic.
pub fn related_ids(
    conn: &mut DbConnection,
    id: i64,
    limit: usize,
    now: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    let stored: Option<String> = related_articles::table
        .find(id)
        .select(related_articles::candidates)
        .first(conn)
        .optional()?;
    let candidates = match stored.and_then(|json| serde_json::from_str(&json).ok()) {
        Some(candidates) => candidates,
        None => compute(conn, id)?,
    };
    let mut dates = published_dates(conn, &candidates)?;
    dates.retain(|_, at| *at <= now);
    Ok(best_first(candidates, &dates)
        .into_iter()
        .take(limit)
        .map(|(id, _)| id)
        .collect())
}

/// Stores `id`'s related articles and offers `id` to theirs; called in the transaction of
/// every write to an article (its text, tags, section or status may have changed). Lists
/// that still hold `id` with an outdated score keep it until they are next computed.
pub fn refresh(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
    let status: Option<String> = articles::table
        .find(id)
        .select(articles::status)
        .first(conn)
        .optional()?;
    let Some(status) = status else {
        return Ok(());
    };
    let candidates = compute(conn, id)?;
    store(conn, id, &candidates)?;
    if status == "published" {
        // In id order: two writes offering to the same lists lock them in one order, so
        // neither can hold a list the other waits for while waiting for one it holds.
        let mut offers = candidates;
        offers.sort_by_key(|(other, _)| *other);
        for (other, score) in offers {
            offer(conn, other, (id, score))?;
        }
    }
    Ok(())
}

/// Recomputes every article's list (`sahifa reindex`, after a copy or a bulk load), each from
/// all the others; returns how many lists were stored.
pub fn refresh_all(conn: &mut DbConnection) -> QueryResult<usize> {
    diesel::delete(related_articles::table).execute(conn)?;
    let ids: Vec<i64> = articles::table
        .select(articles::id)
        .order(articles::id)
        .load(conn)?;
    for id in &ids {
        let candidates = compute(conn, *id)?;
        store(conn, *id, &candidates)?;
    }
    Ok(ids.len())
}

/// The `KEPT` best candidates for `id` among published articles (due or scheduled), best
/// first; empty when `id` does not exist.
fn compute(conn: &mut DbConnection, id: i64) -> QueryResult<Vec<Scored>> {
    let Some((section_id, title)) = articles::table
        .find(id)
        .select((articles::section_id, articles::title))
        .first::<(i64, String)>(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let mut score: HashMap<i64, f64> = HashMap::new();

    // Candidates are gathered from each source alone (the tag postings, the section's index,
    // the search index) and only then checked, by primary key: joining a source with the
    // articles table, or filtering by status and date in SQL, let the planner walk every
    // article.
    let tag_ids: Vec<i64> = article_tags::table
        .filter(article_tags::article_id.eq(id))
        .select(article_tags::tag_id)
        .load(conn)?;
    if !tag_ids.is_empty() {
        let shared: Vec<(i64, i64)> = article_tags::table
            .filter(article_tags::tag_id.eq_any(&tag_ids))
            .filter(article_tags::article_id.ne(id))
            .group_by(article_tags::article_id)
            .select((article_tags::article_id, diesel::dsl::count_star()))
            .order((
                diesel::dsl::count_star().desc(),
                article_tags::article_id.desc(),
            ))
            .limit(CANDIDATES * 4)
            .load(conn)?;
        for (other, count) in shared {
            *score.entry(other).or_default() += PER_SHARED_TAG * count as f64;
        }
    }

    let same_section: Vec<i64> = articles::table
        .filter(articles::section_id.eq(section_id))
        .filter(articles::status.eq("published"))
        .filter(articles::id.ne(id))
        .order((articles::published_at.desc(), articles::id.desc()))
        .select(articles::id)
        .limit(CANDIDATES)
        .load(conn)?;
    for other in same_section {
        *score.entry(other).or_default() += SAME_SECTION;
    }

    for (other, shared) in title_similarity(conn, id, &title)? {
        *score.entry(other).or_default() += TEXT_MATCH * shared;
    }

    // Only the best few are checked for publication: reading an article's status means
    // reading past its body, and the title words alone bring up to 200 candidates each.
    let mut candidates: Vec<Scored> = score.into_iter().collect();
    candidates.sort_by(|(a, sa), (b, sb)| sb.total_cmp(sa).then_with(|| b.cmp(a)));
    candidates.truncate(KEPT * 4);
    let dates = published_dates(conn, &candidates)?;
    let mut best = best_first(candidates, &dates);
    best.truncate(KEPT);
    Ok(best)
}

/// Other articles whose titles share words with `title`, each with the share of the title's
/// information they hold (0–1): every word weighs its inverse document frequency, so a shared
/// name counts for more than a shared common word.
///
/// Each word's matches are read newest first and at most `TERM_MATCHES` of them, which keeps
/// the cost flat as the archive grows: a word found more often is common, its document
/// frequency is extrapolated from how far back its matches reach, and older articles that
/// only share such a word are weak evidence anyway. (One query ranking every title matching
/// any of the words cost 27 ms at 100k articles; this costs about 2.)
fn title_similarity(
    conn: &mut DbConnection,
    id: i64,
    title: &str,
) -> QueryResult<HashMap<i64, f64>> {
    let mut terms = Analyzer::default().terms(title);
    terms.sort();
    terms.dedup();
    // Short words (و، في، of …) say little about a topic.
    terms.retain(|t| t.chars().count() > 2);
    let newest: Option<i64> = article_search::table
        .select(diesel::dsl::max(article_search::rowid))
        .first(conn)?;
    let archive = newest.unwrap_or(0).max(1) as f64;
    let mut shared: HashMap<i64, f64> = HashMap::new();
    let mut total = 0.0;
    for term in terms {
        let found: Vec<i64> = match &mut *conn {
            DbConnection::Sqlite(_) => article_search::table
                .filter(matches(
                    Backend::Sqlite,
                    &Query::any_in_titles(vec![term]).expect("one term"),
                ))
                .filter(article_search::rowid.ne(id))
                .order(article_search::rowid.desc())
                .select(article_search::rowid)
                .limit(TERM_MATCHES)
                .load(&mut *conn)?,
            // PostgreSQL's full-text index cannot read a word's matches newest first; the
            // title_terms table can (a backward scan of its primary key).
            DbConnection::Postgres(c) => diesel::sql_query(
                "SELECT article_id AS rowid FROM title_terms WHERE term = $1 AND article_id <> $2 \
                 ORDER BY article_id DESC LIMIT $3",
            )
            .bind::<Text, _>(&term)
            .bind::<BigInt, _>(id)
            .bind::<BigInt, _>(TERM_MATCHES)
            .load::<RowId>(c)?
            .into_iter()
            .map(|row| row.rowid)
            .collect(),
        };
        // Articles holding the word: extrapolated when its matches were cut off, else counted
        // (with this one).
        let frequency = match found.last() {
            Some(&oldest) if found.len() as i64 == TERM_MATCHES => {
                let reach = (newest.unwrap_or(oldest) - oldest + 1).max(1) as f64;
                found.len() as f64 * archive / reach
            }
            _ => found.len() as f64 + 1.0,
        };
        let weight = (1.0 + archive / frequency).ln();
        total += weight;
        for other in found {
            *shared.entry(other).or_default() += weight;
        }
    }
    if total > 0.0 {
        shared.values_mut().for_each(|w| *w /= total);
    }
    Ok(shared)
}

/// The publication dates of those `candidates` that are published (due or not).
fn published_dates(
    conn: &mut DbConnection,
    candidates: &[Scored],
) -> QueryResult<HashMap<i64, NaiveDateTime>> {
    let ids: Vec<i64> = candidates.iter().map(|(id, _)| *id).collect();
    Ok(articles::table
        .filter(articles::id.eq_any(&ids))
        .select((articles::id, articles::status, articles::published_at))
        .load::<(i64, String, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .filter_map(|(id, status, at)| (status == "published").then_some((id, at?)))
        .collect())
}

/// The candidates found in `dates`, best first: higher score, then newer, then higher id.
fn best_first(candidates: Vec<Scored>, dates: &HashMap<i64, NaiveDateTime>) -> Vec<Scored> {
    let mut kept: Vec<Scored> = candidates
        .into_iter()
        .filter(|(id, _)| dates.contains_key(id))
        .collect();
    kept.sort_by(|(a, sa), (b, sb)| {
        sb.total_cmp(sa)
            .then_with(|| dates.get(b).cmp(&dates.get(a)))
            .then_with(|| b.cmp(a))
    });
    kept
}

fn store(conn: &mut DbConnection, id: i64, candidates: &[Scored]) -> QueryResult<()> {
    let json = serde_json::to_string(candidates).expect("pairs of numbers serialize");
    diesel::delete(related_articles::table.find(id)).execute(conn)?;
    diesel::insert_into(related_articles::table)
        .values((
            related_articles::article_id.eq(id),
            related_articles::candidates.eq(json),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(QueryableByName)]
struct RowId {
    #[diesel(sql_type = BigInt)]
    rowid: i64,
}

#[derive(QueryableByName)]
struct StoredList {
    #[diesel(sql_type = Text)]
    candidates: String,
}

/// Puts `offered` into `owner`'s stored list if it ranks among the `KEPT` best there. A list
/// not stored yet is left alone: it will be computed whole when first read or refreshed.
fn offer(conn: &mut DbConnection, owner: i64, offered: Scored) -> QueryResult<()> {
    // On PostgreSQL two article writes may offer to one list at once: the row lock makes the
    // second wait for the first instead of overwriting its offer. (SQLite has one writer.)
    let stored: Option<StoredList> = match conn {
        DbConnection::Sqlite(c) => {
            diesel::sql_query("SELECT candidates FROM related_articles WHERE article_id = ?")
                .bind::<BigInt, _>(owner)
                .get_result(c)
                .optional()?
        }
        DbConnection::Postgres(c) => diesel::sql_query(
            "SELECT candidates FROM related_articles WHERE article_id = $1 FOR UPDATE",
        )
        .bind::<BigInt, _>(owner)
        .get_result(c)
        .optional()?,
    };
    let Some(stored) = stored else {
        return Ok(());
    };
    let mut list: Vec<Scored> = serde_json::from_str(&stored.candidates).unwrap_or_default();
    let before = list.len();
    list.retain(|(id, _)| *id != offered.0);
    let was_listed = list.len() != before;
    let at = list
        .iter()
        .position(|(id, score)| offered.1 > *score || (offered.1 == *score && offered.0 > *id))
        .unwrap_or(list.len());
    if at < KEPT {
        list.insert(at, offered);
        list.truncate(KEPT);
    } else if !was_listed {
        return Ok(());
    }
    let json = serde_json::to_string(&list).expect("pairs of numbers serialize");
    diesel::update(related_articles::table.find(owner))
        .set(related_articles::candidates.eq(json))
        .execute(conn)?;
    Ok(())
}
