//! Writing menus (their targets checked), and reading them with each link resolved to its
//! target's slug and public address — without the links to what the reader cannot see.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use super::dto::{
    CreateMenu, LinkType, Menu, MenuChildInput, MenuItem, MenuItemInput, MenuSummary, UpdateMenu,
};
use super::model::{self, ItemRow, MenuRow, NewItem};
use crate::articles::workflow::Readable;
use crate::db::DbConnection;
use crate::http::conditional::IfMatch;
use crate::http::{ApiError, ProblemType};

pub fn list(c: &mut DbConnection) -> QueryResult<Vec<MenuSummary>> {
    Ok(model::list(c)?.iter().map(summary).collect())
}

fn summary(row: &MenuRow) -> MenuSummary {
    MenuSummary {
        id: row.id,
        slug: row.slug.clone(),
        name: row.name.clone(),
        updated_at: row.updated_at.into(),
    }
}

/// A menu as `staff` (every link) or a reader (only links to what readers see) gets it.
pub fn get(
    c: &mut DbConnection,
    slug: &str,
    staff: bool,
    now: NaiveDateTime,
) -> Result<Menu, ApiError> {
    let row = model::find_by_slug(c, slug)?.ok_or_else(|| ApiError::not_found("menu"))?;
    Ok(view(c, &row, staff, now)?)
}

fn view(c: &mut DbConnection, row: &MenuRow, staff: bool, now: NaiveDateTime) -> QueryResult<Menu> {
    let items = model::items(c, row.id)?;
    let targets = Targets::load(c, &items, staff, now)?;
    let resolve = |item: &ItemRow| -> Option<MenuItem> {
        let link_type = LinkType::parse(&item.kind)?;
        let (slug, url) = match link_type {
            LinkType::Url => (None, item.url.clone()),
            _ => {
                let (slug, url) = targets.get(&(link_type, item.target_id?))?.clone();
                (Some(slug), url)
            }
        };
        Some(MenuItem {
            label: item.label.clone(),
            description: item.description.clone(),
            link_type,
            target_id: item.target_id,
            slug,
            url,
            children: Vec::new(),
        })
    };
    let mut top: Vec<(i64, MenuItem)> = Vec::new();
    let mut children: HashMap<i64, Vec<MenuItem>> = HashMap::new();
    for item in &items {
        let Some(resolved) = resolve(item) else {
            continue;
        };
        match item.parent_id {
            None => top.push((item.id, resolved)),
            Some(parent) => children.entry(parent).or_default().push(resolved),
        }
    }
    Ok(Menu {
        menu: summary(row),
        items: top
            .into_iter()
            .map(|(id, mut item)| {
                item.children = children.remove(&id).unwrap_or_default();
                item
            })
            .collect(),
    })
}

/// The slug and public address of every target the items name that the viewer may see.
struct Targets(HashMap<(LinkType, i64), (String, Option<String>)>);

impl Targets {
    fn load(
        c: &mut DbConnection,
        items: &[ItemRow],
        staff: bool,
        now: NaiveDateTime,
    ) -> QueryResult<Self> {
        let ids = |kind: LinkType| -> Vec<i64> {
            items
                .iter()
                .filter(|i| i.kind == kind.as_str())
                .filter_map(|i| i.target_id)
                .collect()
        };
        let site = crate::links::current();
        let mut found = HashMap::new();
        let sections = ids(LinkType::Section);
        if !sections.is_empty() {
            let paths = crate::sections::operations::paths(c)?;
            for (id, _name, slug) in crate::sections::model::names(c, &sections)? {
                let path = paths.get(&id).map(Vec::as_slice).unwrap_or_default();
                let url = site.section_url(id, &slug, path);
                found.insert((LinkType::Section, id), (slug, url));
            }
        }
        let articles = ids(LinkType::Article);
        if !articles.is_empty() {
            let mut rows = crate::articles::model::summary_rows(c, &articles)?;
            if !staff {
                rows.retain(|row| Readable::Visible.allows(row, now));
            }
            for article in crate::articles::operations::summaries(c, &rows)? {
                found.insert((LinkType::Article, article.id), (article.slug, article.url));
            }
        }
        for id in ids(LinkType::Page) {
            if let Some(page) = crate::pages::model::find(c, id)?
                && (staff || page.is_published())
            {
                let url = site.page_url(id, &page.slug);
                found.insert((LinkType::Page, id), (page.slug, url));
            }
        }
        for id in ids(LinkType::Tag) {
            if let Some(slug) = crate::tags::model::slug_of(c, id)? {
                let url = site.tag_url(id, &slug);
                found.insert((LinkType::Tag, id), (slug, url));
            }
        }
        Ok(Self(found))
    }

    fn get(&self, key: &(LinkType, i64)) -> Option<&(String, Option<String>)> {
        self.0.get(key)
    }
}

