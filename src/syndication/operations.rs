//! Feeds and sitemaps from the store: what each holds, for readers (nothing unpublished,
//! nothing scheduled before its time, nothing archived).

use std::sync::Arc;

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use super::feeds::{Feed, Image, Item};
use super::model;
use super::sitemaps::{self, Entry, MAX_NEWS, MAX_URLS, NewsEntry};
use crate::articles::dto::ArticleSummary;
use crate::articles::dto::Sort;
use crate::articles::model::{self as articles, ListQuery, Scope};
use crate::articles::operations::summaries;
use crate::articles::workflow::Readable;
use crate::db::DbConnection;
use crate::http::ApiError;
use crate::links::Site;
use crate::sections::{model as sections, tree};
use crate::slugs::Reference;

/// The site, or the 404 that says what to configure.
pub fn configured_site() -> Result<Arc<Site>, ApiError> {
    let site = crate::links::current();
    if site.is_configured() {
        Ok(site)
    } else {
        Err(ApiError::NotFound(
            "feeds and sitemaps need the public site's address: set SAHIFA_PUBLIC_URL \
             (e.g. https://almufeed.example), and SAHIFA_URL_ARTICLE and the other URL patterns \
             if the defaults do not match the site (README, Syndication)"
                .into(),
        ))
    }
}

/// What a feed is narrowed to, as validated by the handler.
#[derive(Debug, Clone, Default)]
pub struct FeedScope {
    pub section: Option<String>,
    pub tag: Option<String>,
    pub author: Option<i64>,
    /// A canonical language tag.
    pub lang: Option<String>,
}

/// The newest articles of a scope, as a feed read at `self_path` (path and query).
pub fn feed(
    c: &mut DbConnection,
    scope: &FeedScope,
    self_path: &str,
    now: NaiveDateTime,
) -> Result<Feed, ApiError> {
    let site = configured_site()?;
    let base = site.public_url.clone().unwrap_or_default();
    let mut query = ListQuery {
        scope: Scope::Visible,
        readable: Readable::Visible,
        section_ids: None,
        tag_id: None,
        author_id: None,
        lang: scope.lang.clone(),
        published_after: None,
        published_before: None,
        featured: None,
        breaking: None,
        sort: Sort::NewestFirst,
        now,
    };
    let mut title = site.name.clone();
    let mut home_url = base.clone();
    if let Some(section) = &scope.section {
        let row = crate::slugs::target::<sections::SectionRow>(c, &Reference::parse(section))?
            .ok_or_else(|| ApiError::not_found("section"))?;
        query.section_ids = Some(tree::with_descendants(&sections::edges(c)?, row.id));
        let paths = crate::sections::operations::paths(c)?;
        let path = paths.get(&row.id).map(Vec::as_slice).unwrap_or_default();
        home_url = site
            .section_url(row.id, &row.slug, path)
            .unwrap_or(home_url);
        title = format!("{title} — {}", row.name);
    }
    // A tag or an author is shown only through an article readers may read: one seen only on
    // drafts is as unknown as one that does not exist.
    if let Some(tag) = &scope.tag {
        let id = crate::tags::model::id_for(c, tag)?.ok_or_else(|| ApiError::not_found("tag"))?;
        let probe = ListQuery {
            tag_id: Some(id),
            ..query.clone()
        };
        if !articles::any(c, &probe)? {
            return Err(ApiError::not_found("tag"));
        }
        query.tag_id = Some(id);
        let slug = crate::tags::model::slug_of(c, id)?.unwrap_or_default();
        home_url = site.tag_url(id, &slug).unwrap_or(home_url);
        title = format!("{title} — {tag}");
    }
    if let Some(author) = scope.author {
        let probe = ListQuery {
            author_id: Some(author),
            ..query.clone()
        };
        let name = crate::users::model::display_names(c, &[author])?.pop();
        let Some((_, name)) = name.filter(|_| articles::any(c, &probe).unwrap_or(false)) else {
            return Err(ApiError::not_found("author"));
        };
        query.author_id = Some(author);
        home_url = site.author_url(author, &name).unwrap_or(home_url);
        title = format!("{title} — {name}");
    }
    let rows = articles::first(c, &query, site.feed_size)?;
    let bodies = if site.feed_full_content {
        let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
        articles::bodies_html(c, &ids)?
    } else {
        Default::default()
    };
    let items = summaries(c, &rows)?
        .into_iter()
        .map(|article| {
            let content_html = bodies.get(&article.id).cloned();
            item(article, content_html, &base)
        })
        .collect();
    Ok(Feed {
        description: title.clone(),
        title,
        home_url,
        self_url: format!("{base}{self_path}"),
        lang: scope.lang.clone().unwrap_or_else(|| site.lang.clone()),
        items,
    })
}

