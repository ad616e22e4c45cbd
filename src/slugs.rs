//! What sections, articles and pages share about slugs: resolving `{id}` path segments that may be
//! ids or slugs, picking a free slug, and remembering old slugs so their URLs keep working.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::slug_redirects as redirects;
use crate::http::{ApiError, ProblemType};
use crate::text::slug::arabic_letters;

/// The kinds of resource that have slugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Article,
    Section,
    Page,
}

impl Resource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Section => "section",
            Self::Page => "page",
        }
    }

    /// The word used when a title yields no slug at all (only punctuation, emoji …).
    pub fn fallback_slug(self) -> &'static str {
        self.as_str()
    }
}

/// A `{id}` path segment: digits are an id, anything else a slug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reference {
    Id(i64),
    Slug(String),
}

impl Reference {
    pub fn parse(segment: &str) -> Self {
        if !segment.is_empty()
            && segment.bytes().all(|b| b.is_ascii_digit())
            && let Ok(id) = segment.parse()
        {
            return Self::Id(id);
        }
        Self::Slug(segment.to_owned())
    }
}

/// A row of a resource that readers reach by id or slug.
pub trait Slugged: Sized {
    const RESOURCE: Resource;
    fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>>;
    fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Self>>;
    fn id(&self) -> i64;
    fn slug(&self) -> &str;

    /// Whether a row other than `except` has `slug`.
    fn slug_taken(conn: &mut DbConnection, slug: &str, except: Option<i64>) -> QueryResult<bool> {
        Ok(Self::find_by_slug(conn, slug)?.is_some_and(|row| Some(row.id()) != except))
    }
}

/// The slug a write gives a `T`: the explicit one, checked ([`check_explicit`]; a 409
/// `slug-taken` when another `T` has it), or the first free one made from `title`.
///
/// Writers of one base slug take turns ([`take_turns`]) until their transactions end, so
/// each sees the slug the one before took.
pub fn choose<T: Slugged>(
    c: &mut DbConnection,
    explicit: Option<&str>,
    title: &str,
    except: Option<i64>,
) -> Result<String, ApiError> {
    match explicit {
        Some(slug) => {
            check_explicit(slug, T::RESOURCE).map_err(|m| ApiError::invalid("slug", m))?;
            take_turns(c, T::RESOURCE, slug)?;
            if T::slug_taken(c, slug, except)? {
                return Err(ApiError::Conflict(
                    ProblemType::SlugTaken,
                    format!("the slug `{slug}` is taken"),
                ));
            }
            Ok(slug.to_owned())
        }
        None => {
            let base = usable(crate::text::slugify(title), T::RESOURCE);
            take_turns(c, T::RESOURCE, &base)?;
            Ok(first_free(&base, |s| T::slug_taken(c, s, except))?)
        }
    }
}

/// Inserts a new `T` with the slug [`choose`] gives it, and returns what `insert` returns.
///
/// Two different titles can still reach one generated slug (`خبر 2` and the second `خبر`):
/// on PostgreSQL the second insert then meets the first in the unique index; it runs in a
/// savepoint, so the next free slug is tried instead of failing the request. (SQLite
/// serializes writers.)
pub fn insert_with_free_slug<T: Slugged, R>(
    c: &mut DbConnection,
    explicit: Option<&str>,
    title: &str,
    insert: impl Fn(&mut DbConnection, &str) -> QueryResult<R>,
) -> Result<R, ApiError> {
    use diesel::Connection;
    use diesel::result::{DatabaseErrorKind, Error};
    for _ in 0..5 {
        let slug = choose::<T>(c, explicit, title, None)?;
        match c.transaction(|c| insert(c, &slug)) {
            Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _))
                if explicit.is_none() =>
            {
                continue;
            }
            other => return Ok(other?),
        }
    }
    Err(ApiError::Conflict(
        ProblemType::EditConflict,
        "could not find a free slug; try again".into(),
    ))
}

