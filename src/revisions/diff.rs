//! Word-level diff of two revisions of an article's title or body.
//!
//! Arabic copy editors routinely add or correct tashkeel (ـَ ـُ ـِ ـّ …) to disambiguate a
//! word — «عمان» → «عَمّان» (Amman, not Oman) — without changing a single letter. A naive
//! character or word diff shows that as every touched word deleted and rewritten, which hides
//! the real edits among false ones and makes a harmless vowelling pass look like a rewrite.
//! So tokens are compared by a key with the diacritics (and tatweel) taken out, and a word
//! whose key is unchanged but whose marks changed is reported as its own kind of run,
//! [`DiffKind::Tashkeel`], carrying both spellings.
//!
//! The key is computed after NFC so that canonically equivalent spellings (a hamza written as
//! a combining mark vs the precomposed «أ», a decomposed «é») are the *same* text, as Unicode
//! says they are: bodies are not normalized on input (titles are), and an editor must not be
//! told that an untouched word changed. NFC also composes alef + hamza into one letter
//! before the marks are stripped, so «أمس» vs «امس» stays a real change.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// One run of a word diff.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DiffOp {
    /// `equal`, `insert`, `delete`, or `tashkeel` (the same words whose only change is their Arabic diacritics)
    pub op: DiffKind,
    /// The text of the run as it is in the newer revision (for `delete`: as it was in the older one).
    pub text: String,
    /// For `tashkeel` only: the text as it was in the older revision.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

/// What happened to a run of text between the two revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DiffKind {
    /// Unchanged (possibly up to Unicode canonical equivalence).
    Equal,
    /// Only in the newer revision.
    Insert,
    /// Only in the older revision.
    Delete,
    /// The same words, with different Arabic diacritics or tatweel.
    Tashkeel,
}

/// How long the diff may search for a minimal edit script. Past it, `similar` falls back to
/// a coarser (still correct) script, so a pathological pair of long bodies cannot hold a
/// request worker hostage.
const DEADLINE: Duration = Duration::from_millis(200);

/// Word-level diff of `old` to `new`.
///
/// Runs of the same kind are merged. Where words were replaced, a `delete` run comes before
/// its `insert` run. Two readability choices go beyond a plain token diff:
///
/// - a single gap (space, punctuation) that is unchanged but sits *between two changes* is
///   moved into them, so replacing a phrase reads as «delete "one two", insert "three four"»
///   rather than alternating fragments around each shared space;
/// - a single unchanged gap between two `tashkeel` words is folded into the `tashkeel` run,
///   so a vowelling pass over a phrase is one run whose `before` is the whole old phrase.
///
/// Concatenating the `text` of the `equal`, `insert` and `tashkeel` runs gives `new` back
/// exactly; concatenating `equal` text, `delete` text and `tashkeel` `before` gives `old` back
/// exactly, except where `old` held a canonically equivalent (same after NFC) but differently
/// encoded spelling of an `equal` run — that run's text is the new side's.
pub fn words(old: &str, new: &str) -> Vec<DiffOp> {
    if old == new {
        return if new.is_empty() {
            Vec::new()
        } else {
            vec![op(DiffKind::Equal, new, None)]
        };
    }
    if old.is_empty() {
        return vec![op(DiffKind::Insert, new, None)];
    }
    if new.is_empty() {
        return vec![op(DiffKind::Delete, old, None)];
    }

    let old_tokens = tokenize(old);
    let new_tokens = tokenize(new);
    let old_keys: Vec<Key<'_>> = old_tokens.iter().map(Token::key).collect();
    let new_keys: Vec<Key<'_>> = new_tokens.iter().map(Token::key).collect();

    // `None` (no deadline) only if the clock cannot represent now + 200 ms.
    let deadline = Instant::now().checked_add(DEADLINE);
    let script = similar::capture_diff_slices_deadline(
        similar::Algorithm::Myers,
        &old_keys,
        &new_keys,
        deadline,
    );

    let mut items: Vec<Item<'_>> = Vec::with_capacity(old_tokens.len().max(new_tokens.len()));
    for step in &script {
        let (tag, old_range, new_range) = step.as_tag_tuple();
        match tag {
            similar::DiffTag::Equal => {
                for (o, n) in old_tokens[old_range].iter().zip(&new_tokens[new_range]) {
                    items.push(Item::same(o, n));
                }
            }
            similar::DiffTag::Delete | similar::DiffTag::Insert | similar::DiffTag::Replace => {
                for o in &old_tokens[old_range] {
                    items.push(Item::change(o.text, "", o.gap));
                }
                for n in &new_tokens[new_range] {
                    items.push(Item::change("", n.text, n.gap));
                }
            }
        }
    }

    absorb_gaps_between_changes(&mut items);
    fold_gaps_between_tashkeel(&mut items);
    emit(&items)
}

