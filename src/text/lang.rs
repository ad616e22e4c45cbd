//! Language tags (BCP 47 / RFC 5646) for an article's `lang`, and the text direction
//! (`dir`) derived from them.
//!
//! This is a pragmatic, dependency-free well-formedness check, not a registry lookup: it does
//! not know which subtags IANA has registered (so `qq-ZZ` passes), but it rejects everything a
//! client is likely to send by mistake — language names (`english`), POSIX locales (`en_US`),
//! empty subtags (`en-`). The `language-tags` crate (already in the dependency tree through
//! actix) was considered and not used: it follows the RFC grammar literally and therefore
//! accepts `english` as a 5–8 letter "registered" language subtag.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The longest tag accepted. RFC 5646 sets no limit; real tags are far shorter, and a bound
/// keeps a hostile value from being stored and echoed back.
const MAX_TAG_LEN: usize = 64;

/// [`is_valid_language_tag`] as an ECMA-262 regular expression, for the OpenAPI document
/// (a test checks the two agree); tags are also at most 64 characters.
pub const LANGUAGE_TAG_PATTERN: &str = r"^([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}(-[A-Za-z]{4})?(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?|[Xx](-[A-Za-z0-9]{1,8})+)$";

/// Whether `tag` is a well-formed BCP 47 language tag, case-insensitively.
///
/// Accepted shape: `language[-extlang]{0,3}[-script][-region](-variant)*(-extension)*[-x-private]`,
/// or a private-use tag `x-…` on its own, where
/// - language is 2–3 letters (`ar`, `en`, `arz`). The RFC also allows 4-letter (reserved)
///   and 5–8-letter (registered) language subtags, but none has ever been registered and
///   accepting them would accept `english`; they are rejected;
/// - extlang is 3 letters (`zh-yue`, `ar-aao`), up to three;
/// - script is 4 letters (`Arab`, `Latn`, `Hant`);
/// - region is 2 letters or 3 digits (`EG`, `001`, `419`);
/// - a variant is 5–8 letters/digits, or 4 starting with a digit (`1996`);
/// - an extension is a singleton other than `x` followed by subtags of 2–8 letters/digits
///   (`u-nu-arab`);
/// - private use is `x` followed by subtags of 1–8 letters/digits.
///
/// Grandfathered irregular tags (`i-klingon`, `en-GB-oed`) are not accepted; they are
/// deprecated and have modern replacements. At most 64 characters.
#[must_use]
pub fn is_valid_language_tag(tag: &str) -> bool {
    // Well-formedness by RFC 5646's grammar, exactly what `LANGUAGE_TAG_PATTERN` says:
    // a repeated variant or singleton is well-formed, if not registry-valid, and a client
    // validating against the OpenAPI document must never be refused here.
    if tag.is_empty() || tag.len() > MAX_TAG_LEN {
        return false;
    }
    let parts: Vec<&str> = tag.split('-').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || p.len() > 8 || !p.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return false;
    }
    let is_alpha = |p: &str| p.bytes().all(|b| b.is_ascii_alphabetic());
    let is_digit = |p: &str| p.bytes().all(|b| b.is_ascii_digit());

    if parts[0].eq_ignore_ascii_case("x") {
        return is_private_use(&parts[1..]);
    }
    if !(2..=3).contains(&parts[0].len()) || !is_alpha(parts[0]) {
        return false;
    }
    let mut i = 1;
    let mut extlangs = 0;
    while i < parts.len() && extlangs < 3 && parts[i].len() == 3 && is_alpha(parts[i]) {
        i += 1;
        extlangs += 1;
    }
    if i < parts.len() && parts[i].len() == 4 && is_alpha(parts[i]) {
        i += 1;
    }
    if i < parts.len()
        && ((parts[i].len() == 2 && is_alpha(parts[i]))
            || (parts[i].len() == 3 && is_digit(parts[i])))
    {
        i += 1;
    }
    while i < parts.len() && is_variant(parts[i]) {
        i += 1;
    }
    while i < parts.len() && parts[i].len() == 1 && !parts[i].eq_ignore_ascii_case("x") {
        i += 1;
        let start = i;
        while i < parts.len() && parts[i].len() >= 2 {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    if i < parts.len() && parts[i].eq_ignore_ascii_case("x") {
        return is_private_use(&parts[i + 1..]);
    }
    i == parts.len()
}

/// A variant subtag: 5–8 letters or digits, or 4 characters starting with a digit.
fn is_variant(part: &str) -> bool {
    (5..=8).contains(&part.len()) || (part.len() == 4 && part.as_bytes()[0].is_ascii_digit())
}

/// The subtags after an `x` singleton: at least one, each 1–8 letters or digits (the
/// character set and maximum length were checked by the caller).
fn is_private_use(parts: &[&str]) -> bool {
    !parts.is_empty()
}

/// The canonical letter case of a language tag (RFC 5646 §2.1.1): everything lower-case,
/// except, before any singleton, 4-letter subtags after the first in title case (the script,
/// `Arab`) and 2-letter subtags after the first in upper case (the region, `EG`).
/// `AR-eg` → `ar-EG`, `ZH-HANT-tw` → `zh-Hant-TW`, `en-x-ca` → `en-x-ca`.
///
/// Only case changes: no subtag is replaced (`iw` stays `iw`). Meant for valid tags (check
/// with [`is_valid_language_tag`] first); other input is case-mapped by the same rule.
#[must_use]
pub fn canonical_language_tag(tag: &str) -> String {
    let mut after_singleton = false;
    let parts: Vec<String> = tag
        .split('-')
        .enumerate()
        .map(|(i, part)| {
            let lower = part.to_ascii_lowercase();
            if i == 0 || after_singleton {
                if i == 0 && lower.len() == 1 {
                    after_singleton = true;
                }
                return lower;
            }
            if lower.len() == 1 {
                after_singleton = true;
                return lower;
            }
            let alpha = lower.bytes().all(|b| b.is_ascii_alphabetic());
            match lower.len() {
                2 if alpha => lower.to_ascii_uppercase(),
                4 if alpha => {
                    let mut chars = lower.chars();
                    chars
                        .next()
                        .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                        .unwrap_or_default()
                }
                _ => lower,
            }
        })
        .collect();
    parts.join("-")
}

/// Text direction of an article, sent to clients as `dir` (`"ltr"` / `"rtl"`), the values of
/// the HTML `dir` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Left to right: Latin, Cyrillic, CJK and most scripts.
    Ltr,
    /// Right to left: Arabic, Hebrew, Thaana, Syriac, N'Ko and others.
    Rtl,
}

