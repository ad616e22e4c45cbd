//! The search normalizer: one function applied identically to the text that goes into the
//! full-text index and to every query, so that readers find a word however they type it.
//!
//! API.md ("Search") fixes what must match: with or without tashkeel and tatweel, any hamza
//! form of alef (أ إ آ ٱ → ا), ى ≡ ي, ة ≡ ه, and Arabic-Indic digits ≡ ASCII digits. The
//! mappings below are the classic Arabic IR normalization (Larkey et al.; Lucene's
//! `ArabicNormalizer`), extended with the few things a news site meets in practice (Persian
//! letters and digits pasted from other sources, Unicode presentation forms from PDFs,
//! invisible direction marks).
//!
//! The output is *not* for display — «مدرسة» becomes «مدرسه» — only for matching. Slugs,
//! which readers do see, use the gentler rules of [`crate::text::slug`].
//!
//! This module also holds the character classes that [`crate::text::slug`] shares
//! (`pub(crate)` helpers), so that the two never disagree about what tashkeel is.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// Arabic tatweel (kashida), U+0640: a purely typographic stretch, never part of a word.
pub(crate) const TATWEEL: char = '\u{0640}';

/// Arabic marks that are removed everywhere (slugs and search).
///
/// - U+0610–U+061A: honorific and Quranic small signs written above/below letters
///   (ﷺ-style ligature marks, small high letters);
/// - U+064B–U+065F: the harakat proper — tanween (ً ٌ ٍ), fatha, damma, kasra, shadda,
///   sukun — plus maddah, hamza above/below (U+0653–U+0655) and the rarer vowel signs up to
///   U+065F;
/// - U+0670: superscript (dagger) alef, as in «هٰذا»;
/// - U+06D6–U+06ED: Quranic annotation signs (small high ligatures, end-of-ayah and rub
///   el hizb included — the brief removes the whole block rather than hyphenating them);
/// - U+08CA–U+08E1 and U+08E3–U+08FF: the Arabic Extended-A combining marks (more
///   Quranic and African-orthography vowel signs); U+08E2 is a format character and is left
///   to the generic rules.
///
/// Note that Rust's `char::is_alphabetic` is *true* for most of these (they are
/// `Other_Alphabetic`), which is why they are tested explicitly before any letter test.
pub(crate) fn is_arabic_mark(c: char) -> bool {
    matches!(
        c,
        '\u{0610}'..='\u{061A}'
            | '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06ED}'
            | '\u{08CA}'..='\u{08E1}'
            | '\u{08E3}'..='\u{08FF}'
    )
}

/// Invisible format characters that are *deleted* (joining their neighbours), not turned
/// into separators: they never separate words, they only steer rendering.
///
/// Soft hyphen U+00AD; Arabic letter mark U+061C; Mongolian vowel separator U+180E;
/// ZWNJ/ZWJ U+200C/U+200D (a Persian ZWNJ sits *inside* a word); LRM/RLM U+200E/U+200F;
/// bidi embeddings and overrides U+202A–U+202E; word joiner and invisible operators
/// U+2060–U+2064; bidi isolates U+2066–U+2069; the byte-order mark / ZWNBSP U+FEFF;
/// variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF; tag characters U+E0000–U+E007F.
///
/// U+200B ZERO WIDTH SPACE is deliberately *not* here: it marks a word break, so it is a
/// separator like any space.
pub(crate) fn is_removed_format(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200C}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{E0000}'..='\u{E007F}'
            | '\u{E0100}'..='\u{E01EF}'
    )
}

