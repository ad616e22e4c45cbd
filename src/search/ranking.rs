//! Running a reader's search on the index: which articles match, in what order, how many.
//!
//! Every word is optional. Each stem of each word is one term query per text field, boosted
//! by the field (title > tags > excerpt > body), all in one flat disjunction: BM25 sums what
//! each document matches, and tantivy's block-max WAND skips the documents that cannot
//! reach the current top page, so a common word costs little at a million articles. Quoted
//! phrases are required phrase queries; `-words` are excluded.
//!
//! List filters (status and dates, section, tag, author) are not query clauses, which would
//! turn the disjunction into a conjunction WAND cannot prune: they are checked per candidate
//! on the segment's fast fields, before it may enter the top page.
//!
//! Coverage and proximity: the best results are reordered, block by block of [`BLOCK`], by
//! how much of the query each answers (its score scaled by the rarity-weighted share of the
//! query's words it matches, so an article repeating only "price" falls below one about
//! "gold price") and by a bonus for each pair of consecutive query words found close
//! together (a sloppy phrase query scored on just those documents). BM25 alone let a common
//! word in every field outrank the rare word the reader meant. Blocks are fixed, so
//! consecutive pages never overlap.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashSet};
use std::sync::Arc;

use tantivy::columnar::{Column, StrColumn};
use tantivy::query::{
    BooleanQuery, BoostQuery, EnableScoring, Occur, PhraseQuery, Query as TantivyQuery, TermQuery,
    Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Term};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader};

use super::analysis::Word;
use super::fields::{Fields, PUBLISHED, column};
use super::query::Query;
use super::synonyms::{self, WEIGHT};
use super::visibility::{self, Published};

/// How much a match in each field weighs.
pub const TITLE_BOOST: Score = 4.0;
pub const TAGS_BOOST: Score = 3.0;
pub const EXCERPT_BOOST: Score = 2.0;
pub const BODY_BOOST: Score = 1.0;

/// Results reordered together for proximity.
pub const BLOCK: usize = 100;
/// Words apart (beyond adjacent) that still count as close.
const SLOP: u32 = 2;
/// The weight of a close pair's phrase score, relative to the words' own scores.
const PROXIMITY: Score = 1.0;
/// How steeply a result's score falls with the share of the query it leaves unanswered.
const COVERAGE_POWER: Score = 1.0;

/// One condition a listed article must meet, on the values the index holds.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Published, and due at this time (microseconds).
    Visible {
        now: i64,
    },
    /// Published, due later than this time.
    Scheduled {
        now: i64,
    },
    /// In this status (as [`super::fields::status_code`] numbers it).
    Status(u64),
    /// Visible at `now`, or written by `author`.
    VisibleOrBy {
        now: i64,
        author: u64,
    },
    /// In one of these sections (sorted).
    Sections(Vec<u64>),
    Tag(u64),
    Author(u64),
    /// Published at or after this time.
    PublishedFrom(i64),
    /// Published before this time.
    PublishedBefore(i64),
    /// Any article but this one.
    NotId(i64),
}

/// The order of a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Best match first (ties: newer id first).
    Relevance,
    /// Newest publication first, unpublished last.
    Newest,
    /// Oldest publication first, unpublished last.
    Oldest,
    RecentlyUpdated,
    Title,
}

/// A page of matching article ids, in order, and how many match in all.
#[derive(Debug, Default)]
pub struct Hits {
    pub ids: Vec<i64>,
    pub total: u64,
    /// `total` is a lower bound: at least [`COUNTED_EXACTLY`] articles match.
    pub estimated: bool,
}

/// Matches counted, at most. Counting every match of a frequent word (the union of its
/// postings in four fields, each document checked against the filter) was a large part of a
/// search's time at a million articles; nobody pages through ten thousand results, and a
/// reader is then told "10,000 or more".
pub const COUNTED_EXACTLY: u64 = 10_000;

