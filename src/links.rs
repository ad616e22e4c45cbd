//! Where readers find things on the public site: its address, the URL patterns of articles,
//! sections, tags, authors and pages, and the publication's name, language and logo.
//!
//! Sahifa renders no pages, but feeds, sitemaps, structured data and every `url` field must
//! name the page a reader would open. The site is one per server; its settings are parsed at
//! start (`config.rs`), and the store makes them current around every unit of work
//! ([`scope`]), because the wire types are built deep inside operations, far from the
//! request, and passing them down every call would touch every operation for one setting.

use std::cell::RefCell;
use std::sync::Arc;

use chrono::{Datelike, NaiveDateTime};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters is escaped in a path segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a slug as a browser sends it in a path.
pub fn encode_segment(segment: &str) -> String {
    utf8_percent_encode(segment, SEGMENT).to_string()
}

/// What a URL pattern may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    Id,
    Slug,
    /// The section's own slug (articles).
    Section,
    /// The slugs of the section and its ancestors, outermost first, joined by `/`.
    SectionPath,
    Year,
    Month,
    Day,
}

impl Var {
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "slug" => Self::Slug,
            "section" => Self::Section,
            "section_path" => Self::SectionPath,
            "yyyy" => Self::Year,
            "mm" => Self::Month,
            "dd" => Self::Day,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Var(Var),
}

/// A URL pattern such as `/{section_path}/{slug}`, checked at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern(Vec<Piece>);

/// The kinds of pages a pattern is for, and the placeholders each may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Article,
    Section,
    Tag,
    Author,
    Page,
}

impl Kind {
    fn allows(self, var: Var) -> bool {
        match self {
            Kind::Article => true,
            Kind::Section => matches!(var, Var::Id | Var::Slug | Var::SectionPath),
            Kind::Tag | Kind::Author | Kind::Page => matches!(var, Var::Id | Var::Slug),
        }
    }

    fn names(self) -> &'static str {
        match self {
            Kind::Article => "{id} {slug} {section} {section_path} {yyyy} {mm} {dd}",
            Kind::Section => "{id} {slug} {section_path}",
            Kind::Tag | Kind::Author | Kind::Page => "{id} {slug}",
        }
    }
}

impl Pattern {
    /// Parses a pattern: a path starting with `/`, literal parts of URL-safe characters, and
    /// placeholders the kind allows; it must name the item (`{id}`, `{slug}` or, for sections,
    /// `{section_path}`).
    pub fn parse(raw: &str, kind: Kind) -> Result<Self, String> {
        if !raw.starts_with('/') {
            return Err("must start with `/`".into());
        }
        let mut pieces = Vec::new();
        let mut rest = raw;
        while !rest.is_empty() {
            match rest.find('{') {
                Some(0) => {
                    let end = rest
                        .find('}')
                        .ok_or_else(|| "a `{` is never closed".to_string())?;
                    let name = &rest[1..end];
                    let var = Var::parse(name)
                        .filter(|v| kind.allows(*v))
                        .ok_or_else(|| {
                            format!("unknown placeholder `{{{name}}}` (use {})", kind.names())
                        })?;
                    pieces.push(Piece::Var(var));
                    rest = &rest[end + 1..];
                }
                found => {
                    let end = found.unwrap_or(rest.len());
                    let text = &rest[..end];
                    if let Some(bad) = text
                        .chars()
                        .find(|c| !(c.is_ascii_alphanumeric() || "/-._~!$&'()*+,;=:@".contains(*c)))
                    {
                        return Err(format!("`{bad}` is not allowed in a URL path here"));
                    }
                    pieces.push(Piece::Text(text.to_owned()));
                    rest = &rest[end..];
                }
            }
        }
        let names_item = pieces.iter().any(|p| {
            matches!(p, Piece::Var(Var::Id | Var::Slug))
                || (kind == Kind::Section && *p == Piece::Var(Var::SectionPath))
        });
        if !names_item {
            return Err(
                "must contain {id} or {slug}, or readers could not tell items apart".into(),
            );
        }
        Ok(Self(pieces))
    }

