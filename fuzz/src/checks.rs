//! Property checks for the fuzz targets: each public function takes the raw fuzzer input and
//! panics (with a message naming the broken property) when a property does not hold.
//!
//! This file is compiled twice: into the `sahifa_fuzz` library that the fuzz targets call, and
//! into `tests/fuzz_regressions.rs` with `#[path = "../fuzz/src/checks.rs"]`, which replays the
//! saved inputs in `tests/fuzz_regressions/<target>/` through the very same checks. So it may
//! use only crates that the main package also has (sahifa's dependencies, `regex` from its
//! dev-dependencies) and nothing from the fuzz crate itself.

#![allow(dead_code)]

use std::sync::LazyLock;

use regex::Regex;
use serde::de::DeserializeOwned;
use unicode_normalization::is_nfc;
use validator::Validate;

use sahifa::articles::dto::{CreateArticle, FeaturedImage, UpdateArticle};
use sahifa::auth::dto::{ChangePassword, LoginRequest, RefreshRequest, UpdateMe};
use sahifa::comments::dto::{BulkModerate, Moderate, SubmitComment};
use sahifa::http::ApiError;
use sahifa::http::json::{parse, validation_error};
use sahifa::search::snippet::{SNIPPET_WORDS, snippet};
use sahifa::search::{Query, analysis};
use sahifa::sections::dto::{CreateSection, UpdateSection};
use sahifa::slugs::{Resource, SLUG_PATTERN, check_explicit, usable};
use sahifa::text::controls::{Lines, first_disallowed};
use sahifa::text::html::paragraphs;
use sahifa::text::lang::LANGUAGE_TAG_PATTERN;
use sahifa::text::markdown::render;
use sahifa::text::plurals;
use sahifa::text::{
    EXCERPT_CHARS, MAX_SLUG_CHARS, canonical_language_tag, direction, excerpt,
    is_valid_language_tag, is_valid_slug, normalize, plain_text, reading_time_minutes, slugify,
    stem_tokens, stem_word, stem_words, tokenize,
};
use sahifa::users::dto::{CreateUser, UpdateUser};

/// Properties switched off by name with `SAHIFA_FUZZ_SKIP=name,name` (see fuzz/README.md), to
/// keep fuzzing past a bug that is known and reported but not fixed yet. Unset (as in the
/// regression tests) every property is checked.
static SKIPPED: LazyLock<Vec<String>> = LazyLock::new(|| {
    std::env::var("SAHIFA_FUZZ_SKIP")
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
});

/// Whether the property called `name` is checked.
pub fn checked(name: &str) -> bool {
    !SKIPPED.iter().any(|s| s == name)
}

// ---------------------------------------------------------------------------------------
// Target `text`
// ---------------------------------------------------------------------------------------

/// The `text` target. The first byte is a parameter (an excerpt length, a snippet length),
/// the rest is the text, decoded as lossy UTF-8.
pub fn text(data: &[u8]) {
    let Some((&param, rest)) = data.split_first() else {
        return;
    };
    let owned = String::from_utf8_lossy(rest);
    let s = owned.as_ref();

    check_slugify(s);
    check_normalize(s);
    check_tokens(s);
    check_plain_text(s);
    check_excerpt(s, usize::from(param));
    check_excerpt(s, EXCERPT_CHARS);
    let _ = reading_time_minutes(s);

    check_language_tag(s);
    // Random text is rarely tag-shaped: also try it with everything but ASCII letters and
    // digits turned into hyphens, and word by word.
    let tagish: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    check_language_tag(&tagish);
    for word in s.split_whitespace().take(4) {
        check_language_tag(word);
    }

    check_explicit_slug(s);
    check_explicit_slug(&slugify(s));

    // Search: `query\0text`, or the text searched for itself (so that something matches).
    let (query, haystack) = s.split_once('\0').unwrap_or((s, s));
    let max_words = if param % 4 == 0 {
        SNIPPET_WORDS
    } else {
        usize::from(param % 64)
    };
    check_search(query, haystack, max_words);
}

/// Arabic tashkeel (U+064B–U+065F) and the superscript alef U+0670.
fn is_tashkeel(c: char) -> bool {
    matches!(c, '\u{064B}'..='\u{065F}' | '\u{0670}')
}

const TATWEEL: char = '\u{0640}';

