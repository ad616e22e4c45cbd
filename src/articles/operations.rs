//! What can be done with articles: the logic behind the endpoints, the demo, the seeder and
//! imports. Each operation runs on one connection, inside the caller's transaction for
//! writes; what an article's body yields (HTML, excerpt, reading time) is derived before the
//! write, by [`Derived`].

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::Status;
use super::bylines;
use super::cursor::{self, Cursor};
use super::derived::{BodyFormat, Derived};
use super::dto::{
    Article, ArticleFilters, ArticleSummary, AuthorRef, CreateArticle, SectionRef, Sort,
    StatusFilter, Translation, UpdateArticle,
};
use super::model::{
    self, ArticleChanges, ArticleRow, ListQuery, NewArticle, Scope, SummaryRow, Window,
};
use super::totals::{self, ListTotals};
use super::workflow::{self, Readable};
use crate::auth::StaffUser;
use crate::db::DbConnection;
use crate::http::conditional::IfMatch;
use crate::http::pagination::{Page, bad_query};
use crate::http::{ApiError, ProblemType};
use crate::search::snippet::{SNIPPET_WORDS, snippet};
use crate::search::{self, Condition, Engine, Order};
use crate::sections::{model as sections, tree};
use crate::slugs::{self, Lookup, Reference};
use crate::users::model as users;
use crate::{media, tags, text};

/// The longest search a reader may type, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// Numbered list pages up to this offset count as bounded (see [`is_bounded`]).
const BOUNDED_OFFSET: i64 = 1_000;

/// Whether a list page costs the same at any archive size, which lets it be read on the
/// worker ([`crate::db::Store::read`]). It is when an index yields its rows in order and the
/// page starts near the front: no search, the default order (newest first), published
/// articles, at most a section and a date range as filters, and a cursor page or a numbered
/// one no deeper than [`BOUNDED_OFFSET`]. A tag, an author, the featured and breaking flags,
/// another status or another order may make the store sort or filter a share of the archive
/// first, which at a million articles is a stall no worker should take.
#[must_use]
pub fn is_bounded(filters: &ArticleFilters, page: Page, by_cursor: bool) -> bool {
    let ArticleFilters {
        q,
        section: _,
        tag,
        author,
        status,
        published_after: _,
        published_before: _,
        featured,
        breaking,
        sort,
    } = filters;
    q.is_none()
        && tag.is_none()
        && author.is_none()
        && featured.is_none()
        && breaking.is_none()
        && matches!(status, None | Some(StatusFilter::Published))
        && matches!(sort, None | Some(Sort::NewestFirst))
        && (by_cursor || page.offset() < BOUNDED_OFFSET)
}

/// A page of a list of articles.
#[derive(Debug)]
pub struct ArticlePage {
    pub data: Vec<ArticleSummary>,
    pub total: u64,
    /// For a search matching very many articles: `total` is a lower bound.
    pub total_is_estimate: bool,
    /// For a search: the query spelled as the index's vocabulary suggests, when a word seems
    /// misspelled.
    pub suggestion: Option<String>,
    /// Where the next page starts, when there is one and the list's order can be continued
    /// from a cursor.
    pub next_cursor: Option<String>,
}

/// A page of articles for `viewer`, with the total: readers see published, due articles;
/// staff may ask for other statuses (authors see only their own unpublished ones). A `q`
/// searches `engine`. The page is `page`'s number, or the `per_page` articles after `cursor`
/// when one is given (lists only: a search is paged by number).
#[allow(clippy::too_many_arguments)]
pub fn list(
    c: &mut DbConnection,
    engine: &Engine,
    totals: &ListTotals,
    viewer: Option<&StaffUser>,
    filters: &ArticleFilters,
    page: Page,
    cursor: Option<&str>,
    now: NaiveDateTime,
) -> Result<ArticlePage, ApiError> {
    let (scope, readable) = scope_for(viewer, filters.status)?;
    if cursor.is_some() && filters.q.is_some() {
        return Err(bad_query(
            "cursor",
            "a search is paged with `page`; `cursor` continues lists without `q`".into(),
        ));
    }
    let text_query = match wanted_text(filters.q.as_deref(), filters.sort)? {
        Wanted::Everything => None,
        Wanted::Matching(query) => Some(query),
        // Nothing searchable in `q` (only punctuation or operators): nothing matches.
        Wanted::Nothing => {
            return Ok(ArticlePage {
                data: Vec::new(),
                total: 0,
                total_is_estimate: false,
                suggestion: None,
                next_cursor: None,
            });
        }
    };
    let section_ids = match &filters.section {
        None => None,
        Some(section) => Some(match sections::resolve_id(c, &Reference::parse(section))? {
            Some(id) => tree::with_descendants(&sections::edges(c)?, id),
            None => Vec::new(),
        }),
    };
    let tag_id = match &filters.tag {
        None => None,
        // An unknown tag matches nothing (id 0 is never assigned).
        Some(tag) => Some(tags::model::id_for(c, tag)?.unwrap_or(0)),
    };
    let query = ListQuery {
        scope,
        readable,
        section_ids,
        tag_id,
        author_id: filters.author,
        lang: None,
        published_after: filters.published_after.map(|t| t.naive()),
        published_before: filters.published_before.map(|t| t.naive()),
        featured: filters.featured,
        breaking: filters.breaking,
        sort: filters.sort.unwrap_or(if text_query.is_some() {
            Sort::Relevance
        } else {
            Sort::NewestFirst
        }),
        now,
    };
    let Some(text_query) = text_query else {
        return list_page(c, totals, &query, page, cursor);
    };
    let raw = filters.q.as_deref().unwrap_or_default();
    let found = engine
        .find(
            c,
            raw,
            &text_query,
            &conditions(&query),
            order(query.sort),
            page.offset() as usize,
            page.limit() as usize,
            search::micros(now),
        )
        .map_err(ApiError::internal)?;
    // The index may lag the store by a moment: what the store says now decides, and what it
    // refuses is not counted either.
    let mut rows = model::summary_rows(c, &found.ids)?;
    rows.retain(|row| query.admits(row));
    let refused = (found.ids.len() - rows.len()) as u64;
    rows.sort_by_key(|r| found.ids.iter().position(|id| *id == r.id));
    let mut data = summaries(c, &rows)?;
    add_snippets(c, &mut data, found.searched.as_ref().unwrap_or(&text_query))?;
    Ok(ArticlePage {
        data,
        total: found.total.saturating_sub(refused),
        total_is_estimate: found.estimated,
        suggestion: found.suggestion,
        next_cursor: None,
    })
}