    fn render(&self, values: &Values<'_>) -> String {
        let mut out = String::new();
        for piece in &self.0 {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Var(var) => match var {
                    Var::Id => out.push_str(&values.id.to_string()),
                    Var::Slug => out.push_str(&encode_segment(values.slug)),
                    Var::Section => out.push_str(&encode_segment(values.section)),
                    Var::SectionPath => {
                        let encoded: Vec<String> = values
                            .section_path
                            .iter()
                            .map(|s| encode_segment(s))
                            .collect();
                        out.push_str(&encoded.join("/"));
                    }
                    Var::Year => out.push_str(&format!("{:04}", values.date.year())),
                    Var::Month => out.push_str(&format!("{:02}", values.date.month())),
                    Var::Day => out.push_str(&format!("{:02}", values.date.day())),
                },
            }
        }
        out
    }

    /// Whether rendering needs the section's ancestors.
    pub fn needs_section_path(&self) -> bool {
        self.0.contains(&Piece::Var(Var::SectionPath))
    }
}

struct Values<'a> {
    id: i64,
    slug: &'a str,
    section: &'a str,
    section_path: &'a [String],
    date: NaiveDateTime,
}

impl<'a> Values<'a> {
    fn item(id: i64, slug: &'a str) -> Self {
        Self {
            id,
            slug,
            section: "",
            section_path: &[],
            date: NaiveDateTime::default(),
        }
    }
}

/// The public site, as configured. Without `SAHIFA_PUBLIC_URL` no URL is known: `url`
/// fields are null and feeds and sitemaps answer 404.
#[derive(Debug, Clone)]
pub struct Site {
    /// `SAHIFA_PUBLIC_URL`, without its trailing slash.
    pub public_url: Option<String>,
    pub article: Pattern,
    pub section: Pattern,
    pub tag: Pattern,
    pub author: Pattern,
    pub page: Pattern,
    /// The publication's name (Google News, `publisher`, feed titles).
    pub name: String,
    /// The publication's language (Google News, the site-wide feed).
    pub lang: String,
    /// The publisher's logo (`publisher.logo` in structured data).
    pub logo: Option<String>,
    /// Whether feeds carry whole bodies (`full`) or excerpts only.
    pub feed_full_content: bool,
    /// How many articles a feed holds.
    pub feed_size: i64,
}

impl Default for Site {
    fn default() -> Self {
        Self {
            public_url: None,
            article: Pattern::parse(DEFAULT_ARTICLE, Kind::Article).expect("valid default"),
            section: Pattern::parse(DEFAULT_SECTION, Kind::Section).expect("valid default"),
            tag: Pattern::parse(DEFAULT_TAG, Kind::Tag).expect("valid default"),
            author: Pattern::parse(DEFAULT_AUTHOR, Kind::Author).expect("valid default"),
            page: Pattern::parse(DEFAULT_PAGE, Kind::Page).expect("valid default"),
            name: "Sahifa".into(),
            lang: "ar".into(),
            logo: None,
            feed_full_content: true,
            feed_size: 50,
        }
    }
}

pub const DEFAULT_ARTICLE: &str = "/{section_path}/{slug}";
pub const DEFAULT_SECTION: &str = "/{section_path}";
pub const DEFAULT_TAG: &str = "/tag/{slug}";
pub const DEFAULT_AUTHOR: &str = "/author/{slug}";
pub const DEFAULT_PAGE: &str = "/{slug}";

/// What an article's URL is made of.
pub struct ArticlePlace<'a> {
    pub id: i64,
    pub slug: &'a str,
    pub section_slug: &'a str,
    /// The section's slugs from the outermost ancestor down (empty: just `section_slug`).
    pub section_path: &'a [String],
    /// When it was published (or, unpublished, created): `{yyyy}/{mm}/{dd}`.
    pub date: NaiveDateTime,
}

impl Site {
    fn absolute(&self, path: String) -> Option<String> {
        Some(format!("{}{path}", self.public_url.as_ref()?))
    }

    pub fn is_configured(&self) -> bool {
        self.public_url.is_some()
    }

    pub fn article_url(&self, place: &ArticlePlace<'_>) -> Option<String> {
        self.public_url.as_ref()?;
        let own = [place.section_slug.to_owned()];
        let path = if place.section_path.is_empty() {
            &own[..]
        } else {
            place.section_path
        };
        self.absolute(self.article.render(&Values {
            id: place.id,
            slug: place.slug,
            section: place.section_slug,
            section_path: path,
            date: place.date,
        }))
    }

