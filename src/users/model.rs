//! User rows and the queries on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::Role;
use crate::db::DbConnection;
use crate::db::schema::{refresh_tokens, users};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub password_hash: String,
    pub token_version: i64,
    pub version: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl UserRow {
    pub fn role(&self) -> Role {
        // The CHECK constraint keeps the column to the three names; the weakest role is the
        // safe reading of anything else.
        Role::parse(&self.role).unwrap_or(Role::Author)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub role: &'a str,
    pub active: bool,
    pub password_hash: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A change to a user; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub role: Option<String>,
    pub active: Option<bool>,
    pub password_hash: Option<String>,
    pub token_version: Option<i64>,
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<UserRow>> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Looks a user up by an already normalized email.
/// `(id, display_name)` of some users, in no particular order.
pub fn display_names(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::display_name))
        .load(conn)
}

pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .optional()
}

/// Admin accounts, active or not.
pub fn count_admins(conn: &mut DbConnection) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin.as_str()))
        .count()
        .get_result(conn)
}

/// One page of users, oldest first, and the total.
pub fn list(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<(Vec<UserRow>, i64)> {
    let rows = users::table
        .order(users::id.asc())
        .offset(offset)
        .limit(limit)
        .select(UserRow::as_select())
        .load(conn)?;
    Ok((rows, users::table.count().get_result(conn)?))
}

// `RETURNING` lists the columns rather than `UserRow::as_returning()`: under Diesel's
// MultiConnection the latter is only a fragment of the combined backend, not of each one.
pub fn insert(conn: &mut DbConnection, new: &NewUser<'_>) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(users::all_columns)
        .get_result(conn)
}

/// Applies `changes` if the row is still at `expected_version`; `None` when it is not (it
/// changed since it was read, or is gone).
pub fn update(
    conn: &mut DbConnection,
    id: i64,
    expected_version: i64,
    changes: &UserChanges,
    now: NaiveDateTime,
) -> QueryResult<Option<UserRow>> {
    diesel::update(
        users::table
            .filter(users::id.eq(id))
            .filter(users::version.eq(expected_version)),
    )
    .set((
        changes,
        users::version.eq(expected_version + 1),
        users::updated_at.eq(now),
    ))
    .returning(users::all_columns)
    .get_result(conn)
    .optional()
}

/// Ends every session of a user (deactivation, password or role change): their refresh
/// tokens are revoked; their access tokens die with the `token_version` the caller bumps.
pub fn end_sessions(
    conn: &mut DbConnection,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now))
    .execute(conn)
}

pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<usize> {
    // Sessions go with the user (ON DELETE CASCADE), but say so for stores without FKs on.
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::user_id.eq(id))).execute(conn)?;
    diesel::delete(users::table.find(id)).execute(conn)
}
