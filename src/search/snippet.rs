//! Search snippets: a passage of the original text (tashkeel and all) around the words that
//! matched, HTML-escaped, with the matches in `<mark>`.

use std::collections::HashSet;

use unicode_normalization::char::is_combining_mark;

use super::analysis;
use super::query::Query;
use crate::text::html::escape;

/// Words shown in a snippet.
pub const SNIPPET_WORDS: usize = 30;
/// Words kept before the first match, for context.
const LEAD_IN: usize = 8;

/// A word of the original text: letters and digits with their marks (harakat, shadda …)
/// and tatweel, so «الأَمْنِيّ» stays one word.
fn is_word_char(c: char) -> bool {
    // The common letters first: the general test is a table search per character, and a
    // snippet classifies every character of a body.
    match c {
        'a'..='z' | 'A'..='Z' | '0'..='9' | '\u{0621}'..='\u{064A}' => true,
        ' ' | '\n' | '.' | ',' | '\u{060C}' => false,
        _ => c.is_alphanumeric() || is_combining_mark(c) || c == '\u{0640}',
    }
}

/// Splits `text` into alternating runs: `(is_word, run)`.
fn runs(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let kind = is_word_char(c);
        match current {
            Some(k) if k == kind => {}
            Some(k) => {
                out.push((k, &text[start..i]));
                start = i;
                current = Some(kind);
            }
            None => current = Some(kind),
        }
    }
    if let Some(k) = current {
        out.push((k, &text[start..]));
    }
    out
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

/// The passage of `text` around the first words matching `query`, or `None` when no word
/// of `text` matches.
pub fn snippet(text: &str, query: &Query, max_words: usize) -> Option<String> {
    let wanted: HashSet<&str> = query.terms().collect();
    let runs = runs(text);
    let words: Vec<usize> = (0..runs.len()).filter(|&i| runs[i].0).collect();
    // Analyzing a word (normalizing, stemming) is the expensive part: only the words up to
    // the first match and those shown after it are analyzed, not the whole body.
    let is_match = |n: usize| {
        analysis::terms(runs[words[n]].1)
            .iter()
            .any(|t| wanted.contains(t.as_str()))
    };
    let first = (0..words.len()).find(|&n| is_match(n))?;
    let start = first.saturating_sub(LEAD_IN);
    let end = (start + max_words).min(words.len());
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    for (n, &run) in words.iter().enumerate().take(end).skip(start) {
        if n > start {
            // What stood between this word and the previous one, whitespace collapsed.
            let gap: String = runs[words[n - 1] + 1..run]
                .iter()
                .map(|(_, r)| *r)
                .collect();
            out.push_str(&escape(&collapse_whitespace(&gap)));
        }
        let word = escape(runs[run].1);
        if n == first || (n > first && is_match(n)) {
            out.push_str("<mark>");
            out.push_str(&word);
            out.push_str("</mark>");
        } else {
            out.push_str(&word);
        }
    }
    if end < words.len() {
        out.push('…');
    } else if let Some(&last) = words.last() {
        // The text's own ending (a full stop, a closing quote) after its last word.
        let tail: String = runs[last + 1..].iter().map(|(_, r)| *r).collect();
        out.push_str(&escape(collapse_whitespace(&tail).trim_end()));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Query {
        Query::parse(text).unwrap()
    }

    #[test]
    fn matches_are_marked_in_the_original_text_with_its_tashkeel() {
        let text = "تَصَدَّرَ مَلَفُّ الأَمْنِ الإِقْلِيمِيِّ جَدْوَلَ أَعْمَالِ القِمَّةِ.";
        let s = snippet(text, &q("امن"), 30).unwrap();
        assert_eq!(s, "تَصَدَّرَ مَلَفُّ <mark>الأَمْنِ</mark> الإِقْلِيمِيِّ جَدْوَلَ أَعْمَالِ القِمَّةِ.");
    }

    #[test]
    fn long_texts_are_cut_around_the_first_match_and_escaped() {
        let words: Vec<String> = (0..100).map(|n| format!("w{n}")).collect();
        let mut text = words.join(" ");
        text.push_str(" <b>التعاون</b> & النهاية");
        let s = snippet(&text, &q("تعاون"), 12).unwrap();
        assert!(s.starts_with("…w93 w94"), "{s}");
        assert!(
            s.ends_with("&lt;b&gt;<mark>التعاون</mark>&lt;/b&gt; &amp; النهاية"),
            "{s}"
        );
        assert!(!s.contains("<b>"));
        assert_eq!(snippet("لا شيء هنا", &q("تعاون"), 12), None);
    }
}
