//! A light Arabic stemmer: strips the most frequent attached prefixes and suffixes so that
//! «التعاون», «تعاون» and «والتعاون» index and match as one term.
//!
//! It starts from Lucene's `ArabicStemmer` (Larkey, Ballesteros and Connell, "light10") and
//! runs on tokens that [`crate::text::normalize()`] has already folded. Two changes were made
//! after measuring it on a judged query set (`tests/search_quality.rs`):
//!
//! - **Prefixes** `ال، وال، بال، كال، فال، لل`: the first one in this order that the token
//!   starts with is removed, once, provided at least two letters remain. Lucene also strips a
//!   bare `و` ("and"), but in news text that breaks the many nouns that begin with و — «واشنطن»
//!   became اشنطن while «وواشنطن» became واشنطن, «وزير» became زير while «الوزير» became
//!   وزير. A bare و is ambiguous, so [`stem_word`] keeps *both* readings instead (the word with
//!   and without it), and the search matches either.
//! - **Suffixes** `ها، ان، ات، ون، ين، يه، ه، ي`: the list is walked again and again until no
//!   suffix applies, each removal leaving at least three letters. Lucene walks it once, in
//!   order, leaving two: then «فيضان» → فيض but «فيضانات» → فيضان, and «اليابان» → ياب but
//!   «الياباني» → يابان. Repeating with a three-letter floor gives one stem for singular,
//!   plural and adjective (فيض، ياب، برلم), and keeps short words such as «بيان» whole.
//!
//! Adaptation to our normalizer: Lucene's suffix list also has `ية` and `ة`, but here the
//! stemmer runs after normalization, where ة has become ه; `يه` and `ه` cover them, and ى has
//! become ي, so the `ي` entry covers both.
//!
//! - **Broken plurals** of common news nouns (أسعار → سعر, مساجد → مسجد) are replaced by their
//!   singular after the prefix is removed ([`super::plurals`]): affix stripping cannot join
//!   them, and Lucene's analyzer misses them too.
//!
//! - **A second alef-lam** after the article is removed too («الإلغاء» → غاء, as «إلغاء»):
//!   the article never doubles, so it begins the word itself, and the bare word has already
//!   lost it to the prefix rule. Lucene's stemmer gives the two forms different stems.
//! - **A ت before a possessive** (ته، تها، تهم، تهما، تنا) gives [`stem_word`] a second
//!   reading with the ت read as a ta marbuta: «مئذنته» matches «مئذنة», «حكومتها» «الحكومة».
//!
//! - **Names kept whole**: a few country names end in a suffix, and stripping it leaves a
//!   common word — «لبنان» would become لبن "milk", «البحرين» بحر "sea", «السودان» سود
//!   "black". Once suffix stripping reaches one of them ([`KEPT_WHOLE`]) it stops, so
//!   «اللبنانية» and «لبنان» still share a stem, and it is not «اللبن»'s.
//! - **Names not reached**: the other way round, stripping «الرياضة» "sport" (and
//!   «الرياضي», «رياضيون» …) would leave رياض, the stem of the city «الرياض». A word that
//!   only reaches such a name by losing a suffix gets the other word's stem instead
//!   ([`NOT_REACHED`]).
//!
//! A light stemmer is deliberately crude: it conflates some unrelated words («الدوري» and
//! «دور» share دور). It is meant for recall in news search, not as a lemmatizer. It is also
//! not idempotent: stem once.

use super::normalize::tokenize;

