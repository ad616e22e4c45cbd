//! Spelling suggestions from the index's own vocabulary (the `words` field: every word of
//! every article, normalized, not stemmed). A typed word is corrected to the most frequent
//! word one edit away (an insertion, deletion, substitution or transposition) when the
//! typed word is found nowhere (the search then looks for the correction), or when the
//! neighbour is far more frequent (only suggested); a neighbour that is only another form
//! of the same word (the same stems) is no correction.
//!
//! Every frequency counts only the articles any reader may see at that moment: the
//! vocabulary also holds the words of drafts and embargoed articles, and a suggestion must
//! never spell out a word only they contain (nor "knowing" a word tell that they do).

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::Searcher;
use tantivy::query::{FuzzyTermQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};

use super::analysis;
use super::fields::Fields;
use super::query::Query;
use super::ranking::{self, Condition};

/// How much more frequent a neighbour must be to replace a word the index does have.
const MUCH_MORE_FREQUENT: u64 = 20;
/// Words shorter than this have too many neighbours: replaced only when unknown.
const SHORT: usize = 4;

/// A typed word and the word the archive suggests instead.
#[derive(Debug, Clone)]
pub struct Correction {
    pub typed: String,
    pub suggested: String,
    /// The typed word is found nowhere: the search looks for the suggestion instead.
    pub unknown: bool,
}

/// The corrections the archive's vocabulary suggests for the words of `query`, from the
/// articles visible at `now` (microseconds).
pub fn corrections(
    searcher: &Searcher,
    fields: &Fields,
    known: &Neighbours,
    query: &Query,
    now: i64,
) -> tantivy::Result<Vec<Correction>> {
    let visible = [Condition::Visible { now }];
    let mut corrections = Vec::new();
    for surface in query.surfaces() {
        if surface.chars().count() < 3 || surface.chars().any(|c| c.is_ascii_digit()) {
            continue;
        }
        let neighbours = known.of(searcher, fields, surface)?;
        let Some(most) = neighbours.first().map(|(_, n)| *n) else {
            continue;
        };
        // How many visible articles hold the word in any of its forms (its stems: «تضخم» is
        // known when articles only say «التضخم»). Beyond `cap` no neighbour can outnumber
        // it 20 to 1, so counting stops there.
        let cap = most / MUCH_MORE_FREQUENT + 1;
        let frequency = stem_frequency(searcher, fields, surface, &visible, cap)?;
        let short = surface.chars().count() < SHORT;
        if frequency > 0 && (short || frequency >= cap) {
            continue;
        }
        // Unknown: any visible neighbour will do; known: one 20 times as frequent.
        let needed = (MUCH_MORE_FREQUENT * frequency).max(1);
        if let Some(neighbour) = first_visible(searcher, fields, &neighbours, &visible, needed)? {
            corrections.push(Correction {
                typed: surface.to_owned(),
                suggested: neighbour,
                unknown: frequency == 0,
            });
        }
    }
    Ok(corrections)
}

/// The reader's own text with each corrected word swapped (punctuation around it goes), or
/// `None` when nothing needs correcting.
pub fn spelled(raw: &str, corrections: &[Correction]) -> Option<String> {
    if corrections.is_empty() {
        return None;
    }
    let corrected: Vec<String> = raw
        .split_whitespace()
        .map(|token| {
            match crate::text::tokenize(token).as_slice() {
                [word] => corrections
                    .iter()
                    .find(|c| c.typed == *word)
                    .map(|c| c.suggested.clone()),
                _ => None,
            }
            .unwrap_or_else(|| token.to_owned())
        })
        .collect();
    Some(corrected.join(" "))
}

/// `query` with each word found nowhere replaced by its correction (a typo still finds what
/// the reader meant); the other corrections are only suggested.
pub fn corrected(query: &Query, corrections: &[Correction]) -> Query {
    let mut query = query.clone();
    for word in &mut query.words {
        if let Some(c) = corrections
            .iter()
            .find(|c| c.unknown && c.typed == word.surface)
            && let Some(replacement) = analysis::words(&c.suggested).pop()
        {
            *word = replacement;
        }
    }
    query
}