pub fn check_slugify(s: &str) {
    let slug = slugify(s);
    assert_eq!(
        slugify(&slug),
        slug,
        "slugify is not idempotent: slugify({s:?}) = {slug:?}"
    );
    assert!(
        slug.is_empty() || is_valid_slug(&slug),
        "slugify({s:?}) = {slug:?} is not a valid slug"
    );
    assert!(
        slug.chars().count() <= MAX_SLUG_CHARS,
        "slugify({s:?}) = {slug:?} is longer than {MAX_SLUG_CHARS} characters"
    );
    for c in slug.chars() {
        assert!(
            !c.is_whitespace()
                && !matches!(c, '/' | '?' | '#' | '%')
                && !is_tashkeel(c)
                && c != TATWEEL,
            "slugify({s:?}) = {slug:?} contains {c:?}"
        );
    }
    assert!(
        !slug.starts_with('-') && !slug.ends_with('-') && !slug.contains("--"),
        "slugify({s:?}) = {slug:?} has a stray hyphen"
    );
    assert!(is_nfc(&slug), "slugify({s:?}) = {slug:?} is not NFC");
}

pub fn check_normalize(s: &str) {
    let n = normalize(s);
    assert_eq!(
        normalize(&n),
        n,
        "normalize is not idempotent: normalize({s:?}) = {n:?}"
    );
    for c in n.chars() {
        assert!(
            !is_tashkeel(c)
                && c != TATWEEL
                && !matches!(c, 'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' | 'ى' | 'ة'),
            "normalize({s:?}) = {n:?} contains {c:?}"
        );
        assert!(
            c == ' ' || !c.is_whitespace(),
            "normalize({s:?}) = {n:?} contains the whitespace {c:?}"
        );
    }
    assert_eq!(n.trim(), n, "normalize({s:?}) = {n:?} is not trimmed");
    assert!(
        !n.contains("  "),
        "normalize({s:?}) = {n:?} has a double space"
    );
}

pub fn check_tokens(s: &str) {
    let tokens = tokenize(s);
    for token in &tokens {
        assert!(!token.is_empty(), "tokenize({s:?}) has an empty token");
        assert!(
            !token.chars().any(char::is_whitespace),
            "tokenize({s:?}) has the token {token:?} with whitespace"
        );
        let stems = stem_word(token);
        assert!(!stems.is_empty(), "stem_word({token:?}) is empty");
        for stem in &stems {
            assert!(
                !stem.is_empty(),
                "stem_word({token:?}) = {stems:?} has an empty stem"
            );
            // A ت before a possessive is also read as a ta marbuta (مئذنته as مئذنه + ه,
            // text::stem::ta_marbuta_restored): that reading's stem is part of the restored
            // word, or of a broken plural's singular in it.
            let restored = sahifa::text::stem::ta_marbuta_restored(token);
            let readings: Vec<&str> = std::iter::once(token.as_str())
                .chain(restored.as_deref())
                .collect();
            let restored_part = restored
                .as_deref()
                .is_some_and(|word| word.contains(stem.as_str()));
            // A broken plural (مهام) is stemmed through its singular (مهمة), which is not
            // part of the token: then the stem must be part of that singular.
            let from_plural = restored_part
                || readings.iter().any(|reading| {
                    broken_plurals_in(reading)
                        .iter()
                        .any(|singular| singular.contains(stem.as_str()))
                });
            // A word that strips down to a name it is not («رياضان» to the city رياض) gets
            // the other word's stem instead (text::stem::NOT_REACHED), longer than what is left.
            let redirected = sahifa::text::stem::NOT_REACHED
                .iter()
                .any(|(name, instead)| stem.as_str() == *instead && token.contains(*name));
            let from_plural = from_plural || redirected;
            assert!(
                from_plural || stem.chars().count() <= token.chars().count(),
                "stem_word({token:?}) = {stems:?} has a stem longer than the token"
            );
            assert!(
                from_plural || token.contains(stem.as_str()),
                "stem_word({token:?}) = {stems:?} has a stem that is neither part of the token \
                 nor of a listed broken plural's singular"
            );
        }
    }
    let by_word: Vec<Vec<String>> = tokens.iter().map(|t| stem_word(t)).collect();
    assert_eq!(
        stem_words(s),
        by_word,
        "stem_words({s:?}) disagrees with stem_word"
    );
    let flat: Vec<String> = by_word.into_iter().flatten().collect();
    assert_eq!(
        stem_tokens(s),
        flat,
        "stem_tokens({s:?}) disagrees with stem_word"
    );
}

/// The singulars of the listed broken plurals that occur in `token` (the list's words are
/// short, so substrings of up to 12 characters are enough).
fn broken_plurals_in(token: &str) -> Vec<&'static str> {
    let bounds: Vec<usize> = token
        .char_indices()
        .map(|(i, _)| i)
        .chain([token.len()])
        .collect();
    let mut found = Vec::new();
    for (n, &start) in bounds.iter().enumerate() {
        for &end in bounds.iter().skip(n + 1).take(12) {
            if let Some(singular) = plurals::singular(&token[start..end]) {
                found.push(singular);
            }
        }
    }
    found
}