/// True when the two texts differ only in Arabic diacritics (tashkeel) — after NFC.
///
/// Tatweel counts as a diacritic here. Texts that are equal after NFC do not differ at all,
/// so the answer for them is `false`.
pub fn only_tashkeel_differs(old: &str, new: &str) -> bool {
    let old: String = old.nfc().collect();
    let new: String = new.nfc().collect();
    old != new
        && old
            .chars()
            .filter(|&c| !is_diacritic(c))
            .eq(new.chars().filter(|&c| !is_diacritic(c)))
}

/// The Arabic marks (and tatweel) that a revision may add, remove or change without changing
/// the word: the harakat, tanween, shadda, sukun, superscript alef, and the Quranic small
/// signs that sit on letters. Not U+06DD/U+06DE/U+06E9 (end of ayah, rub el hizb, sajdah:
/// symbols standing on their own) nor U+06E5/U+06E6 (small waw/yeh: spacing letters).
fn is_diacritic(c: char) -> bool {
    matches!(
        c,
        '\u{064B}'..='\u{065F}'
            | '\u{0670}'
            | '\u{06D6}'..='\u{06DC}'
            | '\u{06DF}'..='\u{06E4}'
            | '\u{06E7}'
            | '\u{06E8}'
            | '\u{06EA}'..='\u{06ED}'
            | '\u{0640}'
    )
}

/// Diacritics must never split a word, or a vowelled word would become several tokens and
/// could not line up with its plain spelling. Other scripts' combining marks (a decomposed
/// «é») are held to the same rule for the same reason.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_diacritic(c) || is_combining_mark(c)
}

/// A maximal run of word characters, or of everything else (a "gap").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token<'a> {
    text: &'a str,
    gap: bool,
}

/// What tokens are compared by. The word/gap flag keeps a word whose key is empty (a lone
/// tatweel) or odd from ever lining up with punctuation.
type Key<'a> = (bool, Cow<'a, str>);

impl<'a> Token<'a> {
    fn key(&self) -> Key<'a> {
        let plain = !self.text.chars().any(is_diacritic);
        let key = if plain && unicode_normalization::is_nfc(self.text) {
            Cow::Borrowed(self.text)
        } else {
            Cow::Owned(
                self.text
                    .nfc()
                    .filter(|&c| !is_diacritic(c))
                    .collect::<String>(),
            )
        };
        (self.gap, key)
    }
}

/// Splits `text` into alternating word and gap tokens whose concatenation is `text`.
fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (i, c) in text.char_indices() {
        let gap = !is_word_char(c);
        match current {
            Some(kind) if kind == gap => {}
            Some(kind) => {
                tokens.push(Token {
                    text: &text[start..i],
                    gap: kind,
                });
                start = i;
                current = Some(gap);
            }
            None => current = Some(gap),
        }
    }
    if let Some(gap) = current {
        tokens.push(Token {
            text: &text[start..],
            gap,
        });
    }
    tokens
}

/// A token's fate, before runs are merged. `Change` covers deletions (`new` empty),
/// insertions (`old` empty), and unchanged gaps absorbed into a replacement (both set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Equal,
    Tashkeel,
    Change,
}

