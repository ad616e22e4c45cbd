//! Related articles, from the same index as search: "more like this". The article's most
//! telling terms (frequent in it, rare in the archive: tf-idf over its title, tags and body,
//! weighted like search weighs the fields) become one ranked query; articles of the same
//! section get a bonus; the article itself never comes back.

use std::collections::HashMap;

use tantivy::query::{BooleanQuery, BoostQuery, EnableScoring, Occur, Query as TantivyQuery};
use tantivy::schema::Term;
use tantivy::{Score, Searcher};

use super::analysis;
use super::fields::{Article, Fields};
use super::ranking::{self, BODY_BOOST, Condition, TAGS_BOOST, TITLE_BOOST};

/// Terms of the article that make up the query. Block-max WAND's cost grows with the
/// number of clauses faster than linearly: at a million articles 20 terms in three fields
/// took about 60 ms, most of it in WAND itself.
const TERMS: usize = 12;
/// A term in more than this share of the archive says nothing about a topic (in an archive
/// of at least [`SHARE_FROM`] articles: in a small one every shared word counts).
const MAX_SHARE: f64 = 0.2;
const SHARE_FROM: f64 = 1000.0;
/// Candidates scored before the section bonus reorders them.
const CANDIDATES: usize = 50;
/// The same-section bonus, as a share of the best candidate's score.
const SAME_SECTION: Score = 0.15;

/// Up to `limit` ids of visible articles (at `now`, in microseconds) like `article`, best
/// first.
pub fn related(
    searcher: &Searcher,
    fields: &Fields,
    article: &Article,
    now: i64,
    limit: usize,
) -> tantivy::Result<Vec<i64>> {
    let terms = telling_terms(searcher, fields, article)?;
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = terms
        .iter()
        .flat_map(|(stem, weight)| {
            [
                (fields.title, TITLE_BOOST),
                (fields.tags, TAGS_BOOST),
                (fields.body, BODY_BOOST),
            ]
            .into_iter()
            .map(move |(field, boost)| {
                let term: Box<dyn TantivyQuery> = Box::new(tantivy::query::TermQuery::new(
                    Term::from_field_text(field, stem),
                    tantivy::schema::IndexRecordOption::WithFreqs,
                ));
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(term, boost * weight)) as Box<dyn TantivyQuery>,
                )
            })
        })
        .collect();
    let query = BooleanQuery::new(clauses);
    let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
    let filter = [Condition::Visible { now }, Condition::NotId(article.id)];
    let mut candidates = ranking::best_scored(searcher, weight.as_ref(), &filter, CANDIDATES)?;
    let Some(top) = candidates.first().map(|c| c.score) else {
        return Ok(Vec::new());
    };
    for candidate in &mut candidates {
        let segment = searcher.segment_reader(candidate.address.segment_ord);
        let section = segment
            .fast_fields()
            .u64(super::fields::column::SECTION_ID)?
            .first(candidate.address.doc_id);
        if section == Some(article.section_id as u64) {
            candidate.score += SAME_SECTION * top;
        }
    }
    candidates.sort_unstable_by(|a, b| b.cmp(a));
    Ok(candidates.into_iter().take(limit).map(|c| c.id).collect())
}

/// The article's most telling stems, with weights (the best is 1).
fn telling_terms(
    searcher: &Searcher,
    fields: &Fields,
    article: &Article,
) -> tantivy::Result<Vec<(String, Score)>> {
    let mut frequency: HashMap<String, f64> = HashMap::new();
    let tags = article.tags.join(" ");
    for (text, weight) in [
        (article.title.as_str(), f64::from(TITLE_BOOST)),
        (tags.as_str(), f64::from(TAGS_BOOST)),
        (article.body.as_str(), f64::from(BODY_BOOST)),
    ] {
        for word in analysis::words(text) {
            if super::query::is_function_word(&word.surface) || word.surface.chars().count() < 2 {
                continue;
            }
            if let Some(stem) = word.stems.into_iter().next() {
                *frequency.entry(stem).or_default() += weight;
            }
        }
    }
    let documents = searcher.num_docs().max(1) as f64;
    let mut scored = Vec::with_capacity(frequency.len());
    for (stem, tf) in frequency {
        // Documents holding the term, about: in the field where most do.
        let in_body = searcher.doc_freq(&Term::from_field_text(fields.body, &stem))?;
        let mut df = in_body;
        for field in [fields.title, fields.tags] {
            df = df.max(searcher.doc_freq(&Term::from_field_text(field, &stem))?);
        }
        // A term only this article has finds nothing else; one in every article's body tells
        // nothing (nor does one in a fifth of a large archive's).
        let in_every_body = documents > 2.0 && in_body as f64 >= documents;
        if df <= 1
            || in_every_body
            || (documents >= SHARE_FROM && df as f64 > MAX_SHARE * documents)
        {
            continue;
        }
        let idf = (1.0 + documents / df as f64).ln();
        scored.push((stem, tf * idf));
    }
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    scored.truncate(TERMS);
    let best = scored.first().map_or(1.0, |(_, s)| *s);
    Ok(scored
        .into_iter()
        .map(|(stem, s)| (stem, (s / best) as Score))
        .collect())
}
