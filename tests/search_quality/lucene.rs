//! The baseline Sahifa's search is measured against: what a newsroom gets by putting
//! Lucene's (or Elasticsearch's) `arabic` and `english` analyzers behind any CMS, re-implemented
//! here from Lucene's rules so that it shares no code with Sahifa.
//!
//! **Analysis.** Each token is analyzed by the chain of its script: a token with any character
//! of the Arabic blocks goes through `ArabicAnalyzer`'s filters, any other through
//! `EnglishAnalyzer`'s. For monolingual text this is what indexing each language with its own
//! analyzer and querying both gives.
//! - Tokenizer (`StandardTokenizer`, simplified UAX #29): a token is a run of letters, digits
//!   and combining marks (tashkeel, tatweel); an apostrophe or a full stop joins two letters
//!   (`U.S.`, `Jordan's`), a full stop, comma or Arabic separator joins two digits (`3,500`,
//!   `4.8`, `٦٫٢`). Letters and digits next to each other stay one token (`COP30`).
//! - Arabic (`ArabicAnalyzer`): lower-case; `DecimalDigitFilter` (Arabic-Indic and extended
//!   Arabic-Indic digits → ASCII); `StopFilter` with Lucene's Arabic list (Savoy's, *before*
//!   normalization, as Lucene applies it); `ArabicNormalizationFilter` (آ أ إ → ا, ى → ي,
//!   ة → ه, tashkeel and tatweel removed); `ArabicStemFilter` (Larkey's light stemmer: the
//!   first matching prefix of ال وال بال كال فال لل و is removed when two letters remain, three
//!   for و; then each suffix of ها ان ات ون ين يه ية ه ة ي is removed in that order, once,
//!   when two letters remain).
//! - English (`EnglishAnalyzer`): possessive `'s` removed; lower-case; Lucene's 33 English
//!   stop words; Porter's stemmer (the original algorithm, as Lucene's `PorterStemFilter`
//!   implements it — not Snowball's English stemmer, "Porter 2").
//!
//! Not reproduced: Lucene's lossy one-byte encoding of field lengths (exact lengths are used
//! here) and the rarer UAX #29 rules (Katakana, Hebrew quotes, emoji sequences).
//!
//! **Ranking.** BM25 (k1 = 1.2, b = 0.75, Lucene's formula `idf · tf / (tf + k1 · (1 − b +
//! b · dl / avgdl))` with `idf = ln(1 + (N − df + 0.5) / (df + 0.5))`), computed per field with
//! that field's statistics, multiplied by the field's boost and summed over fields and query
//! terms (Elasticsearch's `multi_match` of type `most_fields`). Any query term may match (OR).
//! Boosts: title 3, tags 2, excerpt 1.5, body 1 — the order the issue asks for
//! (title > tags > excerpt > body), in the ratios newsroom search setups commonly use.
//! Ties are broken by corpus position (Lucene breaks them by document id).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

pub const K1: f64 = 1.2;
pub const B: f64 = 0.75;

/// The fields of a document and their boosts, in the order [`Document`] gives them.
pub const FIELDS: [(&str, f64); 4] = [
    ("title", 3.0),
    ("tags", 2.0),
    ("excerpt", 1.5),
    ("body", 1.0),
];

