//! Article rows and the queries on them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Status;
use super::dto::{ArticleSummary, AuthorRef, FeaturedImage, SectionRef, Sort};
use crate::db::schema::{article_search, article_tags, articles, sections, users};
use crate::db::{Backend, DbConnection, MultiBackend};
use crate::search;
use crate::slugs::{self, Reference, Resolved, Resource};

/// Everything in a list item (the body columns stay on disk).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct SummaryRow {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub status: String,
    pub section_id: i64,
    pub author_id: i64,
    pub featured_image_url: Option<String>,
    pub featured_image_alt: Option<String>,
    pub featured_image_caption: Option<String>,
    pub lang: String,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub reading_time_minutes: i32,
    pub comment_count: i64,
    pub comments_open: bool,
    pub published_at: Option<NaiveDateTime>,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl SummaryRow {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draft)
    }

    /// Published and due: what readers may see.
    pub fn is_visible(&self, now: NaiveDateTime) -> bool {
        self.status() == Status::Published && self.published_at.is_some_and(|at| at <= now)
    }
}

/// A whole article row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleRow {
    #[diesel(embed)]
    pub summary: SummaryRow,
    pub body: String,
    pub body_html: String,
    pub excerpt_is_custom: bool,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = articles)]
pub struct NewArticle<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub excerpt: &'a str,
    pub excerpt_is_custom: bool,
    pub body: &'a str,
    pub body_html: &'a str,
    pub status: &'a str,
    pub section_id: i64,
    pub author_id: i64,
    pub featured_image_url: Option<&'a str>,
    pub featured_image_alt: Option<&'a str>,
    pub featured_image_caption: Option<&'a str>,
    pub lang: &'a str,
    pub meta_title: Option<&'a str>,
    pub meta_description: Option<&'a str>,
    pub reading_time_minutes: i32,
    pub comments_open: bool,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A change; `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = articles)]
pub struct ArticleChanges {
    pub title: Option<String>,
    pub slug: Option<String>,
    pub excerpt: Option<String>,
    pub excerpt_is_custom: Option<bool>,
    pub body: Option<String>,
    pub body_html: Option<String>,
    pub status: Option<String>,
    pub section_id: Option<i64>,
    pub featured_image_url: Option<Option<String>>,
    pub featured_image_alt: Option<Option<String>>,
    pub featured_image_caption: Option<Option<String>>,
    pub lang: Option<String>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub reading_time_minutes: Option<i32>,
    pub comments_open: Option<bool>,
    pub published_at: Option<Option<NaiveDateTime>>,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ArticleRow>> {
    articles::table
        .find(id)
        .select(ArticleRow::as_select())
        .first(conn)
        .optional()
}

fn id_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<i64>> {
    articles::table
        .filter(articles::slug.eq(slug))
        .select(articles::id)
        .first(conn)
        .optional()
}

/// Resolves an id or a slug, following old slugs.
pub fn resolve(conn: &mut DbConnection, reference: &Reference) -> QueryResult<Resolved> {
    match reference {
        Reference::Id(id) => {
            let exists: Option<i64> = articles::table
                .find(id)
                .select(articles::id)
                .first(conn)
                .optional()?;
            Ok(exists.map_or(Resolved::NotFound, Resolved::Found))
        }
        Reference::Slug(slug) => {
            if let Some(id) = id_by_slug(conn, slug)? {
                return Ok(Resolved::Found(id));
            }
            let Some(target) = slugs::redirect_target(conn, Resource::Article, slug)? else {
                return Ok(Resolved::NotFound);
            };
            let current: Option<String> = articles::table
                .find(target)
                .select(articles::slug)
                .first(conn)
                .optional()?;
            Ok(current.map_or(Resolved::NotFound, |slug| Resolved::Moved { slug }))
        }
    }
}

/// The id behind a reference, following old slugs without telling (for writes).
pub fn resolve_id(conn: &mut DbConnection, reference: &Reference) -> QueryResult<Option<i64>> {
    Ok(match resolve(conn, reference)? {
        Resolved::Found(id) => Some(id),
        Resolved::Moved { slug } => id_by_slug(conn, &slug)?,
        Resolved::NotFound => None,
    })
}

pub fn slug_taken(conn: &mut DbConnection, slug: &str, except: Option<i64>) -> QueryResult<bool> {
    Ok(id_by_slug(conn, slug)?.is_some_and(|id| Some(id) != except))
}

pub fn insert(conn: &mut DbConnection, new: &NewArticle<'_>) -> QueryResult<i64> {
    slugs::forget(conn, Resource::Article, new.slug)?;
    diesel::insert_into(articles::table)
        .values(new)
        .returning(articles::id)
        .get_result(conn)
}

/// Applies `changes` if the row is still at its version; false when it changed meanwhile.
/// A changed slug leaves a redirect behind.
pub fn update(
    conn: &mut DbConnection,
    current: &SummaryRow,
    changes: &ArticleChanges,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    if let Some(slug) = changes.slug.as_deref().filter(|s| *s != current.slug) {
        slugs::forget(conn, Resource::Article, slug)?;
        slugs::remember(conn, Resource::Article, &current.slug, current.id, now)?;
    }
    let updated = diesel::update(
        articles::table
            .filter(articles::id.eq(current.id))
            .filter(articles::version.eq(current.version)),
    )
    .set((
        changes,
        articles::version.eq(current.version + 1),
        articles::updated_at.eq(now),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}

/// Bumps the version and update time, for changes that live in other tables (tags).
pub fn touch(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(articles::table.find(id))
        .set((
            articles::version.eq(articles::version + 1),
            articles::updated_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    slugs::forget_target(conn, Resource::Article, id)?;
    diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id))).execute(conn)?;
    diesel::delete(articles::table.find(id)).execute(conn)
}

/// Which statuses a list includes.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Published and due: what readers see.
    Visible,
    /// Published with `published_at` in the future.
    Scheduled,
    Status(Status),
    Every,
}

impl Scope {
    /// Whether every article in the scope has a `published_at`.
    fn is_dated(&self) -> bool {
        matches!(
            self,
            Scope::Visible | Scope::Scheduled | Scope::Status(Status::Published)
        )
    }
}

/// What a list asks for, already checked against what the caller may see.
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub scope: Scope,
    /// Restricts unpublished articles to this author's (authors see only their own drafts).
    pub own_unpublished_only: Option<i64>,
    pub section_ids: Option<Vec<i64>>,
    pub tag_id: Option<i64>,
    pub author_id: Option<i64>,
    pub published_after: Option<NaiveDateTime>,
    pub published_before: Option<NaiveDateTime>,
    pub sort: Sort,
    /// A full-text search to match, on this store.
    pub search: Option<(Backend, search::Query)>,
    pub now: NaiveDateTime,
}

/// Applies a list's filters to a boxed query over `articles` (alone or joined with the
/// search index): one definition for both shapes.
macro_rules! filtered {
    ($query:expr, $q:expr) => {{
        let q: &ListQuery = $q;
        let mut query = $query;
        query = match &q.scope {
            Scope::Visible => query
                .filter(articles::status.eq(Status::Published.as_str()))
                .filter(articles::published_at.le(q.now)),
            Scope::Scheduled => query
                .filter(articles::status.eq(Status::Published.as_str()))
                .filter(articles::published_at.gt(q.now)),
            Scope::Status(status) => query.filter(articles::status.eq(status.as_str())),
            Scope::Every => query,
        };
        if let Some(author) = q.own_unpublished_only {
            query = query.filter(
                articles::status
                    .eq(Status::Published.as_str())
                    .or(articles::author_id.eq(author)),
            );
        }
        if let Some(ids) = &q.section_ids {
            query = query.filter(articles::section_id.eq_any(ids.clone()));
        }
        if let Some(tag) = q.tag_id {
            query = query.filter(
                articles::id.eq_any(
                    article_tags::table
                        .filter(article_tags::tag_id.eq(tag))
                        .select(article_tags::article_id),
                ),
            );
        }
        if let Some(author) = q.author_id {
            query = query.filter(articles::author_id.eq(author));
        }
        if let Some(after) = q.published_after {
            query = query.filter(articles::published_at.ge(after));
        }
        if let Some(before) = q.published_before {
            query = query.filter(articles::published_at.lt(before));
        }
        query
    }};
}

/// Orders a boxed list query; relevance is handled by the caller.
macro_rules! ordered {
    ($query:expr, $sort:expr, $dated:expr) => {{
        let query = $query;
        // `id` breaks ties so pages never overlap. Lists that may hold unpublished articles
        // (which have no `published_at`) sort those after the dated ones, the same on both
        // backends (SQLite and PostgreSQL disagree on where NULLs go by default); lists of
        // published articles order by the index's own columns, so the database reads the
        // first page straight from the index instead of sorting every row.
        match ($sort, $dated) {
            (Sort::NewestFirst | Sort::Relevance, true) => {
                query.order((articles::published_at.desc(), articles::id.desc()))
            }
            (Sort::OldestFirst, true) => {
                query.order((articles::published_at.asc(), articles::id.asc()))
            }
            (Sort::NewestFirst | Sort::Relevance, false) => query.order((
                articles::published_at.is_null().asc(),
                articles::published_at.desc(),
                articles::id.desc(),
            )),
            (Sort::OldestFirst, false) => query.order((
                articles::published_at.is_null().asc(),
                articles::published_at.asc(),
                articles::id.asc(),
            )),
            (Sort::RecentlyUpdated, _) => {
                query.order((articles::updated_at.desc(), articles::id.desc()))
            }
            (Sort::Title, _) => query.order((articles::title.asc(), articles::id.asc())),
        }
    }};
}

/// One page of summaries, in the requested order, and the total.
pub fn list(
    conn: &mut DbConnection,
    q: &ListQuery,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<SummaryRow>, i64)> {
    let Some((backend, search)) = &q.search else {
        let total: i64 = filtered!(articles::table.into_boxed::<MultiBackend>(), q)
            .count()
            .get_result(conn)?;
        if total <= offset {
            return Ok((Vec::new(), total));
        }
        let query = filtered!(articles::table.into_boxed::<MultiBackend>(), q)
            .select(SummaryRow::as_select());
        let rows = ordered!(query, q.sort, q.scope.is_dated())
            .offset(offset)
            .limit(limit)
            .load(conn)?;
        return Ok((rows, total));
    };
    let searched = || {
        filtered!(
            articles::table
                .inner_join(article_search::table.on(article_search::rowid.eq(articles::id)))
                .into_boxed::<MultiBackend>(),
            q
        )
        .filter(search::matches(*backend, search))
    };
    // Counted without the join: the matching ids are computed once and probed, whatever
    // plan the database would pick for the join.
    let total: i64 = filtered!(articles::table.into_boxed::<MultiBackend>(), q)
        .filter(search::matched_ids(*backend, search))
        .count()
        .get_result(conn)?;
    if total <= offset {
        return Ok((Vec::new(), total));
    }
    let query = searched().select(SummaryRow::as_select());
    let rows = if q.sort == Sort::Relevance {
        query
            .order((search::rank(*backend, search), articles::id.desc()))
            .offset(offset)
            .limit(limit)
            .load(conn)?
    } else {
        ordered!(query, q.sort, q.scope.is_dated())
            .offset(offset)
            .limit(limit)
            .load(conn)?
    };
    Ok((rows, total))
}

/// The next instant at which a published article falls due (readers' views change then
/// without any write), or `None`.
pub fn next_publication(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    articles::table
        .filter(articles::status.eq(Status::Published.as_str()))
        .filter(articles::published_at.gt(now))
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)
}

/// The list rows of some articles, in no particular order.
pub fn summary_rows(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<SummaryRow>> {
    articles::table
        .filter(articles::id.eq_any(ids))
        .select(SummaryRow::as_select())
        .load(conn)
}

/// The bodies of some articles (to cut search snippets from).
pub fn bodies(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    Ok(articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::body))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Turns rows into API summaries, loading their sections, authors and tags in three queries
/// (never one per row).
pub fn summaries(conn: &mut DbConnection, rows: &[SummaryRow]) -> QueryResult<Vec<ArticleSummary>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut section_ids: Vec<i64> = rows.iter().map(|r| r.section_id).collect();
    section_ids.sort_unstable();
    section_ids.dedup();
    let mut author_ids: Vec<i64> = rows.iter().map(|r| r.author_id).collect();
    author_ids.sort_unstable();
    author_ids.dedup();

    let sections: HashMap<i64, SectionRef> = sections::table
        .filter(sections::id.eq_any(section_ids))
        .select((sections::id, sections::name, sections::slug))
        .load::<(i64, String, String)>(conn)?
        .into_iter()
        .map(|(id, name, slug)| (id, SectionRef { id, name, slug }))
        .collect();
    let authors: HashMap<i64, AuthorRef> = users::table
        .filter(users::id.eq_any(author_ids))
        .select((users::id, users::display_name))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .map(|(id, display_name)| (id, AuthorRef { id, display_name }))
        .collect();
    let mut tags = crate::tags::model::names_of(conn, &ids)?;

    Ok(rows
        .iter()
        .map(|row| {
            summary(
                row,
                &sections,
                &authors,
                tags.remove(&row.id).unwrap_or_default(),
            )
        })
        .collect())
}

fn summary(
    row: &SummaryRow,
    sections: &HashMap<i64, SectionRef>,
    authors: &HashMap<i64, AuthorRef>,
    tags: Vec<String>,
) -> ArticleSummary {
    ArticleSummary {
        id: row.id,
        title: row.title.clone(),
        slug: row.slug.clone(),
        excerpt: row.excerpt.clone(),
        status: row.status(),
        section: sections
            .get(&row.section_id)
            .cloned()
            .unwrap_or(SectionRef {
                id: row.section_id,
                name: String::new(),
                slug: String::new(),
            }),
        tags,
        author: authors.get(&row.author_id).cloned().unwrap_or(AuthorRef {
            id: row.author_id,
            display_name: String::new(),
        }),
        featured_image: row.featured_image_url.as_ref().map(|url| FeaturedImage {
            url: url.clone(),
            alt: row.featured_image_alt.clone(),
            caption: row.featured_image_caption.clone(),
        }),
        lang: row.lang.clone(),
        dir: crate::text::direction(&row.lang),
        meta_title: row.meta_title.clone(),
        meta_description: row.meta_description.clone(),
        reading_time_minutes: row.reading_time_minutes,
        comment_count: row.comment_count,
        comments_open: row.comments_open,
        published_at: row.published_at.map(Into::into),
        created_at: row.created_at.into(),
        updated_at: row.updated_at.into(),
        snippet: None,
    }
}