fn item(article: ArticleSummary, content_html: Option<String>, base: &str) -> Item {
    let image = featured_image(&article, base);
    let mut categories = vec![article.section.name.clone()];
    categories.extend(article.tags.iter().cloned());
    Item {
        url: article.url.clone().unwrap_or_default(),
        title: article.title,
        summary: article.excerpt,
        content_html,
        published: article
            .published_at
            .map_or(article.created_at.naive(), |at| at.naive()),
        updated: article.updated_at.naive(),
        authors: article
            .authors
            .into_iter()
            .map(|a| (a.display_name, a.url))
            .collect(),
        categories,
        image,
        lang: article.lang,
    }
}

/// A URL served by Sahifa (`/media/…`) as the public site passes it on.
fn absolute(url: &str, base: &str) -> String {
    if url.starts_with('/') {
        format!("{base}{url}")
    } else {
        url.to_owned()
    }
}

/// The featured image a feed or sitemap shows: the library item's largest rendition in its
/// source's format (what every reader decodes), else the external image.
fn featured_image(article: &ArticleSummary, base: &str) -> Option<Image> {
    if let Some(media) = &article.featured_media {
        return largest_rendition(media, base);
    }
    let external = article.featured_image.as_ref()?;
    let lower = external.url.to_ascii_lowercase();
    let mime = if lower.ends_with(".png") {
        "image/png"
    } else if lower.ends_with(".webp") {
        "image/webp"
    } else if lower.ends_with(".gif") {
        "image/gif"
    } else {
        "image/jpeg"
    };
    Some(Image {
        url: external.url.clone(),
        mime: mime.into(),
        bytes: 0,
        width: 0,
        height: 0,
        alt: external.alt.clone(),
    })
}

/// A library item's largest rendition in its source's format (what every reader decodes).
fn largest_rendition(media: &crate::media::dto::MediaView, base: &str) -> Option<Image> {
    let best = media
        .renditions
        .iter()
        .filter(|r| r.crop.is_none() && r.format != "webp")
        .max_by_key(|r| r.width)?;
    Some(Image {
        url: absolute(&best.url, base),
        mime: format!("image/{}", best.format),
        bytes: best.bytes,
        width: best.width,
        height: best.height,
        alt: Some(media.alt.clone()).filter(|a| !a.is_empty()),
    })
}

/// A month of the archive and which file of it (1: the first 50,000 articles).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthFile {
    pub year: i32,
    pub month: u32,
    pub part: i64,
}

impl MonthFile {
    /// `articles-2026-11` or `articles-2026-11-2`, the name without `.xml`.
    pub fn parse(name: &str) -> Option<Self> {
        let rest = name.strip_prefix("articles-")?;
        let mut parts = rest.split('-');
        let year = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
        let month = parts.next().filter(|m| m.len() == 2)?.parse().ok()?;
        let part = match parts.next() {
            None => 1,
            Some(p) if !p.starts_with('0') => p.parse().ok().filter(|p| *p >= 2)?,
            Some(_) => return None,
        };
        if parts.next().is_some() || !(1..=12).contains(&month) {
            return None;
        }
        NaiveDate::from_ymd_opt(year, month, 1)?;
        Some(Self { year, month, part })
    }

    fn name(&self) -> String {
        match self.part {
            1 => format!("articles-{:04}-{:02}", self.year, self.month),
            n => format!("articles-{:04}-{:02}-{n}", self.year, self.month),
        }
    }