/// Lucene's `ArabicAnalyzer` stop words (`org/apache/lucene/analysis/ar/stopwords.txt`,
/// Jacques Savoy's list, BSD licence; not normalized, so some words appear in several
/// spellings).
const ARABIC_STOP_WORDS: &[&str] = &[
    "من",
    "ومن",
    "منها",
    "منه",
    "في",
    "وفي",
    "فيها",
    "فيه",
    "و",
    "ف",
    "ثم",
    "او",
    "أو",
    "ب",
    "بها",
    "به",
    "ا",
    "أ",
    "اى",
    "اي",
    "أي",
    "أى",
    "لا",
    "ولا",
    "الا",
    "ألا",
    "إلا",
    "لكن",
    "ما",
    "وما",
    "كما",
    "فما",
    "عن",
    "مع",
    "اذا",
    "إذا",
    "ان",
    "أن",
    "إن",
    "انها",
    "أنها",
    "إنها",
    "انه",
    "أنه",
    "إنه",
    "بان",
    "بأن",
    "فان",
    "فأن",
    "وان",
    "وأن",
    "وإن",
    "التى",
    "التي",
    "الذى",
    "الذي",
    "الذين",
    "الى",
    "الي",
    "إلى",
    "إلي",
    "على",
    "عليها",
    "عليه",
    "اما",
    "أما",
    "إما",
    "ايضا",
    "أيضا",
    "كل",
    "وكل",
    "لم",
    "ولم",
    "لن",
    "ولن",
    "هى",
    "هي",
    "هو",
    "وهى",
    "وهي",
    "وهو",
    "فهى",
    "فهي",
    "فهو",
    "انت",
    "أنت",
    "لك",
    "لها",
    "له",
    "هذه",
    "هذا",
    "تلك",
    "ذلك",
    "هناك",
    "كانت",
    "كان",
    "يكون",
    "تكون",
    "وكانت",
    "وكان",
    "غير",
    "بعض",
    "قد",
    "نحو",
    "بين",
    "بينما",
    "منذ",
    "ضمن",
    "حيث",
    "الان",
    "الآن",
    "خلال",
    "بعد",
    "قبل",
    "حتى",
    "عند",
    "عندما",
    "لدى",
    "جميع",
];

/// Lucene's `EnglishAnalyzer.ENGLISH_STOP_WORDS_SET`.
const ENGLISH_STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
    "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
    "they", "this", "to", "was", "will", "with",
];

static ARABIC_STOP: LazyLock<HashSet<&str>> =
    LazyLock::new(|| ARABIC_STOP_WORDS.iter().copied().collect());
static ENGLISH_STOP: LazyLock<HashSet<&str>> =
    LazyLock::new(|| ENGLISH_STOP_WORDS.iter().copied().collect());