/// A page of a list without `q`: by number, or after a cursor.
fn list_page(
    c: &mut DbConnection,
    totals: &ListTotals,
    query: &ListQuery,
    page: Page,
    cursor: Option<&str>,
) -> Result<ArticlePage, ApiError> {
    let cursor = cursor
        .map(|text| checked_cursor(text, query.sort))
        .transpose()?;
    let total = totals.total(c, query)?;
    let window = match &cursor {
        Some(cursor) => Window::After(cursor),
        None if total <= page.offset() => {
            return Ok(ArticlePage {
                data: Vec::new(),
                total: total as u64,
                total_is_estimate: false,
                suggestion: None,
                next_cursor: None,
            });
        }
        None => Window::Offset(page.offset()),
    };
    // One more than the page, to know whether a next page exists without counting.
    let mut rows = model::page(c, query, window, page.limit() + 1)?;
    let more = rows.len() as i64 > page.limit();
    rows.truncate(page.limit() as usize);
    let next_cursor = match rows.last() {
        Some(last) if more && cursor::supports(query.sort) => {
            Some(Cursor::after(last, query.sort).encode())
        }
        _ => None,
    };
    Ok(ArticlePage {
        data: summaries(c, &rows)?,
        total: total as u64,
        total_is_estimate: false,
        suggestion: None,
        next_cursor,
    })
}

/// The cursor in `text`, if this server gave it out for a list in `sort`.
fn checked_cursor(text: &str, sort: Sort) -> Result<Cursor, ApiError> {
    if !cursor::supports(sort) {
        return Err(bad_query(
            "cursor",
            "lists sorted by `position` are paged with `page`".into(),
        ));
    }
    let cursor = Cursor::decode(text)
        .ok_or_else(|| bad_query("cursor", "is not a cursor this API gave out".into()))?;
    if cursor.sort != sort {
        return Err(bad_query(
            "cursor",
            "was given out for a list in another `sort`; send the same `sort` with it".into(),
        ));
    }
    Ok(cursor)
}

/// Logs a change to article `id` in the same transaction as the change: for the search
/// indexes, for static builds (`/changes`), and for the list totals servers keep.
fn log_change(c: &mut DbConnection, id: i64, deleted: bool, now: NaiveDateTime) -> QueryResult<()> {
    search::changes::log(c, id, now)?;
    crate::changes::log::article(c, id, deleted, now)?;
    totals::articles_changed(c)
}

/// A list's filters as the index checks them.
fn conditions(query: &ListQuery) -> Vec<Condition> {
    let now = search::micros(query.now);
    let mut conditions = Vec::new();
    match &query.scope {
        Scope::Visible => conditions.push(Condition::Visible { now }),
        Scope::Scheduled => conditions.push(Condition::Scheduled { now }),
        Scope::Status(status) => conditions.push(Condition::Status(search::fields::status_code(
            status.as_str(),
        ))),
        Scope::Every => {}
    }
    match query.readable {
        Readable::Everything => {}
        Readable::Visible => conditions.push(Condition::Visible { now }),
        Readable::VisibleOrOwn(user) => conditions.push(Condition::VisibleOrBy {
            now,
            author: user as u64,
        }),
    }
    if let Some(ids) = &query.section_ids {
        let mut ids: Vec<u64> = ids.iter().map(|id| *id as u64).collect();
        ids.sort_unstable();
        conditions.push(Condition::Sections(ids));
    }
    if let Some(tag) = query.tag_id {
        conditions.push(Condition::Tag(tag as u64));
    }
    if let Some(author) = query.author_id {
        conditions.push(Condition::Author(author as u64));
    }
    if let Some(after) = query.published_after {
        conditions.push(Condition::PublishedFrom(search::micros(after)));
    }
    if let Some(before) = query.published_before {
        conditions.push(Condition::PublishedBefore(search::micros(before)));
    }
    conditions
}