const PREFIXES: [&[char]; 6] = [
    &['ا', 'ل'],
    &['و', 'ا', 'ل'],
    &['ب', 'ا', 'ل'],
    &['ك', 'ا', 'ل'],
    &['ف', 'ا', 'ل'],
    &['ل', 'ل'],
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

/// Names that suffix stripping stops at (normalized: ة is ه, ى is ي), because what it would
/// leave is another common word.
const KEPT_WHOLE: [&str; 5] = ["لبنان", "بحرين", "سودان", "عمان", "ايران"];

/// (name, stem instead): a word that is not the name but strips down to it gets the second.
/// Public for the fuzz checks: the one kind of stem that is not part of its token.
pub const NOT_REACHED: [(&str, &str); 1] = [("رياض", "رياضه")];

/// Letters that must remain after a suffix is removed.
const MIN_STEM: usize = 3;

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
/// Arabic tokens lose at most one prefix and the suffixes listed in the module docs; the
/// result is never empty for a non-empty token and never longer than it. Any token that is
/// not made only of Arabic letters — Latin words, numbers, mixed tokens — is returned
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
        if end - start >= prefix.len() + 2 && chars[start..end].starts_with(prefix) {
            start += prefix.len();
            break;
        }
    }
    // A broken plural becomes its singular, which the suffixes are then stripped from. The
    // whole token is tried too: a plural that itself begins with alef-lam («ألبان») has just
    // lost it as if it were the article.
    let mut chars = chars;
    let word: String = chars[start..end].iter().collect();
    let singular = super::plurals::singular(&word).or_else(|| {
        (start > 0)
            .then(|| super::plurals::singular(token))
            .flatten()
    });
    if let Some(singular) = singular {
        chars = singular.chars().collect();
        start = 0;
        end = chars.len();
    } else if start > 0 && end - start >= 4 && chars[start..end].starts_with(&['ا', 'ل']) {
        // The article never doubles, so what follows it here begins with an alef-lam of its
        // own (إلغاء، ألعاب، إلكتروني، التزام). The bare word has already lost that alef-lam
        // to the prefix rule; losing it here too gives both forms one stem.
        start += 2;
    }
    loop {
        if KEPT_WHOLE.contains(&chars[start..end].iter().collect::<String>().as_str()) {
            break;
        }
        let stripped = SUFFIXES.iter().find(|suffix| {
            end - start >= suffix.len() + MIN_STEM && chars[start..end].ends_with(suffix)
        });
        match stripped {
            Some(suffix) => end -= suffix.len(),
            None => break,
        }
    }
    let stemmed: String = chars[start..end].iter().collect();
    let stripped = end < chars.len();
    match NOT_REACHED
        .iter()
        .find(|(name, _)| stripped && *name == stemmed)
    {
        Some((_, instead)) => (*instead).to_owned(),
        None => stemmed,
    }
}

/// The stems one word stands for, most likely first. A word has more than one reading
/// when it is ambiguous:
///
/// - it begins with a bare و that may be "and" (وطوكيو) or part of the word (واشنطن, وزير);
/// - it ends in ت before a possessive pronoun (ته، تها، تهم، تهما، تنا), which may be a
///   ta marbuta that became ت when the pronoun was attached («مئذنته» is «مئذنة» + ه,
///   «حكومتها» is «حكومة» + ها) or a ت of the word itself («بيته» is «بيت» + ه).
#[must_use]
pub fn stem_word(token: &str) -> Vec<String> {
    let conjunction = token.strip_prefix('و').filter(|rest| {
        is_arabic_word(rest) && rest.chars().count() >= 3 && !rest.starts_with("ال")
    });
    let mut readings: Vec<String> = Vec::with_capacity(2);
    for word in std::iter::once(token).chain(conjunction) {
        for stemmed in
            std::iter::once(stem(word)).chain(ta_marbuta_restored(word).map(|w| stem(&w)))
        {
            if !readings.contains(&stemmed) {
                readings.push(stemmed);
            }
        }
    }
    readings
}

/// Possessive pronouns that turn a final ta marbuta into ت (normalized: ه for ة).
const POSSESSIVES: [&str; 5] = ["هما", "هم", "ها", "نا", "ه"];

/// `word` with its ت + possessive read as a ta marbuta (normalized to ه), when at least two
/// letters precede the ت and the word is Arabic. Public for the fuzz checks: a stem of this
/// reading may end in a ه the token does not have.
#[must_use]
pub fn ta_marbuta_restored(word: &str) -> Option<String> {
    // Every word of every indexed body comes through here: the cheap suffix test first.
    let base = POSSESSIVES
        .iter()
        .find_map(|pronoun| word.strip_suffix(pronoun)?.strip_suffix('ت'))?;
    (base.chars().count() >= 2 && is_arabic_word(word)).then(|| format!("{base}ه"))
}

/// Tokenizes text with [`tokenize`] (so it is normalized first) and stems each word; a word
/// with two readings contributes both stems.
#[must_use]
pub fn stem_tokens(text: &str) -> Vec<String> {
    tokenize(text).iter().flat_map(|t| stem_word(t)).collect()
}