impl Direction {
    /// The wire form, as in JSON and the HTML `dir` attribute: `"ltr"` or `"rtl"`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ltr => "ltr",
            Self::Rtl => "rtl",
        }
    }
}

/// Script subtags (lower-case) written right to left: Adlam, Arabic (and Nastaliq), Hebrew,
/// Thaana, Syriac (and its variants), N'Ko, Mandaic, Mende Kikakui, Hanifi Rohingya,
/// Samaritan, Yezidi, and the historic RTL scripts (Aramaic, Avestan, Phoenician, Pahlavi,
/// Parthian, Sogdian, Nabataean, Palmyrene, Kharoshthi, Lydian, Manichaean, Meroitic, Old
/// Hungarian, Old Turkic, Old South/North Arabian, Cypriot, Elymaic, Hatran, Chorasmian, Old
/// Uyghur).
const RTL_SCRIPTS: [&str; 40] = [
    "adlm", "arab", "aran", "armi", "avst", "chrs", "cprt", "elym", "hatr", "hebr", "hung", "khar",
    "lydi", "mand", "mani", "mend", "merc", "mero", "narb", "nbat", "nkoo", "orkh", "ougr", "palm",
    "phli", "phlp", "phlv", "phnx", "prti", "rohg", "samr", "sarb", "sogd", "sogo", "syrc", "syre",
    "syrj", "syrn", "thaa", "yezi",
];

