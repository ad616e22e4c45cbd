//! A light Arabic stemmer: strips the most frequent attached prefixes and suffixes so that
//! «التعاون», «تعاون» and «والتعاون» index and match as one term.
//!
//! It is Lucene's `ArabicStemmer` (Larkey, Ballesteros and Connell, "light10"), rule for rule,
//! run on tokens that [`crate::text::normalize()`] has already folded:
//!
//! - **Prefixes** `ال، وال، بال، كال، فال، لل، و`: the first one in this order that the token
//!   starts with is removed, once, provided at least two letters remain — and, for the
//!   single-letter و, provided the token has at least four letters (so «ولد» survives).
//! - **Suffixes** `ها، ان، ات، ون، ين، يه، ه، ي`: the list is walked once, in this order, and
//!   each suffix the *current* stem ends with is removed, provided at least two letters remain.
//!   So «الدولية» → دوليه → دول, the same stem as «دولي» and «الدولي».
//!
//! Adaptation to our normalizer: Lucene's suffix list also has `ية` and `ة`, but in Lucene as
//! here the stemmer runs after normalization, where ة has become ه; those two entries then
//! act as a second `يه` and a second `ه`. We list each suffix once (each can be removed at
//! most once per word), which differs from Lucene only on words ending in a doubled يهيه or
//! هه — not real Arabic endings. ى has become ي, so the `ي` entry covers both.
//!
//! A light stemmer is deliberately crude: it conflates some unrelated words («وزير» loses its
//! و) and misses broken plurals. It is meant for recall in news search, as a second index
//! column or query expansion beside the exact normalized tokens, not as a lemmatizer.
//! It is also not idempotent («الالعاب» → العاب → عاب over two passes): stem once.

use super::normalize::tokenize;

const PREFIXES: [&[char]; 7] = [
    &['ا', 'ل'],
    &['و', 'ا', 'ل'],
    &['ب', 'ا', 'ل'],
    &['ك', 'ا', 'ل'],
    &['ف', 'ا', 'ل'],
    &['ل', 'ل'],
    &['و'],
];

const SUFFIXES: [&[char]; 8] = [
    &['ه', 'ا'],
    &['ا', 'ن'],
    &['ا', 'ت'],
    &['و', 'ن'],
    &['ي', 'ن'],
    &['ي', 'ه'],
    &['ه'],
    &['ي'],
];

/// Whether every character of the token is an Arabic-script letter (Arabic, Arabic
/// Supplement and Arabic Extended-A blocks). Only such tokens are stemmed.
fn is_arabic_word(token: &str) -> bool {
    !token.is_empty()
        && token.chars().all(|c| {
            matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}')
                && c.is_alphabetic()
        })
}

/// Stems one already-normalized token (an element of [`tokenize`]'s output).
///
/// Arabic tokens lose at most one prefix and some of the suffixes listed in the module docs;
/// the result is never empty for a non-empty token and never longer than it. Any token that
/// is not made only of Arabic letters — Latin words, numbers, mixed tokens — is returned
/// unchanged: no English stemming is wanted.
#[must_use]
pub fn stem(token: &str) -> String {
    if !is_arabic_word(token) {
        return token.to_owned();
    }
    let chars: Vec<char> = token.chars().collect();
    let mut start = 0;
    let mut end = chars.len();

    for prefix in PREFIXES {
        let len = end - start;
        let long_enough = len >= prefix.len() + 2 && (prefix.len() > 1 || len >= 4);
        if long_enough && chars[start..end].starts_with(prefix) {
            start += prefix.len();
            break;
        }
    }
    for suffix in SUFFIXES {
        let len = end - start;
        if len >= suffix.len() + 2 && chars[start..end].ends_with(suffix) {
            end -= suffix.len();
        }
    }
    chars[start..end].iter().collect()
}