/// `'<'` can only reach plain text (or an excerpt) from a `<` in the Markdown or from a
/// character reference (`&lt;`, `&#60;`).
fn can_make_lt(markdown: &str) -> bool {
    markdown.contains('<') || markdown.contains('&')
}

pub fn check_plain_text(markdown: &str) {
    let text = plain_text(markdown);
    assert_eq!(
        text.trim(),
        text,
        "plain_text({markdown:?}) = {text:?} has leading or trailing whitespace"
    );
    if !can_make_lt(markdown) {
        assert!(
            !text.contains('<'),
            "plain_text({markdown:?}) = {text:?} contains '<'"
        );
    }
}

pub fn check_excerpt(markdown: &str, max_chars: usize) {
    let e = excerpt(markdown, max_chars);
    assert!(
        e.chars().count() <= max_chars + 1,
        "excerpt({markdown:?}, {max_chars}) = {e:?} is longer than {} characters",
        max_chars + 1
    );
    assert_eq!(
        e.trim(),
        e,
        "excerpt({markdown:?}, {max_chars}) = {e:?} has leading or trailing whitespace"
    );
    assert!(
        !e.chars().any(|c| c.is_whitespace() && c != ' ') && !e.contains("  "),
        "excerpt({markdown:?}, {max_chars}) = {e:?}: whitespace is not collapsed"
    );
    if !can_make_lt(markdown) {
        assert!(
            !e.contains('<'),
            "excerpt({markdown:?}, {max_chars}) = {e:?} contains '<'"
        );
    }
    // A shortened excerpt is the start of the whole lead (plus "…" when cut inside a
    // sentence).
    let whole = excerpt(markdown, usize::MAX);
    if e != whole {
        let kept = e.strip_suffix('…').unwrap_or(&e);
        assert!(
            whole.starts_with(kept),
            "excerpt({markdown:?}, {max_chars}) = {e:?} is not the start of {whole:?}"
        );
        // Property `excerpt-has-words`: when the allowance holds a letter or digit of the
        // lead, so does the excerpt (it is not just punctuation such as a leading "…").
        if checked("excerpt-has-words") && whole.chars().take(max_chars).any(char::is_alphanumeric)
        {
            assert!(
                e.chars().any(char::is_alphanumeric),
                "excerpt({markdown:?}, {max_chars}) = {e:?} has no word, though the first \
                 {max_chars} characters of {whole:?} do"
            );
        }
    }
}

static LANGUAGE_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(LANGUAGE_TAG_PATTERN).expect("LANGUAGE_TAG_PATTERN compiles"));

pub fn check_language_tag(tag: &str) {
    let valid = is_valid_language_tag(tag);
    let canonical = canonical_language_tag(tag);
    let dir = direction(tag);
    assert!(
        canonical.eq_ignore_ascii_case(tag),
        "canonical_language_tag({tag:?}) = {canonical:?} changed more than letter case"
    );
    let by_pattern = LANGUAGE_TAG.is_match(tag) && tag.len() <= 64;
    assert_eq!(
        valid, by_pattern,
        "is_valid_language_tag({tag:?}) = {valid} but LANGUAGE_TAG_PATTERN says {by_pattern}"
    );
    if valid {
        assert!(
            is_valid_language_tag(&canonical),
            "canonical_language_tag({tag:?}) = {canonical:?} is not valid"
        );
        assert_eq!(
            canonical_language_tag(&canonical),
            canonical,
            "canonical_language_tag is not idempotent on {tag:?}"
        );
        assert_eq!(
            direction(&canonical),
            dir,
            "direction({tag:?}) differs from direction({canonical:?})"
        );
    }
}

/// [`SLUG_PATTERN`] without its leading `(?![0-9]+$)` look-ahead, which the `regex` crate
/// does not support; the all-digits rule is checked separately.
static SLUG_SHAPE: LazyLock<Regex> = LazyLock::new(|| {
    let lookahead = "(?![0-9]+$)";
    assert!(
        SLUG_PATTERN.contains(lookahead),
        "SLUG_PATTERN changed shape"
    );
    Regex::new(&SLUG_PATTERN.replacen(lookahead, "", 1)).expect("SLUG_PATTERN compiles")
});