/// Primary language subtags whose usual script (CLDR's likely script) is right to left:
/// Arabic and its spoken varieties (arz Egyptian, ary Moroccan, apc Levantine, …), Persian
/// (fa, prs Dari, pes), Urdu, Pashto, Sindhi, Uyghur, Central Kurdish (ckb), Dhivehi, Hebrew
/// (and the deprecated `iw`), Yiddish (yi, `ji`), Syriac and Aramaic, Samaritan, N'Ko,
/// Kashmiri, Western Punjabi (pnb), Saraiki, South Azerbaijani (azb), Balochi, Gilaki,
/// Northern Luri, Mazanderani, Southern Kurdish (sdh), Bakhtiari, Khowar.
///
/// Languages written in several scripts whose default is Latin or another LTR script —
/// Kurdish `ku`, Hausa `ha`, Azerbaijani `az`, Uzbek `uz`, Punjabi `pa`, Malay `ms` — are
/// LTR unless the tag names an RTL script (`ku-Arab`, `ha-Arab`, `pa-Arab`).
const RTL_LANGUAGES: [&str; 47] = [
    "acm", "acw", "aeb", "afb", "aii", "ajp", "apc", "apd", "ar", "arb", "arc", "arq", "ars",
    "ary", "arz", "ayl", "ayp", "azb", "bal", "bgn", "bqi", "ckb", "dv", "fa", "glk", "he", "iw",
    "ji", "khw", "ks", "lrc", "mzn", "nqo", "pbt", "pbu", "pes", "pnb", "prs", "ps", "sam", "sd",
    "sdh", "skr", "syr", "ug", "ur", "yi",
];