    pub fn section_url(&self, id: i64, slug: &str, path: &[String]) -> Option<String> {
        self.public_url.as_ref()?;
        let own = [slug.to_owned()];
        self.absolute(self.section.render(&Values {
            section_path: if path.is_empty() { &own[..] } else { path },
            ..Values::item(id, slug)
        }))
    }

    pub fn tag_url(&self, id: i64, slug: &str) -> Option<String> {
        self.public_url.as_ref()?;
        self.absolute(self.tag.render(&Values::item(id, slug)))
    }

    /// Authors have no stored slug: theirs is made from the display name.
    pub fn author_url(&self, id: i64, display_name: &str) -> Option<String> {
        self.public_url.as_ref()?;
        let slug = crate::text::slug::slugify(display_name);
        self.absolute(self.author.render(&Values::item(id, &slug)))
    }

    pub fn page_url(&self, id: i64, slug: &str) -> Option<String> {
        self.public_url.as_ref()?;
        self.absolute(self.page.render(&Values::item(id, slug)))
    }

    /// Whether building URLs needs each section's ancestors.
    pub fn needs_section_paths(&self) -> bool {
        self.public_url.is_some()
            && (self.article.needs_section_path() || self.section.needs_section_path())
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<Site>>> = const { RefCell::new(None) };
}

/// Runs `work` with `site` as the current site (see the module's comment).
pub fn scope<T>(site: &Arc<Site>, work: impl FnOnce() -> T) -> T {
    let previous = CURRENT.with(|c| c.replace(Some(site.clone())));
    // Restored even when `work` panics, so a pooled thread never keeps another server's site.
    struct Restore(Option<Arc<Site>>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let previous = self.0.take();
            CURRENT.with(|c| *c.borrow_mut() = previous);
        }
    }
    let _restore = Restore(previous);
    work()
}

/// The current site; outside a store's unit of work (CLI commands, tests of pure code), the
/// unconfigured one.
pub fn current() -> Arc<Site> {
    CURRENT
        .with(|c| c.borrow().clone())
        .unwrap_or_else(|| Arc::new(Site::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        Site {
            public_url: Some("https://almufeed.example".into()),
            ..Site::default()
        }
    }

    #[test]
    fn arabic_slugs_are_percent_encoded_as_browsers_send_them() {
        let s = site();
        let url = s.article_url(&ArticlePlace {
            id: 7,
            slug: "قمة-الخليج",
            section_slug: "الخليج",
            section_path: &["العالم".into(), "الخليج".into()],
            date: NaiveDateTime::default(),
        });
        assert_eq!(
            url.as_deref(),
            Some(
                "https://almufeed.example/%D8%A7%D9%84%D8%B9%D8%A7%D9%84%D9%85/%D8%A7%D9%84%D8%AE%D9%84%D9%8A%D8%AC/%D9%82%D9%85%D8%A9-%D8%A7%D9%84%D8%AE%D9%84%D9%8A%D8%AC"
            )
        );
    }

    #[test]
    fn dates_and_ids_fill_their_placeholders() {
        let s = Site {
            article: Pattern::parse("/{yyyy}/{mm}/{dd}/{id}-{slug}", Kind::Article).unwrap(),
            ..site()
        };
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 9)
            .unwrap()
            .and_hms_opt(23, 0, 0)
            .unwrap();
        let url = s.article_url(&ArticlePlace {
            id: 42,
            slug: "gulf",
            section_slug: "world",
            section_path: &[],
            date,
        });
        assert_eq!(
            url.as_deref(),
            Some("https://almufeed.example/2026/03/09/42-gulf")
        );
    }

    #[test]
    fn unconfigured_sites_have_no_urls() {
        assert_eq!(Site::default().tag_url(1, "x"), None);
    }

    #[test]
    fn bad_patterns_are_refused_with_a_reason() {
        for (raw, kind) in [
            ("tag/{slug}", Kind::Tag),
            ("/tag/{slug", Kind::Tag),
            ("/tag/{section_path}", Kind::Tag),
            ("/tag/{nope}", Kind::Tag),
            ("/tag/", Kind::Tag),
            ("/a b/{slug}", Kind::Tag),
            ("/x?{slug}", Kind::Page),
            ("/{yyyy}/{mm}", Kind::Article),
        ] {
            assert!(Pattern::parse(raw, kind).is_err(), "{raw}");
        }
        assert!(Pattern::parse("/{section_path}", Kind::Section).is_ok());
    }
}
