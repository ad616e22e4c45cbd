//! Keyset cursors for article lists: where the next page starts, as the sort key of the last
//! article shown. A page found by cursor costs the same at the start of the archive and a
//! million articles in (the database seeks into its index instead of counting past every
//! earlier row), and an article published while a reader pages on never shifts the pages
//! after it (no repeats, no gaps).
//!
//! A cursor is opaque to clients: base64url of `1|sort|id|key`, where `key` is the sort
//! column's value of article `id` (microseconds since the epoch, empty for none, or a title).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, NaiveDateTime};

use super::dto::Sort;
use super::model::SummaryRow;

/// The orders a cursor can continue. Search ranking and homepage slots are paged by number.
pub fn supports(sort: Sort) -> bool {
    matches!(
        sort,
        Sort::NewestFirst | Sort::OldestFirst | Sort::RecentlyUpdated | Sort::Title
    )
}

/// The last article of a page, in the page's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: Sort,
    pub id: i64,
    pub key: Key,
}

/// The sort column's value at the cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// `published_at` (none for an unpublished article) or `updated_at`.
    At(Option<NaiveDateTime>),
    Title(String),
}

/// The longest cursor accepted, in bytes (a title of 300 characters of Arabic, encoded).
const MAX_LEN: usize = 2_048;

impl Cursor {
    /// Where the page after `row` starts, in `sort` (which [`supports`] must admit).
    pub fn after(row: &SummaryRow, sort: Sort) -> Self {
        let key = match sort {
            Sort::RecentlyUpdated => Key::At(Some(row.updated_at)),
            Sort::Title => Key::Title(row.title.clone()),
            _ => Key::At(row.published_at),
        };
        Self {
            sort,
            id: row.id,
            key,
        }
    }

    pub fn encode(&self) -> String {
        let key = match &self.key {
            Key::At(Some(at)) => at.and_utc().timestamp_micros().to_string(),
            Key::At(None) => String::new(),
            Key::Title(title) => title.clone(),
        };
        URL_SAFE_NO_PAD.encode(format!("1|{}|{}|{key}", code(self.sort), self.id))
    }

    /// The cursor in `text`, or `None` if it is not one this server gave out.
    pub fn decode(text: &str) -> Option<Self> {
        if text.len() > MAX_LEN {
            return None;
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.splitn(4, '|');
        if parts.next()? != "1" {
            return None;
        }
        let sort = sort_of(parts.next()?)?;
        let id: i64 = parts.next()?.parse().ok()?;
        let raw = parts.next()?;
        let key = match sort {
            Sort::Title => Key::Title(raw.to_owned()),
            _ if raw.is_empty() => Key::At(None),
            _ => Key::At(Some(
                DateTime::from_timestamp_micros(raw.parse().ok()?)?.naive_utc(),
            )),
        };
        if id < 1 || (sort == Sort::RecentlyUpdated && key == Key::At(None)) {
            return None;
        }
        Some(Self { sort, id, key })
    }
}

fn code(sort: Sort) -> &'static str {
    match sort {
        Sort::OldestFirst => "o",
        Sort::RecentlyUpdated => "u",
        Sort::Title => "t",
        _ => "n",
    }
}

fn sort_of(code: &str) -> Option<Sort> {
    Some(match code {
        "n" => Sort::NewestFirst,
        "o" => Sort::OldestFirst,
        "u" => Sort::RecentlyUpdated,
        "t" => Sort::Title,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn cursors_round_trip() {
        for cursor in [
            Cursor {
                sort: Sort::NewestFirst,
                id: 42,
                key: Key::At(Some(at("2026-12-04 10:11:12.123456"))),
            },
            Cursor {
                sort: Sort::OldestFirst,
                id: 7,
                key: Key::At(None),
            },
            Cursor {
                sort: Sort::RecentlyUpdated,
                id: 9,
                key: Key::At(Some(at("2001-01-01 00:00:00.0"))),
            },
            Cursor {
                sort: Sort::Title,
                id: 3,
                key: Key::Title("طوكيو | واشنطن".into()),
            },
        ] {
            assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        }
    }

    #[test]
    fn anything_else_is_refused() {
        for text in [
            "",
            "%%%",
            "MXxufDQyfA",                      // 1|n|42| is fine, but…
            &URL_SAFE_NO_PAD.encode("2|n|4|"), // another version
            &URL_SAFE_NO_PAD.encode("1|x|4|"), // another sort
            &URL_SAFE_NO_PAD.encode("1|n|-4|"),
            &URL_SAFE_NO_PAD.encode("1|n|4|soon"),
            &URL_SAFE_NO_PAD.encode("1|u|4|"),
            &URL_SAFE_NO_PAD.encode("1|n|4|99999999999999999999"),
            &"A".repeat(MAX_LEN + 4),
        ] {
            let decoded = Cursor::decode(text);
            if text == "MXxufDQyfA" {
                assert!(
                    decoded.is_some(),
                    "1|n|42| is an unpublished article's cursor"
                );
            } else {
                assert_eq!(decoded, None, "{text}");
            }
        }
    }
}