/// What a reader's reference leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup<T> {
    Found(T),
    /// An old slug of a resource the reader may read: it now lives at this slug.
    Moved(String),
    /// Nothing the reader may read: the same answer whether the resource is missing or
    /// hidden from them, so a redirect never confirms that unpublished work exists.
    NotFound,
}

/// Resolves a `{id}` path segment for a reader: the resource when `may_read` it, a redirect
/// when the segment is an old slug of a resource they may read, [`Lookup::NotFound`]
/// otherwise.
pub fn look_up<T: Slugged>(
    conn: &mut DbConnection,
    reference: &Reference,
    may_read: impl Fn(&T) -> bool,
) -> QueryResult<Lookup<T>> {
    let readable = |row: Option<T>| row.filter(|row| may_read(row));
    Ok(match reference {
        Reference::Id(id) => readable(T::find(conn, *id)?).map_or(Lookup::NotFound, Lookup::Found),
        Reference::Slug(slug) => match T::find_by_slug(conn, slug)? {
            Some(row) => readable(Some(row)).map_or(Lookup::NotFound, Lookup::Found),
            None => match redirect_target(conn, T::RESOURCE, slug)? {
                Some(target) => readable(T::find(conn, target)?)
                    .map_or(Lookup::NotFound, |row| Lookup::Moved(row.slug().to_owned())),
                None => Lookup::NotFound,
            },
        },
    })
}

/// The resource a write names, following old slugs without telling; whether the writer may
/// see or change it is the caller's check.
pub fn target<T: Slugged>(
    conn: &mut DbConnection,
    reference: &Reference,
) -> QueryResult<Option<T>> {
    Ok(match look_up::<T>(conn, reference, |_| true)? {
        Lookup::Found(row) => Some(row),
        Lookup::Moved(slug) => T::find_by_slug(conn, &slug)?,
        Lookup::NotFound => None,
    })
}

/// Turns a slug produced by [`crate::text::slugify`] into one that is usable as a path
/// segment of its own: never empty, never all digits (it would read as an id).
pub fn usable(slug: String, resource: Resource) -> String {
    if slug.is_empty() {
        resource.fallback_slug().to_owned()
    } else if slug.bytes().all(|b| b.is_ascii_digit()) {
        // The prefix must not push the slug past the maximum (all ASCII: bytes are chars).
        let prefix = resource.fallback_slug();
        let digits = &slug[..slug
            .len()
            .min(crate::text::MAX_SLUG_CHARS - prefix.len() - 1)];
        format!("{prefix}-{digits}")
    } else {
        slug
    }
}

/// [`check_explicit`]'s rule as an ECMA-262 regular expression, for the OpenAPI document:
/// words of Latin letters and digits or of Arabic letters and digits, joined by single
/// hyphens, not only digits.
pub const SLUG_PATTERN: &str = concat!(
    r"^(?![0-9]+$)(?:[a-z0-9]+|[0-9",
    arabic_letters!(),
    r"]+)(?:-(?:[a-z0-9]+|[0-9",
    arabic_letters!(),
    r"]+))*$"
);

/// Whether `slug` is in the form [`check_explicit`] accepts, digits-only aside.
fn in_slug_form(slug: &str) -> bool {
    slug.split('-')
        .all(|part| !part.is_empty() && part.chars().all(crate::text::slug::is_slug_letter))
        && slug.chars().count() <= crate::text::MAX_SLUG_CHARS
        && crate::text::is_valid_slug(slug)
}

/// [`check_explicit`] for an article's slug as a request validator, so a slug that is not
/// in slug form is refused with the request's other field errors, before any precondition
/// (an `If-Match`, a lookup) is weighed.
pub fn article_slug(slug: &str) -> Result<(), validator::ValidationError> {
    as_validation(check_explicit(slug, Resource::Article))
}