/// Arabic-Indic digits ٠–٩ (U+0660–U+0669) and Extended Arabic-Indic (Persian/Urdu) digits
/// ۰–۹ (U+06F0–U+06F9) as their ASCII digit; `None` for anything else.
///
/// News copy mixes both systems («مارس ٢٠٢٥» next to «2026»), and readers search with
/// whichever their keyboard gives them; URLs and the index use ASCII.
pub(crate) fn ascii_digit(c: char) -> Option<char> {
    let offset = match c {
        '\u{0660}'..='\u{0669}' => u32::from(c) - 0x0660,
        '\u{06F0}'..='\u{06F9}' => u32::from(c) - 0x06F0,
        _ => return None,
    };
    char::from_digit(offset, 10)
}

/// Whether `c` is a Latin letter or an ASCII digit: the characters whose diacritics are
/// folded away (é → e) in both slugs and search.
///
/// Covers ASCII, Latin-1 Supplement, Latin Extended-A/B, IPA Extensions, Latin Extended
/// Additional and Latin Extended-C/D/E. Callers test `is_alphanumeric` first, so the
/// symbols in these blocks (× ÷) never get here as letters.
pub(crate) fn is_latin(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '\u{00C0}'..='\u{02AF}'
                | '\u{1E00}'..='\u{1EFF}'
                | '\u{2C60}'..='\u{2C7F}'
                | '\u{A720}'..='\u{A7FF}'
                | '\u{AB30}'..='\u{AB6F}'
        )
}

/// Pushes the diacritic-free form of a (lower-case) Latin letter: its canonical
/// decomposition without the combining marks (é → e, ǖ → u), then the few Latin letters
/// that have no decomposition but a conventional ASCII spelling (ß → ss, æ → ae, œ → oe,
/// ø → o, ł → l, đ/ð → d, þ → th, ı → i, ħ → h, ŧ → t, ŀ → l).
///
/// The decomposition part is what SQLite FTS5 `unicode61 remove_diacritics 2` does; the
/// table is a small superset of it, harmless for search because the index and the queries
/// are both normalized here before FTS5 sees them.
pub(crate) fn push_latin_folded(c: char, out: &mut String) {
    decompose_canonical(c, |d| {
        if is_combining_mark(d) {
            return;
        }
        match d {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            'ø' => out.push('o'),
            'ł' | 'ŀ' => out.push('l'),
            'đ' | 'ð' => out.push('d'),
            'þ' => out.push_str("th"),
            'ı' => out.push('i'),
            'ħ' => out.push('h'),
            'ŧ' => out.push('t'),
            other => out.push(other),
        }
    });
}

/// Hebrew points and cantillation marks (U+0591–U+05BD, U+05BF, U+05C1–U+05C2,
/// U+05C4–U+05C5, U+05C7): Hebrew's tashkeel, removed from search text for the same reason.
fn is_hebrew_point(c: char) -> bool {
    matches!(
        c,
        '\u{0591}'..='\u{05BD}' | '\u{05BF}' | '\u{05C1}'..='\u{05C2}' | '\u{05C4}'..='\u{05C5}' | '\u{05C7}'
    )
}

/// The letter-level Arabic folds of the search normalizer, applied after canonical
/// decomposition (so أ إ آ ؤ ئ have already lost their hamza/madda, see [`normalize`]).
fn fold_arabic_letter(c: char) -> char {
    match c {
        // Alef wasla, and alef with wavy hamza above/below: no canonical decomposition, so
        // they are mapped explicitly (أ إ آ decompose to ا + mark).
        '\u{0671}' | '\u{0672}' | '\u{0673}' => '\u{0627}',
        // Alef maqsura → yeh: in Egyptian and much other print usage final ي is written ى,
        // so readers type either.
        '\u{0649}' => '\u{064A}',
        // Teh marbuta → heh: the two are written alike without dots and typed
        // interchangeably at the end of words (مدرسة / مدرسه).
        '\u{0629}' => '\u{0647}',
        // Persian keheh and Farsi yeh, common in text pasted from Persian sources and from
        // some keyboards: the Arabic kaf and yeh (the Farsi yeh's final form is ى-like and
        // ى already folds to ي).
        '\u{06A9}' => '\u{0643}',
        '\u{06CC}' => '\u{064A}',
        other => other,
    }
}

