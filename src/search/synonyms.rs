//! Synonyms of news vocabulary: words and phrases readers and writers use for one thing
//! («زلزال» / «هزة أرضية», "flu" / "influenza", «المسنين» / «كبار السن»). A query holding one
//! member of a group also looks for the others, at a lower weight ([`WEIGHT`]): an article in
//! the reader's own words still ranks first.
//!
//! Members are written as they are written in articles; they are analyzed once, at first
//! use, like any text. A member matches a query when its stems appear in it, in order.

use std::sync::LazyLock;

use super::analysis::{self, Word};

/// The weight of a synonym's match, relative to the query's own words.
pub const WEIGHT: f32 = 0.5;

const GROUPS: &[&[&str]] = &[
    // Arabic
    &["زلزال", "هزة أرضية"],
    &[
        "هجوم إلكتروني",
        "هجمات إلكترونية",
        "هجوم سيبراني",
        "هجمات سيبرانية",
        "قرصنة",
        "اختراق",
    ],
    &["سرطان", "أورام", "ورم"],
    &["المسنين", "كبار السن", "المسن"],
    &["موجة حارة", "موجة حر", "موجات الحر", "الحر الشديد"],
    &["تطعيم", "لقاح", "تلقيح"],
    &["مستشفى", "مشفى"],
    &["بطالة", "العاطلين عن العمل"],
    &["معلم", "مدرس"],
    &["فيضان", "سيول"],
    &["جفاف", "قحط"],
    &["وقود", "بنزين", "محروقات"],
    &["مسجد", "جامع"],
    &["طقس", "أحوال جوية"],
    &["سيارة كهربائية", "مركبة كهربائية"],
    &["انتخابات", "اقتراع"],
    &["إيجار", "إيجارات"],
    &["الذكاء الاصطناعي", "ذكاء اصطناعي"],
    &["اللاجئين", "النازحين"],
    &["الموازنة", "الميزانية"],
    // English
    &["earthquake", "quake", "tremor"],
    &[
        "cyberattack",
        "cyber attack",
        "hack",
        "hacker",
        "data breach",
    ],
    &["wildfire", "bushfire", "forest fire", "blaze"],
    &["flu", "influenza"],
    &[
        "vaccine",
        "vaccination",
        "jab",
        "immunisation",
        "immunization",
    ],
    &["elderly", "older people", "pensioner", "senior"],
    &["mortgage", "home loan"],
    &["electric car", "electric vehicle", "ev"],
    &["unemployment", "jobless"],
    &[
        "remote work",
        "working from home",
        "work from home",
        "telework",
    ],
    &["ai", "artificial intelligence"],
    &["petrol", "gasoline", "fuel"],
    &["doctor", "physician"],
    &["strike", "walkout"],
    &["heatwave", "heat wave"],
    &["smartphone", "mobile phone", "cellphone"],
    &["refugee", "displaced"],
    &["budget", "spending plan"],
];

/// Each group, its members analyzed.
static ANALYZED: LazyLock<Vec<Vec<Vec<Word>>>> = LazyLock::new(|| {
    GROUPS
        .iter()
        .map(|group| group.iter().map(|member| analysis::words(member)).collect())
        .collect()
});

/// The members of every group that `words` (a query's words, in order) holds a member of,
/// other than the ones it holds.
pub fn expansions(words: &[Word]) -> Vec<Vec<Word>> {
    let mut found = Vec::new();
    for group in ANALYZED.iter() {
        let held: Vec<bool> = group.iter().map(|m| holds(words, m)).collect();
        if held.iter().any(|h| *h) {
            found.extend(
                group
                    .iter()
                    .zip(&held)
                    .filter(|(_, held)| !**held)
                    .map(|(member, _)| member.clone()),
            );
        }
    }
    found
}

/// Whether `member`'s words appear in `words`, consecutively, by their stems.
fn holds(words: &[Word], member: &[Word]) -> bool {
    !member.is_empty()
        && words.windows(member.len()).any(|window| {
            window
                .iter()
                .zip(member)
                .all(|(w, m)| w.stems.iter().any(|s| m.stems.contains(s)))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_member_in_the_query_brings_the_others() {
        let words = analysis::words("زلزال في تركيا");
        let added = expansions(&words);
        assert_eq!(added.len(), 1);
        assert_eq!(added[0].len(), 2, "the phrase «هزة أرضية»");
        let words = analysis::words("هزه ارضيه قويه");
        assert_eq!(expansions(&words).len(), 1);
        assert!(expansions(&analysis::words("flu vaccines")).len() >= 3);
        assert!(expansions(&analysis::words("أسعار النفط")).is_empty());
    }
}
