//! Unicode URL slugs for articles and sections.
//!
//! A slug is part of a public URL that Arabic readers see and share, so Arabic letters are
//! kept *as written* — أ إ آ ة ى are not folded, unlike in [`crate::text::normalize()`] —
//! while everything that only decorates or punctuates the title is removed:
//! `«الأَمْنُ الإِقْلِيمِيُّ عَلَى طَاوِلَةِ القِمَّةِ»` → `الأمن-الإقليمي-على-طاولة-القمة`.
//!
//! Percent-encoded UTF-8 in paths works (API.md), so Unicode slugs are safe; the rules make
//! sure a slug never needs anything *but* letter encoding: no `/`, `?`, `#`, `%`, no spaces.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use super::normalize::{
    TATWEEL, ascii_digit, is_arabic_mark, is_latin, is_removed_format, push_latin_folded,
};

/// The longest slug, in characters (not bytes: an Arabic letter is two bytes in UTF-8 and six
/// once percent-encoded, so 80 characters keep even an all-Arabic URL under ~500 bytes).
pub const MAX_SLUG_CHARS: usize = 80;

/// Turns a title into a URL slug; returns `""` when nothing usable is left (the caller then
/// substitutes a fallback such as the article id).
///
/// Rules, in order:
/// - Unicode NFKC first (presentation forms and ligatures from PDFs become ordinary letters,
///   full-width Latin becomes ASCII, U+00A0 becomes a space), then full Unicode lower-casing
///   ([`str::to_lowercase`], so Cyrillic and Greek are lower-cased too).
/// - Arabic tashkeel (U+064B–U+065F), superscript alef U+0670, Quranic marks (U+0610–U+061A,
///   U+06D6–U+06ED, Arabic Extended-A marks) and tatweel U+0640 are removed; the letters are
///   otherwise kept as written (hamza forms of alef, ة and ى are *not* folded).
/// - Latin letters lose their diacritics and become ASCII: `Crème brûlée` → `creme-brulee`,
///   `Straße` → `strasse`. A choice: Latin slugs look like every other CMS's, and two
///   spellings of a Latin name (with and without accents) give the same slug. Combining marks
///   on letters of other scripts (Devanagari vowel signs, Cyrillic й) are part of the letter
///   and are kept; marks with no letter before them are dropped.
/// - Arabic-Indic ٠–٩ and Persian ۰–۹ digits become ASCII 0–9.
/// - Invisible format characters (ZWNJ, ZWJ, LRM/RLM, bidi controls, BOM, soft hyphen) are
///   deleted, joining their neighbours rather than splitting the word.
/// - Everything else that is not a letter or a number — punctuation and symbols of every
///   script (، ؛ ؟ « » … – / ? # % & …, emoji) and whitespace of every kind, U+200B included —
///   becomes a separator; runs of separators become one `-`, with none at either end.
///   Apostrophes are separators too: `don't` → `don-t`.
/// - The result is recomposed to NFC and bounded to [`MAX_SLUG_CHARS`] characters, cut at a
///   hyphen when one falls in the last third of the allowance (so a word is not split), never
///   between a letter and its combining mark, and never leaving a trailing hyphen.
///
/// The function is idempotent: `slugify(slugify(x)) == slugify(x)`.
#[must_use]
pub fn slugify(title: &str) -> String {
    let lowered = title.nfkc().collect::<String>().to_lowercase();
    let mut out = String::with_capacity(lowered.len());
    let mut pending_hyphen = false;
    // Script of the last letter kept in the current word: Some(true) = Latin (its marks are
    // diacritics to drop), Some(false) = another script (its marks are kept), None = no letter
    // since the last separator (a mark there has nothing to attach to and is dropped).
    let mut base: Option<bool> = None;

    for c in lowered.chars() {
        if is_arabic_mark(c) || c == TATWEEL || is_removed_format(c) {
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
            None => (c, is_latin(c)),
        };
        if c.is_alphanumeric() {
            if pending_hyphen && !out.is_empty() {
                out.push('-');
            }
            pending_hyphen = false;
            if latin {
                push_latin_folded(c, &mut out);
            } else {
                out.push(c);
            }
            base = Some(latin);
        } else {
            pending_hyphen = true;
            base = None;
        }
    }

    truncate(&out.nfc().collect::<String>())
}