/// [`article_slug`] for a section's slug.
pub fn section_slug(slug: &str) -> Result<(), validator::ValidationError> {
    as_validation(check_explicit(slug, Resource::Section))
}

/// [`article_slug`] for a page's slug.
pub fn page_slug(slug: &str) -> Result<(), validator::ValidationError> {
    as_validation(check_explicit(slug, Resource::Page))
}

fn as_validation(checked: Result<(), String>) -> Result<(), validator::ValidationError> {
    checked.map_err(|message| validator::ValidationError::new("slug").with_message(message.into()))
}

/// An explicit slug must already be in slug form: it is never silently rewritten. The error
/// says what the slug form of the input would be. A word of it may not mix scripts (`g20قمة`):
/// UTS #39's restriction levels, through `unicode-security`, must find each word highly
/// restrictive, as they find every word [`crate::text::slugify`] makes.
pub fn check_explicit(slug: &str, resource: Resource) -> Result<(), String> {
    use unicode_security::{RestrictionLevel, RestrictionLevelDetection};
    if let Some(word) = slug
        .split('-')
        .find(|word| word.detect_restriction_level() > RestrictionLevel::HighlyRestrictive)
    {
        return Err(format!(
            "the word `{word}` mixes letters of different scripts, which lets a slug look \
             like another; write each word in one script"
        ));
    }
    if !in_slug_form(slug) {
        let rule = format!(
            "lower-case letters and digits joined by single hyphens, no punctuation, at most {} \
             characters",
            crate::text::MAX_SLUG_CHARS
        );
        let suggestion = usable(crate::text::slugify(slug), resource);
        return Err(if in_slug_form(&suggestion) {
            format!("must be in slug form, e.g. `{suggestion}` ({rule})")
        } else {
            format!("must be in slug form ({rule})")
        });
    }
    if slug.bytes().all(|b| b.is_ascii_digit()) {
        return Err("cannot be only digits (it would read as an id)".into());
    }
    Ok(())
}

/// Makes the writers that pick a slug from one `base` take turns until their transactions
/// end, so each one sees the slug the one before it took (and picks `base-2`, or reports an
/// explicit slug as taken) instead of colliding in the unique index. PostgreSQL only:
/// SQLite has one writer at a time already.
///
/// The lock is one of [`SLUG_LOCKS`] (the base's hash picks it), not one per base: an import
/// that writes a hundred thousand slugs in one transaction would otherwise hold as many
/// locks and run PostgreSQL out of lock table ("out of shared memory"). Two bases sharing a
/// lock only wait for each other.
pub fn take_turns(c: &mut DbConnection, resource: Resource, base: &str) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock($1, hashtext($2) & $3)")
            .bind::<diesel::sql_types::Integer, _>(SLUG_LOCK_CLASS)
            .bind::<diesel::sql_types::Text, _>(format!("{}-slug:{base}", resource.as_str()))
            .bind::<diesel::sql_types::Integer, _>(SLUG_LOCKS - 1)
            .execute(pg)?;
    }
    Ok(())
}

/// How many advisory locks slug writers share (a power of two).
pub const SLUG_LOCKS: i32 = 256;

/// The first key of the slug locks, telling them from any other advisory lock ("slug").
const SLUG_LOCK_CLASS: i32 = 0x736c_7567;