/// [`stem_tokens`] grouped by word: each inner list holds the readings of one word.
#[must_use]
pub fn stem_words(text: &str) -> Vec<Vec<String>> {
    tokenize(text).iter().map(|t| stem_word(t)).collect()
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
    fn a_bare_waw_gives_both_readings() {
        assert_eq!(stem_word("واشنطن"), vec!["واشنطن", "اشنطن"]);
        assert_eq!(stem_word("وطوكيو"), vec!["وطوكيو", "طوكيو"]);
        assert_eq!(stem_word("وزير"), vec!["وزير", "زير"]);
        assert_eq!(
            stem_word("ولد"),
            vec!["ولد"],
            "too short to be «and» + word"
        );
        assert_eq!(
            stem_word("والتعاون"),
            vec!["تعا"],
            "وال is a prefix of its own"
        );
        // The readings of «وواشنطن» include the stem of «واشنطن».
        assert!(stem_word("وواشنطن").contains(&stem("واشنطن")));
    }

    #[test]
    fn singular_plural_and_adjective_share_a_stem() {
        for (a, b) in [
            ("فيضان", "فيضانات"),
            ("اليابان", "الياباني"),
            ("البرلمان", "البرلمانية"),
            ("امتحان", "الامتحانات"),
            ("المعلمون", "المعلمين"),
            ("لبنان", "اللبنانية"),
        ] {
            assert_eq!(stem_of(a), stem_of(b), "{a} / {b}");
        }
    }

    #[test]
    fn country_names_do_not_become_common_words() {
        for (name, other) in [("لبنان", "اللبن"), ("البحرين", "البحر"), ("السودان", "سود")]
        {
            assert_ne!(stem_of(name), stem_of(other), "{name} / {other}");
        }
        assert_ne!(stem_of("الرياض"), stem_of("الرياضة"));
        assert_eq!(stem_of("الرياضة"), stem_of("الرياضيين"));
        for (a, b) in [("البحرين", "البحرينية"), ("السودان", "السوداني")]
        {
            assert_eq!(stem_of(a), stem_of(b), "{a} / {b}");
        }
    }

    #[test]
    fn short_words_keep_three_letters() {
        assert_eq!(stem_of("بيان"), "بيان");
        assert_eq!(stem_of("بيانات"), "بيان");
        assert_eq!(stem("ال"), "ال");
        assert_eq!(stem("الي"), "الي");
        assert_eq!(stem("الله"), "له");
        assert_eq!(stem("ها"), "ها");
        assert_eq!(stem("ب"), "ب");
    }

    #[test]
    fn non_arabic_tokens_are_unchanged() {
        for token in ["rust", "services", "newsrooms", "2026", "ال2026", "cms", ""] {
            assert_eq!(stem(token), token);
        }
    }

    #[test]
    fn words_that_begin_with_alef_lam_share_a_stem_with_and_without_the_article() {
        for (bare, definite) in [
            ("ألعاب", "الألعاب"),
            ("إلغاء", "الإلغاء"),
            ("إلكترونية", "الإلكترونية"),
            ("التزام", "والالتزام"),
            ("ألماني", "للألمانية"),
        ] {
            assert_eq!(stem_of(bare), stem_of(definite), "{bare} / {definite}");
        }
        assert_eq!(
            stem_of("ألبان"),
            stem_of("لبن"),
            "a plural that begins with alef-lam"
        );
        assert_eq!(stem_of("الألبان"), stem_of("لبن"));
        assert_eq!(stem_of("الألم"), stem_of("ألم"), "two letters must remain");
        assert_ne!(stem_of("الألعاب"), stem_of("العب"));
    }

    #[test]
    fn a_ta_before_a_possessive_is_also_read_as_a_ta_marbuta() {
        let readings = |word: &str| stem_word(&normalize(word));
        for (owned, bare) in [
            ("ومئذنته", "مئذنة"),
            ("حكومتها", "الحكومة"),
            ("سياستهم", "السياسة"),
            ("دولتنا", "دولة"),
            ("بيته", "بيت"),
        ] {
            let bare = stem_of(bare);
            assert!(
                readings(owned).contains(&bare),
                "{owned}: {:?} lacks {bare}",
                readings(owned)
            );
        }
        assert_eq!(
            readings("بيته")[0],
            "بيت",
            "the ت of the word is the first reading"
        );
        assert_eq!(readings("ستة").len(), 1, "too short to carry a pronoun");
        assert_eq!(readings("بيت"), vec!["بيت"]);
    }

    #[test]
    fn stem_words_groups_the_readings_of_each_word() {
        assert_eq!(
            stem_words("وزير الخارجية"),
            vec![
                vec!["وزير".to_owned(), "زير".to_owned()],
                vec!["خارج".to_owned()]
            ]
        );
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