/// Bounds a slug to [`MAX_SLUG_CHARS`] characters, preferring to cut at a hyphen.
fn truncate(slug: &str) -> String {
    let chars: Vec<char> = slug.chars().collect();
    if chars.len() <= MAX_SLUG_CHARS {
        return slug.to_owned();
    }
    // The hard cut: MAX_SLUG_CHARS characters, moved back so that it does not separate a
    // letter from the combining marks that follow it.
    let mut cut = MAX_SLUG_CHARS;
    while cut > 0 && is_combining_mark(chars[cut]) {
        cut -= 1;
    }
    // Prefer a word boundary: if the character right after the cut is a hyphen the cut is
    // already between words; otherwise use the last hyphen in the last third, if any.
    let at_boundary = chars[cut] == '-';
    if !at_boundary {
        let last_third = MAX_SLUG_CHARS - MAX_SLUG_CHARS / 3;
        if let Some(pos) = chars[..cut].iter().rposition(|&c| c == '-')
            && pos >= last_third
        {
            cut = pos;
        }
    }
    let kept: String = chars[..cut].iter().collect();
    kept.trim_end_matches('-').to_owned()
}

/// Whether `s` is acceptable as an explicitly given slug: non-empty, at most
/// [`MAX_SLUG_CHARS`] characters, and already in the form [`slugify`] produces
/// (`slugify(s) == s`).
///
/// Checking against `slugify` itself keeps one definition of "a slug": anything a client may
/// send is something the server could have generated, so it is NFC, lower-case, free of
/// tashkeel and of URL-reserved characters.
#[must_use]
pub fn is_valid_slug(s: &str) -> bool {
    !s.is_empty() && s.chars().count() <= MAX_SLUG_CHARS && slugify(s) == s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use unicode_normalization::is_nfc;

    #[test]
    fn arabic_titles_keep_their_letters_as_written() {
        assert_eq!(
            slugify("طوكيو وواشنطن تبحثان توسيع التعاون الأمني في ظل توترات إقليمية"),
            "طوكيو-وواشنطن-تبحثان-توسيع-التعاون-الأمني-في-ظل-توترات-إقليمية"
        );
        assert_eq!(
            slugify("إطلاق خدمة مصرفية رقمية جديدة للمؤسسات الصغيرة"),
            "إطلاق-خدمة-مصرفية-رقمية-جديدة-للمؤسسات-الصغيرة"
        );
        // ة, ى, أ, إ, آ are not folded in slugs.
        assert_eq!(slugify("آخرين على"), "آخرين-على");
    }

    #[test]
    fn tashkeel_is_removed() {
        assert_eq!(
            slugify("الأَمْنُ الإِقْلِيمِيُّ عَلَى طَاوِلَةِ القِمَّةِ"),
            "الأمن-الإقليمي-على-طاولة-القمة"
        );
        assert_eq!(slugify("بَنَّاءَةٌ"), "بناءة");
        assert_eq!(slugify("هٰذا"), "هذا");
        assert_eq!(slugify("يُعرف"), "يعرف");
    }

    #[test]
    fn tatweel_is_removed_without_splitting_the_word() {
        assert_eq!(
            slugify("الاقتصـــاد الياباني ينمو ٢٫١٪ في الربع الثالث"),
            "الاقتصاد-الياباني-ينمو-2-1-في-الربع-الثالث"
        );
    }

    #[test]
    fn arabic_punctuation_becomes_single_hyphens() {
        assert_eq!(
            slugify("أسعار السيارات الكهربائية: هل تنخفض في 2026؟"),
            "أسعار-السيارات-الكهربائية-هل-تنخفض-في-2026"
        );
        assert_eq!(slugify("«الردع الموسّع»"), "الردع-الموسع");
        assert_eq!(slugify("سبل، تعزيز؛ التحالف"), "سبل-تعزيز-التحالف");
        assert_eq!(slugify("ما يُعرف بـ«الردع»"), "ما-يعرف-ب-الردع");
    }

    #[test]
    fn all_kinds_of_punctuation_and_symbols_are_separators() {
        let title = "a،b؛c؟d«e»f“g”h‘i’j…k—l–m-n_o.p,q:r;s!t?u/v\\w(x)y[z]1{2}3'4\"5@6#7%8&9*0+a=b<c>d|e~f^g`h$i";
        let slug = slugify(title);
        assert_eq!(
            slug.matches('-').count(),
            slug.chars().filter(|c| c.is_alphanumeric()).count() - 1
        );
        assert_eq!(
            slugify("Rock & Roll / 2026 — 50% off?"),
            "rock-roll-2026-50-off"
        );
        assert_eq!(slugify("don't"), "don-t");
        assert_eq!(slugify("C++ → Rust ★"), "c-rust");
    }

    #[test]
    fn whitespace_of_every_kind_collapses_and_invisible_marks_vanish() {
        assert_eq!(
            slugify("  مستشفى\u{00A0}جديد\t\n يفتح\u{2003}أبوابه  "),
            "مستشفى-جديد-يفتح-أبوابه"
        );
        assert_eq!(slugify("\u{200F}الأمن\u{200E} قمة"), "الأمن-قمة");
        assert_eq!(slugify("می\u{200C}خواهم"), "میخواهم");
        assert_eq!(slugify("ab\u{200D}cd\u{FEFF}"), "abcd");
        assert_eq!(slugify("a\u{200B}b"), "a-b");
    }

    #[test]
    fn latin_is_lowercased_and_folded_to_ascii() {
        assert_eq!(slugify("Crème brûlée"), "creme-brulee");
        assert_eq!(slugify("Café"), "cafe");
        assert_eq!(
            slugify("Rust reaches another milestone in web services"),
            "rust-reaches-another-milestone-in-web-services"
        );
        assert_eq!(
            slugify("Why headless CMSs are winning newsrooms"),
            "why-headless-cmss-are-winning-newsrooms"
        );
        assert_eq!(slugify("Straße in Łódź"), "strasse-in-lodz");
        assert_eq!(slugify("ＦＵＬＬ width"), "full-width");
    }

    #[test]
    fn other_cased_scripts_are_lowercased_and_keep_their_marks() {
        assert_eq!(slugify("Новости Йошкар-Олы"), "новости-йошкар-олы");
        assert_eq!(slugify("ΑΘΗΝΑ"), "αθηνα");
        assert_eq!(slugify("हिन्दी समाचार"), "हिन्दी-समाचार");
    }

    #[test]
    fn arabic_indic_and_persian_digits_become_ascii() {
        assert_eq!(slugify("قبل مارس ٢٠٢٥"), "قبل-مارس-2025");
        assert_eq!(slugify("۱۴۰۳"), "1403");
        assert_eq!(slugify("يضم ٢٠٠ سرير"), "يضم-200-سرير");
    }

    #[test]
    fn nothing_usable_gives_an_empty_slug() {
        assert_eq!(slugify(""), "");
        assert_eq!(slugify("   "), "");
        assert_eq!(slugify("؟!… «»"), "");
        assert_eq!(slugify("🎉🚗💡"), "");
        assert_eq!(slugify("\u{064E}\u{0651}ـــ"), "");
    }

    #[test]
    fn emoji_separate_words() {
        assert_eq!(slugify("سيارات🚗كهربائية"), "سيارات-كهربائية");
    }

    #[test]
    fn output_is_nfc_even_for_decomposed_input() {
        let decomposed = "Cafe\u{0301} \u{0627}\u{0654}\u{0645}\u{0646}"; // é and أ decomposed
        let slug = slugify(decomposed);
        assert_eq!(slug, "cafe-أمن");
        assert!(is_nfc(&slug));
    }

    #[test]
    fn long_titles_are_cut_at_a_word_boundary() {
        let title = "وأكد الجانب الأمريكي التزامه بالدفاع عن حلفائه، مشيراً إلى ما يُعرف بـ«الردع الموسّع» واتفق الطرفان على تحسين هياكل القيادة";
        let slug = slugify(title);
        assert!(slug.chars().count() <= MAX_SLUG_CHARS);
        assert!(slug.chars().count() >= MAX_SLUG_CHARS - MAX_SLUG_CHARS / 3);
        assert!(!slug.ends_with('-'));
        // The slug is the full one cut between two words: no half word at the end.
        let words: Vec<&str> = slug.split('-').collect();
        let title_words: Vec<String> = title.split_whitespace().map(slugify).collect();
        let title_words: Vec<&str> = title_words.iter().flat_map(|w| w.split('-')).collect();
        assert_eq!(words[..], title_words[..words.len()], "{slug}");
    }

    #[test]
    fn a_single_huge_word_is_cut_hard_at_the_limit() {
        let slug = slugify(&"ب".repeat(200));
        assert_eq!(slug.chars().count(), MAX_SLUG_CHARS);
    }

    #[test]
    fn a_hyphen_only_early_in_the_slug_does_not_force_a_short_cut() {
        let title = format!("ab {}", "c".repeat(100));
        let slug = slugify(&title);
        assert_eq!(slug.chars().count(), MAX_SLUG_CHARS);
        assert!(slug.starts_with("ab-c"));
    }

    #[test]
    fn the_cut_never_separates_a_letter_from_its_mark() {
        // 79 letters then a Devanagari syllable with a vowel sign straddling the limit.
        let title = format!("{}कि", "क".repeat(79));
        let slug = slugify(&title);
        assert_eq!(slug.chars().count(), 79);
        assert!(is_valid_slug(&slug));
    }

    #[test]
    fn valid_slugs_are_exactly_slugify_fixed_points() {
        assert!(is_valid_slug("الولايات-المتحدة-واليابان"));
        assert!(is_valid_slug("rust-2026"));
        assert!(!is_valid_slug(""));
        assert!(!is_valid_slug("Rust"));
        assert!(!is_valid_slug("a--b"));
        assert!(!is_valid_slug("-a"));
        assert!(!is_valid_slug("a/b"));
        assert!(!is_valid_slug("a b"));
        assert!(!is_valid_slug("الأَمْن"));
        assert!(!is_valid_slug("مارس-٢٠٢٥"));
        assert!(!is_valid_slug(&"a".repeat(MAX_SLUG_CHARS + 1)));
        assert!(is_valid_slug(&"a".repeat(MAX_SLUG_CHARS)));
    }

    #[test]
    fn every_bmp_character_alone_or_after_a_letter_gives_a_fixed_point() {
        for c in (0u32..=0xFFFF).filter_map(char::from_u32) {
            for s in [c.to_string(), format!("ب{c}"), format!("x{c}y")] {
                let once = slugify(&s);
                assert_eq!(slugify(&once), once, "U+{:04X}", u32::from(c));
            }
        }
    }

    fn title_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[\\u{0600}-\\u{06FF}\\u{08A0}-\\u{08FF}\\u{FB50}-\\u{FDFF}\\u{FE70}-\\u{FEFF} a-zA-Z0-9éÉß\\-_.,!?/#%،؛؟«»…\\u{00A0}\\u{200B}-\\u{200F}\\u{0300}-\\u{036F}]{0,120}",
            "[a-zA-Z\\u{0621}-\\u{064A}]{1,12}( [a-zA-Z\\u{0621}-\\u{064A}]{1,12}){0,20}",
        ]
    }

    /// "Contains a letter or digit" in the sense that matters: one that survives NFKC and is
    /// not itself a mark or tatweel (those are alphabetic to Rust but removed by design).
    fn has_letter_or_digit(s: &str) -> bool {
        s.nfkc().any(|c| {
            c.is_alphanumeric() && !is_combining_mark(c) && !is_arabic_mark(c) && c != TATWEEL
        })
    }

    proptest! {
        #[test]
        fn slugify_is_idempotent(s in title_strategy()) {
            let once = slugify(&s);
            prop_assert_eq!(slugify(&once), once.clone());
        }

        #[test]
        fn slugs_have_the_promised_shape(s in title_strategy()) {
            let slug = slugify(&s);
            prop_assert!(is_nfc(&slug));
            prop_assert!(slug.chars().count() <= MAX_SLUG_CHARS);
            prop_assert!(!slug.starts_with('-') && !slug.ends_with('-'));
            prop_assert!(!slug.contains("--"));
            for c in slug.chars() {
                prop_assert!(!is_arabic_mark(c) && c != TATWEEL, "{:?}", c);
                prop_assert!(!c.is_whitespace() && !matches!(c, '/' | '?' | '#' | '%'), "{:?}", c);
                prop_assert!(!is_removed_format(c));
            }
            if has_letter_or_digit(&s) {
                prop_assert!(!slug.is_empty(), "{:?}", s);
                prop_assert!(is_valid_slug(&slug));
            }
        }

        #[test]
        fn huge_inputs_do_not_panic(s in "\\PC{2000,5000}") {
            let slug = slugify(&s);
            prop_assert!(slug.chars().count() <= MAX_SLUG_CHARS);
        }
    }
}
