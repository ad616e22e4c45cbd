//! How text becomes index terms: normalization, then (by default) light stemming.

use crate::text;

/// The analysis applied to indexed text and queries alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Analyzer {
    /// Strip Arabic prefixes and suffixes (ال، وال، بال …; ات، ون، ين …). Switched off only to
    /// measure what stemming brings.
    pub stem: bool,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self { stem: true }
    }
}

impl Analyzer {
    /// Every term of `text`, as indexed (a word with two readings gives two terms).
    pub fn terms(self, text: &str) -> Vec<String> {
        if self.stem {
            text::stem_tokens(text)
        } else {
            text::tokenize(text)
        }
    }

    /// The terms of `text` word by word: each inner list holds the readings of one word, any
    /// of which may match.
    pub fn words(self, text: &str) -> Vec<Vec<String>> {
        if self.stem {
            text::stem_words(text)
        } else {
            text::tokenize(text).into_iter().map(|t| vec![t]).collect()
        }
    }

    /// The terms as one space-separated string, as stored in the index.
    pub fn document(self, text: &str) -> String {
        self.terms(text).join(" ")
    }
}