/// The most articles meeting `filter` that any stem of `surface` is found in, in any text
/// field, counted up to `cap`.
fn stem_frequency(
    searcher: &Searcher,
    fields: &Fields,
    surface: &str,
    filter: &[Condition],
    cap: u64,
) -> tantivy::Result<u64> {
    let mut most = 0;
    for stem in analysis::stems_of(surface) {
        for field in [fields.title, fields.body, fields.tags, fields.excerpt] {
            let term = Term::from_field_text(field, &stem);
            // Cheap first: a term in no more articles than already counted needs no count.
            if searcher.doc_freq(&term)? > most {
                most = most.max(holding(searcher, term, filter, cap)?);
            }
            if most >= cap {
                return Ok(most);
            }
        }
    }
    Ok(most)
}

/// How many articles meeting `filter` hold `term`, up to `cap`.
fn holding(
    searcher: &Searcher,
    term: Term,
    filter: &[Condition],
    cap: u64,
) -> tantivy::Result<u64> {
    let query = TermQuery::new(term, IndexRecordOption::Basic);
    ranking::count_at_most(searcher, &query, filter, cap)
}

/// Words' neighbours in one generation's vocabulary, kept per searcher: finding them walks
/// every segment's dictionary with a Levenshtein automaton, the costliest part of a search
/// (8 % of a server's CPU under the bench's searches at 100k articles), and readers ask for
/// the same words again and again. They count articles of any status, as found: whether
/// one is visible is still decided per search ([`first_visible`], [`stem_frequency`]).
pub struct Neighbours {
    /// By the searcher's generation (a new one after every commit) and the word.
    cache: quick_cache::sync::Cache<(u64, String), Arc<Frequencies>>,
}

/// Words, each with the number of articles (of any status) holding it.
type Frequencies = Vec<(String, u64)>;

/// Words whose neighbours are kept.
const NEIGHBOURS_KEPT: usize = 10_000;

impl Default for Neighbours {
    fn default() -> Self {
        Self {
            cache: quick_cache::sync::Cache::new(NEIGHBOURS_KEPT),
        }
    }
}

impl Neighbours {
    /// [`neighbours`] of `surface` in `searcher`'s vocabulary but its own other forms (the
    /// same stems: no correction), found once per searcher.
    fn of(
        &self,
        searcher: &Searcher,
        fields: &Fields,
        surface: &str,
    ) -> tantivy::Result<Arc<Frequencies>> {
        let key = (searcher.generation().generation_id(), surface.to_owned());
        self.cache.get_or_insert_with(&key, || {
            let stems = analysis::stems_of(surface);
            let mut found = neighbours(searcher, fields, surface)?;
            found.retain(|(word, _)| analysis::stems_of(word) != stems);
            Ok(Arc::new(found))
        })
    }
}

/// The other words one edit from `surface` in the vocabulary, with the number of articles
/// (of any status) holding each: most first.
fn neighbours(
    searcher: &Searcher,
    fields: &Fields,
    surface: &str,
) -> tantivy::Result<Vec<(String, u64)>> {
    let term = Term::from_field_text(fields.words, surface);
    let mut frequencies: HashMap<Vec<u8>, u64> = HashMap::new();
    // Built once, walked in every segment's dictionary (building it per segment was a
    // measurable part of a search).
    let automaton = FuzzyTermQuery::new(term, 1, true).automaton()?;
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(fields.words)?;
        let mut stream = inverted.terms().search(&automaton).into_stream()?;
        while stream.advance() {
            if stream.key() != surface.as_bytes() {
                *frequencies.entry(stream.key().to_vec()).or_default() +=
                    u64::from(stream.value().doc_freq);
            }
        }
    }
    let mut found: Vec<(String, u64)> = frequencies
        .into_iter()
        .filter_map(|(key, n)| String::from_utf8(key).ok().map(|w| (w, n)))
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(found)
}

/// The first of `neighbours` (most frequent first) held by at least `needed` articles
/// meeting `filter`: the articles of other statuses never make a word suggestable.
fn first_visible(
    searcher: &Searcher,
    fields: &Fields,
    neighbours: &[(String, u64)],
    filter: &[Condition],
    needed: u64,
) -> tantivy::Result<Option<String>> {
    for (word, at_most) in neighbours {
        if *at_most < needed {
            break;
        }
        let term = Term::from_field_text(fields.words, word);
        if holding(searcher, term, filter, needed)? >= needed {
            return Ok(Some(word.clone()));
        }
    }
    Ok(None)
}