    fn range(&self) -> (NaiveDateTime, NaiveDateTime) {
        let start = NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default();
        let next = if self.month == 12 {
            NaiveDate::from_ymd_opt(self.year + 1, 1, 1)
        } else {
            NaiveDate::from_ymd_opt(self.year, self.month + 1, 1)
        }
        .unwrap_or_default();
        (
            start.and_hms_opt(0, 0, 0).unwrap_or_default(),
            next.and_hms_opt(0, 0, 0).unwrap_or_default(),
        )
    }
}

/// `/sitemap.xml`: the sections, tags and pages sitemaps, then one per month that has
/// published articles (and one more per 50,000 articles in a month), newest first.
pub fn index(c: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<u8>, ApiError> {
    let site = configured_site()?;
    let base = site.public_url.clone().unwrap_or_default();
    let mut locs: Vec<(String, Option<NaiveDateTime>)> = ["sections", "tags", "pages"]
        .iter()
        .map(|name| (format!("{base}/sitemaps/{name}.xml"), None))
        .collect();
    if let Some((first, last)) = model::published_span(c, now)? {
        let mut year = last.year();
        let mut month = last.month();
        // One probe per month through the index: 240 for twenty years.
        while (year, month) >= (first.year(), first.month()) {
            let mut part = 1;
            loop {
                let file = MonthFile { year, month, part };
                let (from, to) = file.range();
                let to = to.min(now + Duration::seconds(1));
                if !model::has_published_between(c, from, to, (part - 1) * MAX_URLS as i64)? {
                    break;
                }
                locs.push((format!("{base}/sitemaps/{}.xml", file.name()), None));
                part += 1;
            }
            (year, month) = if month == 1 {
                (year - 1, 12)
            } else {
                (year, month - 1)
            };
        }
    }
    Ok(sitemaps::index(&locs))
}

/// A month's articles (one file of it), oldest first, with their featured images.
pub fn month(
    c: &mut DbConnection,
    file: MonthFile,
    now: NaiveDateTime,
) -> Result<Vec<u8>, ApiError> {
    let site = configured_site()?;
    let base = site.public_url.clone().unwrap_or_default();
    let (from, to) = file.range();
    // Never a scheduled article: the range ends now at the latest.
    let to = to.min(now + Duration::seconds(1));
    let rows = model::published_between(
        c,
        from,
        to,
        (file.part - 1) * MAX_URLS as i64,
        MAX_URLS as i64,
    )?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| r.published_at.is_some_and(|at| at <= now))
        .collect();
    if rows.is_empty() {
        return Err(ApiError::not_found("sitemap"));
    }
    // Only what a sitemap shows: URLs from the section tree (one query) and the featured
    // media (one query per chunk), none of the tags, bylines and counts of the API's views.
    let paths = crate::sections::operations::paths(c)?;
    let mut entries = Vec::with_capacity(rows.len());
    // In chunks: the media's `IN (…)` lists stay far below SQLite's parameter limit.
    for chunk in rows.chunks(2_000) {
        let wanted: Vec<(i64, String)> = chunk
            .iter()
            .filter_map(|r| Some((r.featured_media_id?, r.lang.clone())))
            .collect();
        let media = crate::media::operations::views(c, &wanted)?;
        for row in chunk {
            let path = paths
                .get(&row.section_id)
                .map(Vec::as_slice)
                .unwrap_or_default();
            let Some(loc) = site.article_url(&crate::links::ArticlePlace {
                id: row.id,
                slug: &row.slug,
                section_slug: path.last().map_or("", String::as_str),
                section_path: path,
                date: row.published_at.unwrap_or(row.created_at),
            }) else {
                continue;
            };
            let image = match row.featured_media_id {
                Some(id) => media
                    .get(&(id, row.lang.clone()))
                    .and_then(|m| largest_rendition(m, &base).map(|i| i.url)),
                None => row.featured_image_url.clone(),
            };
            entries.push(Entry {
                loc,
                lastmod: Some(row.updated_at),
                images: image.into_iter().collect(),
            });
        }
    }
    Ok(sitemaps::urlset(&entries))
}

