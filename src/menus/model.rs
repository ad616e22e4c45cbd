//! Menu rows and their items.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::{menu_items, menus};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = menus)]
pub struct MenuRow {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = menu_items)]
pub struct ItemRow {
    pub id: i64,
    pub menu_id: i64,
    pub parent_id: Option<i64>,
    pub position: i32,
    pub label: String,
    pub description: Option<String>,
    pub kind: String,
    pub target_id: Option<i64>,
    pub url: Option<String>,
}

pub struct NewItem<'a> {
    pub parent_id: Option<i64>,
    pub position: i32,
    pub label: &'a str,
    pub description: Option<&'a str>,
    pub kind: &'a str,
    pub target_id: Option<i64>,
    pub url: Option<&'a str>,
}

pub fn list(c: &mut DbConnection) -> QueryResult<Vec<MenuRow>> {
    menus::table
        .order(menus::slug)
        .select(MenuRow::as_select())
        .load(c)
}

pub fn find_by_slug(c: &mut DbConnection, slug: &str) -> QueryResult<Option<MenuRow>> {
    menus::table
        .filter(menus::slug.eq(slug))
        .select(MenuRow::as_select())
        .first(c)
        .optional()
}

pub fn insert(
    c: &mut DbConnection,
    slug: &str,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    diesel::insert_into(menus::table)
        .values((
            menus::slug.eq(slug),
            menus::name.eq(name),
            menus::version.eq(1),
            menus::created_at.eq(now),
            menus::updated_at.eq(now),
        ))
        .returning(menus::id)
        .get_result(c)
}

/// Renames and bumps the version if it is still `version`; false when it changed meanwhile.
pub fn touch(
    c: &mut DbConnection,
    menu: &MenuRow,
    name: &str,
    now: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(
        menus::table
            .find(menu.id)
            .filter(menus::version.eq(menu.version)),
    )
    .set((
        menus::name.eq(name),
        menus::version.eq(menu.version + 1),
        menus::updated_at.eq(now),
    ))
    .execute(c)
    .map(|n| n == 1)
}

pub fn delete(c: &mut DbConnection, id: i64) -> QueryResult<()> {
    diesel::delete(menu_items::table.filter(menu_items::menu_id.eq(id))).execute(c)?;
    diesel::delete(menus::table.find(id)).execute(c)?;
    Ok(())
}

pub fn items(c: &mut DbConnection, menu_id: i64) -> QueryResult<Vec<ItemRow>> {
    menu_items::table
        .filter(menu_items::menu_id.eq(menu_id))
        .order((menu_items::position, menu_items::id))
        .select(ItemRow::as_select())
        .load(c)
}

pub fn clear_items(c: &mut DbConnection, menu_id: i64) -> QueryResult<()> {
    diesel::delete(menu_items::table.filter(menu_items::menu_id.eq(menu_id)))
        .execute(c)
        .map(drop)
}

pub fn insert_item(c: &mut DbConnection, menu_id: i64, item: &NewItem) -> QueryResult<i64> {
    diesel::insert_into(menu_items::table)
        .values((
            menu_items::menu_id.eq(menu_id),
            menu_items::parent_id.eq(item.parent_id),
            menu_items::position.eq(item.position),
            menu_items::label.eq(item.label),
            menu_items::description.eq(item.description),
            menu_items::kind.eq(item.kind),
            menu_items::target_id.eq(item.target_id),
            menu_items::url.eq(item.url),
        ))
        .returning(menu_items::id)
        .get_result(c)
}
