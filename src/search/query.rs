//! What a reader's search asks for: words (each optional; more of them, in better fields and
//! closer together, rank higher), `"quoted phrases"` (required, word for word) and `-words`
//! (excluded). Nothing a reader types is ever query syntax of the engine: the text is split
//! here and every piece goes through the analysis (`analysis`).

use super::analysis::{self, Word};

/// A parsed search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    /// Optional words, in the order typed (function words left out, unless nothing else is
    /// left).
    pub words: Vec<Word>,
    /// Phrases every match must contain.
    pub phrases: Vec<Vec<Word>>,
    /// Words no match may contain.
    pub excluded: Vec<Word>,
}

/// Quotation marks that open a phrase, with the mark that closes it.
const QUOTES: [(char, char); 4] = [('"', '"'), ('«', '»'), ('“', '”'), ('„', '“')];

impl Query {
    /// `None` when nothing searchable is left (only punctuation, operators, marks, or only
    /// exclusions).
    pub fn parse(raw: &str) -> Option<Self> {
        let mut words = Vec::new();
        let mut phrases = Vec::new();
        let mut excluded = Vec::new();
        let mut rest = raw;
        while !rest.is_empty() {
            let Some(start) = rest.find(|c: char| !c.is_whitespace()) else {
                break;
            };
            rest = &rest[start..];
            let first = rest.chars().next().unwrap_or(' ');
            if let Some(&(_, close)) = QUOTES.iter().find(|(open, _)| *open == first) {
                let inner = &rest[first.len_utf8()..];
                let (phrase, after) = match inner.find(close) {
                    Some(end) => (&inner[..end], &inner[end + close.len_utf8()..]),
                    // An unbalanced quote quotes the rest.
                    None => (inner, ""),
                };
                let phrase = analysis::words(phrase);
                match phrase.len() {
                    0 => {}
                    1 => words.extend(phrase),
                    _ => phrases.push(phrase),
                }
                rest = after;
                continue;
            }
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let (token, after) = rest.split_at(end);
            rest = after;
            match token
                .strip_prefix('-')
                .filter(|t| t.starts_with(char::is_alphanumeric))
            {
                Some(not) => excluded.extend(analysis::words(not)),
                None => words.extend(analysis::words(token)),
            }
        }
        let meaningful: Vec<Word> = words
            .iter()
            .filter(|w| !is_function_word(&w.surface))
            .cloned()
            .collect();
        if !meaningful.is_empty() {
            words = meaningful;
        }
        words.dedup();
        (!words.is_empty() || !phrases.is_empty()).then_some(Self {
            words,
            phrases,
            excluded,
        })
    }

    /// Every stem a match may show (of the words and the phrases), for snippets.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.words
            .iter()
            .chain(self.phrases.iter().flatten())
            .flat_map(|w| w.stems.iter().map(String::as_str))
    }

    /// The words as typed (normalized), phrases included, to suggest a spelling for.
    pub fn surfaces(&self) -> Vec<&str> {
        self.words
            .iter()
            .chain(self.phrases.iter().flatten())
            .map(|w| w.surface.as_str())
            .collect()
    }
}

/// Words that carry no topic of their own (normalized forms): Arabic prepositions,
/// conjunctions, pronouns and particles of news copy, and their English counterparts. A
/// search for «أسعار الذهب في مصر» is about gold prices and Egypt, not about «في».
pub(super) fn is_function_word(word: &str) -> bool {
    const WORDS: [&str; 72] = [
        "في",
        "من",
        "على",
        "الى",
        "عن",
        "ان",
        "او",
        "ثم",
        "حتي",
        "مع",
        "هذا",
        "هذه",
        "ذلك",
        "تلك",
        "التي",
        "الذي",
        "الذين",
        "كان",
        "كانت",
        "قد",
        "لا",
        "ما",
        "لم",
        "لن",
        "هو",
        "هي",
        "هم",
        "انه",
        "انها",
        "بين",
        "كل",
        "بعد",
        "قبل",
        "عند",
        "منذ",
        "اذا",
        "لقد",
        "كما",
        "ايضا",
        "غير",
        "اي",
        "او",
        "الا",
        "ولا",
        "وفي",
        "ومن",
        "و",
        "ف",
        "ب",
        "ل",
        "the",
        "a",
        "an",
        "of",
        "in",
        "on",
        "for",
        "to",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "by",
        "with",
        "at",
        "from",
        "as",
        "that",
        "its",
    ];
    WORDS.contains(&word)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn surfaces(words: &[Word]) -> Vec<&str> {
        words.iter().map(|w| w.surface.as_str()).collect()
    }

    #[test]
    fn words_phrases_and_exclusions_are_told_apart() {
        let q = Query::parse(r#"أسعار "الذهب في مصر" -الفضة"#).unwrap();
        assert_eq!(surfaces(&q.words), ["اسعار"]);
        assert_eq!(q.phrases.len(), 1);
        assert_eq!(surfaces(&q.phrases[0]), ["الذهب", "في", "مصر"]);
        assert_eq!(surfaces(&q.excluded), ["الفضه"]);
    }

    #[test]
    fn arabic_quotes_and_unbalanced_quotes_make_phrases() {
        let q = Query::parse("«كأس العالم»").unwrap();
        assert_eq!(q.phrases.len(), 1);
        let q = Query::parse(r#"كأس "العالم 2026"#).unwrap();
        assert_eq!(surfaces(&q.phrases[0]), ["العالم", "2026"]);
    }

    #[test]
    fn function_words_are_dropped_unless_nothing_else_is_left() {
        let q = Query::parse("الذهب في مصر").unwrap();
        assert_eq!(surfaces(&q.words), ["الذهب", "مصر"]);
        let q = Query::parse("في").unwrap();
        assert_eq!(surfaces(&q.words), ["في"]);
    }

    #[test]
    fn nothing_searchable_is_none() {
        assert_eq!(Query::parse("«؟»!!! ... ***"), None);
        assert_eq!(Query::parse("   "), None);
        assert_eq!(Query::parse("-الفضة"), None);
        assert_eq!(Query::parse("\"\""), None);
        // A hyphen inside or before a digit is not an operator.
        assert!(Query::parse("-5 درجات").is_some());
    }
}
