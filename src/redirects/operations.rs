//! Resolving an old path for a caller, and the one form paths are stored and looked up in.

use chrono::NaiveDateTime;
use diesel::QueryResult;
use percent_encoding::percent_decode_str;

use super::dto::Redirect;
use super::model::{self, Target};
use crate::articles::dto::Sort;
use crate::articles::model as articles;
use crate::articles::workflow::Readable as ArticlesReadable;
use crate::auth::StaffUser;
use crate::db::DbConnection;
use crate::links::encode_segment;
use crate::pages::model as pages;
use crate::pages::operations::Readable as PagesReadable;
use crate::{sections, tags, users};

/// The longest path kept or looked up.
pub const MAX_PATH_CHARS: usize = 2000;

/// Query parameters that name an item in WordPress's plain links (`/?p=12`); every other
/// parameter (tracking, pagination) is not part of an item's address.
const ADDRESS_PARAMETERS: [&str; 5] = ["p", "page_id", "cat", "tag", "author"];

/// The form an old path is stored and looked up in: the path of a URL or path,
/// percent-decoded, without a trailing slash, with only the address parameters of its query
/// kept. `None` for something that is no path at all.
pub fn normalize(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let without_origin = match raw.split_once("://") {
        Some((scheme, rest))
            if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
        {
            rest.find(['/', '?']).map_or("/", |at| &rest[at..])
        }
        _ => raw,
    };
    let without_fragment = without_origin.split('#').next().unwrap_or_default();
    let (path, query) = without_fragment
        .split_once('?')
        .unwrap_or((without_fragment, ""));
    let decoded = percent_decode_str(path).decode_utf8().ok()?;
    let mut path = format!("/{}", decoded.trim_matches('/'));
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            pair.split_once('=').is_some_and(|(name, value)| {
                ADDRESS_PARAMETERS.contains(&name) && !value.is_empty()
            })
        })
        .collect();
    if !kept.is_empty() {
        path.push('?');
        path.push_str(&kept.join("&"));
    }
    let usable = path.chars().count() <= MAX_PATH_CHARS && !path.chars().any(char::is_control);
    usable.then_some(path)
}

/// Where the item an old path names lives now, if `viewer` may read it: unpublished work is
/// never revealed, so a path to it answers as one that was never imported.
pub fn resolve(
    c: &mut DbConnection,
    raw: &str,
    viewer: Option<&StaffUser>,
    now: NaiveDateTime,
) -> QueryResult<Option<Redirect>> {
    let Some(path) = normalize(raw) else {
        return Ok(None);
    };
    let Some((resource, id)) = model::find(c, &path)? else {
        return Ok(None);
    };
    let site = crate::links::current();
    // The item's slug, and its page on the public site.
    let found: Option<(String, Option<String>)> = match resource {
        Target::Article => {
            let rows: Vec<_> = articles::summary_rows(c, &[id])?
                .into_iter()
                .filter(|row| ArticlesReadable::for_viewer(viewer).allows(row, now))
                .collect();
            crate::articles::operations::summaries(c, &rows)?
                .pop()
                .map(|a| (a.slug, a.url))
        }
        Target::Page => pages::find(c, id)?
            .filter(|row| PagesReadable::for_viewer(viewer).allows(row))
            .map(|row| (row.slug.clone(), site.page_url(id, &row.slug))),
        Target::Section => match sections::model::find(c, id)? {
            Some(row) => {
                let paths = sections::operations::paths(c)?;
                let path = paths.get(&id).map(Vec::as_slice).unwrap_or_default();
                Some((row.slug.clone(), site.section_url(id, &row.slug, path)))
            }
            None => None,
        },
        Target::Tag => {
            if carried_by_readable_work(c, viewer, now, Some(id), None)? {
                tags::model::slug_of(c, id)?.map(|slug| (slug.clone(), site.tag_url(id, &slug)))
            } else {
                None
            }
        }
        Target::Author => {
            if carried_by_readable_work(c, viewer, now, None, Some(id))? {
                users::model::find(c, id)?
                    .map(|user| (user.id.to_string(), site.author_url(id, &user.display_name)))
            } else {
                None
            }
        }
    };
    Ok(found.map(|(slug, url)| {
        let api_url = match resource {
            Target::Article => format!("/api/v1/articles/{}", encode_segment(&slug)),
            Target::Page => format!("/api/v1/pages/{}", encode_segment(&slug)),
            Target::Section => format!("/api/v1/sections/{}", encode_segment(&slug)),
            Target::Tag => format!("/api/v1/articles?tag={}", encode_segment(&slug)),
            Target::Author => format!("/api/v1/articles?author={slug}"),
        };
        Redirect {
            path,
            resource,
            id,
            slug,
            api_url,
            url,
        }
    }))
}

/// Whether the viewer may read some article with this tag or byline: a tag or an author
/// seen only on unpublished work stays unknown to readers, as that work does. Editors see
/// everything, unused tags included.
fn carried_by_readable_work(
    c: &mut DbConnection,
    viewer: Option<&StaffUser>,
    now: NaiveDateTime,
    tag_id: Option<i64>,
    author_id: Option<i64>,
) -> QueryResult<bool> {
    let readable = ArticlesReadable::for_viewer(viewer);
    if readable == ArticlesReadable::Everything {
        return Ok(true);
    }
    articles::any(
        c,
        &articles::ListQuery {
            scope: articles::Scope::Every,
            readable,
            section_ids: None,
            tag_id,
            author_id,
            lang: None,
            published_after: None,
            published_before: None,
            featured: None,
            breaking: None,
            sort: Sort::NewestFirst,
            now,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_decoded_and_trimmed_to_one_form() {
        let arabic = "/2024/05/12/قمة-دولية";
        for raw in [
            "/2024/05/12/%d9%82%d9%85%d8%a9-%d8%af%d9%88%d9%84%d9%8a%d8%a9/",
            "https://almufeed.example/2024/05/12/%D9%82%D9%85%D8%A9-%D8%AF%D9%88%D9%84%D9%8A%D8%A9",
            "http://www.almufeed.example/2024/05/12/قمة-دولية/?utm_source=x#comments",
            "2024/05/12/قمة-دولية",
        ] {
            assert_eq!(normalize(raw).as_deref(), Some(arabic), "{raw}");
        }
        assert_eq!(
            normalize("https://almufeed.example/?p=12").as_deref(),
            Some("/?p=12")
        );
        assert_eq!(
            normalize("/?page_id=3&replytocom=9").as_deref(),
            Some("/?page_id=3")
        );
        assert_eq!(normalize("https://almufeed.example").as_deref(), Some("/"));
        assert_eq!(normalize("/%ff%fe"), None, "not UTF-8");
        assert_eq!(normalize("/a%0Ab"), None, "a control character");
    }
}
