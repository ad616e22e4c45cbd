//! Feeds written from a [`Feed`]: RSS 2.0 (with `content:encoded`, `dc:creator`, categories
//! and the featured image as `media:content` and an enclosure), Atom 1.0 and JSON Feed 1.1.
//! Pure: the operation gathers the articles, these only write.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value, json};

/// A feed, in the terms all three formats share.
pub struct Feed {
    pub title: String,
    pub description: String,
    /// The public page the feed is about (the site, a section, a tag, an author).
    pub home_url: String,
    /// Where the feed itself is read.
    pub self_url: String,
    pub lang: String,
    pub items: Vec<Item>,
}

pub struct Item {
    pub url: String,
    pub title: String,
    pub summary: String,
    /// The sanitized body, when feeds carry whole articles.
    pub content_html: Option<String>,
    pub published: NaiveDateTime,
    pub updated: NaiveDateTime,
    /// The authors in byline order: name and page.
    pub authors: Vec<(String, Option<String>)>,
    /// The section's name, then the tags.
    pub categories: Vec<String>,
    pub image: Option<Image>,
    pub lang: String,
}

pub struct Image {
    pub url: String,
    pub mime: String,
    pub bytes: u64,
    pub width: u32,
    pub height: u32,
    pub alt: Option<String>,
}

const CONTENT_NS: &str = "http://purl.org/rss/1.0/modules/content/";
const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";
const ATOM_NS: &str = "http://www.w3.org/2005/Atom";

fn utc(at: NaiveDateTime) -> DateTime<Utc> {
    at.and_utc()
}

impl Feed {
    /// The newest change among the items (feeds' own `updated`): stable for equal content,
    /// so equal feeds have equal bytes and ETags.
    fn updated(&self) -> NaiveDateTime {
        self.items
            .iter()
            .map(|i| i.updated.max(i.published))
            .max()
            .unwrap_or_default()
    }
}

