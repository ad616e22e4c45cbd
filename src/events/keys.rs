//! Surrogate keys: the names of what a public response depends on, sent as `Surrogate-Key`
//! (Fastly, Varnish xkey) and `Cache-Tag` (Cloudflare), and what a change makes stale, sent
//! in its `cache.purge` event. A CDN purging a change's keys drops exactly the responses that
//! showed what changed.
//!
//! The rule that keeps purges narrow: a response carries the keys of everything it shows (an
//! article: itself, its section, its author, its featured media), and a change purges only
//! the changed item's own key and the collections it appears in (`articles`, `feeds`, …),
//! never the keys of what it refers to. Editing one article therefore never drops another
//! article of the same section; renaming the section drops them all, as it should.

use actix_web::HttpResponse;
use actix_web::http::header::{CACHE_CONTROL, HeaderName, HeaderValue};

/// A set of keys, in the order first added.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys(Vec<String>);

impl Keys {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn of(keys: &[&str]) -> Self {
        let mut set = Self::new();
        for key in keys {
            set.add(*key);
        }
        set
    }

    pub fn add(&mut self, key: impl Into<String>) -> &mut Self {
        let key = key.into();
        if !self.0.contains(&key) {
            self.0.push(key);
        }
        self
    }

    pub fn item(&mut self, kind: &str, id: i64) -> &mut Self {
        self.add(format!("{kind}-{id}"))
    }

    pub fn extend(&mut self, other: &Keys) -> &mut Self {
        for key in &other.0 {
            self.add(key.clone());
        }
        self
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

/// Collections: the key every response listing that kind of item carries.
pub const ARTICLES: &str = "articles";
pub const SECTIONS: &str = "sections";
pub const TAGS: &str = "tags";
pub const PAGES: &str = "pages";
pub const COMMENTS: &str = "comments";
pub const FEEDS: &str = "feeds";
pub const SITEMAPS: &str = "sitemaps";
pub const CHANGES: &str = "changes";

/// What a change to article `id` (with `tags`) makes stale: its own responses and those of
/// every list it may appear on.
pub fn article_purge(id: i64, tags: &[i64]) -> Keys {
    let mut keys = Keys::new();
    keys.item("article", id)
        .add(ARTICLES)
        .add(FEEDS)
        .add(SITEMAPS)
        .add(CHANGES);
    for tag in tags {
        keys.item("tag", *tag);
    }
    keys.add(TAGS);
    keys
}

/// What a change to section `id` makes stale: the section, the lists of sections, and the
/// responses that show its name or path (its articles carry `section-{id}`).
pub fn section_purge(id: i64) -> Keys {
    let mut keys = Keys::new();
    keys.item("section", id)
        .add(SECTIONS)
        .add(ARTICLES)
        .add(FEEDS)
        .add(SITEMAPS)
        .add(CHANGES);
    keys
}

pub fn page_purge(id: i64) -> Keys {
    let mut keys = Keys::new();
    keys.item("page", id).add(PAGES).add(SITEMAPS).add(CHANGES);
    keys
}

/// A comment readers see appeared or went: its article's comment list and count.
pub fn comment_purge(article_id: i64) -> Keys {
    let mut keys = Keys::new();
    keys.item("article", article_id).add(COMMENTS);
    keys
}

pub fn media_purge(id: i64) -> Keys {
    let mut keys = Keys::new();
    keys.item("media", id);
    keys
}

pub fn author_purge(id: i64) -> Keys {
    let mut keys = Keys::new();
    keys.item("author", id);
    keys
}

/// A wire value that knows the keys of what it shows.
pub trait Shows {
    fn add_keys(&self, keys: &mut Keys);
}

impl Shows for crate::articles::dto::ArticleSummary {
    fn add_keys(&self, keys: &mut Keys) {
        keys.item("article", self.id)
            .item("section", self.section.id)
            .item("author", self.author.id);
        if let Some(media) = &self.featured_media {
            keys.item("media", media.id);
        }
    }
}

impl Shows for crate::articles::dto::Article {
    fn add_keys(&self, keys: &mut Keys) {
        self.summary.add_keys(keys);
    }
}

impl Shows for crate::sections::dto::Section {
    /// A section shows how many articles it has: `sections` is purged when that changes.
    fn add_keys(&self, keys: &mut Keys) {
        keys.item("section", self.id).add(SECTIONS);
    }
}

impl Shows for crate::tags::dto::Tag {
    fn add_keys(&self, keys: &mut Keys) {
        keys.item("tag", self.id);
    }
}

impl Shows for crate::pages::dto::PageSummary {
    fn add_keys(&self, keys: &mut Keys) {
        keys.item("page", self.id);
    }
}

impl Shows for crate::pages::dto::Page {
    fn add_keys(&self, keys: &mut Keys) {
        self.summary.add_keys(keys);
    }
}

/// The keys of one item's response.
pub fn of_one<T: Shows>(item: &T) -> Keys {
    let mut keys = Keys::new();
    item.add_keys(&mut keys);
    keys
}

/// The keys of a list: its collection's, then each item's.
pub fn of_list<T: Shows>(collection: &str, items: &[T]) -> Keys {
    let mut keys = Keys::of(&[collection]);
    for item in items {
        item.add_keys(&mut keys);
    }
    keys
}

const SURROGATE_KEY: HeaderName = HeaderName::from_static("surrogate-key");
const CACHE_TAG: HeaderName = HeaderName::from_static("cache-tag");

/// Adds the keys to a response that shared caches may keep (`Cache-Control: public`); a
/// private response (a staff member's) names nothing.
pub fn tag(mut response: HttpResponse, keys: &Keys) -> HttpResponse {
    let public = response
        .headers()
        .get(CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("public"));
    if !public || keys.is_empty() {
        return response;
    }
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(&keys.0.join(" ")) {
        headers.insert(SURROGATE_KEY, value);
    }
    if let Ok(value) = HeaderValue::from_str(&keys.0.join(",")) {
        headers.insert(CACHE_TAG, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_edit_purges_neither_its_section_nor_its_author() {
        let keys = article_purge(12, &[4]);
        assert!(keys.as_slice().contains(&"article-12".to_owned()));
        assert!(keys.as_slice().contains(&"tag-4".to_owned()));
        assert!(!keys.as_slice().iter().any(|k| k.starts_with("section-")));
        assert!(!keys.as_slice().iter().any(|k| k.starts_with("author-")));
    }

    #[test]
    fn keys_are_kept_once_in_order() {
        let mut keys = Keys::of(&["b", "a"]);
        keys.add("b").item("article", 1);
        assert_eq!(keys.as_slice(), ["b", "a", "article-1"]);
    }
}
