//! A streaming reader of WordPress eXtended RSS (WXR 1.0, 1.1 and 1.2), the file that
//! WordPress's Tools → Export writes, self-hosted and on WordPress.com alike.
//!
//! The file is read with a pull parser, one record at a time: an author, a category, a tag,
//! or an item (a post, page, attachment or menu item, with its metadata and comments). Only
//! the record being read is held in memory, so an export of any size is read in bounded
//! memory. Elements are matched by the prefixes every WXR writer uses (`wp:`, `content:`,
//! `excerpt:`, `dc:`), whatever version URI they are bound to.

use std::io::BufRead;

use chrono::NaiveDateTime;
use quick_xml::events::{BytesStart, Event};

/// What the channel says about the site.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Header {
    pub wxr_version: String,
    pub title: String,
    pub link: String,
    /// The site's address (`wp:base_site_url`): names the source in the import map.
    pub base_site_url: String,
    pub base_blog_url: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    pub id: Option<i64>,
    pub login: String,
    pub email: String,
    pub display_name: String,
}

/// A category (`wp:category`) or a tag (`wp:tag`) of the channel.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Term {
    pub id: Option<i64>,
    /// As WordPress stores it: Arabic slugs are percent-encoded.
    pub slug: String,
    pub name: String,
    /// The parent category's slug (categories only).
    pub parent_slug: Option<String>,
    pub description: String,
}

/// A `<category>` of an item: a category or tag it is filed under.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemTerm {
    /// `category`, `post_tag`, or another taxonomy.
    pub domain: String,
    pub slug: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comment {
    pub id: i64,
    pub author: String,
    pub author_email: String,
    pub author_url: String,
    pub author_ip: String,
    pub date: Option<NaiveDateTime>,
    pub date_gmt: Option<NaiveDateTime>,
    pub content: String,
    /// `1`, `0`, `spam` or `trash` (WordPress's `comment_approved`).
    pub approved: String,
    /// Empty or `comment` for a comment; `pingback`, `trackback` …
    pub kind: String,
    pub parent: i64,
}

/// A post, page, attachment or other post type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub title: String,
    pub link: String,
    pub guid: String,
    /// The author's login.
    pub creator: String,
    pub content: String,
    pub excerpt: String,
    pub date: Option<NaiveDateTime>,
    pub date_gmt: Option<NaiveDateTime>,
    pub modified_gmt: Option<NaiveDateTime>,
    pub comment_status: String,
    /// As WordPress stores it: Arabic slugs are percent-encoded.
    pub slug: String,
    pub status: String,
    pub parent: i64,
    pub menu_order: i32,
    pub post_type: String,
    pub password: String,
    pub sticky: bool,
    pub attachment_url: String,
    pub terms: Vec<ItemTerm>,
    pub meta: Vec<(String, String)>,
    pub comments: Vec<Comment>,
}

impl Item {
    /// The first value of a metadata key.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// One record of the export, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Record {
    Author(Author),
    Category(Term),
    Tag(Term),
    Item(Box<Item>),
}

/// Why an export could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError<E> {
    /// Not well-formed XML; `offset` is the byte where the reader stopped.
    #[error("malformed XML: {message}")]
    Malformed { offset: u64, message: String },
    /// Well-formed, but not a WordPress export.
    #[error("not a WordPress export (WXR): {0}")]
    NotWxr(String),
    /// The consumer of the records refused one.
    #[error(transparent)]
    Sink(E),
}

/// What is being read.
enum Open {
    Nothing,
    Author(Author),
    Category(Term),
    Tag(Term),
    Item(Box<Item>),
}

