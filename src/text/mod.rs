//! Pure text functions: slugs, search normalization, a light Arabic stemmer, excerpts and
//! reading time, and language tags.
//!
//! Everything here is a pure function of its arguments: no I/O, no HTTP, no database, no
//! global state. That keeps the rules that matter most for an Arabic newsroom — what a slug
//! looks like, which spellings a search treats as the same word — in one place where they can
//! be unit- and property-tested exhaustively, and lets the HTTP slices and the `search/` module
//! share them without depending on each other.
//!
//! # What lives where
//!
//! - [`slug`]: [`slugify`] turns a title into a Unicode URL slug (Arabic letters kept as
//!   written, tashkeel and tatweel removed, punctuation and spaces → single hyphens);
//!   [`is_valid_slug`] checks a slug given explicitly.
//! - [`normalize`](mod@normalize): [`normalize()`] and [`tokenize`], the *search* normalizer (alef forms,
//!   ى/ي, ة/ه, digits, case, diacritics folded). It is deliberately more aggressive than
//!   [`slugify`]: a slug is shown to readers, a normalized token never is.
//! - [`stem`](mod@stem): [`stem()`] and [`stem_tokens`], a light Arabic stemmer in the style of
//!   Lucene's `ArabicStemmer` (Larkey et al., "light10").
//! - [`excerpt`](mod@excerpt): [`plain_text`], [`excerpt()`] and [`reading_time_minutes`], derived from an
//!   article's Markdown body.
//! - [`markdown`]: [`markdown::render`], Markdown to sanitized HTML for `body_html`.
//! - [`nesting`]: how deeply HTML nests, measured in linear time before sanitizing.
//! - [`controls`]: the control characters text may not hold.
//! - [`html`]: escaping, and plain text (comments) as HTML paragraphs.
//! - [`lang`]: [`is_valid_language_tag`], [`canonical_language_tag`] and [`direction`] for the
//!   article's `lang` / `dir` fields.
//!
//! # Why search normalization happens here and not in SQLite FTS5
//!
//! FTS5's `unicode61` tokenizer was measured on Arabic (see the stack notes): it treats
//! tashkeel (general category Mn) as *separators*, so a vowelled word such as «الأَمْنِيّ» is
//! indexed as four meaningless fragments; its `remove_diacritics` option folds Latin only, so
//! أمن, امن and آمن stay three different terms. Adding `Mn` to its token characters makes
//! things worse (the marks stay inside the terms). So the application normalizes — with
//! [`normalize()`] (and optionally [`stem()`]) — *both* the text it indexes and every query,
//! identically, and FTS5 then only ever sees already-folded text. [`normalize()`] also folds
//! Latin diacritics itself, so the result is the same whatever `remove_diacritics` setting
//! the index uses.

pub mod controls;
pub mod excerpt;
pub mod html;
pub mod lang;
pub mod markdown;
pub mod nesting;
pub mod normalize;
pub mod plurals;
pub mod slug;
pub mod stem;

pub use excerpt::{EXCERPT_CHARS, excerpt, markdown_options, plain_text, reading_time_minutes};
pub use lang::{Direction, canonical_language_tag, direction, is_valid_language_tag};
pub use normalize::{normalize, tokenize};
pub use slug::{MAX_SLUG_CHARS, is_valid_slug, slugify};
pub use stem::{stem, stem_tokens, stem_word, stem_words};
