//! Refresh tokens: opaque, random, stored only as hashes, single use with rotation.
//!
//! Every login starts a *family*. A refresh marks the presented token used and adds its
//! successor to the same family. A used token presented again means two parties hold it (a
//! thief and the owner), and we cannot tell which is which, so the whole family is revoked.

use std::time::Duration;

use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::db::DbConnection;
use crate::db::schema::refresh_tokens as rt;

/// What presenting a refresh token led to.
#[derive(Debug)]
pub enum Rotation {
    /// Valid: it is now used, and this is its successor.
    Rotated { user_id: i64, token: String },
    /// Unknown, expired or revoked.
    Invalid,
    /// Already used: its family has just been revoked.
    Reused,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = rt)]
struct StoredToken {
    id: i64,
    user_id: i64,
    family: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

/// 256 random bits, URL-safe.
fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Only the hash is stored: a leaked database does not leak usable sessions. The token has
/// 256 bits of entropy, so a fast hash is as good as a slow one here.
fn hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Issues a token in `family` (a new family when `None`), returning the plaintext once.
pub fn issue(
    conn: &mut DbConnection,
    user_id: i64,
    family: Option<&str>,
    ttl: Duration,
    now: NaiveDateTime,
) -> QueryResult<String> {
    let token = new_token();
    let family = family.map_or_else(|| uuid::Uuid::new_v4().to_string(), str::to_owned);
    let expires_at = now + chrono::Duration::seconds(ttl.as_secs() as i64);
    diesel::insert_into(rt::table)
        .values((
            rt::user_id.eq(user_id),
            rt::family.eq(&family),
            rt::token_hash.eq(hash(&token)),
            rt::created_at.eq(now),
            rt::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Uses `presented` and issues its successor; see [`Rotation`]. Run it in a transaction that
/// is committed whatever the outcome (a revocation must stick).
pub fn rotate(
    conn: &mut DbConnection,
    presented: &str,
    ttl: Duration,
    now: NaiveDateTime,
) -> QueryResult<Rotation> {
    let found: Option<StoredToken> = rt::table
        .filter(rt::token_hash.eq(hash(presented)))
        .select(StoredToken::as_select())
        .first(conn)
        .optional()?;
    let Some(StoredToken {
        id,
        user_id,
        family,
        expires_at,
        used_at,
        revoked_at,
    }) = found
    else {
        return Ok(Rotation::Invalid);
    };
    if revoked_at.is_some() || expires_at <= now {
        return Ok(Rotation::Invalid);
    }
    if used_at.is_some() {
        revoke_family(conn, &family, now)?;
        return Ok(Rotation::Reused);
    }
    // Claim the token atomically: of two concurrent refreshes with the same token (on any
    // instance), exactly one updates the row; the other sees a reuse.
    let claimed = diesel::update(
        rt::table
            .filter(rt::id.eq(id))
            .filter(rt::used_at.is_null()),
    )
    .set(rt::used_at.eq(now))
    .execute(conn)?;
    if claimed == 0 {
        revoke_family(conn, &family, now)?;
        return Ok(Rotation::Reused);
    }
    let token = issue(conn, user_id, Some(&family), ttl, now)?;
    Ok(Rotation::Rotated { user_id, token })
}

fn revoke_family(conn: &mut DbConnection, family: &str, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::update(
        rt::table
            .filter(rt::family.eq(family))
            .filter(rt::revoked_at.is_null()),
    )
    .set(rt::revoked_at.eq(now))
    .execute(conn)
}

/// Logout: revokes the family `presented` belongs to (nothing when it is unknown).
pub fn revoke_family_of(
    conn: &mut DbConnection,
    presented: &str,
    now: NaiveDateTime,
) -> QueryResult<()> {
    let family: Option<String> = rt::table
        .filter(rt::token_hash.eq(hash(presented)))
        .select(rt::family)
        .first(conn)
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, &family, now)?;
    }
    Ok(())
}

/// Deletes the tokens that expired before `now`; returns how many.
pub fn delete_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(rt::table.filter(rt::expires_at.lt(now))).execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_256_random_bits_and_hashes_hide_them() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43, "32 bytes in unpadded base64url");
        assert_eq!(hash(&a).len(), 64);
        assert!(!hash(&a).contains(&a));
    }
}