/// Searches for `query` among the articles meeting every condition of `filter`; `offset`
/// and `limit` choose the page.
pub fn search(
    searcher: &Searcher,
    fields: &Fields,
    query: &Query,
    filter: &[Condition],
    order: Order,
    offset: usize,
    limit: usize,
) -> tantivy::Result<Hits> {
    let matcher = matcher(fields, query);
    let scoring = match order {
        Order::Relevance => EnableScoring::enabled_from_searcher(searcher),
        _ => EnableScoring::disabled_from_searcher(searcher),
    };
    let weight = matcher.weight(scoring)?;
    let (total, estimated) = count(searcher, weight.as_ref(), filter, COUNTED_EXACTLY)?;
    // Past a lower bound, the page itself decides.
    if total as usize <= offset && !estimated {
        return Ok(Hits {
            ids: Vec::new(),
            total,
            estimated,
        });
    }
    let ids = match order {
        Order::Relevance => {
            let wanted = (offset + limit).div_ceil(BLOCK) * BLOCK;
            let mut best = best_scored(searcher, weight.as_ref(), filter, wanted)?;
            rerank(searcher, fields, query, &mut best)?;
            best.into_iter().map(|hit| hit.id).collect::<Vec<_>>()
        }
        _ => first_by(searcher, weight.as_ref(), filter, order, offset + limit)?,
    };
    let ids: Vec<i64> = ids.into_iter().skip(offset).take(limit).collect();
    Ok(Hits {
        total: total.max((offset + ids.len()) as u64),
        ids,
        estimated,
    })
}

/// The query that decides what matches and scores it.
pub fn matcher(fields: &Fields, query: &Query) -> Box<dyn TantivyQuery> {
    let expansions = synonyms::expansions(&query.words);
    let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
    let mut seen = HashSet::new();
    for word in &query.words {
        for stem in &word.stems {
            if seen.insert(stem.as_str()) {
                clauses.extend(
                    term_queries(fields, stem)
                        .into_iter()
                        .map(|q| (Occur::Should, q)),
                );
            }
        }
    }
    // Another group member's word or phrase counts, at a lower weight, so that an article
    // in the reader's own words still ranks first.
    for member in &expansions {
        match member.as_slice() {
            [word] => {
                for stem in &word.stems {
                    if seen.insert(stem.as_str()) {
                        clauses.extend(text_fields(fields).into_iter().map(|(field, boost)| {
                            let weighted = boost * WEIGHT;
                            let q: Box<dyn TantivyQuery> =
                                Box::new(BoostQuery::new(term(field, stem), weighted));
                            (Occur::Should, q)
                        }));
                    }
                }
            }
            phrase => clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(anywhere(fields, phrase), WEIGHT)),
            )),
        }
    }
    let required = !query.phrases.is_empty();
    for phrase in &query.phrases {
        clauses.push((Occur::Must, anywhere(fields, phrase)));
    }
    for word in &query.excluded {
        for stem in &word.stems {
            for (field, _) in text_fields(fields) {
                clauses.push((Occur::MustNot, term(field, stem)));
            }
        }
    }
    // With a required phrase the words only rank; without, at least one must match.
    let at_least = usize::from(!required);
    Box::new(BooleanQuery::with_minimum_required_clauses(
        clauses, at_least,
    ))
}

/// The text fields and their boosts.
pub fn text_fields(fields: &Fields) -> [(Field, Score); 4] {
    [
        (fields.title, TITLE_BOOST),
        (fields.tags, TAGS_BOOST),
        (fields.excerpt, EXCERPT_BOOST),
        (fields.body, BODY_BOOST),
    ]
}

/// `stem` in each text field, boosted by the field.
pub fn term_queries(fields: &Fields, stem: &str) -> Vec<Box<dyn TantivyQuery>> {
    text_fields(fields)
        .into_iter()
        .map(|(field, boost)| {
            Box::new(BoostQuery::new(term(field, stem), boost)) as Box<dyn TantivyQuery>
        })
        .collect()
}

fn term(field: Field, stem: &str) -> Box<dyn TantivyQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, stem),
        IndexRecordOption::WithFreqs,
    ))
}