// ---------------------------------------------------------------------------------------
// Tokenizer
// ---------------------------------------------------------------------------------------

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Tashkeel, the superscript alef and tatweel: they extend the word they sit in.
fn is_mark(c: char) -> bool {
    matches!(c, '\u{0610}'..='\u{061A}' | '\u{064B}'..='\u{065F}' | '\u{0670}' | '\u{0640}')
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Splits `text` into tokens the way `StandardTokenizer` does for news copy.
pub fn tokenize(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if is_word_char(c) {
            current.push(c);
            continue;
        }
        let before = chars[..i].iter().rev().find(|c| !is_mark(**c)).copied();
        let after = chars.get(i + 1).copied();
        let joins = match (before, after) {
            (Some(b), Some(a)) if !current.is_empty() => {
                let letters = b.is_alphabetic() && a.is_alphabetic();
                let digits = b.is_numeric() && a.is_numeric();
                (letters && matches!(c, '\'' | '’' | '.'))
                    || (digits && matches!(c, '.' | ',' | '\'' | '’' | '٫' | '٬'))
            }
            _ => false,
        };
        if joins {
            current.push(c);
        } else if !current.is_empty() {
            tokens.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        tokens.push(current);
    }
    tokens
}

// ---------------------------------------------------------------------------------------
// Arabic: DecimalDigitFilter, stop words, ArabicNormalizer, ArabicStemmer
// ---------------------------------------------------------------------------------------

fn decimal_digits(token: &str) -> String {
    token
        .chars()
        .map(|c| match c {
            '\u{0660}'..='\u{0669}' => char::from(b'0' + (u32::from(c) - 0x0660) as u8),
            '\u{06F0}'..='\u{06F9}' => char::from(b'0' + (u32::from(c) - 0x06F0) as u8),
            other => other,
        })
        .collect()
}

/// `ArabicNormalizer.normalize`.
pub fn arabic_normalize(token: &str) -> String {
    token
        .chars()
        .filter_map(|c| match c {
            'آ' | 'أ' | 'إ' => Some('ا'),
            'ى' => Some('ي'),
            'ة' => Some('ه'),
            '\u{0640}' | '\u{064B}'..='\u{0652}' => None,
            other => Some(other),
        })
        .collect()
}

const PREFIXES: [&str; 7] = ["ال", "وال", "بال", "كال", "فال", "لل", "و"];
const SUFFIXES: [&str; 10] = ["ها", "ان", "ات", "ون", "ين", "يه", "ية", "ه", "ة", "ي"];

/// `ArabicStemmer.stem`: one prefix (the first that matches, with its length condition),
/// then every suffix in list order that matches at that point.
pub fn arabic_stem(token: &str) -> String {
    let mut s: Vec<char> = token.chars().collect();
    for prefix in PREFIXES {
        let p: Vec<char> = prefix.chars().collect();
        // A one-letter prefix (و) needs four letters; the others leave at least two.
        let long_enough = if p.len() == 1 {
            s.len() >= 4
        } else {
            s.len() >= p.len() + 2
        };
        if long_enough && s.starts_with(&p) {
            s.drain(..p.len());
            break;
        }
    }
    for suffix in SUFFIXES {
        let x: Vec<char> = suffix.chars().collect();
        if s.len() >= x.len() + 2 && s.ends_with(&x) {
            s.truncate(s.len() - x.len());
        }
    }
    s.into_iter().collect()
}

fn analyze_arabic(token: &str) -> Option<String> {
    let token = decimal_digits(&token.to_lowercase());
    if ARABIC_STOP.contains(token.as_str()) {
        return None;
    }
    let stemmed = arabic_stem(&arabic_normalize(&token));
    (!stemmed.is_empty()).then_some(stemmed)
}

// ---------------------------------------------------------------------------------------
// English: possessives, stop words, Porter
// ---------------------------------------------------------------------------------------

fn analyze_english(token: &str) -> Option<String> {
    let mut token = token.to_lowercase();
    for possessive in ["'s", "’s"] {
        if let Some(stripped) = token.strip_suffix(possessive) {
            token = stripped.to_owned();
        }
    }
    if token.is_empty() || ENGLISH_STOP.contains(token.as_str()) {
        return None;
    }
    Some(porter(&token))
}

/// Martin Porter's 1980 stemmer, step for step as Lucene's `PorterStemmer` (Porter's own
/// reference implementation, with its two known departures from the paper: `-logi` → `-log`
/// and `-bli` → `-ble`).
pub fn porter(word: &str) -> String {
    let b: Vec<char> = word.chars().collect();
    if b.len() <= 2 {
        return word.to_owned();
    }
    let mut p = Porter {
        k: b.len() as isize - 1,
        j: 0,
        b,
    };
    p.step1();
    p.step2();
    p.step3();
    p.step4();
    p.step5();
    p.step6();
    p.b[..=p.k as usize].iter().collect()
}

struct Porter {
    b: Vec<char>,
    /// The last character of the word as stemmed so far.
    k: isize,
    /// The last character before the suffix `ends` last matched.
    j: isize,
}

impl Porter {
    fn at(&self, i: isize) -> char {
        self.b[i as usize]
    }

    fn cons(&self, i: isize) -> bool {
        match self.at(i) {
            'a' | 'e' | 'i' | 'o' | 'u' => false,
            'y' => i == 0 || !self.cons(i - 1),
            _ => true,
        }
    }

    /// The number of vowel-consonant sequences in `b[0..=j]`.
    fn m(&self) -> usize {
        let mut n = 0;
        let mut i = 0;
        loop {
            if i > self.j {
                return n;
            }
            if !self.cons(i) {
                break;
            }
            i += 1;
        }
        i += 1;
        loop {
            loop {
                if i > self.j {
                    return n;
                }
                if self.cons(i) {
                    break;
                }
                i += 1;
            }
            i += 1;
            n += 1;
            loop {
                if i > self.j {
                    return n;
                }
                if !self.cons(i) {
                    break;
                }
                i += 1;
            }
            i += 1;
        }
    }

    fn vowel_in_stem(&self) -> bool {
        (0..=self.j).any(|i| !self.cons(i))
    }

    fn double_consonant(&self, j: isize) -> bool {
        j >= 1 && self.at(j) == self.at(j - 1) && self.cons(j)
    }

    fn cvc(&self, i: isize) -> bool {
        i >= 2
            && self.cons(i)
            && !self.cons(i - 1)
            && self.cons(i - 2)
            && !matches!(self.at(i), 'w' | 'x' | 'y')
    }

    fn ends(&mut self, s: &str) -> bool {
        let s: Vec<char> = s.chars().collect();
        let l = s.len() as isize;
        let o = self.k - l + 1;
        if o < 0 || self.b[o as usize..=self.k as usize] != s[..] {
            return false;
        }
        self.j = self.k - l;
        true
    }

    fn set_to(&mut self, s: &str) {
        self.b.truncate((self.j + 1) as usize);
        self.b.extend(s.chars());
        self.k = self.b.len() as isize - 1;
    }

    fn r(&mut self, s: &str) {
        if self.m() > 0 {
            self.set_to(s);
        }
    }

    /// Plurals, -ed and -ing.
    fn step1(&mut self) {
        if self.at(self.k) == 's' {
            if self.ends("sses") {
                self.k -= 2;
            } else if self.ends("ies") {
                self.set_to("i");
            } else if self.at(self.k - 1) != 's' {
                self.k -= 1;
            }
        }
        if self.ends("eed") {
            if self.m() > 0 {
                self.k -= 1;
            }
        } else if (self.ends("ed") || self.ends("ing")) && self.vowel_in_stem() {
            self.k = self.j;
            if self.ends("at") {
                self.set_to("ate");
            } else if self.ends("bl") {
                self.set_to("ble");
            } else if self.ends("iz") {
                self.set_to("ize");
            } else if self.double_consonant(self.k) {
                let ch = self.at(self.k);
                if !matches!(ch, 'l' | 's' | 'z') {
                    self.k -= 1;
                }
            } else if self.m() == 1 && self.cvc(self.k) {
                self.set_to("e");
            }
        }
    }

    /// Terminal y to i when there is another vowel in the stem.
    fn step2(&mut self) {
        if self.ends("y") && self.vowel_in_stem() {
            let k = self.k as usize;
            self.b[k] = 'i';
        }
    }

    /// Double suffixes to single ones (-ization → -ize …).
    fn step3(&mut self) {
        if self.k == 0 {
            return;
        }
        let rules: &[(&str, &str)] = match self.at(self.k - 1) {
            'a' => &[("ational", "ate"), ("tional", "tion")],
            'c' => &[("enci", "ence"), ("anci", "ance")],
            'e' => &[("izer", "ize")],
            'l' => &[
                ("bli", "ble"),
                ("alli", "al"),
                ("entli", "ent"),
                ("eli", "e"),
                ("ousli", "ous"),
            ],
            'o' => &[("ization", "ize"), ("ation", "ate"), ("ator", "ate")],
            's' => &[
                ("alism", "al"),
                ("iveness", "ive"),
                ("fulness", "ful"),
                ("ousness", "ous"),
            ],
            't' => &[("aliti", "al"), ("iviti", "ive"), ("biliti", "ble")],
            'g' => &[("logi", "log")],
            _ => &[],
        };
        self.replace_first(rules);
    }

    /// -ic-, -full, -ness …
    fn step4(&mut self) {
        let rules: &[(&str, &str)] = match self.at(self.k) {
            'e' => &[("icate", "ic"), ("ative", ""), ("alize", "al")],
            'i' => &[("iciti", "ic")],
            'l' => &[("ical", "ic"), ("ful", "")],
            's' => &[("ness", "")],
            _ => &[],
        };
        self.replace_first(rules);
    }

    fn replace_first(&mut self, rules: &[(&str, &str)]) {
        for (suffix, replacement) in rules {
            if self.ends(suffix) {
                self.r(replacement);
                return;
            }
        }
    }

    /// -ant, -ence … in context <c>vcvc<v>.
    fn step5(&mut self) {
        if self.k == 0 {
            return;
        }
        let found = match self.at(self.k - 1) {
            'a' => self.ends("al"),
            'c' => self.ends("ance") || self.ends("ence"),
            'e' => self.ends("er"),
            'i' => self.ends("ic"),
            'l' => self.ends("able") || self.ends("ible"),
            'n' => self.ends("ant") || self.ends("ement") || self.ends("ment") || self.ends("ent"),
            'o' => {
                (self.ends("ion") && self.j >= 0 && matches!(self.at(self.j), 's' | 't'))
                    || self.ends("ou")
            }
            's' => self.ends("ism"),
            't' => self.ends("ate") || self.ends("iti"),
            'u' => self.ends("ous"),
            'v' => self.ends("ive"),
            'z' => self.ends("ize"),
            _ => false,
        };
        if found && self.m() > 1 {
            self.k = self.j;
        }
    }

    /// A final -e, and -ll to -l, when m() > 1.
    fn step6(&mut self) {
        self.j = self.k;
        if self.at(self.k) == 'e' {
            let a = self.m();
            if a > 1 || (a == 1 && !self.cvc(self.k - 1)) {
                self.k -= 1;
            }
        }
        if self.at(self.k) == 'l' && self.double_consonant(self.k) && self.m() > 1 {
            self.k -= 1;
        }
    }
}

/// Every indexed term of `text`, in order.
pub fn analyze(text: &str) -> Vec<String> {
    tokenize(text)
        .iter()
        .filter_map(|token| {
            if token.chars().any(is_arabic) {
                analyze_arabic(token)
            } else {
                analyze_english(token)
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// BM25 over fields
// ---------------------------------------------------------------------------------------

/// What is indexed of one article, field by field in [`FIELDS`] order.
pub struct Document<'a> {
    pub title: &'a str,
    pub tags: &'a [String],
    pub excerpt: &'a str,
    pub body: &'a str,
}

#[derive(Default)]
struct Field {
    boost: f64,
    /// term → (document, term frequency)
    postings: HashMap<String, Vec<(usize, u32)>>,
    lengths: Vec<usize>,
    /// Documents that have the field (Lucene's `docCount`).
    with_field: usize,
    average_length: f64,
}

/// An in-memory index of a corpus; documents are known by their position in it.
pub struct Index {
    fields: Vec<Field>,
}

impl Index {
    pub fn build(documents: &[Document<'_>]) -> Self {
        let mut fields: Vec<Field> = FIELDS
            .iter()
            .map(|(_, boost)| Field {
                boost: *boost,
                ..Field::default()
            })
            .collect();
        for (n, document) in documents.iter().enumerate() {
            let texts = [
                analyze(document.title),
                document.tags.iter().flat_map(|t| analyze(t)).collect(),
                analyze(document.excerpt),
                analyze(document.body),
            ];
            for (field, terms) in fields.iter_mut().zip(texts) {
                field.lengths.push(terms.len());
                let mut counts: HashMap<String, u32> = HashMap::new();
                for term in terms {
                    *counts.entry(term).or_default() += 1;
                }
                for (term, tf) in counts {
                    field.postings.entry(term).or_default().push((n, tf));
                }
            }
        }
        for field in &mut fields {
            field.with_field = field.lengths.iter().filter(|l| **l > 0).count();
            field.average_length =
                field.lengths.iter().sum::<usize>() as f64 / field.with_field.max(1) as f64;
        }
        Self { fields }
    }

    /// The `limit` best documents for `query` and how many matched at all.
    pub fn search(&self, query: &str, limit: usize) -> (Vec<usize>, usize) {
        let mut scores: HashMap<usize, f64> = HashMap::new();
        for term in analyze(query) {
            for field in &self.fields {
                let Some(postings) = field.postings.get(&term) else {
                    continue;
                };
                let n = field.with_field as f64;
                let df = postings.len() as f64;
                let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
                for &(doc, tf) in postings {
                    let tf = f64::from(tf);
                    let norm =
                        K1 * (1.0 - B + B * field.lengths[doc] as f64 / field.average_length);
                    *scores.entry(doc).or_default() += field.boost * idf * tf / (tf + norm);
                }
            }
        }
        let matched = scores.len();
        let mut ranked: Vec<(usize, f64)> = scores.into_iter().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        (
            ranked.into_iter().take(limit).map(|(doc, _)| doc).collect(),
            matched,
        )
    }
}