/// The text direction for a language tag.
///
/// An explicit script subtag decides (`az-Arab` → rtl, `ku-Latn` → ltr, `sd-Deva` → ltr);
/// otherwise the primary language does (`ar`, `ar-EG`, `fa-IR`, `he` → rtl; `en`, `zh-TW`
/// → ltr). Anything unknown, private-use or malformed is LTR — the safe default for a page
/// that will still render. Tolerant of case and of `_` separators, since it is also used on
/// stored values.
#[must_use]
pub fn direction(tag: &str) -> Direction {
    let parts: Vec<String> = tag.split(['-', '_']).map(str::to_ascii_lowercase).collect();
    let Some(language) = parts.first() else {
        return Direction::Ltr;
    };
    let script = parts
        .iter()
        .skip(1)
        .take_while(|p| p.len() > 1)
        .find(|p| p.len() == 4 && p.bytes().all(|b| b.is_ascii_alphabetic()));
    let rtl = match script {
        Some(script) => RTL_SCRIPTS.contains(&script.as_str()),
        None => RTL_LANGUAGES.contains(&language.as_str()),
    };
    if rtl { Direction::Rtl } else { Direction::Ltr }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn common_tags_are_valid() {
        for tag in [
            "ar",
            "ar-EG",
            "ar-eg",
            "AR-EG",
            "en",
            "en-US",
            "en-GB",
            "fr",
            "zh-Hant-TW",
            "sr-Latn-RS",
            "ar-001",
            "es-419",
            "x-private",
            "ar-x-sahifa",
            "de-DE-1996",
            "sl-rozaj-biske",
            "zh-yue-HK",
            "ar-arz",
            "ar-u-nu-arab",
            "en-a-bbb-x-a-ccc",
            "ku-Arab-IQ",
            "arz",
            "ckb",
            "ha-Arab",
            "az-Latn-AZ",
            // Well-formed by the grammar (a 3-letter extlang), though no such subtag exists.
            "en-USA",
        ] {
            assert!(is_valid_language_tag(tag), "{tag}");
        }
    }

    #[test]
    fn repeated_variants_and_singletons_are_well_formed() {
        assert!(is_valid_language_tag("de-DE-1996-1996"));
        assert!(is_valid_language_tag("en-a-bbb-a-ccc"));
    }

    proptest! {
        /// The OpenAPI document's pattern and the server accept exactly the same tags.
        #[test]
        fn the_documented_pattern_agrees_with_the_check(tag in "([a-zA-Z0-9]{1,9}-?){1,6}|[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8}){0,5}") {
            let pattern = regex::Regex::new(LANGUAGE_TAG_PATTERN).unwrap();
            let by_pattern = pattern.is_match(&tag) && tag.len() <= 64;
            prop_assert_eq!(by_pattern, is_valid_language_tag(&tag), "{}", tag);
        }
    }

    #[test]
    fn malformed_tags_are_rejected() {
        for tag in [
            "",
            "english",
            "arabic",
            "a",
            "en_US",
            "en-",
            "-en",
            "en--US",
            "e1",
            "en US",
            "عربي",
            "en-x",
            "x",
            "x-",
            "x-toolongsubtag",
            "en-u",
            "en-u-x-a",
            "i-klingon",
            "1en",
            "en-Latn-Latn",
            "en-US-EG",
            "toolong",
            "ar-EG-",
        ] {
            assert!(!is_valid_language_tag(tag), "{tag}");
        }
        assert!(!is_valid_language_tag(&format!(
            "en-{}",
            ["abcdefgh"; 10].join("-")
        )));
    }

    #[test]
    fn canonical_case_follows_rfc_5646() {
        assert_eq!(canonical_language_tag("AR-eg"), "ar-EG");
        assert_eq!(canonical_language_tag("zh-hant-tw"), "zh-Hant-TW");
        assert_eq!(canonical_language_tag("SR-LATN-rs"), "sr-Latn-RS");
        assert_eq!(canonical_language_tag("ar-001"), "ar-001");
        assert_eq!(canonical_language_tag("EN-US-X-AB-ABCD"), "en-US-x-ab-abcd");
        assert_eq!(canonical_language_tag("en-u-ca-gregory"), "en-u-ca-gregory");
        assert_eq!(canonical_language_tag("X-Private"), "x-private");
        assert_eq!(canonical_language_tag("de-DE-1996"), "de-DE-1996");
        assert_eq!(canonical_language_tag(""), "");
    }

    #[test]
    fn arabic_script_languages_are_rtl() {
        for tag in [
            "ar", "ar-EG", "AR-sa", "fa", "fa-IR", "ur", "he", "iw", "yi", "ps", "sd", "ug", "dv",
            "ckb", "arc", "syr", "arz", "nqo",
        ] {
            assert_eq!(direction(tag), Direction::Rtl, "{tag}");
        }
    }

    #[test]
    fn the_script_subtag_decides_when_present() {
        for tag in [
            "ku-Arab",
            "ha-Arab",
            "az-Arab-IR",
            "pa-Arab",
            "ms-Arab",
            "ff-Adlm",
            "uz-Arab",
            "ji-Hebr",
            "man-Nkoo",
        ] {
            assert_eq!(direction(tag), Direction::Rtl, "{tag}");
        }
        for tag in [
            "ku-Latn", "az-Latn", "ar-Latn", "uz-Cyrl", "sd-Deva", "tg-Cyrl",
        ] {
            assert_eq!(direction(tag), Direction::Ltr, "{tag}");
        }
    }

    #[test]
    fn everything_else_is_ltr() {
        for tag in [
            "en",
            "en-US",
            "zh-Hant-TW",
            "ku",
            "ha",
            "az",
            "tr",
            "x-private",
            "",
            "english",
            "en_US",
            "qq-ZZ",
        ] {
            assert_eq!(direction(tag), Direction::Ltr, "{tag}");
        }
        // Tolerant of stored values with `_`; subtags after a singleton are not scripts.
        assert_eq!(direction("ar_EG"), Direction::Rtl);
        assert_eq!(direction("ar-x-latn"), Direction::Rtl);
        assert_eq!(direction("en-x-arab"), Direction::Ltr);
    }

    #[test]
    fn direction_serializes_as_html_dir_values() {
        assert_eq!(
            serde_json::to_string(&Direction::Rtl).ok().as_deref(),
            Some("\"rtl\"")
        );
        assert_eq!(
            serde_json::from_str::<Direction>("\"ltr\"").ok(),
            Some(Direction::Ltr)
        );
        assert!(serde_json::from_str::<Direction>("\"RTL\"").is_err());
        assert_eq!(Direction::Rtl.as_str(), "rtl");
        assert_eq!(Direction::Ltr.as_str(), "ltr");
    }

    proptest! {
        #[test]
        fn canonical_form_keeps_validity_and_is_stable(tag in "[a-zA-Z]{2,3}(-[a-zA-Z]{4})?(-([a-zA-Z]{2}|[0-9]{3}))?(-[a-zA-Z0-9]{5,8})?(-x-[a-zA-Z0-9]{1,8})?") {
            prop_assert!(is_valid_language_tag(&tag));
            let canonical = canonical_language_tag(&tag);
            prop_assert!(is_valid_language_tag(&canonical));
            prop_assert!(canonical.eq_ignore_ascii_case(&tag));
            prop_assert_eq!(canonical_language_tag(&canonical), canonical.clone());
            prop_assert_eq!(direction(&canonical), direction(&tag));
        }

        #[test]
        fn arbitrary_input_never_panics(tag in "\\PC{0,40}|[a-zA-Z0-9_-]{0,40}") {
            let _ = is_valid_language_tag(&tag);
            let _ = canonical_language_tag(&tag);
            let _ = direction(&tag);
        }
    }
}
