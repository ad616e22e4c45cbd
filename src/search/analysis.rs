//! How text becomes index terms, the same way for what is indexed and for every query:
//! [`crate::text::normalize`] folds it (alef forms, ى/ي, ة/ه, tashkeel, digits, case), then
//! each word is stemmed by its script — Arabic words by the light stemmer
//! ([`crate::text::stem`], with its broken plurals), Latin words by the Snowball English
//! stemmer (`frostem`, which tracks Snowball upstream), numbers and other scripts as they are.
//!
//! A word may stand for two stems (a leading و that may be "and": وزير / زير): both are
//! indexed at the word's position, and a query matches either.
//!
//! The same analysis is registered with tantivy as the tokenizer [`TOKENIZER`]; the
//! unstemmed words go into a field of their own ([`WORDS_TOKENIZER`]), the vocabulary that
//! spelling suggestions are drawn from.

use std::sync::LazyLock;

use frostem::{Algorithm, Stemmer};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};

use crate::text;

/// The tokenizer of the text fields.
pub const TOKENIZER: &str = "sahifa";
/// The tokenizer of the vocabulary field: normalized words, not stemmed.
pub const WORDS_TOKENIZER: &str = "sahifa_words";

static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::new(Algorithm::English));

/// A word of analyzed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// As normalized (not stemmed): what a reader typed, folded.
    pub surface: String,
    /// The terms it stands for, most likely first.
    pub stems: Vec<String>,
}

/// The words of `text`, in order.
pub fn words(text: &str) -> Vec<Word> {
    text::tokenize(text)
        .into_iter()
        .map(|surface| {
            let stems = stems_of(&surface);
            Word { surface, stems }
        })
        .collect()
}

/// The terms one normalized word stands for.
pub fn stems_of(surface: &str) -> Vec<String> {
    if is_latin_word(surface) {
        vec![ENGLISH.stem(surface).into_owned()]
    } else {
        text::stem_word(surface)
    }
}

/// Every term of `text` (the readings of each word, flattened).
pub fn terms(text: &str) -> Vec<String> {
    words(text).into_iter().flat_map(|w| w.stems).collect()
}

/// ASCII letters only (normalization has folded Latin diacritics): stemmed as English.
fn is_latin_word(word: &str) -> bool {
    word.bytes().all(|b| b.is_ascii_lowercase()) && !word.is_empty()
}

/// The analysis as a tantivy tokenizer: stems at each word's position.
#[derive(Clone, Copy, Debug, Default)]
pub struct Stems;

/// Normalized words alone, for the vocabulary.
#[derive(Clone, Copy, Debug, Default)]
pub struct Surfaces;

/// Tokens computed up front (analysis needs the whole text: normalization is not local).
pub struct Tokens {
    tokens: Vec<Token>,
    next: usize,
}

impl Tokens {
    fn new(tokens: Vec<Token>) -> Self {
        Self { tokens, next: 0 }
    }
}

impl TokenStream for Tokens {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.next - 1]
    }
}

/// A token at `position`. Offsets are not kept (normalization changes the text): snippets
/// are cut by Sahifa from the original text, not by tantivy.
fn token(text: String, position: usize) -> Token {
    Token {
        offset_from: 0,
        offset_to: 0,
        position,
        text,
        position_length: 1,
    }
}

impl Tokenizer for Stems {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        let mut tokens = Vec::new();
        for (position, word) in words(text).into_iter().enumerate() {
            for stem in word.stems {
                tokens.push(token(stem, position));
            }
        }
        Tokens::new(tokens)
    }
}

impl Tokenizer for Surfaces {
    type TokenStream<'a> = Tokens;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Tokens {
        Tokens::new(
            text::tokenize(text)
                .into_iter()
                .enumerate()
                .map(|(position, word)| token(word, position))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_and_english_words_are_stemmed_by_their_script() {
        assert_eq!(terms("والتعاون"), terms("تعاون"));
        assert_eq!(terms("charging stations"), terms("charge station"));
        assert_eq!(terms("vaccines"), terms("vaccine"));
        assert_eq!(terms("٢٠٢٦"), vec!["2026".to_owned()]);
        assert_eq!(words("وزير")[0].stems.len(), 2);
    }

    #[test]
    fn the_tokenizer_puts_both_readings_at_one_position() {
        let mut stream = Stems.token_stream("وزير الخارجية");
        let mut seen = Vec::new();
        while stream.advance() {
            seen.push((stream.token().text.clone(), stream.token().position));
        }
        assert_eq!(seen.len(), 3, "{seen:?}");
        assert_eq!(seen[0].1, 0);
        assert_eq!(seen[1].1, 0);
        assert_eq!(seen[2].1, 1);
    }
}
