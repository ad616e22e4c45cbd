//! Related articles: other published articles ranked by shared tags, same section, and
//! similarity of their text to this article's title.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::{Analyzer, Query, matches, rank};
use crate::db::schema::{article_search, article_tags, articles};
use crate::db::{Backend, DbConnection};

/// How much each kind of evidence weighs.
const PER_SHARED_TAG: f64 = 3.0;
const SAME_SECTION: f64 = 2.0;
const TEXT_MATCH: f64 = 4.0;
/// Candidates considered from each source.
const CANDIDATES: i64 = 50;

/// Ids of up to `limit` published, due articles related to `id` (never `id` itself), best
/// first; ties go to the newer article, then the higher id, so the order is deterministic.
pub fn related_ids(
    conn: &mut DbConnection,
    backend: Backend,
    id: i64,
    limit: usize,
    now: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    let Some((section_id, title)) = articles::table
        .find(id)
        .select((articles::section_id, articles::title))
        .first::<(i64, String)>(conn)
        .optional()?
    else {
        return Ok(Vec::new());
    };
    let visible = articles::status
        .eq("published")
        .and(articles::published_at.le(now))
        .and(articles::id.ne(id));
    let mut score: HashMap<i64, f64> = HashMap::new();

    let tag_ids: Vec<i64> = article_tags::table
        .filter(article_tags::article_id.eq(id))
        .select(article_tags::tag_id)
        .load(conn)?;
    // Candidates are gathered from each source alone (the tag postings, the section's index,
    // the search index) and only then checked for visibility, in one query: joining each
    // source with the articles table let the planner walk every article.
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
        .filter(visible)
        .order((articles::published_at.desc(), articles::id.desc()))
        .select(articles::id)
        .limit(CANDIDATES)
        .load(conn)?;
    for other in same_section {
        *score.entry(other).or_default() += SAME_SECTION;
    }

    let mut terms = Analyzer::default().terms(&title);
    terms.sort();
    terms.dedup();
    // Short words (و، في، of …) say little about a topic.
    terms.retain(|t| t.chars().count() > 2);
    if let Some(query) = Query::any_in_titles(terms) {
        let similar: Vec<i64> = article_search::table
            .filter(matches(backend, &query))
            .filter(article_search::rowid.ne(id))
            .order((rank(backend, &query), article_search::rowid.desc()))
            .select(article_search::rowid)
            .limit(CANDIDATES * 2)
            .load(conn)?;
        let n = similar.len().max(1) as f64;
        for (position, other) in similar.into_iter().enumerate() {
            *score.entry(other).or_default() += TEXT_MATCH * (1.0 - position as f64 / n);
        }
    }

    let candidates: Vec<i64> = score.keys().copied().collect();
    // Which candidates readers may see, with their dates for breaking ties. Visibility is
    // checked here rather than in SQL: given `status` and `published_at` conditions, SQLite
    // walks the whole status index instead of probing the few ids by primary key.
    let dates: HashMap<i64, Option<NaiveDateTime>> = articles::table
        .filter(articles::id.eq_any(&candidates))
        .select((articles::id, articles::status, articles::published_at))
        .load::<(i64, String, Option<NaiveDateTime>)>(conn)?
        .into_iter()
        .filter(|(_, status, at)| status == "published" && at.is_some_and(|at| at <= now))
        .map(|(id, _, at)| (id, at))
        .collect();
    let mut ranked: Vec<(i64, f64)> = score
        .into_iter()
        .filter(|(candidate, _)| dates.contains_key(candidate))
        .collect();
    ranked.sort_by(|(a, sa), (b, sb)| {
        sb.total_cmp(sa)
            .then_with(|| dates.get(b).cmp(&dates.get(a)))
            .then_with(|| b.cmp(a))
    });
    Ok(ranked.into_iter().take(limit).map(|(id, _)| id).collect())
}
