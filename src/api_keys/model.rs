//! API key rows and the queries on them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConnection;
use crate::db::schema::api_keys;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct KeyRow {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub secret_hash: String,
    pub scopes: String,
    pub rate_limit: i32,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl KeyRow {
    /// Neither revoked nor expired at `now`.
    pub fn is_usable(&self, now: NaiveDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|at| at > now)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewKey<'a> {
    pub name: &'a str,
    pub prefix: &'a str,
    pub secret_hash: &'a str,
    pub scopes: &'a str,
    pub rate_limit: i32,
    pub created_by: i64,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
}

pub fn insert(conn: &mut DbConnection, key: &NewKey) -> QueryResult<i64> {
    diesel::insert_into(api_keys::table)
        .values(key)
        .returning(api_keys::id)
        .get_result(conn)
}

pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<KeyRow>> {
    api_keys::table
        .find(id)
        .select(KeyRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<KeyRow>> {
    api_keys::table
        .filter(api_keys::secret_hash.eq(hash))
        .select(KeyRow::as_select())
        .first(conn)
        .optional()
}

/// Newest first.
pub fn list(conn: &mut DbConnection, offset: i64, limit: i64) -> QueryResult<(Vec<KeyRow>, i64)> {
    let total = api_keys::table.count().get_result(conn)?;
    let rows = api_keys::table
        .order(api_keys::id.desc())
        .offset(offset)
        .limit(limit)
        .select(KeyRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Revokes a key; false when it was already revoked.
pub fn revoke(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now))
    .execute(conn)
    .map(|n| n > 0)
}

pub fn touch(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::last_used_at.eq(now))
        .execute(conn)
        .map(drop)
}