pub fn check_explicit_slug(s: &str) {
    for resource in [Resource::Article, Resource::Section] {
        let verdict = check_explicit(s, resource);
        if verdict.is_ok() {
            assert_eq!(
                slugify(s),
                s,
                "check_explicit accepted {s:?}, which slugify changes"
            );
        }
        if let Err(message) = &verdict
            && checked("explicit-suggestion")
            && let Some(suggestion) = message
                .split_once("e.g. `")
                .and_then(|(_, rest)| rest.split_once('`'))
                .map(|(suggestion, _)| suggestion)
        {
            assert_eq!(
                check_explicit(suggestion, resource),
                Ok(()),
                "check_explicit({s:?}) suggests {suggestion:?}, which it refuses"
            );
        }
        if checked("usable-slug") {
            let generated = usable(slugify(s), resource);
            assert!(
                is_valid_slug(&generated) && !generated.bytes().all(|b| b.is_ascii_digit()),
                "usable(slugify({s:?})) = {generated:?} is not a valid slug (at most \
                 {MAX_SLUG_CHARS} characters, slugify-stable, not all digits)"
            );
        }
        let by_pattern = SLUG_SHAPE.is_match(s)
            && !s.bytes().all(|b| b.is_ascii_digit())
            && s.chars().count() <= MAX_SLUG_CHARS;
        assert_eq!(
            verdict.is_ok(),
            by_pattern,
            "check_explicit({s:?}) = {verdict:?} but SLUG_PATTERN (+ at most {MAX_SLUG_CHARS} \
             characters) says {by_pattern}"
        );
    }
}

pub fn check_search(query: &str, text: &str, max_words: usize) {
    // Whatever was typed parses (operators, quotes, marks) without panicking; `None` means
    // nothing searchable is left.
    let Some(q) = Query::parse(query) else {
        return;
    };
    assert!(
        !q.words.is_empty() || !q.phrases.is_empty(),
        "Query::parse({query:?}) has neither words nor phrases"
    );
    for word in q
        .words
        .iter()
        .chain(q.phrases.iter().flatten())
        .chain(&q.excluded)
    {
        assert!(
            !word.surface.is_empty()
                && !word.stems.is_empty()
                && word.stems.iter().all(|t| !t.is_empty()),
            "Query::parse({query:?}) has an empty word or stem: {word:?}"
        );
    }
    let wanted: Vec<&str> = q.terms().collect();
    let matches = |word: &str| {
        analysis::terms(word)
            .iter()
            .any(|t| wanted.contains(&t.as_str()))
    };
    let what = format!("snippet({text:?}, {query:?}, {max_words})");
    let any_match = word_runs(text).any(&matches);
    let Some(out) = snippet(text, &q, max_words) else {
        assert!(!any_match, "{what} is None, but a word of the text matches");
        return;
    };
    assert!(
        any_match,
        "{what} = {out:?}, but no word of the text matches"
    );
    check_escaped_with_marks(&out, &what);
    // Exactly the matching words are marked, and the passage is the text's own (whitespace
    // collapsed), with "…" where it was cut.
    for (marked, segment) in mark_segments(&out) {
        let segment = unescape(segment);
        if marked {
            assert!(
                word_runs(&segment).count() == 1 && word_runs(&segment).next() == Some(&*segment),
                "{what} = {out:?} marks {segment:?}, which is not one word"
            );
            assert!(
                matches(&segment),
                "{what} = {out:?} marks {segment:?}, which does not match"
            );
        } else {
            for word in word_runs(&segment) {
                assert!(
                    !matches(word),
                    "{what} = {out:?} does not mark {word:?}, which matches"
                );
            }
        }
    }
    let passage = unescape(&out.replace("<mark>", "").replace("</mark>", ""));
    let collapsed = collapse_whitespace(text);
    let trimmed_start = passage.strip_prefix('…').unwrap_or(&passage);
    let candidates = [
        passage.as_str(),
        trimmed_start,
        passage.strip_suffix('…').unwrap_or(&passage),
        trimmed_start.strip_suffix('…').unwrap_or(trimmed_start),
    ];
    assert!(
        candidates.iter().any(|c| collapsed.contains(c)),
        "{what} = {out:?} is not a passage of the text"
    );
    // The first match is at most 8 words (the lead-in) after the snippet's start.
    if max_words > 8 {
        assert!(
            out.contains("<mark>"),
            "snippet({text:?}, {query:?}, {max_words}) = {out:?} shows no match"
        );
    }
}

/// Snippet output: HTML-escaped text, with `<mark>…</mark>` as the only markup, balanced and
/// not nested.
pub fn check_escaped_with_marks(out: &str, what: &str) {
    let mut open = false;
    let mut rest = out;
    loop {
        let (closing, at) = match (rest.find("<mark>"), rest.find("</mark>")) {
            (None, None) => break,
            (Some(o), Some(c)) if c < o => (true, c),
            (Some(o), _) => (false, o),
            (None, Some(c)) => (true, c),
        };
        assert_eq!(open, closing, "{what} = {out:?}: unbalanced <mark>");
        open = !open;
        rest = &rest[at
            + if closing {
                "</mark>".len()
            } else {
                "<mark>".len()
            }..];
    }
    assert!(!open, "{what} = {out:?}: unclosed <mark>");
    let stripped = out.replace("<mark>", "").replace("</mark>", "");
    check_escaped_text(&stripped, out, what);
}

