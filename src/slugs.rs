//! What sections and articles share about slugs: resolving `{id}` path segments that may be
//! ids or slugs, picking a free slug, and remembering old slugs so their URLs keep working.

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::slug_redirects as redirects;

/// The kinds of resource that have slugs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    Article,
    Section,
}

impl Resource {
    fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Section => "section",
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

/// Where a reference leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// The resource with this id.
    Found(i64),
    /// An old slug: the resource now lives at this slug.
    Moved {
        slug: String,
    },
    NotFound,
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

/// The letters an explicit slug may use: Latin lower-case, digits, the Arabic alphabet
/// (hamza forms included, no tashkeel or tatweel) and the Persian additions پ چ ژ ک گ ی.
/// Generated slugs may hold letters of other scripts too; an explicit one keeps to this set
/// so that the OpenAPI document can state the rule exactly.
fn is_slug_letter(c: char) -> bool {
    c.is_ascii_lowercase()
        || c.is_ascii_digit()
        || matches!(c, '\u{0621}'..='\u{063A}' | '\u{0641}'..='\u{064A}')
        || matches!(
            c,
            '\u{067E}' | '\u{0686}' | '\u{0698}' | '\u{06A9}' | '\u{06AF}' | '\u{06CC}'
        )
}

/// [`check_explicit`]'s rule as an ECMA-262 regular expression, for the OpenAPI document.
pub const SLUG_PATTERN: &str = r"^(?![0-9]+$)[a-z0-9\u0621-\u063A\u0641-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC]+(-[a-z0-9\u0621-\u063A\u0641-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC]+)*$";

/// Whether `slug` is in the form [`check_explicit`] accepts, digits-only aside.
fn in_slug_form(slug: &str) -> bool {
    slug.split('-')
        .all(|part| !part.is_empty() && part.chars().all(is_slug_letter))
        && slug.chars().count() <= crate::text::MAX_SLUG_CHARS
        && crate::text::is_valid_slug(slug)
}

/// An explicit slug must already be in slug form: it is never silently rewritten. The error
/// says what the slug form of the input would be, when that form is itself acceptable
/// (slugify keeps letters of every script; this rule does not).
pub fn check_explicit(slug: &str, resource: Resource) -> Result<(), String> {
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
pub fn take_turns(c: &mut DbConnection, resource: Resource, base: &str) -> QueryResult<()> {
    if let DbConnection::Postgres(pg) = c {
        diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
            .bind::<diesel::sql_types::Text, _>(format!("{}-slug:{base}", resource.as_str()))
            .execute(pg)?;
    }
    Ok(())
}

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
