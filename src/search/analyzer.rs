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
    pub fn terms(self, text: &str) -> Vec<String> {
        if self.stem {
            text::stem_tokens(text)
        } else {
            text::tokenize(text)
        }
    }

    /// The terms as one space-separated string, as stored in the index.
    pub fn document(self, text: &str) -> String {
        self.terms(text).join(" ")
    }
}