fn order(sort: Sort) -> Order {
    match sort {
        Sort::Relevance => Order::Relevance,
        Sort::NewestFirst => Order::Newest,
        Sort::OldestFirst => Order::Oldest,
        Sort::RecentlyUpdated => Order::RecentlyUpdated,
        Sort::Title => Order::Title,
        // The index knows no homepage slots: a search asked to sort by them ranks by relevance.
        Sort::Position => Order::Relevance,
    }
}

/// One article for `readable`: the article, a redirect from an old slug, or nothing.
pub fn get(
    c: &mut DbConnection,
    reference: &Reference,
    readable: Readable,
    now: NaiveDateTime,
) -> QueryResult<Lookup<Article>> {
    Ok(
        match slugs::look_up(c, reference, |a: &ArticleRow| {
            readable.allows(&a.summary, now)
        })? {
            Lookup::Found(row) => Lookup::Found(view(c, row)?),
            Lookup::Moved(slug) => Lookup::Moved(slug),
            Lookup::NotFound => Lookup::NotFound,
        },
    )
}

/// Articles related to one `readable` may read, best first (only articles readers can see).
pub fn related(
    c: &mut DbConnection,
    engine: &Engine,
    reference: &Reference,
    readable: Readable,
    limit: usize,
    now: NaiveDateTime,
) -> Result<Lookup<Vec<ArticleSummary>>, ApiError> {
    Ok(
        match slugs::look_up(c, reference, |a: &SummaryRow| readable.allows(a, now))? {
            Lookup::Found(article) => {
                let ids = engine
                    .related(c, article.id, search::micros(now), limit)
                    .map_err(ApiError::internal)?;
                let mut rows = model::summary_rows(c, &ids)?;
                // The index may lag the store by a moment: what the store says now decides.
                rows.retain(|row| Readable::Visible.allows(row, now));
                rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
                Lookup::Found(summaries(c, &rows)?)
            }
            Lookup::Moved(slug) => Lookup::Moved(slug),
            Lookup::NotFound => Lookup::NotFound,
        },
    )
}

/// Stores a new article by `author`, with everything derived from its input (slug, excerpt,
/// rendered body, reading time, tags), if the workflow lets `author` create it so.
pub fn create(
    c: &mut DbConnection,
    author: &StaffUser,
    input: &CreateArticle,
    derived: &Derived,
    now: NaiveDateTime,
) -> Result<Article, ApiError> {
    let status = input.status.unwrap_or(Status::Draft);
    workflow::may_create(author, status).map_err(ApiError::workflow)?;
    let curated = input.breaking.is_some()
        || input.breaking_until.is_some()
        || input.featured.is_some()
        || input.position.is_some();
    may_curate(author, curated)?;
    let id = insert(c, author.id, input, derived, now)?;
    let row = model::find(c, id)?.ok_or(ApiError::Internal)?;
    Ok(view(c, row)?)
}