/// `base`, or `base-2`, `base-3` … whichever `taken` says is free.
pub fn first_free(
    base: &str,
    mut taken: impl FnMut(&str) -> QueryResult<bool>,
) -> QueryResult<String> {
    if !taken(base)? {
        return Ok(base.to_owned());
    }
    let mut n = 2u32;
    loop {
        let candidate = format!("{base}-{n}");
        if !taken(&candidate)? {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// The id an old slug now points to.
pub fn redirect_target(
    conn: &mut DbConnection,
    resource: Resource,
    slug: &str,
) -> QueryResult<Option<i64>> {
    redirects::table
        .filter(redirects::resource.eq(resource.as_str()))
        .filter(redirects::slug.eq(slug))
        .select(redirects::target_id)
        .first(conn)
        .optional()
}

/// Remembers that `old` led to `target_id`. A slug handed to a resource again stops being
/// a redirect (see [`forget`]).
pub fn remember(
    conn: &mut DbConnection,
    resource: Resource,
    old: &str,
    target_id: i64,
    now: chrono::NaiveDateTime,
) -> QueryResult<()> {
    forget(conn, resource, old)?;
    diesel::insert_into(redirects::table)
        .values((
            redirects::resource.eq(resource.as_str()),
            redirects::slug.eq(old),
            redirects::target_id.eq(target_id),
            redirects::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// Drops the redirect of `slug` (it now belongs to a resource again).
pub fn forget(conn: &mut DbConnection, resource: Resource, slug: &str) -> QueryResult<()> {
    diesel::delete(
        redirects::table
            .filter(redirects::resource.eq(resource.as_str()))
            .filter(redirects::slug.eq(slug)),
    )
    .execute(conn)?;
    Ok(())
}

/// Drops every redirect to a deleted resource.
pub fn forget_target(
    conn: &mut DbConnection,
    resource: Resource,
    target_id: i64,
) -> QueryResult<()> {
    diesel::delete(
        redirects::table
            .filter(redirects::resource.eq(resource.as_str()))
            .filter(redirects::target_id.eq(target_id)),
    )
    .execute(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_ids_and_everything_else_a_slug() {
        assert_eq!(Reference::parse("42"), Reference::Id(42));
        assert_eq!(Reference::parse("العالم"), Reference::Slug("العالم".into()));
        assert_eq!(
            Reference::parse("42-news"),
            Reference::Slug("42-news".into())
        );
        assert_eq!(
            Reference::parse("99999999999999999999"),
            Reference::Slug("99999999999999999999".into())
        );
    }

    #[test]
    fn slugs_are_never_empty_nor_all_digits() {
        assert_eq!(usable(String::new(), Resource::Article), "article");
        assert_eq!(usable("2026".into(), Resource::Section), "section-2026");
        assert_eq!(usable("كرة-القدم".into(), Resource::Section), "كرة-القدم");
    }

    #[test]
    fn explicit_slugs_follow_the_documented_rule() {
        for good in ["العالم", "world-news", "الاقتصاد-2026", "پژوهش", "a"] {
            assert_eq!(check_explicit(good, Resource::Article), Ok(()), "{good}");
        }
        for bad in [
            "",
            "2026",
            "g20قمة",
            "newsالعالم",
            "World",
            "a--b",
            "-a",
            "a-",
            "الأَمْن",
            "كرة_القدم",
            "ـ",
            "a b",
            "привет",
        ] {
            assert!(check_explicit(bad, Resource::Article).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_documented_pattern_and_the_check_agree() {
        // The regex crate has no look-ahead: "not only digits" is left to the check.
        let pattern = regex::Regex::new(&SLUG_PATTERN.replace("(?![0-9]+$)", "")).unwrap();
        let pieces = [
            "a", "z", "0", "9", "ب", "ی", "ٹ", "ݿ", "ࢠ", "-", "é", "а", "ـ", "A",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let slug = format!("x{a}{b}{c}");
                    assert_eq!(
                        pattern.is_match(&slug),
                        check_explicit(&slug, Resource::Article).is_ok(),
                        "{slug}"
                    );
                }
            }
        }
    }

    #[test]
    fn the_first_free_slug_counts_up_from_two() {
        let taken = ["news", "news-2"];
        let free = first_free("news", |s| Ok(taken.contains(&s))).unwrap();
        assert_eq!(free, "news-3");
        assert_eq!(
            first_free("other", |s| Ok(taken.contains(&s))).unwrap(),
            "other"
        );
    }
}