/// Reads an export from `input`, handing each record to `sink` as soon as it is complete,
/// and returns the channel's header. Stops at the first malformed byte or refused record.
pub fn read<R: BufRead, E>(
    input: R,
    mut sink: impl FnMut(&Header, Record) -> Result<(), E>,
) -> Result<Header, ReadError<E>> {
    let mut reader = quick_xml::Reader::from_reader(input);
    reader.config_mut().check_end_names = true;
    let mut header = Header::default();
    let mut buf = Vec::new();
    // The names of the open elements, outermost first.
    let mut path: Vec<Vec<u8>> = Vec::new();
    let mut text = String::new();
    let mut open = Open::Nothing;
    let mut comment: Option<Comment> = None;
    let mut meta: Option<(String, String)> = None;
    let mut term: Option<ItemTerm> = None;
    // Where the reader is: just past the text or reference at fault.
    let malformed = |reader: &quick_xml::Reader<R>, message: String| ReadError::Malformed {
        offset: reader.buffer_position(),
        message,
    };
    loop {
        let event = match reader.read_event_into(&mut buf) {
            Ok(event) => event,
            // The parser knows where the faulty markup began.
            Err(e) => {
                return Err(ReadError::Malformed {
                    offset: reader.error_position(),
                    message: e.to_string(),
                });
            }
        };
        match event {
            Event::Start(e) => {
                let name = e.name().as_ref().to_vec();
                if path.is_empty() && name != b"rss" {
                    return Err(ReadError::NotWxr(format!(
                        "the root element is <{}>, not <rss>",
                        String::from_utf8_lossy(&name)
                    )));
                }
                text.clear();
                start(
                    &name,
                    &e,
                    &path,
                    &mut open,
                    &mut comment,
                    &mut meta,
                    &mut term,
                );
                path.push(name);
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_vec();
                if path.is_empty() {
                    return Err(ReadError::NotWxr("the document is empty".into()));
                }
                text.clear();
                start(
                    &name,
                    &e,
                    &path,
                    &mut open,
                    &mut comment,
                    &mut meta,
                    &mut term,
                );
                path.push(name);
                let record = end(
                    &mut path,
                    &mut text,
                    &mut header,
                    &mut open,
                    &mut comment,
                    &mut meta,
                    &mut term,
                );
                emit(record, &header, &mut sink)?;
            }
            Event::End(_) => {
                let record = end(
                    &mut path,
                    &mut text,
                    &mut header,
                    &mut open,
                    &mut comment,
                    &mut meta,
                    &mut term,
                );
                emit(record, &header, &mut sink)?;
            }
            Event::Text(t) => {
                let part = t.decode().map_err(|e| malformed(&reader, e.to_string()))?;
                text.push_str(&part);
            }
            Event::CData(t) => {
                let part = t.decode().map_err(|e| malformed(&reader, e.to_string()))?;
                text.push_str(&part);
            }
            Event::GeneralRef(r) => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                } else {
                    let name = r.decode().map_err(|e| malformed(&reader, e.to_string()))?;
                    match quick_xml::escape::resolve_predefined_entity(&name) {
                        Some(value) => text.push_str(value),
                        None => {
                            return Err(malformed(
                                &reader,
                                format!(
                                    "unknown entity `&{name};` (XML defines only amp, lt, gt, quot and apos)"
                                ),
                            ));
                        }
                    }
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
        buf.clear();
    }
    if let Some(unclosed) = path.last() {
        return Err(ReadError::Malformed {
            offset: reader.buffer_position(),
            message: format!(
                "the file ends inside <{}>: it is cut short",
                String::from_utf8_lossy(unclosed)
            ),
        });
    }
    if header.wxr_version.is_empty() {
        return Err(ReadError::NotWxr(
            "no <wp:wxr_version> in the channel".into(),
        ));
    }
    Ok(header)
}

fn emit<E>(
    record: Option<Record>,
    header: &Header,
    sink: &mut impl FnMut(&Header, Record) -> Result<(), E>,
) -> Result<(), ReadError<E>> {
    let Some(record) = record else {
        return Ok(());
    };
    if header.wxr_version.is_empty() {
        return Err(ReadError::NotWxr(
            "records come before <wp:wxr_version>".into(),
        ));
    }
    sink(header, record).map_err(ReadError::Sink)
}

/// An element opens: a record, or a part of one, begins.
fn start(
    name: &[u8],
    e: &BytesStart<'_>,
    path: &[Vec<u8>],
    open: &mut Open,
    comment: &mut Option<Comment>,
    meta: &mut Option<(String, String)>,
    term: &mut Option<ItemTerm>,
) {
    let parent = path.last().map(Vec::as_slice);
    match (name, parent, &*open) {
        (b"item", Some(b"channel"), _) => *open = Open::Item(Box::default()),
        (b"wp:author", Some(b"channel"), _) => *open = Open::Author(Author::default()),
        (b"wp:category", Some(b"channel"), _) => *open = Open::Category(Term::default()),
        (b"wp:tag", Some(b"channel"), _) => *open = Open::Tag(Term::default()),
        (b"wp:comment", Some(b"item"), Open::Item(_)) => *comment = Some(Comment::default()),
        (b"wp:postmeta", Some(b"item"), Open::Item(_)) => *meta = Some(Default::default()),
        (b"category", Some(b"item"), Open::Item(_)) => {
            let mut found = ItemTerm::default();
            for attribute in e.attributes().flatten() {
                let value = attribute
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map(|v| v.into_owned())
                    .unwrap_or_default();
                match attribute.key.as_ref() {
                    b"domain" => found.domain = value,
                    b"nicename" => found.slug = value,
                    _ => {}
                }
            }
            *term = Some(found);
        }
        _ => {}
    }
}

/// An element closes: its text goes where it belongs; a finished record is returned.
fn end(
    path: &mut Vec<Vec<u8>>,
    text: &mut String,
    header: &mut Header,
    open: &mut Open,
    comment: &mut Option<Comment>,
    meta: &mut Option<(String, String)>,
    term: &mut Option<ItemTerm>,
) -> Option<Record> {
    let name = path.pop().unwrap_or_default();
    let parent = path.last().map(Vec::as_slice);
    let value = std::mem::take(text);
    match (parent, &mut *open) {
        (Some(b"channel"), _) => {
            channel_field(&name, value, header);
            return finish(&name, open);
        }
        (Some(b"wp:author"), Open::Author(author)) => author_field(author, &name, value),
        (Some(b"wp:category"), Open::Category(category)) => category_field(category, &name, value),
        (Some(b"wp:tag"), Open::Tag(tag)) => tag_field(tag, &name, value),
        (Some(b"item"), Open::Item(item)) => match name.as_slice() {
            b"wp:comment" => {
                if let Some(done) = comment.take() {
                    item.comments.push(done);
                }
            }
            b"wp:postmeta" => {
                if let Some(done) = meta.take() {
                    item.meta.push(done);
                }
            }
            b"category" => {
                if let Some(mut done) = term.take() {
                    done.name = value;
                    item.terms.push(done);
                }
            }
            _ => item_field(item, &name, value),
        },
        (Some(b"wp:comment"), Open::Item(_)) => {
            if let Some(comment) = comment.as_mut() {
                comment_field(comment, &name, value);
            }
        }
        (Some(b"wp:postmeta"), Open::Item(_)) => {
            if let Some((key, meta_value)) = meta.as_mut() {
                match name.as_slice() {
                    b"wp:meta_key" => *key = value,
                    b"wp:meta_value" => *meta_value = value,
                    _ => {}
                }
            }
        }
        _ => {}
    }
    None
}

/// The record that ends with `name` at channel level, if any.
fn finish(name: &[u8], open: &mut Open) -> Option<Record> {
    let record = match (name, std::mem::replace(open, Open::Nothing)) {
        (b"item", Open::Item(item)) => Record::Item(item),
        (b"wp:author", Open::Author(author)) => Record::Author(author),
        (b"wp:category", Open::Category(category)) => Record::Category(category),
        (b"wp:tag", Open::Tag(tag)) => Record::Tag(tag),
        (_, other) => {
            *open = other;
            return None;
        }
    };
    Some(record)
}

fn channel_field(name: &[u8], value: String, header: &mut Header) {
    match name {
        b"title" => header.title = value,
        b"link" => header.link = value,
        b"wp:wxr_version" => header.wxr_version = value.trim().to_owned(),
        b"wp:base_site_url" => header.base_site_url = value.trim().to_owned(),
        b"wp:base_blog_url" => header.base_blog_url = value.trim().to_owned(),
        _ => {}
    }
}

fn author_field(author: &mut Author, name: &[u8], value: String) {
    match name {
        b"wp:author_id" => author.id = number(&value),
        b"wp:author_login" => author.login = value,
        b"wp:author_email" => author.email = value.trim().to_owned(),
        b"wp:author_display_name" => author.display_name = value,
        _ => {}
    }
}

fn category_field(category: &mut Term, name: &[u8], value: String) {
    match name {
        b"wp:term_id" => category.id = number(&value),
        b"wp:category_nicename" => category.slug = value.trim().to_owned(),
        b"wp:category_parent" => {
            category.parent_slug = Some(value.trim().to_owned()).filter(|p| !p.is_empty());
        }
        b"wp:cat_name" => category.name = value,
        b"wp:category_description" => category.description = value,
        _ => {}
    }
}

fn tag_field(tag: &mut Term, name: &[u8], value: String) {
    match name {
        b"wp:term_id" => tag.id = number(&value),
        b"wp:tag_slug" => tag.slug = value.trim().to_owned(),
        b"wp:tag_name" => tag.name = value,
        b"wp:tag_description" => tag.description = value,
        _ => {}
    }
}

fn item_field(item: &mut Item, name: &[u8], value: String) {
    match name {
        b"title" => item.title = value,
        b"link" => item.link = value.trim().to_owned(),
        b"guid" => item.guid = value.trim().to_owned(),
        b"dc:creator" => item.creator = value,
        b"content:encoded" => item.content = value,
        b"excerpt:encoded" => item.excerpt = value,
        b"wp:post_id" => item.id = number(&value).unwrap_or_default(),
        b"wp:post_date" => item.date = date(&value),
        b"wp:post_date_gmt" => item.date_gmt = date(&value),
        b"wp:post_modified_gmt" => item.modified_gmt = date(&value),
        b"wp:comment_status" => item.comment_status = value.trim().to_owned(),
        b"wp:post_name" => item.slug = value.trim().to_owned(),
        b"wp:status" => item.status = value.trim().to_owned(),
        b"wp:post_parent" => item.parent = number(&value).unwrap_or_default(),
        b"wp:menu_order" => {
            item.menu_order = number(&value)
                .and_then(|n| i32::try_from(n).ok())
                .unwrap_or_default();
        }
        b"wp:post_type" => item.post_type = value.trim().to_owned(),
        b"wp:post_password" => item.password = value,
        b"wp:is_sticky" => item.sticky = value.trim() == "1",
        b"wp:attachment_url" => item.attachment_url = value.trim().to_owned(),
        _ => {}
    }
}

fn comment_field(comment: &mut Comment, name: &[u8], value: String) {
    match name {
        b"wp:comment_id" => comment.id = number(&value).unwrap_or_default(),
        b"wp:comment_author" => comment.author = value,
        b"wp:comment_author_email" => comment.author_email = value.trim().to_owned(),
        b"wp:comment_author_url" => comment.author_url = value.trim().to_owned(),
        b"wp:comment_author_IP" => comment.author_ip = value.trim().to_owned(),
        b"wp:comment_date" => comment.date = date(&value),
        b"wp:comment_date_gmt" => comment.date_gmt = date(&value),
        b"wp:comment_content" => comment.content = value,
        b"wp:comment_approved" => comment.approved = value.trim().to_owned(),
        b"wp:comment_type" => comment.kind = value.trim().to_owned(),
        b"wp:comment_parent" => comment.parent = number(&value).unwrap_or_default(),
        _ => {}
    }
}

fn number(value: &str) -> Option<i64> {
    value.trim().parse().ok()
}

/// WordPress writes `YYYY-MM-DD HH:MM:SS`, and `0000-00-00 00:00:00` for "never".
fn date(value: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%d %H:%M:%S").ok()
}

/// The 1-based line and column (in characters) of byte `offset` of `bytes`, for an error
/// message a person can act on.
pub fn line_and_column(bytes: &[u8], offset: u64) -> (usize, usize) {
    let end = usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(bytes.len());
    let before = &bytes[..end];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count()
        + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(xml: &str) -> Result<(Header, Vec<Record>), ReadError<()>> {
        let mut found = Vec::new();
        let header = read(xml.as_bytes(), |_, r| {
            found.push(r);
            Ok::<(), ()>(())
        })?;
        Ok((header, found))
    }

    const EXPORT: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>المفيد</title>
  <link>https://almufeed.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://almufeed.example</wp:base_site_url>
  <wp:base_blog_url>https://almufeed.example</wp:base_blog_url>
  <wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[layla]]></wp:author_login><wp:author_email><![CDATA[layla@example.com]]></wp:author_email><wp:author_display_name><![CDATA[ليلى حسن]]></wp:author_display_name></wp:author>
  <wp:category><wp:term_id>3</wp:term_id><wp:category_nicename><![CDATA[%d8%b3%d9%8a%d8%a7%d8%b3%d8%a9]]></wp:category_nicename><wp:category_parent><![CDATA[news]]></wp:category_parent><wp:cat_name><![CDATA[سياسة]]></wp:cat_name></wp:category>
  <wp:tag><wp:term_id>9</wp:term_id><wp:tag_slug><![CDATA[gulf]]></wp:tag_slug><wp:tag_name><![CDATA[الخليج &amp; العالم]]></wp:tag_name></wp:tag>
  <item>
    <title>قمة &amp; مؤتمر</title>
    <link>https://almufeed.example/2024/05/12/%d9%82%d9%85%d8%a9/</link>
    <dc:creator><![CDATA[layla]]></dc:creator>
    <guid isPermaLink="false">https://almufeed.example/?p=12</guid>
    <content:encoded><![CDATA[<p>نص <b>الخبر</b></p>]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_date><![CDATA[2024-05-12 13:00:00]]></wp:post_date>
    <wp:post_date_gmt><![CDATA[2024-05-12 10:00:00]]></wp:post_date_gmt>
    <wp:comment_status><![CDATA[open]]></wp:comment_status>
    <wp:post_name><![CDATA[%d9%82%d9%85%d8%a9]]></wp:post_name>
    <wp:status><![CDATA[publish]]></wp:status>
    <wp:post_parent>0</wp:post_parent>
    <wp:menu_order>0</wp:menu_order>
    <wp:post_type><![CDATA[post]]></wp:post_type>
    <wp:post_password><![CDATA[]]></wp:post_password>
    <wp:is_sticky>1</wp:is_sticky>
    <category domain="category" nicename="%d8%b3%d9%8a%d8%a7%d8%b3%d8%a9"><![CDATA[سياسة]]></category>
    <category domain="post_tag" nicename="gulf"><![CDATA[الخليج]]></category>
    <wp:postmeta><wp:meta_key><![CDATA[_thumbnail_id]]></wp:meta_key><wp:meta_value><![CDATA[40]]></wp:meta_value></wp:postmeta>
    <wp:comment>
      <wp:comment_id>7</wp:comment_id>
      <wp:comment_author><![CDATA[سارة]]></wp:comment_author>
      <wp:comment_author_email><![CDATA[sara@example.com]]></wp:comment_author_email>
      <wp:comment_author_url>https://sara.example</wp:comment_author_url>
      <wp:comment_author_IP><![CDATA[192.0.2.1]]></wp:comment_author_IP>
      <wp:comment_date><![CDATA[2024-05-12 14:00:00]]></wp:comment_date>
      <wp:comment_date_gmt><![CDATA[2024-05-12 11:00:00]]></wp:comment_date_gmt>
      <wp:comment_content><![CDATA[تعليق]]></wp:comment_content>
      <wp:comment_approved><![CDATA[1]]></wp:comment_approved>
      <wp:comment_type><![CDATA[comment]]></wp:comment_type>
      <wp:comment_parent>0</wp:comment_parent>
      <wp:commentmeta><wp:meta_key><![CDATA[akismet]]></wp:meta_key><wp:meta_value><![CDATA[x]]></wp:meta_value></wp:commentmeta>
    </wp:comment>
  </item>
</channel>
</rss>"#;

    #[test]
    fn every_kind_of_record_is_read_with_its_fields() {
        let (header, found) = records(EXPORT).unwrap();
        assert_eq!(header.wxr_version, "1.2");
        assert_eq!(header.base_site_url, "https://almufeed.example");
        assert_eq!(found.len(), 4);
        let Record::Author(author) = &found[0] else {
            panic!("{found:?}")
        };
        assert_eq!(
            (author.login.as_str(), author.display_name.as_str()),
            ("layla", "ليلى حسن")
        );
        let Record::Category(category) = &found[1] else {
            panic!()
        };
        assert_eq!(category.parent_slug.as_deref(), Some("news"));
        assert_eq!(category.name, "سياسة");
        let Record::Tag(tag) = &found[2] else {
            panic!()
        };
        // CDATA is taken as written (WordPress stores term names HTML-escaped; the import
        // decodes them).
        assert_eq!(tag.name, "الخليج &amp; العالم");
        let Record::Item(item) = &found[3] else {
            panic!()
        };
        assert_eq!(item.title, "قمة & مؤتمر");
        assert_eq!(item.id, 12);
        assert_eq!(item.content, "<p>نص <b>الخبر</b></p>");
        assert!(item.sticky);
        assert_eq!(item.status, "publish");
        assert_eq!(item.date_gmt.unwrap().to_string(), "2024-05-12 10:00:00");
        assert_eq!(item.terms.len(), 2);
        assert_eq!(item.terms[0].domain, "category");
        assert_eq!(item.meta("_thumbnail_id"), Some("40"));
        assert_eq!(item.meta.len(), 1, "comment metadata is not post metadata");
        assert_eq!(item.comments.len(), 1);
        let comment = &item.comments[0];
        assert_eq!(comment.author_url, "https://sara.example");
        assert_eq!(comment.approved, "1");
        assert_eq!(comment.date_gmt.unwrap().to_string(), "2024-05-12 11:00:00");
    }

    #[test]
    fn malformed_exports_stop_with_where_they_broke() {
        for broken in [
            EXPORT.replace("</wp:post_id>", "</wp:post_idd>"),
            EXPORT.replace("قمة &amp; مؤتمر", "قمة & مؤتمر"),
            EXPORT.replace("قمة &amp; مؤتمر", "قمة &nbsp; مؤتمر"),
            EXPORT[..EXPORT.len() / 2].to_owned(),
        ] {
            match records(&broken) {
                Err(ReadError::Malformed { offset, .. }) => {
                    let (line, column) = line_and_column(broken.as_bytes(), offset);
                    assert!(line > 1 && column >= 1, "{line}:{column}");
                }
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn other_xml_is_not_an_export() {
        for other in [
            "<feed><entry/></feed>",
            "<rss><channel><item><title>x</title></item></channel></rss>",
            "<rss/>",
        ] {
            assert!(
                matches!(records(other), Err(ReadError::NotWxr(_))),
                "{other}"
            );
        }
    }

    #[test]
    fn older_wxr_versions_are_read_alike() {
        for version in ["1.0", "1.1"] {
            let old = EXPORT
                .replace("export/1.2/", &format!("export/{version}/"))
                .replace("<wp:wxr_version>1.2", &format!("<wp:wxr_version>{version}"));
            let (header, found) = records(&old).unwrap();
            assert_eq!(header.wxr_version, version);
            assert_eq!(found.len(), 4);
        }
    }

    proptest::proptest! {
        /// Hostile or damaged files: any bytes, and the export cut or with a byte changed
        /// anywhere, give records or an error, never a panic.
        #[test]
        fn damaged_exports_never_panic(
            noise in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400),
            cut in 0usize..5000,
            flip in 0usize..5000,
            byte in proptest::prelude::any::<u8>(),
        ) {
            let _ = records(&String::from_utf8_lossy(&noise));
            let bytes = EXPORT.as_bytes();
            let _ = read(&bytes[..cut.min(bytes.len())], |_, _| Ok::<(), ()>(()));
            let mut changed = bytes.to_vec();
            let at = flip % changed.len();
            changed[at] = byte;
            let _ = read(changed.as_slice(), |_, _| Ok::<(), ()>(()));
        }
    }

    #[test]
    fn lines_and_columns_count_characters() {
        let text = "ab\nجدد\nx".as_bytes();
        assert_eq!(line_and_column(text, 0), (1, 1));
        assert_eq!(line_and_column(text, 3), (2, 1));
        assert_eq!(line_and_column(text, 7), (2, 3));
        assert_eq!(line_and_column(text, 1000), (3, 2));
    }
}