/// [`create`] without the workflow's check, for the demo and imports; returns the new id.
pub fn insert(
    c: &mut DbConnection,
    author_id: i64,
    input: &CreateArticle,
    derived: &Derived,
    now: NaiveDateTime,
) -> Result<i64, ApiError> {
    let status = input.status.unwrap_or(Status::Draft);
    ensure_section(c, input.section_id)?;
    let (excerpt, excerpt_is_custom) = match &input.excerpt {
        Some(excerpt) if !excerpt.is_empty() => (excerpt.clone(), true),
        _ => (derived.excerpt.clone(), false),
    };
    let published_at = match (status, input.published_at) {
        (_, Some(at)) => Some(at.naive()),
        (Status::Published, None) => Some(now),
        _ => None,
    };
    let lang = text::canonical_language_tag(input.lang.as_deref().unwrap_or("ar"));
    let image = input.featured_image.as_ref();
    if let Some(media_id) = input.featured_media_id {
        ensure_media(c, media_id)?;
    }
    let id = slugs::insert_with_free_slug::<SummaryRow, _>(
        c,
        input.slug.as_deref(),
        &input.title,
        |c, slug| {
            model::insert(
                c,
                &NewArticle {
                    title: &input.title,
                    slug,
                    excerpt: &excerpt,
                    excerpt_is_custom,
                    body: &input.body,
                    body_html: &derived.body_html,
                    body_format: input.body_format.unwrap_or_default().as_str(),
                    status: status.as_str(),
                    section_id: input.section_id,
                    author_id,
                    featured_image_url: image.map(|i| i.url.as_str()),
                    featured_image_alt: image.and_then(|i| i.alt.as_deref()),
                    featured_image_caption: image.and_then(|i| i.caption.as_deref()),
                    featured_media_id: input.featured_media_id,
                    lang: &lang,
                    meta_title: non_empty(input.meta_title.as_deref()),
                    meta_description: non_empty(input.meta_description.as_deref()),
                    reading_time_minutes: derived.reading_time_minutes,
                    comments_open: input.comments_open.unwrap_or(true),
                    published_at,
                    created_at: now,
                    updated_at: now,
                    byline: non_empty(input.byline.as_deref()),
                    source: non_empty(input.source.as_deref()),
                    source_url: input.source_url.as_deref(),
                    content_updated_at: Some(now),
                    breaking_until: breaking_until(
                        input.breaking,
                        input.breaking_until.map(Some),
                        now,
                    )
                    .flatten(),
                    featured: input.featured.unwrap_or(false),
                    position: input.position,
                },
            )
        },
    )?;
    tags::model::set_for_article(c, id, &tags_to_store(input.tags.as_deref()), now)?;
    if let Some(authors) = &input.authors {
        bylines::set_authors(c, id, authors)?;
    }
    if input.translation_of.is_some() {
        bylines::set_original(c, id, input.translation_of)?;
    }
    link_media(c, id, input.featured_media_id, &derived.media_ids)?;
    log_change(c, id, false, now)?;
    crate::revisions::operations::record_article(c, id, Some(author_id), now)?;
    Ok(id)
}

/// Overwrites an imported article with what its source says now (an import run again):
/// every field, its tags and media links. The slug changes only when `input.slug` names
/// another one, which then gets the first free form of it (the old one redirects).
pub fn overwrite(
    c: &mut DbConnection,
    id: i64,
    input: &CreateArticle,
    derived: &Derived,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let current = model::find(c, id)?.ok_or_else(|| ApiError::not_found("article"))?;
    ensure_section(c, input.section_id)?;
    let slug = match input.slug.as_deref() {
        Some(slug) if slug != current.summary.slug => {
            Some(slugs::choose::<SummaryRow>(c, None, slug, Some(id))?)
        }
        _ => None,
    };
    let (excerpt, excerpt_is_custom) = match &input.excerpt {
        Some(excerpt) if !excerpt.is_empty() => (excerpt.clone(), true),
        _ => (derived.excerpt.clone(), false),
    };
    let image = input.featured_image.as_ref();
    let text_changed = input.title != current.summary.title
        || input.body != current.body
        || excerpt != current.summary.excerpt;
    let changes = ArticleChanges {
        title: Some(input.title.clone()),
        slug,
        excerpt: Some(excerpt),
        excerpt_is_custom: Some(excerpt_is_custom),
        body: Some(input.body.clone()),
        body_html: Some(derived.body_html.clone()),
        body_format: Some(input.body_format.unwrap_or_default().as_str().to_owned()),
        status: Some(input.status.unwrap_or(Status::Draft).as_str().to_owned()),
        section_id: Some(input.section_id),
        featured_image_url: Some(image.map(|i| i.url.clone())),
        featured_image_alt: Some(image.and_then(|i| i.alt.clone())),
        featured_image_caption: Some(image.and_then(|i| i.caption.clone())),
        featured_media_id: Some(input.featured_media_id),
        lang: Some(text::canonical_language_tag(
            input.lang.as_deref().unwrap_or("ar"),
        )),
        meta_title: Some(non_empty(input.meta_title.as_deref()).map(str::to_owned)),
        meta_description: Some(non_empty(input.meta_description.as_deref()).map(str::to_owned)),
        reading_time_minutes: Some(derived.reading_time_minutes),
        comments_open: Some(input.comments_open.unwrap_or(true)),
        published_at: Some(input.published_at.map(|t| t.naive())),
        byline: Some(non_empty(input.byline.as_deref()).map(str::to_owned)),
        source: Some(non_empty(input.source.as_deref()).map(str::to_owned)),
        source_url: Some(input.source_url.clone()),
        content_updated_at: text_changed.then_some(Some(now)),
        ..ArticleChanges::default()
    };
    if !model::update(c, &current.summary, &changes, now)? {
        return Err(ApiError::PreconditionFailed);
    }
    tags::model::set_for_article(c, id, &tags_to_store(input.tags.as_deref()), now)?;
    link_media(c, id, input.featured_media_id, &derived.media_ids)?;
    log_change(c, id, false, now)?;
    crate::revisions::operations::record_article(c, id, None, now)?;
    Ok(())
}