/// Tokenizes text with [`tokenize`] (so it is normalized first) and stems each token.
#[must_use]
pub fn stem_tokens(text: &str) -> Vec<String> {
    tokenize(text).iter().map(|t| stem(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::normalize;
    use proptest::prelude::*;

    fn stem_of(word: &str) -> String {
        stem(&normalize(word))
    }

    #[test]
    fn attached_article_and_conjunctions_give_one_stem() {
        let expected = stem_of("تعاون");
        for word in [
            "التعاون",
            "تعاون",
            "والتعاون",
            "بالتعاون",
            "للتعاون",
            "فالتعاون",
            "كالتعاون",
        ] {
            assert_eq!(stem_of(word), expected, "{word}");
        }
        assert_eq!(expected, "تعا");
    }

    #[test]
    fn hamza_forms_and_prefixes_give_one_stem() {
        let expected = stem_of("أمن");
        for word in ["الأمن", "أمن", "للأمن", "بالأمن", "والأمن", "الأَمْنُ", "امن"]
        {
            assert_eq!(stem_of(word), expected, "{word}");
        }
        assert_eq!(expected, "امن");
    }

    #[test]
    fn common_suffixes_are_removed() {
        assert_eq!(stem_of("السيارات"), stem_of("سيارة"));
        assert_eq!(stem_of("الدولية"), "دول");
        assert_eq!(stem_of("الدولي"), "دول");
        assert_eq!(stem_of("دولي"), "دول");
        assert_eq!(stem_of("المحللين"), stem_of("المحلل"));
        assert_eq!(stem_of("المسؤولون"), stem_of("مسؤول"));
        assert_eq!(stem_of("البلدين"), "بلد");
        assert_eq!(stem_of("أبوابها"), "ابواب");
        assert_eq!(stem_of("الجانبان"), "جانب");
    }

    #[test]
    fn single_letter_waw_needs_four_letters() {
        assert_eq!(stem("ولد"), "ولد");
        assert_eq!(stem("وقال"), "قال");
    }

    #[test]
    fn at_least_two_letters_always_remain() {
        assert_eq!(stem("ال"), "ال");
        assert_eq!(stem("الي"), "ال");
        assert_eq!(stem("اله"), "ال");
        assert_eq!(stem("الله"), "له");
        assert_eq!(stem("ها"), "ها");
        assert_eq!(stem("ب"), "ب");
    }

    #[test]
    fn suffixes_are_walked_once_in_order() {
        // «ها» is checked before «ي», so it stays once «ي» has gone.
        assert_eq!(stem("مصطفي"), "مصطف");
        assert_eq!(stem("كتابهاي"), "كتابها");
    }

    #[test]
    fn non_arabic_tokens_are_unchanged() {
        for token in ["rust", "services", "newsrooms", "2026", "ال2026", "cms", ""] {
            assert_eq!(stem(token), token);
        }
    }

    #[test]
    fn stem_is_not_idempotent_by_design() {
        let once = stem("الالعاب");
        assert_eq!(once, "العاب");
        assert_eq!(stem(&once), "عاب");
    }

    #[test]
    fn stem_tokens_normalizes_then_stems() {
        assert_eq!(
            stem_tokens("تعزيز التعاون الأمني، والتعاون Rust"),
            vec!["تعزيز", "تعا", "امن", "تعا", "rust"]
        );
    }

    proptest! {
        #[test]
        fn stem_never_empties_or_grows_a_token(token in "[\\u{0621}-\\u{064A}]{1,12}|\\PC{1,12}") {
            let stemmed = stem(&token);
            let (before, after) = (token.chars().count(), stemmed.chars().count());
            prop_assert!(after <= before);
            prop_assert!(after >= before.min(2));
            prop_assert!(token.contains(stemmed.as_str()));
        }

        #[test]
        fn stem_tokens_are_never_empty(text in "[\\u{0621}-\\u{064A} ،.]{0,60}|\\PC{0,60}") {
            prop_assert!(stem_tokens(&text).iter().all(|t| !t.is_empty()));
        }
    }
}
