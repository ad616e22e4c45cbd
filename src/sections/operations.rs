//! What can be done with sections: the logic behind the endpoints, the demo and imports.
//! Each operation runs on one connection, inside the caller's transaction for writes.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::dto::{CreateSection, Section, UpdateSection};
use super::model::{self, NewSection, SectionChanges, SectionRow};
use super::tree;
use crate::db::DbConnection;
use crate::http::conditional::IfMatch;
use crate::http::pagination::Page;
use crate::http::{ApiError, ProblemType};
use crate::slugs::{self, Lookup, Reference};

/// A page of sections in display order, with the total.
pub fn list(
    c: &mut DbConnection,
    page: Page,
    now: NaiveDateTime,
) -> QueryResult<(Vec<Section>, u64)> {
    let all = model::all_with_counts(c, now)?;
    let total = all.len() as u64;
    let paths = paths(c)?;
    let data = all
        .iter()
        .skip(page.offset() as usize)
        .take(page.limit() as usize)
        .map(|(row, count)| Section::new(row, *count, url(row, &paths)))
        .collect();
    Ok((data, total))
}

/// One section by id or slug (sections are public: every reader may read every one).
pub fn get(
    c: &mut DbConnection,
    reference: &Reference,
    now: NaiveDateTime,
) -> QueryResult<Lookup<Section>> {
    Ok(
        match slugs::look_up::<SectionRow>(c, reference, |_| true)? {
            Lookup::Found(row) => Lookup::Found(view(c, &row, now)?),
            Lookup::Moved(slug) => Lookup::Moved(slug),
            Lookup::NotFound => Lookup::NotFound,
        },
    )
}

/// Stores a new section (its slug generated unless given).
pub fn create(
    c: &mut DbConnection,
    input: &CreateSection,
    now: NaiveDateTime,
) -> Result<Section, ApiError> {
    if let Some(parent) = input.parent_id {
        ensure_exists(c, parent)?;
    }
    let row = slugs::insert_with_free_slug::<SectionRow, _>(
        c,
        input.slug.as_deref(),
        &input.name,
        |c, slug| {
            model::insert(
                c,
                &NewSection {
                    name: &input.name,
                    slug,
                    description: input.description.as_deref().filter(|d| !d.is_empty()),
                    parent_id: input.parent_id,
                    position: input.position.unwrap_or(0),
                    created_at: now,
                    updated_at: now,
                },
            )
        },
    )?;
    crate::changes::log::section(c, row.id, false, now)?;
    Ok(Section::new(&row, 0, url(&row, &paths(c)?)))
}

/// Changes a section. A new slug leaves the old one redirecting; a new parent may not be the
/// section itself or one below it.
pub fn update(
    c: &mut DbConnection,
    reference: &Reference,
    input: UpdateSection,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<Section, ApiError> {
    let current = for_write(c, reference)?;
    if_match.check_value(&view(c, &current, now)?)?;
    if let Some(Some(parent)) = input.parent_id {
        ensure_exists(c, parent)?;
        if tree::would_cycle(&model::edges(c)?, current.id, parent) {
            return Err(ApiError::invalid(
                "parent_id",
                "a section cannot be inside itself or one of its subsections",
            ));
        }
    }
    let slug = match &input.slug {
        Some(slug) if *slug != current.slug => Some(slugs::choose::<SectionRow>(
            c,
            Some(slug),
            &current.name,
            Some(current.id),
        )?),
        _ => None,
    };
    let path_changed = slug.is_some()
        || input
            .parent_id
            .is_some_and(|parent| parent != current.parent_id);
    let renamed = input
        .name
        .as_ref()
        .is_some_and(|name| *name != current.name);
    let changes = SectionChanges {
        name: input.name,
        slug,
        description: input.description.map(|d| d.filter(|d| !d.is_empty())),
        parent_id: input.parent_id,
        position: input.position,
    };
    let row = model::update(c, &current, &changes, now)?.ok_or(ApiError::PreconditionFailed)?;
    crate::changes::log::section(c, row.id, false, now)?;
    if path_changed || renamed {
        crate::changes::log::section_changed(c, row.id, path_changed, now)?;
    }
    Ok(view(c, &row, now)?)
}

/// Deletes an empty section.
pub fn delete(
    c: &mut DbConnection,
    reference: &Reference,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let current = for_write(c, reference)?;
    if_match.check_value(&view(c, &current, now)?)?;
    let not_empty = |what: &str| {
        ApiError::Conflict(
            ProblemType::SectionNotEmpty,
            format!("the section still has {what}; move or delete them first"),
        )
    };
    if model::has_articles(c, current.id)? {
        return Err(not_empty("articles"));
    }
    if model::has_children(c, current.id)? {
        return Err(not_empty("subsections"));
    }
    crate::changes::log::section(c, current.id, true, now)?;
    model::delete(c, current.id)?;
    Ok(())
}

/// The section as the API shows it: with its visible articles, subsections included.
pub fn view(c: &mut DbConnection, row: &SectionRow, now: NaiveDateTime) -> QueryResult<Section> {
    let count = model::all_with_counts(c, now)?
        .into_iter()
        .find(|(section, _)| section.id == row.id)
        .map_or(0, |(_, count)| count);
    Ok(Section::new(row, count, url(row, &paths(c)?)))
}

/// Every section's `{section_path}`: its slugs from the outermost ancestor down.
pub fn paths(c: &mut DbConnection) -> QueryResult<HashMap<i64, Vec<String>>> {
    Ok(tree::paths(&model::slugs_and_parents(c)?))
}

/// Where the section's page is on the public site, if one is configured.
fn url(row: &SectionRow, paths: &HashMap<i64, Vec<String>>) -> Option<String> {
    let path = paths.get(&row.id).map(Vec::as_slice).unwrap_or_default();
    crate::links::current().section_url(row.id, &row.slug, path)
}

/// The section `reference` names, locked for the rest of the write and read after the lock.
fn for_write(c: &mut DbConnection, reference: &Reference) -> Result<SectionRow, ApiError> {
    let row: SectionRow =
        slugs::target(c, reference)?.ok_or_else(|| ApiError::not_found("section"))?;
    if !crate::db::lock_row(c, crate::db::Locked::Sections, row.id)? {
        return Ok(row);
    }
    slugs::target(c, &Reference::Id(row.id))?.ok_or_else(|| ApiError::not_found("section"))
}

fn ensure_exists(c: &mut DbConnection, id: i64) -> Result<(), ApiError> {
    model::find(c, id)?
        .map(|_| ())
        .ok_or_else(|| ApiError::invalid("parent_id", "no section has this id"))
}