pub fn rss(feed: &Feed) -> String {
    use rss::extension::dublincore::DublinCoreExtension;
    use rss::extension::{Extension, ExtensionMap};

    let items: Vec<rss::Item> = feed
        .items
        .iter()
        .map(|item| {
            let mut extensions = ExtensionMap::default();
            if let Some(image) = &item.image {
                let mut attrs = BTreeMap::new();
                attrs.insert("url".to_owned(), image.url.clone());
                attrs.insert("type".to_owned(), image.mime.clone());
                attrs.insert("medium".to_owned(), "image".to_owned());
                attrs.insert("width".to_owned(), image.width.to_string());
                attrs.insert("height".to_owned(), image.height.to_string());
                let mut children = BTreeMap::new();
                if let Some(alt) = &image.alt {
                    let description = Extension {
                        name: "media:description".into(),
                        value: Some(alt.clone()),
                        ..Default::default()
                    };
                    children.insert("description".to_owned(), vec![description]);
                }
                let content = Extension {
                    name: "media:content".into(),
                    attrs,
                    children,
                    ..Default::default()
                };
                extensions.insert(
                    "media".to_owned(),
                    BTreeMap::from([("content".to_owned(), vec![content])]),
                );
            }
            rss::Item {
                title: Some(item.title.clone()),
                link: Some(item.url.clone()),
                description: Some(item.summary.clone()),
                categories: item
                    .categories
                    .iter()
                    .map(|name| rss::Category {
                        name: name.clone(),
                        domain: None,
                    })
                    .collect(),
                enclosure: item.image.as_ref().map(|image| rss::Enclosure {
                    url: image.url.clone(),
                    length: image.bytes.to_string(),
                    mime_type: image.mime.clone(),
                }),
                guid: Some(rss::Guid {
                    value: item.url.clone(),
                    permalink: true,
                }),
                pub_date: Some(utc(item.published).to_rfc2822()),
                content: item.content_html.clone(),
                extensions,
                dublin_core_ext: Some(DublinCoreExtension {
                    creators: item.authors.iter().map(|(name, _)| name.clone()).collect(),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    let mut namespaces = BTreeMap::new();
    namespaces.insert("atom".to_owned(), ATOM_NS.to_owned());
    namespaces.insert("content".to_owned(), CONTENT_NS.to_owned());
    namespaces.insert(
        "dc".to_owned(),
        rss::extension::dublincore::NAMESPACE.to_owned(),
    );
    namespaces.insert("media".to_owned(), MEDIA_NS.to_owned());
    let channel = rss::Channel {
        title: feed.title.clone(),
        link: feed.home_url.clone(),
        description: feed.description.clone(),
        language: Some(feed.lang.clone()),
        last_build_date: Some(utc(feed.updated()).to_rfc2822()),
        generator: Some("Sahifa".into()),
        atom_ext: Some(rss::extension::atom::AtomExtension {
            links: vec![rss::extension::atom::Link {
                href: feed.self_url.clone(),
                rel: "self".into(),
                mime_type: Some("application/rss+xml".into()),
                ..Default::default()
            }],
        }),
        items,
        namespaces,
        ..Default::default()
    };
    channel.to_string()
}

pub fn atom(feed: &Feed) -> String {
    use atom_syndication as atom;
    let entries: Vec<atom::Entry> = feed
        .items
        .iter()
        .map(|item| atom::Entry {
            title: atom::Text::plain(item.title.clone()),
            id: item.url.clone(),
            updated: utc(item.updated.max(item.published)).fixed_offset(),
            published: Some(utc(item.published).fixed_offset()),
            authors: item
                .authors
                .iter()
                .map(|(name, url)| atom::Person {
                    name: name.clone(),
                    uri: url.clone(),
                    ..Default::default()
                })
                .collect(),
            categories: item
                .categories
                .iter()
                .map(|term| atom::Category {
                    term: term.clone(),
                    ..Default::default()
                })
                .collect(),
            links: std::iter::once(atom::Link {
                href: item.url.clone(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                hreflang: Some(item.lang.clone()),
                ..Default::default()
            })
            .chain(item.image.iter().map(|image| atom::Link {
                href: image.url.clone(),
                rel: "enclosure".into(),
                mime_type: Some(image.mime.clone()),
                length: Some(image.bytes.to_string()),
                ..Default::default()
            }))
            .collect(),
            summary: Some(atom::Text::plain(item.summary.clone())),
            content: item.content_html.as_ref().map(|html| atom::Content {
                value: Some(html.clone()),
                content_type: Some("html".into()),
                lang: Some(item.lang.clone()),
                ..Default::default()
            }),
            ..Default::default()
        })
        .collect();
    let feed = atom::Feed {
        title: atom::Text::plain(feed.title.clone()),
        id: feed.self_url.clone(),
        updated: utc(feed.updated()).fixed_offset(),
        subtitle: Some(atom::Text::plain(feed.description.clone())),
        generator: Some(atom::Generator {
            value: "Sahifa".into(),
            ..Default::default()
        }),
        links: vec![
            atom::Link {
                href: feed.self_url.clone(),
                rel: "self".into(),
                mime_type: Some("application/atom+xml".into()),
                ..Default::default()
            },
            atom::Link {
                href: feed.home_url.clone(),
                rel: "alternate".into(),
                mime_type: Some("text/html".into()),
                ..Default::default()
            },
        ],
        lang: Some(feed.lang.clone()),
        entries,
        ..Default::default()
    };
    feed.to_string()
}

/// JSON Feed 1.1 (<https://www.jsonfeed.org/version/1.1/>).
pub fn json_feed(feed: &Feed) -> Vec<u8> {
    let items: Vec<Value> = feed
        .items
        .iter()
        .map(|item| {
            let mut out = Map::new();
            out.insert("id".into(), json!(item.url));
            out.insert("url".into(), json!(item.url));
            out.insert("title".into(), json!(item.title));
            match &item.content_html {
                Some(html) => out.insert("content_html".into(), json!(html)),
                None => out.insert("content_text".into(), json!(item.summary)),
            };
            out.insert("summary".into(), json!(item.summary));
            if let Some(image) = &item.image {
                out.insert("image".into(), json!(image.url));
                out.insert(
                    "attachments".into(),
                    json!([{"url": image.url, "mime_type": image.mime, "size_in_bytes": image.bytes}]),
                );
            }
            out.insert(
                "date_published".into(),
                json!(utc(item.published).to_rfc3339()),
            );
            out.insert(
                "date_modified".into(),
                json!(utc(item.updated.max(item.published)).to_rfc3339()),
            );
            let authors: Vec<Value> = item
                .authors
                .iter()
                .map(|(name, url)| {
                    let mut author = Map::new();
                    author.insert("name".into(), json!(name));
                    if let Some(url) = url {
                        author.insert("url".into(), json!(url));
                    }
                    Value::Object(author)
                })
                .collect();
            out.insert("authors".into(), json!(authors));
            out.insert("tags".into(), json!(item.categories));
            out.insert("language".into(), json!(item.lang));
            Value::Object(out)
        })
        .collect();
    let doc = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed.self_url,
        "description": feed.description,
        "language": feed.lang,
        "items": items,
    });
    serde_json::to_vec(&doc).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed() -> Feed {
        Feed {
            title: "المفيد".into(),
            description: "آخر الأخبار".into(),
            home_url: "https://almufeed.example".into(),
            self_url: "https://almufeed.example/feeds/rss.xml".into(),
            lang: "ar".into(),
            items: vec![Item {
                url: "https://almufeed.example/%D8%A7".into(),
                title: "قمة <الخليج> & \"الأسواق\"".into(),
                summary: "ملخص".into(),
                content_html: Some("<p dir=\"rtl\">نص</p>".into()),
                published: NaiveDateTime::default(),
                updated: NaiveDateTime::default(),
                authors: vec![("ليلى".into(), None)],
                categories: vec!["العالم".into(), "الخليج".into()],
                image: Some(Image {
                    url: "https://almufeed.example/media/a/w640.jpeg".into(),
                    mime: "image/jpeg".into(),
                    bytes: 1234,
                    width: 640,
                    height: 360,
                    alt: Some("صورة".into()),
                }),
                lang: "ar".into(),
            }],
        }
    }

    #[test]
    fn rss_is_parsed_back_with_its_extensions() {
        let xml = rss(&feed());
        let channel = rss::Channel::read_from(xml.as_bytes()).expect("valid RSS");
        assert_eq!(channel.language(), Some("ar"));
        let item = &channel.items()[0];
        assert_eq!(item.title(), Some("قمة <الخليج> & \"الأسواق\""));
        assert_eq!(item.content(), Some("<p dir=\"rtl\">نص</p>"));
        assert_eq!(item.dublin_core_ext().unwrap().creators(), ["ليلى"]);
        assert!(xml.contains("<media:content"), "{xml}");
        assert_eq!(item.enclosure().unwrap().length(), "1234");
    }

    #[test]
    fn atom_carries_the_language() {
        let xml = atom(&feed());
        assert!(xml.contains("xml:lang=\"ar\""), "{xml}");
        let parsed: atom_syndication::Feed = xml.parse().expect("valid Atom");
        assert_eq!(
            parsed.entries()[0].title().as_str(),
            "قمة <الخليج> & \"الأسواق\""
        );
    }
}
