//! An article as schema.org `NewsArticle` structured data (JSON-LD), which search engines
//! read from the article's page: Google's required and recommended properties for articles.

use serde_json::{Map, Value, json};
use unicode_normalization::char::is_combining_mark;

use super::dto::{ArticleSummary, Correction};
use crate::links::Site;

/// Google shows at most this many characters of a headline.
pub const HEADLINE_CHARS: usize = 110;

/// The `NewsArticle` of `article` on `site`. Properties that are URLs are left out when the
/// site has no public URL (structured data with relative URLs is ignored by crawlers).
pub fn news_article(article: &ArticleSummary, corrections: &[Correction], site: &Site) -> Value {
    let mut ld = Map::new();
    ld.insert("@context".into(), json!("https://schema.org"));
    ld.insert("@type".into(), json!("NewsArticle"));
    ld.insert("headline".into(), json!(headline(&article.title)));
    if !article.excerpt.is_empty() {
        ld.insert("description".into(), json!(article.excerpt));
    }
    let images = images(article, site);
    if !images.is_empty() {
        ld.insert("image".into(), json!(images));
    }
    if let Some(published) = &article.published_at {
        ld.insert("datePublished".into(), json!(published));
    }
    ld.insert("dateModified".into(), json!(article.content_updated_at));
    let authors: Vec<Value> = article
        .authors
        .iter()
        .map(|a| {
            let mut author = Map::new();
            author.insert("@type".into(), json!("Person"));
            author.insert("name".into(), json!(a.display_name));
            if let Some(url) = &a.url {
                author.insert("url".into(), json!(url));
            }
            Value::Object(author)
        })
        .collect();
    ld.insert("author".into(), json!(authors));
    if let Some(byline) = &article.byline {
        ld.insert("creditText".into(), json!(byline));
    }
    if let Some(source) = &article.source {
        let mut agency = Map::new();
        agency.insert("@type".into(), json!("NewsMediaOrganization"));
        agency.insert("name".into(), json!(source));
        if let Some(url) = &article.source_url {
            agency.insert("url".into(), json!(url));
        }
        ld.insert("sourceOrganization".into(), Value::Object(agency));
    }
    if !corrections.is_empty() {
        // schema.org's `correction`: a CorrectionComment per note, dated.
        let notes: Vec<Value> = corrections
            .iter()
            .map(|c| json!({"@type": "CorrectionComment", "text": c.note, "datePublished": c.date}))
            .collect();
        ld.insert("correction".into(), json!(notes));
    }
    let mut publisher = Map::new();
    publisher.insert("@type".into(), json!("Organization"));
    publisher.insert("name".into(), json!(site.name));
    if let Some(url) = &site.public_url {
        publisher.insert("url".into(), json!(url));
    }
    if let Some(logo) = &site.logo {
        publisher.insert("logo".into(), json!({"@type": "ImageObject", "url": logo}));
    }
    ld.insert("publisher".into(), Value::Object(publisher));
    if let Some(url) = &article.url {
        ld.insert(
            "mainEntityOfPage".into(),
            json!({"@type": "WebPage", "@id": url}),
        );
        ld.insert("url".into(), json!(url));
    }
    ld.insert("inLanguage".into(), json!(article.lang));
    ld.insert("articleSection".into(), json!(article.section.name));
    if !article.tags.is_empty() {
        ld.insert("keywords".into(), json!(article.tags.join(", ")));
    }
    ld.insert("isAccessibleForFree".into(), json!(true));
    Value::Object(ld)
}

/// `title` cut to at most [`HEADLINE_CHARS`] characters between words (a single word longer
/// than that is cut after whole letters, never between a letter and its marks).
pub fn headline(title: &str) -> String {
    if title.chars().count() <= HEADLINE_CHARS {
        return title.to_owned();
    }
    let end = title
        .char_indices()
        .nth(HEADLINE_CHARS)
        .map_or(title.len(), |(i, _)| i);
    let within = &title[..end];
    // The next character is a space: the cut falls between words already.
    let at_boundary = title[end..].starts_with(char::is_whitespace);
    let cut = if at_boundary {
        within
    } else {
        match within.rfind(char::is_whitespace) {
            Some(space) => &within[..space],
            None => {
                // Back off while the next character is a mark of the last letter kept.
                let mut cut = within;
                while title[cut.len()..].starts_with(is_combining_mark) {
                    let Some(last) = cut.chars().last() else {
                        break;
                    };
                    cut = &cut[..cut.len() - last.len_utf8()];
                }
                cut
            }
        }
    };
    cut.trim_end_matches(|c: char| c.is_whitespace() || "،,:;-–—".contains(c))
        .to_owned()
}

/// The featured image's 16:9, 4:3 and 1:1 crops (the largest of each, in the source's
/// format, which every crawler reads), else the external featured image.
fn images(article: &ArticleSummary, site: &Site) -> Vec<String> {
    let absolute = |url: &str| -> Option<String> {
        if url.starts_with("http://") || url.starts_with("https://") {
            Some(url.to_owned())
        } else {
            // Served by Sahifa under /media: the public site is expected to pass it on.
            site.public_url.as_ref().map(|base| format!("{base}{url}"))
        }
    };
    if let Some(media) = &article.featured_media {
        let mut found = Vec::new();
        for crop in ["16x9", "4x3", "1x1"] {
            let best = media
                .renditions
                .iter()
                .filter(|r| r.crop.as_deref() == Some(crop) && r.format != "webp")
                .max_by_key(|r| r.width);
            if let Some(url) = best.and_then(|r| absolute(&r.url)) {
                found.push(url);
            }
        }
        if found.is_empty() {
            let largest = media
                .renditions
                .iter()
                .filter(|r| r.crop.is_none() && r.format != "webp")
                .max_by_key(|r| r.width);
            found.extend(largest.and_then(|r| absolute(&r.url)));
        }
        return found;
    }
    article
        .featured_image
        .iter()
        .filter_map(|image| absolute(&image.url))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_headlines_are_kept_whole() {
        assert_eq!(headline("قمة الخليج"), "قمة الخليج");
    }

    #[test]
    fn long_headlines_are_cut_between_words() {
        let title = "كلمة ".repeat(40);
        let cut = headline(&title);
        assert!(cut.chars().count() <= HEADLINE_CHARS);
        assert!(title.starts_with(&cut));
        assert!(cut.ends_with("كلمة"));
        let exact = format!("{} tail", "a".repeat(HEADLINE_CHARS));
        assert_eq!(headline(&exact), "a".repeat(HEADLINE_CHARS));
    }

    #[test]
    fn one_long_word_is_cut_after_whole_letters() {
        let word = "بَ".repeat(80);
        let cut = headline(&word);
        assert!(cut.chars().count() <= HEADLINE_CHARS);
        assert!(!cut.ends_with('ب'), "no letter without its mark: {cut}");
    }
}
