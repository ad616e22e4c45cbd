//! Article rows and the queries on them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Timestamp};

use super::Status;
use super::cursor::{Cursor, Key};
use super::dto::Sort;
use super::workflow::Readable;
use crate::db::schema::{article_tags, articles};
use crate::db::{DbConnection, MultiBackend};
use crate::slugs::{self, Reference, Resource, Slugged};

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
    pub featured_media_id: Option<i64>,
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
    pub byline: Option<String>,
    pub source: Option<String>,
    pub source_url: Option<String>,
    /// `None` for rows written before the column existed: then `updated_at`.
    pub content_updated_at: Option<NaiveDateTime>,
    /// Breaking news until then.
    pub breaking_until: Option<NaiveDateTime>,
    pub featured: bool,
    /// The homepage slot of a featured article, smallest first.
    pub position: Option<i32>,
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
    /// `markdown` or `html` ([`crate::articles::derived::BodyFormat`]).
    pub body_format: String,
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
    pub body_format: &'a str,
    pub status: &'a str,
    pub section_id: i64,
    pub author_id: i64,
    pub featured_image_url: Option<&'a str>,
    pub featured_image_alt: Option<&'a str>,
    pub featured_image_caption: Option<&'a str>,
    pub featured_media_id: Option<i64>,
    pub lang: &'a str,
    pub meta_title: Option<&'a str>,
    pub meta_description: Option<&'a str>,
    pub reading_time_minutes: i32,
    pub comments_open: bool,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub byline: Option<&'a str>,
    pub source: Option<&'a str>,
    pub source_url: Option<&'a str>,
    pub content_updated_at: Option<NaiveDateTime>,
    pub breaking_until: Option<NaiveDateTime>,
    pub featured: bool,
    pub position: Option<i32>,
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
    pub body_format: Option<String>,
    pub status: Option<String>,
    pub section_id: Option<i64>,
    pub featured_image_url: Option<Option<String>>,
    pub featured_image_alt: Option<Option<String>>,
    pub featured_image_caption: Option<Option<String>>,
    pub featured_media_id: Option<Option<i64>>,
    pub lang: Option<String>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub reading_time_minutes: Option<i32>,
    pub comments_open: Option<bool>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub byline: Option<Option<String>>,
    pub source: Option<Option<String>>,
    pub source_url: Option<Option<String>>,
    pub content_updated_at: Option<Option<NaiveDateTime>>,
    pub breaking_until: Option<Option<NaiveDateTime>>,
    pub featured: Option<bool>,
    pub position: Option<Option<i32>>,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<ArticleRow>> {
    articles::table
        .find(id)
        .select(ArticleRow::as_select())
        .first(conn)
        .optional()
}

impl Slugged for ArticleRow {
    const RESOURCE: Resource = Resource::Article;

    fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        find(conn, id)
    }

    fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Self>> {
        articles::table
            .filter(articles::slug.eq(slug))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    fn id(&self) -> i64 {
        self.summary.id
    }

    fn slug(&self) -> &str {
        &self.summary.slug
    }
}

/// The list columns alone, for lookups that need no body (an article's comments, its
/// related articles).
impl Slugged for SummaryRow {
    const RESOURCE: Resource = Resource::Article;

    fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        articles::table
            .find(id)
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Self>> {
        articles::table
            .filter(articles::slug.eq(slug))
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    fn id(&self) -> i64 {
        self.id
    }

    fn slug(&self) -> &str {
        &self.slug
    }
}

/// The id behind a reference, following old slugs without telling (staff filters).
pub fn resolve_id(conn: &mut DbConnection, reference: &Reference) -> QueryResult<Option<i64>> {
    Ok(slugs::target::<SummaryRow>(conn, reference)?.map(|row| row.id))
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

/// The format of an article's body, for rendering a new body before the write.
pub fn body_format(conn: &mut DbConnection, id: i64) -> QueryResult<Option<String>> {
    articles::table
        .find(id)
        .select(articles::body_format)
        .first(conn)
        .optional()
}

/// Replaces the rendered body (after a media item it showed was deleted), as a change.
pub fn set_body_html(
    conn: &mut DbConnection,
    id: i64,
    body_html: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(articles::table.find(id))
        .set(articles::body_html.eq(body_html))
        .execute(conn)?;
    touch(conn, id, now)
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
    /// What the viewer may read at all (the same rule as single reads).
    pub readable: Readable,
    pub section_ids: Option<Vec<i64>>,
    pub tag_id: Option<i64>,
    pub author_id: Option<i64>,
    /// A language tag (canonical form): articles in it or in one of its regional forms
    /// (`ar` takes `ar-EG`).
    pub lang: Option<String>,
    pub published_after: Option<NaiveDateTime>,
    pub published_before: Option<NaiveDateTime>,
    /// Only featured articles (`true`) or only the others.
    pub featured: Option<bool>,
    /// Only articles that are breaking news now (`true`) or only the others.
    pub breaking: Option<bool>,
    pub sort: Sort,
    pub now: NaiveDateTime,
}

impl ListQuery {
    /// Whether the scope and the viewer's rights admit `row` (the same rule as the query's
    /// conditions), for a page found elsewhere (the search index).
    pub fn admits(&self, row: &SummaryRow) -> bool {
        let visible =
            row.status() == Status::Published && row.published_at.is_some_and(|at| at <= self.now);
        let in_scope = match &self.scope {
            Scope::Visible => visible,
            Scope::Scheduled => {
                row.status() == Status::Published
                    && row.published_at.is_some_and(|at| at > self.now)
            }
            Scope::Status(status) => row.status() == *status,
            Scope::Every => true,
        };
        let in_language = self.lang.as_ref().is_none_or(|lang| {
            row.lang == *lang
                || row
                    .lang
                    .strip_prefix(lang.as_str())
                    .is_some_and(|rest| rest.starts_with('-'))
        });
        let breaking = row.breaking_until.is_some_and(|until| until > self.now);
        in_scope
            && in_language
            && self.featured.is_none_or(|f| f == row.featured)
            && self.breaking.is_none_or(|b| b == breaking)
            && self.readable.allows(row, self.now)
    }
}

/// Applies a list's filters to a boxed query over `articles`. Published articles count as
/// due up to `upto` (`q.now`, or an earlier bound a cursor puts on `published_at` anyway).
macro_rules! filtered {
    ($query:expr, $q:expr) => {{
        let q: &ListQuery = $q;
        filtered!($query, q, q.now)
    }};
    ($query:expr, $q:expr, $upto:expr) => {{
        let q: &ListQuery = $q;
        let upto: NaiveDateTime = $upto;
        let mut query = $query;
        query = match &q.scope {
            Scope::Visible => query
                .filter(articles::status.eq(Status::Published.as_str()))
                .filter(articles::published_at.le(upto)),
            Scope::Scheduled => query
                .filter(articles::status.eq(Status::Published.as_str()))
                .filter(articles::published_at.gt(q.now)),
            Scope::Status(status) => query.filter(articles::status.eq(status.as_str())),
            Scope::Every => query,
        };
        // `Readable::allows`, as a condition. Every reader may read what is visible, so a
        // visible-only scope needs none: repeated, the same conditions made SQLite's planner
        // count their selectivity twice, misjudge how many rows match, and pick a plan that
        // sorts every match (see `published_before`).
        match if matches!(q.scope, Scope::Visible) {
            Readable::Everything
        } else {
            q.readable
        } {
            Readable::Everything => {}
            Readable::Visible => {
                query = query
                    .filter(articles::status.eq(Status::Published.as_str()))
                    .filter(articles::published_at.le(upto));
            }
            Readable::VisibleOrOwn(user) => {
                query = query.filter(
                    articles::status
                        .eq(Status::Published.as_str())
                        .and(articles::published_at.le(upto))
                        .or(articles::author_id.eq(user)),
                );
            }
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
        if let Some(lang) = &q.lang {
            query = query.filter(
                articles::lang
                    .eq(lang.clone())
                    .or(articles::lang.like(format!("{lang}-%"))),
            );
        }
        if let Some(after) = q.published_after {
            query = query.filter(articles::published_at.ge(after));
        }
        if let Some(before) = q.published_before {
            query = query.filter(articles::published_at.lt(before));
        }
        if let Some(featured) = q.featured {
            query = query.filter(articles::featured.eq(featured));
        }
        match q.breaking {
            Some(true) => query = query.filter(articles::breaking_until.gt(q.now)),
            Some(false) => {
                query = query.filter(
                    articles::breaking_until
                        .is_null()
                        .or(articles::breaking_until.le(q.now)),
                )
            }
            None => {}
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
            // Homepage slots first, in order; the rest newest first.
            (Sort::Position, _) => query.order((
                articles::position.is_null().asc(),
                articles::position.asc(),
                articles::published_at.desc(),
                articles::id.desc(),
            )),
        }
    }};
}

/// Keeps the articles after `cursor` in its order, the same order [`ordered!`] gives. Lists
/// of published articles compare the row value `(published_at, id)`, which both databases
/// seek to in the index. Elsewhere each condition repeats the sort column's bound on its own
/// (`published_at <= p` before `published_at < p OR (published_at = p AND id < i)`).
macro_rules! after_cursor {
    ($query:expr, $cursor:expr, $dated:expr) => {{
        let query = $query;
        let cursor: &Cursor = $cursor;
        let id = cursor.id;
        match (&cursor.sort, &cursor.key, $dated) {
            (Sort::OldestFirst, Key::At(Some(at)), true) => query.filter(published_after(*at, id)),
            (Sort::OldestFirst, Key::At(Some(at)), false) => query.filter(
                articles::published_at
                    .ge(*at)
                    .and(
                        articles::published_at
                            .gt(*at)
                            .or(articles::published_at.eq(*at).and(articles::id.gt(id))),
                    )
                    .or(articles::published_at.is_null()),
            ),
            (Sort::OldestFirst, Key::At(None), _) => query
                .filter(articles::published_at.is_null())
                .filter(articles::id.gt(id)),
            (Sort::RecentlyUpdated, Key::At(Some(at)), _) => {
                query.filter(articles::updated_at.le(*at)).filter(
                    articles::updated_at
                        .lt(*at)
                        .or(articles::updated_at.eq(*at).and(articles::id.lt(id))),
                )
            }
            (Sort::Title, Key::Title(title), _) => {
                query.filter(articles::title.ge(title.clone())).filter(
                    articles::title
                        .gt(title.clone())
                        .or(articles::title.eq(title.clone()).and(articles::id.gt(id))),
                )
            }
            (_, Key::At(Some(at)), true) => query.filter(published_before(*at, id)),
            (_, Key::At(Some(at)), false) => query.filter(
                articles::published_at
                    .le(*at)
                    .and(
                        articles::published_at
                            .lt(*at)
                            .or(articles::published_at.eq(*at).and(articles::id.lt(id))),
                    )
                    .or(articles::published_at.is_null()),
            ),
            (_, _, _) => query
                .filter(articles::published_at.is_null())
                .filter(articles::id.lt(id)),
        }
    }};
}

/// Strictly after `(at, id)` in newest-first order, for lists of published articles. The
/// `id` is written `+articles.id` so that no database answers the tie through the primary
/// key. The upper
/// bound `published_at <= at` is not repeated here: [`page`] passes it as the list's own
/// bound. Each repetition of a condition made SQLite's planner (with its statistics of the
/// bound values) expect fewer matching rows, and at a million articles it chose to skip-scan
/// `articles_by_section` and sort every article older than the cursor: 110-670 ms for some
/// deep pages instead of under 5 ms.
fn published_before(at: NaiveDateTime, id: i64) -> impl PublishedCondition {
    diesel::dsl::sql::<Bool>("(articles.published_at < ")
        .bind::<Timestamp, _>(at)
        .sql(" OR (articles.published_at = ")
        .bind::<Timestamp, _>(at)
        .sql(" AND +articles.id < ")
        .bind::<BigInt, _>(id)
        .sql("))")
}

/// Oldest first, the lower bound too, which the list's own bound does not give.
fn published_after(at: NaiveDateTime, id: i64) -> impl PublishedCondition {
    diesel::dsl::sql::<Bool>("articles.published_at >= ")
        .bind::<Timestamp, _>(at)
        .sql(" AND (articles.published_at > ")
        .bind::<Timestamp, _>(at)
        .sql(" OR (articles.published_at = ")
        .bind::<Timestamp, _>(at)
        .sql(" AND +articles.id > ")
        .bind::<BigInt, _>(id)
        .sql("))")
}

/// A condition on `articles` a boxed list query can take.
trait PublishedCondition:
    diesel::expression::BoxableExpression<articles::table, MultiBackend, SqlType = Bool>
    + diesel::expression::ValidGrouping<(), IsAggregate = diesel::expression::is_aggregate::Never>
{
}

impl<T> PublishedCondition for T where
    T: diesel::expression::BoxableExpression<articles::table, MultiBackend, SqlType = Bool>
        + diesel::expression::ValidGrouping<(), IsAggregate = diesel::expression::is_aggregate::Never>
{
}

/// How many articles the query lists (see [`super::totals`] for when this runs).
pub fn count(conn: &mut DbConnection, q: &ListQuery) -> QueryResult<i64> {
    filtered!(articles::table.into_boxed::<MultiBackend>(), q)
        .count()
        .get_result(conn)
}

/// Where a page starts.
#[derive(Debug, Clone, Copy)]
pub enum Window<'a> {
    /// After skipping this many articles (page numbers).
    Offset(i64),
    /// Right after the article at the cursor, in the cursor's order (which is the query's).
    After(&'a Cursor),
}

/// At most `limit` summaries of the query from `window` on, in the requested order.
pub fn page(
    conn: &mut DbConnection,
    q: &ListQuery,
    window: Window,
    limit: i64,
) -> QueryResult<Vec<SummaryRow>> {
    // Newest first, the cursor's `published_at` bounds what is due: given as the one upper
    // bound. With two (`<= now` and `<= cursor`) SQLite cannot tell from the bound parameters
    // which is tighter, took `now`, and read every row between the newest article and the
    // cursor (3.5 s a million articles deep; 0.5 ms with the one bound).
    let upto = match window {
        Window::After(Cursor {
            sort: Sort::NewestFirst,
            key: Key::At(Some(at)),
            ..
        }) => q.now.min(*at),
        _ => q.now,
    };
    let mut query = filtered!(articles::table.into_boxed::<MultiBackend>(), q, upto)
        .select(SummaryRow::as_select());
    let offset = match window {
        Window::Offset(offset) => offset,
        Window::After(cursor) => {
            query = after_cursor!(query, cursor, q.scope.is_dated());
            0
        }
    };
    ordered!(query, q.sort, q.scope.is_dated())
        .offset(offset)
        .limit(limit)
        .load(conn)
}

/// Published, due articles in some sections with ids above `after`, by id, at most `limit`
/// (a section's articles, walked in pages).
pub fn visible_in_sections(
    conn: &mut DbConnection,
    section_ids: &[i64],
    after: i64,
    limit: i64,
    now: NaiveDateTime,
) -> QueryResult<Vec<SummaryRow>> {
    articles::table
        .filter(articles::section_id.eq_any(section_ids))
        .filter(articles::status.eq(Status::Published.as_str()))
        .filter(articles::published_at.le(now))
        .filter(articles::id.gt(after))
        .order(articles::id.asc())
        .limit(limit)
        .select(SummaryRow::as_select())
        .load(conn)
}

/// The first `limit` articles of the query, without counting them all (feeds).
pub fn first(conn: &mut DbConnection, q: &ListQuery, limit: i64) -> QueryResult<Vec<SummaryRow>> {
    let query =
        filtered!(articles::table.into_boxed::<MultiBackend>(), q).select(SummaryRow::as_select());
    ordered!(query, q.sort, q.scope.is_dated())
        .limit(limit)
        .load(conn)
}

/// The sanitized HTML bodies of some articles (feeds with whole articles).
pub fn bodies_html(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<HashMap<i64, String>> {
    Ok(articles::table
        .filter(articles::id.eq_any(ids))
        .select((articles::id, articles::body_html))
        .load::<(i64, String)>(conn)?
        .into_iter()
        .collect())
}

/// Whether any article matches the query (a tag or byline reveals nothing unless some
/// article the viewer may read carries it).
pub fn any(conn: &mut DbConnection, q: &ListQuery) -> QueryResult<bool> {
    filtered!(articles::table.into_boxed::<MultiBackend>(), q)
        .select(articles::id)
        .first::<i64>(conn)
        .optional()
        .map(|id| id.is_some())
}

/// The next instant at which readers' views change without any write: a published article
/// falls due, or breaking news expires. `None` when neither is ahead.
pub fn next_publication(
    conn: &mut DbConnection,
    now: NaiveDateTime,
) -> QueryResult<Option<NaiveDateTime>> {
    let due: Option<NaiveDateTime> = articles::table
        .filter(articles::status.eq(Status::Published.as_str()))
        .filter(articles::published_at.gt(now))
        .select(diesel::dsl::min(articles::published_at))
        .first(conn)?;
    let expiry: Option<NaiveDateTime> = articles::table
        .filter(articles::breaking_until.gt(now))
        .select(diesel::dsl::min(articles::breaking_until))
        .first(conn)?;
    Ok(match (due, expiry) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
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
