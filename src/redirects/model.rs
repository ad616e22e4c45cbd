//! `legacy_paths` rows and the queries on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::legacy_paths;

/// The kinds of resource an old path can lead to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    Article,
    Page,
    Section,
    Tag,
    Author,
}

impl Target {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Article => "article",
            Self::Page => "page",
            Self::Section => "section",
            Self::Tag => "tag",
            Self::Author => "author",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "article" => Some(Self::Article),
            "page" => Some(Self::Page),
            "section" => Some(Self::Section),
            "tag" => Some(Self::Tag),
            "author" => Some(Self::Author),
            _ => None,
        }
    }
}

/// What an old path leads to.
pub fn find(conn: &mut DbConnection, path: &str) -> QueryResult<Option<(Target, i64)>> {
    let row: Option<(String, i64)> = legacy_paths::table
        .find(path)
        .select((legacy_paths::resource, legacy_paths::target_id))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|(resource, id)| Target::parse(&resource).map(|t| (t, id))))
}

/// Records that `path` leads to `target`, replacing what it led to before (a later import
/// knows better). A path that already leads there is left as it is, so an import run again
/// writes nothing.
pub fn remember(
    conn: &mut DbConnection,
    path: &str,
    target: Target,
    id: i64,
    now: NaiveDateTime,
) -> QueryResult<()> {
    if find(conn, path)? == Some((target, id)) {
        return Ok(());
    }
    diesel::delete(legacy_paths::table.find(path)).execute(conn)?;
    diesel::insert_into(legacy_paths::table)
        .values((
            legacy_paths::path.eq(path),
            legacy_paths::resource.eq(target.as_str()),
            legacy_paths::target_id.eq(id),
            legacy_paths::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}