/// Every section's page.
pub fn sections_sitemap(c: &mut DbConnection) -> Result<Vec<u8>, ApiError> {
    let site = configured_site()?;
    let paths = crate::sections::operations::paths(c)?;
    let entries: Vec<Entry> = model::sections(c)?
        .into_iter()
        .filter_map(|(id, slug, updated)| {
            let path = paths.get(&id).map(Vec::as_slice).unwrap_or_default();
            Some(Entry {
                loc: site.section_url(id, &slug, path)?,
                lastmod: Some(updated),
                images: Vec::new(),
            })
        })
        .collect();
    Ok(sitemaps::urlset(&entries))
}

/// The pages of tags on published articles (the most used first).
pub fn tags_sitemap(c: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<u8>, ApiError> {
    let site = configured_site()?;
    let (tags, _) = crate::tags::model::visible_counts(c, now, 0, MAX_URLS as i64)?;
    let entries: Vec<Entry> = tags
        .into_iter()
        .filter_map(|tag| {
            Some(Entry {
                loc: site.tag_url(tag.id, &tag.slug)?,
                lastmod: None,
                images: Vec::new(),
            })
        })
        .collect();
    Ok(sitemaps::urlset(&entries))
}

/// Published pages.
pub fn pages_sitemap(c: &mut DbConnection) -> Result<Vec<u8>, ApiError> {
    let site = configured_site()?;
    let entries: Vec<Entry> = model::published_pages(c, MAX_URLS as i64)?
        .into_iter()
        .filter_map(|(id, slug, updated)| {
            Some(Entry {
                loc: site.page_url(id, &slug)?,
                lastmod: Some(updated),
                images: Vec::new(),
            })
        })
        .collect();
    Ok(sitemaps::urlset(&entries))
}

/// Google News: articles published in the last 48 hours, newest first, at most 1,000.
pub fn news(c: &mut DbConnection, now: NaiveDateTime) -> Result<Vec<u8>, ApiError> {
    let site = configured_site()?;
    let query = ListQuery {
        scope: Scope::Visible,
        readable: Readable::Visible,
        section_ids: None,
        tag_id: None,
        author_id: None,
        lang: None,
        published_after: Some(now - Duration::hours(48)),
        published_before: None,
        featured: None,
        breaking: None,
        sort: Sort::NewestFirst,
        now,
    };
    let rows = articles::first(c, &query, MAX_NEWS as i64)?;
    let entries: Vec<NewsEntry> = summaries(c, &rows)?
        .into_iter()
        .map(|article| NewsEntry {
            loc: article.url.unwrap_or_default(),
            published: article
                .published_at
                .map_or(article.created_at.naive(), |at| at.naive()),
            title: article.title,
        })
        .collect();
    // Google News takes ISO 639 codes: the primary subtag, except Chinese's two scripts.
    let language = match site.lang.to_ascii_lowercase().as_str() {
        l @ ("zh-cn" | "zh-tw") => l.to_owned(),
        l => l.split('-').next().unwrap_or(l).to_owned(),
    };
    Ok(sitemaps::news(&entries, &site.name, &language))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_files_parse_and_refuse_the_rest() {
        assert_eq!(
            MonthFile::parse("articles-2026-11"),
            Some(MonthFile {
                year: 2026,
                month: 11,
                part: 1
            })
        );
        assert_eq!(
            MonthFile::parse("articles-2026-11-2").map(|f| f.part),
            Some(2)
        );
        for bad in [
            "articles-2026-13",
            "articles-2026-1",
            "articles-26-11",
            "articles-2026-11-1",
            "articles-2026-11-02",
            "articles-2026-11-x",
            "articles-2026-11-2-3",
            "pages",
        ] {
            assert_eq!(MonthFile::parse(bad), None, "{bad}");
        }
        assert_eq!(
            MonthFile::parse("articles-2026-11-2").unwrap().name(),
            "articles-2026-11-2"
        );
    }
}