/// Changes an article, or moves it through the workflow, as `user` may. A new slug leaves
/// the old one redirecting; publishing without a `published_at` stamps the current time.
/// `derived` is what [`Derived`] made of `input.body`, when it has one.
pub fn update(
    c: &mut DbConnection,
    user: &StaffUser,
    reference: &Reference,
    input: &UpdateArticle,
    derived: Option<&Derived>,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<Article, ApiError> {
    if let Some(next) = input.status {
        workflow::may_move_to(user, next).map_err(ApiError::workflow)?;
    }
    let curated = input.breaking.is_some()
        || input.breaking_until.is_some()
        || input.featured.is_some()
        || input.position.is_some();
    may_curate(user, curated)?;
    let current = for_write(c, user, reference, now)?;
    if_match.check_value(&view(c, current.clone())?)?;
    let changes = changes_for(c, &current, input, derived, now)?;
    if !model::update(c, &current.summary, &changes, now)? {
        return Err(ApiError::PreconditionFailed);
    }
    if let Some(names) = &input.tags {
        tags::model::set_for_article(c, current.summary.id, &tags_to_store(Some(names)), now)?;
    }
    if let Some(authors) = &input.authors {
        bylines::set_authors(c, current.summary.id, authors)?;
    }
    if let Some(original) = input.translation_of {
        bylines::set_original(c, current.summary.id, original)?;
    }
    let row = model::find(c, current.summary.id)?.ok_or(ApiError::Internal)?;
    let inline = match derived {
        Some(derived) => derived.media_ids.clone(),
        None => text::markdown::media_references(&row.body),
    };
    link_media(c, row.summary.id, row.summary.featured_media_id, &inline)?;
    log_change(c, current.summary.id, false, now)?;
    crate::revisions::operations::record_article(c, current.summary.id, Some(user.id), now)?;
    Ok(view(c, row)?)
}

/// Appends a correction to a published article, as an editor: public in the article and
/// its JSON-LD, an `article.corrected` event, and a change of the article for caches and
/// static builds.
pub fn correct(
    c: &mut DbConnection,
    editor: &StaffUser,
    reference: &Reference,
    note: &str,
    now: NaiveDateTime,
) -> Result<Article, ApiError> {
    let current = for_write(c, editor, reference, now)?;
    if current.summary.status() != Status::Published {
        return Err(ApiError::Typed(
            ProblemType::NotPublished,
            "only a published article takes corrections; edit the draft instead".into(),
        ));
    }
    let id = current.summary.id;
    bylines::insert_correction(c, id, note, editor.id, now)?;
    model::touch(c, id, now)?;
    crate::changes::log::article(c, id, false, now)?;
    let row = model::find(c, id)?.ok_or(ApiError::Internal)?;
    let article = view(c, row)?;
    if current.summary.is_visible(now) {
        crate::events::emit(
            c,
            &crate::events::Event {
                event_type: "article.corrected",
                data: serde_json::json!({
                    "article": &article,
                    "correction": article.corrections.last(),
                }),
                section_id: Some(article.summary.section.id),
            },
            now,
        )?;
    }
    Ok(article)
}

/// The format an article's body is written in (a new body is rendered in it before the
/// write); Markdown for a reference that names no article (the write then answers 404).
pub fn body_format(c: &mut DbConnection, reference: &Reference) -> QueryResult<BodyFormat> {
    let Some(id) = model::resolve_id(c, reference)? else {
        return Ok(BodyFormat::Markdown);
    };
    Ok(model::body_format(c, id)?.map_or(BodyFormat::Markdown, |f| BodyFormat::parse(&f)))
}

/// A media item is being deleted by force: the articles that show it lose it. Their
/// featured media is cleared, and bodies that showed it inline are rendered again without
/// its files (the image keeps its alt text), so no page points at files about to be purged.
pub fn forget_media(
    c: &mut DbConnection,
    media_id: i64,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let users = media::model::usage(c, media_id)?;
    media::model::unfeature(c, media_id)?;
    for id in users {
        let Some(row) = model::find(c, id)? else {
            continue;
        };
        let mut shown = text::markdown::media_references(&row.body);
        if shown.contains(&media_id) {
            shown.retain(|m| *m != media_id);
            let images = media::operations::inline_sources(c, &shown)?;
            // The body was accepted before, so it is within the nesting limit.
            let html = text::markdown::render_with_images(&row.body, &images)
                .map_err(ApiError::internal)?;
            model::set_body_html(c, id, &html, now)?;
        } else {
            model::touch(c, id, now)?;
        }
        log_change(c, id, false, now)?;
    }
    Ok(())
}

/// Deletes an article with its comments, as `user` may.
pub fn delete(
    c: &mut DbConnection,
    user: &StaffUser,
    reference: &Reference,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let current = for_write(c, user, reference, now)?;
    if_match.check_value(&view(c, current.clone())?)?;
    log_change(c, current.summary.id, true, now)?;
    model::delete(c, current.summary.id)?;
    Ok(())
}

/// Turns rows into API summaries, loading their sections, authors and tags in three queries
/// (never one per row).
pub fn summaries(c: &mut DbConnection, rows: &[SummaryRow]) -> QueryResult<Vec<ArticleSummary>> {
    // Most articles have no translations: their view asks for none, and pays no queries.
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let distinct = |ids: Vec<i64>| {
        let mut ids = ids;
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let section_ids = distinct(rows.iter().map(|r| r.section_id).collect());
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut bylines = bylines::authors_of(c, &ids)?;
    let author_ids = distinct(
        rows.iter()
            .map(|r| r.author_id)
            .chain(bylines.values().flatten().copied())
            .collect(),
    );
    let site = crate::links::current();
    let paths = if site.needs_section_paths() {
        crate::sections::operations::paths(c)?
    } else {
        HashMap::new()
    };
    let path_of = |id: i64| paths.get(&id).map(Vec::as_slice).unwrap_or_default();
    let sections: HashMap<i64, SectionRef> = sections::names(c, &section_ids)?
        .into_iter()
        .map(|(id, name, slug)| {
            let url = site.section_url(id, &slug, path_of(id));
            (
                id,
                SectionRef {
                    id,
                    name,
                    slug,
                    url,
                },
            )
        })
        .collect();
    let authors: HashMap<i64, AuthorRef> = users::display_names(c, &author_ids)?
        .into_iter()
        .map(|(id, display_name)| {
            let url = site.author_url(id, &display_name);
            (
                id,
                AuthorRef {
                    id,
                    display_name,
                    url,
                },
            )
        })
        .collect();
    let mut tags = tags::model::names_of(c, &ids)?;
    let wanted: Vec<(i64, String)> = rows
        .iter()
        .filter_map(|r| Some((r.featured_media_id?, r.lang.clone())))
        .collect();
    let mut featured = media::operations::views(c, &wanted)?;
    Ok(rows
        .iter()
        .map(|row| {
            let section = sections
                .get(&row.section_id)
                .cloned()
                .unwrap_or(SectionRef {
                    id: row.section_id,
                    name: String::new(),
                    slug: String::new(),
                    url: None,
                });
            let author_ref = |id: i64| {
                authors.get(&id).cloned().unwrap_or(AuthorRef {
                    id,
                    display_name: String::new(),
                    url: None,
                })
            };
            let author = author_ref(row.author_id);
            let byline = bylines
                .remove(&row.id)
                .map(|ids| ids.into_iter().map(author_ref).collect())
                .unwrap_or_else(|| vec![author.clone()]);
            let url = site.article_url(&crate::links::ArticlePlace {
                id: row.id,
                slug: &row.slug,
                section_slug: &section.slug,
                section_path: path_of(row.section_id),
                date: row.published_at.unwrap_or(row.created_at),
            });
            ArticleSummary::new(
                row,
                section,
                author,
                byline,
                tags.remove(&row.id).unwrap_or_default(),
                row.featured_media_id
                    .and_then(|id| featured.remove(&(id, row.lang.clone()))),
                url,
            )
        })
        .collect())
}

/// The API view of a stored article.
fn view(c: &mut DbConnection, row: ArticleRow) -> QueryResult<Article> {
    let summary = summaries(c, std::slice::from_ref(&row.summary))?
        .pop()
        .ok_or(diesel::result::Error::NotFound)?;
    let corrections = bylines::corrections_of(c, summary.id)?;
    let translation_of = bylines::original_of(c, row.summary.id)?;
    let root = translation_of.unwrap_or(row.summary.id);
    let translated = bylines::translations(c, root, row.summary.id, crate::time::now())?;
    let translations = summaries(c, &translated)?
        .into_iter()
        .map(|a| Translation {
            lang: a.lang,
            id: a.id,
            slug: a.slug,
            url: a.url,
        })
        .collect();
    let json_ld = super::structured::news_article(&summary, &corrections, &crate::links::current());
    Ok(Article {
        summary,
        body_format: BodyFormat::parse(&row.body_format),
        body: row.body,
        body_html: row.body_html,
        json_ld,
        corrections,
        translation_of,
        translations,
    })
}

/// Which articles a list covers, and what the viewer may read at all.
fn scope_for(
    viewer: Option<&StaffUser>,
    asked: Option<StatusFilter>,
) -> Result<(Scope, Readable), ApiError> {
    let readable = Readable::for_viewer(viewer);
    let Some(asked) = asked else {
        return Ok((Scope::Visible, readable));
    };
    if viewer.is_none() {
        return match asked {
            StatusFilter::Published => Ok((Scope::Visible, readable)),
            _ => Err(ApiError::Unauthorized(
                ProblemType::AuthenticationRequired,
                "listing articles by status needs a bearer token".into(),
            )),
        };
    }
    let scope = match asked {
        StatusFilter::Draft => Scope::Status(Status::Draft),
        StatusFilter::Review => Scope::Status(Status::Review),
        StatusFilter::Published => Scope::Status(Status::Published),
        StatusFilter::Archived => Scope::Status(Status::Archived),
        StatusFilter::Scheduled => Scope::Scheduled,
        StatusFilter::Any => Scope::Every,
    };
    Ok((scope, readable))
}

/// What a list's `q` asks for.
enum Wanted {
    /// No `q`: no text condition.
    Everything,
    /// A `q` with nothing searchable in it (only punctuation, operators).
    Nothing,
    Matching(search::Query),
}

fn wanted_text(q: Option<&str>, sort: Option<Sort>) -> Result<Wanted, ApiError> {
    let Some(q) = q else {
        if sort == Some(Sort::Relevance) {
            return Err(bad_query(
                "sort",
                "`relevance` needs a search query `q`".into(),
            ));
        }
        return Ok(Wanted::Everything);
    };
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(bad_query(
            "q",
            format!("at most {MAX_QUERY_CHARS} characters"),
        ));
    }
    Ok(search::Query::parse(q).map_or(Wanted::Nothing, Wanted::Matching))
}

/// Puts on each hit the passage that matched: from its body, else its excerpt, else its
/// title (a tag-only match shows the plain excerpt).
fn add_snippets(
    c: &mut DbConnection,
    hits: &mut [ArticleSummary],
    query: &search::Query,
) -> QueryResult<()> {
    let ids: Vec<i64> = hits.iter().map(|h| h.id).collect();
    let bodies = model::bodies(c, &ids)?;
    for hit in hits {
        let body = bodies
            .get(&hit.id)
            .map(|b| text::plain_text(b))
            .unwrap_or_default();
        hit.snippet = Some(
            snippet(&body, query, SNIPPET_WORDS)
                .or_else(|| snippet(&hit.excerpt, query, SNIPPET_WORDS))
                .or_else(|| snippet(&hit.title, query, SNIPPET_WORDS))
                .unwrap_or_else(|| text::html::escape(&hit.excerpt)),
        );
    }
    Ok(())
}

/// The article a write targets: 404 when `user` may not even see it, 403 when they may see
/// but not change it.
pub(crate) fn for_write(
    c: &mut DbConnection,
    user: &StaffUser,
    reference: &Reference,
    now: NaiveDateTime,
) -> Result<ArticleRow, ApiError> {
    let mut row = slugs::target::<ArticleRow>(c, reference)?
        .filter(|row| workflow::may_read(Some(user), &row.summary, now))
        .ok_or_else(|| ApiError::not_found("article"))?;
    // Concurrent writes of one article wait for each other here (see `db::locks`).
    if crate::db::lock_row(c, crate::db::Locked::Articles, row.summary.id)? {
        row = slugs::target::<ArticleRow>(c, &Reference::Id(row.summary.id))?
            .ok_or_else(|| ApiError::not_found("article"))?;
    }
    workflow::may_edit(user, row.summary.author_id, row.summary.status())
        .map_err(ApiError::workflow)?;
    Ok(row)
}

/// The column changes a PATCH asks for, with everything derived from them.
fn changes_for(
    c: &mut DbConnection,
    current: &ArticleRow,
    input: &UpdateArticle,
    derived: Option<&Derived>,
    now: NaiveDateTime,
) -> Result<ArticleChanges, ApiError> {
    let row = &current.summary;
    if let Some(section) = input.section_id {
        ensure_section(c, section)?;
    }
    let slug = match &input.slug {
        Some(slug) if *slug != row.slug => Some(slugs::choose::<SummaryRow>(
            c,
            Some(slug),
            &row.title,
            Some(row.id),
        )?),
        _ => None,
    };
    let new_format = input
        .body_format
        .filter(|f| f.as_str() != current.body_format);
    // A new format alone reads the current body in it (rendered here: it is rare, and the
    // body was accepted before, so it is within the nesting limit).
    let reread;
    let derived = match (derived, new_format) {
        (None, Some(format)) => {
            reread = Derived::of_format(&current.body, format)
                .map_err(|deep| ApiError::invalid("body", deep.to_string()))?;
            Some(&reread)
        }
        (derived, _) => derived,
    };
    let changed = derived.filter(|_| {
        new_format.is_some() || input.body.as_ref().is_some_and(|b| *b != current.body)
    });
    let derived_excerpt = || match changed {
        Some(derived) => derived.excerpt.clone(),
        None => text::excerpt(&current.body, text::EXCERPT_CHARS),
    };
    let (excerpt, excerpt_is_custom) = match &input.excerpt {
        Some(Some(excerpt)) if !excerpt.is_empty() => (Some(excerpt.clone()), Some(true)),
        Some(_) => (Some(derived_excerpt()), Some(false)),
        None if changed.is_some() && !current.excerpt_is_custom => (Some(derived_excerpt()), None),
        None => (None, None),
    };
    if let Some(Some(position)) = input.position
        && !(0..=1000).contains(&position)
    {
        return Err(ApiError::invalid("position", "must be between 0 and 1000"));
    }
    let text_changed = input.title.as_ref().is_some_and(|t| *t != row.title)
        || changed.is_some()
        || excerpt.as_ref().is_some_and(|e| *e != row.excerpt);
    let next_status = input.status.unwrap_or(row.status());
    let published_at = match input.published_at {
        Some(at) => Some(at.map(|t| t.naive())),
        // Publishing something never published: stamp it now.
        None if next_status == Status::Published && row.published_at.is_none() => Some(Some(now)),
        None => None,
    };
    let image = input.featured_image.as_ref();
    if let Some(Some(media_id)) = input.featured_media_id {
        ensure_media(c, media_id)?;
    }
    Ok(ArticleChanges {
        title: input.title.clone(),
        slug,
        excerpt,
        excerpt_is_custom,
        body: changed.and(input.body.clone()),
        body_html: changed.map(|d| d.body_html.clone()),
        body_format: new_format.map(|f| f.as_str().to_owned()),
        status: input.status.map(|s| s.as_str().to_owned()),
        section_id: input.section_id,
        featured_image_url: image.map(|i| i.as_ref().map(|i| i.url.clone())),
        featured_image_alt: image.map(|i| i.as_ref().and_then(|i| i.alt.clone())),
        featured_image_caption: image.map(|i| i.as_ref().and_then(|i| i.caption.clone())),
        featured_media_id: input.featured_media_id,
        lang: input.lang.as_deref().map(text::canonical_language_tag),
        meta_title: input
            .meta_title
            .clone()
            .map(|t| t.filter(|t| !t.is_empty())),
        meta_description: input
            .meta_description
            .clone()
            .map(|t| t.filter(|t| !t.is_empty())),
        reading_time_minutes: changed.map(|d| d.reading_time_minutes),
        comments_open: input.comments_open,
        published_at,
        byline: input.byline.clone().map(|t| t.filter(|t| !t.is_empty())),
        source: input.source.clone().map(|t| t.filter(|t| !t.is_empty())),
        source_url: input.source_url.clone(),
        content_updated_at: text_changed.then_some(Some(now)),
        breaking_until: breaking_until(input.breaking, input.breaking_until, now),
        featured: input.featured,
        position: input.position,
    })
}

/// Front-page curation is an editor's right: an author setting or clearing it is refused.
fn may_curate(user: &StaffUser, curated: bool) -> Result<(), ApiError> {
    if curated && !user.role.at_least(crate::users::Role::Editor) {
        return Err(ApiError::Forbidden(
            ProblemType::RoleRequired,
            "breaking, featured and position are set by editors".into(),
        ));
    }
    Ok(())
}

/// How long an article stays breaking news when no expiry is given.
const BREAKING_FOR_HOURS: i64 = 12;

/// The `breaking_until` change a request asks for: `breaking: false` ends it, an explicit
/// time sets it, `breaking: true` alone lasts [`BREAKING_FOR_HOURS`].
fn breaking_until(
    breaking: Option<bool>,
    until: Option<Option<crate::time::Timestamp>>,
    now: NaiveDateTime,
) -> Option<Option<NaiveDateTime>> {
    match (breaking, until) {
        (Some(false), _) => Some(None),
        (_, Some(until)) => Some(until.map(|t| t.naive())),
        (Some(true), None) => Some(Some(now + chrono::Duration::hours(BREAKING_FOR_HOURS))),
        (None, None) => None,
    }
}

fn ensure_media(c: &mut DbConnection, id: i64) -> Result<(), ApiError> {
    media::model::find(c, id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::invalid("featured_media_id", "no media item has this id"))
}

/// Records which media an article uses, so a media delete can say so.
fn link_media(
    c: &mut DbConnection,
    article_id: i64,
    featured: Option<i64>,
    inline: &[i64],
) -> QueryResult<()> {
    let mut ids: Vec<i64> = featured.into_iter().chain(inline.iter().copied()).collect();
    ids.sort_unstable();
    ids.dedup();
    media::model::link_article(c, article_id, &ids)
}

fn ensure_section(c: &mut DbConnection, id: i64) -> Result<(), ApiError> {
    sections::find(c, id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::invalid("section_id", "no section has this id"))
}

/// The tags to store: trimmed, in NFC, one per key (الأمن and الامن are one tag; the first
/// spelling wins), none whose key is empty.
fn tags_to_store(tags: Option<&[String]>) -> Vec<String> {
    use unicode_normalization::UnicodeNormalization;
    let mut seen = std::collections::HashSet::new();
    tags.unwrap_or_default()
        .iter()
        .map(|t| t.trim().nfc().collect::<String>())
        .filter(|t| {
            let key = tags::key(t);
            !key.is_empty() && seen.insert(key)
        })
        .collect()
}

fn non_empty(value: Option<&str>) -> Option<&str> {
    value.filter(|v| !v.is_empty())
}