pub fn create(
    c: &mut DbConnection,
    input: &CreateMenu,
    now: NaiveDateTime,
) -> Result<Menu, ApiError> {
    if model::find_by_slug(c, &input.slug)?.is_some() {
        return Err(ApiError::Conflict(
            ProblemType::SlugTaken,
            format!("a menu is already called `{}`", input.slug),
        ));
    }
    let id = model::insert(c, &input.slug, &input.name, now)?;
    write_items(c, id, &input.items)?;
    let row = model::find_by_slug(c, &input.slug)?.ok_or(ApiError::Internal)?;
    Ok(view(c, &row, true, now)?)
}

pub fn update(
    c: &mut DbConnection,
    slug: &str,
    input: &UpdateMenu,
    if_match: &IfMatch,
    now: NaiveDateTime,
) -> Result<Menu, ApiError> {
    let row = for_write(c, slug)?;
    if_match.check_value(&view(c, &row, true, now)?)?;
    let name = input.name.as_deref().unwrap_or(&row.name);
    if !model::touch(c, &row, name, now)? {
        return Err(ApiError::PreconditionFailed);
    }
    if let Some(items) = &input.items {
        model::clear_items(c, row.id)?;
        write_items(c, row.id, items)?;
    }
    let row = model::find_by_slug(c, slug)?.ok_or(ApiError::Internal)?;
    Ok(view(c, &row, true, now)?)
}

pub fn delete(c: &mut DbConnection, slug: &str, if_match: &IfMatch) -> Result<(), ApiError> {
    let row = for_write(c, slug)?;
    if_match.check_value(&view(c, &row, true, crate::time::now())?)?;
    model::delete(c, row.id)?;
    Ok(())
}

/// The menu `slug` names, locked for the rest of the write and read after the lock.
fn for_write(c: &mut DbConnection, slug: &str) -> Result<MenuRow, ApiError> {
    let find = |c: &mut DbConnection| {
        model::find_by_slug(c, slug)?.ok_or_else(|| ApiError::not_found("menu"))
    };
    let row = find(c)?;
    if crate::db::lock_row(c, crate::db::Locked::Menus, row.id)? {
        return find(c);
    }
    Ok(row)
}

fn write_items(c: &mut DbConnection, menu: i64, items: &[MenuItemInput]) -> Result<(), ApiError> {
    for (n, item) in items.iter().enumerate() {
        let field = format!("items[{n}]");
        let link = Link {
            link_type: item.link_type,
            target_id: item.target_id,
            url: item.url.as_deref(),
        };
        check_target(c, &field, &link)?;
        let parent = model::insert_item(
            c,
            menu,
            &NewItem {
                parent_id: None,
                position: n as i32,
                label: &item.label,
                description: item.description.as_deref(),
                kind: item.link_type.as_str(),
                target_id: item.target_id,
                url: item.url.as_deref(),
            },
        )?;
        for (m, child) in item.children.iter().enumerate() {
            let MenuChildInput {
                label,
                description,
                link_type,
                target_id,
                url,
            } = child;
            let link = Link {
                link_type: *link_type,
                target_id: *target_id,
                url: url.as_deref(),
            };
            check_target(c, &format!("{field}.children[{m}]"), &link)?;
            model::insert_item(
                c,
                menu,
                &NewItem {
                    parent_id: Some(parent),
                    position: m as i32,
                    label,
                    description: description.as_deref(),
                    kind: link_type.as_str(),
                    target_id: *target_id,
                    url: url.as_deref(),
                },
            )?;
        }
    }
    Ok(())
}

struct Link<'a> {
    link_type: LinkType,
    target_id: Option<i64>,
    url: Option<&'a str>,
}

/// A link names an existing target of its type, or (type `url`) an external address only.
fn check_target(c: &mut DbConnection, field: &str, link: &Link) -> Result<(), ApiError> {
    let invalid = |message: &str| ApiError::invalid(field, message.to_owned());
    if link.link_type == LinkType::Url {
        return match (link.url, link.target_id) {
            (Some(_), None) => Ok(()),
            _ => Err(invalid("a `url` link takes a `url` and no `target_id`")),
        };
    }
    let (Some(id), None) = (link.target_id, link.url) else {
        return Err(invalid("this link takes a `target_id` and no `url`"));
    };
    let exists = match link.link_type {
        LinkType::Section => !crate::sections::model::names(c, &[id])?.is_empty(),
        LinkType::Article => !crate::articles::model::summary_rows(c, &[id])?.is_empty(),
        LinkType::Page => crate::pages::model::find(c, id)?.is_some(),
        LinkType::Tag => crate::tags::model::slug_of(c, id)?.is_some(),
        LinkType::Url => true,
    };
    if exists {
        Ok(())
    } else {
        Err(invalid("`target_id` names nothing of this type"))
    }
}