/// Normalizes text for full-text search; apply it identically to indexed text and queries.
///
/// Steps, in order:
/// 1. Unicode NFKC: presentation forms (ﻻ, ﷲ, ligatures), full-width letters and other
///    compatibility characters become ordinary letters.
/// 2. Lower-casing with [`str::to_lowercase`]. Full Unicode case *folding* would differ only
///    in rare cases (ß stays ß, but step 4 folds it to "ss"); lower-casing is what users
///    see elsewhere and is enough because both sides go through this function.
/// 3. Canonical decomposition (NFD), so that أ إ آ become ا plus a hamza/madda mark, ؤ
///    becomes و plus hamza and ئ becomes ي plus hamza; removing the marks then folds them.
/// 4. Removal of Arabic tashkeel, Quranic marks and tatweel, of the high hamza ٴ (U+0674),
///    of Hebrew points, and of the diacritics of Latin letters (é → e, ß → ss, matching
///    FTS5's `remove_diacritics 2` for Latin); combining marks of other scripts are kept on
///    their letter (Cyrillic й stays й, Devanagari vowel signs stay).
/// 5. Letter folds: ٱ ٲ ٳ → ا, ى → ي, ة → ه, Persian ک → ك and ی → ي. The standalone
///    hamza ء is kept (it is a letter of its own, as in «جزء»).
/// 6. Arabic-Indic and Persian digits → ASCII.
/// 7. Everything that is not a letter or digit — Arabic punctuation (، ؛ ؟ « » ٪ ٫) and all
///    other punctuation, symbols and whitespace — becomes a separator; invisible format
///    characters (ZWNJ, ZWJ, direction marks, BOM, soft hyphen) are deleted instead.
/// 8. Separators collapse to one ASCII space; the result is trimmed and recomposed to NFC.
///
/// The result is idempotent (`normalize(normalize(x)) == normalize(x)`) and never contains
/// tashkeel, tatweel or a hamza form of alef.
#[must_use]
pub fn normalize(text: &str) -> String {
    if let Some(plain) = normalize_plain_word(text) {
        return plain;
    }
    normalize_fully(text)
}

/// The base Arabic letters (hamza to yeh), normalized one by one by [`normalize_fully`].
static ARABIC_LETTERS: std::sync::LazyLock<Vec<String>> = std::sync::LazyLock::new(|| {
    ('\u{0621}'..='\u{064A}')
        .map(|c| normalize_fully(c.encode_utf8(&mut [0; 4])))
        .collect()
});

/// The fast path of [`normalize`] for the most common input by far, one word of ASCII
/// letters and digits or of base Arabic letters (no marks, no separators): each character
/// normalizes on its own then, so a table lookup gives what the full path would (a test
/// holds them equal). `None` for anything else.
fn normalize_plain_word(text: &str) -> Option<String> {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            'a'..='z' | '0'..='9' => out.push(c),
            'A'..='Z' => out.push(c.to_ascii_lowercase()),
            '\u{0621}'..='\u{064A}' => out.push_str(&ARABIC_LETTERS[c as usize - 0x0621]),
            _ => return None,
        }
    }
    (!out.is_empty()).then_some(out)
}

fn normalize_fully(text: &str) -> String {
    let lowered = text.nfkc().collect::<String>().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut pending_space = false;
    // The script of the last kept letter in the current word, to decide whether a
    // following combining mark is a diacritic to drop (Latin) or part of the letter (other).
    let mut base: Option<bool> = None; // Some(true) = Latin base, Some(false) = other script

    for c in lowered.nfd() {
        if is_arabic_mark(c)
            || c == TATWEEL
            || c == '\u{0674}'
            || is_hebrew_point(c)
            || is_removed_format(c)
        {
            continue;
        }
        if is_combining_mark(c) {
            if base == Some(false) {
                out.push(c);
            }
            continue;
        }
        let (c, latin) = match ascii_digit(c) {
            Some(d) => (d, true),
            None => (fold_arabic_letter(c), is_latin(c)),
        };
        if c.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            if latin {
                push_latin_folded(c, &mut out);
            } else {
                out.push(c);
            }
            base = Some(latin);
        } else {
            pending_space = true;
            base = None;
        }
    }
    out.nfc().collect()
}