/// A word of the original text, as `search::snippet` sees it: letters and digits with their
/// combining marks and tatweel.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c) || c == TATWEEL
}

/// The maximal runs of word characters in `text`.
fn word_runs(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !is_word_char(c))
        .filter(|w| !w.is_empty())
}

fn collapse_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_space = false;
    for c in text.chars() {
        if c.is_whitespace() {
            if !in_space {
                out.push(' ');
            }
            in_space = true;
        } else {
            out.push(c);
            in_space = false;
        }
    }
    out
}

/// Undoes `text::html::escape`.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `(inside <mark>, text)` pieces of a snippet, in order (the marks are known balanced).
fn mark_segments(out: &str) -> Vec<(bool, &str)> {
    let mut segments = Vec::new();
    for (i, piece) in out.split("<mark>").enumerate() {
        if i == 0 {
            segments.push((false, piece));
            continue;
        }
        let (marked, rest) = piece.split_once("</mark>").unwrap_or((piece, ""));
        segments.push((true, marked));
        segments.push((false, rest));
    }
    segments
}

const ENTITIES: [&str; 5] = ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"];

/// `stripped` (the output without its allowed markup) must be escaped text: no `<` or `>`,
/// and every `&` the start of one of the five references `html::escape` writes.
fn check_escaped_text(stripped: &str, out: &str, what: &str) {
    assert!(
        !stripped.contains('<') && !stripped.contains('>'),
        "{what} = {out:?} contains unescaped markup"
    );
    for (at, _) in stripped.match_indices('&') {
        assert!(
            ENTITIES.iter().any(|e| stripped[at..].starts_with(e)),
            "{what} = {out:?} contains a bare '&'"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Target `markdown`
// ---------------------------------------------------------------------------------------

/// The `markdown` target: the input (lossy UTF-8) as an article body and as a comment.
pub fn markdown(data: &[u8]) {
    let owned = String::from_utf8_lossy(data);
    let s = owned.as_ref();

    // Refused only when it nests too deeply; whatever is rendered is safe.
    if let Ok(html) = render(s) {
        check_sanitized(s, &html);
    }
    check_nesting(data);

    let p = paragraphs(s);
    let stripped = p.replace("<p>", "").replace("</p>", "").replace("<br>", "");
    check_escaped_text(&stripped, &p, &format!("paragraphs({s:?})"));

    // The same bodies feed the excerpt and reading time.
    check_plain_text(s);
    check_excerpt(s, EXCERPT_CHARS);
    let _ = reading_time_minutes(s);
}

/// Ways of nesting a document: an opening and a closing piece, and whether the nesting is
/// one of blocks (which the renderer must refuse past its limit).
const NESTERS: [(&str, &str, bool); 7] = [
    ("> ", "", true),
    ("<div>", "</div>", true),
    ("<blockquote>", "", true),
    ("- ", "", false),
    ("1. ", "", false),
    ("*", "*", false),
    ("<p><b id=x>", "</p>", false),
];

/// The Markdown-nesting case: the input inside up to 10,200 levels of one construct (the
/// first byte picks it, the second the depth) renders, or is refused, within 5 s. Unbounded
/// nesting once made the sanitizer quadratic: 70,000 nested quotes took 35 s.
pub fn check_nesting(data: &[u8]) {
    let [shape, depth, rest @ ..] = data else {
        return;
    };
    let (open, close, blocks) = NESTERS[usize::from(*shape) % NESTERS.len()];
    let depth = usize::from(*depth) * 40;
    let inner = String::from_utf8_lossy(rest);
    let document = format!("{}{inner}{}", open.repeat(depth), close.repeat(depth));
    let started = std::time::Instant::now();
    let rendered = render(&document);
    let took = started.elapsed();
    assert!(
        took < std::time::Duration::from_secs(5),
        "{depth} levels of {open:?} took {took:?} to render"
    );
    if checked("nesting_refused") && blocks && depth > sahifa::text::markdown::MAX_NESTING {
        assert!(
            rendered.is_err(),
            "{depth} levels of {open:?} were rendered"
        );
    }
    if let Ok(html) = rendered {
        check_sanitized(&document, &html);
    }
}

/// Elements that must never come out of the sanitizer: the brief's list plus the other ones
/// that load or run something, or change where the page's links and forms go.
const FORBIDDEN_ELEMENTS: [&str; 17] = [
    "script", "style", "iframe", "object", "embed", "frame", "frameset", "applet", "base", "meta",
    "link", "form", "svg", "math", "template", "noscript", "xmp",
];

/// Attributes whose value is a URL that a browser loads or navigates to. (`cite` is left
/// out: browsers never follow it, and ammonia keeps its value as written.)
const URL_ATTRIBUTES: [&str; 11] = [
    "href",
    "src",
    "action",
    "formaction",
    "background",
    "poster",
    "xlink:href",
    "data",
    "codebase",
    "lowsrc",
    "dynsrc",
];

/// The URL schemes `text::markdown` allows.
const ALLOWED_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];

/// A start or end tag found by [`scan_tags`].
#[derive(Debug)]
pub struct HtmlTag {
    pub name: String,
    /// Lower-cased names, values with character references still encoded.
    pub attributes: Vec<(String, String)>,
}

/// A small, forgiving HTML tag scanner: every `<` that is followed (after an optional `/`
/// and optional whitespace, to be tolerant) by an ASCII letter starts a tag; its name and
/// attributes are read like an HTML tokenizer reads them (quoted or unquoted values).
pub fn scan_tags(html: &str) -> Vec<HtmlTag> {
    let bytes = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if j < bytes.len() && bytes[j] == b'/' {
            j += 1;
        }
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if j >= bytes.len() || !bytes[j].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let start = j;
        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && !matches!(bytes[j], b'/' | b'>')
        {
            j += 1;
        }
        let name = html[start..j].to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let name_start = j;
            // An attribute name may begin with '=' (the tokenizer's quirk), never with more.
            j += 1;
            while j < bytes.len()
                && !bytes[j].is_ascii_whitespace()
                && !matches!(bytes[j], b'/' | b'>' | b'=')
            {
                j += 1;
            }
            let attr = html[name_start..j].to_ascii_lowercase();
            while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                j += 1;
            }
            let mut value = String::new();
            if j < bytes.len() && bytes[j] == b'=' {
                j += 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < bytes.len() && matches!(bytes[j], b'"' | b'\'') {
                    let quote = bytes[j];
                    let value_start = j + 1;
                    j = value_start;
                    while j < bytes.len() && bytes[j] != quote {
                        j += 1;
                    }
                    value = html[value_start..j].to_owned();
                    j = (j + 1).min(bytes.len());
                } else {
                    let value_start = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = html[value_start..j].to_owned();
                }
            }
            attributes.push((attr, value));
        }
        tags.push(HtmlTag { name, attributes });
        i = j.max(i + 1);
    }
    tags
}

