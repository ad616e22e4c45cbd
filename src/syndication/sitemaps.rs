//! Sitemaps written with quick-xml: the index, URL sets (with Google's image extension) and
//! the Google News sitemap. Pure: the operation gathers the entries.

use chrono::NaiveDateTime;
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// The protocol's limits for one file (<https://www.sitemaps.org/protocol.html>).
pub const MAX_URLS: usize = 50_000;
pub const MAX_BYTES: usize = 50 * 1024 * 1024;
/// Google News reads at most this many articles from one news sitemap.
pub const MAX_NEWS: usize = 1_000;

const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";
const IMAGE_NS: &str = "http://www.google.com/schemas/sitemap-image/1.1";
const NEWS_NS: &str = "http://www.google.com/schemas/sitemap-news/0.9";

pub struct Entry {
    pub loc: String,
    pub lastmod: Option<NaiveDateTime>,
    pub images: Vec<String>,
}

pub struct NewsEntry {
    pub loc: String,
    pub title: String,
    pub published: NaiveDateTime,
}

/// W3C datetime, in UTC.
fn w3c(at: NaiveDateTime) -> String {
    at.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

struct Xml(Writer<Vec<u8>>);

impl Xml {
    fn new() -> Self {
        let mut writer = Writer::new(Vec::new());
        // Writing to memory cannot fail.
        let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        Self(writer)
    }

    fn open(&mut self, name: &str, attrs: &[(&str, &str)]) {
        let mut start = BytesStart::new(name);
        for attr in attrs {
            start.push_attribute(*attr);
        }
        let _ = self.0.write_event(Event::Start(start));
    }

    fn close(&mut self, name: &str) {
        let _ = self.0.write_event(Event::End(BytesEnd::new(name)));
    }

    fn leaf(&mut self, name: &str, text: &str) {
        self.open(name, &[]);
        let _ = self.0.write_event(Event::Text(BytesText::new(text)));
        self.close(name);
    }

    fn len(&self) -> usize {
        self.0.get_ref().len()
    }

    fn finish(self) -> Vec<u8> {
        self.0.into_inner()
    }
}

/// The index: one `<sitemap>` per file.
pub fn index(locs: &[(String, Option<NaiveDateTime>)]) -> Vec<u8> {
    let mut xml = Xml::new();
    xml.open("sitemapindex", &[("xmlns", SITEMAP_NS)]);
    for (loc, lastmod) in locs {
        xml.open("sitemap", &[]);
        xml.leaf("loc", loc);
        if let Some(at) = lastmod {
            xml.leaf("lastmod", &w3c(*at));
        }
        xml.close("sitemap");
    }
    xml.close("sitemapindex");
    xml.finish()
}

/// A URL set of at most [`MAX_URLS`] entries and [`MAX_BYTES`]; entries past either limit
/// are left out (the caller pages so that none are).
pub fn urlset(entries: &[Entry]) -> Vec<u8> {
    let mut xml = Xml::new();
    xml.open(
        "urlset",
        &[("xmlns", SITEMAP_NS), ("xmlns:image", IMAGE_NS)],
    );
    // Room for the closing tag.
    let limit = MAX_BYTES - 64;
    for entry in entries.iter().take(MAX_URLS) {
        let before = xml.len();
        let mut one = Xml(Writer::new(Vec::new()));
        one.open("url", &[]);
        one.leaf("loc", &entry.loc);
        if let Some(at) = entry.lastmod {
            one.leaf("lastmod", &w3c(at));
        }
        for image in &entry.images {
            one.open("image:image", &[]);
            one.leaf("image:loc", image);
            one.close("image:image");
        }
        one.close("url");
        let bytes = one.finish();
        if before + bytes.len() > limit {
            break;
        }
        xml.0.get_mut().extend_from_slice(&bytes);
    }
    xml.close("urlset");
    xml.finish()
}

/// The Google News sitemap (<https://developers.google.com/search/docs/crawling-indexing/sitemaps/news-sitemap>).
pub fn news(entries: &[NewsEntry], publication: &str, language: &str) -> Vec<u8> {
    let mut xml = Xml::new();
    xml.open("urlset", &[("xmlns", SITEMAP_NS), ("xmlns:news", NEWS_NS)]);
    for entry in entries.iter().take(MAX_NEWS) {
        xml.open("url", &[]);
        xml.leaf("loc", &entry.loc);
        xml.open("news:news", &[]);
        xml.open("news:publication", &[]);
        xml.leaf("news:name", publication);
        xml.leaf("news:language", language);
        xml.close("news:publication");
        xml.leaf("news:publication_date", &w3c(entry.published));
        xml.leaf("news:title", &entry.title);
        xml.close("news:news");
        xml.close("url");
    }
    xml.close("urlset");
    xml.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_limits_hold() {
        let entries: Vec<Entry> = (0..MAX_URLS + 5)
            .map(|i| Entry {
                loc: format!("https://x.example/{i}?a=1&b=<2>"),
                lastmod: None,
                images: Vec::new(),
            })
            .collect();
        let xml = String::from_utf8(urlset(&entries)).unwrap();
        assert_eq!(xml.matches("<url>").count(), MAX_URLS);
        assert!(xml.contains("a=1&amp;b=&lt;2&gt;"));
        let news_xml = String::from_utf8(news(
            &[NewsEntry {
                loc: "https://x.example/a".into(),
                title: "قمة \"الخليج\" & <السوق>".into(),
                published: NaiveDateTime::default(),
            }],
            "المفيد",
            "ar",
        ))
        .unwrap();
        assert!(
            news_xml
                .contains("<news:title>قمة &quot;الخليج&quot; &amp; &lt;السوق&gt;</news:title>"),
            "{news_xml}"
        );
    }
}
