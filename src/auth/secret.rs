//! The HMAC secret that signs access tokens.
//!
//! Configured (`SAHIFA_JWT_SECRET`) or, when not, generated once and kept in the database, so
//! that restarts — and every instance sharing the database — accept the same tokens.

use base64::Engine;
use diesel::prelude::*;
use rand::RngCore;

use crate::db::DbConnection;
use crate::db::schema::instance_settings as settings;

const NAME: &str = "jwt_secret";

/// The stored secret, created (512 random bits) when there is none yet.
pub fn load_or_create(conn: &mut DbConnection) -> QueryResult<Vec<u8>> {
    load_or_create_named(conn, NAME)
}

/// Another stored secret of the instance (`media_key`, …), made the same way.
pub fn load_or_create_named(conn: &mut DbConnection, name: &str) -> QueryResult<Vec<u8>> {
    if let Some(secret) = load(conn, name)? {
        return Ok(secret);
    }
    let mut bytes = [0u8; 64];
    rand::rng().fill_bytes(&mut bytes);
    let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
    let inserted = diesel::insert_into(settings::table)
        .values((
            settings::name.eq(name),
            settings::value.eq(&encoded),
            settings::updated_at.eq(crate::time::now()),
        ))
        .execute(conn);
    match inserted {
        Ok(_) => Ok(bytes.to_vec()),
        // Another instance created it first: use theirs.
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => load(conn, name)?.ok_or(diesel::result::Error::NotFound),
        Err(other) => Err(other),
    }
}

/// A stored secret of the instance, if it was made.
pub fn load(conn: &mut DbConnection, name: &str) -> QueryResult<Option<Vec<u8>>> {
    let stored: Option<String> = settings::table
        .filter(settings::name.eq(name))
        .select(settings::value)
        .first(conn)
        .optional()?;
    Ok(stored.and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok()))
}