/// Decodes the character references a serializer writes in attribute values: named `&amp;`
/// `&quot;` `&lt;` `&gt;` `&apos;` `&nbsp;` `&Tab;` `&NewLine;` `&colon;`, and numeric ones.
fn decode_attribute(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let end = after.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|end| {
            let name = &after[..end];
            let c = match name {
                "amp" => Some('&'),
                "quot" => Some('"'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{A0}'),
                "Tab" => Some('\t'),
                "NewLine" => Some('\n'),
                "colon" => Some(':'),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|h| u32::from_str_radix(h, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &after[end + 1..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The scheme a browser would see in a URL attribute, lower-cased, as the WHATWG URL parser
/// finds it: character references decoded (by the HTML parser), leading and trailing C0
/// controls and spaces stripped, ASCII tab and newlines removed everywhere, then an ASCII
/// letter followed by letters, digits, `+`, `-` or `.` up to a `:`. `None` for a relative URL.
fn url_scheme(value: &str) -> Option<String> {
    let decoded = decode_attribute(value);
    let cleaned: String = decoded
        .trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let well_formed = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    well_formed.then(|| scheme.to_ascii_lowercase())
}

/// `html`, the sanitized rendering of `markdown`, must be safe to insert into a page.
pub fn check_sanitized(markdown: &str, html: &str) {
    let what = || format!("render({markdown:?}) = {html:?}");
    for tag in scan_tags(html) {
        assert!(
            !FORBIDDEN_ELEMENTS.contains(&tag.name.as_str()),
            "{}: contains <{}>",
            what(),
            tag.name
        );
        for (name, value) in &tag.attributes {
            assert!(
                !name.starts_with("on"),
                "{}: <{}> has the event handler {name}",
                what(),
                tag.name
            );
            assert!(
                !matches!(name.as_str(), "style" | "srcdoc" | "formaction"),
                "{}: <{}> has the attribute {name}",
                what(),
                tag.name
            );
            if URL_ATTRIBUTES.contains(&name.as_str())
                && let Some(scheme) = url_scheme(value)
            {
                assert!(
                    !matches!(scheme.as_str(), "javascript" | "vbscript" | "data"),
                    "{}: <{} {name}> is a {scheme}: URL",
                    what(),
                    tag.name
                );
                assert!(
                    ALLOWED_SCHEMES.contains(&scheme.as_str()),
                    "{}: <{} {name}> has the scheme {scheme:?}, not one of {ALLOWED_SCHEMES:?}",
                    what(),
                    tag.name
                );
            }
        }
    }
    // Belt and braces, independent of the scanner: no script-ish text in any tag.
    let lower = html.to_ascii_lowercase();
    for needle in ["<script", "<iframe", "<object", "<embed", "<style"] {
        assert!(!lower.contains(needle), "{}: contains {needle}", what());
    }
}

// ---------------------------------------------------------------------------------------
// Target `json_bodies`
// ---------------------------------------------------------------------------------------

/// The DTOs, in the order of the selector byte.
pub const DTOS: [&str; 13] = [
    "CreateArticle",
    "UpdateArticle",
    "CreateSection",
    "UpdateSection",
    "SubmitComment",
    "BulkModerate",
    "Moderate",
    "CreateUser",
    "UpdateUser",
    "LoginRequest",
    "RefreshRequest",
    "ChangePassword",
    "UpdateMe",
];

/// The `json_bodies` target: the first byte selects the DTO (modulo 13, in [`DTOS`] order),
/// the rest is the request body.
pub fn json_bodies(data: &[u8]) {
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    json_body(usize::from(selector) % DTOS.len(), body);
}

/// Parses and validates `body` as the DTO number `dto` (see [`DTOS`]).
pub fn json_body(dto: usize, body: &[u8]) {
    match dto {
        0 => body_as::<CreateArticle>(body),
        1 => body_as::<UpdateArticle>(body),
        2 => body_as::<CreateSection>(body),
        3 => body_as::<UpdateSection>(body),
        4 => body_as::<SubmitComment>(body),
        5 => body_as::<BulkModerate>(body),
        6 => body_as::<Moderate>(body),
        7 => body_as::<CreateUser>(body),
        8 => body_as::<UpdateUser>(body),
        9 => body_as::<LoginRequest>(body),
        10 => body_as::<RefreshRequest>(body),
        11 => body_as::<ChangePassword>(body),
        _ => body_as::<UpdateMe>(body),
    }
}

/// The text fields that may span lines; every other one is a single line in NFC.
const MULTI_LINE_FIELDS: [&str; 4] = ["excerpt", "description", "featured_image.caption", "body"];

/// A text field that `http::input::trimmed*` reads: name, value, the most characters it may
/// have, and whether `validate()` requires it to be non-empty.
type TextField<'a> = (&'static str, &'a str, usize, bool);

/// The DTOs' trimmed text fields, to check that they arrive trimmed and within bounds.
trait Dto: DeserializeOwned + Validate {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        Vec::new()
    }
}

fn opt<'a>(
    name: &'static str,
    value: Option<&'a String>,
    max: usize,
    required: bool,
) -> Option<TextField<'a>> {
    value.map(|v| (name, v.as_str(), max, required))
}

fn image_fields(image: Option<&FeaturedImage>) -> Vec<TextField<'_>> {
    image.map_or_else(Vec::new, |i| {
        [
            // At most 2,000 characters as sent; stored as the parser writes it, which may
            // percent-encode a character into three.
            Some(("featured_image.url", i.url.as_str(), 6000, false)),
            opt("featured_image.alt", i.alt.as_ref(), 300, false),
            opt("featured_image.caption", i.caption.as_ref(), 500, false),
        ]
        .into_iter()
        .flatten()
        .collect()
    })
}

impl Dto for CreateArticle {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        let mut fields: Vec<_> = [
            Some(("title", self.title.as_str(), 300, true)),
            opt("slug", self.slug.as_ref(), 80, true),
            opt("excerpt", self.excerpt.as_ref(), 1000, false),
            opt("lang", self.lang.as_ref(), 64, false),
            opt("meta_title", self.meta_title.as_ref(), 200, false),
            opt(
                "meta_description",
                self.meta_description.as_ref(),
                500,
                false,
            ),
            opt("byline", self.byline.as_ref(), 200, false),
            opt("source", self.source.as_ref(), 100, false),
        ]
        .into_iter()
        .flatten()
        .collect();
        fields.extend(image_fields(self.featured_image.as_ref()));
        fields
    }
}

impl Dto for UpdateArticle {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        let mut fields: Vec<_> = [
            opt("title", self.title.as_ref(), 300, true),
            opt("slug", self.slug.as_ref(), 80, true),
            opt(
                "excerpt",
                self.excerpt.as_ref().and_then(Option::as_ref),
                1000,
                false,
            ),
            opt("lang", self.lang.as_ref(), 64, false),
            opt(
                "meta_title",
                self.meta_title.as_ref().and_then(Option::as_ref),
                200,
                false,
            ),
            opt(
                "meta_description",
                self.meta_description.as_ref().and_then(Option::as_ref),
                500,
                false,
            ),
            opt(
                "byline",
                self.byline.as_ref().and_then(Option::as_ref),
                200,
                false,
            ),
            opt(
                "source",
                self.source.as_ref().and_then(Option::as_ref),
                100,
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect();
        fields.extend(image_fields(
            self.featured_image.as_ref().and_then(Option::as_ref),
        ));
        fields
    }
}

impl Dto for CreateSection {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        [
            Some(("name", self.name.as_str(), 100, true)),
            opt("slug", self.slug.as_ref(), 80, true),
            opt("description", self.description.as_ref(), 500, false),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl Dto for UpdateSection {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        [
            opt("name", self.name.as_ref(), 100, true),
            opt("slug", self.slug.as_ref(), 80, true),
            opt(
                "description",
                self.description.as_ref().and_then(Option::as_ref),
                500,
                false,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl Dto for SubmitComment {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        [
            Some(("author_name", self.author_name.as_str(), 100, true)),
            Some(("author_email", self.author_email.as_str(), 254, true)),
            Some(("body", self.body.as_str(), 5000, true)),
            opt("website", self.website.as_ref(), 500, false),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl Dto for CreateUser {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        vec![
            ("email", self.email.as_str(), 254, true),
            ("display_name", self.display_name.as_str(), 100, true),
        ]
    }
}

impl Dto for UpdateUser {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        [
            opt("email", self.email.as_ref(), 254, true),
            opt("display_name", self.display_name.as_ref(), 100, true),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

impl Dto for LoginRequest {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        vec![("email", self.email.as_str(), 254, true)]
    }
}

impl Dto for UpdateMe {
    fn text_fields(&self) -> Vec<TextField<'_>> {
        opt("display_name", self.display_name.as_ref(), 100, true)
            .into_iter()
            .collect()
    }
}

impl Dto for BulkModerate {}
impl Dto for Moderate {}
impl Dto for RefreshRequest {}
impl Dto for ChangePassword {}

/// JavaScript's `\s`, which `http::input` trims.
fn is_js_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

fn body_as<T: Dto>(body: &[u8]) {
    let what = || {
        format!(
            "parse::<{}>({:?})",
            std::any::type_name::<T>()
                .rsplit("::")
                .next()
                .unwrap_or("?"),
            String::from_utf8_lossy(body)
        )
    };
    let json = serde_json::from_slice::<serde_json::Value>(body).ok();
    match parse::<T>(body) {
        Ok(value) => {
            assert!(
                json.as_ref().is_some_and(serde_json::Value::is_object),
                "{}: accepted a body that is not a JSON object",
                what()
            );
            for (name, text, max, _) in value.text_fields() {
                assert_eq!(
                    text.trim_matches(is_js_space),
                    text,
                    "{}: `{name}` = {text:?} is not trimmed",
                    what()
                );
                assert!(
                    text.chars().count() <= max,
                    "{}: `{name}` = {text:?} is longer than {max} characters",
                    what()
                );
                let lines = if MULTI_LINE_FIELDS.contains(&name) {
                    Lines::Many
                } else {
                    assert!(is_nfc(text), "{}: `{name}` = {text:?} is not NFC", what());
                    Lines::One
                };
                assert_eq!(
                    first_disallowed(text, lines),
                    None,
                    "{}: `{name}` = {text:?} holds a control character or line break",
                    what()
                );
            }
            let verdict = value.validate();
            if verdict.is_ok() {
                for (name, text, _, required) in value.text_fields() {
                    assert!(
                        !required || !text.is_empty(),
                        "{}: `{name}` is empty but valid",
                        what()
                    );
                }
            }
            if let Err(errors) = verdict {
                match validation_error(errors) {
                    ApiError::Validation { errors, .. } => assert!(
                        !errors.is_empty() && errors.values().all(|m| !m.is_empty()),
                        "{}: a validation error without fields or messages",
                        what()
                    ),
                    other => panic!("{}: validation_error gave {other:?}", what()),
                }
            }
        }
        // Not JSON at all (or empty), or an object that repeats a key: 400.
        Err(ApiError::BadRequest(_, detail)) => assert!(
            json.is_none() || detail.contains("more than once"),
            "{}: a 400 ({detail}) for a well-formed JSON document",
            what()
        ),
        // JSON of the wrong shape: 422 naming at least one field.
        Err(ApiError::Validation { detail, errors }) => {
            assert!(
                json.is_some(),
                "{}: a 422 ({detail}) for a body that is not JSON",
                what()
            );
            assert!(
                !errors.is_empty() && errors.values().all(|m| !m.is_empty()),
                "{}: a 422 ({detail}) without fields or messages",
                what()
            );
        }
        Err(other) => panic!("{}: unexpected error {other:?}", what()),
    }
}