#[derive(Debug, Clone, Copy)]
struct Item<'a> {
    fate: Fate,
    old: &'a str,
    new: &'a str,
    gap: bool,
}

impl<'a> Item<'a> {
    /// A key-equal pair. Canonically equivalent spellings are `Equal`: only a difference an
    /// editor can see (in the marks) is worth a `tashkeel` run.
    fn same(old: &Token<'a>, new: &Token<'a>) -> Self {
        let fate = if old.text == new.text || old.text.nfc().eq(new.text.nfc()) {
            Fate::Equal
        } else {
            Fate::Tashkeel
        };
        Item {
            fate,
            old: old.text,
            new: new.text,
            gap: new.gap,
        }
    }

    fn change(old: &'a str, new: &'a str, gap: bool) -> Self {
        Item {
            fate: Fate::Change,
            old,
            new,
            gap,
        }
    }
}

/// Indices of the unchanged gaps whose neighbours on both sides have fate `neighbour`.
fn gaps_between(items: &[Item<'_>], neighbour: Fate) -> Vec<usize> {
    (1..items.len().saturating_sub(1))
        .filter(|&i| {
            items[i].fate == Fate::Equal
                && items[i].gap
                && items[i - 1].fate == neighbour
                && items[i + 1].fate == neighbour
        })
        .collect()
}

/// Myers happily matches the single spaces between otherwise unrelated words; shown to an
/// editor, that chops one replaced phrase into word-by-word fragments.
fn absorb_gaps_between_changes(items: &mut [Item<'_>]) {
    for i in gaps_between(items, Fate::Change) {
        items[i].fate = Fate::Change;
    }
}

/// A vowelling pass over a phrase is one edit; splitting it at every space would make the
/// editor compare each word's `before` separately.
fn fold_gaps_between_tashkeel(items: &mut [Item<'_>]) {
    for i in gaps_between(items, Fate::Tashkeel) {
        items[i].fate = Fate::Tashkeel;
    }
}

fn emit(items: &[Item<'_>]) -> Vec<DiffOp> {
    let mut ops: Vec<DiffOp> = Vec::new();
    let mut i = 0;
    while i < items.len() {
        let item = items[i];
        match item.fate {
            Fate::Equal => push(&mut ops, DiffKind::Equal, item.new, None),
            Fate::Tashkeel => push(&mut ops, DiffKind::Tashkeel, item.new, Some(item.old)),
            Fate::Change => {
                // The whole change region at once, so that it is exactly one `delete` then
                // one `insert`, whatever order the diff interleaved them in.
                let mut deleted = String::new();
                let mut inserted = String::new();
                while i < items.len() && items[i].fate == Fate::Change {
                    deleted.push_str(items[i].old);
                    inserted.push_str(items[i].new);
                    i += 1;
                }
                if !deleted.is_empty() {
                    push(&mut ops, DiffKind::Delete, &deleted, None);
                }
                if !inserted.is_empty() {
                    push(&mut ops, DiffKind::Insert, &inserted, None);
                }
                continue;
            }
        }
        i += 1;
    }
    ops
}

/// Appends a run, merging it into the previous one when they are of the same kind.
fn push(ops: &mut Vec<DiffOp>, kind: DiffKind, text: &str, before: Option<&str>) {
    if let Some(last) = ops.last_mut().filter(|last| last.op == kind) {
        last.text.push_str(text);
        if let (Some(acc), Some(before)) = (last.before.as_mut(), before) {
            acc.push_str(before);
        }
        return;
    }
    ops.push(op(kind, text, before));
}

fn op(kind: DiffKind, text: &str, before: Option<&str>) -> DiffOp {
    DiffOp {
        op: kind,
        text: text.to_owned(),
        before: before.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eq(text: &str) -> DiffOp {
        op(DiffKind::Equal, text, None)
    }
    fn ins(text: &str) -> DiffOp {
        op(DiffKind::Insert, text, None)
    }
    fn del(text: &str) -> DiffOp {
        op(DiffKind::Delete, text, None)
    }
    fn tash(before: &str, after: &str) -> DiffOp {
        op(DiffKind::Tashkeel, after, Some(before))
    }

    fn strip(text: &str) -> String {
        text.nfc().filter(|&c| !is_diacritic(c)).collect()
    }

    /// The properties every diff must have, whatever the input.
    fn check_invariants(old: &str, new: &str) -> Vec<DiffOp> {
        let ops = words(old, new);

        let rebuilt_new: String = ops
            .iter()
            .filter(|o| o.op != DiffKind::Delete)
            .map(|o| o.text.as_str())
            .collect();
        assert_eq!(rebuilt_new, new, "new side of {old:?} -> {new:?}: {ops:?}");

        let rebuilt_old: String = ops
            .iter()
            .filter_map(|o| match o.op {
                DiffKind::Equal | DiffKind::Delete => Some(o.text.as_str()),
                DiffKind::Tashkeel => o.before.as_deref(),
                DiffKind::Insert => None,
            })
            .collect();
        // Exact whenever `old` spells its unchanged runs as `new` does; the two are always
        // the same text after NFC.
        assert_eq!(
            rebuilt_old.nfc().collect::<String>(),
            old.nfc().collect::<String>(),
            "old side of {old:?} -> {new:?}: {ops:?}"
        );

        for o in &ops {
            assert!(!o.text.is_empty(), "empty run in {ops:?}");
            match o.op {
                DiffKind::Tashkeel => {
                    let before = o.before.as_deref().expect("tashkeel without before");
                    assert_eq!(
                        strip(before),
                        strip(&o.text),
                        "not a tashkeel change: {o:?}"
                    );
                    assert_ne!(
                        before.nfc().collect::<String>(),
                        o.text.nfc().collect::<String>(),
                        "tashkeel run that does not differ: {o:?}"
                    );
                }
                _ => assert_eq!(o.before, None, "before on a non-tashkeel run: {o:?}"),
            }
        }
        for pair in ops.windows(2) {
            assert_ne!(pair[0].op, pair[1].op, "unmerged runs in {ops:?}");
            assert!(
                !(pair[0].op == DiffKind::Insert && pair[1].op == DiffKind::Delete),
                "insert before delete in {ops:?}"
            );
        }

        let changed = ops
            .iter()
            .any(|o| matches!(o.op, DiffKind::Insert | DiffKind::Delete));
        let tashkeel = ops.iter().any(|o| o.op == DiffKind::Tashkeel);
        assert_eq!(
            only_tashkeel_differs(old, new),
            tashkeel && !changed,
            "only_tashkeel_differs disagrees with {ops:?}"
        );
        ops
    }

    #[test]
    fn english_word_replacement() {
        assert_eq!(
            check_invariants("the quick fox", "the slow fox"),
            vec![eq("the "), del("quick"), ins("slow"), eq(" fox")]
        );
    }

    #[test]
    fn arabic_word_insert() {
        assert_eq!(
            check_invariants("قال الوزير", "قال الوزير اليوم"),
            vec![eq("قال الوزير"), ins(" اليوم")]
        );
    }

    #[test]
    fn arabic_word_delete_in_the_middle() {
        let ops = check_invariants("قال الوزير اليوم إن", "قال الوزير إن");
        assert_eq!(ops.len(), 3, "{ops:?}");
        assert_eq!(ops[1].op, DiffKind::Delete);
        assert_eq!(ops[1].text.trim(), "اليوم");
    }

    #[test]
    fn tashkeel_only_change_is_one_tashkeel_run() {
        let old = "عمان";
        let new = "\u{0639}\u{064E}\u{0645}\u{0651}\u{0627}\u{0646}"; // عَمّان
        assert_eq!(check_invariants(old, new), vec![tash(old, new)]);
        assert!(only_tashkeel_differs(old, new));
        assert!(only_tashkeel_differs(new, old));
    }

    #[test]
    fn tashkeel_on_consecutive_words_is_one_run_with_the_gaps() {
        let old = "زار عمان الأردن";
        let new = "زار عَمّان الأُرْدُنّ";
        assert_eq!(
            check_invariants(old, new),
            vec![eq("زار "), tash("عمان الأردن", "عَمّان الأُرْدُنّ")]
        );
        assert!(only_tashkeel_differs(old, new));
    }

    #[test]
    fn tashkeel_runs_are_not_joined_across_an_unchanged_word() {
        assert_eq!(
            check_invariants("عمان و الأردن", "عَمّان و الأُرْدُنّ"),
            vec![tash("عمان", "عَمّان"), eq(" و "), tash("الأردن", "الأُرْدُنّ")]
        );
    }

    #[test]
    fn real_change_alongside_tashkeel_change() {
        let old = "زار الملك عمان أمس";
        let new = "زار الملك عَمّان اليوم";
        assert_eq!(
            check_invariants(old, new),
            vec![
                eq("زار الملك "),
                tash("عمان", "عَمّان"),
                eq(" "),
                del("أمس"),
                ins("اليوم"),
            ]
        );
        assert!(!only_tashkeel_differs(old, new));
    }

    #[test]
    fn arabic_punctuation_is_preserved() {
        let old = "هل قال الوزير، أمس؟";
        let new = "هل قال الرئيس، أمس؟";
        assert_eq!(
            check_invariants(old, new),
            vec![eq("هل قال "), del("الوزير"), ins("الرئيس"), eq("، أمس؟")]
        );
        assert_eq!(
            check_invariants("قال الوزير", "قال الوزير، أمس؟"),
            vec![eq("قال الوزير"), ins("، أمس؟")]
        );
    }

    #[test]
    fn punctuation_change_is_a_real_change() {
        assert_eq!(
            check_invariants("قال الوزير.", "قال الوزير؟"),
            vec![eq("قال الوزير"), del("."), ins("؟")]
        );
    }

    #[test]
    fn tatweel_only_change_counts_as_tashkeel() {
        let old = "الوزير";
        let new = "الوزيــر";
        assert_eq!(check_invariants(old, new), vec![tash(old, new)]);
        assert!(only_tashkeel_differs(old, new));
    }

    #[test]
    fn replaced_phrase_is_one_delete_and_one_insert() {
        assert_eq!(
            check_invariants("he said one two three today", "he said four five six today"),
            vec![
                eq("he said "),
                del("one two three"),
                ins("four five six"),
                eq(" today")
            ]
        );
    }

    #[test]
    fn empty_inputs() {
        assert!(check_invariants("", "").is_empty());
        assert_eq!(check_invariants("", "قال الوزير"), vec![ins("قال الوزير")]);
        assert_eq!(check_invariants("قال الوزير", ""), vec![del("قال الوزير")]);
        assert!(!only_tashkeel_differs("", ""));
    }

    #[test]
    fn identical_texts_are_one_equal_run() {
        assert_eq!(
            check_invariants("قال الوزير، أمس؟", "قال الوزير، أمس؟"),
            vec![eq("قال الوزير، أمس؟")]
        );
        assert!(!only_tashkeel_differs("عمان", "عمان"));
    }

    #[test]
    fn canonically_equivalent_spellings_are_equal_not_tashkeel() {
        // Alef + combining hamza above composes to «أ» under NFC: same letter, no change.
        let decomposed = "\u{0627}\u{0654}\u{0645}\u{0633}";
        let composed = "\u{0623}\u{0645}\u{0633}";
        assert_eq!(check_invariants(decomposed, composed), vec![eq(composed)]);
        assert!(!only_tashkeel_differs(decomposed, composed));
        assert_eq!(
            check_invariants("cafe\u{0301} noir", "caf\u{00E9} noir"),
            vec![eq("caf\u{00E9} noir")]
        );
    }

    #[test]
    fn hamza_is_a_letter_not_a_diacritic() {
        assert_eq!(check_invariants("أمس", "امس"), vec![del("أمس"), ins("امس")]);
        assert!(!only_tashkeel_differs("أمس", "امس"));
    }

    #[test]
    fn tokens_round_trip_and_diacritics_do_not_split_words() {
        for text in [
            "عَمّان، 2024؟",
            "  قال: «الوزيـــر» —\n\nنعم ",
            "e\u{0301}te\u{0301} 3.5%",
            "؟",
            "كلمة",
        ] {
            let tokens = tokenize(text);
            assert_eq!(tokens.iter().map(|t| t.text).collect::<String>(), text);
            for pair in tokens.windows(2) {
                assert_ne!(pair[0].gap, pair[1].gap, "{tokens:?}");
            }
        }
        let texts: Vec<&str> = tokenize("عَمّان، 2024؟").iter().map(|t| t.text).collect();
        assert_eq!(texts, ["عَمّان", "، ", "2024", "؟"]);
    }

    #[test]
    fn reconstruction_on_mixed_strings() {
        let cases = [
            (
                "قال الوزير، أمس؟ إن الحكومة",
                "قال الوَزِير اليوم: إن الحكومةَ",
            ),
            ("The PM said: «لا»", "The PM said — «لَا»!"),
            ("  leading and trailing  ", "leading, trailing"),
            ("عمان عمان عمان", "عَمّان عمان عُمان"),
            ("a b c d e", "e d c b a"),
            ("٢٠٢٤ 2024", "2024 ٢٠٢٤"),
            ("الوزيـــر", "الوزير الوزير"),
            ("x", "ـ"),
            ("، ، ،", "،،،"),
        ];
        for (old, new) in cases {
            check_invariants(old, new);
            check_invariants(new, old);
        }
    }

    /// Deterministic generated edits over words that come in diacritic families, so that
    /// tashkeel changes, real changes and punctuation mix in every way.
    #[test]
    fn reconstruction_on_generated_edits() {
        const FAMILIES: &[&[&str]] = &[
            &["قال", "قَالَ", "قـال"],
            &["الوزير", "الوَزِير", "الوزيـر"],
            &["عمان", "عَمّان", "عُمان"],
            &["اليوم", "اليَوْم"],
            &["أمس", "امس"],
            &["news", "News"],
            &["2024", "٢٠٢٤"],
        ];
        const GAPS: &[&str] = &[" ", "، ", "؟ ", ". ", "\n\n", " — ", "«", "» "];

        let mut state: u64 = 0x5EED_CAFE;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((state >> 33) as usize) % n
        };

        for _ in 0..500 {
            let len = next(8);
            let mut old = String::new();
            let mut new = String::new();
            for _ in 0..len {
                let family = FAMILIES[next(FAMILIES.len())];
                let word = family[next(family.len())];
                let gap = GAPS[next(GAPS.len())];
                old.push_str(word);
                old.push_str(gap);
                match next(10) {
                    0..=4 => {
                        new.push_str(word);
                        new.push_str(gap);
                    }
                    5 | 6 => {
                        new.push_str(family[next(family.len())]);
                        new.push_str(gap);
                    }
                    7 => {}
                    8 => {
                        new.push_str(word);
                        new.push_str(gap);
                        let other = FAMILIES[next(FAMILIES.len())];
                        new.push_str(other[next(other.len())]);
                        new.push_str(GAPS[next(GAPS.len())]);
                    }
                    _ => {
                        let other = FAMILIES[next(FAMILIES.len())];
                        new.push_str(other[next(other.len())]);
                        new.push_str(gap);
                    }
                }
            }
            check_invariants(&old, &new);
            check_invariants(&new, &old);
        }
    }

    #[test]
    fn serializes_as_documented() {
        // The wire shape is the contract with the admin UI: lowercase kinds, no `before`
        // key outside tashkeel runs.
        let json = serde_json::to_string(&words("عمان", "عَمّان")).unwrap();
        assert_eq!(json, r#"[{"op":"tashkeel","text":"عَمّان","before":"عمان"}]"#);
        let json = serde_json::to_string(&words("a", "b")).unwrap();
        assert_eq!(
            json,
            r#"[{"op":"delete","text":"a"},{"op":"insert","text":"b"}]"#
        );
    }
}