/// Splits text into search tokens: [`normalize`] it, then split on the (single) spaces.
///
/// These are the units that go into the index and that a query is matched by; with the
/// normalizer's separators, "٢٫١٪" yields the tokens `2` and `1`, on both sides alike.
#[must_use]
pub fn tokenize(text: &str) -> Vec<String> {
    normalize(text)
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn tashkeel_is_removed_so_vowelled_and_plain_words_match() {
        assert_eq!(
            normalize("الأَمْنُ الإِقْلِيمِيُّ عَلَى طَاوِلَةِ القِمَّةِ"),
            "الامن الاقليمي علي طاوله القمه"
        );
        assert_eq!(normalize("الأَمْنِيّ"), normalize("الأمني"));
        assert_eq!(normalize("قَرِيبًا"), "قريبا");
        assert_eq!(normalize("هٰذا"), "هذا");
    }

    #[test]
    fn tatweel_is_removed() {
        assert_eq!(normalize("الاقتصـــاد"), "الاقتصاد");
        assert_eq!(normalize("بـ«الردع"), "ب الردع");
    }

    #[test]
    fn hamza_forms_of_alef_fold_to_bare_alef() {
        for word in ["أمن", "إمن", "آمن", "ٱمن", "ٲمن", "ٳمن", "امن"] {
            assert_eq!(normalize(word), "امن", "{word}");
        }
        assert_eq!(normalize("إطلاق"), "اطلاق");
        assert_eq!(normalize("آخرين"), "اخرين");
    }

    #[test]
    fn alef_maqsura_teh_marbuta_waw_and_yeh_hamza_fold() {
        assert_eq!(normalize("على"), normalize("علي"));
        assert_eq!(normalize("القمة"), "القمه");
        assert_eq!(normalize("مسؤول"), "مسوول");
        assert_eq!(normalize("رئيس"), "رييس");
    }

    #[test]
    fn standalone_hamza_is_kept() {
        assert_eq!(normalize("جزء"), "جزء");
        assert_eq!(normalize("بنّاءة"), "بناءه");
    }

    #[test]
    fn arabic_indic_and_persian_digits_become_ascii() {
        assert_eq!(normalize("مارس ٢٠٢٥"), "مارس 2025");
        assert_eq!(normalize("۱۴۰۳"), "1403");
        assert_eq!(normalize("٢٠٠ سرير"), "200 سرير");
        assert_eq!(normalize("10000"), "10000");
    }

    #[test]
    fn persian_keheh_and_farsi_yeh_fold_to_arabic_letters() {
        assert_eq!(normalize("کتاب"), "كتاب");
        assert_eq!(normalize("ایران"), "ايران");
    }

    #[test]
    fn arabic_punctuation_separates_words() {
        assert_eq!(
            normalize("«نأمل أن نعمل معاً ككيان واحد»."),
            "نامل ان نعمل معا ككيان واحد"
        );
        assert_eq!(
            normalize("هل من تفاصيل إضافية حول الاتفاق؟"),
            "هل من تفاصيل اضافيه حول الاتفاق"
        );
        assert_eq!(
            normalize("قمة دولية، وناقش؛ الجانبان"),
            "قمه دوليه وناقش الجانبان"
        );
        assert_eq!(normalize("ينمو ٢٫١٪ في"), "ينمو 2 1 في");
    }

    #[test]
    fn whitespace_is_collapsed_and_trimmed() {
        assert_eq!(normalize("  a \t\n b\u{00A0}c\u{2003}d  "), "a b c d");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" ،؟ "), "");
    }

    #[test]
    fn invisible_format_characters_are_deleted_not_separators() {
        assert_eq!(normalize("می\u{200C}خواهم"), "ميخواهم");
        assert_eq!(normalize("\u{200F}الأمن\u{200E}"), "الامن");
        assert_eq!(normalize("a\u{200B}b"), "a b");
    }

    #[test]
    fn latin_is_lowercased_and_diacritics_fold_like_fts5() {
        assert_eq!(normalize("Crème Brûlée"), "creme brulee");
        assert_eq!(
            normalize("Rust reaches another MILESTONE"),
            "rust reaches another milestone"
        );
        assert_eq!(normalize("Straße Øresund Łódź"), "strasse oresund lodz");
        assert_eq!(normalize("actix-web"), "actix web");
    }

    #[test]
    fn compatibility_forms_are_unified_by_nfkc() {
        // Arabic presentation forms (lam-alef ligature, isolated letters) and full-width Latin.
        assert_eq!(normalize("\u{FEFB}"), "لا");
        assert_eq!(
            normalize("\u{FE8D}\u{FEDF}\u{FEE4}\u{FEE8}"),
            normalize("المن")
        );
        assert_eq!(normalize("ＲＵＳＴ"), "rust");
    }

    #[test]
    fn other_scripts_keep_their_marks() {
        assert_eq!(normalize("Йога"), "йога");
        assert_eq!(normalize("हिन्दी"), "हिन्दी");
    }

    #[test]
    fn hebrew_points_are_removed() {
        assert_eq!(normalize("שָׁלוֹם"), "שלום");
    }

    #[test]
    fn tokenize_splits_normalized_text() {
        assert_eq!(
            tokenize("طوكيو وواشنطن تبحثان توسيع التعاون الأمني"),
            vec!["طوكيو", "وواشنطن", "تبحثان", "توسيع", "التعاون", "الامني"]
        );
        assert_eq!(
            tokenize("أسعار السيارات الكهربائية: هل تنخفض في 2026؟").len(),
            7
        );
        assert!(tokenize(" … ").is_empty());
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[\\u{0600}-\\u{06FF}\\u{0750}-\\u{077F}\\u{08A0}-\\u{08FF}\\u{FB50}-\\u{FDFF}\\u{FE70}-\\u{FEFF} a-zA-Zé.,!?،؛؟«»\\u{200C}-\\u{200F}]{0,40}",
        ]
    }

    proptest! {
        #[test]
        fn the_fast_path_normalizes_as_the_full_one(s in "[A-Za-z0-9\u{0621}-\u{064A}]{1,12}") {
            prop_assert_eq!(normalize(&s), normalize_fully(&s));
        }

        #[test]
        fn normalize_is_idempotent(s in text_strategy()) {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }

        #[test]
        fn normalize_removes_marks_and_hamza_alefs(s in text_strategy()) {
            let out = normalize(&s);
            for c in out.chars() {
                prop_assert!(!is_arabic_mark(c) && c != TATWEEL, "{:?} in {:?}", c, out);
                prop_assert!(!matches!(c, 'أ' | 'إ' | 'آ' | 'ٱ' | 'ٲ' | 'ٳ' | 'ى' | 'ة'), "{:?}", c);
                prop_assert!(!is_removed_format(c));
            }
            prop_assert!(!out.contains("  "));
            prop_assert_eq!(out.trim(), out.as_str());
            prop_assert!(out.chars().all(|c| c == ' ' || !c.is_whitespace()));
        }

        #[test]
        fn tokens_are_non_empty_and_space_free(s in text_strategy()) {
            for t in tokenize(&s) {
                prop_assert!(!t.is_empty());
                prop_assert!(!t.chars().any(char::is_whitespace));
            }
        }
    }
}