/// A phrase (or a single quoted word) in any text field.
fn anywhere(fields: &Fields, phrase: &[Word]) -> Box<dyn TantivyQuery> {
    let clauses = text_fields(fields)
        .into_iter()
        .map(|(field, boost)| {
            let inner: Box<dyn TantivyQuery> = match phrase {
                [word] => term(field, first_stem(word)),
                _ => Box::new(PhraseQuery::new(
                    phrase
                        .iter()
                        .map(|w| Term::from_field_text(field, first_stem(w)))
                        .collect(),
                )),
            };
            (
                Occur::Should,
                Box::new(BoostQuery::new(inner, boost)) as Box<dyn TantivyQuery>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

/// The stem a phrase is matched on: the word's most likely reading.
fn first_stem(word: &Word) -> &str {
    word.stems
        .first()
        .map_or(word.surface.as_str(), String::as_str)
}

/// The fast fields the conditions and orders read, for one segment.
struct Columns {
    id: Column<u64>,
    status: Column<u64>,
    published_at: Column<i64>,
    updated_at: Column<i64>,
    section_id: Column<u64>,
    author_id: Column<u64>,
    tag_ids: Column<u64>,
    published: Arc<Published>,
}

impl Columns {
    fn open(segment: &SegmentReader) -> tantivy::Result<Self> {
        let fast = segment.fast_fields();
        Ok(Self {
            published: visibility::published(segment)?,
            id: fast.u64(column::ID)?,
            status: fast.u64(column::STATUS)?,
            published_at: fast.i64(column::PUBLISHED_AT)?,
            updated_at: fast.i64(column::UPDATED_AT)?,
            section_id: fast.u64(column::SECTION_ID)?,
            author_id: fast.u64(column::AUTHOR_ID)?,
            tag_ids: fast.u64(column::TAG_IDS)?,
        })
    }

    fn id(&self, doc: DocId) -> i64 {
        self.id.first(doc).unwrap_or_default() as i64
    }

    fn admits(&self, doc: DocId, filter: &[Condition]) -> bool {
        filter.iter().all(|condition| self.meets(doc, condition))
    }

    fn meets(&self, doc: DocId, condition: &Condition) -> bool {
        let published = || self.status.first(doc) == Some(PUBLISHED);
        let at = || self.published_at.first(doc);
        let visible = |now: i64| {
            self.published
                .visible(doc, now)
                .unwrap_or_else(|| published() && at().is_some_and(|at| at <= now))
        };
        match condition {
            Condition::Visible { now } => visible(*now),
            Condition::Scheduled { now } => published() && at().is_some_and(|at| at > *now),
            Condition::Status(status) => self.status.first(doc) == Some(*status),
            Condition::VisibleOrBy { now, author } => {
                visible(*now) || self.author_id.first(doc) == Some(*author)
            }
            Condition::Sections(ids) => self
                .section_id
                .first(doc)
                .is_some_and(|s| ids.binary_search(&s).is_ok()),
            Condition::Tag(tag) => self.tag_ids.values_for_doc(doc).any(|t| t == *tag),
            Condition::Author(author) => self.author_id.first(doc) == Some(*author),
            Condition::PublishedFrom(from) => at().is_some_and(|at| at >= *from),
            Condition::PublishedBefore(before) => at().is_some_and(|at| at < *before),
            Condition::NotId(id) => self.id(doc) != *id,
        }
    }
}

/// How many articles meeting `filter` match `query`, counted up to `cap`: answering "at
/// least `cap`" stops early, which keeps a frequent word cheap at a million articles.
pub fn count_at_most(
    searcher: &Searcher,
    query: &dyn TantivyQuery,
    filter: &[Condition],
    cap: u64,
) -> tantivy::Result<u64> {
    let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
    Ok(count(searcher, weight.as_ref(), filter, cap)?.0)
}

/// How many documents match and meet the filter, counted up to `at_most`; `true` when it
/// was reached (more may match). Not extrapolated: a share of the index counts drafts too, so
/// an estimate would move as staff write unpublished work a reader must not learn of.
fn count(
    searcher: &Searcher,
    weight: &dyn Weight,
    filter: &[Condition],
    at_most: u64,
) -> tantivy::Result<(u64, bool)> {
    use tantivy::{DocSet, TERMINATED};
    let mut total = 0u64;
    for segment in searcher.segment_readers() {
        let columns = Columns::open(segment)?;
        let alive = segment.alive_bitset();
        let mut docs = weight.scorer(segment, 1.0)?;
        let mut doc = docs.doc();
        while doc != TERMINATED {
            if alive.is_none_or(|a| a.is_alive(doc)) && columns.admits(doc, filter) {
                total += 1;
                if total >= at_most {
                    return Ok((total, true));
                }
            }
            doc = docs.advance();
        }
    }
    Ok((total, false))
}

/// A scored result.
#[derive(Debug, Clone, Copy)]
pub struct Scored {
    pub id: i64,
    pub score: Score,
    pub address: DocAddress,
}

impl PartialEq for Scored {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Scored {}
impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Scored {
    /// Better first is *greater*: higher score, then higher id.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then(self.id.cmp(&other.id))
    }
}

/// The `wanted` best-scoring documents that meet the filter, best first.
pub(super) fn best_scored(
    searcher: &Searcher,
    weight: &dyn Weight,
    filter: &[Condition],
    wanted: usize,
) -> tantivy::Result<Vec<Scored>> {
    // The worst of the best so far on top, so it is the one replaced.
    let mut best: BinaryHeap<Reverse<Scored>> = BinaryHeap::with_capacity(wanted + 1);
    for (ord, segment) in searcher.segment_readers().iter().enumerate() {
        let columns = Columns::open(segment)?;
        let alive = segment.alive_bitset();
        let floor = |best: &BinaryHeap<Reverse<Scored>>| {
            if best.len() < wanted {
                Score::MIN
            } else {
                best.peek().map_or(Score::MIN, |w| w.0.score)
            }
        };
        let mut threshold = floor(&best);
        weight.for_each_pruning(threshold, segment, &mut |doc, score| {
            if alive.is_none_or(|a| a.is_alive(doc)) && columns.admits(doc, filter) {
                best.push(Reverse(Scored {
                    id: columns.id(doc),
                    score,
                    address: DocAddress::new(ord as u32, doc),
                }));
                if best.len() > wanted {
                    best.pop();
                }
                threshold = floor(&best);
            }
            threshold
        })?;
    }
    let mut best: Vec<Scored> = best.into_iter().map(|r| r.0).collect();
    best.sort_unstable_by(|a, b| b.cmp(a));
    Ok(best)
}

/// Reorders each block of [`BLOCK`] results by how much of the query each one answers:
/// its score is scaled by its share of the query's words ([`coverage`]) and raised by a bonus
/// for each pair of consecutive query words it has close together.
fn rerank(
    searcher: &Searcher,
    fields: &Fields,
    query: &Query,
    results: &mut [Scored],
) -> tantivy::Result<()> {
    if query.words.len() < 2 || results.is_empty() {
        return Ok(());
    }
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let mut pairs: Vec<PhraseQuery> = Vec::new();
    for pair in query.words.windows(2) {
        for field in [fields.title, fields.body] {
            pairs.push(PhraseQuery::new_with_offset_and_slop(
                vec![
                    (0, Term::from_field_text(field, first_stem(&pair[0]))),
                    (1, Term::from_field_text(field, first_stem(&pair[1]))),
                ],
                SLOP,
            ));
        }
    }
    let pairs = pairs
        .iter()
        .map(|p| p.weight(scoring))
        .collect::<tantivy::Result<Vec<_>>>()?;
    let words = word_weights(searcher, fields, query)?;
    let whole: Score = words.iter().map(|(_, idf)| idf).sum();
    for block in results.chunks_mut(BLOCK) {
        let mut covered: Vec<Score> = vec![0.0; block.len()];
        for (weight, idf) in &words {
            for (i, _) in matches(searcher, weight.as_ref(), block)? {
                covered[i] += idf;
            }
        }
        for (result, covered) in block.iter_mut().zip(covered) {
            result.score *= coverage(covered, whole);
        }
        for weight in &pairs {
            for (i, score) in matches(searcher, weight.as_ref(), block)? {
                block[i].score += PROXIMITY * score;
            }
        }
        block.sort_unstable_by(|a, b| b.cmp(a));
    }
    Ok(())
}

/// How much of a query's weight a result must answer to keep its whole score: a document
/// matching only the query's common words ("price", «اليوم») falls below one matching its
/// rare ones, however often it repeats the common word. Weighted by each word's rarity, so
/// a no-overlap query (no article has every word) still ranks by the words that matter.
fn coverage(covered: Score, whole: Score) -> Score {
    if whole <= 0.0 {
        return 1.0;
    }
    let share = (covered / whole).clamp(0.0, 1.0);
    share.powf(COVERAGE_POWER)
}

/// Each query word, as a query matching any of its stems (or a synonym of it) in any text
/// field, with the word's rarity (BM25's idf of its rarest stem's commonest field).
fn word_weights(
    searcher: &Searcher,
    fields: &Fields,
    query: &Query,
) -> tantivy::Result<Vec<(Box<dyn Weight>, Score)>> {
    let documents = searcher.num_docs() as f32;
    let mut weights = Vec::with_capacity(query.words.len());
    for word in &query.words {
        let mut clauses: Vec<(Occur, Box<dyn TantivyQuery>)> = Vec::new();
        let mut frequency = 0u64;
        for stem in &word.stems {
            for (field, _) in text_fields(fields) {
                clauses.push((Occur::Should, term(field, stem)));
                let found = searcher.doc_freq(&Term::from_field_text(field, stem))?;
                frequency = frequency.max(found);
            }
        }
        for member in synonyms::expansions(std::slice::from_ref(word)) {
            match member.as_slice() {
                [one] => clauses.extend(
                    one.stems
                        .iter()
                        .flat_map(|stem| text_fields(fields).map(|(field, _)| term(field, stem)))
                        .map(|q| (Occur::Should, q)),
                ),
                phrase => clauses.push((Occur::Should, anywhere(fields, phrase))),
            }
        }
        let f = frequency as f32;
        let idf = (1.0 + (documents - f + 0.5) / (f + 0.5)).ln();
        let weight =
            BooleanQuery::new(clauses).weight(EnableScoring::disabled_from_searcher(searcher))?;
        weights.push((weight, idf));
    }
    Ok(weights)
}

/// The results of `block` that `weight` matches: their place in the block, and the score.
fn matches(
    searcher: &Searcher,
    weight: &dyn Weight,
    block: &[Scored],
) -> tantivy::Result<Vec<(usize, Score)>> {
    // Per segment, in document order: a scorer only moves forward.
    let mut order: Vec<usize> = (0..block.len()).collect();
    order.sort_by_key(|&i| (block[i].address.segment_ord, block[i].address.doc_id));
    let mut found = Vec::new();
    let mut current: Option<(u32, Box<dyn tantivy::query::Scorer>)> = None;
    for i in order {
        let address = block[i].address;
        if current
            .as_ref()
            .is_none_or(|(s, _)| *s != address.segment_ord)
        {
            let segment = searcher.segment_reader(address.segment_ord);
            current = Some((address.segment_ord, weight.scorer(segment, 1.0)?));
        }
        let Some((_, scorer)) = current.as_mut() else {
            continue;
        };
        if scorer.doc() < address.doc_id {
            scorer.seek(address.doc_id);
        }
        if scorer.doc() == address.doc_id {
            found.push((i, scorer.score()));
        }
    }
    Ok(found)
}

/// The first `wanted` matching documents that meet the filter, in `order` (not relevance).
fn first_by(
    searcher: &Searcher,
    weight: &dyn Weight,
    filter: &[Condition],
    order: Order,
    wanted: usize,
) -> tantivy::Result<Vec<i64>> {
    /// Greater sorts first.
    #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
    enum Key {
        Number(bool, i64, i64),
        NumberAscending(bool, Reverse<i64>, Reverse<i64>),
        Text(Reverse<String>, Reverse<i64>),
    }
    let mut first: BinaryHeap<Reverse<(Key, i64)>> = BinaryHeap::with_capacity(wanted + 1);
    for segment in searcher.segment_readers() {
        let columns = Columns::open(segment)?;
        let titles: Option<StrColumn> = match order {
            Order::Title => segment.fast_fields().str(column::TITLE_KEY)?,
            _ => None,
        };
        let alive = segment.alive_bitset();
        let mut title = String::new();
        weight.for_each_no_score(segment, &mut |docs| {
            for &doc in docs {
                if !alive.is_none_or(|a| a.is_alive(doc)) || !columns.admits(doc, filter) {
                    continue;
                }
                let id = columns.id(doc);
                let key = match order {
                    Order::Newest | Order::Relevance => {
                        let at = columns.published_at.first(doc);
                        Key::Number(at.is_some(), at.unwrap_or_default(), id)
                    }
                    Order::Oldest => {
                        let at = columns.published_at.first(doc);
                        Key::NumberAscending(
                            at.is_some(),
                            Reverse(at.unwrap_or_default()),
                            Reverse(id),
                        )
                    }
                    Order::RecentlyUpdated => {
                        Key::Number(true, columns.updated_at.first(doc).unwrap_or_default(), id)
                    }
                    Order::Title => {
                        title.clear();
                        if let Some(titles) = &titles
                            && let Some(ord) = titles.term_ords(doc).next()
                        {
                            let _ = titles.ord_to_str(ord, &mut title);
                        }
                        Key::Text(Reverse(title.clone()), Reverse(id))
                    }
                };
                first.push(Reverse((key, id)));
                if first.len() > wanted {
                    first.pop();
                }
            }
        })?;
    }
    let mut first: Vec<(Key, i64)> = first.into_iter().map(|r| r.0).collect();
    first.sort_unstable_by(|a, b| b.cmp(a));
    Ok(first.into_iter().map(|(_, id)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::fields::Article;

    /// 2,000 articles, every fourth about gold.
    fn archive() -> (tantivy::Index, Fields) {
        let articles: Vec<(String, String, String)> = (1..=2000)
            .map(|id| {
                let topic = if id % 4 == 0 {
                    "gold prices"
                } else {
                    "weather report"
                };
                let (title, body) = (format!("{topic} {id}"), format!("a story about {topic}"));
                (title, String::new(), body)
            })
            .collect();
        index_of(&articles)
    }

    /// An index of `(title, tag, body)` articles (no tag when empty), ids from 1 in order.
    fn index_of<T: AsRef<str>>(articles: &[(T, T, T)]) -> (tantivy::Index, Fields) {
        let (schema, fields) = Fields::schema();
        let index = tantivy::Index::create_in_ram(schema);
        crate::search::engine::register_tokenizers(&index);
        let mut writer: tantivy::IndexWriter =
            index.writer_with_num_threads(1, 15_000_000).unwrap();
        for (n, (title, tags, body)) in articles.iter().enumerate() {
            writer
                .add_document(
                    fields.document(&Article {
                        id: n as i64 + 1,
                        title: title.as_ref().into(),
                        excerpt: String::new(),
                        body: body.as_ref().into(),
                        tags: [tags.as_ref()]
                            .into_iter()
                            .filter(|t| !t.is_empty())
                            .map(Into::into)
                            .collect(),
                        tag_ids: Vec::new(),
                        status: "published".into(),
                        published_at: Some(1),
                        updated_at: 1,
                        section_id: 1,
                        author_id: 1,
                        version: 1,
                    }),
                )
                .unwrap();
        }
        writer.commit().unwrap();
        (index, fields)
    }

    #[test]
    fn an_article_answering_the_rare_word_outranks_one_repeating_the_common_one() {
        // "price" is everywhere, "gold" in one article. Article 1 has "price" in every
        // field (BM25 alone puts it first); article 2 mentions gold and price in its body.
        let mut articles = vec![
            ("price watch", "price", "price rises and price falls: price"),
            ("the week", "markets", "the gold price rose"),
        ];
        articles.extend(std::iter::repeat_n(
            ("weekly price report", "economy", "price of bread"),
            30,
        ));
        let (index, fields) = index_of(&articles);
        let searcher = index.reader().unwrap().searcher();
        let hits = search(
            &searcher,
            &fields,
            &Query::parse("gold price").unwrap(),
            &[Condition::Visible { now: 2 }],
            Order::Relevance,
            0,
            3,
        )
        .unwrap();
        assert_eq!(hits.ids[0], 2, "{:?}", hits.ids);
        assert_eq!(coverage(1.0, 4.0), 0.25);
        assert_eq!(coverage(0.0, 0.0), 1.0);
    }

    #[test]
    fn totals_are_exact_up_to_the_limit_then_a_lower_bound() {
        let (index, fields) = archive();
        let searcher = index.reader().unwrap().searcher();
        let query = Query::parse("gold").unwrap();
        let weight = matcher(&fields, &query)
            .weight(EnableScoring::disabled_from_searcher(&searcher))
            .unwrap();
        let visible = [Condition::Visible { now: 2 }];
        assert_eq!(
            count(&searcher, weight.as_ref(), &visible, 10_000).unwrap(),
            (500, false)
        );
        assert_eq!(
            count(&searcher, weight.as_ref(), &visible, 100).unwrap(),
            (100, true)
        );
        // A filter nothing meets counts nothing, however many documents match the words.
        let future = [Condition::Scheduled { now: 2 }];
        assert_eq!(
            count(&searcher, weight.as_ref(), &future, 100).unwrap(),
            (0, false)
        );
    }

    #[test]
    fn a_page_is_never_shorter_than_the_total_says() {
        let (index, fields) = archive();
        let searcher = index.reader().unwrap().searcher();
        let query = Query::parse("gold").unwrap();
        let visible = [Condition::Visible { now: 2 }];
        let hits = search(
            &searcher,
            &fields,
            &query,
            &visible,
            Order::Relevance,
            480,
            50,
        )
        .unwrap();
        assert_eq!(
            (hits.ids.len(), hits.total, hits.estimated),
            (20, 500, false)
        );
    }
}
